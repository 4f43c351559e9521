"""Model -> source: every statement spelled as a syntax tree and laid out as black lays it out,
checked with ``ast.parse``, and placed by the Jinja template (strict).

The body is spelled before the header is written, so the imports are the names the body used.
Statements are printed by ``syntax``/``layout`` in black's style (tests hold the output to
``black.format_str``), so no formatter runs at generation time. The output depends on the model
alone (no clock, no environment, stable ordering), so generating twice gives the same bytes.
"""

from __future__ import annotations

import ast
import functools
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import jinja2

from gradio_codegen.runtime import __version__ as RUNTIME_VERSION

from .build import GENERATOR_NAME
from .errors import CodegenError
from .layout import LINE_LENGTH
from .model import (
    App,
    Constant,
    Endpoint,
    Output,
    Parameter,
    Provenance,
    TypedDictDef,
    TypeRef,
    admits_none,
    plain_kinds,
)
from .names import is_plain_identifier
from .spelling import RUNTIME, SHAPES, TESTING, Imports
from .syntax import (
    Assign,
    Attr,
    Await,
    Call,
    ClassDef,
    Const,
    Decorator,
    DictExpr,
    Ellipsis_,
    Expr,
    ExprStatement,
    Field,
    FunctionDef,
    Keyword,
    ListExpr,
    Name,
    Param,
    Return,
    Statement,
    Subscript,
    TupleExpr,
    Union,
    docstring,
    fitted_value,
    format_statement,
    string_literal,
    value_expr,
)
from .text import doc_line

__all__ = ["RenderError", "render"]

_TEMPLATE = "module.py.jinja"
_DOC_WIDTH = 96
# Names that can appear inside a TypedDict's annotations (with the TypedDict names themselves). A
# key spelled like one of them would shadow it inside the class body, so such a TypedDict, and one
# with keys that are private-looking or not identifiers, uses the functional syntax.
_ANNOTATION_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "tuple", "None"})
_IMPORTED_NAMES = frozenset(
    {"Any", "ClassVar", "Literal", "NamedTuple", "NotRequired", "ReadOnly", "TypedDict", "final"}
    | {"Mapping", "Sequence", "FileInput", "RemoteFile"}
)
_RT = Name(RUNTIME)
_TESTING = Name(TESTING)
_STUBS = "_FakeStubs"  # the base of both fakes that holds the typed stub_<method> methods


class RenderError(CodegenError):
    """The generator produced invalid Python: a bug, reported with the offending line."""


def _checked(code: str, *, in_class: bool = False) -> str:
    """``code`` -- complete statements (``in_class``: of a class body) -- once it parses.

    Each piece is parsed on its own as it is made: parsing a whole module of thousands of
    endpoints at once takes about five times its size in memory, and the garbage collector's
    passes over that tree made it the slowest step of generation. The template around the pieces
    is fixed text."""
    try:
        ast.parse("class _:\n" + code if in_class else code)
    except SyntaxError as e:
        line = (e.text or "").strip()[:120]
        raise RenderError(f"generated code does not parse ({e.msg}): {line!r}") from e
    return code


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


# -- docstrings -------------------------------------------------------------------------------


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


def _type_doc(type_: TypeRef) -> str:
    """A type as docstring text: its annotation spells schema strings (choices), so it is
    escaped like any other schema text."""
    return doc_line(type_.annotation()) + "."


def _output_doc(o: Output) -> str:
    text = o.doc or _type_doc(o.type)
    if not admits_none(o.type):
        text += " ``None`` when the app leaves it empty."
    return text


def _keyword_only_doc(ep: Endpoint) -> str | None:
    """Why some parameters must be named, for an endpoint whose signature has a bare ``*``."""
    first = next((p for p in ep.parameters if p.keyword_only), None)
    if first is None:
        return None
    named = ", ".join(f"{p.name}=..." for p in ep.parameters if p.keyword_only)
    return (
        f"``{first.name}`` and the parameters after it are keyword-only: {first.name} has no "
        "default but comes after a parameter that has one, and Python lets such a parameter "
        f"be passed only by name. A positional call ported from gradio_client names them: "
        f"``{ep.method_name}(..., {named})``."
    )


