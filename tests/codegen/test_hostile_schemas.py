"""Property test: whatever a schema says, the generated module is the code the generator means to
write, and schema text only ever shows up inside string literals and docstrings.

The module is checked structurally (its AST): only the expected top-level statements, only the
runtime's constructors called, every name one the generator defined.
"""

from __future__ import annotations

import ast
import keyword
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradio_codegen.codegen.build import LARGE_DEFAULT, build, module_reserved_names
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.names import is_plain_identifier
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.sources import snapshot_from_documents
from gradio_codegen.codegen.spelling import ERRORS
from gradio_codegen.codegen.typemap import MAX_LITERAL_CHOICES
from gradio_codegen.runtime import shapes
from thoroughness import examples

NASTY = [
    "",
    " ",
    "class",
    "self",
    "client",
    "None",
    "True",
    "__init__",
    "__class__",
    "_rt",
    "_s",
    "APP",
    "Client",
    "AsyncClient",
    "TypedDict",
    "Literal",
    "Any",
    "close",
    "submit_x",
    "x",
    "count",
    "index",
    '"""',
    "'''",
    '"',
    "\\",
    "\\n",
    "\x00",
    "\ud800",
    "\u2028",
    "\r\n",
    "\t",
    "{{ app }}",
    "{% raw %}",
    "__import__('os').system('echo pwned')",
    "'); import os; ('",
    '"""); import os; ("""',
    "a\nb",
    "名前",
    "naïve",
    "2nd value",
    "😀",
    "#",
    "# comment",
    "lambda: 0",
    "...",
    "-",
    "/",
    "a" * 500,
]

texts = st.one_of(
    st.sampled_from(NASTY), st.text(st.characters(exclude_categories=()), max_size=30)
)
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), texts
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=6,
)
# Defaults longer than a line: kept in a module constant that signatures name.
LARGE_VALUES = st.builds(
    lambda value, key: {key: value, "padding": "x" * LARGE_DEFAULT}, json_values, texts
)


def _schemas() -> st.SearchStrategy[Any]:
    leaf = st.one_of(
        st.sampled_from([{"type": t} for t in ("string", "integer", "number", "boolean", "null")]),
        st.builds(
            lambda e: {"type": "string", "enum": e}, st.lists(json_scalars, min_size=1, max_size=4)
        ),
        st.builds(lambda c: {"const": c}, json_scalars),
        st.just({}),
        st.just({"type": {}}),
        json_values,  # nonsense where a schema should be
        st.just({"$ref": "#/$defs/Nowhere"}),
        st.just(
            {
                "properties": {
                    "path": {"type": "string"},
                    "meta": {"default": {"_type": "gradio.FileData"}},
                }
            }
        ),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda i: {"type": "array", "items": i}, inner),
            st.builds(lambda o: {"anyOf": o}, st.lists(inner, max_size=3)),
            st.builds(
                lambda title, props, req: {
                    "type": "object",
                    "title": title,
                    "properties": props,
                    "required": req,
                },
                texts,
                st.dictionaries(texts, inner, max_size=3),
                st.lists(texts, max_size=2),
            ),
            st.builds(lambda v: {"type": "object", "additionalProperties": v}, inner),
        ),
        max_leaves=5,
    )


SCHEMAS = _schemas()
LABELS = st.one_of(texts, json_values)
components = st.one_of(
    st.sampled_from(["Textbox", "Dropdown", "Json", "Number", "File", "Chatbot"]), texts, st.none()
)


# More choices than a Literal holds: kept in a module constant (drawn now and then; such
# schemas make large modules, and most of the properties do not need them).
MANY_CHOICES = st.builds(
    lambda e, extra: {"type": "string", "enum": e + [f"choice {i}" for i in range(extra)]},
    st.lists(json_scalars, max_size=3),
    st.integers(MAX_LITERAL_CHOICES - 2, MAX_LITERAL_CHOICES + 5),
)


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, Any]:
    many = draw(st.integers(0, 9)) == 0
    p: dict[str, Any] = {
        "label": draw(LABELS),
        "parameter_name": draw(st.one_of(texts, st.none())),
        "type": draw(MANY_CHOICES if many else SCHEMAS),
        "component": draw(components),
    }
    if draw(st.booleans()):
        p["parameter_has_default"] = True
        large = draw(st.integers(0, 4)) == 0
        p["parameter_default"] = draw(LARGE_VALUES if large else json_values)
    return p


