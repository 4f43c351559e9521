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
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator
from typing import IO

import httpx

from .._errors import (
    AuthenticationError,
    GradioError,
    GradioTimeoutError,
    ProtocolError,
    ServerUnavailableError,
    TransportError,
)
from ._progress import Meter, ProgressOption
from .._http._clients import async_http, sync_http

__all__ = [
    "CHUNK_SIZE",
    "SizeLimitExceeded",
    "same_origin",
    "origin_of",
    "download_to",
    "adownload_to",
    "sync_twin",
    "async_twin",
    "read_capped",
    "aread_capped",
    "ACCEPT_ENCODING",
]

CHUNK_SIZE = 256 * 1024
MAX_REDIRECTS = 5
ERROR_DETAIL_BYTES = 4096  # of an error response's body, for the message; the rest is not read
ACCEPT_ENCODING = {
    "accept-encoding": "gzip, deflate"
}  # what ``_Decoder`` can undo in bounded steps


class SizeLimitExceeded(Exception):
    """The body grew past the allowed size; carries how much had arrived (or was announced)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


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


def _timeout(http: httpx.Client | httpx.AsyncClient) -> httpx.Timeout:
    return http.timeout


def sync_twin(http: httpx.Client | httpx.AsyncClient) -> httpx.Client:
    """A new sync client with ``http``'s headers, cookies and timeout (``http`` may be closed)."""
    twin = sync_http(_timeout(http))
    twin.headers = http.headers
    twin.cookies = http.cookies
    if http.auth is not None:
        twin.auth = http.auth
    return twin


def async_twin(http: httpx.Client | httpx.AsyncClient) -> httpx.AsyncClient:
    """A new async client with ``http``'s headers, cookies and timeout (``http`` may be closed)."""
    twin = async_http(_timeout(http))
    twin.headers = http.headers
    twin.cookies = http.cookies
    if http.auth is not None:
        twin.auth = http.auth
    return twin


def _refused(what: str, how: str, target: str | httpx.URL, trusted: str) -> ProtocolError:
    return ProtocolError(
        f"{what}: the app {how} {origin_of(target)}, which is not the app's own origin "
        f"({origin_of(trusted)}); it was not fetched. Create the client with "
        "download_other_origins=True to fetch files from other origins (without credentials), "
        "or fetch the file's .url yourself if you trust it"
    )


def _status_error(response: httpx.Response, what: str, detail: str) -> GradioError:
    if response.status_code == 401:
        return AuthenticationError(
            f"{what}: the server requires a login (HTTP 401); pass auth= or token= to the client"
        )
    return TransportError(f"{what}: HTTP {response.status_code} from {response.url}: {detail}")


def _detail(raw: bytes) -> str:
    return raw[:300].decode("utf-8", errors="replace").strip()


def _declared_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
        return None  # the length is of the compressed body
    try:
        length = int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None
    return length if length >= 0 else None


def _next_url(response: httpx.Response) -> httpx.URL:
    return response.url.join(response.headers["location"])


def _encoding(response: httpx.Response) -> str:
    """The content encoding still to undo: none when httpx already holds the body decoded (a
    response built in memory, as test transports make them)."""
    if response.is_stream_consumed:
        return "identity"
    encoding: str = response.headers.get("content-encoding", "identity")
    return encoding.strip().lower()


def _raw(response: httpx.Response) -> Iterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        yield from response.iter_raw(CHUNK_SIZE)


