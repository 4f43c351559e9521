"""``gradio-codegen``: generate (the default command), snapshot, inspect, diff, sync, check.

Exit codes follow diff(1), extended by ``diff`` and ``check --live`` to tell kinds of change apart:

* 0 -- done; nothing differs (``--check``/``check``: up to date; ``diff``/``check --live``: no
  change);
* 1 -- a difference: ``--check``/``check`` found a file out of date or missing; ``diff``/``check
  --live`` found only compatible changes;
* 2 -- trouble: bad arguments or configuration, a source or schema that cannot be used
  (unreachable, not a Gradio app, invalid, hostile), or an output path it would be unsafe to write;
* 3 -- ``diff``/``check --live``: at least one breaking change;
* 130 -- interrupted (Ctrl-C).

Every error is one ``error: ...`` line on stderr, click's usage errors included, never a traceback.
"""

from __future__ import annotations

import difflib
import keyword
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TypeVar

import click

from . import compare as _compare
from . import project as _project
from .build import module_reserved_names
from .diagnostics import Diagnostic, Diagnostics
from .errors import CodegenError
from .output import check_target, read_existing, write_atomically
from .pipeline import generate_module, model
from .schema import MAX_DEPTH, Snapshot
from .sources import Credentials, load
from .text import doc_line

__all__ = [
    "main",
    "EXIT_OK",
    "EXIT_DIFFERENT",
    "EXIT_TROUBLE",
    "EXIT_BREAKING",
    "EXIT_INTERRUPTED",
]

EXIT_OK = 0
EXIT_DIFFERENT = 1  # --check/check: a file is out of date; diff: only compatible changes
EXIT_TROUBLE = 2  # bad arguments, unusable source or schema, unsafe output (click uses 2 too)
EXIT_BREAKING = _compare.EXIT_BREAKING  # diff / check --live: a breaking change
EXIT_INTERRUPTED = 130  # as shells report a command stopped by SIGINT

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


# -- one style for every error ----------------------------------------------------------------


def _one_line(message: str) -> str:
    """``message`` on one printable line: whitespace runs become one space, and what a terminal
    would act on (control characters) is shown escaped."""
    flat = " ".join(message.split())
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in flat)


def _error(message: str) -> None:
    click.echo(f"error: {_one_line(message)}", err=True)


def _usage_error_line(e: click.ClickException) -> str:
    """click's message in the house style: lower-case start, no final period, and where to read
    more instead of click's three-line usage block."""
    message = _one_line(e.format_message())
    if message[1:2].islower():
        message = message[:1].lower() + message[1:]
    if message.endswith(".") and not message.endswith(".."):
        message = message[:-1]
    if isinstance(e, click.UsageError) and e.ctx is not None:
        message += f"; see '{e.ctx.command_path} --help'"
    return message


class _DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to ``generate``; and whose
    errors, click's own included, are one ``error:`` line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:  # the help, the same way whichever click 8 is installed
            click.echo(ctx.get_help(), err=True)
            ctx.exit(EXIT_TROUBLE)
        if args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["generate", *args]
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.ClickException as e:
            _error(_usage_error_line(e))
            sys.exit(e.exit_code)
        except click.Abort:  # click's form of Ctrl-C (and of end of input at a prompt)
            _error("interrupted")
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


# -- options shared by the commands -----------------------------------------------------------


def _parse_auth(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise click.BadParameter("expected USER:PASS, e.g. --auth admin:secret")
    return user, password


def _check_class_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    reserved = module_reserved_names("Client", "AsyncClient") - {"Client", "AsyncClient"}
    if (
        not value.isidentifier()
        or not value.isascii()
        or keyword.iskeyword(value)
        or value.startswith("_")
    ):
        raise click.BadParameter(f"{value!r} is not a usable class name; use e.g. MyApp")
    if value in reserved:
        raise click.BadParameter(
            f"{value!r} is a name the generated module already uses; pick another"
        )
    return value


def _token_option() -> Callable[[F], F]:
    return click.option(
        "--token",
        metavar="TOKEN",
        help="Hugging Face token (default: HF_TOKEN or the huggingface_hub login); sent only to "
        "Hugging Face.",
    )


def _timeout_option() -> Callable[[F], F]:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for the app: for a Space to start, then for all its answers.",
    )


