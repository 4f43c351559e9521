"""The session's event stream is retried as the client's options say (``max_retries``).

A stream refused before its 200 takes no message, so the reader asks for it again -- as often as
the client's ``max_retries`` allows, not a fixed default: the reader runs in its own thread or task,
outside the call that started it, so it must carry the option itself. The hostile app's stream
route plays a front end that refuses the first streams with a 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._http import _retry
from hostile_app import PREFIX, HostileApp, example_sdk, refuse_first

pytestmark = pytest.mark.timeout(120)

sdk = example_sdk("text_echo")
STREAM = ("GET", f"{PREFIX}/queue/data")
FLAVOURS = ["sync", "async"]


@pytest.fixture(autouse=True)
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "_jitter", lambda: 0.0)  # backoff draws 0 s


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as hostile:
        yield hostile


def streams_refused(app: HostileApp, times: int) -> list[str]:
    """The first ``times`` streams are refused by a front end (503); the rest reach the app."""
    return refuse_first(
        app, STREAM, times, lambda h: h.send_json(503, {"detail": "Service Unavailable"})
    )


def echo(flavour: str, url: str, **options: Any) -> Any:
    options.setdefault("timeout", 60)
    if flavour == "sync":
        with sdk.Client(url, **options) as client:
            return client.echo("hi")

    async def go() -> Any:
        async with sdk.AsyncClient(url, **options) as client:
            return await client.echo("hi")

    return asyncio.run(go())


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_more_retries_than_the_default_reach_the_result(flavour: str, app: HostileApp) -> None:
    met = streams_refused(app, 3)  # one more than the default policy's 2 retries
    assert echo(flavour, app.url, max_retries=4) == "hi"
    assert met == ["refused"] * 3 + ["app"]
    assert len(app.joined) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_max_retries_0_asks_for_the_stream_once(flavour: str, app: HostileApp) -> None:
    met = streams_refused(app, 1)
    with pytest.raises(rt.ServerUnavailableError) as caught:
        echo(flavour, app.url, max_retries=0)
    assert caught.value.may_have_run  # the job was accepted before its stream was refused
    assert met == ["refused"]
