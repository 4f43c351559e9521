"""``codegen.project``: ``[tool.gradio-codegen]`` read and checked, and sync / check / check_live
over a project folder, against a stand-in app on 127.0.0.1 serving captured Gradio 6 schemas."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
import pytest

from clirun import run
from hostile_app import PREFIX, HostileApp
from servers import free_port

from gradio_codegen.codegen.compare import Kind
from gradio_codegen.codegen.project import (
    ProjectError,
    check,
    check_exit_code,
    check_live,
    drift_exit_code,
    load_project,
    read_project,
    sync,
    sync_exit_code,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
EXAMPLES = ROOT / "generated_examples"


def write_pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "myapp"\n\n' + textwrap.dedent(body))
    return path


def served(app: HostileApp, name: str) -> None:
    """Make the stand-in serve the captured Gradio 6 ``/config`` and ``/info`` of ``name``."""
    folder = SCHEMAS / "gradio6" / name
    app.config = json.loads((folder / "config.json").read_text())
    info = json.loads((folder / "info.json").read_text())
    app.routes[("GET", f"{PREFIX}/info")] = lambda h: h.send_json(200, info)


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


# -- the configuration ------------------------------------------------------------------------


def test_entries_with_their_defaults(project_dir: Path, echo_app: HostileApp) -> None:
    project = load_project(project_dir / "app" / "sdks")  # found from a folder below
    assert project.root == project_dir.resolve()
    echo, scalars = project.sdks
    assert (echo.name, echo.source, echo.class_name, echo.include_hidden) == (
        "echo",
        echo_app.url,
        "Client",
        False,
    )
    assert echo.output == project.root / "app" / "sdks" / "echo.py"
    assert echo.snapshot == project.root / "app" / "sdks" / "echo.schema.json"  # beside it
    assert echo.source_file is None
    assert scalars.class_name == "Scalars"
    assert (
        scalars.source_file == scalars.snapshot == project.root / "schemas" / "scalars.schema.json"
    )


BAD = [
    (
        "[tool.gradio-codegen.sdk.a]\noutput = 'a.py'\n",
        "[tool.gradio-codegen.sdk.a]: missing 'source'",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\nclas-name = 'A'\n",
        "[tool.gradio-codegen.sdk.a]: unknown option 'clas-name' (did you mean 'class-name'?)",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\ninclude_hidden = true\n",
        "unknown option 'include_hidden' (did you mean 'include-hidden'?)",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = '../elsewhere/a.py'\n",
        "[tool.gradio-codegen.sdk.a]: output '../elsewhere/a.py' is outside the project folder",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = '/tmp/a.py'\n",
        "[tool.gradio-codegen.sdk.a]: output '/tmp/a.py' must be relative to the project folder",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = '../../etc/x.json'\noutput = 'a.py'\n",
        "[tool.gradio-codegen.sdk.a]: source '../../etc/x.json' is outside the project folder",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'sdk.py'\n"
        "[tool.gradio-codegen.sdk.b]\nsource = 'y.json'\noutput = 'sdk.py'\n",
        "[tool.gradio-codegen.sdk.b]: output 'sdk.py' is also sdk 'a''s output",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\n"
        "[tool.gradio-codegen.sdk.b]\nsource = 'y.json'\noutput = 'b.py'\nsnapshot = 'a.schema.json'\n",
        "[tool.gradio-codegen.sdk.b]: snapshot 'a.schema.json' is also sdk 'a''s snapshot",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.json'\n",
        "[tool.gradio-codegen.sdk.a]: output must be a .py file",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\nclass-name = 'close'\n",
        "class-name 'close' is a name the generated module already uses",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\nclass-name = '1A'\n",
        "class-name '1A' is not a usable class name",
    ),
    (
        "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'a.py'\ninclude-hidden = 'yes'\n",
        "[tool.gradio-codegen.sdk.a]: include-hidden must be true or false",
    ),
    ("[tool.gradio-codegen.sdk.a]\nsource = ''\noutput = 'a.py'\n", "source must be a non-empty"),
    ("[tool.gradio-codegen.sdk]\n", "lists no SDK"),
    ("[tool.gradio-codegen]\nsdks = {}\n", "unknown option 'sdks' (did you mean 'sdk'?)"),
    ("[tool.other]\nx = 1\n", "no [tool.gradio-codegen] table"),
    (
        "[tool.gradio-codegen.sdk.'a b']\nsource = 'x.json'\noutput = 'a.py'\n",
        "'a b' is not usable",
    ),
    ("[tool.gradio-codegen.sdk.a\n", "not valid TOML"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_configuration_is_one_line_naming_the_entry(
    tmp_path: Path, body: str, message: str
) -> None:
    path = write_pyproject(tmp_path, body)
    with pytest.raises(ProjectError) as caught:
        read_project(path)
    text = str(caught.value)
    assert "\n" not in text and text.startswith(str(path))
    assert message in text


def test_a_symlink_out_of_the_project_is_outside(tmp_path: Path) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    os.symlink(elsewhere, project / "sdks")
    path = write_pyproject(
        project, "[tool.gradio-codegen.sdk.a]\nsource = 'x.json'\noutput = 'sdks/a.py'\n"
    )
    with pytest.raises(ProjectError, match="output 'sdks/a.py' is outside the project folder"):
        read_project(path)


def test_no_pyproject_anywhere_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gradio_codegen.codegen import project as module

    monkeypatch.setattr(module, "_PYPROJECT", "no-such-pyproject.toml")
    with pytest.raises(ProjectError, match="no no-such-pyproject.toml in .* or any folder above"):
        load_project(tmp_path)


# -- sync -------------------------------------------------------------------------------------


def test_sync_writes_every_sdk_and_its_snapshot(project_dir: Path, echo_app: HostileApp) -> None:
    project = read_project(project_dir / "pyproject.toml")
    results = sync(project)
    assert sync_exit_code(results) == 0, [r.error for r in results]
    echo, scalars = results
    sdk_dir = project.root / "app" / "sdks"
    assert echo.written == (sdk_dir / "echo.schema.json", sdk_dir / "echo.py")
    assert echo.endpoints == 2
    # The snapshot kept as the source is not rewritten; only the SDK is new.
    assert scalars.written == (sdk_dir / "scalars.py",)
    assert "class Scalars(_rt.Client):" in (sdk_dir / "scalars.py").read_text()

    # The SDK is exactly what the single-SDK command writes from the same source.
    code, expected, err = run(echo_app.url, "-o", "-")
    assert code == 0, err
    assert (sdk_dir / "echo.py").read_text() == expected
    snapshot = json.loads((sdk_dir / "echo.schema.json").read_text())
    assert snapshot["format"] == "gradio-codegen-snapshot" and snapshot["source"] == echo_app.url

    # Nothing changed: nothing is rewritten.
    before = (sdk_dir / "echo.py").stat().st_mtime_ns
    assert [r.written for r in sync(project)] == [(), ()]
    assert (sdk_dir / "echo.py").stat().st_mtime_ns == before


def test_sync_from_snapshots_is_offline(project_dir: Path, echo_app: HostileApp) -> None:
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    sdk = project.sdks[0].output
    good = sdk.read_text()
    sdk.write_text(good.replace("def concat(", "def concatenate("))
    echo_app.stop()  # the app is gone: --from-snapshots needs only the project
    results = sync(project, from_snapshots=True)
    assert sync_exit_code(results) == 0
    assert results[0].written == (sdk,) and sdk.read_text() == good


def test_one_sdk_failing_does_not_stop_the_others(project_dir: Path) -> None:
    pyproject = project_dir / "pyproject.toml"
    live = read_project(pyproject).sdks[0].source
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    pyproject.write_text(pyproject.read_text().replace(live, dead))
    project = read_project(pyproject)
    echo, scalars = sync(project, timeout=5)
    assert echo.error is not None and "cannot reach" in echo.error and echo.written == ()
    assert not project.sdks[0].output.exists() and not project.sdks[0].snapshot.exists()
    assert scalars.ok and scalars.written
    assert sync_exit_code([echo, scalars]) == 2


def test_sync_refuses_to_write_over_what_it_must_not(project_dir: Path) -> None:
    project = read_project(project_dir / "pyproject.toml")
    project.sdks[0].output.mkdir()  # a directory where the SDK should go
    echo, _ = sync(project)
    assert echo.error is not None and "is a directory" in echo.error


def test_only_named_sdks(project_dir: Path) -> None:
    project = read_project(project_dir / "pyproject.toml")
    assert [r.entry.name for r in sync(project, only=["scalars"])] == ["scalars"]
    with pytest.raises(ProjectError, match="no SDK named 'nope' .*it has: echo, scalars"):
        check(project, only=["nope"])


# -- check ------------------------------------------------------------------------------------


def test_check_after_sync_is_up_to_date(project_dir: Path) -> None:
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    results = check(project)
    assert [r.up_to_date for r in results] == [True, True]
    assert check_exit_code(results) == 0


def test_check_finds_an_edited_sdk_with_the_diff(project_dir: Path) -> None:
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    sdk = project.sdks[1].output
    sdk.write_text(sdk.read_text().replace("def summarize(", "def summarise("))
    ok, edited = check(project)
    assert ok.up_to_date and not edited.up_to_date and not edited.trouble
    assert edited.problem is not None and "app/sdks/scalars.py differs from" in edited.problem
    assert "-    def summarise(" in edited.diff and "+    def summarize(" in edited.diff
    assert check_exit_code([ok, edited]) == 1


def test_check_finds_a_snapshot_updated_without_its_sdk(project_dir: Path) -> None:
    """Someone refreshed the snapshot (the app changed) but did not regenerate the SDK."""
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    snapshot_path = project.sdks[0].snapshot
    data = json.loads(snapshot_path.read_text())
    data["api_info"]["named_endpoints"]["/concat"]["parameters"].pop()
    data["endpoints"]["/concat"]["inputs"].pop()
    snapshot_path.write_text(json.dumps(data))
    result = check(project)[0]
    assert not result.up_to_date and "sep" in result.diff


def test_check_missing_and_damaged_files(project_dir: Path) -> None:
    project = read_project(project_dir / "pyproject.toml")
    echo, scalars = check(project)  # never synced: the echo snapshot and both SDKs are missing
    assert echo.problem is not None and "no snapshot at 'app/sdks/echo.schema.json'" in echo.problem
    assert scalars.problem is not None and "no SDK at 'app/sdks/scalars.py'" in scalars.problem
    assert check_exit_code([echo, scalars]) == 1
    project.sdks[1].snapshot.write_text("{not json")
    damaged = check(project)[1]
    assert damaged.trouble and damaged.problem is not None and "not valid JSON" in damaged.problem
    assert check_exit_code(check(project)) == 2


# -- check --live -----------------------------------------------------------------------------


def test_check_live_reports_drift_classified(project_dir: Path, echo_app: HostileApp) -> None:
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    results = check_live(project)
    assert [r.comparison.changes if r.comparison else r.error for r in results] == [(), ()]
    assert drift_exit_code(results) == 0

    # The app gains an endpoint: compatible.
    info = json.loads((SCHEMAS / "gradio6" / "text_echo" / "info.json").read_text())
    info["named_endpoints"]["/shout"] = info["named_endpoints"]["/echo"]
    shout = dict(echo_app.config["dependencies"][0], id=2, api_name="shout")
    echo_app.config["dependencies"].append(shout)
    echo_app.routes[("GET", f"{PREFIX}/info")] = lambda h: h.send_json(200, info)
    drift = check_live(project)[0]
    assert drift.comparison is not None
    assert [c.kind for c in drift.comparison.changes] == [Kind.ENDPOINT_ADDED]
    assert drift_exit_code(check_live(project)) == 1

    # Then /concat loses its 'sep' input: breaking wins.
    info["named_endpoints"]["/concat"]["parameters"].pop()
    echo_app.config["dependencies"][1]["inputs"].pop()
    drift = check_live(project)[0]
    assert drift.comparison is not None and drift.comparison.breaking
    assert drift_exit_code(check_live(project)) == 3


def test_check_live_with_the_app_down_is_trouble(project_dir: Path, echo_app: HostileApp) -> None:
    project = read_project(project_dir / "pyproject.toml")
    sync(project)
    echo_app.stop()
    echo, scalars = check_live(project, timeout=5)
    assert echo.comparison is None and echo.error is not None and "cannot reach" in echo.error
    assert scalars.comparison is not None and not scalars.comparison.changes
    assert drift_exit_code([echo, scalars]) == 2


def test_no_credential_goes_to_a_plain_app(
    project_dir: Path, echo_app: HostileApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Hugging Face token (given, or from HF_TOKEN) never reaches an app that is not a Space."""
    monkeypatch.setenv("HF_TOKEN", "hf_from_env_secret")
    project = read_project(project_dir / "pyproject.toml")
    sync(project, token="hf_given_secret")
    check_live(project, token="hf_given_secret")
    assert echo_app.seen
    for request in echo_app.seen:
        assert "secret" not in json.dumps(request.headers)
