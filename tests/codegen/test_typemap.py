"""Component + JSON schema -> (annotation, runtime shape), on real fixture schemas and odd ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.model import NONE, TypeRef, TypedDictType, UnionType
from gradio_codegen.codegen.names import NameScope
from gradio_codegen.codegen.typemap import TypeMapper, is_file_schema

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
LOCAL = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def _mapper() -> tuple[TypeMapper, Diagnostics]:
    diagnostics = Diagnostics()
    return TypeMapper(NameScope({"Client"}), diagnostics, NameScope()), diagnostics


def _map(
    schema: Any, component: str | None = None, *, output: bool = False, **props: Any
) -> tuple[TypeRef, Diagnostics]:
    mapper, diagnostics = _mapper()
    ref = mapper.map_value(
        schema, component=component, props=props, output=output, hint="thing", where="test"
    )
    return ref, diagnostics


def _fixture_param(
    root: Path, major: int, app: str, endpoint: str, index: int, kind: str = "parameters"
) -> dict[str, Any]:
    info = json.loads((root / f"gradio{major}" / app / "info.json").read_text())
    return info["named_endpoints"][endpoint][kind][index]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("schema", "component", "props", "annotation", "shape"),
    [
        ({"type": "string"}, "Textbox", {}, "str", "_s.Str()"),
        ({"type": "number"}, "Number", {}, "float", "_s.Float()"),
        ({"type": "integer"}, "Number", {}, "int", "_s.Int()"),
        ({"type": "number"}, "Number", {"precision": 0}, "int", "_s.Int()"),  # Gradio 4 spelling
        (
            {"type": "number", "description": "numeric value between 0 and 10"},
            "Slider",
            {},
            "float",
            "_s.Float(minimum=0, maximum=10)",
        ),
        (  # config props win over the description
            {"type": "number", "description": "numeric value between 0 and 10"},
            "Slider",
            {"minimum": -1.5, "maximum": 2},
            "float",
            "_s.Float(minimum=-1.5, maximum=2)",
        ),
        ({"type": "number"}, "Number", {"minimum": 1}, "float", "_s.Float(minimum=1)"),
        ({"type": "boolean"}, "Checkbox", {}, "bool", "_s.Bool()"),
        (
            {"enum": ["a", "b"], "type": "string"},
            "Radio",
            {},
            'Literal["a", "b"]',
            '_s.Choice(("a", "b"))',
        ),
        ({"enum": ["a"], "type": "string"}, "Dropdown", {}, 'Literal["a"]', '_s.Choice(("a",))'),
        (
            {"enum": ["cat", "dog"], "type": "string"},
            "Dropdown",
            {"allow_custom_value": True},
            'Literal["cat", "dog"] | str',
            '_s.Choice(("cat", "dog"), custom=True)',
        ),
        (
            {"items": {"enum": ["x", "y"], "type": "string"}, "type": "array"},
            "Checkboxgroup",
            {},
            'Sequence[Literal["x", "y"]]',
            '_s.List(_s.Choice(("x", "y")))',
        ),
        (
            {"items": {"enum": ["x"], "type": "string"}, "type": "array"},
            "Dropdown",
            {"allow_custom_value": True, "multiselect": True},
            'Sequence[Literal["x"] | str]',
            '_s.List(_s.Choice(("x",), custom=True))',
        ),
        # Numeric Radio values: the enum decides, not the contradicting "type": "string".
        (
            {"enum": [1, 2, 0.5], "type": "string"},
            "Radio",
            {},
            "Literal[1, 2] | float",
            "_s.Choice((1, 2, 0.5))",
        ),
        (
            {"type": "string", "description": "Formatted as YYYY-MM-DD HH:MM:SS"},
            "Datetime",
            {},
            "str",
            "_s.Str()",
        ),
        ({"type": "string"}, "Colorpicker", {}, "str", "_s.Str()"),
        ({"type": {}, "description": "any valid json"}, "Json", {}, "Any", "_s.Json()"),
        ({}, "Json", {}, "Any", "_s.Json()"),
        ({}, "Textbox", {}, "Any", "_s.Any()"),
        (
            {"anyOf": [{"type": "string"}, {"type": "null"}]},
            None,
            {},
            "str | None",
            "_s.Optional(_s.Str())",
        ),
        ({"type": ["integer", "null"]}, None, {}, "int | None", "_s.Optional(_s.Int())"),
        (
            {"anyOf": [{"type": "null"}, {"type": "string"}, {"type": "number"}]},
            None,
            {},
            "str | float | None",
            "_s.Union(_s.Str(), _s.Float(), _s.Null())",
        ),
        ({"type": "array"}, None, {}, "Sequence[Any]", "_s.List(_s.Any())"),
        (
            {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            None,
            {},
            "tuple[str, int]",
            "_s.Tuple(_s.Str(), _s.Int())",
        ),
        ({"type": "object"}, None, {}, "Mapping[str, Any]", "_s.Mapping(_s.Any())"),
        (
            {"type": "object", "additionalProperties": {"type": "number"}},
            None,
            {},
            "Mapping[str, float]",
            "_s.Mapping(_s.Float())",
        ),
        ({"const": "text"}, None, {}, 'Literal["text"]', '_s.Choice(("text",))'),
    ],
)
def test_component_and_schema_mapping(
    schema: Any, component: str | None, props: dict[str, Any], annotation: str, shape: str
) -> None:
    ref, diagnostics = _map(schema, component, **props)
    assert (ref.annotation().replace("'", '"'), ref.shape().replace("'", '"')) == (
        annotation,
        shape,
    )
    assert not diagnostics.items


@pytest.mark.parametrize("major", [4, 5, 6])
def test_file_components_are_files_in_and_out(major: int) -> None:
    """A file argument may be None: what a browser sends for a file input left empty."""
    file_in = _fixture_param(SHARED, major, "files_io", "/file_stats", 0)
    ref, _ = _map(file_in["type"], file_in["component"])
    assert (ref.annotation(), ref.shape()) == ("FileInput | None", "_s.Optional(_s.File())")
    files_in = _fixture_param(SHARED, major, "files_io", "/bundle", 0)
    ref, _ = _map(files_in["type"], files_in["component"])
    assert (ref.annotation(), ref.shape()) == (
        "Sequence[FileInput] | None",
        "_s.Optional(_s.List(_s.File()))",
    )
    mesh = _fixture_param(SHARED, major, "files_io", "/mesh", 0, "returns")
    ref, _ = _map(mesh["type"], mesh["component"], output=True)
    assert (ref.annotation(), ref.shape()) == ("RemoteFile", "_s.File()")
    image = _fixture_param(SHARED, major, "image_io", "/flip", 0)  # ImageData on 5/6: path optional
    ref, _ = _map(image["type"], image["component"])
    assert ref.annotation() == "FileInput | None"


def test_video_is_an_object_on_4_and_5_and_a_file_on_6() -> None:
    for major in (4, 5):
        video = _fixture_param(SHARED, major, "audio_video", "/video", 0)
        ref, _ = _map(video["type"], video["component"])
        assert isinstance(ref, UnionType) and ref.options[1] == NONE  # left empty: None
        inner = ref.options[0]
        assert isinstance(inner, TypedDictType)
        assert ref.annotation() == "VideoDataInput | None"
        fields = {f.key: (f.type.annotation(), f.required) for f in inner.definition.fields}
        assert fields == {"video": ("FileInput", True), "subtitles": ("FileInput | None", False)}
    video6 = _fixture_param(SHARED, 6, "audio_video", "/video", 0)
    ref, _ = _map(video6["type"], video6["component"])
    assert ref.annotation() == "FileInput | None"


FILE_SCHEMA = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "meta": {"default": {"_type": "gradio.FileData"}}},
}


@pytest.mark.parametrize(
    ("component", "schema", "annotation"),
    [
        ("Image", FILE_SCHEMA, "FileInput | None"),
        ("Pdf", FILE_SCHEMA, "FileInput | None"),  # a custom component holding one file
        ("File", {"type": "array", "items": FILE_SCHEMA}, "Sequence[FileInput] | None"),
        ("Gallery", {"type": "array", "items": {"type": "string"}}, "Sequence[str] | None"),
        (
            "Imageslider",
            {"type": "array", "prefixItems": [FILE_SCHEMA, FILE_SCHEMA]},
            "tuple[FileInput, FileInput] | None",
        ),
        # Components a browser submits a value for even when the person leaves them empty.
        (
            "Imageeditor",
            {"type": "object", "title": "Editor", "properties": {"layers": FILE_SCHEMA}},
            "EditorInput",
        ),
        ("Chatbot", {"type": "array", "items": {"type": "string"}}, "Sequence[str]"),
        ("Textbox", {"type": "string"}, "str"),
    ],
)
def test_inputs_a_browser_sends_as_null_when_left_empty_may_be_none(
    component: str, schema: dict[str, Any], annotation: str
) -> None:
    ref, diagnostics = _map(schema, component)
    assert ref.annotation() == annotation
    assert not diagnostics.items


def test_file_results_are_unchanged_by_the_empty_input_rule() -> None:
    ref, _ = _map(FILE_SCHEMA, "Image", output=True)
    assert (ref.annotation(), ref.shape()) == ("RemoteFile", "_s.File()")


def test_gallery_6_is_a_list_of_image_or_video_items() -> None:
    gallery = _fixture_param(SHARED, 6, "files_io", "/gallery", 0, "returns")
    mapper, _ = _mapper()
    ref = mapper.map_value(
        gallery["type"], component="Gallery", props={}, output=True, hint="g", where="t"
    )
    assert ref.annotation() == "list[GalleryImage | GalleryVideo]"
    image = next(td for td in mapper.typed_dicts if td.name == "GalleryImage")
    assert {f.key: f.type.annotation() for f in image.fields} == {
        "image": "RemoteFile",
        "caption": "str | None",
    }


def test_chatbot_messages_6_have_content_parts_and_shared_definitions() -> None:
    info = json.loads((SHARED / "gradio6" / "complex_outputs" / "info.json").read_text())
    chatbot = info["named_endpoints"]["/chat_once"]["returns"][0]
    mapper, diagnostics = _mapper()
    ref = mapper.map_value(
        chatbot["type"], component="Chatbot", props={}, output=True, hint="c", where="t"
    )
    assert ref.annotation() == "list[Message]"
    message = next(td for td in mapper.typed_dicts if td.name == "Message")
    content = next(f for f in message.fields if f.key == "content")
    assert content.type.annotation() == "list[TextMessage | FileMessage | ComponentMessage]"
    # Mapping the same schema again reuses the definitions instead of creating Message2.
    mapper.map_value(
        chatbot["type"], component="Chatbot", props={}, output=True, hint="c", where="t"
    )
    assert [td.name for td in mapper.typed_dicts].count("Message") == 1
    assert "Message2" not in [td.name for td in mapper.typed_dicts]
    assert not diagnostics.items


def test_dataframe_label_highlighted_text_become_typed_dicts() -> None:
    info = json.loads((SHARED / "gradio5" / "complex_outputs" / "info.json").read_text())
    returns = info["named_endpoints"]["/analyze"]["returns"]
    got = [_map(r["type"], r["component"], output=True)[0].annotation() for r in returns]
    assert got == ["list[HighlightedToken]", "LabelData", "Any", "DataframeData"]


def test_file_detection_is_structural() -> None:
    file_v4 = {
        "properties": {
            "path": {"type": "string"},
            "meta": {"default": {"_type": "gradio.FileData"}},
        }
    }
    assert is_file_schema(file_v4)
    meta_ref = {"properties": {"path": {"type": "string"}, "meta": {"$ref": "#/$defs/M"}}}
    defs = {"M": {"properties": {"_type": {"const": "gradio.FileData"}}}}
    assert is_file_schema(meta_ref, defs)
    assert not is_file_schema(
        {"properties": {"path": {"type": "string"}, "meta": {"type": "object"}}}
    )
    assert not is_file_schema({"properties": {"path": {"type": "string"}}})


def test_keys_that_are_not_identifiers_keep_their_spelling() -> None:
    schema = {
        "type": "object",
        "title": "Odd",
        "properties": {"class": {"type": "string"}, "2x": {"type": "integer"}},
        "required": ["class"],
    }
    ref, _ = _map(schema, output=True)
    assert isinstance(ref, TypedDictType)
    assert [f.key for f in ref.definition.fields] == ["class", "2x"]
    assert ref.shape() == "_ODD_SHAPE"
    assert (
        ref.definition.shape_expression().text()
        == '_s.Object({"class": _s.Str(), "2x": _s.Int()}, required=("class",))'
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"$ref": "#/$defs/Missing"}, "unresolved $ref"),
        ({"type": "quaternion"}, "unknown schema type"),
        ({"anyOf": []}, "anyOf without alternatives"),
        ({"enum": [{"a": 1}]}, "not a plain value"),
        ("just a string", "schema is not an object"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "allOf"),
    ],
)
def test_odd_schemas_become_any_with_a_warning(schema: Any, message: str) -> None:
    ref, diagnostics = _map(schema)
    assert (ref.annotation(), ref.shape()) == ("Any", "_s.Any()")
    assert any(message in d.message for d in diagnostics), [str(d) for d in diagnostics]


def test_recursive_schema_is_cut_with_a_warning() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "title": "Node",
                "properties": {"child": {"$ref": "#/$defs/Node"}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    ref, diagnostics = _map(schema, output=True)
    assert ref.annotation() == "Node"
    assert isinstance(ref, TypedDictType)
    assert ref.definition.fields[0].type.annotation() == "Any"
    assert any("recursive" in d.message for d in diagnostics)


def test_type_names_never_take_reserved_module_names() -> None:
    schema = {"type": "object", "title": "Client", "properties": {"a": {"type": "string"}}}
    ref, _ = _map(schema, output=True)
    assert ref.annotation() == "Client_"


def test_every_component_in_the_repository_fixtures_maps_without_warnings() -> None:
    """all_components has one endpoint per value component, on each major."""
    for major in (4, 5, 6):
        info = json.loads((LOCAL / f"gradio{major}" / "all_components" / "info.json").read_text())
        for name, endpoint in info["named_endpoints"].items():
            for kind in ("parameters", "returns"):
                for item in endpoint[kind]:
                    ref, diagnostics = _map(
                        item["type"], item["component"], output=kind == "returns"
                    )
                    assert not diagnostics.items, (major, name, [str(d) for d in diagnostics])
                    assert ref.annotation()


def test_choice_outputs_admit_values_outside_the_choices() -> None:
    """The server does not hold outputs to the choices (seen: '/off_the_list' returns 'xl')."""
    ref, _ = _map({"enum": ["s", "m"], "type": "string"}, "Dropdown", output=True)
    assert (ref.annotation(), ref.shape()) == ('Literal["s", "m"] | str', '_s.Choice(("s", "m"))')
    ref, _ = _map({"enum": [1, 2], "type": "string"}, "Radio", output=True)
    assert ref.annotation() == "Literal[1, 2] | float"
    ref, _ = _map({"enum": [1, 2], "type": "string"}, "Radio")
    assert ref.annotation() == "Literal[1, 2]"
    ref, _ = _map(
        {"items": {"enum": ["x"], "type": "string"}, "type": "array"}, "Checkboxgroup", output=True
    )
    assert ref.annotation() == 'list[Literal["x"] | str]'


def test_argument_and_result_typed_dicts_split_where_they_read_differently() -> None:
    """Results declare every key (pydantic dumps send them all); arguments may leave optional ones
    out and take any sequence: two classes, the argument one suffixed ``Input``."""
    schema = {
        "type": "object",
        "title": "Pair",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "array", "items": {"type": "string"}, "default": []},
            "c": {"type": "string"},  # no default: a key a plain TypedDict may leave out
        },
        "required": ["a"],
    }
    mapper, _ = _mapper()
    out = mapper.map_value(schema, component=None, props={}, output=True, hint="h", where="w")
    arg = mapper.map_value(schema, component=None, props={}, output=False, hint="h", where="w")
    assert isinstance(out, TypedDictType) and isinstance(arg, TypedDictType)
    assert (out.annotation(), arg.annotation()) == ("Pair", "PairInput")
    assert [out.definition.field_annotation(f).text() for f in out.definition.fields] == [
        "str",
        "list[str]",
        "NotRequired[str]",
    ]
    # Argument keys are read-only: a result (every key present, lists) is a valid argument.
    assert [arg.definition.field_annotation(f).text() for f in arg.definition.fields] == [
        "ReadOnly[str]",
        "NotRequired[ReadOnly[Sequence[str]]]",
        "NotRequired[ReadOnly[str]]",
    ]
    same = {
        "type": "object",
        "title": "Same",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }
    one = mapper.map_value(same, component=None, props={}, output=True, hint="h", where="w")
    two = mapper.map_value(same, component=None, props={}, output=False, hint="h", where="w")
    assert one == two


def test_native_plot_results_are_their_wire_value() -> None:
    schema = {"type": {}, "description": "any valid json"}
    ref, diagnostics = _map(schema, "Lineplot", output=True)
    assert isinstance(ref, TypedDictType) and not diagnostics.items
    assert ref.annotation() == "NativePlotData"
    assert [f.key for f in ref.definition.fields] == ["columns", "data", "datatypes", "mark"]
    assert _map(schema, "Barplot", output=True)[0].annotation() == "NativePlotData"
    assert _map(schema, "Lineplot")[0].annotation() == "Any"  # as an argument: left open
