"""Result files: FileData from the server becomes ``RemoteFile``, downloaded as the user chose.

Download URLs are always built from the app's own base and the file's server path
(``{file_base}/file=<quoted path>``, as every Gradio version serves them). The ``url`` a server puts
in FileData is ignored: behind a proxy it names a host we never talked to, and following it would
carry the app's cookies there. A ``path`` that is itself an http(s) URL (an app returning a link)
stays a link: it is fetched (without credentials) only when the client allows other origins
(``download_other_origins=True``); otherwise an eager download skips it and touching the file's
local copy raises ``OtherOriginError`` saying why, while ``RemoteFile.url`` still tells where it is.

Each download is bound to the client's rules when the result is decoded: its size limit, whether
other origins are allowed, and its timeout, so a lazy download later follows the same rules.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import quote

import httpx

from .._errors import ProtocolError
from .._http._json import string_or_none
from ._fetch import same_origin
from ._parallel import arun_all, run_all
from ._progress import ProgressOption
from ._values import DEFAULT_MAX_DOWNLOAD_SIZE, DOWNLOAD_MODES, DownloadMode, RemoteFile

__all__ = ["DownloadBatch", "JobDownloads", "file_url"]


def _quote_path(path: str) -> str:
    """Percent-encode a server path; ``.``/``..`` segments too, so no URL normalisation eats them."""
    segments = path.split("/")
    return "/".join(
        s.replace(".", "%2E") if s in (".", "..") else quote(s, safe="") for s in segments
    )


def file_url(file_base: str, data: dict[str, Any]) -> str:
    """Where the file described by ``data`` is served (see the module docstring)."""
    path = data.get("path")
    url = data.get("url")
    if isinstance(path, str) and path:
        if path.lower().startswith(("http://", "https://")):
            return path
        if data.get("is_stream") and isinstance(url, str) and url:
            joined = str(httpx.URL(file_base + "/").join(url))
            if same_origin(joined, file_base):
                return joined
        return f"{file_base}/file={_quote_path(path)}"
    if isinstance(url, str) and url:
        return str(httpx.URL(file_base + "/").join(url))
    raise ProtocolError(f"the server sent a file with neither path nor url: {data!r:.300}")


def _checked_url(file_base: str, data: dict[str, Any]) -> str:
    """``file_url``, refusing what is not a string where one belongs, or not http(s)."""
    for key in ("path", "url"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ProtocolError(
                f"the server sent a file whose {key!r} is a {type(data[key]).__name__}, "
                f"not a string: {data!r:.300}"
            )
    try:
        url = file_url(file_base, data)
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL as e:
        raise ProtocolError(f"the server sent a file with an invalid URL ({e}): {data!r:.300}")
    if scheme not in ("http", "https"):
        raise ProtocolError(f"the server sent a file with a {scheme!r} URL: {data!r:.300}")
    return url


class JobDownloads:
    """The local copies of the files one job has fetched, by URL, shared by the batches that
    decode its updates and its result.

    A streaming endpoint's final result repeats its last update, with the same file on the server:
    without this, a client that iterates the updates and then asks for the result fetches that
    file twice (``image (3).webp`` beside ``image (2).webp``). Kept to one job on purpose: a later
    call may return the same URL with other content (an app that rewrites a file it serves).
    """

    def __init__(self, endpoint: str | None = None) -> None:
        self.endpoint = endpoint  # the job's endpoint, which a failed download names
        self._copies: dict[str, str] = {}
        self._lock = threading.Lock()

    def copy_of(self, url: str) -> str | None:
        """The local copy of ``url`` fetched earlier in this job, if it is still there."""
        with self._lock:
            path = self._copies.get(url)
        return path if path is not None and os.path.exists(path) else None

    def add(self, file: RemoteFile) -> None:
        if file.local_path is not None:
            with self._lock:
                self._copies[file.url] = file.local_path


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


class DownloadBatch:
    """Turns the FileData of one result into ``RemoteFile``s, then downloads them as configured.

    Implements ``shapes.DecodeContext``. ``file_base`` is ``{root}{api_prefix}``; ``mode`` is
    ``"eager"`` (download now, the default), ``"lazy"`` (on first access) or ``"never"`` (only on
    an explicit ``RemoteFile.download()``). Call ``download``/``adownload`` after decoding in every
    mode: it also hands the files the HTTP client to fetch themselves with later. ``progress`` is
    ``True`` for terminal bars or a ``TransferProgress`` callback; ``concurrency`` caps parallel
    downloads. ``max_size`` caps each file's decoded bytes (``FileTooLargeError``; None: no cap),
    ``other_origins`` allows files served elsewhere than the app, and ``timeout`` bounds each
    download (also a lazy one, later) as one deadline. ``job`` holds what the job's earlier values
    fetched: a file among them is not fetched again.
    """

    def __init__(
        self,
        *,
        file_base: str,
        mode: DownloadMode = "eager",
        directory: str | os.PathLike[str] | None = None,
        progress: ProgressOption = None,
        concurrency: int = 4,
        max_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE,
        other_origins: bool = False,
        timeout: float | None = 60.0,
        job: JobDownloads | None = None,
    ) -> None:
        if mode not in DOWNLOAD_MODES:
            raise ValueError(f"download mode must be one of {DOWNLOAD_MODES}, got {mode!r}")
        self.file_base = file_base.rstrip("/")
        self.mode = mode
        self.directory = os.fspath(directory) if directory is not None else None
        self.progress = progress
        self.concurrency = max(1, concurrency)
        self.max_size = max_size
        self.other_origins = other_origins
        self.timeout = timeout
        self.job = job
        self.files: list[RemoteFile] = []

    def file(self, data: dict[str, Any]) -> RemoteFile:
        remote = RemoteFile(
            _checked_url(self.file_base, data),
            server_path=str(data.get("path") or ""),
            orig_name=string_or_none(data.get("orig_name")) or None,
            size=_size(data.get("size")),
            mime_type=string_or_none(data.get("mime_type")) or None,
            data=data,
            file_base=self.file_base,
        )
        self.files.append(remote)
        return remote

    def _bind_all(self, http: httpx.Client | httpx.AsyncClient) -> list[list[RemoteFile]]:
        """Bind every file; group the eager ones by URL so a file sent twice is fetched once.

        A file on another origin is left out of the eager downloads unless they are allowed:
        fetching it would only raise, and the rest of the result is still good.
        """
        groups: dict[str, list[RemoteFile]] = {}
        for f in self.files:
            f._bind(
                http,
                directory=self.directory,
                progress=self.progress,
                auto_download=self.mode != "never",
                max_size=self.max_size,
                other_origins=self.other_origins,
                timeout=self.timeout,
                endpoint=self.job.endpoint if self.job is not None else None,
            )
            earlier = self.job.copy_of(f.url) if self.job is not None else None
            if earlier is not None:
                f._local = earlier
            elif self.mode == "eager" and (
                self.other_origins or same_origin(f.url, self.file_base)
            ):
                groups.setdefault(f.url, []).append(f)
        return list(groups.values())

    def _share(self, group: list[RemoteFile]) -> None:
        for twin in group[1:]:
            twin._local = group[0].local_path
        if self.job is not None:
            self.job.add(group[0])

    def download(self, http: httpx.Client) -> None:
        """Download (eager) or just bind (lazy, never) this result's files, concurrently."""

        def fetch(group: list[RemoteFile]) -> None:
            group[0].download()
            self._share(group)

        run_all(fetch, self._bind_all(http), self.concurrency)

    async def adownload(self, http: httpx.AsyncClient) -> None:
        """``download`` for the async client."""

        async def fetch(group: list[RemoteFile]) -> None:
            await group[0].adownload()
            self._share(group)

        await arun_all(fetch, self._bind_all(http), self.concurrency)
