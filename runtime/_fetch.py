"""Streaming GETs of files, with the rule that keeps credentials home.

The app's HTTP client carries its cookies and headers (login cookie, Hugging Face token). A server
may hand back a URL on another host, or redirect there; following it with the app's client would
send those credentials along. So a request goes through the app's client only while it stays on the
app's own origin; anything else is fetched with a bare client that carries nothing.
"""

from __future__ import annotations

from typing import IO

import httpx

from ._errors import AuthenticationError, GradioTimeoutError, ServerUnavailableError, TransportError
from ._progress import Meter, ProgressOption

__all__ = ["CHUNK_SIZE", "same_origin", "download_to", "adownload_to", "sync_twin", "async_twin"]

CHUNK_SIZE = 256 * 1024
MAX_REDIRECTS = 5


class SizeLimitExceeded(Exception):
    """The body grew past the allowed size; carries how much had arrived."""

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


def _timeout(http: httpx.Client | httpx.AsyncClient) -> httpx.Timeout:
    return http.timeout


def sync_twin(http: httpx.Client | httpx.AsyncClient) -> httpx.Client:
    """A new sync client with ``http``'s headers, cookies and timeout (``http`` may be closed)."""
    return httpx.Client(
        headers=http.headers, cookies=http.cookies, timeout=_timeout(http), auth=http.auth
    )


def async_twin(http: httpx.Client | httpx.AsyncClient) -> httpx.AsyncClient:
    """A new async client with ``http``'s headers, cookies and timeout (``http`` may be closed)."""
    return httpx.AsyncClient(
        headers=http.headers, cookies=http.cookies, timeout=_timeout(http), auth=http.auth
    )


def _check_status(response: httpx.Response, what: str) -> None:
    if response.status_code < 400:
        return
    detail = response.text[:300].strip()
    if response.status_code == 401:
        raise AuthenticationError(
            f"{what}: the server requires a login (HTTP 401); pass auth= or token= to the client"
        )
    raise TransportError(f"{what}: HTTP {response.status_code} from {response.url}: {detail}")


def _declared_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity") != "identity":
        return None  # the length is of the compressed body
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def _next_url(response: httpx.Response) -> httpx.URL:
    return response.url.join(response.headers["location"])


def download_to(
    http: httpx.Client,
    url: str,
    sink: IO[bytes],
    *,
    trusted: str,
    name: str,
    progress: ProgressOption = None,
    limit: int | None = None,
) -> httpx.Headers:
    """Stream ``url`` into ``sink`` chunk by chunk; return the final response's headers.

    ``trusted`` is the app's URL: only requests to its origin use ``http``. ``limit`` stops the
    transfer (``SizeLimitExceeded``) as soon as more bytes than that have arrived.
    """
    what = f"downloading {name!r}"
    bare: httpx.Client | None = None
    try:
        client = http
        if not same_origin(url, trusted):
            client = bare = httpx.Client(timeout=_timeout(http))
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            with client.stream("GET", target, follow_redirects=False) as response:
                if response.is_redirect:
                    target = _next_url(response)
                    if client is http and not same_origin(target, trusted):
                        client = bare = httpx.Client(timeout=_timeout(http))
                    continue
                if response.status_code >= 400:
                    response.read()
                    _check_status(response, what)
                meter = Meter(progress, "download", name, _declared_length(response))
                try:
                    for chunk in response.iter_bytes(CHUNK_SIZE):
                        if limit is not None and meter.done + len(chunk) > limit:
                            raise SizeLimitExceeded(meter.done + len(chunk))
                        sink.write(chunk)
                        meter.advance(len(chunk))
                finally:
                    meter.close()
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
    progress: ProgressOption = None,
    limit: int | None = None,
) -> httpx.Headers:
    """``download_to`` for async clients (disk writes of one chunk stay on the event loop)."""
    what = f"downloading {name!r}"
    bare: httpx.AsyncClient | None = None
    try:
        client = http
        if not same_origin(url, trusted):
            client = bare = httpx.AsyncClient(timeout=_timeout(http))
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", target, follow_redirects=False) as response:
                if response.is_redirect:
                    target = _next_url(response)
                    if client is http and not same_origin(target, trusted):
                        client = bare = httpx.AsyncClient(timeout=_timeout(http))
                    continue
                if response.status_code >= 400:
                    await response.aread()
                    _check_status(response, what)
                meter = Meter(progress, "download", name, _declared_length(response))
                try:
                    async for chunk in response.aiter_bytes(CHUNK_SIZE):
                        if limit is not None and meter.done + len(chunk) > limit:
                            raise SizeLimitExceeded(meter.done + len(chunk))
                        sink.write(chunk)
                        meter.advance(len(chunk))
                finally:
                    meter.close()
                return response.headers
        raise TransportError(f"{what}: more than {MAX_REDIRECTS} redirects from {url}")
    except httpx.TimeoutException as e:
        raise GradioTimeoutError(f"{what}: timed out ({e})") from e
    except httpx.TransportError as e:
        raise ServerUnavailableError(f"{what}: {type(e).__name__}: {e}") from e
    finally:
        if bare is not None:
            await bare.aclose()
