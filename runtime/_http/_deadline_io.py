"""httpcore network backends that cut every connect, read and write to the deadline in force.

httpx hands each socket operation the same timeout (say 60 s), so a server that sends one byte
every few seconds is never "too slow" for any single read. These backends sit under httpx's own
transports: before each operation they take ``min(timeout, time left)`` from ``_deadline`` and, with
no time left, raise the httpcore timeout of that operation (which httpx turns into its own
``ConnectTimeout`` / ``ReadTimeout`` / ``WriteTimeout``). The socket code itself stays httpcore's.

Outside a deadline scope nothing changes: the event stream's reader threads and tasks run without
one, bounded only by their silence limit.

Imported when the first HTTP client is built (httpcore costs ~70 ms to import, and httpx itself
defers it to that moment too).
"""

from __future__ import annotations

import ssl
import typing
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from . import _deadline

__all__ = ["DeadlineBackend", "AsyncDeadlineBackend", "enforce_deadlines"]

Transport = typing.Union[httpx.HTTPTransport, httpx.AsyncHTTPTransport]


def _cut(timeout: float | None, exc: type[httpcore.TimeoutException]) -> float | None:
    """``timeout`` shortened to the time left, or ``exc`` when none is left."""
    left = _deadline.remaining()
    if left is None:
        return timeout
    if left <= 0:
        # Never pass 0 on: a socket with timeout 0 is non-blocking, not expired.
        raise exc("the operation's deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, cut))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Connects through ``inner`` with the connect timeout cut to the deadline; the arguments it
    has no business with (local address, socket options, any httpcore adds) pass through."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *rest: Any, **named: Any
    ) -> httpcore.NetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_tcp(host, port, cut, *rest, **named))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, *rest: Any, **named: Any
    ) -> httpcore.NetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self._inner.connect_unix_socket(path, cut, *rest, **named))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        return AsyncDeadlineStream(await self._inner.start_tls(ssl_context, server_hostname, cut))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *rest: Any, **named: Any
    ) -> httpcore.AsyncNetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        return AsyncDeadlineStream(await self._inner.connect_tcp(host, port, cut, *rest, **named))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, *rest: Any, **named: Any
    ) -> httpcore.AsyncNetworkStream:
        cut = _cut(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_unix_socket(path, cut, *rest, **named)
        return AsyncDeadlineStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def enforce_deadlines(transports: Iterable[Transport | None]) -> None:
    """Put the deadline backend under each of httpx's transports (``None`` entries are skipped).

    httpx builds its connection pools itself and offers no parameter for the network backend, so
    the backend is swapped on the pool it built (``_pool._network_backend``, an httpcore attribute
    every pool and proxy class has). If a later httpx or httpcore changes that, this fails loudly
    when the client is built rather than leaving deadlines silently unenforced.
    """
    for transport in transports:
        if transport is None:
            continue
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(transport, httpx.AsyncHTTPTransport):
            if not isinstance(backend, httpcore.AsyncNetworkBackend):
                raise RuntimeError(_UNSUPPORTED.format(httpx.__version__, httpcore.__version__))
            if not isinstance(backend, AsyncDeadlineBackend):
                setattr(pool, "_network_backend", AsyncDeadlineBackend(backend))
        elif isinstance(transport, httpx.HTTPTransport):
            if not isinstance(backend, httpcore.NetworkBackend):
                raise RuntimeError(_UNSUPPORTED.format(httpx.__version__, httpcore.__version__))
            if not isinstance(backend, DeadlineBackend):
                setattr(pool, "_network_backend", DeadlineBackend(backend))


_UNSUPPORTED = (
    "gradio_codegen cannot enforce deadlines with httpx {} / httpcore {}: their connection pool "
    "has no network backend to wrap; install httpx<1 with httpcore 1.x"
)
