"""``gradio-codegen sync`` / ``check`` / ``check --live`` over a project folder, as a user runs
them (output lines, files, exit codes), and the pre-commit hook this repository ships.

The engine (``codegen.project``) has its own tests in test_project.py; these check the wiring."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from clirun import run
from hostile_app import PREFIX, HostileApp
from servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
EXAMPLES = ROOT / "generated_examples"
BIN = Path(sys.executable).parent  # where the gradio-codegen console script is installed


def write_pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "myapp"\n\n' + textwrap.dedent(body))
    return path


def served(app: HostileApp, name: str) -> dict[str, Any]:
    """Make the stand-in serve the captured Gradio 6 ``/config`` and ``/info`` of ``name``;
    returns the info document it serves, for a test to change."""
    folder = SCHEMAS / "gradio6" / name
    app.config = json.loads((folder / "config.json").read_text())
    info: dict[str, Any] = json.loads((folder / "info.json").read_text())
    app.routes[("GET", f"{PREFIX}/info")] = lambda h: h.send_json(200, info)
    return info


@pytest.fixture
def echo_app() -> Iterator[HostileApp]:
    with HostileApp() as app:
        served(app, "text_echo")
        yield app


@pytest.fixture
def project_dir(tmp_path: Path, echo_app: HostileApp) -> Path:
    """An application with two SDKs: one from the live app, one from a schema file it keeps."""
    (tmp_path / "app" / "sdks").mkdir(parents=True)
    (tmp_path / "schemas").mkdir()
    shutil.copy(
        EXAMPLES / "gradio6" / "scalar_inputs.schema.json",
        tmp_path / "schemas" / "scalars.schema.json",
    )
    write_pyproject(
        tmp_path,
        f"""
        [tool.gradio-codegen.sdk.echo]
        source = "{echo_app.url}"
        output = "app/sdks/echo.py"

        [tool.gradio-codegen.sdk.scalars]
        source = "schemas/scalars.schema.json"
        output = "app/sdks/scalars.py"
        snapshot = "schemas/scalars.schema.json"
        class-name = "Scalars"
        """,
    )
    return tmp_path


def in_project(folder: Path, *args: str) -> tuple[int, str, str]:
    return run(*args, "--project", str(folder))


def lines(text: str) -> list[str]:
    return text.strip().splitlines()


# -- sync -------------------------------------------------------------------------------------


def test_sync_writes_each_sdk_and_says_so(project_dir: Path, echo_app: HostileApp) -> None:
    code, stdout, stderr = in_project(project_dir, "sync")
    assert code == 0, stderr
    assert stdout == ""
    assert lines(stderr) == [
        "echo: wrote app/sdks/echo.schema.json, app/sdks/echo.py (2 endpoints)",
        "scalars: wrote app/sdks/scalars.py (1 endpoint)",
    ]
    module = (project_dir / "app" / "sdks" / "echo.py").read_text()
    assert module == run(echo_app.url)[1]  # what the single-SDK command writes
    assert f"gradio-codegen {echo_app.url} -o <this file>" in module

    code, _, stderr = in_project(project_dir, "sync")
    assert code == 0 and lines(stderr) == [
        "echo: app/sdks/echo.py is up to date (2 endpoints)",
        "scalars: app/sdks/scalars.py is up to date (1 endpoint)",
    ]


def test_sync_finds_the_project_from_a_folder_in_it(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir / "app" / "sdks")
    code, _, stderr = run("sync", "scalars")  # --project defaults to the working folder
    assert code == 0 and lines(stderr) == ["scalars: wrote app/sdks/scalars.py (1 endpoint)"]
    assert not (project_dir / "app" / "sdks" / "echo.py").exists()  # only the SDK named


def test_sync_reports_each_failure_and_goes_on(project_dir: Path) -> None:
    pyproject = project_dir / "pyproject.toml"
    text = pyproject.read_text()
    live = re.search(r'source = "(http://[^"]+)"', text)
    assert live is not None
    pyproject.write_text(text.replace(live[1], f"http://127.0.0.1:{free_port()}"))  # nobody there
    code, _, stderr = run("sync", "--project", str(pyproject), "--timeout", "5")
    assert code == 2
    failed, wrote = lines(stderr)
    assert failed.startswith("error: echo: cannot reach http://127.0.0.1:")
    assert wrote == "scalars: wrote app/sdks/scalars.py (1 endpoint)"


def test_sync_from_snapshots_needs_no_app(project_dir: Path, echo_app: HostileApp) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    sdk = project_dir / "app" / "sdks" / "echo.py"
    good = sdk.read_text()
    sdk.write_text(good.replace("def concat(", "def concatenate("))
    echo_app.stop()
    code, _, stderr = in_project(project_dir, "sync", "--from-snapshots")
    assert code == 0, stderr
    assert "echo: wrote app/sdks/echo.py (2 endpoints)" in lines(stderr)
    assert sdk.read_text() == good


# -- check ------------------------------------------------------------------------------------


def test_check_before_and_after_sync(project_dir: Path) -> None:
    code, stdout, stderr = in_project(project_dir, "check")
    assert code == 1 and stdout == ""
    assert lines(stderr) == [
        "echo: no snapshot at 'app/sdks/echo.schema.json'; run `gradio-codegen sync` against "
        "the live source to write it",
        "scalars: no SDK at 'app/sdks/scalars.py'; run `gradio-codegen sync`",
    ]
    assert in_project(project_dir, "sync")[0] == 0
    code, stdout, stderr = in_project(project_dir, "check")
    assert (code, stdout) == (0, "")
    assert lines(stderr) == [
        "echo: app/sdks/echo.py is up to date",
        "scalars: app/sdks/scalars.py is up to date",
    ]


def test_check_shows_an_edited_sdk_as_a_diff(project_dir: Path, echo_app: HostileApp) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    echo_app.stop()  # check is offline
    sdk = project_dir / "app" / "sdks" / "scalars.py"
    sdk.write_text(sdk.read_text().replace("def summarize(", "def summarise("))
    code, stdout, stderr = in_project(project_dir, "check")
    assert code == 1
    assert stdout.startswith("--- app/sdks/scalars.py (on disk)\n")
    assert "\n-    def summarise(" in stdout and "\n+    def summarize(" in stdout
    assert lines(stderr) == [
        "echo: app/sdks/echo.py is up to date",
        "scalars: app/sdks/scalars.py differs from what schemas/scalars.schema.json generates; "
        "run `gradio-codegen sync --from-snapshots` (or `sync` to refresh both from the app)",
    ]
    code, _, stderr = in_project(project_dir, "check", "echo")  # only the SDK named
    assert code == 0 and lines(stderr) == ["echo: app/sdks/echo.py is up to date"]


def test_check_of_a_damaged_snapshot_is_trouble(project_dir: Path) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    (project_dir / "schemas" / "scalars.schema.json").write_text("{not json")
    code, _, stderr = in_project(project_dir, "check")
    assert code == 2
    assert lines(stderr)[0] == "echo: app/sdks/echo.py is up to date"
    assert lines(stderr)[1].startswith("error: scalars: schema file ")
    assert "is not valid JSON" in lines(stderr)[1] and len(lines(stderr)) == 2


# -- check --live -----------------------------------------------------------------------------


def test_check_live_prints_the_drift_of_each_sdk(project_dir: Path, echo_app: HostileApp) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    code, stdout, _ = in_project(project_dir, "check", "--live")
    assert code == 0
    assert lines(stdout) == [
        f"No change between app/sdks/echo.schema.json and {echo_app.url}: the SDK matches the app.",
        "",
        "No change between schemas/scalars.schema.json and schemas/scalars.schema.json: the SDK "
        "matches the app.",
    ]

    info = served(echo_app, "text_echo")
    info["named_endpoints"]["/shout"] = info["named_endpoints"]["/echo"]
    shout = dict(echo_app.config["dependencies"][0], id=2, api_name="shout")
    echo_app.config["dependencies"].append(shout)
    code, stdout, _ = in_project(project_dir, "check", "--live", "echo")
    assert code == 1
    assert stdout.startswith("1 change between app/sdks/echo.schema.json (sha256:")
    assert re.search(r"(?m)^  compatible +/shout +endpoint added", stdout)

    info["named_endpoints"]["/concat"]["parameters"].pop()
    echo_app.config["dependencies"][1]["inputs"].pop()
    code, stdout, _ = in_project(project_dir, "check", "--live")
    assert code == 3
    assert re.search(r"(?m)^  breaking +/concat +input removed", stdout)


def test_check_live_with_an_app_down(project_dir: Path, echo_app: HostileApp) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    url = echo_app.url
    echo_app.stop()
    code, stdout, stderr = in_project(project_dir, "check", "--live", "--timeout", "5")
    assert code == 2
    assert lines(stderr)[0].startswith(f"error: echo: cannot reach {url}")
    assert lines(stdout) == [
        "No change between schemas/scalars.schema.json and schemas/scalars.schema.json: the SDK "
        "matches the app."
    ]


def test_diff_of_a_project_sdk_against_its_live_app(
    project_dir: Path, echo_app: HostileApp
) -> None:
    assert in_project(project_dir, "sync")[0] == 0
    sdk = project_dir / "app" / "sdks" / "echo.py"
    code, stdout, stderr = run("diff", echo_app.url, str(sdk))
    assert code == 0, stderr
    assert stdout.startswith("No change between ")
    info = served(echo_app, "text_echo")
    info["named_endpoints"]["/concat"]["parameters"].pop()
    echo_app.config["dependencies"][1]["inputs"].pop()
    code, stdout, _ = run("diff", echo_app.url, str(sdk), "--json")
    assert code == 3 and json.loads(stdout)["result"] == "breaking"


# -- configuration problems -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\nclas-name = 'A'\n",
            "[tool.gradio-codegen.sdk.a]: unknown option 'clas-name' (did you mean 'class-name'?)",
        ),
        ("[tool.gradio-codegen.sdk.a]\noutput = 'a.py'\n", "sdk.a]: missing 'source'"),
        (
            "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = '../a.py'\n",
            "sdk.a]: output '../a.py' is outside the project folder",
        ),
        (
            "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'sdk.py'\n"
            "[tool.gradio-codegen.sdk.b]\nsource = 'y.json'\noutput = 'sdk.py'\n",
            "sdk.b]: output 'sdk.py' is also sdk 'a''s output",
        ),
    ],
)
@pytest.mark.parametrize("command", [["sync"], ["check"], ["check", "--live"]])
def test_bad_configuration_is_one_error_line(
    tmp_path: Path, body: str, message: str, command: list[str]
) -> None:
    pyproject = write_pyproject(tmp_path, body)
    code, stdout, stderr = in_project(tmp_path, *command)
    assert code == 2 and stdout == ""
    (line,) = lines(stderr)
    assert line.startswith(f"error: {pyproject.resolve()}: [tool.gradio-codegen.sdk.")
    assert message in line, line
    assert not list(tmp_path.glob("*.py"))


def test_an_unknown_sdk_name_is_one_error_line(project_dir: Path) -> None:
    for command in (["sync"], ["check"], ["check", "--live"]):
        code, stdout, stderr = in_project(project_dir, *command, "scalars", "nope")
        assert code == 2 and stdout == ""
        assert len(lines(stderr)) == 1 and lines(stderr)[0].startswith("error: ")
        assert "no SDK named 'nope'" in stderr and "it has: echo, scalars" in stderr
    assert not (project_dir / "app" / "sdks" / "scalars.py").exists()  # nothing ran


# -- the pre-commit hook ----------------------------------------------------------------------


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (found,) = [h for h in hooks if h["id"] == "gradio-codegen-check"]
    return dict(found)


def run_hook(folder: Path) -> subprocess.CompletedProcess[str]:
    """The hook's command as pre-commit runs it: the entry, then the hook's args (and no file
    names: ``pass_filenames: false``), in the repository's root folder."""
    h = hook()
    assert h["pass_filenames"] is False
    command = shlex.split(h["entry"]) + list(h.get("args", []))
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def test_the_pre_commit_hook_checks_a_project_offline(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.schema.json", tmp_path / "echo.schema.json")
    write_pyproject(
        tmp_path,
        """
        [tool.gradio-codegen.sdk.echo]
        source = "echo.schema.json"
        output = "sdks/echo.py"
        snapshot = "echo.schema.json"
        """,
    )
    (tmp_path / "sdks").mkdir()
    done = run_hook(tmp_path)
    assert done.returncode == 1 and "no SDK at 'sdks/echo.py'" in done.stderr, done.stderr
    assert run("sync", "--project", str(tmp_path))[0] == 0
    done = run_hook(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "echo: sdks/echo.py is up to date\n"
    sdk = tmp_path / "sdks" / "echo.py"
    sdk.write_text(sdk.read_text().replace("def concat(", "def join("))
    done = run_hook(tmp_path)
    assert done.returncode == 1 and "-    def join(" in done.stdout


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("pyproject.toml", True),
        ("sdks/echo.py", True),
        ("schemas/echo.schema.json", True),
        ("README.md", False),
        ("data/values.json", False),
    ],
)
def test_the_hook_runs_when_a_file_it_checks_changes(path: str, runs: bool) -> None:
    """pre-commit runs the hook when a staged file matches ``files`` (``re.search``)."""
    assert bool(re.search(hook()["files"], path)) is runs