def _endpoint_doc(ep: Endpoint, indent: int) -> list[str]:
    """The lines of an endpoint's docstring, wrapped for a docstring at column ``indent``."""
    pad = " " * indent
    lines: list[str] = []
    for line in ep.description:
        lines.extend(_wrap(line, indent, 0) if line else [""])
    keyword_only = _keyword_only_doc(ep)
    if keyword_only is not None:
        lines += [""] + _wrap(keyword_only, indent, 0)
    if ep.parameters:
        lines += ["", pad + "Args:"]
        for p in ep.parameters:
            lines += _wrap(f"{p.name}: {p.doc or _type_doc(p.type)}", indent + 4)
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
    return lines


def _result_doc(ep: Endpoint) -> list[str]:
    lines = [f"What {ep.method_name}() returns.", "", "    Attributes:"]
    for o in ep.outputs:
        lines += _wrap(f"{o.name}: {_output_doc(o)}", 8)
    return lines


def _banner(p: Provenance) -> list[str]:
    """The module docstring's lines: what the module is for, from what, how to make it again."""
    source = doc_line(p.source or "(unknown)", 200)
    command_source = doc_line(p.regenerate_from, 300) if p.regenerate_from else source
    gradio = f" (Gradio {doc_line(p.gradio_version, 40)})" if p.gradio_version else ""
    options = "".join(f" {o}" for o in p.options)
    return [
        f"Typed client for the Gradio app at {source}{gradio}.",
        "",
        "Calls raise the runtime's errors (``AppError``, ``InputError``, ``QueueFullError``, ...),",
        "which this module exports too: ``from <this module> import AppError``. ``FakeClient`` and",
        "``AsyncFakeClient`` stand in for the clients in tests (gradio_codegen.runtime.testing).",
        "",
        "The module's functions call the app above; ``GRADIO_CODEGEN_SRC_<MODULE>`` (this module's",
        "import name in capitals, ``_`` for other characters than letters and digits) or",
        "``set_default_client(Client(...))`` points them at another deployment.",
        "",
        f"Generated by {doc_line(p.generator, 80)}; do not edit by hand. Regenerate with:",
        "",
        f"    {GENERATOR_NAME} {command_source}{options} -o <this file>",
        "",
        f"Schema hash: {doc_line(p.schema_hash, 100)}",
    ]


# -- statements -------------------------------------------------------------------------------


def _class_syntax_for(app: App) -> Callable[[TypedDictDef], bool]:
    taken = _ANNOTATION_NAMES | _IMPORTED_NAMES | {td.name for td in app.typed_dicts}

    def class_syntax(td: TypedDictDef) -> bool:
        return all(
            is_plain_identifier(f.key) and not f.key.startswith("_") and f.key not in taken
            for f in td.fields
        )

    return class_syntax


class _Writer:
    """Prints statements: laid out as black would, or (``flat``) each on one line."""

    def __init__(self, flat: bool) -> None:
        self.flat = flat

    def __call__(self, statement: Statement, depth: int = 0) -> str:
        if self.flat:
            return "    " * depth + statement.text()
        return format_statement(statement, depth)


def _signature(ep: Endpoint, annotations: Sequence[Expr], *, method: bool) -> list[Param]:
    params = [Param("self")] if method else []
    star_done = False
    for p, annotation in zip(ep.parameters, annotations):
        if p.keyword_only and not star_done:
            params.append(Param.STAR)
            star_done = True
        params.append(Param(p.name, annotation, p.default_expr() if p.has_default else None))
    return params


def _forward_args(parameters: Sequence[Parameter]) -> list[Expr]:
    return [Keyword(p.name, Name(p.name)) if p.keyword_only else Name(p.name) for p in parameters]


@dataclass(frozen=True)
class _TypedDictView:
    code: str  # the class (or functional TypedDict) and its shape constant


@dataclass(frozen=True)
class _EndpointView:
    endpoint: Endpoint
    result_class: str | None  # the NamedTuple of several outputs
    constant: str  # the _rt.Endpoint constant
    sync_method: str
    sync_submit: str
    async_method: str
    async_submit: str
    function: str
    submit_function: str
    stub: str  # the fakes' stub_<method>


