"""The ``gradio-codegen`` command against real apps: live generation, login, Space ids, hidden
endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import fixture, run, without_command
from servers import available_versions

MAJORS = available_versions()


@pytest.mark.servers
@pytest.mark.timeout(300)
@pytest.mark.parametrize("major", MAJORS)
def test_live_app_generates_the_same_module_as_its_captured_schema(server_pool, tmp_path: Path, major: str) -> None:  # type: ignore[no-untyped-def]
    server = server_pool.get("text_echo", major)
    live = tmp_path / "live.py"
    code, _, stderr = run(server.url, "-o", str(live))
    assert code == 0, stderr
    info, config = fixture(int(major), "text_echo")
    code, from_fixture, _ = run(info, "--config", config, "--src", server.url, "-o", "-")
    assert code == 0
    assert f"gradio-codegen {server.url} -o <this file>" in live.read_text()
    assert without_command(live.read_text()) == without_command(from_fixture)
    compile(live.read_text(), str(live), "exec")


@pytest.mark.servers
@pytest.mark.timeout(300)
@pytest.mark.parametrize("major", MAJORS)
def test_password_protected_app(server_pool, major: str) -> None:  # type: ignore[no-untyped-def]
    server = server_pool.get("auth_app", major)
    code, _, stderr = run(server.url, "--timeout", "30")
    assert code == 2 and "needs a login (/config answered 401); pass --auth USER:PASS" in stderr
    code, _, stderr = run(server.url, "--auth", "user:wrong", "--timeout", "30")
    assert code == 2 and "login to" in stderr and "failed" in stderr
    assert "wrong" not in stderr  # the password is never echoed
    code, stdout, stderr = run(server.url, "--auth", "user:pass", "--timeout", "30")
    assert code == 0, stderr
    assert "class Client(_rt.Client):" in stdout


@pytest.mark.servers
@pytest.mark.timeout(300)
def test_space_id_through_a_hub_stand_in(server_pool, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A Space id resolves through the Hub (a local stand-in) to the app, and the module records
    the Space id so clients resolve it again at run time."""
    from huggingface_hub import constants as hf_constants

    from hub_standin import HubStandin

    server = server_pool.get("text_echo", "6")
    hub = HubStandin().start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        hub.add_space("acme/echo", server.url, sdk_version="6.31.0")
        code, stdout, stderr = run("acme/echo", "--timeout", "30")
        assert code == 0, stderr
        assert 'src="acme/echo",' in stdout and 'space_id="acme/echo",' in stdout
        code, missing, stderr = run("acme/missing", "--timeout", "30")
        assert code == 2 and "acme/missing" in stderr
    finally:
        hub.stop()
    info, config = fixture(6, "text_echo")
    _, from_fixture, _ = run(info, "--config", config, "--src", "acme/echo")
    # Same module apart from the recorded Space id.
    assert "gradio-codegen acme/echo -o <this file>" in stdout
    assert without_command(stdout.replace('    space_id="acme/echo",\n', "")) == without_command(
        from_fixture
    )


@pytest.mark.servers
@pytest.mark.timeout(300)
@pytest.mark.parametrize("major", MAJORS)
def test_live_include_hidden_asks_for_all_endpoints(server_pool, major: str) -> None:  # type: ignore[no-untyped-def]
    server = server_pool.get("multi_endpoints", major)
    code, plain, stderr = run(server.url, "--timeout", "30")
    assert code == 0, stderr
    code, everything, stderr = run(server.url, "--include-hidden", "--timeout", "30")
    assert code == 0, stderr
    assert "def hidden_divide(" not in plain and "def hidden_divide(" in everything
    for text in (plain, everything):
        assert "def add(" in text and "def unnamed(" not in text and "def false(" not in text


@pytest.mark.servers
@pytest.mark.timeout(300)
@pytest.mark.parametrize("major", MAJORS)
def test_check_and_diff_against_the_live_app(server_pool, tmp_path: Path, major: str) -> None:  # type: ignore[no-untyped-def]
    """An SDK made from the captured schema, recorded at another address, is up to date against
    the real app and shows no change; the CLI reads the real app for both."""
    server = server_pool.get("text_echo", major)
    info, config = fixture(int(major), "text_echo")
    snap, sdk = tmp_path / "echo.schema.json", tmp_path / "echo.py"
    where = ["--src", "http://10.0.0.5:7860/"]
    assert run("snapshot", info, "--config", config, *where, "-o", str(snap))[0] == 0
    assert run(str(snap), "-o", str(sdk))[0] == 0
    code, stdout, stderr = run(server.url + "/", "-o", str(sdk), "--check", "--timeout", "30")
    assert (code, stdout) == (0, ""), stderr
    code, stdout, stderr = run("diff", server.url, str(sdk), "--timeout", "30")
    assert code == 0, stderr
    assert stdout == f"No change between {snap} and {server.url}: the SDK matches the app.\n"
