"""Launch real Gradio apps on 127.0.0.1 for the tests, each in its own virtualenv and process.

Virtualenvs live in ``.venvs/g4``, ``.venvs/g5``, ``.venvs/g6`` (made by ``scripts/bootstrap``;
override the folder with ``GRADIO_CODEGEN_VENVS``). The optional ``.venvs/g4early`` (Gradio
4.16.0, queue protocol ``sse_v1``) is reached with the version key ``"4early"``. A server is started
with its venv's Python, waited for until its own log says it serves and ``/config`` answers, and
stopped by its process id.

Gradio 3 (the websocket queue) has its own keys, ``"3"`` (``.venvs/g3``, 3.50.2) and ``"3.36"``
(``.venvs/g3.36``, 3.36.1, opt-in), kept out of both ``VERSIONS`` and ``OPTIONAL_VERSIONS`` because
a 3.x server answers differently from the first line of ``/config`` on (no ``protocol``, no API
prefix). A 3.x app runs through ``gradio3_run.py`` with the queue turned on, from
``tests/apps3/<app>/`` where a 3.x copy exists and from ``tests/apps/<app>/`` otherwise.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "tests" / "apps"
APPS3 = ROOT / "tests" / "apps3"  # Gradio 3.x copies of the apps that need one
GRADIO3_RUNNER = Path(__file__).resolve().parent / "gradio3_run.py"
VENVS = Path(os.environ.get("GRADIO_CODEGEN_VENVS", ROOT / ".venvs"))
VERSIONS = ("4", "5", "6")
OPTIONAL_VERSIONS = ("4early",)  # made only by `scripts/bootstrap g4early`; never in VERSIONS
# Gradio 3 keys, never in VERSIONS or OPTIONAL_VERSIONS: "3" is built by default, "3.36" only by
# `scripts/bootstrap g3.36` (or GRADIO_CODEGEN_G3_36=1).
GRADIO3_VERSIONS = ("3", "3.36")
START_TIMEOUT = float(os.environ.get("GRADIO_CODEGEN_START_TIMEOUT", "120"))
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the thread that forked it dies


def _die_with_parent() -> None:
    """Runs in the server's process before exec: a test run killed by a timeout or a signal never
    gets to stop its servers, and a server in its own session would live on, holding its port and a
    core. Linux only; elsewhere the servers are stopped by ``stop()`` alone."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def venv_python(major: str) -> Path:
    return VENVS / f"g{major}" / "bin" / "python"


def available_versions(*, optional: bool = False) -> list[str]:
    """Version keys whose venv exists; ``optional=True`` adds those of OPTIONAL_VERSIONS too."""
    keys = VERSIONS + OPTIONAL_VERSIONS if optional else VERSIONS
    return [v for v in keys if venv_python(v).exists()]


#: The Gradio majors whose test-server venv exists: what the live tests parametrize over.
GRADIO_VERSIONS = available_versions()


def is_gradio3(major: str) -> bool:
    return major in GRADIO3_VERSIONS


def available_gradio3_versions() -> list[str]:
    """The Gradio 3 keys whose venv exists (``"3"``, ``"3.36"``)."""
    return [v for v in GRADIO3_VERSIONS if venv_python(v).exists()]


def app_script(app: str | Path, major: str) -> Path:
    """The file to run: a given ``.py`` path as is, else the app's folder for that version."""
    if str(app).endswith(".py"):
        return Path(app)
    if is_gradio3(major) and (APPS3 / str(app) / "app.py").exists():
        return APPS3 / str(app) / "app.py"
    return APPS / str(app) / "app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class GradioServer:
    """One running app. ``url`` ends without a slash: ``http://127.0.0.1:PORT``."""

    app: str
    major: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_prefix(self) -> str:
        return "" if self.major.startswith(("3", "4")) else "/gradio_api"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Stop this server (and only it) by its process id."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def start_server(
    app: str | Path,
    major: str,
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    args: list[str] | None = None,
) -> GradioServer:
    """Start ``tests/apps/<app>/app.py`` (or a given script) under Gradio ``major`` and wait for it.

    Under Gradio 3 the app is queued unless ``args`` holds ``"--no-queue"``."""
    python = venv_python(major)
    if not python.exists():
        raise RuntimeError(f"no Gradio {major} virtualenv at {python.parent.parent}; run scripts/bootstrap")
    script = app_script(app, major)
    runner = [str(GRADIO3_RUNNER)] if is_gradio3(major) else []
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"gradio{major}-{script.parent.name}-"))
    log_path = workdir / "server.log"
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))},
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_TEMP_DIR": str(workdir / "gradio-tmp"),
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        **(env or {}),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(python), *runner, str(script), *(args or [])],
            cwd=workdir,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # servers are started from the main thread only
        )
    server = GradioServer(script.parent.name, major, port, process, log_path, workdir, full_env)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{script} on Gradio {major} exited early:\n{server.log()[-3000:]}")
        if f"127.0.0.1:{port}" in server.log():
            try:
                with urllib.request.urlopen(f"{server.url}/config", timeout=5) as r:
                    if r.status == 200:
                        return server
            except urllib.error.HTTPError as e:
                if e.code == 401:  # password-protected app: serving, but needs a login
                    return server
            except OSError:
                pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{script} on Gradio {major} did not start in {START_TIMEOUT}s:\n{server.log()[-3000:]}")


class ServerPool:
    """Starts each (app, version) once per test session and stops them all at the end."""

    def __init__(self) -> None:
        self._servers: dict[tuple[str, str], GradioServer] = {}

    def get(self, app: str, major: str) -> GradioServer:
        key = (app, major)
        server = self._servers.get(key)
        if server is None or not server.alive():
            server = start_server(app, major)
            self._servers[key] = server
        return server

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


if __name__ == "__main__":  # manual use: python tests/support/servers.py text_echo 6
    s = start_server(sys.argv[1], sys.argv[2], port=int(sys.argv[3]) if len(sys.argv) > 3 else None)
    print(s.url, "pid", s.process.pid, flush=True)
    try:
        s.process.wait()
    except KeyboardInterrupt:
        s.stop()