@st.composite
def returns(draw: st.DrawFn) -> dict[str, Any]:
    return {"label": draw(LABELS), "type": draw(SCHEMAS), "component": draw(components)}


PARAMETER_LISTS = st.lists(parameters(), max_size=4)
RETURN_LISTS = st.lists(returns(), max_size=3)
NAME_LISTS = st.lists(texts, min_size=1, max_size=4, unique=True)


@st.composite
def api_infos(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(NAME_LISTS)
    endpoints = {}
    for name in names:
        endpoints["/" + name] = {
            "parameters": draw(PARAMETER_LISTS),
            "returns": draw(RETURN_LISTS),
            "description": draw(LABELS),
        }
    return {"named_endpoints": endpoints, "unnamed_endpoints": {}}


# -- the structural check ---------------------------------------------------------------------

TYPING = {
    "Any",
    "ClassVar",
    "Literal",
    "NamedTuple",
    "NotRequired",
    "ReadOnly",
    "TypedDict",
    "final",
}
ABC = {"Mapping", "Sequence"}  # argument collections (from collections.abc)
RUNTIME_CTORS = {"AppSpec", "Endpoint", "Param", "Output", "DefaultClient"}
RUNTIME_ATTRS = RUNTIME_CTORS | {"Client", "AsyncClient", "Job", "AsyncJob", "STATE", "AppSpec"}
RUNTIME_ATTRS |= {"require"}
SHAPES = set(shapes.__all__)
BUILTIN_TYPES = {"str", "int", "float", "bool", "list", "dict", "tuple", "None"}


def _is_attr(node: ast.AST, base: str, attrs: set[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == base
        and node.attr in attrs
    )


def _is_literal(node: ast.AST) -> bool:
    """Plain data only: constants, containers of them, and ``float("inf")``-style calls."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            if not (
                isinstance(inner.func, ast.Name)
                and inner.func.id == "float"
                and [ast.literal_eval(a) for a in inner.args] in (["inf"], ["-inf"], ["nan"])
            ):
                return False
        elif isinstance(inner, ast.Name):
            if inner.id != "float":
                return False
        elif not isinstance(
            inner,
            (ast.Constant, ast.Tuple, ast.List, ast.Dict, ast.UnaryOp, ast.USub, ast.Load),
        ):
            return False
    return True


def _check_stub(stub: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """A fake's ``stub_<method>``: ``self, *outputs, error=None, pending=False``, passing them
    on with the endpoint's constant and nothing else."""
    assert isinstance(stub, ast.FunctionDef) and stub.name.startswith("stub_")
    args = stub.args
    assert [a.arg for a in args.args] == ["self"] and args.vararg is not None
    assert args.vararg.arg == "outputs"
    assert [a.arg for a in args.kwonlyargs] == ["error", "pending"]
    assert [ast.unparse(d) for d in args.kw_defaults if d is not None] == ["None", "False"]
    body = [n for n in stub.body if not isinstance(n, ast.Expr) or isinstance(n.value, ast.Call)]
    assert len(body) == 1 and isinstance(body[0], ast.Expr)
    call = body[0].value
    assert isinstance(call, ast.Call) and _is_attr(call.func, "self", {"_stub"})
    assert [ast.unparse(a) for a in call.args[1:]] == ["outputs", "error", "pending"]
    assert isinstance(call.args[0], ast.Name) and call.args[0].id.startswith("_")


def check_module(source: str) -> None:
    tree = ast.parse(source)
    compile(
        tree, "<generated>", "exec", dont_inherit=True
    )  # duplicate arguments, misplaced names...
    defined: list[str] = []
    typed_dict_classes: set[str] = set()
    methods: set[str] = set()
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Expr) and i > 0:
            # The runtime version check, right after the runtime is imported: nothing else.
            assert isinstance(tree.body[i - 1], ast.Import)
            assert ast.unparse(tree.body[i - 1]) == "import gradio_codegen.runtime as _rt"
            call = node.value
            assert isinstance(call, ast.Call) and _is_attr(call.func, "_rt", {"require"})
            assert len(call.args) == 2 and not call.keywords
            assert isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)
            assert isinstance(call.args[1], ast.Name) and call.args[1].id == "__name__"
        elif isinstance(node, ast.Expr):
            assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        elif isinstance(node, ast.ImportFrom):
            if node.module == "typing":
                assert {a.name for a in node.names} <= TYPING
            elif node.module == "collections.abc":
                assert {a.name for a in node.names} <= ABC
            else:
                assert node.module == "gradio_codegen.runtime"
                assert {(a.name, a.asname) for a in node.names} <= {
                    ("shapes", "_s"),
                    ("testing", "_testing"),
                    ("FileInput", None),
                    ("RemoteFile", None),
                    *((name, None) for name in ERRORS),
                }
            defined += [a.asname or a.name for a in node.names]
        elif isinstance(node, ast.Import):
            imported = [(a.name, a.asname) for a in node.names]
            assert imported in ([("gradio_codegen.runtime", "_rt")], [("sys", None)])
            defined.append(imported[0][1] or imported[0][0])
        elif isinstance(node, ast.If):  # the backports of NotRequired/TypedDict and ReadOnly
            version = ast.unparse(node.test)
            branches = [node.body, node.orelse]
            assert [[ast.unparse(stmt).split(" import ")[0] for stmt in b] for b in branches] == [
                ["from typing"],
                ["from typing_extensions"],
            ]
            names = [sorted(a.name for a in b[0].names) for b in branches]  # type: ignore[attr-defined]
            assert names[0] == names[1]
            assert (version, names[0]) in (
                ("sys.version_info >= (3, 11)", ["NotRequired", "TypedDict"]),
                ("sys.version_info >= (3, 11)", ["TypedDict"]),
                ("sys.version_info >= (3, 13)", ["ReadOnly"]),
            ), (version, names[0])
            defined += names[0]
        elif isinstance(node, ast.Assign):
            assert len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            name = node.targets[0].id
            value = node.value
            if name == "__all__":
                assert isinstance(value, ast.List) and all(
                    isinstance(e, ast.Constant) for e in value.elts
                )
            elif name == "APP":
                assert isinstance(value, ast.Call) and _is_attr(value.func, "_rt", {"AppSpec"})
            elif name == "_default":
                assert isinstance(value, ast.Call) and _is_attr(
                    value.func, "_rt", {"DefaultClient"}
                )
            elif name.endswith("_SHAPE"):
                assert (
                    name.startswith("_")
                    and isinstance(value, ast.Call)
                    and _is_attr(value.func, "_s", {"Object"})
                )
            else:  # functional TypedDict
                assert (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id == "TypedDict"
                )
                assert isinstance(value.args[0], ast.Constant) and value.args[0].value == name
            defined.append(name)
        elif isinstance(node, ast.AnnAssign):
            assert isinstance(node.target, ast.Name) and node.target.id.startswith("_")
            name = node.target.id
            value = node.value
            if not (isinstance(value, ast.Call) and _is_attr(value.func, "_rt", {"Endpoint"})):
                # a large default or a long choice list: plain data only
                assert value is not None and _is_literal(value), name
            defined.append(name)
        elif isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            assert bases in (
                ["TypedDict"],
                ["NamedTuple"],
                ["_rt.Client"],
                ["_rt.AsyncClient"],
                ["_testing.Stubs"],
                ["_FakeStubs", "_testing.FakeClient", "Client"],
                ["_FakeStubs", "_testing.AsyncFakeClient", "AsyncClient"],
            ), bases
            assert not node.keywords
            # Only a result TypedDict that is one alternative of a union is marked @final.
            decorators = [ast.unparse(d) for d in node.decorator_list]
            assert decorators == [] or (decorators == ["final"] and bases == ["TypedDict"])
            if bases == ["TypedDict"]:
                typed_dict_classes.add(node.name)
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    methods.add(item.name)
                    assert not item.name.startswith("_")
                    if bases == ["_testing.Stubs"]:
                        _check_stub(item)
                    else:
                        assert not item.name.startswith("stub_"), item.name
                elif not isinstance(item, ast.Expr):  # a docstring
                    assert isinstance(item, ast.AnnAssign)
            defined.append(node.name)
        elif isinstance(node, ast.FunctionDef):
            assert not node.decorator_list
            defined.append(node.name)
        else:
            raise AssertionError(f"unexpected top-level statement: {ast.dump(node)[:200]}")
    assert len(defined) == len(set(defined)), "a module-level name is bound twice"
    for name in defined:
        assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name), name

    module_names = set(defined)
    typed_dict_names = typed_dict_classes | {
        n.targets[0].id
        for n in tree.body
        if isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Call)
        and ast.unparse(n.value.func) == "TypedDict"
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in typed_dict_classes:
            for item in node.body:
                if isinstance(item, ast.AnnAssign):
                    # Class-syntax keys are JSON keys that are plain identifiers by construction.
                    assert isinstance(item.target, ast.Name) and is_plain_identifier(item.target.id)
                    annotation_names = (
                        typed_dict_names
                        | TYPING
                        | ABC
                        | BUILTIN_TYPES
                        | {"FileInput", "RemoteFile"}
                    )
                    assert item.target.id not in annotation_names and not item.target.id.startswith(
                        "_"
                    )
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = [a.arg for a in node.args.args + node.args.kwonlyargs]
            if node.args.vararg is not None:  # a stub's *outputs
                params.append(node.args.vararg.arg)
            assert len(params) == len(set(params))
            for p in params:
                assert (
                    p.isidentifier()
                    and p.isascii()
                    and not keyword.iskeyword(p)
                    and not p.startswith("_")
                )
            allowed = module_names | TYPING | BUILTIN_TYPES | set(params) | {"self"}
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name):
                    assert inner.id in allowed, inner.id
        if isinstance(node, ast.Call):
            func = node.func
            ok = (
                _is_attr(func, "_rt", RUNTIME_CTORS | {"require"})
                or _is_attr(func, "_s", SHAPES)
                or _is_attr(func, "self", {"_predict", "_submit", "_stub"})
                or _is_attr(func, "_default", {"get", "use"})
                or (isinstance(func, ast.Name) and func.id == "TypedDict")
                or (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Call)
                    and _is_attr(func.value.func, "_default", {"get"})
                    and func.attr in methods
                )
                or (
                    isinstance(func, ast.Name)
                    and func.id == "float"
                    and [ast.literal_eval(a) for a in node.args] in (["inf"], ["-inf"], ["nan"])
                )
            )
            assert ok, ast.unparse(node)[:200]
            for kw in node.keywords:
                assert kw.arg is not None  # no **expansion
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            base = node.value.id
            allowed_attrs = {
                "_rt": RUNTIME_ATTRS,
                "_s": SHAPES,
                "self": {"_predict", "_submit", "_stub"},
                "_testing": {"Stubs", "FakeClient", "AsyncFakeClient"},
                "_default": {"get", "use"},
                "sys": {"version_info"},
            }
            assert base in allowed_attrs and node.attr in allowed_attrs[base], ast.unparse(node)
        assert not isinstance(
            node, (ast.Lambda, ast.Import, ast.Global, ast.Nonlocal, ast.Await)
        ) or (isinstance(node, ast.Await) or isinstance(node, ast.Import))
        if isinstance(node, ast.Name) and node.id not in module_names | TYPING | BUILTIN_TYPES | {
            "self"
        }:
            pass  # parameter names, checked per function above
    # Every module-level Name use refers to something the module defines or imports.
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Store):
                    assert inner.id in module_names | TYPING | BUILTIN_TYPES, inner.id


