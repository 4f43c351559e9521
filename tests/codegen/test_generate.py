"""Snapshot -> module: what the generated code looks like and how it behaves when imported."""

from __future__ import annotations

import ast
import inspect
import json
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import gradio_codegen.runtime as rt
from gradio_codegen.codegen.build import build
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.render import render
from gradio_codegen.codegen.schema import Snapshot
from gradio_codegen.codegen.sources import snapshot_from_documents
from gradio_codegen.codegen.spelling import ERRORS
from gradio_codegen.codegen.typemap import MAX_LITERAL_CHOICES
from gradio_codegen.runtime import testing

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def fixture_snapshot(major: int, app: str, info: str = "info.json") -> Snapshot:
    folder = SHARED / f"gradio{major}" / app
    return snapshot_from_documents(
        json.loads((folder / info).read_text()),
        json.loads((folder / "config.json").read_text()),
        source="http://127.0.0.1:7860",
    )


def param(
    name: str,
    schema: Any,
    *,
    component: str = "Textbox",
    label: Any = None,
    default: Any = ...,
    **extra: Any,
) -> dict[str, Any]:
    p = {
        "label": name if label is None else label,
        "parameter_name": name,
        "type": schema,
        "component": component,
    }
    if default is not ...:
        p.update(parameter_has_default=True, parameter_default=default)
    return p | extra


def ret(label: Any, schema: Any, component: str = "Textbox") -> dict[str, Any]:
    return {"label": label, "type": schema, "component": component}


def info_snapshot(
    endpoints: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]], **kw: Any
) -> Snapshot:
    info = {
        "named_endpoints": {
            k: {"parameters": p, "returns": r} | kw for k, (p, r) in endpoints.items()
        },
        "unnamed_endpoints": {},
    }
    return snapshot_from_documents(info, None, source="http://127.0.0.1:7860")


def gen(snapshot: Snapshot, **kw: Any) -> tuple[str, Diagnostics]:
    diagnostics = Diagnostics()
    return generate(snapshot, diagnostics=diagnostics, **kw), diagnostics


def load_source(source: str, name: str = "sdk_under_test") -> ModuleType:
    module = ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec", dont_inherit=True), module.__dict__)
    finally:
        del sys.modules[name]
    return module


STR = {"type": "string"}


@pytest.mark.parametrize("major", [4, 5, 6])
@pytest.mark.parametrize("app", ["complex_outputs", "chat_interface", "weird_labels"])
def test_generation_is_byte_identical_on_every_run(major: int, app: str) -> None:
    first, _ = gen(fixture_snapshot(major, app))
    second, _ = gen(fixture_snapshot(major, app))
    assert first == second
    ast.parse(first)


def test_text_echo_module_matches_the_contract() -> None:
    source, diagnostics = gen(fixture_snapshot(6, "text_echo"))
    assert not diagnostics.items
    sdk = load_source(source)
    assert isinstance(sdk.APP, rt.AppSpec) and sdk.APP.api_prefix == "/gradio_api"
    assert issubclass(sdk.Client, rt.Client) and issubclass(sdk.AsyncClient, rt.AsyncClient)
    assert (
        str(inspect.signature(sdk.Client.concat))
        == "(self, a: str, b: str, sep: str = ' ') -> str | None"
    )
    assert str(inspect.signature(sdk.concat)) == "(a: str, b: str, sep: str = ' ') -> str | None"
    assert inspect.iscoroutinefunction(sdk.AsyncClient.concat)
    assert sdk.__all__ == [
        "Client",
        "AsyncClient",
        "FakeClient",
        "AsyncFakeClient",
        "APP",
        "set_default_client",
        "echo",
        "submit_echo",
        "concat",
        "submit_concat",
        *sorted(ERRORS),
    ]
    # The runtime's errors, one import away for a user of the SDK: the very same classes.
    assert all(getattr(sdk, name) is getattr(rt, name) for name in ERRORS)
    assert issubclass(sdk.FakeClient, sdk.Client) and issubclass(sdk.FakeClient, testing.FakeClient)
    assert issubclass(sdk.AsyncFakeClient, sdk.AsyncClient)
    assert "Join two strings with a separator." in (sdk.concat.__doc__ or "")
    assert "Schema hash: sha256:" in (sdk.__doc__ or "")


def test_state_positions_are_in_the_endpoint_but_not_in_signatures() -> None:
    sdk = load_source(gen(fixture_snapshot(5, "state_counter"))[0])
    endpoint = next(
        v for v in vars(sdk).values() if isinstance(v, rt.Endpoint) and v.api_name == "/increment"
    )
    assert [type(s).__name__ for s in endpoint.inputs] == ["Param", "StateSlot", "StateSlot"]
    assert list(inspect.signature(sdk.Client.increment).parameters) == ["self", "step"]


