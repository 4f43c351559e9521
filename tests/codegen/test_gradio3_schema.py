"""Gradio 3 schemas through ``codegen.gradio3.convert`` and the ordinary pipeline.

Each captured app (``tests/fixtures/schemas/gradio3`` = 3.50.2, ``gradio3.36`` = 3.36.1) is turned
into an SDK; the SDK's methods must carry the names, defaults and choices the app's source declares
(``tests/apps3/<app>/app.py`` or ``tests/apps/<app>/app.py``), and the snapshot the endpoints'
positions, State slots, streaming and queue flags.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.errors import SchemaError
from gradio_codegen.codegen.gradio3 import (
    Gradio3Documents,
    convert,
    is_gradio3,
    normalize_choices,
)
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.schema import Snapshot
from gradio_codegen.codegen.sources import snapshot_from_documents
from thoroughness import examples

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
VERSIONS = {"3.50.2": SCHEMAS / "gradio3", "3.36.1": SCHEMAS / "gradio3.36"}
REQUIRED = inspect.Parameter.empty


@dataclass(frozen=True)
class Expected:
    """One endpoint as the app declares it: parameters ``(name, default or REQUIRED)``, the
    choices of choice parameters, result field names of a multi-output endpoint."""

    params: list[tuple[str, Any]]
    choices: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    stream: bool = False
    queued: bool = True


WEIRD = Expected(
    [
        ("class_", ""),
        ("arg_2nd_value", REQUIRED),  # gr.Number without a value: starts empty
        ("naive_input", ""),  # the function's own default ("café") is not published by 3.x
        ("api_name", ""),
        ("def_", "fast"),
        ("grosse_unicode", REQUIRED),
    ],
    choices={"def_": ("fast", "slow")},
    fields=("return_", "value_2_value"),  # "2× value": the usual rule for a leading digit
)
NUMBERS = [("a", 1.0), ("b", 2.0)]
APPS: dict[str, dict[str, Expected]] = {
    "text_echo": {
        "/echo": Expected([("text", "")]),
        "/concat": Expected([("a", ""), ("b", ""), ("sep", " ")]),
    },
    "text_echo.noqueue": {
        "/echo": Expected([("text", "")], queued=False),
        "/concat": Expected([("a", ""), ("b", ""), ("sep", " ")], queued=False),
    },
    "scalar_inputs": {
        "/summarize": Expected(
            [
                ("text", ""),  # a 3.x Textbox without a value holds "": that is its default
                ("number", 3),
                ("slider", 5),
                ("flag", False),
                ("radio", "red"),
                ("dropdown", REQUIRED),
                ("multi", ("apple",)),  # a list default is written as a tuple
                ("group", ()),
            ],
            choices={
                "radio": ("red", "green", "blue"),
                "dropdown": ("a", "b", "c"),
                # Dropdown([("Apple", "apple"), ("Pear", "pear")]): 3.36 writes "('Apple', 'apple')"
                "multi": ("apple", "pear"),
                "group": ("x", "y", "z"),
            },
        )
    },
    "image_io": {
        "/flip": Expected([("image_filepath", REQUIRED)]),
        "/invert": Expected([("image_numpy", REQUIRED)]),
        "/gray": Expected([("image_pil", REQUIRED)]),
    },
    "audio_video": {
        "/tone": Expected([("frequency", 440), ("seconds", 0.5)]),
        "/audio_info": Expected([("audio_file", REQUIRED)]),
        "/reverse": Expected([("audio_numpy", REQUIRED)]),
        "/video": Expected([("video_in", REQUIRED)]),
    },
    "streaming": {
        "/count": Expected([("n", 5), ("delay", 0.05)], stream=True),
        "/grow_list": Expected([("n", 5)], stream=True),
        "/stream_chat": Expected([("message", "")], stream=True),
        "/two_outputs": Expected([("n", 5)], fields=("status", "index_"), stream=True),
    },
    "state_counter": {
        "/increment": Expected([("step", 1)]),
        "/history": Expected([]),
    },
    "progress_errors": {
        "/slow": Expected([("steps", 3)]),
        "/notify": Expected([("text", "")]),
        "/fail": Expected([("text", "")]),
        "/crash": Expected([("text", "")]),
        "/fail_midstream": Expected([("steps", 3)], stream=True),
    },
    "files_io": {
        "/file_stats": Expected([("input_file", REQUIRED)], fields=("stats", "stats_file")),
        "/bundle": Expected([("input_files", REQUIRED)]),
        "/gallery": Expected([("count", 2)]),
        "/mesh": Expected([("size", 1.0)]),
    },
    "multi_endpoints": {
        # gr.Button("mul") without api_name is unnamed in 3.x; api_name=False is private.
        "/add": Expected(NUMBERS),
        "/subtract": Expected(NUMBERS),
        "/hidden_divide": Expected(NUMBERS),  # 3.x cannot hide an endpoint
        "/fast_max": Expected(NUMBERS, queued=False),  # queue=False
        "/sleepy": Expected([("seconds", 5)]),
    },
    "interface_app": {
        "/predict": Expected(
            [("name", ""), ("times", 2), ("excited", False), ("style", "plain")],
            choices={"style": ("plain", "shout")},
        )
    },
    "weird_labels": {"/weird-name.v2": WEIRD, "/class": WEIRD},
}
CASES = [(version, app) for version in VERSIONS for app in APPS]


def documents(version: str, app: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = VERSIONS[version] / app
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    info = json.loads((folder / "info_raw.json").read_text(encoding="utf-8"))
    return config, info


@dataclass
class Converted:
    docs: Gradio3Documents
    snapshot: Snapshot
    diagnostics: Diagnostics
    sdk: ModuleType


_MODULES: dict[tuple[str, str], Converted] = {}


def converted(version: str, app: str, tmp_dir: Path) -> Converted:
    """The app's documents converted, made a snapshot, generated and imported (once per case)."""
    key = (version, app)
    if key not in _MODULES:
        config, info = documents(version, app)
        diagnostics = Diagnostics()
        docs = convert(config, info, diagnostics=diagnostics)
        snapshot = snapshot_from_documents(docs.info, docs.config, source="http://127.0.0.1:7860")
        source = generate(snapshot, diagnostics=diagnostics)
        name = f"g3_{version.replace('.', '_')}_{app.replace('.', '_')}_sdk"
        path = tmp_dir / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _MODULES[key] = Converted(docs, snapshot, diagnostics, module)
    return _MODULES[key]


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("gradio3_sdks")
    _MODULES.clear()