def _generate(info: dict[str, Any], *, format_code: bool, **kw: Any) -> str:
    snapshot = snapshot_from_documents(info, None, source="http://127.0.0.1:7860")
    return generate(snapshot, diagnostics=Diagnostics(), format_code=format_code, **kw)


@pytest.mark.timeout(900)  # a few seconds on an idle machine; generous for a shared one
@settings(max_examples=examples(700), deadline=None, suppress_health_check=list(HealthCheck))
@given(api_infos(), st.booleans())
def test_any_schema_gives_the_intended_module(info: dict[str, Any], include_hidden: bool) -> None:
    check_module(_generate(info, format_code=False, include_hidden=include_hidden))


@pytest.mark.timeout(900)
@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
@given(api_infos())
def test_black_formatted_output_passes_the_same_check(info: dict[str, Any]) -> None:
    source = _generate(info, format_code=True)
    check_module(source)
    assert _generate(info, format_code=True) == source


def test_the_check_rejects_injected_code() -> None:
    """The checker itself must catch what it is there to catch."""
    good = _generate(
        {"named_endpoints": {"/x": {"parameters": [], "returns": []}}}, format_code=True
    )
    check_module(good)
    for bad in (
        good + "\nimport os\n",
        good + "\nprint('hi')\n",
        good.replace("return self._predict(_X)", "return __import__('os')  # type: ignore"),
        good + "\n\ndef y() -> None:\n    os.system('x')\n",
    ):
        try:
            check_module(bad)
        except AssertionError:
            continue
        raise AssertionError("check_module accepted:\n" + bad[-200:])