def test_several_outputs_make_a_named_tuple() -> None:
    sdk = load_source(gen(fixture_snapshot(6, "complex_outputs"))[0])
    assert sdk.AnalyzeResult._fields == ("highlighted", "sentiment", "stats", "table")
    assert inspect.signature(sdk.Client.analyze).return_annotation is sdk.AnalyzeResult


def test_hidden_endpoints_only_with_include_hidden() -> None:
    snap = fixture_snapshot(6, "multi_endpoints", "info_all_endpoints.json")
    plain = load_source(gen(snap)[0])
    assert not hasattr(plain, "hidden_divide") and hasattr(plain, "add")
    everything = load_source(gen(snap, include_hidden=True)[0])
    assert hasattr(everything, "hidden_divide") and hasattr(
        everything.Client, "submit_hidden_divide"
    )
    assert not hasattr(everything, "false") and not hasattr(everything, "unnamed")


def test_hidden_endpoints_of_gradio_4_and_5_use_show_api() -> None:
    for major in (4, 5):
        snap = fixture_snapshot(major, "multi_endpoints", "info_all_endpoints.json")
        assert "hidden_divide" not in gen(snap)[0]
        assert "def hidden_divide(" in gen(snap, include_hidden=True)[0]


def test_class_name_renames_both_clients() -> None:
    sdk = load_source(gen(fixture_snapshot(6, "text_echo"), class_name="Echo")[0])
    assert issubclass(sdk.Echo, rt.Client) and issubclass(sdk.AsyncEcho, rt.AsyncClient)
    assert not hasattr(sdk, "Client")
    assert sdk.__all__[:2] == ["Echo", "AsyncEcho"]


def test_names_never_shadow_the_runtime_or_each_other() -> None:
    snap = info_snapshot(
        {
            "/close": (
                [param("self", STR), param("client", STR)],
                [ret("count", STR), ret("index", STR)],
            ),
            "/x": ([param("value", STR), param("value", STR)], [ret("", STR)]),
            "/submit_x": ([], []),
            "/Client": ([], [ret("a", STR), ret("a", STR)]),
            "/": ([], []),
        }
    )
    source, _ = gen(snap)
    sdk = load_source(source)
    assert "close" not in vars(sdk.Client)  # the runtime's close() stays the runtime's
    assert list(inspect.signature(sdk.Client.close_).parameters) == ["self", "self_", "client_"]
    assert sdk.CloseResult._fields == ("count_", "index_")
    assert list(inspect.signature(sdk.x).parameters) == ["value", "value_2"]
    assert (
        hasattr(sdk, "submit_x")
        and hasattr(sdk, "submit_x_2")
        and hasattr(sdk, "submit_submit_x_2")
    )
    assert sdk.ClientResult._fields == ("a", "a_2")
    assert inspect.signature(sdk.submit_submit_x_2).return_annotation == rt.Job[None]


def test_a_required_parameter_after_a_default_becomes_keyword_only() -> None:
    snap = info_snapshot(
        {"/f": ([param("a", STR, default="x"), param("b", STR), param("c", STR, default="y")], [])}
    )
    sdk = load_source(gen(snap)[0])
    assert str(inspect.signature(sdk.f)) == "(a: str = 'x', *, b: str, c: str = 'y') -> None"
    # Every docstring that shows the signature says why, and how to port a positional call.
    for doc in (sdk.f.__doc__, sdk.Client.f.__doc__, sdk.AsyncClient.f.__doc__):
        text = " ".join((doc or "").split())
        assert "``b`` and the parameters after it are keyword-only" in text
        assert "``f(..., b=..., c=...)``" in text
    plain = load_source(gen(fixture_snapshot(6, "text_echo"))[0])
    assert "keyword-only" not in (plain.concat.__doc__ or "")


def test_defaults_that_do_not_fit_widen_the_type() -> None:
    choice = {"enum": ["a", "b"], "type": "string"}
    snap = info_snapshot(
        {
            "/f": (
                [
                    param("none_default", STR, default=None),
                    param("other_choice", choice, component="Dropdown", default="z"),
                    param("number_text", {"type": "integer"}, component="Number", default="3"),
                    param("ok", {"type": "number"}, component="Number", default=2),
                ],
                [],
            )
        }
    )
    source, diagnostics = gen(snap)
    sdk = load_source(source)
    sig = inspect.signature(sdk.f)
    assert str(sig.parameters["none_default"]) == "none_default: str | None = None"
    assert str(sig.parameters["other_choice"]) == "other_choice: Literal['a', 'b', 'z'] = 'z'"
    assert str(sig.parameters["number_text"]) == "number_text: int | str = '3'"
    assert str(sig.parameters["ok"]) == "ok: float = 2"
    warned = [d.where for d in diagnostics]
    assert any("other_choice" in w for w in warned) and any("number_text" in w for w in warned)
    assert not any("none_default" in w or "'ok'" in w for w in warned)