def _typed_dict(
    td: TypedDictDef, class_syntax: bool, final: bool, imports: Imports, write: _Writer
) -> str:
    base = Name(imports.use("TypedDict"))
    blocks: list[str] = []
    if class_syntax:
        if final:
            blocks.append(write(Decorator(imports.use("final"))))
        blocks.append(write(ClassDef(td.name, [base])))
        if td.doc:
            blocks.append(docstring(_wrap(td.doc, 4, 0), 1) + "\n")
        blocks += [write(Field(f.key, td.field_annotation(f, imports)), 1) for f in td.fields]
    else:
        fields = DictExpr(
            [(Const(f.key), td.field_annotation(f, imports)) for f in td.fields], explode=True
        )
        blocks.append(write(Assign(td.name, Call(base, [Const(td.name), fields], explode=True))))
    # black leaves two blank lines after a class body, one after an assignment
    blocks += ["", ""] if class_syntax else [""]
    blocks.append(write(Assign(td.shape_name, td.shape_expression())))
    return _checked("\n".join(blocks))


def _slot_args(name: str, type_: TypeRef, component: str | None) -> list[Expr]:
    """A slot's name and shape, and its component type when /config named it (the runtime's
    layout check compares it with the running app)."""
    args: list[Expr] = [Const(name), type_.shape_expr()]
    if component is not None:
        args.append(Keyword("component", Const(component)))
    return args


def _endpoint(ep: Endpoint, imports: Imports, write: _Writer, fake_name: str) -> _EndpointView:
    result = ep.result_annotation(imports)
    annotations = [p.type.spell(imports) for p in ep.parameters]
    method_params = _signature(ep, annotations, method=True)
    function_params = _signature(ep, annotations, method=False)

    result_class = None
    if ep.result_name is not None:
        lines = [write(ClassDef(ep.result_name, [Name(imports.use("NamedTuple"))]))]
        lines.append(docstring(_result_doc(ep), 1) + "\n")
        lines += [write(Field(o.name, o.spell(imports)), 1) for o in ep.outputs]
        result_class = _checked("\n".join(lines))

    inputs: list[Expr] = []
    for slot in ep.input_slots:
        if slot.index is None:
            inputs.append(Attr(_RT, "STATE"))
        else:
            p = ep.parameters[slot.index]
            inputs.append(Call(Attr(_RT, "Param"), _slot_args(p.name, p.type, p.component)))
    outputs: list[Expr] = []
    for slot in ep.output_slots:
        if slot.index is None:
            outputs.append(Attr(_RT, "STATE"))
        else:
            o = ep.outputs[slot.index]
            outputs.append(Call(Attr(_RT, "Output"), _slot_args(o.name, o.type, o.component)))
    args: list[Expr] = [
        Const(ep.api_name),
        Keyword("fn_index", value_expr(ep.fn_index)),
        Keyword("inputs", TupleExpr(inputs, explode=True)),
        Keyword("outputs", TupleExpr(outputs, explode=True)),
    ]
    if ep.result_name is not None:
        args.append(Keyword("result", Name(ep.result_name)))
    args += [
        Keyword("stream", value_expr(ep.stream)),
        Keyword("python_name", Const(ep.method_name)),
    ]
    constant = _checked(
        write(
            Assign(
                ep.const_name,
                Call(Attr(_RT, "Endpoint"), args, explode=True),
                Subscript(Attr(_RT, "Endpoint"), [result]),
            )
        )
    )

    names = [Name(ep.const_name)] + [Name(p.name) for p in ep.parameters]
    job = Subscript(Attr(_RT, "Job"), [result])
    async_job = Subscript(Attr(_RT, "AsyncJob"), [result])
    method_doc = docstring(_endpoint_doc(ep, 8), 2)
    function_doc = docstring(_endpoint_doc(ep, 4), 1)
    submit_doc = docstring(
        [f"Start {ep.method_name}() and return its job at once (status, streaming, cancel)."], 2
    )
    default_submit_doc = docstring(
        [f"Start {ep.method_name}() on the default client and return its job at once."], 1
    )

    def method(name: str, returns: Expr, call: str, doc: str, is_async: bool) -> str:
        value: Expr = Call(Attr(Name("self"), call), names)
        if is_async:
            value = Await(value)
        return _checked(
            "\n".join(
                [
                    write(FunctionDef(name, method_params, returns, is_async=is_async), 1),
                    doc,
                    write(Return(value), 2),
                ]
            ),
            in_class=True,
        )

    default = Call(Attr(Name("_default"), "get"))
    forward = _forward_args(ep.parameters)
    error_type = Union([Name("GradioError"), Name("None")])
    stub_params = [
        Param("self"),
        Param("*outputs", result),
        Param("error", error_type, Const(None)),
        Param("pending", Name("bool"), Const(False)),
    ]
    stub_doc = docstring(
        _wrap(f"Set what {ep.method_name}() answers from now on (see ``{fake_name}``).", 8, 0), 2
    )
    stub_call = Call(
        Attr(Name("self"), "_stub"),
        [Name(ep.const_name), Name("outputs"), Name("error"), Name("pending")],
    )
    return _EndpointView(
        endpoint=ep,
        result_class=result_class,
        constant=constant,
        sync_method=method(ep.method_name, result, "_predict", method_doc, False),
        sync_submit=method(ep.submit_name, job, "_submit", submit_doc, False),
        async_method=method(ep.method_name, result, "_predict", method_doc, True),
        async_submit=method(ep.submit_name, async_job, "_submit", submit_doc, True),
        function=_checked(
            "\n".join(
                [
                    write(FunctionDef(ep.method_name, function_params, result)),
                    function_doc,
                    write(Return(Call(Attr(default, ep.method_name), forward)), 1),
                ]
            )
        ),
        submit_function=_checked(
            "\n".join(
                [
                    write(FunctionDef(ep.submit_name, function_params, job)),
                    default_submit_doc,
                    write(Return(Call(Attr(default, ep.submit_name), forward)), 1),
                ]
            )
        ),
        stub=_checked(
            "\n".join(
                [
                    write(FunctionDef(ep.stub_name, stub_params, Name("None")), 1),
                    stub_doc,
                    write(ExprStatement(stub_call), 2),
                ]
            ),
            in_class=True,
        ),
    )


