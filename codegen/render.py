"""Model -> source: Jinja (strict) over the package templates, then black, then ``ast.parse``.

The body is spelled before the header is written, so the imports are the names the body used.
The output depends on the model alone (no clock, no environment, stable ordering), so generating
twice gives the same bytes.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import black
import jinja2

from .build import GENERATOR_NAME
from .errors import CodegenError
from .model import App, Endpoint, Output, Provenance, TypedDictDef, admits_none, literal
from .names import is_plain_identifier
from .spelling import RUNTIME, SHAPES, Imports
from .text import doc_line

__all__ = ["RenderError", "render"]

_TEMPLATE = "module.py.jinja"
_DOC_WIDTH = 96
# Names that can appear inside a TypedDict's annotations (with the TypedDict names themselves). A
# key spelled like one of them would shadow it inside the class body, so such a TypedDict, and one
# with keys that are private-looking or not identifiers, uses the functional syntax.
_ANNOTATION_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "tuple", "None"})
_IMPORTED_NAMES = frozenset(
    {"Any", "ClassVar", "Literal", "NamedTuple", "NotRequired", "TypedDict", "final"}
    | {"Mapping", "Sequence", "FileInput", "RemoteFile"}
)


class RenderError(CodegenError):
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


def _signature(ep: Endpoint, self_name: str | None, imports: Imports) -> str:
    parts = [self_name] if self_name else []
    star_done = False
    for p in ep.parameters:
        if p.keyword_only and not star_done:
            parts.append("*")
            star_done = True
        text = f"{p.name}: {p.type.annotation(imports)}"
        if p.has_default:
            text += f" = {p.default_literal}"
        parts.append(text)
    return ", ".join(parts)


def _call_args(ep: Endpoint) -> str:
    return ", ".join([ep.const_name] + [p.name for p in ep.parameters])


def _forward_args(ep: Endpoint) -> str:
    return ", ".join(f"{p.name}={p.name}" if p.keyword_only else p.name for p in ep.parameters)


def _class_syntax_for(app: App) -> Callable[[TypedDictDef], bool]:
    taken = _ANNOTATION_NAMES | _IMPORTED_NAMES | {td.name for td in app.typed_dicts}

    def class_syntax(td: TypedDictDef) -> bool:
        return all(
            is_plain_identifier(f.key) and not f.key.startswith("_") and f.key not in taken
            for f in td.fields
        )

    return class_syntax


def _banner(p: Provenance) -> list[str]:
    """The module docstring's lines: what the module is for, from what, how to make it again."""
    source = doc_line(p.source or "(unknown)", 200)
    command_source = doc_line(p.regenerate_from, 300) if p.regenerate_from else source
    gradio = f" (Gradio {doc_line(p.gradio_version, 40)})" if p.gradio_version else ""
    options = "".join(f" {o}" for o in p.options)
    return [
        f"Typed client for the Gradio app at {source}{gradio}.",
        "",
        f"Generated by {doc_line(p.generator, 80)}; do not edit by hand. Regenerate with:",
        "",
        f"    {GENERATOR_NAME} {command_source}{options} -o <this file>",
        "",
        f"Schema hash: {doc_line(p.schema_hash, 100)}",
    ]


@dataclass(frozen=True)
class _TypedDictView:
    definition: TypedDictDef
    class_syntax: bool
    final: bool
    fields: list[tuple[str, str]]  # (key, annotation)


@dataclass(frozen=True)
class _EndpointView:
    endpoint: Endpoint
    result: str
    method_signature: str
    function_signature: str
    result_fields: list[tuple[str, str]]  # (name, annotation) of the NamedTuple, if any


def render(app: App, *, format_code: bool = True) -> str:
    """The module's source. ``format_code=False`` skips black (still parsed): for fast tests."""
    imports = Imports()
    class_syntax = _class_syntax_for(app)
    typed_dicts = []
    for td in app.typed_dicts:
        imports.use("TypedDict")
        plain = class_syntax(td)
        final = plain and td.name in app.final_typed_dicts
        if final:
            imports.use("final")
        fields = [(f.key, td.field_annotation(f, imports)) for f in td.fields]
        typed_dicts.append(_TypedDictView(td, plain, final, fields))
    endpoints = []
    for ep in app.endpoints:
        result_fields = []
        if ep.result_name is not None:
            imports.use("NamedTuple")
            result_fields = [(o.name, o.annotation(imports)) for o in ep.outputs]
        endpoints.append(
            _EndpointView(
                endpoint=ep,
                result=ep.result_annotation(imports),
                method_signature=_signature(ep, "self", imports),
                function_signature=_signature(ep, None, imports),
                result_fields=result_fields,
            )
        )
    imports.use("ClassVar")  # the clients' ``app`` attribute
    template = _environment().get_template(_TEMPLATE)
    source = template.render(
        app=app,
        banner=_banner(app.provenance),
        typed_dicts=typed_dicts,
        endpoints=endpoints,
        rt=RUNTIME,
        s=SHAPES,
        typing_imports=imports.typing,
        abc_imports=imports.abc,
        backported=imports.backported,
        runtime_imports=imports.runtime,
        literal=literal,
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
