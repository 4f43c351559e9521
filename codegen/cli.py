"""``gradio-codegen``: generate (the default command), snapshot, inspect.

Exit codes follow diff(1):

* 0 -- done (``--check``: the file is up to date);
* 1 -- ``--check`` found a difference;
* 2 -- trouble: bad arguments, a source or schema that cannot be used (unreachable, not a Gradio
  app, invalid, hostile), or an output path it would be unsafe to write.

Trouble is reported as one ``error:`` line on stderr, never a traceback.
"""

from __future__ import annotations

import difflib
import keyword
import shlex
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .build import module_reserved_names
from .diagnostics import Diagnostics
from .errors import CodegenError
from .output import check_target, read_existing, write_atomically
from .pipeline import generate_module, model
from .schema import MAX_DEPTH, Snapshot
from .sources import Credentials, load
from .text import doc_line

__all__ = ["main", "EXIT_OK", "EXIT_DIFFERENT", "EXIT_TROUBLE"]

EXIT_OK = 0
EXIT_DIFFERENT = 1  # --check: the file differs from a fresh generation
EXIT_TROUBLE = 2  # bad arguments, unusable source or schema, unsafe output (click uses 2 too)

F = TypeVar("F", bound=Callable[..., Any])


class _DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to ``generate``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["generate", *args]
        return super().parse_args(ctx, args)


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


def _source_options(func: F) -> F:
    options = [
        click.argument("src"),
        click.option(
            "--config",
            "config_path",
            metavar="PATH",
            help="The app's /config saved as JSON, when SRC is a raw API info file.",
        ),
        click.option(
            "--src",
            "source",
            metavar="URL",
            help="Record this app location instead of the one SRC implies.",
        ),
        click.option(
            "--include-hidden",
            is_flag=True,
            help="Also include endpoints hidden from the API docs (never private ones).",
        ),
        click.option(
            "--token",
            metavar="TOKEN",
            help="Hugging Face token (default: HF_TOKEN or the huggingface_hub login).",
        ),
        click.option(
            "--auth",
            callback=_parse_auth,
            metavar="USER:PASS",
            help="Log in to a password-protected app.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=30.0,
            show_default=True,
            help="Seconds to wait for the app: for a Space to start, then for all its answers.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(src: str, diagnostics: Diagnostics, **kw: Any) -> Snapshot:
    return load(
        src,
        diagnostics=diagnostics,
        credentials=Credentials(token=kw["token"], auth=kw["auth"]),
        config_path=kw["config_path"],
        source=kw["source"],
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


def _report(diagnostics: Diagnostics) -> None:
    for item in diagnostics:
        click.echo(str(item), err=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_TROUBLE)


def _too_deep() -> NoReturn:
    _fail(
        "the schema nests values too deeply to generate code from (more than Python's "
        f"recursion allows; documents are checked for {MAX_DEPTH} levels)"
    )


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

    \b
    Exit codes (as diff): 0 done, 1 --check found a difference, 2 trouble (bad arguments,
    unusable source or schema, unsafe output path).
    """


@main.command()
@_source_options
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
    "(0: up to date, 2: trouble).",
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
    diagnostics = Diagnostics()
    inputs = _inputs(src, kw)
    try:
        if output != "-" and not check:
            check_target(output, inputs=inputs)  # refuse an unsafe -o before any work
        snapshot = _load(src, diagnostics, **kw)
        app, source = generate_module(
            snapshot,
            diagnostics=diagnostics,
            class_name=class_name,
            include_hidden=kw["include_hidden"],
            regenerate_from=_as_given(src, kw),
        )
        if check:
            _report(diagnostics)
            sys.exit(_check(output, source))
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
        click.echo(f"wrote {output} ({len(app.endpoints)} endpoints)", err=True)


def _check(output: str, fresh: str) -> int:
    if output == "-":
        raise click.UsageError("--check needs -o FILE (the module to compare)")
    current = read_existing(output)
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
    click.echo(f"{output} is out of date; regenerate it (same command without --check)", err=True)
    return EXIT_DIFFERENT


@main.command()
@_source_options
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
@_source_options
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
        f"{version} app at {doc_line(app.source or '(unknown)', 200)}: {len(app.endpoints)} endpoint(s)"
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