def _class(name: str, bases: list[Expr], doc: list[str], write: _Writer) -> str:
    """A class with only a docstring (so far): the fakes and the base of their stubs."""
    return _checked("\n".join([write(ClassDef(name, bases)), docstring(doc, 1)]))


def _fake_doc(app: App) -> list[str]:
    name = app.class_name
    text = (
        f"Its methods are ``{name}``'s and check their arguments as a live call does. "
        "``stub_<method>(*outputs, error=None, pending=False)`` sets what a method answers from "
        "now on: its outputs in order, typed as its result (several only where the endpoint "
        "streams; the last one is the result); or ``error=``, which ends the job (``AppError``, "
        "``ZeroGPUQuotaError``, ...) or, for a refusal such as ``QueueFullError``, is raised by "
        "the call; or ``pending=True``: the job keeps running, and waiting for it times out at "
        "once. A call returns a real job, already fed what the app would send. ``calls`` and "
        "``calls_to(fake.<method>)`` tell what it was called with; inside "
        "``with fake.as_default():`` the module's functions call it. See "
        "gradio_codegen.runtime.testing."
    )
    return [f"A stand-in for ``{name}`` in tests: no app, no network, no threads.", ""] + [
        line[4:] for line in _wrap(text, 4, 0)
    ]


def _client_class(name: str, base: str, doc: list[str], imports: Imports, write: _Writer) -> str:
    app_attribute = Assign(
        "app", Name("APP"), Subscript(Name(imports.use("ClassVar")), [Attr(_RT, "AppSpec")])
    )
    return _checked(
        "\n".join(
            [
                write(ClassDef(name, [Attr(_RT, base)])),
                docstring(doc, 1, closing_on_own_line=False),
                "",
                write(app_attribute, 1),
            ]
        )
    )


def _set_default_client(class_name: str, write: _Writer) -> str:
    """The module's way, in code, to point its functions at a client the caller made (the
    environment's way is read by the runtime's ``DefaultClient``)."""
    doc = [
        f"Make the module's functions call ``client``, a ``{class_name}`` made for another",
        "deployment or with other options (``token=``, ``auth=``, ``timeout=``, ...); it stays",
        "yours to close. ``None`` goes back to the module's own client, made on the next call from",
        "``GRADIO_CODEGEN_SRC_<MODULE>`` if set, else from ``APP.src``.",
    ]
    params = [Param("client", Union([Name(class_name), Name("None")]))]
    return _checked(
        "\n".join(
            [
                write(FunctionDef("set_default_client", params, Name("None"))),
                docstring(doc, 1),
                write(ExprStatement(Call(Attr(Name("_default"), "use"), [Name("client")])), 1),
            ]
        )
    )


