"""Streaming GETs of files, with the rules that keep credentials home and a hostile body bounded.

The app's HTTP client carries its cookies and headers (login cookie, Hugging Face token). A server
may hand back a URL on another host, or redirect there; following it with the app's client would
send those credentials along. So a request goes through the app's client only while it stays on the
app's own origin; anything else is fetched with a bare client that carries nothing -- and only when
the caller allows other origins at all (a URL the user passed, or a client created with
``download_other_origins=True``): otherwise a result file could make the user's machine request any
address on its network (``http://127.0.0.1:8080/admin``) on the app's behalf.

The body is counted after content decoding, which is done here a bounded piece at a time: httpx
inflates each network chunk whole, so a 64 KiB gzip chunk could become 64 MiB in memory at once.
Only gzip and deflate are asked for and accepted. ``limit`` stops a transfer as soon as more than
that many decoded bytes have arrived, before they are written.

Every decision is made by ``_Route`` (where the next request goes, with which client) and
``_Writer`` (decoding, counting, writing), which do no I/O; ``download_to`` / ``adownload_to`` and
``read_capped`` / ``aread_capped`` only move the bytes.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Generic, TypeVar

import httpx

from .._errors import (
    AuthenticationError,
    GradioError,
    GradioTimeoutError,
    OtherOriginError,
    ProtocolError,
    ServerUnavailableError,
    TransportError,
)
from .._http._clients import async_http, sync_http
from ._progress import Meter, ProgressOption

__all__ = [
    "CHUNK_SIZE",
    "ACCEPT_ENCODING",
    "Rules",
    "SizeLimitExceeded",
    "same_origin",
    "origin_of",
    "download_to",
    "adownload_to",
    "read_capped",
    "aread_capped",
]

C = TypeVar("C", httpx.Client, httpx.AsyncClient)

CHUNK_SIZE = 256 * 1024
MAX_REDIRECTS = 5
ERROR_DETAIL_BYTES = 4096  # of an error response's body, for the message; the rest is not read
ACCEPT_ENCODING = {"accept-encoding": "gzip, deflate"}  # what ``_Decoder`` undoes in bounded steps


class SizeLimitExceeded(Exception):
    """The body grew past the allowed size; carries how much had arrived (or was announced)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


@dataclass(frozen=True)
class Rules:
    """What one download may do.

    ``trusted`` is the app's URL: only requests to its origin go through the app's client.
    ``other_origins`` allows the rest, through a bare client; without it they are refused.
    ``limit`` caps the decoded bytes (``SizeLimitExceeded``); ``name`` names the file in messages
    and progress reports.
    """

    trusted: str
    name: str
    other_origins: bool
    progress: ProgressOption = None
    limit: int | None = None

    @property
    def what(self) -> str:
        return f"downloading {self.name!r}"


def _origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    u = httpx.URL(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme)
    return u.scheme, u.host.lower(), port


def same_origin(url: str | httpx.URL, other: str | httpx.URL) -> bool:
    """Whether two URLs share scheme, host and port (the boundary credentials may not cross)."""
    try:
        return _origin(url) == _origin(other)
    except httpx.InvalidURL:
        return False


def origin_of(url: str | httpx.URL) -> str:
    """``scheme://host:port`` of ``url``, for messages (never its path or query)."""
    try:
        scheme, host, port = _origin(url)
    except httpx.InvalidURL:
        return "an invalid URL"
    return f"{scheme}://{host}:{port}" if port is not None else f"{scheme}://{host}"


