"""Server-given file names become one harmless path component; existing files are never clobbered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime._filenames import MAX_NAME_BYTES, create_unique, safe_filename


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("naïve 名前.txt", "naïve 名前.txt"),
        ("noext", "noext"),
        (".hidden", ".hidden"),
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
    assert safe not in {".", ".."}
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
