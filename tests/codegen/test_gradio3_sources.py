"""Where a Gradio 3 schema comes from: a live app (here a stand-in serving the captured 3.50.2 and
3.36.1 documents) or saved files. The real servers are in ``tests/live/test_gradio3_generate.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clirun import run
from gradio_codegen.codegen import gradio3, sources
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.errors import SchemaError
from gradio_codegen.codegen.schema import Snapshot
from hostile_app import HostileApp

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
CAPTURES = {"3.50.2": SCHEMAS / "gradio3", "3.36.1": SCHEMAS / "gradio3.36"}


def _documents(version: str, app: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = CAPTURES[version] / app
    config = json.loads((folder / "config.json").read_text())
    info = json.loads((folder / "info_raw.json").read_text())
    return config, info


def _serve(app: HostileApp, config: dict[str, Any], info: dict[str, Any] | None) -> None:
    """Answer ``/config`` and ``/info`` as a 3.x app does: at the root, the wire form of the
    API info only with ``?serialize=False``."""

    def send_config(h: Any) -> None:
        h.send_json(200, config)

    def send_info(h: Any) -> None:
        if info is None:
            h.send_json(404, {"detail": "Not Found"})
        elif h.query.get("serialize") != ["False"]:
            h.send_json(500, {"detail": "the client-side view: the generator must not read it"})
        else:
            h.send_json(200, info)

    app.routes[("GET", "/config")] = send_config
    app.routes[("GET", "/info")] = send_info


@pytest.mark.parametrize("version", sorted(CAPTURES))
def test_a_live_gradio3_app_becomes_a_ws_snapshot(version: str) -> None:
    config, info = _documents(version, "state_counter")
    with HostileApp() as app:
        _serve(app, config, info)
        diagnostics = Diagnostics()
        snapshot = sources.load(app.url, diagnostics=diagnostics, timeout=30)
        asked = [seen.path for seen in app.seen]
    assert asked == ["/config", "/info?serialize=False"], "3.x has no API prefix"
    assert snapshot.protocol == "ws"
    assert snapshot.gradio_version == version, "the newline of 3.36.1's version is stripped"
    assert snapshot.api_prefix == ""
    assert snapshot.endpoints is not None
    increment = snapshot.endpoints["/increment"]
    assert [slot.component for slot in increment.inputs] == ["number", "state", "state"]
    assert [slot.skip_api for slot in increment.inputs] == [False, True, True], "State: null"
    assert all(endpoint.queue for endpoint in snapshot.endpoints.values())
    assert not list(diagnostics), "a tested release generates without a word"


def test_an_app_without_the_queue_records_its_endpoints_outside_it() -> None:
    config, info = _documents("3.50.2", "text_echo.noqueue")
    assert config["enable_queue"] is False
    with HostileApp() as app:
        _serve(app, config, info)
        snapshot = sources.load(app.url, diagnostics=Diagnostics(), timeout=30)
    assert snapshot.endpoints is not None
    assert {name: e.queue for name, e in snapshot.endpoints.items()} == {
        "/echo": False,
        "/concat": False,
    }


def test_the_queue_flag_changes_the_hash_only_where_it_is_off() -> None:
    """Snapshots written before the flag existed keep their hash; an endpoint moving out of the
    queue is a change the hash shows."""
    config, info = _documents("3.50.2", "text_echo")
    docs = gradio3.convert(config, info, diagnostics=Diagnostics())
    same = sources.snapshot_from_documents(docs.info, docs.config, source="")
    off_config = json.loads(json.dumps(docs.config))
    off_config["dependencies"][0]["queue"] = False
    off = sources.snapshot_from_documents(docs.info, off_config, source="")
    assert off.schema_hash != same.schema_hash
    plain = same.model_dump()
    for endpoint in plain["endpoints"].values():
        del endpoint["queue"]
    assert Snapshot.model_validate(plain).with_hash().schema_hash == same.schema_hash


def test_gradio_below_3_26_is_refused_naming_the_oldest_supported_release() -> None:
    config, _ = _documents("3.36.1", "text_echo")
    config = {**config, "version": "3.20.1\n"}
    with HostileApp() as app:
        _serve(app, config, None)
        with pytest.raises(SchemaError) as caught:
            sources.load(app.url, diagnostics=Diagnostics(), timeout=30)
        asked = [seen.path for seen in app.seen]
    assert "Gradio 3.20.1" in str(caught.value)
    assert "supports Gradio 3.26 and later" in str(caught.value)
    assert asked == ["/config"], "the version is judged before /info is asked for"


def test_an_untested_3x_release_warns() -> None:
    config, info = _documents("3.36.1", "text_echo")
    config = {**config, "version": "3.30.0"}
    with HostileApp() as app:
        _serve(app, config, info)
        code, _, stderr = run(app.url, "-o", "-")
    assert code == 0
    assert "best-effort" in stderr


def test_saved_gradio3_documents_generate_like_the_live_app(tmp_path: Path) -> None:
    folder = CAPTURES["3.50.2"] / "image_io"
    out = tmp_path / "sdk.py"
    code, _, stderr = run(
        str(folder / "info_raw.json"),
        "--config",
        str(folder / "config.json"),
        "--src",
        "http://127.0.0.1:7860",
        "-o",
        str(out),
    )
    assert code == 0, stderr
    text = out.read_text()
    assert 'protocol="ws"' in text
    assert "def flip(" in text


def test_a_saved_client_side_info_is_refused_with_what_to_save(tmp_path: Path) -> None:
    """``/info`` without ``?serialize=False`` types an image as a local path, which the app
    cannot read: refused, saying which document to save instead."""
    folder = CAPTURES["3.50.2"] / "image_io"
    info = json.loads((folder / "info_raw.json").read_text())
    info["named_endpoints"]["/flip"]["parameters"][0]["python_type"] = {
        "type": "str",
        "description": "filepath on your computer (or URL) of image",
    }
    saved = tmp_path / "info.json"
    saved.write_text(json.dumps(info))
    code, _, stderr = run(str(saved), "--config", str(folder / "config.json"), "-o", "-")
    assert code == 2
    assert "/info?serialize=False" in stderr
