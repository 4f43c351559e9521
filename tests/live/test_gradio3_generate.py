"""``gradio-codegen URL`` on real Gradio 3 servers (3.50.2, and 3.36.1 when its venv is built):
the app is recognised without a ``protocol``, its API read from ``/info?serialize=False``, and the
snapshot records the websocket protocol and each endpoint's queue flag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clirun import run
from servers import available_gradio3_versions, start_server

GRADIO3 = available_gradio3_versions()
VERSION = {"3": "3.50.2", "3.36": "3.36.1"}
pytestmark = pytest.mark.skipif(not GRADIO3, reason="no Gradio 3 venv; run scripts/bootstrap g3")


@pytest.mark.parametrize("major", GRADIO3)
def test_generate_from_a_live_gradio3_app(server_pool: Any, major: str, tmp_path: Path) -> None:
    server = server_pool.get("text_echo", major)
    code, _, stderr = run("snapshot", server.url, "-o", str(tmp_path / "app.json"))
    assert code == 0, stderr
    snapshot = json.loads((tmp_path / "app.json").read_text())
    assert snapshot["protocol"] == "ws"
    assert snapshot["gradio_version"] == VERSION[major]
    assert snapshot["api_prefix"] == ""
    assert {name: e["queue"] for name, e in snapshot["endpoints"].items()} == {
        "/echo": True,
        "/concat": True,
    }
    code, _, stderr = run(server.url, "-o", str(tmp_path / "sdk.py"))
    assert code == 0, stderr
    module = (tmp_path / "sdk.py").read_text()
    assert 'protocol="ws"' in module
    assert 'def concat(self, a: str = "", b: str = "", sep: str = " ")' in module


def test_an_app_without_the_queue_is_generated_for_post_run(tmp_path: Path) -> None:
    server = start_server("text_echo", GRADIO3[0], args=["--no-queue"])
    try:
        code, _, stderr = run("snapshot", server.url, "-o", str(tmp_path / "app.json"))
    finally:
        server.stop()
    assert code == 0, stderr
    snapshot = json.loads((tmp_path / "app.json").read_text())
    assert {e["queue"] for e in snapshot["endpoints"].values()} == {False}
