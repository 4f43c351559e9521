"""HTTP clients that pay for TLS only when TLS is used.

Loading the CA bundle into an SSL context costs a few hundred milliseconds on a busy machine; httpx
does it for every client it builds. Most Gradio apps a client talks to locally are plain http, so
clients here verify https through one process-wide context built on first https use, and the
transport that serves http:// carries a context with no CA at all (TLS through it would fail, never
pass unverified). With proxies configured in the environment, httpx's own setup is used as is.
"""

from __future__ import annotations

import os
import ssl
import threading

import httpx

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


class _LazyTLS(httpx.BaseTransport):
    def __init__(self) -> None:
        self._inner: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        if inner is None:
            with self._lock:
                if self._inner is None:
                    self._inner = httpx.HTTPTransport(verify=verified_context())
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
            self._inner = httpx.AsyncHTTPTransport(verify=verified_context())
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def sync_http(timeout: httpx.Timeout) -> httpx.Client:
    if _proxied():
        return httpx.Client(timeout=timeout, verify=verified_context())
    return httpx.Client(timeout=timeout, verify=_no_ca_context(), mounts={"https://": _LazyTLS()})


def async_http(timeout: httpx.Timeout) -> httpx.AsyncClient:
    if _proxied():
        return httpx.AsyncClient(timeout=timeout, verify=verified_context())
    return httpx.AsyncClient(
        timeout=timeout, verify=_no_ca_context(), mounts={"https://": _AsyncLazyTLS()}
    )