def _constant(constant: Constant, imports: Imports, write: _Writer) -> str:
    """A large default, annotated with its parameter's type (which a type checker checks it
    against once, here), or a long choice list as a tuple of the choices' plain types."""
    if constant.type is not None:
        annotation = constant.type.spell(imports)
    else:
        kinds = [Name(k) for k in plain_kinds(constant.value)]
        element = kinds[0] if len(kinds) == 1 else Union(kinds)
        annotation = Subscript(Name("tuple"), [element, Ellipsis_()])
    room = LINE_LENGTH - len(f"{constant.name}: {annotation.text()} = ")
    as_tuple = constant.as_tuple or constant.type is None
    value = list(constant.value) if as_tuple else constant.value
    if write.flat:
        expr = fitted_value(value, sys.maxsize, tuples=as_tuple)
    else:
        expr = fitted_value(value, room, tuples=as_tuple)
    return _checked(write(Assign(constant.name, expr, annotation)))


def render(app: App, *, format_code: bool = True) -> str:
    """The module's source. ``format_code=False`` writes every statement on one line (still
    parsed): for fast tests."""
    imports = Imports()
    write = _Writer(flat=not format_code)
    choice_constants = [_constant(c, imports, write) for c in app.choice_constants]
    class_syntax = _class_syntax_for(app)
    typed_dicts = []
    for td in app.typed_dicts:
        plain = class_syntax(td)
        final = plain and td.name in app.final_typed_dicts
        typed_dicts.append(_TypedDictView(_typed_dict(td, plain, final, imports, write)))
    endpoints = [_endpoint(ep, imports, write, app.fake_class_name) for ep in app.endpoints]
    default_constants = [_constant(c, imports, write) for c in app.default_constants]
    name, async_name = app.class_name, app.async_class_name
    sync_client = _client_class(
        name,
        "Client",
        [
            f"Synchronous client: ``{name}()`` talks to the app this module was generated from,",
            f'``{name}("http://host:port")`` to another deployment of it.',
        ],
        imports,
        write,
    )
    async_client = _client_class(
        async_name,
        "AsyncClient",
        [f"Asynchronous client; the methods mirror ``{name}``."],
        imports,
        write,
    )
    spec_args: list[Expr] = [
        Keyword("src", Const(app.source)),
        Keyword("api_prefix", Const(app.api_prefix)),
        Keyword("protocol", Const(app.protocol)),
        Keyword("gradio_version", value_expr(app.gradio_version)),
        Keyword("max_file_size", value_expr(app.max_file_size)),
    ]
    if app.space_id is not None:
        spec_args.append(Keyword("space_id", Const(app.space_id)))
    fake_stubs = _class(
        _STUBS,
        [Attr(_TESTING, "Stubs")],
        ["The ``stub_<method>`` methods of both fakes, each typed as its endpoint's result."],
        write,
    )
    fake_client = _class(
        app.fake_class_name,
        [Name(_STUBS), Attr(_TESTING, "FakeClient"), Name(name)],
        _fake_doc(app),
        write,
    )
    async_fake_client = _class(
        app.async_fake_class_name,
        [Name(_STUBS), Attr(_TESTING, "AsyncFakeClient"), Name(async_name)],
        [f"A stand-in for ``{async_name}`` in tests; see ``{app.fake_class_name}``."],
        write,
    )
    template = _environment().get_template(_TEMPLATE)
    source = template.render(
        banner=_checked(docstring(_banner(app.provenance), 0)),
        rt=RUNTIME,
        s=SHAPES,
        testing=TESTING,
        runtime_version=string_literal(RUNTIME_VERSION),
        typing_imports=imports.typing,
        abc_imports=imports.abc,
        backported=imports.backported,
        read_only=imports.read_only,
        runtime_imports=imports.runtime,
        exports=_checked(
            write(Assign("__all__", ListExpr([Const(n) for n in app.exports], explode=True)))
        ),
        choice_constants=choice_constants,
        typed_dicts=typed_dicts,
        endpoints=endpoints,
        default_constants=default_constants,
        app_spec=_checked(
            write(Assign("APP", Call(Attr(_RT, "AppSpec"), spec_args, explode=True)))
        ),
        sync_client=sync_client,
        async_client=async_client,
        default_client=_checked(
            write(Assign("_default", Call(Attr(_RT, "DefaultClient"), [Name(app.class_name)])))
        ),
        set_default_client=_set_default_client(app.class_name, write),
        fake_stubs=fake_stubs,
        fake_client=fake_client,
        async_fake_client=async_fake_client,
    )
    return source
