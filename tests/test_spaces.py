"""Space ids, Space URLs and plain URLs resolved through a Hub stand-in (real huggingface_hub calls).

The stand-in's Spaces are real Gradio apps from the server pool; a Space whose host is a gateway is
reached through a proxy that plays the Spaces front end (token check, sleeping, waking).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import httpx
import huggingface_hub.constants as hf_constants
import pytest

from gradio_codegen.runtime import (
    InputError,
    ServerUnavailableError,
    SpaceNotFoundError,
    SpaceNotRunningError,
    SpacePausedError,
)
from gradio_codegen.runtime._auth import token_headers
from gradio_codegen.runtime._spaces import Resolved, SpaceStatus, aresolve, resolve
from hub_standin import VALID_TOKEN, HubStandin, free_port
from servers import GradioServer, ServerPool

FAST = 0.05  # poll interval for the stand-in's stage changes


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStandin]:
    standin = HubStandin().start()
    monkeypatch.setenv("HF_ENDPOINT", standin.url)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")  # no saved login leaks into tests
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)  # read once, at import
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def app(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("text_echo", "6")


def config_version(url: str, headers: dict[str, str] | None = None) -> str:
    reply = httpx.get(f"{url}/config", headers=headers, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["version"])


@pytest.mark.servers
def test_a_space_id_resolves_to_the_host_the_hub_names(hub: HubStandin, app: GradioServer) -> None:
    hub.add_space("acme/echo", app.url, sdk_version="6.31.0")
    resolved = resolve("acme/echo", timeout=30)
    assert resolved == Resolved(app.url, "acme/echo", "6.31.0", False)
    assert config_version(resolved.url).startswith("6.")
    assert [s.path for s in hub.seen] == ["/api/spaces/acme/echo"]


@pytest.mark.servers
def test_space_page_urls_resolve_like_the_id(hub: HubStandin, app: GradioServer) -> None:
    hub.add_space("acme/echo", app.url)
    for src in (
        "https://huggingface.co/spaces/acme/echo",
        "huggingface.co/spaces/acme/echo/",
        f"{hub.url}/spaces/acme/echo?logs=container",
    ):
        assert resolve(src, timeout=30).url == app.url, src


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


@pytest.mark.servers
def test_a_building_space_is_waited_for_with_its_stages_shown(
    hub: HubStandin, app: GradioServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub.add_space("acme/new", app.url, stages=["BUILDING", "BUILDING", "APP_STARTING", "RUNNING"])
    seen: list[SpaceStatus] = []
    with caplog.at_level(logging.INFO, logger="gradio_codegen.runtime.spaces"):
        resolved = resolve("acme/new", timeout=30, on_stage=seen.append, poll_interval=FAST)
    assert resolved.url == app.url
    assert [s.stage for s in seen] == ["BUILDING", "BUILDING", "APP_STARTING"]
    assert all(s.space_id == "acme/new" and s.timeout == 30 for s in seen)
    assert "acme/new is BUILDING" in caplog.text and "APP_STARTING" in caplog.text
    assert "running" in caplog.text


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


@pytest.mark.servers
def test_a_sleeping_space_is_woken_through_its_host(hub: HubStandin, app: GradioServer) -> None:
    space = hub.add_space("acme/sleepy", app.url, asleep=True)
    seen: list[SpaceStatus] = []
    resolved = resolve("acme/sleepy", timeout=30, on_stage=seen.append, poll_interval=FAST)
    assert space.wake_requests == 1
    assert [s.stage for s in seen] == ["SLEEPING", "APP_STARTING"]
    assert resolved.url == hub.gateways["acme/sleepy"].server.url
    assert config_version(resolved.url).startswith("6.")  # the app answers through its host


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


@pytest.mark.servers
def test_a_private_space_needs_a_valid_token(hub: HubStandin, app: GradioServer) -> None:
    hub.add_space("acme/secret", app.url, private=True, sdk_version="6.31.0")
    with pytest.raises(SpaceNotFoundError, match="private"):
        resolve("acme/secret", timeout=5)
    with pytest.raises(SpaceNotFoundError, match="token given cannot see it"):
        resolve("acme/secret", token="hf_wrongToken000000000000000", timeout=5)

    resolved = resolve("acme/secret", token=VALID_TOKEN, timeout=5)
    assert resolved.private is True and resolved.url == hub.gateways["acme/secret"].server.url
    assert hub.seen[-1].headers["authorization"] == f"Bearer {VALID_TOKEN}"  # to the Hub API
    # The host the Hub named may receive the token; the Space's front end wants it.
    headers = token_headers(resolved.url, VALID_TOKEN, gradio_version=resolved.gradio_version)
    assert headers == {"x-hf-authorization": f"Bearer {VALID_TOKEN}"}
    assert config_version(resolved.url, headers).startswith("6.")
    assert httpx.get(f"{resolved.url}/config", timeout=30).status_code == 404


@pytest.mark.servers
def test_the_token_comes_from_hf_token(
    hub: HubStandin, app: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.add_space("acme/secret", app.url, private=True)
    monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN")
    monkeypatch.setenv("HF_TOKEN", VALID_TOKEN)
    assert resolve("acme/secret", timeout=5).space_id == "acme/secret"


@pytest.mark.servers
def test_async_resolution_waits_too(hub: HubStandin, app: GradioServer) -> None:
    hub.add_space("acme/new", app.url, stages=["BUILDING", "RUNNING"])
    space = hub.add_space("acme/sleepy", app.url, asleep=True)
    seen: list[str] = []

    async def both() -> tuple[Resolved, Resolved]:
        return (
            await aresolve(
                "acme/new", timeout=30, on_stage=lambda s: seen.append(s.stage), poll_interval=FAST
            ),
            await aresolve("acme/sleepy", timeout=30, poll_interval=FAST),
        )

    built, woken = asyncio.run(both())
    assert built.url == app.url and seen == ["BUILDING"]
    assert space.wake_requests == 1 and config_version(woken.url).startswith("6.")


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


@pytest.mark.servers
def test_a_sleeping_private_space_is_woken_with_the_token(
    hub: HubStandin, app: GradioServer
) -> None:
    """Its front end ignores requests without the token, so waking proves the token got there."""
    space = hub.add_space("acme/private-sleepy", app.url, private=True, asleep=True)
    resolved = resolve("acme/private-sleepy", token=VALID_TOKEN, timeout=30, poll_interval=FAST)
    assert space.wake_requests == 1 and resolved.private is True


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
