"""Reading the raw documents into a snapshot: what is kept from /config, visibility, the hash."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.errors import NotJsonError, SchemaError, SourceError
from gradio_codegen.codegen.schema import Snapshot
from gradio_codegen.codegen.sources import load, snapshot_from_documents

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def _docs(major: int, app: str, info: str = "info.json") -> tuple[dict[str, Any], dict[str, Any]]:
    folder = SHARED / f"gradio{major}" / app
    return json.loads((folder / info).read_text()), json.loads((folder / "config.json").read_text())


@pytest.mark.parametrize("major", [4, 5, 6])
def test_snapshot_keeps_what_the_generator_needs(major: int) -> None:
    info, config = _docs(major, "state_counter")
    snap = snapshot_from_documents(info, config, source="http://127.0.0.1:7860")
    assert snap.gradio_version == config["version"]
    assert snap.api_prefix == ("" if major == 4 else "/gradio_api")
    assert snap.protocol == "sse_v3"
    assert snap.endpoints is not None
    increment = snap.endpoints["/increment"]
    assert [s.skip_api for s in increment.inputs] == [False, True, True]
    assert [s.skip_api for s in increment.outputs] == [False, True, True]
    assert increment.visibility == "public" and increment.stream is False
    assert snap.schema_hash.startswith("sha256:")


@pytest.mark.parametrize("major", [4, 5, 6])
def test_generators_and_fn_index_come_from_config(major: int) -> None:
    info, config = _docs(major, "streaming")
    snap = snapshot_from_documents(info, config, source="x")
    assert snap.endpoints is not None
    for key, endpoint in snap.endpoints.items():
        dep = next(d for d in config["dependencies"] if "/" + str(d["api_name"]) == key)
        assert endpoint.fn_index == dep["id"]
        assert endpoint.stream == dep["types"]["generator"]
    assert any(e.stream for e in snap.endpoints.values())


@pytest.mark.parametrize("major", [4, 5, 6])
def test_hidden_endpoints_are_marked_and_private_ones_dropped(major: int) -> None:
    info, config = _docs(major, "multi_endpoints", "info_all_endpoints.json")
    snap = snapshot_from_documents(info, config, source="x")
    assert snap.endpoints is not None
    assert snap.endpoints["/hidden_divide"].visibility == "undocumented"
    assert snap.endpoints["/add"].visibility == "public"
    assert "/false" not in snap.endpoints and "/unnamed" not in snap.endpoints


def test_props_that_matter_are_kept_and_ui_props_dropped() -> None:
    info, config = _docs(6, "scalar_inputs")
    snap = snapshot_from_documents(info, config, source="x")
    assert snap.endpoints is not None
    slider = snap.endpoints["/summarize"].inputs[2]
    assert slider.component == "slider"
    assert slider.props == {"label": "Slider", "minimum": 0, "maximum": 10, "step": 0.5}


def test_hash_ignores_source_and_code_snippets_but_not_the_schema() -> None:
    info, config = _docs(6, "text_echo")
    a = snapshot_from_documents(info, config, source="http://127.0.0.1:1")
    moved = json.loads(json.dumps(info).replace("17861", "9999"))
    b = snapshot_from_documents(moved, config, source="http://127.0.0.1:2")
    assert a.schema_hash == b.schema_hash
    assert "code_snippets" not in json.dumps(a.api_info)
    info["named_endpoints"]["/echo"]["parameters"][0]["type"] = {"type": "integer"}
    c = snapshot_from_documents(info, config, source="http://127.0.0.1:1")
    assert c.schema_hash != a.schema_hash


def test_snapshot_round_trips_through_its_file(tmp_path: Path) -> None:
    info, config = _docs(5, "complex_outputs")
    snap = snapshot_from_documents(info, config, source="http://127.0.0.1:7860")
    path = tmp_path / "app.schema.json"
    path.write_text(snap.to_json())
    diagnostics = Diagnostics()
    again = load(str(path), diagnostics=diagnostics)
    assert again == snap
    assert not diagnostics.items


def test_edited_snapshot_warns(tmp_path: Path) -> None:
    info, config = _docs(6, "text_echo")
    data = json.loads(snapshot_from_documents(info, config, source="x").to_json())
    data["api_info"]["named_endpoints"]["/echo"]["description"] = "changed"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    diagnostics = Diagnostics()
    load(str(path), diagnostics=diagnostics)
    assert any("edited" in d.message for d in diagnostics)


def test_view_api_dict_and_raw_info_without_config(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    snap = load(
        str(SHARED / "gradio6" / "text_echo" / "view_api.json"),
        diagnostics=diagnostics,
        source="http://h:1",
    )
    assert snap.endpoints is None and snap.source == "http://h:1"
    assert set(snap.info().named_endpoints) == {"/echo", "/concat"}
    assert any("fn_index is looked up on first call" in d.message for d in diagnostics)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "neither a gradio-codegen snapshot nor Gradio API info"),
        ('{"named_endpoints": []}', "does not look like Gradio API info"),
        ('{"named_endpoints": {"/x": {"parameters": 3}}}', "does not look like Gradio API info"),
        ('{"format": "gradio-codegen-snapshot", "format_version": 7}', "is damaged"),
    ],
)
def test_bad_schema_files_raise_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SchemaError, match=message):
        load(str(path), diagnostics=Diagnostics())


def test_config_that_is_not_a_gradio_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"hello": 1}')
    with pytest.raises(SchemaError, match="not a Gradio config"):
        load(
            str(SHARED / "gradio6" / "text_echo" / "info.json"),
            diagnostics=Diagnostics(),
            config_path=str(tmp_path / "config.json"),
        )


def test_missing_file_and_unknown_source() -> None:
    with pytest.raises(SourceError, match="does not exist"):
        load("/nonexistent/app.json", diagnostics=Diagnostics())
    with pytest.raises(
        SourceError, match="is neither a URL nor a Space id.*may also be a schema file"
    ):
        load("not a source", diagnostics=Diagnostics())


def test_space_id_with_an_unreachable_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(
        "HF_ENDPOINT", f"http://127.0.0.1:{port}"
    )  # closed: no request leaves the host
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    with pytest.raises(SourceError, match="Could not reach the Hugging Face Hub"):
        load("someone/some-space", diagnostics=Diagnostics(), timeout=5)


def test_snapshot_model_rejects_unknown_fields() -> None:
    with pytest.raises(Exception):
        Snapshot.model_validate({"source": "x", "api_info": {}, "surprise": 1})


# -- hostile documents ---------------------------------------------------------------------------


def test_documents_nest_at_most_max_depth_levels() -> None:
    from gradio_codegen.codegen.schema import MAX_DEPTH, parse_document

    def nested(levels: int) -> str:
        return '{"a": ' * (levels - 1) + "[]" + "}" * (levels - 1)

    assert parse_document(nested(MAX_DEPTH), "doc", "fix it") is not None
    with pytest.raises(
        SchemaError, match=f"doc nests objects or arrays deeper than {MAX_DEPTH} levels"
    ):
        parse_document(nested(MAX_DEPTH + 1), "doc", "fix it")
    # Deeper than Python's own parser goes: the same error, not a RecursionError.
    with pytest.raises(SchemaError, match="deeper than"):
        parse_document("[" * 200_000 + "]" * 200_000, "doc", "fix it")


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("9" * 10_000, SchemaError, "holds a value Python cannot read"),
        ("<html>hello</html>", NotJsonError, r"is not valid JSON \(line 1, column 1"),
        (b"\xff\xfe{", NotJsonError, "is not"),
    ],
)
def test_what_python_cannot_read_is_a_schema_error(
    text: str | bytes, error: type[Exception], message: str
) -> None:
    from gradio_codegen.codegen.schema import parse_document

    with pytest.raises(error, match=message):
        parse_document(text, "doc", "fix it")


def test_documents_given_as_objects_are_checked_too() -> None:
    from gradio_codegen.codegen.schema import MAX_DEPTH
    from gradio_codegen.codegen.sources import snapshot_from_documents

    deep: object = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(SchemaError, match="deeper than"):
        snapshot_from_documents({"named_endpoints": {}, "x": deep}, None, source="")
    with pytest.raises(SchemaError, match="the /config document nests"):
        snapshot_from_documents({"named_endpoints": {}}, {"x": deep}, source="")
