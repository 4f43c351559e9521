"""The ``gradio-codegen`` command: generate / snapshot / inspect / --check / diff, and every
error case. The project commands (sync, check) are in test_cli_project.py."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pytest

from clirun import fixture, run, without_command
from servers import free_port

SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
EXAMPLES = Path(__file__).resolve().parents[2] / "generated_examples"
CLI = Path(sys.executable).parent / "gradio-codegen"


@pytest.fixture
def echo_args() -> list[str]:
    info, config = fixture(6, "text_echo")
    return [info, "--config", config]


def test_generate_writes_the_module(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    code, stdout, stderr = run(*echo_args, "-o", str(out))
    assert code == 0, stderr
    assert "wrote" in stderr and "2 endpoints" in stderr
    text = out.read_text()
    assert "def concat(" in text and text.startswith(
        '"""Typed client for the Gradio app at http://127.0.0.1:'
    )
    assert not list(tmp_path.glob(".gradio-codegen-*"))  # no temp file left behind
    # The explicit subcommand and stdout output give the same bytes.
    code, stdout, _ = run("generate", *echo_args, "-o", "-")
    assert code == 0 and stdout == text


def test_written_module_has_the_usual_permissions(tmp_path: Path, echo_args: list[str]) -> None:
    """A new SDK file gets 0o666 less the umask, like any file; a regenerated one keeps its mode."""

    old = os.umask(0o022)
    try:
        out = tmp_path / "sdk.py"
        assert run(*echo_args, "-o", str(out))[0] == 0
        assert out.stat().st_mode & 0o777 == 0o644
        out.chmod(0o640)
        assert run(*echo_args, "-o", str(out))[0] == 0
        assert out.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_check_reports_up_to_date_and_out_of_date(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    run(*echo_args, "-o", str(out))
    code, _, stderr = run(*echo_args, "-o", str(out), "--check")
    assert code == 0 and "up to date" in stderr
    out.write_text(out.read_text().replace("def concat(", "def concatenate("))
    code, stdout, stderr = run(*echo_args, "-o", str(out), "--check")
    assert code == 1 and "out of date" in stderr
    assert "-    def concatenate(" in stdout and "+    def concat(" in stdout
    assert "def concatenate(" in out.read_text()  # --check never writes
    code, _, stderr = run(*echo_args, "-o", str(tmp_path / "missing.py"), "--check")
    assert code == 2 and "cannot read" in stderr  # trouble, as diff(1) says of a missing file


def test_snapshot_then_generate_equals_generate_from_documents(tmp_path: Path) -> None:
    info, config = fixture(5, "complex_outputs")
    snap = tmp_path / "app.schema.json"
    code, _, stderr = run("snapshot", info, "--config", config, "-o", str(snap))
    assert code == 0, stderr
    assert json.loads(snap.read_text())["format"] == "gradio-codegen-snapshot"
    _, from_snapshot, _ = run(str(snap), "-o", "-")
    _, from_documents, _ = run(info, "--config", config, "-o", "-")
    # Same module; the header's "Regenerate with" line repeats each command's own source.
    assert f"gradio-codegen {snap} -o <this file>" in from_snapshot
    assert without_command(from_snapshot) == without_command(from_documents)


def test_inspect_lists_endpoints_parameters_and_types() -> None:
    info, config = fixture(6, "scalar_inputs")
    code, stdout, _ = run("inspect", info, "--config", config)
    assert code == 0
    assert "Gradio 6.31.0 app at http://127.0.0.1:" in stdout
    assert "/summarize  ->  summarize()  [fn_index 0]" in stdout
    assert re.search(
        r"\n    radio +Literal\['red', 'green', 'blue'\] = 'red'\n", stdout.replace('"', "'")
    )
    assert re.search(r"\n    -> summary +Any\n", stdout)


def test_class_name_and_include_hidden_options() -> None:
    info = str(SHARED / "gradio6" / "multi_endpoints" / "info_all_endpoints.json")
    config = str(SHARED / "gradio6" / "multi_endpoints" / "config.json")
    _, stdout, _ = run(info, "--config", config, "--class-name", "Calc", "--include-hidden")
    assert "class Calc(_rt.Client):" in stdout and "class AsyncCalc(_rt.AsyncClient):" in stdout
    assert "def hidden_divide(" in stdout
    assert "--class-name Calc --include-hidden -o <this file>" in stdout


def test_raw_info_without_config_warns(tmp_path: Path) -> None:
    info, _ = fixture(6, "text_echo")
    code, stdout, stderr = run(info, "--src", "http://127.0.0.1:7860")
    assert code == 0
    assert "warning: no /config given: fn_index is looked up on first call" in stderr
    assert "fn_index=None" in stdout and "stream=None" in stdout


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{broken", "is not valid JSON (line 1"),
        ('{"something": "else"}', "is neither a gradio-codegen snapshot nor Gradio API info"),
        ('{"named_endpoints": {"/x": {"parameters": "no"}}}', "does not look like Gradio API info"),
        ('{"format": "gradio-codegen-snapshot", "source": 1}', "is damaged"),
    ],
)
def test_invalid_schema_files(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    code, _, stderr = run(str(bad), "-o", str(tmp_path / "out.py"))
    assert code == 2 and message in stderr, stderr
    assert stderr.startswith("error: ")
    assert not (tmp_path / "out.py").exists()


def test_missing_schema_file_and_unknown_source(tmp_path: Path) -> None:
    code, _, stderr = run(str(tmp_path / "nope.json"))
    assert code == 2 and "does not exist" in stderr
    code, _, stderr = run("what is this")
    assert code == 2 and "is neither a URL nor a Space id" in stderr and "schema file" in stderr


def test_unwritable_output_leaves_nothing_behind(tmp_path: Path, echo_args: list[str]) -> None:
    code, _, stderr = run(*echo_args, "-o", str(tmp_path / "no" / "such" / "dir" / "sdk.py"))
    assert code == 2 and "does not exist; create it first" in stderr
    code, _, stderr = run(*echo_args, "-o", str(tmp_path))
    assert code == 2 and "is a directory" in stderr
    code, _, stderr = run(*echo_args, "-o", "/proc/sdk.py")
    assert code == 2 and "cannot write '/proc/sdk.py'" in stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced_whole(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    out.write_text("old content\n" * 10000)
    code, _, _ = run(*echo_args, "-o", str(out))
    assert code == 0 and "old content" not in out.read_text()


def test_usage_errors_exit_2(echo_args: list[str]) -> None:
    for bad in ("not valid", "class", "_Private", "APP"):
        code, _, stderr = run(*echo_args, "--class-name", bad)
        assert code == 2 and "--class-name" in stderr, (bad, stderr)
    code, _, stderr = run(*echo_args, "--auth", "nopassword")
    assert code == 2 and "expected USER:PASS" in stderr


def test_space_id_with_an_unreachable_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    code, _, stderr = run("owner/space-name", "--timeout", "5")
    assert code == 2 and "Could not reach the Hugging Face Hub" in stderr, stderr


def test_unreachable_url() -> None:
    port = free_port()  # nothing listens there
    code, _, stderr = run(f"http://127.0.0.1:{port}", "--timeout", "5")
    assert code == 2
    assert (
        f"cannot reach http://127.0.0.1:{port}" in stderr
        and "check the URL and that the app is running" in stderr
    )


class _NotGradio(http.server.BaseHTTPRequestHandler):
    """A web server that is not a Gradio app: HTML at /, 404 elsewhere, HTML /config on /html."""

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's naming
        if self.path.startswith("/html/config"):
            body = b"<html><body>hello</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        else:
            body = b"not found"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_gradio() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotGradio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_not_a_gradio_app(not_gradio: str) -> None:
    code, _, stderr = run(not_gradio, "--timeout", "5")
    assert code == 2 and "is not a Gradio app: /config answered 404 Not Found" in stderr
    code, _, stderr = run(not_gradio + "/html", "--timeout", "5")
    assert code == 2 and "is not a Gradio app: /config returned text/html, not JSON" in stderr


def test_module_entry_point_and_console_script(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    done = subprocess.run(
        [sys.executable, "-P", "-m", "gradio_codegen.codegen", *echo_args, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [str(CLI), "generate", *echo_args, "--check", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


# -- hostile documents: one line and exit 2, never a traceback ---------------------------------


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def _one_error_line(code: int, stderr: str, *words: str) -> None:
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], stderr


@pytest.mark.parametrize("levels", [900, 100_000])
def test_a_deep_snapshot_is_one_clear_error(tmp_path: Path, levels: int) -> None:
    info, config = fixture(6, "text_echo")
    snap = tmp_path / "app.schema.json"
    assert run("snapshot", info, "--config", config, "-o", str(snap))[0] == 0
    text = snap.read_text().replace(
        '"api_info": {', f'"deep": {_nested(levels)}, "api_info": {{', 1
    )
    snap.write_text(text)
    for command in ("generate", "inspect", "snapshot"):
        code, _, stderr = run(command, str(snap))
        _one_error_line(code, stderr, "nests objects or arrays deeper than")


def test_a_deep_default_is_one_clear_error(tmp_path: Path) -> None:
    """A parameter default nested 900 levels: deeper than generated code could ever spell."""
    info, config = fixture(6, "text_echo")
    data = json.loads(Path(info).read_text())
    param = data["named_endpoints"]["/echo"]["parameters"][0]
    param["parameter_has_default"] = True
    deep = tmp_path / "deep.json"
    deep.write_text(
        json.dumps(data).replace(
            '"parameter_has_default": true, "parameter_default": null',
            f'"parameter_has_default": true, "parameter_default": {_nested(900)}',
            1,
        )
    )
    code, _, stderr = run(str(deep), "--config", config)
    _one_error_line(code, stderr, "deeper than")


def test_the_deepest_document_allowed_still_generates(tmp_path: Path) -> None:
    """The limit is one the later stages can take: a default and a type as deep as it allows."""
    from gradio_codegen.codegen.schema import MAX_DEPTH

    info, config = fixture(6, "text_echo")
    data = json.loads(Path(info).read_text())
    param = data["named_endpoints"]["/echo"]["parameters"][0]
    levels = MAX_DEPTH - 5  # document, named_endpoints, "/echo", parameters, the parameter
    default: object = "x"
    schema: dict[str, object] = {"type": "string"}
    for _ in range(levels):
        default = [default]
    for _ in range(levels - 1):
        schema = {"type": "array", "items": schema}
    param.update(parameter_has_default=True, parameter_default=default, type=schema)
    deep = tmp_path / "deep.json"
    deep.write_text(json.dumps(data))
    code, module, stderr = run(str(deep), "--config", config)
    assert code == 0, stderr
    compile(module, "deep_sdk.py", "exec")
    param["parameter_default"] = [default]  # one level more
    deep.write_text(json.dumps(data))
    _one_error_line(*run(str(deep), "--config", config)[::2], f"deeper than {MAX_DEPTH} levels")


def test_a_number_of_ten_thousand_digits_is_one_clear_error(tmp_path: Path) -> None:
    info, config = fixture(6, "text_echo")
    snap = tmp_path / "app.schema.json"
    assert run("snapshot", info, "--config", config, "-o", str(snap))[0] == 0
    snap.write_text(
        snap.read_text().replace('"api_info": {', f'"n": {"9" * 10_000}, "api_info": {{', 1)
    )
    code, _, stderr = run(str(snap))
    _one_error_line(code, stderr, "holds a value Python cannot read", "4300 digits")


@pytest.mark.parametrize("route", ["/config", "/gradio_api/info"])
@pytest.mark.parametrize("levels", [900, 100_000])
def test_a_deep_live_document_is_one_clear_error(route: str, levels: int) -> None:
    from hostile_app import HostileApp

    def deep(h: Any) -> None:
        h.send_bytes(200, _nested(levels).encode(), content_type="application/json")

    with HostileApp() as app:
        app.routes[("GET", route)] = deep
        code, _, stderr = run(app.url, "--timeout", "10")
        _one_error_line(code, stderr, f"{app.url}{route}", "deeper than")


def test_an_endless_live_document_is_cut_off() -> None:
    """An answer bigger than any API description is refused once that much has arrived."""
    from gradio_codegen.codegen import sources
    from hostile_app import HostileApp

    def endless(h: Any) -> None:
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.end_headers()
        h.close_connection = True
        chunk = b" " * 65536
        for _ in range(sources.MAX_DOCUMENT_BYTES // len(chunk) + 64):
            h.raw(chunk)

    with HostileApp() as app:
        app.routes[("GET", "/config")] = endless
        code, _, stderr = run(app.url, "--timeout", "60")
    _one_error_line(code, stderr, "answered more than 64 MiB")


# -- one style for every error; counts in words -----------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["generate"], ["missing argument 'SRC'", "generate --help"]),
        (["generate", "x.json", "--bogus"], ["no such option '--bogus'"]),
        (["x.json", "--class-name", "1x"], ["'1x' is not a usable class name"]),
        (["x.json", "--check"], ["--check needs -o FILE"]),
        (["inspect", "x.json", "--src", "http://h"], ["no such option '--src'", "inspect --help"]),
        (["diff", "x.json", "a.schema.json", "--snapshot", "b.json"], ["--snapshot applies only"]),
        (["check", "--timeout", "0"], ["invalid value for '--timeout'"]),
    ],
)
def test_every_usage_error_is_one_line(args: list[str], words: list[str]) -> None:
    code, stdout, stderr = run(*args)
    _one_error_line(code, stderr, *words)
    assert "Usage:" not in stderr and stdout == ""


def test_no_arguments_shows_the_help_and_exits_2() -> None:
    code, _, stderr = run()
    assert code == 2 and "Usage:" in stderr and "gradio-codegen diff SRC my_sdk.py" in stderr


def test_counts_are_spelled_in_words(tmp_path: Path, echo_args: list[str]) -> None:
    info, config = fixture(6, "scalar_inputs")
    code, _, stderr = run(info, "--config", config, "-o", str(tmp_path / "one.py"))
    assert code == 0 and f"wrote {tmp_path / 'one.py'} (1 endpoint)\n" in stderr
    code, _, stderr = run(*echo_args, "-o", str(tmp_path / "two.py"))
    assert code == 0 and "(2 endpoints)\n" in stderr
    code, stdout, _ = run("inspect", info, "--config", config)
    assert code == 0 and stdout.splitlines()[0].endswith(": 1 endpoint")


def test_a_source_named_like_a_command_needs_generate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check``, ``diff`` and ``sync`` are commands; a schema file with one of those names is
    generated from through the explicit ``generate``."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.schema.json", tmp_path / "check")
    code, stdout, stderr = run("generate", "check")
    assert code == 0 and "def concat(" in stdout, stderr
    code, stdout, stderr = run("check")  # the project command: there is no pyproject.toml
    assert code == 2 and "pyproject.toml" in stderr and stdout == ""


# -- --check compares meaning, not where the app is served from -------------------------------


def edited_documents(folder: Path, major: int, app: str, change: Any = None) -> list[str]:
    """``info.json`` and ``config.json`` of a fixture app, changed by ``change(info, config)``,
    written into ``folder``; as CLI arguments."""
    info_path, config_path = fixture(major, app)
    info, config = json.loads(Path(info_path).read_text()), json.loads(
        Path(config_path).read_text()
    )
    if change is not None:
        change(info, config)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "info.json").write_text(json.dumps(info))
    (folder / "config.json").write_text(json.dumps(config))
    return [str(folder / "info.json"), "--config", str(folder / "config.json")]


def remove_sep(info: dict[str, Any], config: dict[str, Any]) -> None:
    """/concat loses its last input: a breaking change."""
    info["named_endpoints"]["/concat"]["parameters"].pop()
    concat = next(d for d in config["dependencies"] if d.get("api_name") == "concat")
    concat["inputs"].pop()


def add_shout(info: dict[str, Any], config: dict[str, Any]) -> None:
    """A new endpoint /shout like /echo: a compatible change."""
    info["named_endpoints"]["/shout"] = info["named_endpoints"]["/echo"]
    echo = next(d for d in config["dependencies"] if d.get("api_name") == "echo")
    config["dependencies"].append(dict(echo, id=len(config["dependencies"]), api_name="shout"))


def test_check_ignores_where_the_app_is_served_from(tmp_path: Path, echo_args: list[str]) -> None:
    out = tmp_path / "sdk.py"
    assert run(*echo_args, "--src", "http://127.0.0.1:7860/", "-o", str(out))[0] == 0
    written = out.read_text()
    for elsewhere in (
        "http://127.0.0.1:7860",
        "http://127.0.0.1:9999/",
        "https://staging.example.org",
    ):
        code, stdout, stderr = run(*echo_args, "--src", elsewhere, "-o", str(out), "--check")
        assert (code, stdout) == (0, ""), (elsewhere, stdout, stderr)
        assert "is up to date" in stderr
    # The same app live on another port: read over HTTP, still up to date.
    from hostile_app import PREFIX, HostileApp

    info, config = fixture(6, "text_echo")
    with HostileApp() as app:
        app.config = json.loads(Path(config).read_text())
        served_info = json.loads(Path(info).read_text())
        app.routes[("GET", f"{PREFIX}/info")] = lambda h: h.send_json(200, served_info)
        code, stdout, stderr = run(app.url + "/", "-o", str(out), "--check", "--timeout", "30")
    assert (code, stdout) == (0, ""), stderr
    assert out.read_text() == written  # --check never writes

    # Options that change the module still count.
    code, stdout, _ = run(*echo_args, "-o", str(out), "--check", "--class-name", "Echo")
    assert code == 1 and "+class Echo(_rt.Client):" in stdout


def test_check_still_fails_on_a_real_change_and_says_what_changed(
    tmp_path: Path, echo_args: list[str]
) -> None:
    out = tmp_path / "sdk.py"
    assert run(*echo_args, "-o", str(out))[0] == 0
    changed = edited_documents(tmp_path / "changed", 6, "text_echo", remove_sep)
    code, stdout, stderr = run(*changed, "--src", "http://10.1.2.3:7860", "-o", str(out), "--check")
    assert code == 1
    assert re.search(r"(?m)^-.*sep: str", stdout), stdout  # the unified diff, on stdout
    assert "out of date" in stderr.splitlines()[-1]
    # Without the snapshot beside it, only the hashes say the schema changed.
    assert "generated from another schema" in stderr and "no snapshot" in stderr

    snap = tmp_path / "sdk.schema.json"
    assert run("snapshot", *echo_args, "-o", str(snap))[0] == 0
    code, _, stderr = run(*changed, "-o", str(out), "--check")
    assert code == 1
    assert "1 breaking" in stderr and "input 'sep' removed" in stderr


def test_a_recorded_command_that_does_not_read_back_is_compared_byte_for_byte(
    tmp_path: Path,
) -> None:
    """A backslash in the recorded command is escaped in the docstring; reusing the escaped text
    would escape it twice. Such a module is compared as written by this command line."""
    folder = tmp_path / "odd\\name"
    args = edited_documents(folder, 6, "text_echo")
    out = tmp_path / "sdk.py"
    assert run(*args, "-o", str(out))[0] == 0
    assert "odd\\\\name" in out.read_text()  # escaped in the docstring
    code, stdout, stderr = run(*args, "-o", str(out), "--check")
    assert (code, stdout) == (0, ""), stdout


# -- diff -------------------------------------------------------------------------------------


@pytest.fixture
def echo_sdk(tmp_path: Path) -> Path:
    """The checked-in text_echo SDK with its snapshot beside it."""
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.py", tmp_path / "echo.py")
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.schema.json", tmp_path / "echo.schema.json")
    return tmp_path / "echo.py"


def test_diff_exit_codes_tell_the_kinds_of_change_apart(
    tmp_path: Path, echo_sdk: Path, echo_args: list[str]
) -> None:
    code, stdout, stderr = run("diff", *echo_args, str(echo_sdk))
    assert code == 0, stderr
    assert stdout.startswith(f"No change between {tmp_path / 'echo.schema.json'} and ")

    added = edited_documents(tmp_path / "added", 6, "text_echo", add_shout)
    code, stdout, _ = run("diff", *added, str(echo_sdk))
    assert code == 1
    assert re.search(r"(?m)^  compatible +/shout +endpoint added +new endpoint shout\(", stdout)

    removed = edited_documents(tmp_path / "removed", 6, "text_echo", remove_sep)
    code, stdout, _ = run("diff", *removed, str(echo_sdk))
    assert code == 3
    assert re.search(r"(?m)^  breaking +/concat +input removed +input 'sep' removed", stdout)

    # A snapshot is its own baseline.
    code, _, _ = run("diff", *removed, str(tmp_path / "echo.schema.json"))
    assert code == 3


def test_diff_as_json(tmp_path: Path, echo_sdk: Path) -> None:
    removed = edited_documents(tmp_path / "removed", 6, "text_echo", remove_sep)
    code, stdout, _ = run("diff", *removed, str(echo_sdk), "--json")
    report = json.loads(stdout)  # stdout is the JSON document and nothing else
    assert code == 3 and report["result"] == "breaking" and report["exit_code"] == 3
    assert [(c["endpoint"], c["kind"], c["item"]) for c in report["changes"]] == [
        ("/concat", "input_removed", "sep")
    ]


def test_diff_needs_the_snapshot_the_sdk_was_made_from(
    tmp_path: Path, echo_sdk: Path, echo_args: list[str]
) -> None:
    moved = tmp_path / "kept" / "echo.schema.json"
    moved.parent.mkdir()
    (tmp_path / "echo.schema.json").rename(moved)
    code, stdout, stderr = run("diff", *echo_args, str(echo_sdk))
    _one_error_line(code, stderr, "no snapshot of the schema", "gradio-codegen snapshot")
    assert stdout == ""
    code, stdout, stderr = run("diff", *echo_args, str(echo_sdk), "--snapshot", str(moved))
    assert code == 0 and stdout.startswith(f"No change between {moved} and"), stderr
    other = EXAMPLES / "gradio5" / "text_echo.schema.json"
    code, _, stderr = run("diff", *echo_args, str(echo_sdk), "--snapshot", str(other))
    _one_error_line(code, stderr, "is not what", "was generated from")
    code, _, stderr = run("diff", *echo_args, str(tmp_path / "gone.py"))
    _one_error_line(code, stderr, "does not exist")


def test_diff_compares_the_endpoints_the_sdk_has(tmp_path: Path) -> None:
    """An SDK generated with --include-hidden is compared with hidden endpoints, without the
    option having to be repeated."""
    folder = SHARED / "gradio6" / "multi_endpoints"
    info, config = str(folder / "info_all_endpoints.json"), str(folder / "config.json")
    snap, sdk = tmp_path / "calc.schema.json", tmp_path / "calc.py"
    assert run("snapshot", info, "--config", config, "-o", str(snap))[0] == 0
    assert run(str(snap), "--include-hidden", "-o", str(sdk))[0] == 0
    data = json.loads(Path(info).read_text())
    del data["named_endpoints"]["/hidden_divide"]
    gone = tmp_path / "info.json"
    gone.write_text(json.dumps(data))
    code, stdout, _ = run("diff", str(gone), "--config", config, str(sdk))
    assert code == 3 and "hidden_divide() is gone" in stdout
    # The snapshot alone does not say which endpoints an SDK has: hidden ones are left out.
    code, stdout, _ = run("diff", str(gone), "--config", config, str(snap))
    assert code == 1 and "hidden_divide" not in stdout


def test_diff_of_a_deep_document_is_one_clear_error(tmp_path: Path, echo_sdk: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(_nested(100_000))
    code, stdout, stderr = run("diff", str(deep), str(echo_sdk))
    _one_error_line(code, stderr, "deeper than")
    assert stdout == ""


def test_diff_never_blocks_on_a_pipe(tmp_path: Path, echo_args: list[str]) -> None:
    """A pipe named like an SDK is not one: reading it would wait for a writer forever."""
    fifo = tmp_path / "sdk.py"
    os.mkfifo(fifo)
    code, stdout, stderr = run("diff", *echo_args, str(fifo))
    _one_error_line(code, stderr, "is not a module written by gradio-codegen")
    assert stdout == ""
