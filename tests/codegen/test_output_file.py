"""``-o FILE`` never destroys what stands at the path (issue #10, item 5).

Each attack was shown to succeed before: a device turned into a regular file, a symlink replaced by
a file, the input snapshot overwritten by its own output, a read-only file overwritten. Now only
regular files are written (a symlink through to its target), and everything else is refused with
one ``error:`` line and exit code 2, leaving what was there untouched.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clirun import fixture, run

TROUBLE = 2


@pytest.fixture
def echo_args() -> list[str]:
    info, config = fixture(6, "text_echo")
    return [info, "--config", config]


@pytest.fixture
def snapshot(tmp_path: Path, echo_args: list[str]) -> Path:
    path = tmp_path / "app.schema.json"
    code, _, stderr = run("snapshot", *echo_args, "-o", str(path))
    assert code == 0, stderr
    return path


def _refused(code: int, stderr: str, *words: str) -> None:
    assert code == TROUBLE, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for word in words:
        assert word in lines[0], stderr


def test_a_pipe_is_refused_and_stays_a_pipe(tmp_path: Path, echo_args: list[str]) -> None:
    fifo = tmp_path / "sdk.py"
    os.mkfifo(fifo)
    code, _, stderr = run(*echo_args, "-o", str(fifo))
    _refused(code, stderr, "not a regular file", "-o -")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sdk.py"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_a_device_is_refused_even_for_root(tmp_path: Path, echo_args: list[str]) -> None:
    """``-o /dev/null`` as root: here on a private copy of that device (same major/minor)."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    for command in ([*echo_args], ["snapshot", *echo_args]):
        code, _, stderr = run(*command, "-o", str(null))
        _refused(code, stderr, "not a regular file")
        st = os.lstat(null)
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)


def test_a_symlink_is_written_through_and_stays_a_link(
    tmp_path: Path, echo_args: list[str]
) -> None:
    target = tmp_path / "real" / "sdk.py"
    target.parent.mkdir()
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    code, _, stderr = run(*echo_args, "-o", str(link))
    assert code == 0, stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "def concat(" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640  # the target keeps its mode
    # A link whose target does not exist yet: the target is created, the link kept.
    dangling = tmp_path / "dangling.py"
    dangling.symlink_to(tmp_path / "real" / "new.py")
    code, _, stderr = run(*echo_args, "-o", str(dangling))
    assert code == 0, stderr
    assert dangling.is_symlink() and "def concat(" in (tmp_path / "real" / "new.py").read_text()


def test_a_symlink_loop_is_refused(tmp_path: Path, echo_args: list[str]) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.symlink_to(b)
    b.symlink_to(a)
    code, _, stderr = run(*echo_args, "-o", str(a))
    _refused(code, stderr, "a.py")
    assert a.is_symlink() and b.is_symlink()


@pytest.mark.parametrize("command", ["generate", "snapshot"])
def test_the_input_is_never_the_output(tmp_path: Path, snapshot: Path, command: str) -> None:
    before = snapshot.read_bytes()
    code, _, stderr = run(command, str(snapshot), "-o", str(snapshot))
    _refused(code, stderr, "is the input", "choose another -o path")
    # The same file under another name: a symlink to it, a hard link to it.
    alias = tmp_path / "alias.json"
    alias.symlink_to(snapshot)
    hard = tmp_path / "hard.json"
    os.link(snapshot, hard)
    for other in (alias, hard):
        code, _, stderr = run(command, str(snapshot), "-o", str(other))
        _refused(code, stderr, "is the input")
    assert snapshot.read_bytes() == before and alias.is_symlink()


def test_the_config_file_is_never_the_output(tmp_path: Path) -> None:
    info, config = fixture(6, "text_echo")
    copy = tmp_path / "config.json"
    copy.write_bytes(Path(config).read_bytes())
    code, _, stderr = run(info, "--config", str(copy), "-o", str(copy))
    _refused(code, stderr, "is the input")
    assert copy.read_bytes() == Path(config).read_bytes()


def test_a_read_only_file_is_refused_even_for_root(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    out.write_text("keep me\n")
    out.chmod(0o444)
    for command in ([*echo_args], ["snapshot", *echo_args]):
        code, _, stderr = run(*command, "-o", str(out))
        _refused(code, stderr, "read-only", "chmod u+w")
        assert out.read_text() == "keep me\n" and out.stat().st_mode & 0o777 == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sdk.py"]


def test_an_unsafe_output_is_refused_before_the_app_is_asked(tmp_path: Path) -> None:
    """The output is checked first: a refused -o costs no request (here: none could succeed)."""
    out = tmp_path / "sdk.py"
    out.write_text("keep me\n")
    out.chmod(0o444)
    code, _, stderr = run("http://127.0.0.1:9", "--timeout", "5", "-o", str(out))
    _refused(code, stderr, "read-only")


def test_check_refuses_a_pipe_instead_of_blocking_on_it(
    tmp_path: Path, echo_args: list[str]
) -> None:
    fifo = tmp_path / "sdk.py"
    os.mkfifo(fifo)
    code, _, stderr = run(*echo_args, "--check", "-o", str(fifo))
    _refused(code, stderr, "not a regular file")


def test_stdout_and_regular_files_still_work(tmp_path: Path, echo_args: list[str]) -> None:
    code, stdout, _ = run(*echo_args, "-o", "-")
    assert code == 0 and "def concat(" in stdout
    out = tmp_path / "sdk.py"
    out.write_text("old\n")
    code, _, stderr = run(*echo_args, "-o", str(out))
    assert code == 0 and out.read_text() == stdout, stderr
