"""File arguments, described before anything is sent: what a value is, the name and MIME type it
goes under, and how many bytes it has when that can be known without reading it.

Every kind of ``FileInput`` is reduced to one of five kinds that the upload can read in chunks with
a known size: a local ``path``, ``bytes``, a binary ``stream``, an http(s) ``url`` (fetched first)
and a ``remote`` file of an earlier result. A ``str`` is read as a local path only because the
caller passed it; names are made safe here, and nameless data gets an extension from its first
bytes (servers pick decoders by extension).
"""

from __future__ import annotations

import io
import mimetypes
import os
import posixpath
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, Literal
from urllib.parse import unquote, urlsplit

from .._errors import InputError
from ._names import safe_filename
from ._values import FileSource, RemoteFile

__all__ = ["FileArgument", "Kind", "describe"]

Kind = Literal["path", "bytes", "stream", "url", "remote"]

_URL = re.compile(r"^https?://", re.IGNORECASE)
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png"),
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"GIF8", 0, ".gif"),
    (b"%PDF-", 0, ".pdf"),
    (b"WAVE", 8, ".wav"),
    (b"WEBP", 8, ".webp"),
    (b"ftyp", 4, ".mp4"),
    (b"OggS", 0, ".ogg"),
    (b"fLaC", 0, ".flac"),
    (b"ID3", 0, ".mp3"),
    (b"PK\x03\x04", 0, ".zip"),
)


@dataclass
class FileArgument:
    """One file argument of a call; ``result`` is its FileData once the server holds it."""

    kind: Kind
    value: Any
    name: str
    mime_type: str | None
    size: int | None
    parameter: str | None
    result: dict[str, Any] | None = field(default=None)

    def dedupe_key(self) -> tuple[object, ...] | None:
        """Arguments with the same key are one file: it is uploaded once."""
        if self.kind == "path":
            return ("path", os.path.realpath(self.value), self.name, self.mime_type)
        if self.kind == "remote":
            return ("remote", id(self.value), self.name)
        if self.kind == "url":
            return ("url", self.value, self.name)
        return None

    def now_local(self, path: str) -> None:
        """The bytes to send are now in the local file ``path`` (downloaded, fetched, spooled)."""
        self.kind, self.value, self.size = "path", path, os.path.getsize(path)


def describe(
    value: object, parameter: str | None, refuse: Callable[[str], InputError]
) -> FileArgument:
    """``value`` as a ``FileArgument``; ``refuse(message)`` is the error for a value that is no
    file (a missing path, a text-mode file, another type)."""
    name: str | None = None
    mime: str | None = None
    if isinstance(value, FileSource):
        name, mime, value = value.name, value.mime_type, value.data

    def argument(kind: Kind, data: Any, fallback: str, size: int | None) -> FileArgument:
        safe = safe_filename(name or fallback)
        return FileArgument(
            kind, data, safe, mime or mimetypes.guess_type(safe)[0], size, parameter
        )

    if isinstance(value, RemoteFile):
        mime = mime or value.mime_type
        return argument("remote", value, value.name, value.size)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return argument("bytes", data, "file" + _sniff_extension(data[:16]), len(data))
    if isinstance(value, str) and _URL.match(value):
        return argument("url", value, _name_from_url(value), None)
    if isinstance(value, (str, os.PathLike)):
        path = os.fsdecode(os.fspath(value))
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise refuse(
                f"no such file: {path!r} (a str file argument is a local path or an http(s) URL)"
            ) from None
        except OSError as e:
            raise refuse(f"cannot read {path!r}: {e}") from None
        if not stat.S_ISREG(st.st_mode):
            raise refuse(f"not a regular file: {path!r}")
        return argument("path", path, os.path.basename(path), st.st_size)
    if isinstance(value, io.TextIOBase):
        raise refuse(
            f"{getattr(value, 'name', 'the file')!r} is open in text mode; open it with 'rb'"
        )
    if callable(getattr(value, "read", None)):
        stream: IO[bytes] = value  # type: ignore[assignment]
        stream_name = getattr(stream, "name", None)
        if name is None and isinstance(stream_name, (str, bytes)):
            name = os.path.basename(os.fsdecode(stream_name))
        return argument("stream", stream, "file", _remaining_size(stream))
    raise refuse(
        "expected a file: a local path (str or os.PathLike), an http(s) URL, bytes, a binary "
        f"file object, FileSource or RemoteFile; got {type(value).__name__}"
    )


def _sniff_extension(head: bytes) -> str:
    for magic, offset, ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return ext
    return ""


def _name_from_url(url: str) -> str:
    return posixpath.basename(unquote(urlsplit(url).path))


def _remaining_size(stream: IO[bytes]) -> int | None:
    """Bytes left from the current position, or ``None`` for streams that cannot seek."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return max(0, end - here)
    except (OSError, ValueError, AttributeError):
        return None
