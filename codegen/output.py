"""Writing the generated module (or snapshot) to ``-o FILE`` without destroying anything.

Only regular files are written, and only whole: the text goes to a temporary file next to the
target, which then replaces it in one rename, so the file is either the old one or the new one.
What stands at the path is looked at first, and refused with an ``OutputError`` (the CLI exits 2)
when replacing it would lose something:

* a device, pipe or socket (``-o /dev/null`` run as root would otherwise become a regular file);
* a directory;
* a read-only file (no write bit: a root user's rename would overwrite it anyway);
* one of the command's own inputs (``-o app.schema.json`` when that is the snapshot being read).

A symlink is written through: its target is checked as above and replaced, the link stays. The
checks run before any work (``check_target``) and again just before the rename.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable

from .errors import OutputError

__all__ = ["check_target", "read_existing", "write_atomically"]

_TEMP_PREFIX = ".gradio-codegen-"


def check_target(path: str, *, inputs: Iterable[str] = ()) -> str:
    """The file that writing ``path`` would replace (a symlink's final target), if that is safe.

    Raises ``OutputError`` naming what stands there and what to do instead.
    """
    target = os.path.realpath(path)
    shown = f"{path!r} (a link to {target!r})" if os.path.islink(path) else repr(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if os.path.islink(target):
            raise OutputError(
                f"cannot write {shown}: it is a symlink that leads nowhere (a loop); remove it "
                "or choose another path"
            ) from None
        return target  # a new file; whether its directory exists is found out when writing
    except OSError as e:
        raise OutputError(f"cannot write {shown}: {e.strerror}; choose another path") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(
            f"cannot write {shown}: it is a directory; pass a file name such as sdk.py"
        )
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(
            f"refusing to write {shown}: it is not a regular file (a device, pipe or socket) "
            "and would be replaced by one; write to a file, or use -o - for stdout"
        )
    if st.st_mode & 0o222 == 0 or not os.access(target, os.W_OK):
        raise OutputError(
            f"refusing to overwrite {shown}: it is read-only; make it writable (chmod u+w) "
            "or choose another path"
        )
    for source in inputs:
        try:
            same = os.path.samefile(source, target)
        except OSError:  # the input is not a file (a URL, a Space id) or is gone
            continue
        if same:
            raise OutputError(
                f"refusing to overwrite {shown}: it is the input {source!r} this command reads; "
                "choose another -o path"
            )
    return target


def read_existing(path: str) -> str:
    """The text of the file at ``path`` (for ``--check``), refusing anything but a regular file,
    which could block (a pipe) or never end (a device)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise OutputError(f"cannot read {path!r} to check it: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"cannot check {path!r}: it is not a regular file")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else "it is not UTF-8 text"
        raise OutputError(f"cannot read {path!r} to check it: {reason}") from None


def write_atomically(path: str, text: str, *, inputs: Iterable[str] = ()) -> None:
    """Write ``text`` to ``path`` so that the file is either the old one or complete, never half,
    and only where ``check_target`` allows it."""
    inputs = tuple(inputs)
    target = check_target(path, inputs=inputs)
    directory = os.path.dirname(target)
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            dir=directory,
            prefix=_TEMP_PREFIX,
            suffix=".tmp",
            delete=False,
            newline="\n",
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(text)
        _take_over(tmp_name, target)
        check_target(path, inputs=inputs)  # nothing was swapped in meanwhile
        os.replace(tmp_name, target)
        tmp_name = None
    except FileNotFoundError:
        raise OutputError(
            f"cannot write {path!r}: directory {directory!r} does not exist; create it first"
        ) from None
    except OSError as e:
        raise OutputError(
            f"cannot write {path!r}: {e.strerror}; choose a writable location"
        ) from None
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _take_over(tmp_name: str, target: str) -> None:
    """Give the new file what a plain ``open(target, "w")`` would have kept: the old file's mode
    (and owner, when root rewrites someone's file), else 0o666 less the umask.

    The temporary file is created private (0o600); without this the SDK would end up unreadable to
    the user's group, unlike every other file they write.
    """
    try:
        st = os.stat(target)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        return
    os.chmod(tmp_name, st.st_mode & 0o777)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        try:
            os.chown(tmp_name, st.st_uid, st.st_gid)
        except OSError:
            pass
