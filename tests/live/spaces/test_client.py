"""Clients built for Space ids, end to end: Hub stand-in -> Space host -> real Gradio app."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._hub import _zerogpu as rt_zerogpu
from gradio_codegen.runtime import shapes as s
from hub_standin import VALID_TOKEN, HubStandin, SpaceGateway, StandinSpace
from servers import GradioServer, ServerPool

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]

SECRET = "hf_secretForNoOtherHost0123456789"
ECHO: rt.Endpoint[str] = rt.Endpoint(
    "/echo",
    fn_index=None,
    inputs=(rt.Param("text", s.Str()),),
    outputs=(rt.Output("output", s.Str()),),
)


def client_class(src: str, major: str) -> type[rt.Client]:
    """What the generator writes for text_echo, pointed at ``src``."""
    prefix = "" if major == "4" else "/gradio_api"
    version = {"4": "4.44.1", "5": "5.50.0", "6": "6.31.0"}[major]

    class Client(rt.Client):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(src=src, api_prefix=prefix, gradio_version=version)

        def echo(self, text: str) -> str:
            return self._predict(ECHO, text)

    return Client


@pytest.fixture(scope="module")
def echo6(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("text_echo", "6")


def test_a_space_id_sdk_waits_for_the_build_and_follows_the_host(
    hub: HubStandin, echo6: GradioServer
) -> None:
    space = hub.add_space("acme/echo", echo6.url, stages=["BUILDING", "RUNNING"], gateway=True)
    first = hub.gateways["acme/echo"]
    Client = client_class("acme/echo", "6")
    with Client() as client:
        assert client.echo("hello") == "hello"
    assert any(seen.path.endswith("/call/echo") for seen in first.seen)

    moved = SpaceGateway(space)  # the Space moves to another host; the SDK stored only the id
    moved.server.start()
    try:
        space.host = moved.server.url
        with Client() as client:
            assert client.echo("again") == "again"
        assert any(seen.path.endswith("/call/echo") for seen in moved.seen)
    finally:
        moved.server.stop()


def test_a_private_space_is_called_with_the_token_on_its_host(
    hub: HubStandin, echo6: GradioServer
) -> None:
    hub.add_space("acme/secret", echo6.url, private=True, sdk_version="6.31.0")
    Client = client_class("acme/secret", "6")
    with pytest.raises(rt.SpaceNotFoundError):
        with Client() as client:
            client.echo("x")
    with Client(token=VALID_TOKEN) as client:
        assert client.echo("private hello") == "private hello"
    joins = [x for x in hub.gateways["acme/secret"].seen if x.path.endswith("/call/echo")]
    assert joins and joins[0].headers["x-hf-authorization"] == f"Bearer {VALID_TOKEN}"


def test_a_gradio_4_space_gets_the_token_as_authorization(
    hub: HubStandin, server_pool: ServerPool
) -> None:
    app = server_pool.get("text_echo", "4")
    hub.add_space("acme/old", app.url, private=True, sdk_version="4.44.1")
    with client_class("acme/old", "4")(token=VALID_TOKEN) as client:
        assert client.echo("old") == "old"
    joins = [x for x in hub.gateways["acme/old"].seen if x.path.endswith("/call/echo")]
    assert joins[0].headers.get("authorization") == f"Bearer {VALID_TOKEN}"
    assert "x-hf-authorization" not in joins[0].headers


def test_no_token_reaches_a_host_that_is_not_hugging_face(
    echo6: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gradio_client sends HF_TOKEN to any URL; a recording proxy shows this runtime does not."""
    recorder = SpaceGateway(StandinSpace("none/recorder", echo6.url))
    recorder.server.start()
    try:
        monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", raising=False)
        monkeypatch.setenv("HF_TOKEN", SECRET + "env")
        Client = client_class(recorder.server.url, "6")
        with Client(token=SECRET) as client:
            assert client.echo("a") == "a"
        with Client() as client:  # the token from the environment
            assert client.echo("b") == "b"
    finally:
        recorder.server.stop()
    assert sum(x.path.endswith("/call/echo") for x in recorder.seen) == 2
    for seen in recorder.seen:
        assert not any(SECRET in value for value in seen.headers.values()), seen


def test_the_async_client_resolves_a_sleeping_space(hub: HubStandin, echo6: GradioServer) -> None:
    space = hub.add_space("acme/sleepy", echo6.url, asleep=True)
    src = "acme/sleepy"

    class AsyncClient(rt.AsyncClient):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(src=src, api_prefix="/gradio_api")

        async def echo(self, text: str) -> str:
            return await self._predict(ECHO, text)

    async def run() -> str:
        async with AsyncClient() as client:
            return await client.echo("wake up")

    assert asyncio.run(run()) == "wake up"
    assert space.wake_requests >= 1


@pytest.mark.parametrize("major", ["4", "6"])
def test_a_zerogpu_quota_refusal_raises_the_quota_error(
    server_pool: ServerPool, major: str
) -> None:
    server = server_pool.get("zerogpu_quota", major)
    prompt = rt.Param("prompt", s.Str())
    generate: rt.Endpoint[str] = rt.Endpoint(
        "/generate", fn_index=None, inputs=(prompt,), outputs=(rt.Output("output", s.Str()),)
    )

    class Client(rt.Client):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(src=server.url, api_prefix=server.api_prefix)

        def generate(self, prompt: str) -> str:
            return self._predict(generate, prompt)

    with Client() as client:
        with pytest.raises(rt.ZeroGPUQuotaError) as caught:
            client.generate("a cat")
    assert (caught.value.requested, caught.value.remaining) == (60, 45)
    assert caught.value.endpoint == "/generate"
    assert caught.value.message.startswith("You have exceeded your ZeroGPU quota")


def test_the_token_never_shows_in_client_errors_or_reprs(
    hub: HubStandin, echo6: GradioServer, caplog: pytest.LogCaptureFixture
) -> None:
    hub.add_space("acme/secret", echo6.url, private=True)
    caplog.set_level("DEBUG")
    client = client_class("acme/secret", "6")(token=SECRET)
    with pytest.raises(rt.GradioError) as caught:
        client.echo("x")
    client.close()
    texts = [str(caught.value), repr(caught.value), repr(vars(caught.value)), repr(client)]
    cause = caught.value.__cause__ or caught.value.__context__
    while cause is not None:
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    assert not any(SECRET in text for text in texts)
    assert SECRET not in caplog.text


def test_the_callers_ip_token_is_forwarded_to_a_space_only(
    hub: HubStandin, echo6: GradioServer
) -> None:
    hub.add_space("acme/zero", echo6.url, gateway=True)
    recorder = SpaceGateway(StandinSpace("none/recorder", echo6.url))
    recorder.server.start()
    try:
        with rt_zerogpu.forward_headers({"x-ip-token": "end-user-ip-token"}):
            with client_class("acme/zero", "6")() as client:
                assert client.echo("z") == "z"
            with client_class(recorder.server.url, "6")() as client:
                assert client.echo("r") == "r"
    finally:
        recorder.server.stop()
    joins = [x for x in recorder.seen if x.path.endswith("/call/echo")]
    assert joins and "x-ip-token" not in joins[0].headers
    joins = [x for x in hub.gateways["acme/zero"].seen if x.path.endswith("/call/echo")]
    assert joins[0].headers.get("x-ip-token") == "end-user-ip-token"