def method_name(api_name: str) -> str:
    return {"/weird-name.v2": "weird_name_v2", "/class": "class_"}.get(api_name, api_name[1:])


def literal_values(annotation: Any) -> tuple[Any, ...] | None:
    """The choices of ``Literal[...]`` or ``Sequence[Literal[...]]`` (``None`` for other types)."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    args = typing.get_args(annotation)
    if len(args) == 1 and typing.get_origin(args[0]) is typing.Literal:
        return typing.get_args(args[0])
    return None


# -- every captured app, through the whole pipeline ----------------------------------------------


@pytest.mark.parametrize("version, app", CASES)
def test_every_endpoint_and_parameter_is_as_the_app_declares(
    version: str, app: str, sdk_dir: Path
) -> None:
    result = converted(version, app, sdk_dir)
    expected = APPS[app]
    assert list(result.snapshot.info().named_endpoints) == list(expected)
    for api_name, want in expected.items():
        for cls in (result.sdk.Client, result.sdk.AsyncClient):
            method = getattr(cls, method_name(api_name))
            params = list(inspect.signature(method).parameters.values())[1:]
            got = [(p.name, p.default) for p in params]
            assert got == want.params, f"{version} {api_name}"
            hints = typing.get_type_hints(method)
            choices = {p.name: literal_values(hints[p.name]) for p in params}
            assert {k: v for k, v in choices.items() if v is not None} == want.choices, api_name
        if want.fields:
            result_type = typing.get_type_hints(getattr(result.sdk.Client, method_name(api_name)))
            assert result_type["return"]._fields == want.fields


@pytest.mark.parametrize("version, app", CASES)
def test_snapshot_records_positions_streaming_queue_and_protocol(
    version: str, app: str, sdk_dir: Path
) -> None:
    config, _ = documents(version, app)
    result = converted(version, app, sdk_dir)
    snapshot = result.snapshot
    assert snapshot.protocol == "ws"
    assert snapshot.gradio_version == version  # "3.36.1\n" arrives with a newline
    assert snapshot.api_prefix == ""
    assert result.docs.version == tuple(int(p) for p in version.split("."))
    assert snapshot.endpoints is not None
    for api_name, want in APPS[app].items():
        position = next(
            i for i, d in enumerate(config["dependencies"]) if d["api_name"] == api_name[1:]
        )
        endpoint = snapshot.endpoints[api_name]
        assert endpoint.fn_index == position, "a 3.x fn_index is the dependency's position"
        assert endpoint.stream is want.stream
        assert result.docs.queued[api_name] is want.queued
        assert result.docs.config["dependencies"][position]["queue"] is want.queued
    generator_warnings = [d for d in result.diagnostics if "unnamed" not in d.message]
    assert generator_warnings == []


@pytest.mark.parametrize("version", VERSIONS)
def test_state_slots_are_kept_as_positions_sent_as_null(version: str, sdk_dir: Path) -> None:
    snapshot = converted(version, "state_counter", sdk_dir).snapshot
    assert snapshot.endpoints is not None
    increment = snapshot.endpoints["/increment"]
    assert [(s.component, s.skip_api) for s in increment.inputs] == [
        ("number", False),
        ("state", True),
        ("state", True),
    ]
    assert [s.skip_api for s in increment.outputs] == [False, True, True]
    history = snapshot.endpoints["/history"]
    assert [(s.component, s.skip_api) for s in history.inputs] == [("state", True)]


@pytest.mark.parametrize("version", VERSIONS)
def test_files_images_and_galleries_are_typed_as_files(version: str, sdk_dir: Path) -> None:
    sdk = converted(version, "files_io", sdk_dir).sdk
    hints = typing.get_type_hints(sdk.Client.file_stats)
    assert hints["input_file"] == sdk.FileInput | None  # an empty file input is null
    assert typing.get_type_hints(sdk.Client.mesh)["return"] == sdk.RemoteFile | None
    gallery = typing.get_type_hints(sdk.Client.gallery)["return"]
    assert gallery == list[sdk.GalleryImage] | None
    image = converted(version, "image_io", sdk_dir).sdk
    flip = typing.get_type_hints(image.Client.flip)
    assert flip["image_filepath"] == image.FileInput | None
    assert flip["return"] == image.RemoteFile | None


def test_choice_labels_reach_the_docstring(sdk_dir: Path) -> None:
    """3.36 writes a (label, value) choice as a string, 3.50 as a pair: both show the label."""
    for version in VERSIONS:
        doc = converted(version, "scalar_inputs", sdk_dir).sdk.Client.summarize.__doc__
        assert "'apple' (Apple), 'pear' (Pear)" in doc


def test_queue_off_for_the_whole_app_means_no_endpoint_is_queued() -> None:
    config, info = documents("3.50.2", "text_echo.noqueue")
    assert config["enable_queue"] is False
    docs = convert(config, info, diagnostics=Diagnostics())
    assert dict(docs.queued) == {"/echo": False, "/concat": False}


def test_unnamed_and_private_endpoints_are_not_generated(sdk_dir: Path) -> None:
    config, _ = documents("3.50.2", "multi_endpoints")
    result = converted("3.50.2", "multi_endpoints", sdk_dir)
    assert not hasattr(result.sdk.Client, "multiply")  # gr.Button("mul"): no api_name in 3.x
    assert not hasattr(result.sdk.Client, "secret")  # api_name=False
    assert config["dependencies"][3]["api_name"] is False
    assert result.docs.config["dependencies"][3]["api_name"] is False
    assert list(result.docs.info["unnamed_endpoints"]) == ["2", "8"]


# -- versions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("major", [4, 5, 6])
def test_configs_of_gradio_4_and_later_are_not_gradio3(major: int) -> None:
    config = json.loads((SCHEMAS / f"gradio{major}" / "text_echo" / "config.json").read_text())
    assert not is_gradio3(config)


def test_gradio3_is_told_by_the_missing_protocol() -> None:
    config, _ = documents("3.36.1", "text_echo")
    assert config["version"] == "3.36.1\n" and "protocol" not in config
    assert is_gradio3(config)
    assert not is_gradio3({**config, "protocol": "sse_v3"})
    assert is_gradio3({"dependencies": [], "components": []})  # no version: still not 4+


def test_a_release_without_info_is_refused_naming_the_oldest_supported() -> None:
    config, info = documents("3.50.2", "text_echo")
    with pytest.raises(SchemaError, match=r"Gradio 3\.20\.1.*no /info.*3\.26 and later"):
        convert({**config, "version": "3.20.1\n"}, info, diagnostics=Diagnostics())
    with pytest.raises(SchemaError, match=r"Gradio release cannot be told.*3\.26"):
        convert({**config, "version": "three"}, info, diagnostics=Diagnostics())


def test_releases_before_the_tested_ones_are_best_effort() -> None:
    config, info = documents("3.36.1", "text_echo")
    diagnostics = Diagnostics()
    docs = convert({**config, "version": "3.30.0"}, info, diagnostics=diagnostics)
    assert docs.version == (3, 30, 0)
    assert [d.message for d in diagnostics][0].startswith("Gradio 3.30.0 is supported on a best")
    tested = Diagnostics()
    convert(config, info, diagnostics=tested)
    assert list(tested) == []


# -- choices -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, pairs",
    [
        (["red", "green"], [["red", "red"], ["green", "green"]]),  # 3.36 plain choices
        ([["Apple", "apple"]], [["Apple", "apple"]]),  # 3.50 pairs
        (["('Apple', 'apple')"], [["Apple", "apple"]]),  # 3.36 tuple written as a string
        (["(\"it's\", 'x')"], [["it's", "x"]]),
        (["('One', 1)"], [["One", 1]]),
        ([1, 2.5], [["1", 1], ["2.5", 2.5]]),
        (["(not a tuple)"], [["(not a tuple)", "(not a tuple)"]]),
        (["('a', 'b', 'c')"], [["('a', 'b', 'c')", "('a', 'b', 'c')"]]),
        (["(('a', 'b'), 'c')"], [["(('a', 'b'), 'c')", "(('a', 'b'), 'c')"]]),
        ([], []),
    ],
)
def test_choices_become_label_value_pairs(raw: list[Any], pairs: list[list[Any]]) -> None:
    assert normalize_choices(raw) == pairs


def test_a_choice_written_as_code_is_a_plain_string_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"(__import__('pathlib').Path({str(marker)!r}).touch(), 'x')"
    assert normalize_choices([text]) == [[text, text]]
    assert not marker.exists()
    huge = "('" + "a" * 100_000 + "', 'b')"
    assert normalize_choices([huge]) == [[huge, huge]]
    deep = "(" * 5000 + ")" * 5000
    assert normalize_choices([deep]) == [[deep, deep]]


@pytest.mark.parametrize("raw", [[None], [["a"]], [{"a": 1}], [True], "abc", None])
def test_choices_that_are_not_plain_values_are_refused(raw: Any) -> None:
    assert normalize_choices(raw) is None


def test_choices_that_are_not_plain_leave_the_parameter_open() -> None:
    config, info = documents("3.50.2", "scalar_inputs")
    radio = next(c for c in config["components"] if c["type"] == "radio")
    radio["props"]["choices"] = [{"weird": 1}]
    diagnostics = Diagnostics()
    docs = convert(config, info, diagnostics=diagnostics)
    param = docs.info["named_endpoints"]["/summarize"]["parameters"][4]
    assert param["parameter_name"] == "Radio" and "enum" not in param["type"]
    assert any("not plain values" in d.message for d in diagnostics)


# -- documents that do not line up, or are not documents at all ---------------------------------


def test_config_and_info_that_disagree_keep_the_names_only() -> None:
    config, info = documents("3.50.2", "scalar_inputs")
    config["dependencies"][0]["inputs"] = config["dependencies"][0]["inputs"][:3]
    diagnostics = Diagnostics()
    docs = convert(config, info, diagnostics=diagnostics)
    params = docs.info["named_endpoints"]["/summarize"]["parameters"]
    assert [p["parameter_name"] for p in params][:2] == ["Text", "Number"]
    assert not any(p["parameter_has_default"] for p in params)
    assert any("/config lists 3 inputs" in d.message for d in diagnostics)


def test_a_component_without_a_label_is_named_by_its_id() -> None:
    config, info = documents("3.50.2", "text_echo")
    for component in config["components"]:
        component["props"].pop("label", None)
    for entry in info["named_endpoints"].values():
        for value in entry["parameters"] + entry["returns"]:
            value["label"] = None
    docs = convert(config, info, diagnostics=Diagnostics())
    echo = docs.info["named_endpoints"]["/echo"]
    component_in, component_out = (
        config["dependencies"][0]["inputs"][0],
        config["dependencies"][0]["outputs"][0],
    )
    assert echo["parameters"][0]["parameter_name"] == f"parameter_{component_in}"
    assert echo["returns"][0]["label"] == f"value_{component_out}"


@pytest.mark.parametrize(
    "config, info, message",
    [
        ("not a dict", {"named_endpoints": {}}, "not the config of a Gradio 3 app"),
        ({"version": "4.44.1"}, {"named_endpoints": {}}, "not the config of a Gradio 3 app"),
        ({"version": "3.50.2"}, {"named_endpoints": {}}, "no 'dependencies' and 'components'"),
        (
            {"version": "3.50.2", "dependencies": [], "components": []},
            {"endpoints": {}},
            "not a JSON object with 'named_endpoints'",
        ),
    ],
)
def test_documents_that_are_not_a_gradio3_api_are_refused(
    config: Any, info: Any, message: str
) -> None:
    with pytest.raises(SchemaError, match=message):
        convert(config, info, diagnostics=Diagnostics())


_TEXT = st.text(alphabet="ab/(), '\"éx1²_", max_size=10)  # a small alphabet keeps drawing fast
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 20) | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_COMPONENT = st.fixed_dictionaries(
    {"id": st.integers(0, 5) | _JSON, "type": st.sampled_from(["radio", "state", "file"]) | _JSON},
    optional={"props": st.dictionaries(st.sampled_from(["label", "value", "choices"]), _JSON)},
)
_DEPENDENCY = st.dictionaries(
    st.sampled_from(["api_name", "inputs", "outputs", "queue", "types", "backend_fn"]), _JSON
)


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    components=st.lists(_COMPONENT | _JSON, max_size=5),
    dependencies=st.lists(_DEPENDENCY | _JSON, max_size=4),
    named=st.dictionaries(_TEXT, _JSON, max_size=4),
    unnamed=_JSON,
)
def test_hostile_documents_give_documents_or_a_schema_error(
    components: list[Any], dependencies: list[Any], named: dict[str, Any], unnamed: Any
) -> None:
    config = {"version": "3.50.2", "enable_queue": True, "components": components}
    config["dependencies"] = dependencies
    info = {"named_endpoints": named, "unnamed_endpoints": unnamed}
    try:
        docs = convert(config, info, diagnostics=Diagnostics())
    except SchemaError:
        return
    json.dumps(docs.info), json.dumps(docs.config)  # plain JSON out, whatever came in
    try:
        snapshot_from_documents(docs.info, docs.config, source="x")
    except SchemaError:
        pass


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], new)
    return copy


_REAL = {app: documents("3.50.2", app) for app in ("scalar_inputs", "state_counter", "files_io")}
_REAL_PATHS = {
    (app, which): [p for p in _paths(docs[which]) if p]
    for app, docs in _REAL.items()
    for which in (0, 1)
}


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_real_document_with_one_value_replaced_gives_documents_or_a_schema_error(
    data: st.DataObject,
) -> None:
    app = data.draw(st.sampled_from(sorted(_REAL)))
    which = data.draw(st.sampled_from([0, 1]))
    path = data.draw(st.sampled_from(_REAL_PATHS[(app, which)]))
    docs = list(_REAL[app])
    docs[which] = _replaced(docs[which], path, data.draw(_JSON))
    try:
        converted_docs = convert(docs[0], docs[1], diagnostics=Diagnostics())
    except SchemaError:
        return
    try:
        snapshot = snapshot_from_documents(converted_docs.info, converted_docs.config, source="x")
    except SchemaError:
        return
    generate(snapshot, diagnostics=Diagnostics(), format_code=False)  # warnings, never a crash
