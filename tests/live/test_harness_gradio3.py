"""The Gradio 3 test servers: ``.venvs/g3`` (3.50.2, built by default and in CI) and the opt-in
``.venvs/g3.36`` (3.36.1) hold their pinned versions, an app starts under each with the websocket
queue on (or off, when asked) and answers as a 3.x server does, and ``stop()`` ends it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from typing import Any

import pytest

from servers import (
    APPS,
    ROOT,
    VENVS,
    available_gradio3_versions,
    start_server,
    venv_python,
)

REQUIREMENTS = ROOT / "tests" / "requirements"
GRADIO3 = available_gradio3_versions()
needs_gradio3 = pytest.mark.skipif(
    not GRADIO3, reason=f"no Gradio 3 venv under {VENVS}; run scripts/bootstrap g3"
)


def pins(major: str) -> dict[str, str]:
    result = {}
    for line in (REQUIREMENTS / f"g{major}.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert (
                sep
            ), f"g{major}.txt: {line!r} is not an exact pin (bootstrap checks name==version)"
            result[name.strip()] = version.strip()
    return result


def installed(major: str, names: list[str]) -> dict[str, str | None]:
    script = (
        "import importlib.metadata as m, json, sys\n"
        "def v(n):\n"
        "    try: return m.version(n)\n"
        "    except m.PackageNotFoundError: return None\n"
        "print(json.dumps({n: v(n) for n in sys.argv[1:]}))"
    )
    out = subprocess.run(
        [str(venv_python(major)), "-P", "-c", script, *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until(condition: Any, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_ci_builds_the_gradio3_venv() -> None:
    if os.environ.get("CI") != "true":
        if "3" not in GRADIO3:
            pytest.skip(f"no .venvs/g3 under {VENVS}; run scripts/bootstrap g3")
    assert (
        "3" in GRADIO3
    ), "CI must build .venvs/g3 (Gradio 3.50.2): scripts/bootstrap builds it by default"


@needs_gradio3
@pytest.mark.parametrize("major", GRADIO3)
def test_gradio3_venv_has_the_pinned_versions(major: str) -> None:
    wanted = pins(major)
    assert wanted["gradio"].startswith("3.")
    assert installed(major, list(wanted)) == wanted


@needs_gradio3
@pytest.mark.parametrize("major", GRADIO3)
def test_text_echo_runs_queued_under_gradio3_and_stops(major: str) -> None:
    server = start_server("text_echo", major)
    try:
        assert server.api_prefix == ""
        config = get_json(f"{server.url}/config")
        # What tells a 3.x app apart: no protocol, and a version that may end in a newline.
        assert "protocol" not in config
        assert config["version"].strip() == pins(major)["gradio"]
        assert config["enable_queue"] is True, "the runner must switch the 3.x queue on"
        names = [d.get("api_name") for d in config["dependencies"]]
        assert names[:2] == ["echo", "concat"]
        info = get_json(f"{server.url}/info?serialize=False")
        assert [p["label"] for p in info["named_endpoints"]["/concat"]["parameters"]] == [
            "a",
            "b",
            "sep",
        ]
    finally:
        server.stop()
    assert not server.alive()
    assert not process_group_alive(server.process.pid)
    assert wait_until(lambda: not port_open(server.port)), f"port {server.port} still answers"


@needs_gradio3
def test_no_queue_runs_the_app_as_written() -> None:
    major = GRADIO3[0]
    server = start_server("text_echo", major, args=["--no-queue"])
    try:
        assert get_json(f"{server.url}/config")["enable_queue"] is False
        request = urllib.request.Request(
            f"{server.url}/run/echo",
            data=json.dumps({"data": ["hi"]}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["data"] == ["hi"]
    finally:
        server.stop()


@needs_gradio3
def test_an_app_with_a_3x_copy_runs_the_copy() -> None:
    """``files_io`` as written fails under 3.x (``gr.File(type="filepath")``); its copy in
    ``tests/apps3`` is what ``start_server("files_io", ...)`` runs."""
    major = GRADIO3[0]
    with pytest.raises(RuntimeError, match="(?s)exited early.*Invalid value for parameter `type`"):
        start_server(APPS / "files_io" / "app.py", major)
    server = start_server("files_io", major)
    try:
        info = get_json(f"{server.url}/info?serialize=False")
        assert set(info["named_endpoints"]) == {"/file_stats", "/bundle", "/gallery", "/mesh"}
    finally:
        server.stop()
