"""Gradio 3 Spaces, end to end: a Space id resolved through the Hub stand-in (real huggingface_hub
calls) to a Space host in front of a real 3.50.2 app, called over its websocket queue.

The 3.x SDK is the checked-in ``generated_examples/gradio3/text_echo.py``. The Space's host is a
``SpaceGateway``, which passes the websocket upgrade on only after the front end's checks (a
private Space's token, waking a sleeping one) and records its headers: those show where the
token and ZeroGPU's ``x-ip-token`` went. One app server serves the whole module.
"""

from __future__ import annotations

import asyncio

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._hub import _spaces as rt_spaces
from hostile_app import example_sdk
from hub_standin import VALID_TOKEN, HubStandin, Seen, SpaceGateway, StandinSpace
from servers import GradioServer, ServerPool, available_gradio3_versions

pytestmark = [
    pytest.mark.servers,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        "3" not in available_gradio3_versions(), reason="no Gradio 3.50 venv; scripts/bootstrap g3"
    ),
]

SECRET = "hf_secretForNoOtherHost0123456789"
IP_TOKEN = "end-user-ip-token-3x"


@pytest.fixture(scope="module")
def echo3(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("text_echo", "3")


def upgrades(seen: list[Seen]) -> list[dict[str, str]]:
    return [x.headers for x in seen if x.path == "/queue/join" and "upgrade" in x.headers]


def test_a_sleeping_private_gradio3_space_wakes_and_gets_the_token_on_its_host(
    hub: HubStandin, echo3: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rt_spaces, "POLL_INTERVAL", 0.05)  # the stand-in wakes in two polls
    sdk = example_sdk("text_echo", "3")
    space = hub.add_space("acme/old3", echo3.url, asleep=True, private=True, sdk_version="3.50.2")
    with pytest.raises(rt.SpaceNotFoundError):
        with sdk.Client("acme/old3") as client:
            client.echo("x")
    with rt.forward_headers({"x-ip-token": IP_TOKEN}):
        with sdk.Client("acme/old3", token=VALID_TOKEN) as client:
            assert client.echo("woken") == "woken"
            assert client.concat("a", "b", sep="+") == "a+b"
    assert space.wake_requests >= 1 and not space.asleep
    sent = upgrades(hub.gateways["acme/old3"].seen)
    assert len(sent) == 2, "both calls went through the websocket queue on the Space's host"
    for headers in sent:
        # Gradio 3 (like 4) reads the token as `authorization`; 5 and 6 as x-hf-authorization.
        assert headers["authorization"] == f"Bearer {VALID_TOKEN}"
        assert "x-hf-authorization" not in headers
        assert headers["x-ip-token"] == IP_TOKEN


def test_the_async_client_calls_a_gradio3_space_and_no_credential_reaches_another_host(
    hub: HubStandin, echo3: GradioServer
) -> None:
    sdk = example_sdk("text_echo", "3")
    hub.add_space("acme/async3", echo3.url, gateway=True, sdk_version="3.50.2")
    recorder = SpaceGateway(StandinSpace("none/recorder", echo3.url))
    recorder.server.start()

    async def run() -> list[str | None]:
        results = []
        for src in ("acme/async3", recorder.server.url):
            async with sdk.AsyncClient(src, token=SECRET) as client:
                results.append(await client.echo(src))
        return results

    try:
        with rt.forward_headers({"x-ip-token": IP_TOKEN}):
            assert asyncio.run(run()) == ["acme/async3", recorder.server.url]
    finally:
        recorder.server.stop()
    (space_upgrade,) = upgrades(hub.gateways["acme/async3"].seen)
    assert space_upgrade["x-ip-token"] == IP_TOKEN
    assert space_upgrade["authorization"] == f"Bearer {SECRET}"
    assert len(upgrades(recorder.seen)) == 1, "the other host was called over its queue too"
    for seen in recorder.seen:
        assert not any(SECRET in v or IP_TOKEN in v for v in seen.headers.values()), seen