def _source_options(*, records: bool = True) -> Callable[[F], F]:
    """SRC and how to reach it. ``records``: the command writes what it read (a module or a
    snapshot), so ``--src`` may change the location it records; ``inspect`` and ``diff`` record
    nothing and have no ``--src``."""

    def decorate(func: F) -> F:
        options: list[Callable[[F], F]] = [
            click.argument("src"),
            click.option(
                "--config",
                "config_path",
                metavar="PATH",
                help="The app's /config saved as JSON, when SRC is a raw API info file.",
            ),
        ]
        if records:
            options.append(
                click.option(
                    "--src",
                    "source",
                    metavar="URL",
                    help="Record this app location instead of the one SRC implies.",
                )
            )
        options += [
            click.option(
                "--include-hidden",
                is_flag=True,
                help="Also include endpoints hidden from the API docs (never private ones).",
            ),
            _token_option(),
            click.option(
                "--auth",
                callback=_parse_auth,
                metavar="USER:PASS",
                help="Log in to a password-protected app.",
            ),
            _timeout_option(),
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _project_options(func: F) -> F:
    options: list[Callable[[F], F]] = [
        click.argument("names", nargs=-1, metavar="[NAMES]..."),
        click.option(
            "--project",
            "project_path",
            default=".",
            show_default=True,
            metavar="PATH",
            help="The application's pyproject.toml, or a folder in it (searched upwards).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# -- helpers ----------------------------------------------------------------------------------


def _load(src: str, diagnostics: Diagnostics, **kw: Any) -> Snapshot:
    return load(
        src,
        diagnostics=diagnostics,
        credentials=Credentials(token=kw["token"], auth=kw["auth"]),
        config_path=kw["config_path"],
        source=kw.get("source"),
        include_hidden=kw["include_hidden"],
        timeout=kw["timeout"],
    )


def _as_given(src: str, kw: dict[str, Any]) -> str:
    """SRC and the options that locate the app, as typed: the header's "Regenerate with" line."""
    words = [src]
    if kw.get("config_path"):
        words += ["--config", kw["config_path"]]
    if kw.get("source"):
        words += ["--src", kw["source"]]
    return shlex.join(words)


def _report(diagnostics: Iterable[Diagnostic], name: str | None = None) -> None:
    """Print each diagnostic on its own line; ``name`` says which SDK of a project it is about."""
    for item in diagnostics:
        if name is not None:
            where = f"{name}: {item.where}" if item.where else name
            item = Diagnostic(item.level, item.message, where)
        click.echo(_one_line(str(item)), err=True)


def _fail(message: str) -> NoReturn:
    _error(message)
    sys.exit(EXIT_TROUBLE)


def _too_deep() -> NoReturn:
    _fail(
        "the schema nests values too deeply to generate code from (more than Python's "
        f"recursion allows; documents are checked for {MAX_DEPTH} levels)"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _inputs(src: str, kw: dict[str, Any]) -> tuple[str, ...]:
    """The files this command reads, which its output must never replace."""
    return tuple(path for path in (src, kw.get("config_path")) if path)


def _emit(output: str, text: str, inputs: tuple[str, ...]) -> None:
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_atomically(output, text, inputs=inputs)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gradio-codegen")
def main() -> None:
    """Generate a typed Python client module from a Gradio app.

    SRC is an app URL (http://127.0.0.1:7860), a Hugging Face Space id (owner/name), a snapshot
    file written by `gradio-codegen snapshot`, or the app's API info saved as JSON.

    \b
    gradio-codegen SRC -o my_sdk.py          (same as: gradio-codegen generate SRC -o my_sdk.py)
    gradio-codegen snapshot SRC -o app.schema.json
    gradio-codegen inspect SRC
    gradio-codegen diff SRC my_sdk.py        (what changed in the app since my_sdk.py was made)
    gradio-codegen sync | check [--live]     (every SDK of [tool.gradio-codegen] in pyproject.toml)

    A SRC named like a command (a file called "check") needs the explicit `generate`.

    \b
    Exit codes (as diff): 0 done or no change, 1 a difference (--check, check: out of date;
    diff, check --live: only compatible changes), 2 trouble (bad arguments or configuration,
    unusable source or schema, unsafe output path), 3 a breaking change (diff, check --live).
    """


# -- generate, snapshot, inspect --------------------------------------------------------------


@main.command()
@_source_options()
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write the module ('-' for stdout).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Do not write; exit 1 and show a diff when FILE differs from a fresh generation "
    "(0: up to date, 2: trouble). Where the app is served from does not count.",
)
@click.option(
    "--class-name",
    default="Client",
    show_default=True,
    callback=_check_class_name,
    help="Name of the sync client class (the async one is Async<NAME>).",
)
def generate(src: str, output: str, check: bool, class_name: str, **kw: Any) -> None:
    """Write the typed client module for SRC."""
    if check and output == "-":
        raise click.UsageError("--check needs -o FILE (the module to compare)")
    diagnostics = Diagnostics()
    inputs = _inputs(src, kw)
    try:
        # Before any work: refuse an unsafe -o, or read the module to check (never a pipe).
        on_disk = read_existing(output) if check else None
        if output != "-" and not check:
            check_target(output, inputs=inputs)
        snapshot = _load(src, diagnostics, **kw)
        regenerate_from = _as_given(src, kw)
        header = _compare.sdk_header(on_disk) if on_disk is not None else None
        if header is not None and _command_round_trips(header.command):
            snapshot = _compare.relocated(snapshot, header)
            regenerate_from = header.command
        app, source = generate_module(
            snapshot,
            diagnostics=diagnostics,
            class_name=class_name,
            include_hidden=kw["include_hidden"],
            regenerate_from=regenerate_from,
        )
        if on_disk is not None:
            _report(diagnostics)
            sys.exit(_check(output, on_disk, source, snapshot, header, kw["include_hidden"]))
        if diagnostics.has_errors:
            _report(diagnostics)
            sys.exit(EXIT_TROUBLE)
        _emit(output, source, inputs)
    except CodegenError as e:
        _report(diagnostics)
        _fail(str(e))
    except RecursionError:
        _too_deep()
    _report(diagnostics)
    if output != "-":
        click.echo(f"wrote {output} ({_count(len(app.endpoints), 'endpoint')})", err=True)


def _command_round_trips(command: str) -> bool:
    """Whether the module's recorded "Regenerate with" source, rendered again, reads back as
    itself. It is docstring text: a backslash or a quote was escaped on the way in and would be
    escaped twice, and a cut command stays cut; those modules are compared byte for byte."""
    return doc_line(command) == command


def _check(
    output: str,
    current: str,
    fresh: str,
    snapshot: Snapshot,
    header: _compare.SdkHeader | None,
    include_hidden: bool,
) -> int:
    """``--check``: 0 when ``current`` (``output``'s text) is ``fresh``, else 1 with the diff on
    stdout and, when the schema changed, what changed on stderr."""
    if current == fresh:
        click.echo(f"{output} is up to date", err=True)
        return EXIT_OK
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        fresh.splitlines(keepends=True),
        f"{output} (current)",
        f"{output} (fresh)",
    )
    click.echo("".join(diff), nl=False)
    if header is not None and header.schema_hash != snapshot.schema_hash:
        click.echo(_schema_change(output, snapshot, include_hidden=include_hidden), err=True)
    click.echo(f"{output} is out of date; regenerate it (same command without --check)", err=True)
    return EXIT_DIFFERENT


def _schema_change(output: str, snapshot: Snapshot, *, include_hidden: bool) -> str:
    """What changed in the app since ``output`` was generated, when its snapshot says."""
    try:
        base = _compare.generated_from(output)
    except CodegenError as e:
        return f"{output} was generated from another schema; to see what changed: {e}"
    comparison = _compare.compare(base.snapshot, snapshot, include_hidden=include_hidden)
    return comparison.table(base.snapshot_path, "the app").rstrip("\n")


@main.command()
@_source_options()
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Where to write the snapshot ('-' for stdout).",
)
def snapshot(src: str, output: str, **kw: Any) -> None:
    """Save what the generator needs from SRC into one JSON file (API info + /config parts)."""
    diagnostics = Diagnostics()
    inputs = _inputs(src, kw)
    try:
        if output != "-":
            check_target(output, inputs=inputs)  # refuse an unsafe -o before any work
        snap = _load(src, diagnostics, **kw)
        _emit(output, snap.to_json(), inputs)
    except CodegenError as e:
        _report(diagnostics)
        _fail(str(e))
    except RecursionError:
        _too_deep()
    _report(diagnostics)
    if output != "-":
        click.echo(f"wrote {output}", err=True)


@main.command()
@_source_options(records=False)
def inspect(src: str, **kw: Any) -> None:
    """Show SRC's endpoints with their parameters and Python types."""
    diagnostics = Diagnostics()
    try:
        snap = _load(src, diagnostics, **kw)
        app = model(snap, diagnostics=diagnostics, include_hidden=kw["include_hidden"])
    except CodegenError as e:
        _report(diagnostics)
        _fail(str(e))
    except RecursionError:
        _too_deep()
    version = (
        f"Gradio {doc_line(app.gradio_version, 40)}"
        if app.gradio_version
        else "Gradio (version unknown)"
    )
    click.echo(
        f"{version} app at {doc_line(app.source or '(unknown)', 200)}: "
        f"{_count(len(app.endpoints), 'endpoint')}"
    )
    for ep in app.endpoints:
        flags = [f"fn_index {ep.fn_index}" if ep.fn_index is not None else "fn_index unknown"]
        if ep.stream:
            flags.append("streams")
        if ep.hidden:
            flags.append("hidden")
        click.echo("")
        click.echo(f"{doc_line(ep.api_name, 100)}  ->  {ep.method_name}()  [{', '.join(flags)}]")
        rows = [
            (p.name, p.type.annotation(), f"= {p.default_literal}" if p.has_default else "")
            for p in ep.parameters
        ]
        rows += [("-> " + o.name, o.annotation(), "") for o in ep.outputs]
        width = max((len(r[0]) for r in rows), default=0)
        for name, annotation, default in rows:
            click.echo(f"    {name.ljust(width)}  {annotation} {default}".rstrip())
    _report(diagnostics)


# -- diff -------------------------------------------------------------------------------------


@main.command(short_help="What changed in the app at SRC since an SDK was generated.")
@_source_options(records=False)
@click.argument("baseline", metavar="SDK_OR_SNAPSHOT")
@click.option(
    "--snapshot",
    "snapshot_path",
    metavar="PATH",
    help="The snapshot the SDK was generated from (default: NAME.schema.json beside NAME.py).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def diff(src: str, baseline: str, snapshot_path: str | None, as_json: bool, **kw: Any) -> None:
    """Compare the app at SRC with what SDK_OR_SNAPSHOT was generated from.

    Each change is breaking (the SDK no longer fits the app, or calls must change once it is
    regenerated) or compatible (the app only gained something). --include-hidden defaults to
    what the SDK was generated with.

    \b
    Exit codes: 0 no change, 1 only compatible changes, 2 trouble, 3 a breaking change.
    """
    if snapshot_path is not None and not baseline.endswith(".py"):
        raise click.UsageError(
            "--snapshot applies only when SDK_OR_SNAPSHOT is a generated module (.py)"
        )
    diagnostics = Diagnostics()
    try:
        base = _compare.generated_from(baseline, snapshot_path=snapshot_path)
        _report(base.diagnostics)
        kw["include_hidden"] = kw["include_hidden"] or (
            base.header is not None and base.header.include_hidden
        )
        new = _load(src, diagnostics, **kw)
        result = _compare.compare(base.snapshot, new, include_hidden=kw["include_hidden"])
    except CodegenError as e:
        _report(diagnostics)
        _fail(str(e))
    except RecursionError:
        _too_deep()
    _report(diagnostics)
    click.echo(result.to_json() if as_json else result.table(base.snapshot_path, src), nl=False)
    sys.exit(result.exit_code)


# -- the project: sync and check --------------------------------------------------------------


def _load_project(path: str) -> _project.Project:
    try:
        return _project.load_project(path)
    except CodegenError as e:
        _fail(str(e))


def _run(operation: Callable[[], T]) -> T:
    """``operation``'s results; a configuration problem it finds (an unknown SDK name) is one
    error line and exit 2."""
    try:
        return operation()
    except CodegenError as e:
        _fail(str(e))


@main.command(short_help="Regenerate every SDK listed in pyproject.toml, and its snapshot.")
@_project_options
@click.option(
    "--from-snapshots",
    is_flag=True,
    help="Regenerate from the snapshots in the project (offline) instead of the live sources.",
)
@_token_option()
@_timeout_option()
def sync(
    names: tuple[str, ...],
    project_path: str,
    from_snapshots: bool,
    token: str | None,
    timeout: float,
) -> None:
    """Regenerate every SDK of [tool.gradio-codegen] (or those NAMES) and its snapshot.

    Each SDK comes from its live source, its snapshot written beside it first; or, with
    --from-snapshots, from the snapshot already in the project. A file is rewritten only when its
    content changes. Exit codes: 0 done, 2 some SDK could not be written.
    """
    project = _load_project(project_path)
    results = _run(
        lambda: _project.sync(
            project, from_snapshots=from_snapshots, token=token, timeout=timeout, only=names
        )
    )
    for r in results:
        _report(r.diagnostics, r.entry.name)
        if r.error is not None:
            _error(f"{r.entry.name}: {r.error}")
            continue
        sdk = project.relative(r.entry.output)
        endpoints = _count(r.endpoints, "endpoint")
        if r.written:
            written = ", ".join(project.relative(path) for path in r.written)
            click.echo(f"{r.entry.name}: wrote {written} ({endpoints})", err=True)
        else:
            click.echo(f"{r.entry.name}: {sdk} is up to date ({endpoints})", err=True)
    sys.exit(_project.sync_exit_code(results))


@main.command(short_help="Verify every SDK listed in pyproject.toml against its snapshot.")
@_project_options
@click.option(
    "--live",
    is_flag=True,
    help="Compare every snapshot with its live app instead, and classify the drift as diff does.",
)
@_token_option()
@_timeout_option()
def check(
    names: tuple[str, ...],
    project_path: str,
    live: bool,
    token: str | None,
    timeout: float,
) -> None:
    """Verify that every SDK of [tool.gradio-codegen] (or those NAMES) is what its snapshot
    generates. Offline; what CI and pre-commit run.

    \b
    Exit codes: 0 all up to date, 1 an SDK or snapshot is out of date or missing, 2 trouble.
    With --live: 0 no app changed, 1 only compatible changes, 2 trouble, 3 a breaking change
    (the worst over all SDKs: 3, then 2, then 1).
    """
    project = _load_project(project_path)
    if live:
        sys.exit(_check_live(project, names, token=token, timeout=timeout))
    results = _run(lambda: _project.check(project, only=names))
    for r in results:
        _report(r.diagnostics, r.entry.name)
        if r.up_to_date:
            click.echo(
                f"{r.entry.name}: {project.relative(r.entry.output)} is up to date", err=True
            )
            continue
        click.echo(r.diff, nl=False)
        problem = f"{r.entry.name}: {r.problem}"
        if r.trouble:
            _error(problem)
        else:
            click.echo(_one_line(problem), err=True)
    sys.exit(_project.check_exit_code(results))


def _check_live(
    project: _project.Project, names: Sequence[str], *, token: str | None, timeout: float
) -> int:
    results = _run(lambda: _project.check_live(project, token=token, timeout=timeout, only=names))
    first = True
    for r in results:
        _report(r.diagnostics, r.entry.name)
        if r.comparison is None:
            _error(f"{r.entry.name}: {r.error}")
            continue
        if not first:
            click.echo("")
        first = False
        click.echo(r.comparison.table(project.relative(r.entry.snapshot), r.entry.source), nl=False)
    return _project.drift_exit_code(results)
