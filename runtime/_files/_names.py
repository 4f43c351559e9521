"""File names that are safe to create on this machine, whatever the server sent.

A result's file name comes from the server, so it is untrusted: it may try to climb out of the
download directory (``../../x``, ``/etc/passwd``), hide control characters or NUL, disguise itself
with bidirectional controls (U+202E shows ``\u202egnp.exe`` as ``exe.png``), hide itself with a leading
dot (``.bashrc`` in a home folder), use a name Windows reserves (``con``, ``lpt1``), be empty, or be
longer than any file system allows. Every name is reduced to one plain, visible path component here,
and files are created exclusively so an existing file is never overwritten.

A server can also send thousands of files under one name. Numbering them ``a (1).txt``,
``a (2).txt``... by probing from 1 each time costs n probes for the n-th file; the next free number
per name and folder is remembered instead, so naming n files costs O(n) in all.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .._errors import GradioError

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
# Unicode categories that never belong in a file name a person reads: "Cf" (bidi overrides and
# isolates, zero-width characters, soft hyphen) are invisible and dropped; "Cc" (C1 controls),
# "Cs" (lone surrogates, which no file system encoding accepts), "Zl" and "Zp" (line breaks)
# become "_", as the ASCII controls do.
_DROPPED_CATEGORIES = frozenset({"Cf"})
_REPLACED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})

# Numbering: the next suffix worth trying per (folder, name); a bounded memory of recent names.
_SEQUENTIAL_PROBES = 64  # taken numbers in a row before a random suffix is used instead
_RANDOM_PROBES = 16
_REMEMBERED_NAMES = 4096
_next_number: OrderedDict[tuple[str, str], int] = OrderedDict()
_numbers_lock = threading.Lock()


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


def _visible(name: str) -> str:
    """``name`` without invisible formatting characters and with other non-ASCII controls as "_"."""
    if name.isascii():
        return name
    out = []
    for ch in name:
        category = unicodedata.category(ch)
        if category in _DROPPED_CATEGORIES:
            continue
        out.append("_" if category in _REPLACED_CATEGORIES else ch)
    return "".join(out)


def _trim(name: str) -> str:
    """No leading dot (a hidden file), no trailing dot or space (Windows drops them), no spaces
    around; repeated because each step can uncover the next (``" . .bashrc"``)."""
    previous = None
    while previous != name:
        previous = name
        name = name.strip().strip(". ")
    return name


def safe_filename(name: str | None, fallback: str = "file") -> str:
    """One harmless, visible path component derived from ``name`` (``fallback`` when nothing is
    left): no separators, controls, bidi or zero-width characters, leading dot, or reserved name."""
    base = _SEPARATORS.split(name or "")[-1]
    base = _trim(_FORBIDDEN.sub("_", _visible(base)))
    if not base:
        base = fallback
    if base.split(".")[0].rstrip(" ").lower() in _WINDOWS_RESERVED:
        base = "_" + base
    return _truncate(base)


def _first_number(key: tuple[str, str]) -> int:
    with _numbers_lock:
        return _next_number.get(key, 0)


def _remember(key: tuple[str, str], number: int) -> None:
    with _numbers_lock:
        if number > _next_number.get(key, 0):
            _next_number[key] = number
        _next_number.move_to_end(key)
        while len(_next_number) > _REMEMBERED_NAMES:
            _next_number.popitem(last=False)


def create_unique(directory: str | os.PathLike[str], name: str) -> tuple[Path, IO[bytes]]:
    """Create a new file for ``name`` in ``directory`` and open it for writing.

    ``name`` is sanitised again (callers cannot get this wrong); when it is taken, ``stem (1).ext``,
    ``stem (2).ext``... are tried, as browsers do, starting after the last number this process gave
    that name in that folder. After many taken numbers in a row (files of an earlier run), a random
    suffix is used, so a crowded folder costs a bounded number of probes per file, never a failure.
    Creation is exclusive (``O_EXCL``), so neither an existing file nor a planted symlink is ever
    written through.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    absolute_folder = os.path.abspath(folder)
    name = safe_filename(name)
    stem, ext = _split_extension(name)
    key = (absolute_folder, name)
    number = _first_number(key)

    def candidates() -> Iterator[str]:
        for n in range(number, number + _SEQUENTIAL_PROBES):
            yield name if n == 0 else _with_suffix(stem, f" ({n})", ext)
        for _ in range(_RANDOM_PROBES):
            yield _with_suffix(stem, f" ({os.urandom(6).hex()})", ext)

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    for i, candidate in enumerate(candidates()):
        target = folder / candidate
        if os.path.dirname(os.path.abspath(target)) != absolute_folder:  # lexically one level down
            raise ValueError(f"refusing to write outside {folder}: {candidate!r}")
        try:
            fd = os.open(target, flags, 0o644)
        except FileExistsError:
            continue
        _remember(key, number + min(i, _SEQUENTIAL_PROBES - 1) + 1)
        return target, os.fdopen(fd, "wb")
    _remember(key, number + _SEQUENTIAL_PROBES)
    raise GradioError(
        f"no free file name for {name!r} in {folder}: "
        f"{_SEQUENTIAL_PROBES + _RANDOM_PROBES} names tried, all taken; "
        "choose another download_dir"
    )
