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