async def _araw(response: httpx.Response) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
    else:
        async for raw in response.aiter_raw(CHUNK_SIZE):
            yield raw


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
    """Writes decoded chunks to the sink, counting them against ``limit`` before each write."""

    def __init__(
        self,
        response: httpx.Response,
        sink: IO[bytes],
        *,
        what: str,
        name: str,
        progress: ProgressOption,
        limit: int | None,
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


def _read_some(response: httpx.Response) -> bytes:
    if response.is_stream_consumed:
        return response.content[:ERROR_DETAIL_BYTES]
    got = b""
    for raw in response.iter_raw(ERROR_DETAIL_BYTES):
        got += raw
        if len(got) >= ERROR_DETAIL_BYTES:
            break
    return got


async def _aread_some(response: httpx.Response) -> bytes:
    if response.is_stream_consumed:
        return response.content[:ERROR_DETAIL_BYTES]
    got = b""
    async for raw in response.aiter_raw(ERROR_DETAIL_BYTES):
        got += raw
        if len(got) >= ERROR_DETAIL_BYTES:
            break
    return got


def download_to(
    http: httpx.Client,
    url: str,
    sink: IO[bytes],
    *,
    trusted: str,
    name: str,
    other_origins: bool,
    progress: ProgressOption = None,
    limit: int | None = None,
) -> httpx.Headers:
    """Stream ``url`` into ``sink`` chunk by chunk; return the final response's headers.

    ``trusted`` is the app's URL: only requests to its origin use ``http``; requests anywhere else
    (the URL itself, or a redirect) are refused with ``ProtocolError`` unless ``other_origins``.
    ``limit`` stops the transfer (``SizeLimitExceeded``) before more decoded bytes than that are
    written.
    """
    what = f"downloading {name!r}"
    bare: httpx.Client | None = None
    try:
        client = http
        if not same_origin(url, trusted):
            if not other_origins:
                raise _refused(what, "sent a link to", url, trusted)
            client = bare = sync_http(_timeout(http))
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream(
                "GET", target, headers=ACCEPT_ENCODING, follow_redirects=False
            ) as response:
                if response.is_redirect:
                    target = _next_url(response)
                    if client is http and not same_origin(target, trusted):
                        if not other_origins:
                            raise _refused(what, "redirected to", target, trusted)
                        client = bare = sync_http(_timeout(http))
                    continue
                if response.status_code >= 400:
                    raise _status_error(response, what, _detail(_read_some(response)))
                writer = _Writer(
                    response, sink, what=what, name=name, progress=progress, limit=limit
                )
                try:
                    for raw in _raw(response):
                        writer.feed(raw)
                    writer.finish()
                finally:
                    writer.close()
                return response.headers
        raise TransportError(f"{what}: more than {MAX_REDIRECTS} redirects from {url}")
    except httpx.TimeoutException as e:
        raise GradioTimeoutError(f"{what}: timed out ({e})") from e
    except httpx.TransportError as e:
        raise ServerUnavailableError(f"{what}: {type(e).__name__}: {e}") from e
    finally:
        if bare is not None:
            bare.close()


async def adownload_to(
    http: httpx.AsyncClient,
    url: str,
    sink: IO[bytes],
    *,
    trusted: str,
    name: str,
    other_origins: bool,
    progress: ProgressOption = None,
    limit: int | None = None,
) -> httpx.Headers:
    """``download_to`` for async clients (disk writes of one chunk stay on the event loop)."""
    what = f"downloading {name!r}"
    bare: httpx.AsyncClient | None = None
    try:
        client = http
        if not same_origin(url, trusted):
            if not other_origins:
                raise _refused(what, "sent a link to", url, trusted)
            client = bare = async_http(_timeout(http))
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream(
                "GET", target, headers=ACCEPT_ENCODING, follow_redirects=False
            ) as response:
                if response.is_redirect:
                    target = _next_url(response)
                    if client is http and not same_origin(target, trusted):
                        if not other_origins:
                            raise _refused(what, "redirected to", target, trusted)
                        client = bare = async_http(_timeout(http))
                    continue
                if response.status_code >= 400:
                    raise _status_error(response, what, _detail(await _aread_some(response)))
                writer = _Writer(
                    response, sink, what=what, name=name, progress=progress, limit=limit
                )
                try:
                    async for raw in _araw(response):
                        writer.feed(raw)
                    writer.finish()
                finally:
                    writer.close()
                return response.headers
        raise TransportError(f"{what}: more than {MAX_REDIRECTS} redirects from {url}")
    except httpx.TimeoutException as e:
        raise GradioTimeoutError(f"{what}: timed out ({e})") from e
    except httpx.TransportError as e:
        raise ServerUnavailableError(f"{what}: {type(e).__name__}: {e}") from e
    finally:
        if bare is not None:
            await bare.aclose()


def read_capped(response: httpx.Response, limit: int, *, what: str) -> bytes:
    """The decoded body of ``response`` (a streamed one), or ``SizeLimitExceeded`` past ``limit``."""
    decoder = _Decoder(_encoding(response), what)
    body = bytearray()
    for raw in _raw(response):
        for chunk in decoder.feed(raw):
            body += chunk
            if len(body) > limit:
                raise SizeLimitExceeded(len(body))
    for chunk in decoder.finish():
        body += chunk
        if len(body) > limit:
            raise SizeLimitExceeded(len(body))
    return bytes(body)


async def aread_capped(response: httpx.Response, limit: int, *, what: str) -> bytes:
    """``read_capped`` for async responses."""
    decoder = _Decoder(_encoding(response), what)
    body = bytearray()
    async for raw in _araw(response):
        for chunk in decoder.feed(raw):
            body += chunk
            if len(body) > limit:
                raise SizeLimitExceeded(len(body))
    for chunk in decoder.finish():
        body += chunk
        if len(body) > limit:
            raise SizeLimitExceeded(len(body))
    return bytes(body)
