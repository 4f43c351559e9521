"""File values: what users pass in (``FileInput``) and what results hand back (``RemoteFile``).

Contract used by the rest of the runtime (implementation to be completed):

* ``FileInput`` is the union accepted wherever an endpoint takes a file.
* ``RemoteFile`` wraps a FileData the server sent: it knows its URL, original name, size and MIME
  type and gives a local path through ``os.fspath()`` (downloading on first access when downloads
  are lazy).
"""

from __future__ import annotations

import os
from typing import IO, Any, Union

__all__ = ["FileInput", "RemoteFile", "FileSource"]


class FileSource:
    """An explicit file argument: data or a path plus the name and MIME type to upload it under."""

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


FileInput = Union[str, "os.PathLike[str]", bytes, IO[bytes], FileSource, "RemoteFile"]


class RemoteFile(os.PathLike[str]):
    """A file produced by the app."""

    def __init__(
        self,
        url: str,
        *,
        path: str,
        orig_name: str | None = None,
        size: int | None = None,
        mime_type: str | None = None,
        local_path: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        self.url = url
        self.path = path
        self.orig_name = orig_name
        self.size = size
        self.mime_type = mime_type
        self.local_path = local_path
        self.data = dict(data or {})

    @property
    def name(self) -> str:
        return self.orig_name or os.path.basename(self.path)

    def __fspath__(self) -> str:
        if self.local_path is None:
            raise RuntimeError("this file was not downloaded (downloads are off)")
        return self.local_path

    def __repr__(self) -> str:
        return f"RemoteFile(name={self.name!r}, url={self.url!r}, local_path={self.local_path!r})"


class UploadBatch:
    """Collects the file arguments of one call while shapes encode it, then uploads them together.

    Implements ``shapes.EncodeContext``: ``file(value)`` validates the argument (size against
    ``max_file_size`` before anything is sent) and returns a placeholder; ``upload``/``aupload`` send
    every collected file (concurrently, streamed from disk) to ``upload_url``; ``fill(payload)``
    swaps the placeholders for the FileData dicts the server expects.
    """

    def __init__(self, *, max_file_size: int | None = None, endpoint: str | None = None) -> None:
        self.max_file_size = max_file_size
        self.endpoint = endpoint
        self.pending: list[object] = []

    def file(self, value: object) -> object:
        raise NotImplementedError

    def upload(self, http: Any, upload_url: str) -> None:
        if self.pending:
            raise NotImplementedError

    async def aupload(self, http: Any, upload_url: str) -> None:
        if self.pending:
            raise NotImplementedError

    def fill(self, payload: object) -> object:
        return payload


class DownloadBatch:
    """Turns the FileData of one result into ``RemoteFile``s, then downloads them as configured.

    Implements ``shapes.DecodeContext``. ``file_base`` is ``{root}{api_prefix}`` (files are served at
    ``{file_base}/file=<path>``); ``mode`` is ``"eager"``, ``"lazy"`` or ``"never"``.
    """

    def __init__(self, *, file_base: str, mode: str = "eager", directory: str | None = None) -> None:
        self.file_base = file_base
        self.mode = mode
        self.directory = directory
        self.files: list[RemoteFile] = []

    def file(self, data: dict[str, Any]) -> RemoteFile:
        url = data.get("url") or f"{self.file_base}/file={data.get('path')}"
        f = RemoteFile(
            str(url),
            path=str(data.get("path")),
            orig_name=data.get("orig_name"),
            size=data.get("size"),
            mime_type=data.get("mime_type"),
            data=data,
        )
        self.files.append(f)
        return f

    def download(self, http: Any) -> None:
        if self.files and self.mode == "eager":
            raise NotImplementedError

    async def adownload(self, http: Any) -> None:
        if self.files and self.mode == "eager":
            raise NotImplementedError
