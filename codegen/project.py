"""Many SDKs in one application: ``[tool.gradio-codegen]`` in its ``pyproject.toml``.

::

    [tool.gradio-codegen.sdk.text_echo]          # one table per SDK; the key is its name
    source = "http://127.0.0.1:7860"             # URL, Space id, or a schema file in the project
    output = "app/sdks/text_echo.py"             # the module to write
    snapshot = "app/sdks/text_echo.schema.json"  # optional; default: beside output
    class-name = "TextEcho"                      # optional; default "Client"
    include-hidden = false                       # optional

Three operations, as functions that take the parsed ``Project`` and return one result per SDK
(the CLI prints them; nothing here prints or exits):

* ``sync`` regenerates every SDK from its live source (writing the snapshot beside it) or, with
  ``from_snapshots=True``, from the snapshots already in the project (offline);
* ``check`` verifies, offline, that every SDK is exactly what its snapshot generates -- what CI and
  pre-commit run;
* ``check_live`` compares every snapshot with its live app and classifies the drift as
  ``gradio-codegen diff`` does.

The configuration is checked whole before anything runs: a missing key, an unknown option, a path
outside the project or two SDKs writing one file is a ``ProjectError`` whose one-line message names
the file and the entry. No credential is ever read from the configuration: a Hugging Face token
comes from the caller (or ``HF_TOKEN``) and only ever goes to Hugging Face.
"""

from __future__ import annotations

import difflib
import keyword
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import module_reserved_names
from .compare import EXIT_BREAKING, EXIT_COMPATIBLE, EXIT_TROUBLE, Comparison, compare
from .diagnostics import Diagnostic, Diagnostics
from .errors import CodegenError, OutputError
from .output import read_existing, write_atomically
from .pipeline import generate_module
from .schema import Snapshot
from .sources import Credentials, load

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: black depends on tomli there
    try:
        import tomli as tomllib
    except ImportError:
        tomllib = None

__all__ = [
    "CheckResult",
    "DriftResult",
    "Project",
    "ProjectError",
    "SdkEntry",
    "SyncResult",
    "check",
    "check_exit_code",
    "check_live",
    "drift_exit_code",
    "find_pyproject",
    "load_project",
    "read_project",
    "sync",
    "sync_exit_code",
]

TABLE = "tool.gradio-codegen"
_PYPROJECT = "pyproject.toml"
_MAX_PYPROJECT_BYTES = 4 * 1024 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TOP_KEYS = ("sdk",)
_REQUIRED = ("source", "output")
_OPTIONAL = ("snapshot", "class-name", "include-hidden")
_SOURCE_SCHEMES = ("http://", "https://")


class ProjectError(CodegenError):
    """The project configuration is missing or wrong; the message is one line naming the entry."""


@dataclass(frozen=True)
class SdkEntry:
    """One SDK of the project. Paths are absolute and inside the project; ``source`` is as written
    (it is what the SDK's "Regenerate with" line shows)."""

    name: str
    source: str
    output: Path
    snapshot: Path
    class_name: str = "Client"
    include_hidden: bool = False
    source_file: Path | None = None  # the source, when it is a schema file in the project

    @property
    def where(self) -> str:
        return f"[{TABLE}.sdk.{self.name}]"


@dataclass(frozen=True)
class Project:
    root: Path
    pyproject: Path
    sdks: tuple[SdkEntry, ...]

    def relative(self, path: Path) -> str:
        """``path`` as the user wrote it: relative to the project root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


# -- reading the configuration ----------------------------------------------------------------


def find_pyproject(start: str | os.PathLike[str] = ".") -> Path:
    """The nearest ``pyproject.toml`` in ``start`` or a folder above it."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        candidate = folder / _PYPROJECT
        if candidate.is_file():
            return candidate
    raise ProjectError(
        f"no {_PYPROJECT} in {str(here)!r} or any folder above it; run from the application's "
        f"folder or name its {_PYPROJECT}"
    )


def load_project(start: str | os.PathLike[str] = ".") -> Project:
    """The project whose ``pyproject.toml`` is nearest to ``start`` (or is ``start``)."""
    path = Path(start)
    return read_project(path if path.is_file() else find_pyproject(path))


