"""File values: what users pass in (``FileInput``) and what results hand back (``RemoteFile``).

* ``FileInput`` is the union accepted wherever an endpoint takes a file: a local path, an http(s)
  URL, ``bytes``, an open binary file, a ``FileSource`` (data plus the name and MIME type to send),
  or a ``RemoteFile`` from an earlier result.
* ``RemoteFile`` wraps a FileData the server sent: it knows its URL, original name, size and MIME
  type, and gives a local path through ``os.fspath()`` -- downloading on first access when the
  client's downloads are lazy.

Everything in a FileData is the app's word, so a download is held to what the client allows, not
to what the app says: only from the app's own origin unless the client opts in
(``download_other_origins``), never more than ``max_download_size`` decoded bytes, and never more
than a small margin past the ``size`` the app declared. A later download (lazy, or an explicit
``download()``) runs under the client's ``timeout`` as one deadline.

The batches that move the bytes of a call (``UploadBatch``, ``DownloadBatch``) live in ``_upload``
and ``_download``.
"""

from __future__ import annotations

import atexit
import mimetypes
import os
import posixpath
import shutil
import tempfile
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, Any, Literal, Union

import httpx

from .._asyncio import asyncio
from .._errors import FileTooLargeError, GradioError, ProtocolError
from .._http._clients import async_copy, async_http, sync_copy, sync_http
from .._http._deadline import scope
from .._http._timeouts import request_timeout
from ._fetch import Rules, SizeLimitExceeded, adownload_to, download_to
from ._names import create_unique, safe_filename
from ._progress import ProgressOption, human_size

__all__ = [
    "FileInput",
    "RemoteFile",
    "FileSource",
    "DownloadMode",
    "is_file_data",
    "file_data",
    "default_download_dir",
    "remove_download_dir",
    "DEFAULT_MAX_DOWNLOAD_SIZE",
    "DECLARED_SIZE_MARGIN",
]

DownloadMode = Literal["eager", "lazy", "never"]
DOWNLOAD_MODES: tuple[DownloadMode, ...] = ("eager", "lazy", "never")
FILE_DATA_TYPE = "gradio.FileData"  # FileData's ``meta._type``, the only sure sign of a file
_DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_DOWNLOAD_SIZE = 1024**3  # 1 GiB of decoded bytes per file; None lifts the limit
DECLARED_SIZE_MARGIN = 64 * 1024  # a body may exceed the FileData's ``size`` by this much


class FileSource:
    """An explicit file argument: data or a path plus the name and MIME type to upload it under.

    Use it when the name cannot be inferred (``bytes``, a pipe) or should differ from the path's,
    e.g. ``FileSource(png_bytes, name="chart.png")``.
    """

    def __init__(
        self,
        data: bytes | IO[bytes] | str | os.PathLike[str],
        *,
        name: str | None = None,
        mime_type: str | None = None,
    ) -> None:
        self.data = data
        self.name = name
        self.mime_type = mime_type

    def __repr__(self) -> str:
        return f"FileSource({type(self.data).__name__}, name={self.name!r}, mime_type={self.mime_type!r})"


def is_file_data(value: object) -> bool:
    """Whether a JSON value is a Gradio FileData (by its ``meta._type`` marker, never by ``path``)."""
    if not isinstance(value, dict):
        return False
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == FILE_DATA_TYPE


