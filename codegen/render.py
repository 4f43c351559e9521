"""Model -> source: Jinja (strict) over the package templates, then black, then ``ast.parse``.

The output depends on the model alone (no clock, no environment, stable ordering), so generating
twice gives the same bytes.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from collections.abc import Callable
from importlib import resources

import black
import jinja2

from .model import App, Endpoint, Output, TypedDictDef, admits_none, literal
from .names import is_plain_identifier

__all__ = ["RenderError", "render"]

_TEMPLATE = "module.py.jinja"
_DOC_WIDTH = 96
_TYPING_ORDER = (
    "Any",
    "ClassVar",
    "Literal",
    "NamedTuple",
    "NotRequired",
    "TypedDict",
    "final",
)
_ABC_ORDER = ("Mapping", "Sequence")
_RUNTIME_NAMES = ("FileInput", "RemoteFile")
# Names that can appear inside a TypedDict's annotations (with the TypedDict names themselves). A
# key spelled like one of them would shadow it inside the class body, so such a TypedDict, and one
# with keys that are private-looking or not identifiers, uses the functional syntax.
_ANNOTATION_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "tuple", "None"})


_BACKPORTED = frozenset({"NotRequired", "TypedDict"})


def _plain_typing(names: set[str]) -> set[str]:
    plain = (names | {"ClassVar"}) & set(_TYPING_ORDER)
    return plain - _BACKPORTED if "NotRequired" in names else plain


class RenderError(Exception):
    """The generator produced invalid Python: a bug, reported with the offending line."""


@functools.cache
def _environment() -> jinja2.Environment:
    def load(name: str) -> str:
        return resources.files("gradio_codegen.templates").joinpath(name).read_text("utf-8")

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _wrap(text: str, indent: int, hanging: int = 4) -> list[str]:
    first = " " * indent
    rest = " " * (indent + hanging)
    return textwrap.wrap(
        text,
        width=_DOC_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _output_doc(o: Output) -> str:
    text = o.doc or o.type.annotation() + "."
    if not admits_none(o.type):
        text += " ``None`` when the app leaves it empty."
    return text


def _docstring(ep: Endpoint, indent: int) -> str:
    pad = " " * indent
    lines: list[str] = []
    for i, line in enumerate(ep.description):
        lines.extend(_wrap(line, indent, 0) if line else [""])
    if ep.parameters:
        lines += ["", pad + "Args:"]
        for p in ep.parameters:
            lines += _wrap(f"{p.name}: {p.doc or p.type.annotation() + '.'}", indent + 4)
    if ep.outputs:
        lines += ["", pad + "Returns:"]
        if ep.result_name is None:
            lines += _wrap(_output_doc(ep.outputs[0]), indent + 4)
        else:
            lines += _wrap(f"{ep.result_name}, with fields:", indent + 4)
            for o in ep.outputs:
                lines += _wrap(f"{o.name}: {_output_doc(o)}", indent + 8)
    lines += ["", pad + "Raises:"]
    lines += _wrap(
        "InputError: an argument does not fit its parameter (checked before any request).",
        indent + 4,
    )
    lines += _wrap("AppError: the app failed while handling the call.", indent + 4)
    lines[0] = pad + '"""' + lines[0].lstrip()
    lines.append(pad + '"""')
    return "\n".join(line.rstrip() for line in lines)


def _result_docstring(ep: Endpoint) -> str:
    lines = [f'    """What {ep.method_name}() returns.', "", "    Attributes:"]
    for o in ep.outputs:
        lines += _wrap(f"{o.name}: {_output_doc(o)}", 8)
    lines.append('    """')
    return "\n".join(lines)


def _typed_dict_docstring(td: TypedDictDef) -> str:
    lines = _wrap(td.doc, 4, 0)
    lines[0] = '    """' + lines[0].lstrip()
    if len(lines) == 1:
        return lines[0] + '"""'
    return "\n".join(lines + ['    """'])


def _signature(ep: Endpoint, self_name: str | None) -> str:
    parts = [self_name] if self_name else []
    star_done = False
    for p in ep.parameters:
        if p.keyword_only and not star_done:
            parts.append("*")
            star_done = True
        text = f"{p.name}: {p.type.annotation()}"
        if p.has_default:
            text += f" = {p.default_literal}"
        parts.append(text)
    return ", ".join(parts)


def _call_args(ep: Endpoint) -> str:
    return ", ".join([ep.const_name] + [p.name for p in ep.parameters])


def _forward_args(ep: Endpoint) -> str:
    return ", ".join(f"{p.name}={p.name}" if p.keyword_only else p.name for p in ep.parameters)


def _class_syntax_for(app: App) -> Callable[[TypedDictDef], bool]:
    taken = _ANNOTATION_NAMES | set(_TYPING_ORDER) | set(_ABC_ORDER) | set(_RUNTIME_NAMES)
    taken |= {td.name for td in app.typed_dicts}

    def class_syntax(td: TypedDictDef) -> bool:
        return all(
            is_plain_identifier(f.key) and not f.key.startswith("_") and f.key not in taken
            for f in td.fields
        )

    return class_syntax


def render(app: App, *, format_code: bool = True) -> str:
    """The module's source. ``format_code=False`` skips black (still parsed): for fast tests."""
    names = app.typing_names()
    class_syntax = _class_syntax_for(app)
    final = {
        td.name for td in app.typed_dicts if td.name in app.final_typed_dicts and class_syntax(td)
    }
    if not final:
        names.discard("final")
    template = _environment().get_template(_TEMPLATE)
    source = template.render(
        app=app,
        typing_imports=[n for n in _TYPING_ORDER if n in _plain_typing(names)],
        abc_imports=[n for n in _ABC_ORDER if n in names],
        final=final,
        # NotRequired is typing's from Python 3.11; before, TypedDict must come with it from
        # typing_extensions (a dependency of pydantic, so always installed with the runtime).
        backported=sorted(_BACKPORTED) if "NotRequired" in names else [],
        runtime_imports=[n for n in _RUNTIME_NAMES if n in names],
        literal=literal,
        class_syntax=class_syntax,
        signature=_signature,
        call_args=_call_args,
        forward_args=_forward_args,
        docstring=_docstring,
        result_docstring=_result_docstring,
        typed_dict_docstring=_typed_dict_docstring,
    )
    try:
        ast.parse(source)
    except SyntaxError as e:
        raise RenderError(f"generated code does not parse at line {e.lineno}: {e.msg}") from e
    if format_code:
        source = black.format_str(source, mode=black.Mode(line_length=100))
    return source
