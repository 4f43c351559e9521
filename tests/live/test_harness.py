"""The test-server harness itself: the bootstrapped venvs hold the pinned Gradio versions, an app
starts under each on 127.0.0.1 and answers, and ``stop()`` ends exactly the processes it started."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from servers import (
    ROOT,
    VENVS,
    VERSIONS,
    GradioServer,
    available_versions,
    start_server,
    venv_python,
)

REQUIREMENTS = ROOT / "tests" / "requirements"
# What /config reports as its queue protocol; 4.44.1 and later all say sse_v3.
PROTOCOL = {"4": "sse_v3", "5": "sse_v3", "6": "sse_v3", "4early": "sse_v1"}
ALL_AVAILABLE = available_versions(optional=True)


def pins(major: str) -> dict[str, str]:
    result = {}
    for line in (REQUIREMENTS / f"g{major}.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
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


def wait_until(condition: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_every_required_venv_exists_in_ci() -> None:
    missing = [v for v in VERSIONS if v not in available_versions()]
    if os.environ.get("CI") != "true":
        if missing:
            pytest.skip(f"no venv for Gradio {missing} under {VENVS}; run scripts/bootstrap")
    assert not missing, f"CI must run the server tests on every Gradio version; missing: {missing}"


@pytest.mark.parametrize("major", ALL_AVAILABLE)
def test_venv_has_the_pinned_versions(major: str) -> None:
    wanted = pins(major)
    assert "gradio" in wanted
    assert installed(major, list(wanted)) == wanted


@pytest.mark.servers
@pytest.mark.parametrize("major", ALL_AVAILABLE)
def test_app_starts_answers_and_stops(major: str) -> None:
    server = start_server("text_echo", major)
    try:
        assert server.url == f"http://127.0.0.1:{server.port}"
        with urllib.request.urlopen(f"{server.url}/config", timeout=10) as response:
            config = json.load(response)
        assert config["version"] == pins(major)["gradio"]
        assert config["protocol"] == PROTOCOL[major]
        assert (config.get("api_prefix") or "") == server.api_prefix
        assert {d.get("api_name") for d in config["dependencies"]} >= {"echo", "concat"}
    finally:
        server.stop()
    assert not server.alive()
    assert not process_group_alive(server.process.pid)
    assert wait_until(lambda: not port_open(server.port)), f"port {server.port} still answers"


# A stand-in app (standard library only) that looks to the harness like a Gradio server and starts
# a child process of its own, so stopping must take the whole process group.
STAND_IN = textwrap.dedent("""
    import http.server, os, pathlib, subprocess, sys
    port = int(os.environ["GRADIO_SERVER_PORT"])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    pathlib.Path("child.pid").write_text(str(child.pid))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print(f"Running on local URL:  http://127.0.0.1:{port}", flush=True)
    server.serve_forever()
    """)


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    if not ALL_AVAILABLE:
        pytest.skip("no Gradio venv to run the stand-in with; run scripts/bootstrap")
    script = tmp_path / "stand_in" / "app.py"
    script.parent.mkdir()
    script.write_text(STAND_IN)
    return script


def child_pid(server: GradioServer) -> int:
    pid_file = server.workdir / "child.pid"
    assert wait_until(pid_file.exists), "stand-in never wrote its child's pid"
    return int(pid_file.read_text())


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of an exited parent may linger as a zombie until reaped by init.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


def test_stop_ends_its_own_process_group_and_nothing_else(stand_in: Path) -> None:
    major = ALL_AVAILABLE[0]
    first = start_server(stand_in, major)
    second = start_server(stand_in, major)
    try:
        first_child, second_child = child_pid(first), child_pid(second)
        first.stop()
        assert not first.alive()
        assert wait_until(lambda: not pid_alive(first_child)), "the app's own child survived stop()"
        assert second.alive() and pid_alive(second_child), "stop() reached another server"
        assert port_open(second.port)
    finally:
        first.stop()
        second.stop()
    assert wait_until(lambda: not pid_alive(second_child))


def test_an_app_that_dies_at_start_is_reported_with_its_log(tmp_path: Path) -> None:
    if not ALL_AVAILABLE:
        pytest.skip("no Gradio venv; run scripts/bootstrap")
    script = tmp_path / "broken" / "app.py"
    script.parent.mkdir()
    script.write_text("raise SystemExit('cannot start: demo misconfigured')\n")
    with pytest.raises(RuntimeError, match="(?s)exited early.*cannot start: demo misconfigured"):
        start_server(script, ALL_AVAILABLE[0])


def test_a_missing_venv_says_how_to_make_it() -> None:
    with pytest.raises(RuntimeError, match="no Gradio 2 virtualenv .*run scripts/bootstrap"):
        start_server("text_echo", "2")