class _Route(Generic[C]):
    """The hops of one download: the URL to ask next, and the client to ask it with.

    The app's client makes the requests while they stay on the app's origin; from the first one
    that leaves it (the URL itself, or a redirect), a bare client does, if other origins are allowed.
    """

    def __init__(self, url: str, rules: Rules, http: C, bare: Callable[[httpx.Timeout], C]) -> None:
        self.rules = rules
        self.target = httpx.URL(url)
        self.bare = False
        self.bare_client: C | None = None  # the caller closes it
        self._http: C = http
        self._make_bare: Callable[[httpx.Timeout], C] = bare
        self._hops = 0
        self._leaving(self.target, "sent a link to")

    def client(self) -> C:
        if not self.bare:
            return self._http
        if self.bare_client is None:
            self.bare_client = self._make_bare(self._http.timeout)
        return self.bare_client

    def _leaving(self, target: httpx.URL, how: str) -> None:
        if self.bare or same_origin(target, self.rules.trusted):
            return
        if not self.rules.other_origins:
            raise OtherOriginError(
                f"{self.rules.what}: the app {how} {origin_of(target)}, which is not the app's own "
                f"origin ({origin_of(self.rules.trusted)}); it was not fetched. Create the client "
                "with download_other_origins=True to fetch files from other origins (without "
                "credentials), or fetch the file's .url yourself if you trust it",
                origin=origin_of(target),
            )
        self.bare = True

    def redirected(self, response: httpx.Response) -> bool:
        """Whether ``response`` sends the download elsewhere (then ``target`` is where)."""
        if not response.is_redirect:
            return False
        self._hops += 1
        if self._hops > MAX_REDIRECTS:
            raise TransportError(
                f"{self.rules.what}: more than {MAX_REDIRECTS} redirects from {response.url}"
            )
        self.target = response.url.join(response.headers["location"])
        self._leaving(self.target, "redirected to")
        return True


@contextmanager
def _failures(what: str) -> Iterator[None]:
    """httpx's failures of a transfer as the runtime's errors."""
    try:
        yield
    except httpx.TimeoutException as e:
        raise GradioTimeoutError(f"{what}: timed out ({e})") from e
    except httpx.TransportError as e:
        raise ServerUnavailableError(f"{what}: {type(e).__name__}: {e}") from e


def _status_error(response: httpx.Response, what: str, detail: bytes) -> GradioError:
    if response.status_code == 401:
        return AuthenticationError(
            f"{what}: the server requires a login (HTTP 401); pass auth= or token= to the client"
        )
    text = detail[:300].decode("utf-8", errors="replace").strip()
    return TransportError(f"{what}: HTTP {response.status_code} from {response.url}: {text}")


def _declared_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
        return None  # the length is of the compressed body
    try:
        length = int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None
    return length if length >= 0 else None


def _encoding(response: httpx.Response) -> str:
    """The content encoding still to undo: none when httpx already holds the body decoded (a
    response built in memory, as test transports make them)."""
    if response.is_stream_consumed:
        return "identity"
    encoding: str = response.headers.get("content-encoding", "identity")
    return encoding.strip().lower()


class _Decoder:
    """Undoes the response's content encoding, never more than ``CHUNK_SIZE`` bytes at a time."""

    def __init__(self, encoding: str, what: str) -> None:
        self.what = what
        self.encoding = encoding
        self.inflater: zlib._Decompress | None = None
        self.raw_deflate_fallback = False
        if encoding in ("gzip", "x-gzip"):
            self.inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":  # zlib-wrapped by the standard, raw by some servers
            self.inflater = zlib.decompressobj()
            self.raw_deflate_fallback = True
        elif encoding not in ("", "identity"):
            raise ProtocolError(
                f"{what}: the server sent the file encoded as {encoding!r}, which was not asked "
                "for (only gzip and deflate are accepted)"
            )

    def feed(self, data: bytes) -> Iterator[bytes]:
        inflater = self.inflater
        if inflater is None:
            if data:
                yield data
            return
        while True:
            try:
                out = inflater.decompress(data, CHUNK_SIZE)
            except zlib.error as e:
                if self.raw_deflate_fallback:
                    self.raw_deflate_fallback = False
                    self.inflater = inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise ProtocolError(f"{self.what}: the {self.encoding} body is corrupt ({e})")
            self.raw_deflate_fallback = False
            data = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof or (not data and len(out) < CHUNK_SIZE):
                return

    def finish(self) -> Iterator[bytes]:
        if self.inflater is not None:
            yield from self.feed(b"")


