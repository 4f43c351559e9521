"""File names that are safe to create on this machine, whatever the server sent.

A result's file name comes from the server, so it is untrusted: it may try to climb out of the
download directory (``../../x``, ``/etc/passwd``), hide control characters or NUL, use a name
Windows reserves (``con``, ``lpt1``), be empty, or be longer than any file system allows. Every name
is reduced to one plain path component here, and files are created exclusively so an existing file
is never overwritten.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO

__all__ = ["safe_filename", "create_unique"]

MAX_NAME_BYTES = 255  # the limit of common file systems (ext4, APFS, NTFS in UTF-16 units)
_MAX_EXTENSION = 16
_SEPARATORS = re.compile(r"[/\\]")
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
    | {f"com{c}" for c in "¹²³"}
    | {f"lpt{c}" for c in "¹²³"}
)


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and 0 < len(ext) <= _MAX_EXTENSION and " " not in ext:
        return stem, "." + ext
    return name, ""


def _truncate(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """Cut ``name`` to ``limit`` UTF-8 bytes, keeping its extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, ext = _split_extension(name)
    room = limit - len(ext.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(". ") + ext


def _with_suffix(stem: str, suffix: str, ext: str) -> str:
    room = MAX_NAME_BYTES - len((suffix + ext).encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", errors="ignore") + suffix + ext


def safe_filename(name: str | None, fallback: str = "file") -> str:
    """One harmless path component derived from ``name`` (``fallback`` when nothing is left)."""
    base = _SEPARATORS.split(name or "")[-1]
    base = _FORBIDDEN.sub("_", base).strip().rstrip(". ")
    if not base.strip("."):
        base = fallback
    if base.split(".")[0].rstrip(" ").lower() in _WINDOWS_RESERVED:
        base = "_" + base
    return _truncate(base)


def create_unique(directory: str | os.PathLike[str], name: str) -> tuple[Path, IO[bytes]]:
    """Create a new file for ``name`` in ``directory`` and open it for writing.

    ``name`` is sanitised again (callers cannot get this wrong); when it is taken, ``stem (1).ext``,
    ``stem (2).ext``... are tried, as browsers do. Creation is exclusive (``O_EXCL``), so neither an
    existing file nor a planted symlink is ever written through.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    absolute_folder = os.path.abspath(folder)
    name = safe_filename(name)
    stem, ext = _split_extension(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(10_000):
        candidate = name if attempt == 0 else _with_suffix(stem, f" ({attempt})", ext)
        target = folder / candidate
        if os.path.dirname(os.path.abspath(target)) != absolute_folder:  # lexically one level down
            raise ValueError(f"refusing to write outside {folder}: {candidate!r}")
        try:
            fd = os.open(target, flags, 0o644)
        except FileExistsError:
            continue
        return target, os.fdopen(fd, "wb")
    raise FileExistsError(f"no free file name for {name!r} in {folder}")
