"""Space ids and Space URLs resolved through a Hub stand-in (real huggingface_hub calls) to real
Gradio apps.

The stand-in's Spaces are real Gradio apps from the server pool; a Space whose host is a gateway is
reached through a proxy that plays the Spaces front end (token check, sleeping, waking).
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from gradio_codegen.runtime import (
    SpaceNotFoundError,
)
from gradio_codegen.runtime._hub._auth import token_headers
from gradio_codegen.runtime._hub._spaces import Resolved, SpaceStatus, aresolve, resolve
from hub_standin import VALID_TOKEN, HubStandin
from servers import GradioServer, ServerPool

FAST = 0.05  # poll interval for the stand-in's stage changes


def config_version(url: str, headers: dict[str, str] | None = None) -> str:
    reply = httpx.get(f"{url}/config", headers=headers, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["version"])


@pytest.fixture(scope="module")
def app(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("text_echo", "6")


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


@pytest.mark.servers
def test_a_sleeping_space_is_woken_through_its_host(hub: HubStandin, app: GradioServer) -> None:
    space = hub.add_space("acme/sleepy", app.url, asleep=True)
    seen: list[SpaceStatus] = []
    resolved = resolve("acme/sleepy", timeout=30, on_stage=seen.append, poll_interval=FAST)
    assert space.wake_requests == 1
    assert [s.stage for s in seen] == ["SLEEPING", "APP_STARTING"]
    assert resolved.url == hub.gateways["acme/sleepy"].server.url
    assert config_version(resolved.url).startswith("6.")  # the app answers through its host


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


@pytest.mark.servers
def test_a_sleeping_private_space_is_woken_with_the_token(
    hub: HubStandin, app: GradioServer
) -> None:
    """Its front end ignores requests without the token, so waking proves the token got there."""
    space = hub.add_space("acme/private-sleepy", app.url, private=True, asleep=True)
    resolved = resolve("acme/private-sleepy", token=VALID_TOKEN, timeout=30, poll_interval=FAST)
    assert space.wake_requests == 1 and resolved.private is True