def test_docstrings_show_choices_bounds_and_defaults() -> None:
    source, _ = gen(fixture_snapshot(6, "scalar_inputs"))
    sdk = load_source(source)
    doc = sdk.summarize.__doc__ or ""
    assert "slider: Slider. Between 0 and 10, step 0.5. Defaults to 5." in doc
    assert "multi: Dropdown. Any of: 'apple' (Apple), 'pear' (Pear). Defaults to ['apple']." in doc


def test_streaming_endpoints_are_marked_and_documented() -> None:
    sdk = load_source(gen(fixture_snapshot(6, "streaming"))[0])
    endpoints = [v for v in vars(sdk).values() if isinstance(v, rt.Endpoint)]
    streamed = [e for e in endpoints if e.stream]
    assert streamed
    name = streamed[0].api_name.strip("/")
    assert "streams this result" in (getattr(sdk.Client, name).__doc__ or "")


def test_without_config_fn_index_and_stream_are_unknown() -> None:
    diagnostics = Diagnostics()
    info = json.loads((SHARED / "gradio6" / "text_echo" / "info.json").read_text())
    snap = snapshot_from_documents(info, None, source="http://h:1")
    sdk = load_source(generate(snap, diagnostics=diagnostics))
    endpoint = sdk._ECHO
    assert endpoint.fn_index is None and endpoint.stream is None


def test_files_are_file_input_in_and_remote_file_out() -> None:
    sdk = load_source(gen(fixture_snapshot(6, "files_io"))[0])
    sig = inspect.signature(sdk.Client.file_stats)
    assert sig.parameters["path"].annotation == rt.FileInput | None  # an input left empty
    mesh = inspect.signature(sdk.Client.mesh)
    assert mesh.return_annotation == rt.RemoteFile | None


def test_functional_typed_dict_for_keys_that_are_not_identifiers() -> None:
    obj = {
        "type": "object",
        "title": "Odd",
        "properties": {"class": STR, "two words": STR, "ok": STR},
        "required": ["class"],
    }
    source, _ = gen(info_snapshot({"/f": ([], [ret("out", obj, "Json2")])}))
    assert 'Odd = TypedDict(\n    "Odd",' in source
    sdk = load_source(source)
    assert sdk.Odd.__required_keys__ == frozenset({"class"})
    assert sdk.Odd.__optional_keys__ == frozenset({"two words", "ok"})


def test_unnamed_endpoints_are_left_out_with_a_warning() -> None:
    info = {"named_endpoints": {}, "unnamed_endpoints": {"0": {"parameters": [], "returns": []}}}
    source, diagnostics = gen(snapshot_from_documents(info, None, source="x"))
    assert any("unnamed" in d.message for d in diagnostics)
    assert "def " not in source.split("class AsyncClient")[0].split("class Client")[1].replace(
        "def __", ""
    )


def test_public_face_of_the_generator() -> None:
    """Load and generate in two calls, from the package's own names."""
    import gradio_codegen.codegen as codegen

    assert all(hasattr(codegen, name) for name in codegen.__all__)
    diagnostics = codegen.Diagnostics()
    snapshot = codegen.load(
        str(SHARED / "gradio4" / "text_echo" / "info.json"),
        diagnostics=diagnostics,
        source="http://h:1",
    )
    assert "def echo(text: str) -> str | None:" in codegen.generate(
        snapshot, diagnostics=diagnostics
    )


def test_header_names_the_source_as_given_and_errors_the_method() -> None:
    """The "Regenerate with" line repeats the command's source, not the URL inside the snapshot."""
    diagnostics = Diagnostics()
    snapshot = fixture_snapshot(6, "text_echo")
    app = build(snapshot, diagnostics=diagnostics, regenerate_from="app.schema.json")
    source = render(app, format_code=False)
    assert "    gradio-codegen app.schema.json -o <this file>" in source
    assert source == render(
        build(snapshot, diagnostics=diagnostics, regenerate_from="app.schema.json"),
        format_code=False,
    )
    sdk = load_source(source)
    assert sdk._CONCAT.python_name == "concat"


