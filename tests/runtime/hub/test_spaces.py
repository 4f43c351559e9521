"""Space ids, Space URLs and plain URLs resolved through a Hub stand-in (real huggingface_hub calls).

The stand-in's Spaces are real Gradio apps from the server pool; a Space whose host is a gateway is
reached through a proxy that plays the Spaces front end (token check, sleeping, waking).
"""

from __future__ import annotations

import time

import huggingface_hub.constants as hf_constants
import pytest

from gradio_codegen.runtime import (
    InputError,
    ServerUnavailableError,
    SpaceNotFoundError,
    SpaceNotRunningError,
    SpacePausedError,
)
from gradio_codegen.runtime._hub._spaces import Resolved, SpaceStatus, resolve
from hub_standin import HubStandin, free_port

FAST = 0.05  # poll interval for the stand-in's stage changes


def test_plain_urls_are_taken_as_they_are(hub: HubStandin) -> None:
    assert resolve("https://acme-echo.hf.space/?__theme=dark") == Resolved(
        "https://acme-echo.hf.space"
    )
    assert resolve("acme-echo.hf.space") == Resolved("https://acme-echo.hf.space")
    assert resolve("127.0.0.1:7860/") == Resolved("http://127.0.0.1:7860")
    assert resolve("http://127.0.0.1:7860/sub/app/") == Resolved("http://127.0.0.1:7860/sub/app")
    assert hub.seen == []  # no Hub request for a URL


@pytest.mark.parametrize("src", ["", "   ", "not a source", "ftp://host/x", "a/b/c", "http://"])
def test_what_is_neither_url_nor_space_id_is_refused(src: str) -> None:
    with pytest.raises(InputError):
        resolve(src)


def test_a_space_still_building_at_the_timeout_fails_with_its_stage(hub: HubStandin) -> None:
    hub.add_space("acme/slow", "http://127.0.0.1:9", stages=["BUILDING"])
    with pytest.raises(SpaceNotRunningError) as caught:
        resolve("acme/slow", timeout=0.3, poll_interval=FAST)
    assert caught.value.stage == "BUILDING" and caught.value.space_id == "acme/slow"
    assert "BUILDING" in str(caught.value) and "timeout" in str(caught.value)


def test_a_build_error_after_building_is_reported(hub: HubStandin) -> None:
    hub.add_space("acme/broken", "http://127.0.0.1:9", stages=["BUILDING", "BUILD_ERROR"])
    with pytest.raises(SpaceNotRunningError) as caught:
        resolve("acme/broken", timeout=30, poll_interval=FAST)
    assert caught.value.stage == "BUILD_ERROR" and "build logs" in str(caught.value)


@pytest.mark.parametrize("stage", ["BUILD_ERROR", "RUNTIME_ERROR", "CONFIG_ERROR", "NO_APP_FILE"])
def test_a_broken_space_says_which_stage_and_what_to_do(hub: HubStandin, stage: str) -> None:
    hub.add_space("acme/broken", "http://127.0.0.1:9", stages=[stage])
    with pytest.raises(SpaceNotRunningError) as caught:
        resolve("acme/broken", timeout=30)
    assert caught.value.stage == stage and stage in str(caught.value)
    assert "duplicate" in str(caught.value)


def test_a_paused_space_raises_paused(hub: HubStandin) -> None:
    hub.add_space("acme/paused", "http://127.0.0.1:9", stages=["PAUSED"])
    with pytest.raises(SpacePausedError) as caught:
        resolve("acme/paused", timeout=30)
    assert caught.value.stage == "PAUSED" and "owner" in str(caught.value)


@pytest.mark.parametrize("coded", [True, False], ids=["RepoNotFound", "plain-404"])
def test_a_missing_space_is_not_found(monkeypatch: pytest.MonkeyPatch, coded: bool) -> None:
    standin = HubStandin(coded_errors=coded).start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", standin.url)
        monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
        with pytest.raises(SpaceNotFoundError) as caught:
            resolve("acme/nothing", timeout=5)
        assert caught.value.space_id == "acme/nothing"
        assert "404" in str(caught.value) and "HF_TOKEN" in str(caught.value)
    finally:
        standin.stop()


def test_an_unreachable_hub_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    with pytest.raises(ServerUnavailableError, match="Could not reach the Hugging Face Hub"):
        resolve("acme/echo", timeout=5)


def test_offline_mode_is_explained(monkeypatch: pytest.MonkeyPatch, hub: HubStandin) -> None:
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ServerUnavailableError, match="HF_HUB_OFFLINE"):
        resolve("acme/echo", timeout=5)
    assert hub.seen == []


@pytest.mark.parametrize("stage", ["RUNNING_BUILDING", "RUNNING_APP_STARTING"])
def test_a_running_space_rebuilding_next_to_itself_is_used_at_once(
    hub: HubStandin, stage: str
) -> None:
    hub.add_space("acme/busy", "http://127.0.0.1:9", stages=[stage, "BUILD_ERROR"])
    assert resolve("acme/busy", timeout=5).url == "http://127.0.0.1:9"


def test_hub_trouble_before_anything_is_known_is_reported(hub: HubStandin) -> None:
    hub.add_space("acme/new", "http://127.0.0.1:9")
    hub.fail_next = [503]
    with pytest.raises(ServerUnavailableError, match="HTTP 503"):
        resolve("acme/new", timeout=5)


def test_hub_trouble_while_waiting_is_ridden_out(hub: HubStandin) -> None:
    hub.add_space("acme/new", "http://127.0.0.1:9", stages=["BUILDING", "RUNNING"])
    stages: list[str] = []

    def then_fail_twice(status: SpaceStatus) -> None:
        stages.append(status.stage)
        hub.fail_next = [502, 500]

    resolved = resolve("acme/new", timeout=5, poll_interval=FAST, on_stage=then_fail_twice)
    assert resolved.url == "http://127.0.0.1:9" and stages == ["BUILDING"]
    assert hub.fail_next == []  # both failures were met, and retried


def test_a_hanging_hub_does_not_hang_resolution(hub: HubStandin) -> None:
    hub.add_space("acme/echo", "http://127.0.0.1:9")
    hub.delay = 3  # answers, but later than the 1 s the caller allows
    started = time.monotonic()
    with pytest.raises(ServerUnavailableError):
        resolve("acme/echo", timeout=1)
    assert time.monotonic() - started < 4
