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
* **Credentials are decided again at every redirect hop** (``_credentials.hop_guard``): a hop to
  another origin carries no cookie, user header or token the host policy does not allow there.
* **Retries are safe.** Every transport is wrapped in ``_retry``'s, which retries a request only
  under the policy the client sets around an operation, and never in a way that could run a job
  twice.

A client's host policy (its ``trusted_hosts``) lives in its request hook, so ``sync_copy`` and
``async_copy`` -- the clients a lazy download makes after the app's client was closed -- keep it.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from . import _deadline
from ._credentials import hop_guard
from ._retry import AsyncRetryTransport, RetryTransport

if TYPE_CHECKING:
    from ._deadline_io import Transport

__all__ = ["sync_http", "async_http", "sync_copy", "async_copy"]

C = TypeVar("C", httpx.Client, httpx.AsyncClient)
T = TypeVar("T", httpx.HTTPTransport, httpx.AsyncHTTPTransport)

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
    from ._deadline_io import (
        enforce_deadlines,  # httpcore is imported with the first client
    )

    enforce_deadlines(transports)


class _HttpsOnFirstUse(Generic[T]):
    """The https transport, built (with the verifying context) when the first https request
    comes; thread-safe."""

    def __init__(self, kind: type[T]) -> None:
        self._kind: type[T] = kind
        self._lock = threading.Lock()
        self.built: T | None = None

    def get(self) -> T:
        if self.built is None:
            with self._lock:
                if self.built is None:
                    transport = self._kind(verify=verified_context())
                    _enforce(transport)
                    self.built = transport
        return self.built


class _LazyTLS(httpx.BaseTransport):
    def __init__(self) -> None:
        self._https = _HttpsOnFirstUse(httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._https.get().handle_request(request)

    def close(self) -> None:
        if self._https.built is not None:
            self._https.built.close()


class _AsyncLazyTLS(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self._https = _HttpsOnFirstUse(httpx.AsyncHTTPTransport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._https.get().handle_async_request(request)

    async def aclose(self) -> None:
        if self._https.built is not None:
            await self._https.built.aclose()


class _BeforeEachRequest:
    """Every client's request hook, run before each request and each redirect hop: the
    credential rule for the client's ``trusted_hosts``, then the wait for a pooled connection
    cut to the deadline."""

    def __init__(self, trusted_hosts: Iterable[str]) -> None:
        self.trusted_hosts = tuple(trusted_hosts)

    def __call__(self, request: httpx.Request) -> None:
        hop_guard(request, trusted_hosts=self.trusted_hosts)
        left = _deadline.remaining()
        timeouts = request.extensions.get("timeout")
        if left is not None and isinstance(timeouts, dict):
            pool = timeouts.get("pool")
            cut = max(left, 0.001)  # a positive wait: the connection's own I/O sees the deadline
            request.extensions["timeout"] = {
                **timeouts,
                "pool": cut if pool is None else min(pool, cut),
            }

    async def asynchronously(self, request: httpx.Request) -> None:
        self(request)


def _build(
    kind: type[C],
    transport: Callable[..., Any],
    lazy_tls: Callable[[], Any],
    hook: Callable[[httpx.Request], Any],
    timeout: httpx.Timeout,
    **options: Any,
) -> C:
    options.update(timeout=timeout, event_hooks={"request": [hook]})
    retry: Callable[[Any], Any] = RetryTransport if kind is httpx.Client else AsyncRetryTransport
    if _proxied():
        client = kind(verify=verified_context(), **options)
        # httpx built one transport per proxy pattern from the environment; each gets deadlines.
        _enforce(client._transport, *client._mounts.values())  # type: ignore[arg-type]
        client._transport = retry(client._transport)
        client._mounts = {
            pattern: None if mounted is None else retry(mounted)
            for pattern, mounted in client._mounts.items()
        }
        return client
    plain = transport(verify=_no_ca_context())
    _enforce(plain)
    return kind(transport=retry(plain), mounts={"https://": retry(lazy_tls())}, **options)


def sync_http(
    timeout: httpx.Timeout,
    *,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    trusted_hosts: Iterable[str] = (),
) -> httpx.Client:
    """A sync client under the rules of the module docstring.

    ``trusted_hosts`` (as the client option of that name) are hosts besides Hugging Face's where a
    token may follow a redirect. Only the generator follows redirects (``follow_redirects``); the
    runtime's own requests follow none.
    """
    hook = _BeforeEachRequest(trusted_hosts)
    return _build(
        httpx.Client,
        httpx.HTTPTransport,
        _LazyTLS,
        hook,
        timeout,
        headers=headers,
        follow_redirects=follow_redirects,
    )


def async_http(timeout: httpx.Timeout, *, trusted_hosts: Iterable[str] = ()) -> httpx.AsyncClient:
    """``sync_http`` for async code."""
    hook = _BeforeEachRequest(trusted_hosts).asynchronously
    return _build(httpx.AsyncClient, httpx.AsyncHTTPTransport, _AsyncLazyTLS, hook, timeout)


def _trusted_hosts_of(http: httpx.Client | httpx.AsyncClient) -> tuple[str, ...]:
    for hook in http.event_hooks.get("request", []):
        policy = getattr(hook, "__self__", hook)  # the async hook is a bound method
        if isinstance(policy, _BeforeEachRequest):
            return policy.trusted_hosts
    return ()


def _like(source: httpx.Client | httpx.AsyncClient, copy: C) -> C:
    copy.headers = source.headers
    copy.cookies = source.cookies
    if source.auth is not None:
        copy.auth = source.auth
    return copy


def sync_copy(http: httpx.Client | httpx.AsyncClient) -> httpx.Client:
    """A new sync client with ``http``'s headers, cookies, timeout and host policy (``http`` may
    be closed)."""
    return _like(http, sync_http(http.timeout, trusted_hosts=_trusted_hosts_of(http)))


def async_copy(http: httpx.Client | httpx.AsyncClient) -> httpx.AsyncClient:
    """``sync_copy``, as an async client."""
    return _like(http, async_http(http.timeout, trusted_hosts=_trusted_hosts_of(http)))