def test_sequence_defaults_are_tuples_and_results_may_be_none() -> None:
    """No mutable default in a signature; every result admits None (an empty output is null)."""
    folder = (
        Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "gradio6" / "all_components"
    )
    snapshot = snapshot_from_documents(
        json.loads((folder / "info.json").read_text()),
        json.loads((folder / "config.json").read_text()),
        source="http://127.0.0.1:7860",
    )
    sdk = load_source(gen(snapshot)[0])
    sig = inspect.signature(sdk.Client.dropdowns)
    assert sig.parameters["multi"].default == ("a",)
    assert inspect.signature(sdk.Client.checkbox_group).parameters["value"].default == ()
    assert typing.get_type_hints(sdk.Client.textbox)["return"] == str | None


def test_argument_errors_name_the_endpoint_like_every_other_error() -> None:
    """``/weird-name v2`` is called as ``weird_name_v2()``, which the caller's traceback shows;
    the message starts with the API name, as every error of a call does (``e.endpoint``)."""
    snapshot = info_snapshot({"/weird-name v2": ([param("text", STR)], [ret("out", STR)])})
    sdk = load_source(gen(snapshot)[0])
    assert sdk._WEIRD_NAME_V2.python_name == "weird_name_v2"
    with sdk.Client("http://127.0.0.1:9", validate=True) as client:  # never reached
        with pytest.raises(rt.InputError, match=r"^/weird-name v2: parameter 'text'") as wrong:
            client.weird_name_v2(5)
        assert wrong.value.endpoint == "/weird-name v2" and wrong.value.parameter == "text"
        with pytest.raises(rt.InputError, match=r"^/weird-name v2: takes 1 argument \(text\)"):
            client._predict(sdk._WEIRD_NAME_V2)


def test_bounds_are_checked_and_documented_without_config() -> None:
    """Without /config a Slider's bounds come from its schema text; a Number's from its props."""
    slider = {"type": "number", "description": "numeric value between -2 and 7.5"}
    snapshot = info_snapshot(
        {"/s": ([param("level", slider, component="Slider")], [ret("o", STR)])}
    )
    sdk = load_source(gen(snapshot)[0])
    assert "Between -2 and 7.5." in (sdk.Client.s.__doc__ or "")
    with sdk.Client("http://127.0.0.1:9") as client:  # never reached
        with pytest.raises(rt.InputError, match="must be between -2 and 7.5"):
            client.s(8)


def _table(rows: int, columns: int) -> dict[str, Any]:
    headers = ["model"] + [f"score_{i}" for i in range(columns - 1)]
    data = [[f"org/model-{r}"] + [r * 0.5 + c for c in range(columns - 1)] for r in range(rows)]
    return {"headers": headers, "data": data, "metadata": None}


def _leaderboard_snapshot(table: dict[str, Any], endpoints: int) -> Snapshot:
    """Endpoints that each take the same large Dataframe default, as a leaderboard app does."""
    info = json.loads((SHARED / "gradio6" / "all_components" / "info.json").read_text())
    dataframe = info["named_endpoints"]["/dataframe"]
    dataframe["parameters"][0]["parameter_default"] = table
    named = {f"/board_{i}": dataframe for i in range(endpoints)}
    return info_snapshot({k: (v["parameters"], v["returns"]) for k, v in named.items()})


def test_a_large_default_is_written_once_and_named_by_every_signature() -> None:
    table = _table(rows=200, columns=12)
    source, _ = gen(_leaderboard_snapshot(table, endpoints=3))
    sdk = load_source(source)
    constants = [n for n in vars(sdk) if n.endswith("_DEFAULT")]
    assert constants == ["_BOARD_0_VALUE_DEFAULT"]  # one constant for the three endpoints
    assert source.count('"org/model-199"') == 1  # the table is written once
    for function in (sdk.board_2, sdk.submit_board_1, sdk.Client.board_0, sdk.AsyncClient.board_1):
        default = inspect.signature(function).parameters["value"].default
        assert default is sdk._BOARD_0_VALUE_DEFAULT and default == table
    doc = " ".join((sdk.board_1.__doc__ or "").split())
    assert "Defaults to ``_BOARD_0_VALUE_DEFAULT``, a table of 200 rows and 12 columns." in doc
    # A default that fits a line stays in the signature.
    small, _ = gen(_leaderboard_snapshot(_table(rows=1, columns=2), endpoints=1))
    assert "_DEFAULT" not in small and "value: DataframeDataInput = {" in small


