"""Server-given file names become one harmless path component; existing files are never clobbered."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime._files._names import MAX_NAME_BYTES, create_unique, safe_filename
from thoroughness import THOROUGH


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("naïve 名前.txt", "naïve 名前.txt"),
        ("noext", "noext"),
        (".hidden", "hidden"),
        (".bashrc", "bashrc"),
        (" . .profile", "profile"),
        ("..hidden.tar.gz", "hidden.tar.gz"),
        ("\u202egnp.exe", "gnp.exe"),
        ("photo\u202egnp.exe", "photognp.exe"),
        ("a\u2066b\u2069c\u200f.txt", "abc.txt"),
        ("zero\u200bwidth\ufeff.txt", "zerowidth.txt"),
        ("\u202e.bashrc", "bashrc"),
        ("c1\x85control\x9b.txt", "c1_control_.txt"),
        ("line\u2028break.txt", "line_break.txt"),
        ("lone\udc80surrogate.txt", "lone_surrogate.txt"),
        ("../../evil", "evil"),
        ("/etc/passwd", "passwd"),
        ("a/../../b", "b"),
        ("..\\..\\win.ini", "win.ini"),
        ("C:\\Windows\\system.ini", "system.ini"),
        ("..", "file"),
        (".", "file"),
        ("", "file"),
        (None, "file"),
        ("dir/", "file"),
        ("   ", "file"),
        ("con", "_con"),
        ("CON.txt", "_CON.txt"),
        ("lpt1", "_lpt1"),
        ("nul .tar.gz", "_nul .tar.gz"),
        ("console.log", "console.log"),
        ("evil\x00.txt", "evil_.txt"),
        ("tab\there\nnew", "tab_here_new"),
        ('quote"d<>:|?*.txt', "quote_d______.txt"),
        ("trailing. . ", "trailing"),
    ],
)
def test_safe_filename_table(given_name: str | None, expected: str) -> None:
    assert safe_filename(given_name) == expected


def test_long_name_is_truncated_keeping_its_extension() -> None:
    name = safe_filename("x" * 4000 + ".tar.gz")
    assert name.endswith("x.gz")
    assert len(name.encode()) == MAX_NAME_BYTES


def test_long_multibyte_name_stays_valid_utf8() -> None:
    name = safe_filename("名" * 3000 + ".png")
    assert name.endswith(".png") and len(name.encode()) <= MAX_NAME_BYTES
    name.encode("utf-8")  # no split character


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_any_name_is_one_plain_component(name: str) -> None:
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert safe not in {".", ".."} and not safe.startswith(".")
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in safe)
    assert len(safe.encode()) <= MAX_NAME_BYTES


def test_create_unique_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"mine")
    made = []
    for _ in range(3):
        path, sink = create_unique(tmp_path, "a.txt")
        with sink:
            sink.write(b"new")
        made.append(path.name)
    assert made == ["a (1).txt", "a (2).txt", "a (3).txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"mine"


def test_create_unique_does_not_write_through_a_planted_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    folder = tmp_path / "downloads"
    folder.mkdir()
    os.symlink(outside, folder / "x.txt")
    path, sink = create_unique(folder, "x.txt")
    with sink:
        sink.write(b"evil")
    assert path == folder / "x (1).txt"
    assert outside.read_bytes() == b"keep"


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_create_unique_stays_inside(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    folder = tmp_path_factory.mktemp("d")
    path, sink = create_unique(folder, name)
    sink.close()
    assert Path(os.path.realpath(path)).parent == Path(os.path.realpath(folder))


def test_many_twins_get_distinct_names_with_linear_probes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10,050 files of one name: past the 10,000 the old numbering gave up at, without a failure,
    and with a bounded number of creation attempts per file (the n-th no longer probes n names).
    The inner loop makes 1,050 (the attempts are counted all the same); CI makes them all."""
    count = 10_050 if THOROUGH else 1_050
    attempts = 0
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        nonlocal attempts
        attempts += 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    names = set()
    for _ in range(count):
        path, sink = create_unique(tmp_path, "same.txt")
        sink.close()
        names.add(path.name)
    assert len(names) == count == len(list(tmp_path.iterdir()))
    assert {"same.txt", "same (1).txt", f"same ({count - 1}).txt"} <= names
    assert attempts == count


def test_a_crowded_folder_costs_bounded_probes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbers taken by another process (or an earlier run) are skipped a bounded number at a
    time: a random suffix takes over, and the next file goes on from there."""
    for n in range(1, 500):
        (tmp_path / f"x ({n}).txt").write_bytes(b"")
    (tmp_path / "x.txt").write_bytes(b"")
    attempts = 0
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        nonlocal attempts
        attempts += 1
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    made = []
    for _ in range(20):
        path, sink = create_unique(tmp_path, "x.txt")
        sink.close()
        made.append(path)
    assert len(set(made)) == 20 and all(p.parent == tmp_path for p in made)
    assert all(p.name.startswith("x (") and p.name.endswith(").txt") for p in made)
    assert attempts <= 20 * 65  # never more than one run of sequential probes per file