def read_project(pyproject: str | os.PathLike[str]) -> Project:
    """Parse and check ``[tool.gradio-codegen]`` of ``pyproject``; raises ``ProjectError``."""
    path = Path(pyproject)
    shown = str(path)
    if tomllib is None:  # pragma: no cover - only on Python 3.10 without tomli
        raise ProjectError(
            f"{shown}: reading {_PYPROJECT} needs Python 3.11 or the tomli package "
            "(pip install tomli)"
        )
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_PYPROJECT_BYTES + 1)
    except OSError as e:
        raise ProjectError(f"{shown}: cannot read it: {e.strerror}") from None
    if len(raw) > _MAX_PYPROJECT_BYTES:
        raise ProjectError(f"{shown}: larger than {_MAX_PYPROJECT_BYTES // 2**20} MiB; is it?")
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProjectError(f"{shown}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ProjectError(f"{shown}: not valid TOML ({_one_line(str(e))})") from None
    tool = document.get("tool")
    table = tool.get("gradio-codegen") if isinstance(tool, dict) else None
    if table is None:
        raise ProjectError(
            f"{shown}: no [{TABLE}] table; add one with an SDK, e.g. "
            f'[{TABLE}.sdk.myapp] source = "http://127.0.0.1:7860" output = "myapp_sdk.py"'
        )
    root = path.resolve().parent
    return Project(root=root, pyproject=path.resolve(), sdks=_entries(table, root, shown))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unknown(where: str, key: str, known: Iterable[str]) -> ProjectError:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"
    return ProjectError(f"{where}: unknown option {key!r} ({hint})")


def _entries(table: Any, root: Path, shown: str) -> tuple[SdkEntry, ...]:
    top = f"{shown}: [{TABLE}]"
    if not isinstance(table, dict):
        raise ProjectError(f"{top}: must be a table")
    for key in table:
        if key not in _TOP_KEYS:
            raise _unknown(top, key, _TOP_KEYS)
    sdks = table.get("sdk")
    if not isinstance(sdks, dict) or not sdks:
        raise ProjectError(
            f"{top}: lists no SDK; add a table [{TABLE}.sdk.NAME] with source and output"
        )
    entries = [_entry(name, value, root, shown) for name, value in sdks.items()]
    _check_distinct(entries, shown)
    return tuple(entries)


def _entry(name: str, value: Any, root: Path, shown: str) -> SdkEntry:
    if not _NAME.fullmatch(name):
        raise ProjectError(
            f"{shown}: [{TABLE}.sdk]: the SDK name {name!r} is not usable; use letters, digits, "
            "'_', '-' and '.' (at most 64)"
        )
    where = f"{shown}: [{TABLE}.sdk.{name}]"
    if not isinstance(value, dict):
        raise ProjectError(f"{where}: must be a table with source and output")
    for key in value:
        if key not in _REQUIRED and key not in _OPTIONAL:
            raise _unknown(where, key, _REQUIRED + _OPTIONAL)
    for key in _REQUIRED:
        if key not in value:
            raise ProjectError(f"{where}: missing {key!r}")
    source = _string(value, "source", where)
    output = _inside(root, _string(value, "output", where), "output", where)
    if output.suffix != ".py":
        raise ProjectError(
            f"{where}: output must be a .py file (the SDK module), not {output.name!r}"
        )
    if "snapshot" in value:
        snapshot = _inside(root, _string(value, "snapshot", where), "snapshot", where)
    else:
        snapshot = output.with_suffix(".schema.json")
    if snapshot.suffix != ".json":
        raise ProjectError(f"{where}: snapshot must be a .json file, not {snapshot.name!r}")
    class_name = value.get("class-name", "Client")
    _check_class_name(class_name, where)
    include_hidden = value.get("include-hidden", False)
    if not isinstance(include_hidden, bool):
        raise ProjectError(f"{where}: include-hidden must be true or false")
    return SdkEntry(
        name=name,
        source=source,
        output=output,
        snapshot=snapshot,
        class_name=class_name,
        include_hidden=include_hidden,
        source_file=_source_file(source, root, where),
    )


def _string(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProjectError(f"{where}: {key} must be a non-empty string")
    if not value.isprintable():
        raise ProjectError(f"{where}: {key} holds control characters")
    return value


def _inside(root: Path, value: str, key: str, where: str) -> Path:
    """``value`` as an absolute path, refused unless it stays inside the project (symlinks too)."""
    if os.path.isabs(value):
        raise ProjectError(f"{where}: {key} {value!r} must be relative to the project folder")
    path = Path(os.path.realpath(root / value))
    if path != root and root not in path.parents:
        raise ProjectError(f"{where}: {key} {value!r} is outside the project folder {str(root)!r}")
    return path


def _source_file(source: str, root: Path, where: str) -> Path | None:
    """The schema file a source names, or None for a URL or a Space id."""
    if source.startswith(_SOURCE_SCHEMES):
        return None
    candidate = root / source
    if source.endswith(".json") or candidate.exists():
        return _inside(root, source, "source", where)
    return None


def _check_class_name(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise ProjectError(f"{where}: class-name must be a string")
    if (
        not value.isidentifier()
        or not value.isascii()
        or keyword.iskeyword(value)
        or value.startswith("_")
    ):
        raise ProjectError(
            f"{where}: class-name {value!r} is not a usable class name; use e.g. MyApp"
        )
    if value in module_reserved_names("Client", "AsyncClient") - {"Client", "AsyncClient"}:
        raise ProjectError(
            f"{where}: class-name {value!r} is a name the generated module already uses; "
            "pick another"
        )


def _check_distinct(entries: list[SdkEntry], shown: str) -> None:
    """No two files written by the project are one file (an SDK's output, a snapshot)."""
    writers: dict[Path, tuple[str, str]] = {}
    for entry in entries:
        for what, path in (("output", entry.output), ("snapshot", entry.snapshot)):
            earlier = writers.get(path)
            if earlier is not None:
                other, other_what = earlier
                whose = "its own" if other == entry.name else f"sdk {other!r}'s"
                raise ProjectError(
                    f"{shown}: {entry.where}: {what} {path.name!r} is also {whose} {other_what}; "
                    "give each SDK its own files"
                )
            writers[path] = (entry.name, what)
    for entry in entries:
        if entry.source_file is None or entry.source_file not in writers:
            continue
        other, other_what = writers[entry.source_file]
        if other_what == "output":  # reading another SDK's snapshot is fine; its module is not
            raise ProjectError(
                f"{shown}: {entry.where}: source {entry.source_file.name!r} is sdk {other!r}'s "
                "output, which sync overwrites; use a schema file"
            )


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncResult:
    entry: SdkEntry
    written: tuple[Path, ...] = ()  # files whose content changed (snapshot first, then the SDK)
    endpoints: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class CheckResult:
    """``up_to_date``; else ``problem`` says what is wrong and ``diff`` shows it (unified, from
    the file on disk to what the snapshot generates). ``trouble`` marks a check that could not be
    made (a damaged snapshot), as opposed to an SDK that is out of date."""

    entry: SdkEntry
    up_to_date: bool
    problem: str | None = None
    diff: str = ""
    trouble: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class DriftResult:
    entry: SdkEntry
    comparison: Comparison | None = None
    error: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()


def sync_exit_code(results: Iterable[SyncResult]) -> int:
    """0 when every SDK was written (or already current), 2 when any could not be."""
    return 0 if all(r.ok for r in results) else EXIT_TROUBLE


def check_exit_code(results: Iterable[CheckResult]) -> int:
    """0 all up to date; 1 some SDK or snapshot is out of date or missing; 2 some could not be
    checked (trouble wins: the answer is incomplete)."""
    results = list(results)
    if any(r.trouble for r in results):
        return EXIT_TROUBLE
    return 0 if all(r.up_to_date for r in results) else 1


def drift_exit_code(results: Iterable[DriftResult]) -> int:
    """``diff``'s codes over every SDK: 3 if any drift is breaking, else 2 if any app could not be
    compared, else 1 if any drifted compatibly, else 0. A breaking change found is the surest
    answer, so it wins over an incomplete one."""
    codes = [EXIT_TROUBLE if r.comparison is None else r.comparison.exit_code for r in results]
    for code in (EXIT_BREAKING, EXIT_TROUBLE, EXIT_COMPATIBLE):
        if code in codes:
            return code
    return 0


# -- the operations ---------------------------------------------------------------------------


def _source_snapshot(
    entry: SdkEntry, diagnostics: Diagnostics, *, token: str | None, timeout: float
) -> Snapshot:
    """The app as its source describes it now: a live app, or the schema file the source names."""
    if entry.source_file is not None:
        return load(str(entry.source_file), diagnostics=diagnostics)
    return load(
        entry.source,
        diagnostics=diagnostics,
        credentials=Credentials(token=token),
        include_hidden=entry.include_hidden,
        timeout=timeout,
    )


def _stored_snapshot(entry: SdkEntry, project: Project, diagnostics: Diagnostics) -> Snapshot:
    if not entry.snapshot.exists():
        raise _Missing(
            f"no snapshot at {project.relative(entry.snapshot)!r}; run `gradio-codegen sync` "
            "against the live source to write it"
        )
    return load(str(entry.snapshot), diagnostics=diagnostics)


class _Missing(CodegenError):
    """A file the project should have is not there yet (sync writes it)."""


def _module(entry: SdkEntry, snapshot: Snapshot, diagnostics: Diagnostics) -> tuple[str, int]:
    """The SDK's text as ``sync`` writes it, and its number of endpoints."""
    try:
        app, text = generate_module(
            snapshot,
            diagnostics=diagnostics,
            class_name=entry.class_name,
            include_hidden=entry.include_hidden,
            regenerate_from=entry.source,
        )
    except RecursionError:
        raise CodegenError("the schema nests values too deeply to generate code from") from None
    return text, len(app.endpoints)


def _write_if_changed(path: Path, text: str, inputs: tuple[str, ...]) -> bool:
    try:
        if path.is_file() and read_existing(str(path)) == text:
            return False
    except OutputError:
        pass  # unreadable: let the writer say why it cannot replace it
    write_atomically(str(path), text, inputs=inputs)
    return True


def sync(
    project: Project,
    *,
    from_snapshots: bool = False,
    token: str | None = None,
    timeout: float = 30.0,
    only: Iterable[str] = (),
) -> list[SyncResult]:
    """Regenerate every SDK (or those named in ``only``), writing its snapshot first.

    Each SDK is generated whole in memory before either file is written, and a file is rewritten
    only when its content changes. One SDK's failure does not stop the others.
    """
    results = []
    for entry in _selected(project, only):
        diagnostics = Diagnostics()
        try:
            if from_snapshots:
                snapshot = _stored_snapshot(entry, project, diagnostics)
            else:
                snapshot = _source_snapshot(entry, diagnostics, token=token, timeout=timeout)
            text, endpoints = _module(entry, snapshot, diagnostics)
            if diagnostics.has_errors:
                raise CodegenError("generation reported errors; nothing was written")
            inputs = (str(entry.source_file),) if entry.source_file is not None else ()
            written = []
            if entry.snapshot != entry.source_file and _write_if_changed(
                entry.snapshot, snapshot.to_json(), inputs
            ):
                written.append(entry.snapshot)
            if _write_if_changed(entry.output, text, inputs):
                written.append(entry.output)
            results.append(SyncResult(entry, tuple(written), endpoints, tuple(diagnostics)))
        except CodegenError as e:
            results.append(SyncResult(entry, diagnostics=tuple(diagnostics), error=str(e)))
    return results


def check(project: Project, *, only: Iterable[str] = ()) -> list[CheckResult]:
    """Whether every SDK is exactly what its snapshot generates. Offline: reads only the project."""
    results = []
    for entry in _selected(project, only):
        diagnostics = Diagnostics()
        sdk = project.relative(entry.output)
        try:
            snapshot = _stored_snapshot(entry, project, diagnostics)
            expected, _ = _module(entry, snapshot, diagnostics)
        except _Missing as e:
            results.append(CheckResult(entry, False, str(e), diagnostics=tuple(diagnostics)))
            continue
        except CodegenError as e:
            results.append(
                CheckResult(entry, False, str(e), trouble=True, diagnostics=tuple(diagnostics))
            )
            continue
        if not entry.output.exists():
            problem = f"no SDK at {sdk!r}; run `gradio-codegen sync`"
            results.append(CheckResult(entry, False, problem, diagnostics=tuple(diagnostics)))
            continue
        try:
            current = read_existing(str(entry.output))
        except OutputError as e:
            results.append(
                CheckResult(entry, False, str(e), trouble=True, diagnostics=tuple(diagnostics))
            )
            continue
        if current == expected:
            results.append(CheckResult(entry, True, diagnostics=tuple(diagnostics)))
            continue
        diff = "".join(
            difflib.unified_diff(
                current.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                f"{sdk} (on disk)",
                f"{sdk} (from {project.relative(entry.snapshot)})",
            )
        )
        problem = (
            f"{sdk} differs from what {project.relative(entry.snapshot)} generates; run "
            "`gradio-codegen sync --from-snapshots` (or `sync` to refresh both from the app)"
        )
        results.append(CheckResult(entry, False, problem, diff, diagnostics=tuple(diagnostics)))
    return results


def check_live(
    project: Project,
    *,
    token: str | None = None,
    timeout: float = 30.0,
    only: Iterable[str] = (),
) -> list[DriftResult]:
    """How every app drifted from the snapshot its SDK was generated from."""
    results = []
    for entry in _selected(project, only):
        diagnostics = Diagnostics()
        try:
            old = _stored_snapshot(entry, project, diagnostics)
            new = _source_snapshot(entry, diagnostics, token=token, timeout=timeout)
            comparison = compare(old, new, include_hidden=entry.include_hidden)
        except CodegenError as e:
            results.append(DriftResult(entry, error=str(e), diagnostics=tuple(diagnostics)))
            continue
        results.append(DriftResult(entry, comparison, diagnostics=tuple(diagnostics)))
    return results


def _selected(project: Project, only: Iterable[str]) -> list[SdkEntry]:
    names = list(only)
    if not names:
        return list(project.sdks)
    known = {e.name: e for e in project.sdks}
    for name in names:
        if name not in known:
            raise ProjectError(
                f"{project.pyproject}: no SDK named {name!r} in [{TABLE}.sdk] "
                f"(it has: {', '.join(known)})"
            )
    return [known[n] for n in names]