SIMPLE_PARAMS = st.lists(
    st.fixed_dictionaries(
        {
            "label": LABELS,
            "parameter_name": st.one_of(texts, st.none()),
            "type": st.just({"type": "string"}),
        }
    ),
    max_size=5,
)
SIMPLE_RETURNS = st.lists(
    st.fixed_dictionaries({"label": LABELS, "type": st.just({"type": "string"})}), max_size=4
)


@pytest.mark.timeout(900)
@settings(max_examples=examples(1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(texts, st.tuples(SIMPLE_PARAMS, SIMPLE_RETURNS), min_size=1, max_size=6), texts
)
def test_names_are_valid_unique_and_never_reserved(
    endpoints: dict[str, Any], class_label: str
) -> None:
    """The naming half alone, on many more examples: no rendering, just the model's names."""
    info = {
        "named_endpoints": {
            "/" + k: {"parameters": p, "returns": r} for k, (p, r) in endpoints.items()
        }
    }
    snapshot = snapshot_from_documents(info, None, source="x")
    app = build(snapshot, diagnostics=Diagnostics())
    reserved = module_reserved_names("Client", "AsyncClient") - {"Client", "AsyncClient"}
    module_level = (
        [app.class_name, app.async_class_name, "APP", *ERRORS]
        + [
            app.fake_class_name,
            app.async_fake_class_name,
        ]
        + [td.name for td in app.typed_dicts]
    )
    for ep in app.endpoints:
        module_level += [ep.method_name, ep.submit_name] + (
            [ep.result_name] if ep.result_name else []
        )
        params = [p.name for p in ep.parameters]
        fields = [o.name for o in ep.outputs]
        assert len(set(params)) == len(params) and "self" not in params
        assert len(set(fields)) == len(fields)
        if ep.result_name:
            assert not {"count", "index"} & set(fields)
        for name in params + fields + [ep.method_name]:
            assert (
                name.isidentifier()
                and name.isascii()
                and not keyword.iskeyword(name)
                and not name.startswith("_")
            )
        assert ep.method_name not in reserved and ep.submit_name not in reserved
        assert ep.stub_name == f"stub_{ep.method_name}" and ep.stub_name not in reserved
    stubs = [ep.stub_name for ep in app.endpoints]
    assert len(set(stubs)) == len(stubs) and not set(stubs) & set(module_level)
    assert len(set(module_level)) == len(module_level)
    assert len({ep.const_name for ep in app.endpoints}) == len(app.endpoints)


def test_choices_shown_in_a_docstring_cannot_end_it() -> None:
    """Without a label, a docstring describes a value by its type, whose choices are schema text."""
    breakout = '"""); import os; ("""'
    info = {
        "named_endpoints": {
            "/x": {
                "parameters": [{"label": "", "type": {"enum": [breakout]}, "component": None}],
                "returns": [{"label": "", "type": {"enum": [breakout]}, "component": None}],
            }
        }
    }
    for format_code in (False, True):
        source = _generate(info, format_code=format_code)
        check_module(source)
        function = next(
            n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "x"
        )
        assert breakout in (ast.get_docstring(function) or "")  # text inside the docstring