def file_data(
    path: str,
    *,
    orig_name: str,
    size: int | None = None,
    mime_type: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """A FileData for a request: a file the server holds at ``path`` (or fetches from ``url``)."""
    data: dict[str, Any] = {"path": path}
    if url is not None:
        data["url"] = url
    data["orig_name"] = orig_name
    if size is not None:
        data["size"] = size
    if mime_type:
        data["mime_type"] = mime_type
    data["meta"] = {"_type": FILE_DATA_TYPE}
    return data


_state_lock = threading.Lock()
_process_download_dir: str | None = None
_client_download_dirs: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()
_released: weakref.WeakSet[object] = weakref.WeakSet()  # owners whose client has closed


def default_download_dir(owner: object | None = None) -> str:
    """Where downloads go when the user chose no directory: one per ``owner`` (the HTTP client a
    ``Client`` talks through, so each client gets its own), or one per process without an owner.
    Created on first need; files from different clients never meet.

    An owner's folder lasts until its client closes (``remove_download_dir``). A file fetched
    later still (a lazy download after ``close()``) lands in a new folder for that owner, which
    no close will come for, so it is removed at interpreter exit instead."""
    global _process_download_dir
    with _state_lock:
        if owner is not None:
            folder = _client_download_dirs.get(owner)
            if folder is None or not os.path.isdir(folder):
                folder = _client_download_dirs[owner] = _new_download_dir()
                if owner in _released:
                    atexit.register(shutil.rmtree, folder, ignore_errors=True)
            return folder
        if _process_download_dir is None or not os.path.isdir(_process_download_dir):
            _process_download_dir = _new_download_dir()
        return _process_download_dir


def _new_download_dir() -> str:
    return tempfile.mkdtemp(prefix="gradio-codegen-")


def remove_download_dir(owner: object) -> None:
    """Delete the folder ``default_download_dir`` made for ``owner``, with every file in it: its
    client has closed, and the temporary directory would otherwise keep every result forever.
    A folder the user named (``download_dir=``) is never passed here."""
    with _state_lock:
        folder = _client_download_dirs.pop(owner, None)
        _released.add(owner)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class _Landing:
    """A new local file for one download; removed again unless the download completes."""

    def __init__(
        self, folder: str, name: str, too_large: Callable[[SizeLimitExceeded], GradioError]
    ) -> None:
        self.target, self._sink = create_unique(folder, name)
        self._too_large = too_large

    def __enter__(self) -> IO[bytes]:
        return self._sink

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        self._sink.close()
        if error is None:
            return
        self.target.unlink(missing_ok=True)
        if isinstance(error, SizeLimitExceeded):
            raise self._too_large(error) from None


class RemoteFile(os.PathLike[str]):
    """A file produced by the app.

    ``name`` is the original file name, ``size`` and ``mime_type`` what is known about it (the
    server often omits both; the MIME type is then guessed from the name), ``url`` where it is
    served. ``os.fspath(f)``, ``f.path`` and ``f.read_bytes()`` give the local copy, downloading it
    first when the client downloads lazily; ``await f.adownload()`` does that without blocking.
    With ``download="never"`` only an explicit ``f.download()`` fetches it.
    """

    def __init__(
        self,
        url: str,
        *,
        server_path: str,
        orig_name: str | None = None,
        size: int | None = None,
        mime_type: str | None = None,
        local_path: str | None = None,
        data: dict[str, Any] | None = None,
        file_base: str | None = None,
    ) -> None:
        self.url = url
        self.server_path = server_path
        self.orig_name = orig_name
        self.size = size
        self.mime_type = mime_type or mimetypes.guess_type(self.name)[0]
        self.data = dict(data or {})
        self.file_base = file_base
        self._local = local_path
        self._lock = threading.Lock()
        self._http: httpx.Client | httpx.AsyncClient | None = None
        self._directory: str | None = None
        self._progress: ProgressOption = None
        self._auto_download = True
        self._max_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE
        self._other_origins = False
        self._timeout: float | None = _DEFAULT_TIMEOUT
        self._endpoint: str | None = None

    def _bind(
        self,
        http: httpx.Client | httpx.AsyncClient,
        *,
        directory: str | None,
        progress: ProgressOption,
        auto_download: bool,
        max_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE,
        other_origins: bool = False,
        timeout: float | None = _DEFAULT_TIMEOUT,
        endpoint: str | None = None,
    ) -> None:
        """Remember how to fetch this file later, under the client's rules of the moment (called
        by ``DownloadBatch``), and the endpoint whose result it is, which its errors name."""
        self._http = http
        self._directory = directory
        self._progress = progress
        self._auto_download = auto_download
        self._max_size = max_size
        self._other_origins = other_origins
        self._timeout = timeout
        self._endpoint = endpoint

    @property
    def name(self) -> str:
        """The original file name, made safe to use as a local file name (``orig_name`` is raw)."""
        return safe_filename(
            self.orig_name or posixpath.basename(self.server_path.replace("\\", "/"))
        )

    @property
    def local_path(self) -> str | None:
        """The local copy's path, or ``None`` while it is not downloaded (never downloads)."""
        return self._local

    @property
    def downloaded(self) -> bool:
        return self._local is not None and os.path.exists(self._local)

    @property
    def path(self) -> Path:
        """The local copy, downloaded now if downloads are lazy and it is not there yet."""
        if not self.downloaded:
            if not self._auto_download:
                raise GradioError(
                    f"{self.name!r} was not downloaded: the client was created with "
                    "download='never'. Call .download() to fetch it, or use .url."
                )
            self.download()
        assert self._local is not None
        return Path(self._local)

    def __fspath__(self) -> str:
        return str(self.path)

    def read_bytes(self) -> bytes:
        """The whole content (downloads first if needed). Large files: prefer ``open(f, "rb")``."""
        return self.path.read_bytes()

    def _target_dir(self, directory: str | os.PathLike[str] | None) -> str:
        if directory is not None:
            return os.fspath(directory)
        return self._directory or default_download_dir(self._http)

    def _reuse(self, directory: str | os.PathLike[str] | None) -> Path | None:
        """The existing copy if it satisfies the request; a copy of it into another directory."""
        if not self.downloaded:
            return None
        assert self._local is not None
        if directory is None or (
            os.path.isdir(directory) and os.path.samefile(os.path.dirname(self._local), directory)
        ):
            return Path(self._local)
        target, sink = create_unique(directory, self.name)
        with sink, open(self._local, "rb") as source:
            shutil.copyfileobj(source, sink)
        return target

    def _byte_limit(self) -> int | None:
        """The most decoded bytes this download may write: the client's limit, and the declared
        size plus a small margin."""
        limits = [x for x in (self._max_size, self._declared_limit()) if x is not None]
        return min(limits) if limits else None

    def _declared_limit(self) -> int | None:
        return None if self.size is None else self.size + DECLARED_SIZE_MARGIN

    def _too_large(self, e: SizeLimitExceeded) -> GradioError:
        declared = self._declared_limit()
        if self._max_size is not None and (declared is None or self._max_size <= declared):
            return FileTooLargeError(
                f"{self.name!r} is larger than max_download_size ({human_size(self._max_size)}): "
                f"{e.received} bytes or more. The download was stopped and the partial file "
                "deleted; create the client with a larger max_download_size= (or None) to "
                "accept it",
                size=e.received,
                limit=self._max_size,
                direction="download",
            )
        return ProtocolError(
            f"{self.name!r}: the app declared {self.size} bytes but sent {e.received} or more. "
            "The download was stopped and the partial file deleted"
        )

    def _rules(self) -> Rules:
        return Rules(
            trusted=self.file_base or self.url,
            name=self.name,
            other_origins=self._other_origins,
            progress=self._progress,
            limit=self._byte_limit(),
        )

    def _landing(self, directory: str | os.PathLike[str] | None) -> _Landing:
        return _Landing(self._target_dir(directory), self.name, self._too_large)

    def _arrived(self, landing: _Landing, directory: str | os.PathLike[str] | None) -> Path:
        if directory is None or self._local is None:
            self._local = str(landing.target)
        return landing.target

    @contextmanager
    def _sync_client(self) -> Iterator[httpx.Client]:
        """The client this file was bound to while it is open; else a copy of it, closed after."""
        http = self._http
        if isinstance(http, httpx.Client) and not http.is_closed:
            yield http
            return
        own = sync_copy(http) if http is not None else sync_http(request_timeout(self._timeout))
        with own:
            yield own

    @asynccontextmanager
    async def _async_client(self) -> AsyncIterator[httpx.AsyncClient]:
        """``_sync_client`` for async code."""
        http = self._http
        if isinstance(http, httpx.AsyncClient) and not http.is_closed:
            yield http
            return
        own = async_copy(http) if http is not None else async_http(request_timeout(self._timeout))
        async with own:
            yield own

    @contextmanager
    def _naming_endpoint(self) -> Iterator[None]:
        """A failed download names the endpoint whose result the file is, as every error of a
        call does (``/echo: downloading 'a.png': HTTP 404 ...``)."""
        try:
            yield
        except GradioError as e:
            if e.endpoint is None:
                e.endpoint = self._endpoint
            raise

    def download(self, directory: str | os.PathLike[str] | None = None) -> Path:
        """Fetch the file now (if not already here) and return its local path."""
        with self._naming_endpoint(), scope(self._timeout), self._lock:
            existing = self._reuse(directory)
            if existing is not None:
                return existing
            landing = self._landing(directory)
            with self._sync_client() as http, landing as sink:
                download_to(http, self.url, sink, self._rules())
            return self._arrived(landing, directory)

    async def adownload(self, directory: str | os.PathLike[str] | None = None) -> Path:
        """``download()`` for async code: fetches with the async client, without blocking."""
        http = self._http
        if isinstance(http, httpx.Client) and not http.is_closed:
            return await asyncio.to_thread(self.download, directory)
        with self._naming_endpoint(), scope(self._timeout):
            existing = self._reuse(directory)
            if existing is not None:
                return existing
            landing = self._landing(directory)
            async with self._async_client() as client:
                with landing as sink:
                    await adownload_to(client, self.url, sink, self._rules())
            return self._arrived(landing, directory)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle what describes the file; the lock and the HTTP client stay behind."""
        state = dict(self.__dict__)
        state["_lock"] = None
        state["_http"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # The download rules first, so a file pickled before they existed gets the defaults.
        self._max_size = DEFAULT_MAX_DOWNLOAD_SIZE
        self._other_origins = False
        self._timeout = _DEFAULT_TIMEOUT
        self._endpoint = None
        for key, value in state.items():
            setattr(self, key, value)
        self._lock = threading.Lock()

    def to_file_data(self) -> dict[str, Any]:
        """The FileData that hands this file back to the server that produced it."""
        return file_data(
            self.server_path, orig_name=self.name, size=self.size, mime_type=self.mime_type
        )

    def __repr__(self) -> str:
        return (
            f"RemoteFile(name={self.name!r}, size={self.size!r}, mime_type={self.mime_type!r}, "
            f"url={self.url!r}, local_path={self._local!r})"
        )


FileInput = Union[str, os.PathLike[str], bytes, IO[bytes], FileSource, RemoteFile]
