"""The HTTP clients the runtime (and the generator) talk through.

Every httpx client is built here, so three rules hold for all of them:

* **TLS costs nothing for http apps.** Loading the CA bundle into an SSL context costs a few hundred
  milliseconds on a busy machine; httpx does it for every client it builds. Clients here verify
  https through one process-wide context built on first https use, and the transport that serves
  http:// carries a context with no CA at all (TLS through it would fail, never pass unverified).
  With proxies configured in the environment, httpx's own proxy setup is used.
* **Deadlines are enforced.** Every connect, read and write is cut to the time left before the
  deadline of the operation it belongs to (``_deadline.scope``), also through proxies, and so is
  the wait for a pooled connection; see ``_deadline_io``.
* **Credentials are decided again at every redirect hop** (``_credentials.hop_guard``): a hop to another
  origin carries no cookie, user header or token the host policy does not allow there.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import httpx

from ._credentials import hop_guard

from . import _deadline

if TYPE_CHECKING:
    from ._deadline_io import Transport

__all__ = ["sync_http", "async_http"]

_lock = threading.Lock()
_verified: ssl.SSLContext | None = None
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")


def verified_context() -> ssl.SSLContext:
    """The process-wide verifying context (certifi bundle, or SSL_CERT_FILE / SSL_CERT_DIR)."""
    global _verified
    with _lock:
        if _verified is None:
            _verified = httpx.create_ssl_context()
        return _verified


def _no_ca_context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies certificates, but trusts none


def _proxied() -> bool:
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARS)


def _enforce(*transports: Transport | None) -> None:
    from ._deadline_io import enforce_deadlines  # httpcore is imported with the first client

    enforce_deadlines(transports)


class _LazyTLS(httpx.BaseTransport):
    def __init__(self) -> None:
        self._inner: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        if inner is None:
            with self._lock:
                if self._inner is None:
                    transport = httpx.HTTPTransport(verify=verified_context())
                    _enforce(transport)
                    self._inner = transport
                inner = self._inner
        return inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


class _AsyncLazyTLS(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._inner: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            transport = httpx.AsyncHTTPTransport(verify=verified_context())
            _enforce(transport)
            self._inner = transport
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def _on_request(request: httpx.Request, trusted_hosts: tuple[str, ...]) -> None:
    """Run before every request and every redirect hop: the credential rule, then the pool cut."""
    hop_guard(request, trusted_hosts=trusted_hosts)
    left = _deadline.remaining()
    timeouts = request.extensions.get("timeout")
    if left is not None and isinstance(timeouts, dict):
        pool = timeouts.get("pool")
        cut = max(left, 0.001)  # a positive wait: the connection's own I/O then sees the deadline
        request.extensions["timeout"] = {
            **timeouts,
            "pool": cut if pool is None else min(pool, cut),
        }


def sync_http(
    timeout: httpx.Timeout,
    *,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    trusted_hosts: Iterable[str] = (),
) -> httpx.Client:
    """A sync client under the rules of the module docstring.

    ``trusted_hosts`` (as the client option of that name) are hosts besides Hugging Face's where a
    token may follow a redirect.
    """
    trusted = tuple(trusted_hosts)

    def on_request(request: httpx.Request) -> None:
        _on_request(request, trusted)

    hooks = {"request": [on_request]}
    if _proxied():
        client = httpx.Client(
            timeout=timeout,
            verify=verified_context(),
            headers=headers,
            follow_redirects=follow_redirects,
            event_hooks=hooks,
        )
        # httpx built one transport per proxy pattern from the environment; each gets deadlines.
        _enforce(client._transport, *client._mounts.values())  # type: ignore[arg-type]
        return client
    plain = httpx.HTTPTransport(verify=_no_ca_context())
    _enforce(plain)
    return httpx.Client(
        timeout=timeout,
        transport=plain,
        mounts={"https://": _LazyTLS()},
        headers=headers,
        follow_redirects=follow_redirects,
        event_hooks=hooks,
    )


def async_http(
    timeout: httpx.Timeout,
    *,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    trusted_hosts: Iterable[str] = (),
) -> httpx.AsyncClient:
    """``sync_http`` for async code."""
    trusted = tuple(trusted_hosts)

    async def on_request(request: httpx.Request) -> None:
        _on_request(request, trusted)

    hooks = {"request": [on_request]}
    if _proxied():
        client = httpx.AsyncClient(
            timeout=timeout,
            verify=verified_context(),
            headers=headers,
            follow_redirects=follow_redirects,
            event_hooks=hooks,
        )
        _enforce(client._transport, *client._mounts.values())  # type: ignore[arg-type]
        return client
    plain = httpx.AsyncHTTPTransport(verify=_no_ca_context())
    _enforce(plain)
    return httpx.AsyncClient(
        timeout=timeout,
        transport=plain,
        mounts={"https://": _AsyncLazyTLS()},
        headers=headers,
        follow_redirects=follow_redirects,
        event_hooks=hooks,
    )