class _Writer:
    """Writes a response's decoded body to ``sink``, counting it against ``limit`` before each
    write; fed the raw bytes as they arrive."""

    def __init__(
        self,
        response: httpx.Response,
        sink: IO[bytes],
        *,
        what: str,
        name: str = "",
        progress: ProgressOption = None,
        limit: int | None = None,
    ) -> None:
        self.sink = sink
        self.limit = limit
        announced = _declared_length(response)
        if limit is not None and announced is not None and announced > limit:
            raise SizeLimitExceeded(announced)  # stop before the first byte
        self.decoder = _Decoder(_encoding(response), what)
        self.meter = Meter(progress, "download", name, announced)

    def _write(self, chunks: Iterator[bytes]) -> None:
        for chunk in chunks:
            if self.limit is not None and self.meter.done + len(chunk) > self.limit:
                raise SizeLimitExceeded(self.meter.done + len(chunk))
            self.sink.write(chunk)
            self.meter.advance(len(chunk))

    def feed(self, raw: bytes) -> None:
        self._write(self.decoder.feed(raw))

    def finish(self) -> None:
        self._write(self.decoder.finish())

    def close(self) -> None:
        self.meter.close()


def _chunks(response: httpx.Response, size: int) -> Iterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        yield from response.iter_raw(size)


async def _achunks(response: httpx.Response, size: int) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        async for raw in response.aiter_raw(size):
            yield raw


def _copy(response: httpx.Response, writer: _Writer) -> None:
    try:
        for raw in _chunks(response, CHUNK_SIZE):
            writer.feed(raw)
        writer.finish()
    finally:
        writer.close()


async def _acopy(response: httpx.Response, writer: _Writer) -> None:
    try:
        async for raw in _achunks(response, CHUNK_SIZE):
            writer.feed(raw)
        writer.finish()
    finally:
        writer.close()


def _error_head(response: httpx.Response) -> bytes:
    """The start of an error answer, for its message."""
    for raw in _chunks(response, ERROR_DETAIL_BYTES):
        return raw[:ERROR_DETAIL_BYTES]
    return b""


async def _aerror_head(response: httpx.Response) -> bytes:
    async for raw in _achunks(response, ERROR_DETAIL_BYTES):
        return raw[:ERROR_DETAIL_BYTES]
    return b""


def download_to(http: httpx.Client, url: str, sink: IO[bytes], rules: Rules) -> httpx.Headers:
    """Stream ``url`` into ``sink`` under ``rules``; return the final response's headers.

    Raises ``OtherOriginError`` for a request the rules do not allow (the URL itself, or a
    redirect), ``SizeLimitExceeded`` before more decoded bytes than ``rules.limit`` are written.
    """
    route = _Route(url, rules, http, sync_http)
    try:
        with _failures(rules.what):
            while True:
                with route.client().stream(
                    "GET", route.target, headers=ACCEPT_ENCODING, follow_redirects=False
                ) as response:
                    if route.redirected(response):
                        continue
                    if response.status_code >= 400:
                        raise _status_error(response, rules.what, _error_head(response))
                    _copy(response, _writer(response, sink, rules))
                    return response.headers
    finally:
        if route.bare_client is not None:
            route.bare_client.close()


async def adownload_to(
    http: httpx.AsyncClient, url: str, sink: IO[bytes], rules: Rules
) -> httpx.Headers:
    """``download_to`` for async clients (disk writes of one chunk stay on the event loop)."""
    route = _Route(url, rules, http, async_http)
    try:
        with _failures(rules.what):
            while True:
                async with route.client().stream(
                    "GET", route.target, headers=ACCEPT_ENCODING, follow_redirects=False
                ) as response:
                    if route.redirected(response):
                        continue
                    if response.status_code >= 400:
                        raise _status_error(response, rules.what, await _aerror_head(response))
                    await _acopy(response, _writer(response, sink, rules))
                    return response.headers
    finally:
        if route.bare_client is not None:
            await route.bare_client.aclose()


def _writer(response: httpx.Response, sink: IO[bytes], rules: Rules) -> _Writer:
    return _Writer(
        response,
        sink,
        what=rules.what,
        name=rules.name,
        progress=rules.progress,
        limit=rules.limit,
    )


def read_capped(response: httpx.Response, limit: int, *, what: str) -> bytes:
    """The decoded body of ``response`` (a streamed one), or ``SizeLimitExceeded`` past ``limit``."""
    body = io.BytesIO()
    _copy(response, _Writer(response, body, what=what, limit=limit))
    return body.getvalue()


async def aread_capped(response: httpx.Response, limit: int, *, what: str) -> bytes:
    """``read_capped`` for async responses."""
    body = io.BytesIO()
    await _acopy(response, _Writer(response, body, what=what, limit=limit))
    return body.getvalue()