def test_a_long_choice_list_is_typed_by_its_values_and_checked_at_run_time() -> None:
    choices = [f"model-{i}" for i in range(MAX_LITERAL_CHOICES + 1)]
    few = ["small", "large"]
    snapshot = info_snapshot(
        {
            "/pick": (
                [
                    param("model", {"type": "string", "enum": choices}, component="Dropdown"),
                    param("size", {"type": "string", "enum": few}, component="Dropdown"),
                ],
                [ret("chosen", {"type": "string", "enum": choices}, component="Dropdown")],
            )
        }
    )
    source, _ = gen(snapshot)
    sdk = load_source(source)
    assert source.count('"model-100"') == 1  # the choices are written once
    assert sdk._PICK_MODEL_CHOICES == tuple(choices)
    sig = inspect.signature(sdk.Client.pick)
    assert str(sig.parameters["model"].annotation) == "<class 'str'>"
    assert sig.parameters["size"].annotation == typing.Literal["small", "large"]
    doc = " ".join((sdk.pick.__doc__ or "").split())
    assert f"One of the {len(choices)} choices in ``_PICK_MODEL_CHOICES``" in doc
    with sdk.Client("http://127.0.0.1:9") as client:  # never reached: checked before sending
        with pytest.raises(rt.InputError, match="model"):
            client.pick("model-9999", "small")


def test_imports_are_exactly_the_names_the_module_uses() -> None:
    """No dead import and nothing used that is not imported, in every fixture module."""
    for info in sorted(SHARED.glob("gradio[456]/*/info.json")):
        folder = info.parent
        source, _ = gen(fixture_snapshot(int(folder.parent.name[-1]), folder.name))
        tree = ast.parse(source)
        imported = {
            alias.asname or alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            and node.module in ("typing", "collections.abc")
            or isinstance(node, ast.ImportFrom)
            and node.module == "gradio_codegen.runtime"
            for alias in node.names
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.If)
            for stmt in node.body
            if isinstance(stmt, ast.ImportFrom)
            for alias in stmt.names
        }
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        exported = set(ast.literal_eval(source.split("__all__ = ", 1)[1].split("\n]", 1)[0] + "]"))
        unused = imported - {"shapes", "_s", "testing", "_testing"} - used
        assert unused <= set(ERRORS) <= exported, (folder, unused)


def test_code_that_does_not_parse_is_a_codegen_error_naming_the_line() -> None:
    """A generator bug surfaces as RenderError (a CodegenError the CLI reports), never as a
    module that fails at import."""
    from gradio_codegen.codegen import render as render_module
    from gradio_codegen.codegen.errors import CodegenError

    with pytest.raises(render_module.RenderError, match=r"does not parse .*'def f\(:'") as e:
        render_module._checked("def f(:\n    pass\n")
    assert isinstance(e.value, CodegenError)
    assert render_module._checked("    def g(self) -> None:\n        pass", in_class=True)


def test_a_default_outside_a_long_choice_list_leaves_no_unused_constant() -> None:
    choices = [f"model-{i}" for i in range(MAX_LITERAL_CHOICES + 1)]
    schema = {"type": "string", "enum": choices}
    snapshot = info_snapshot({"/pick": ([param("model", schema, default="custom")], [])})
    source, diagnostics = gen(snapshot)
    sdk = load_source(source)
    constants = [n for n in vars(sdk) if "_CHOICES" in n]
    assert len(constants) == 1  # the list widened by the default; the first one is not written
    assert getattr(sdk, constants[0]) == (*choices, "custom")
    assert any("widened" in d.message for d in diagnostics)


def test_an_older_runtime_fails_at_import_with_the_version_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check runs right after the runtime is imported, before any ``from ... import`` of it
    could fail first with "cannot import name"."""
    from gradio_codegen.runtime import _version

    source, _ = gen(fixture_snapshot(6, "text_echo"))
    lines = source.splitlines()
    first = lines.index("import gradio_codegen.runtime as _rt")
    assert lines[first + 1 : first + 3] == ["", f'_rt.require("{rt.__version__}", __name__)']
    imports = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
    runtime = [i for i in imports if "gradio_codegen" in lines[i]]
    assert runtime[0] == first and len(runtime) > 1  # the other runtime imports come after it
    assert load_source(source).APP.src == "http://127.0.0.1:7860"
    monkeypatch.setattr(_version, "__version__", "0.0.1")
    with pytest.raises(ImportError) as caught:
        load_source(source, name="old_runtime_sdk")
    message = str(caught.value)
    assert "old_runtime_sdk" in message and "0.0.1" in message
    assert f'pip install --upgrade "gradio-codegen-runtime>={rt.__version__}"' in message
