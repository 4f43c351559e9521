"""ZeroGPU's ``x-ip-token`` on a Gradio 3 call: it goes with the websocket upgrade and with
``POST /run`` exactly as with a 4.x join, and only to a host that may receive a Hugging Face token
(a Space's own host; here the stand-in, named in ``trusted_hosts``). The Space itself, resolved
through the Hub stand-in, is in ``tests/live/spaces/test_gradio3_spaces.py``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio3_standin import ECHO, Gradio3Standin

IP_TOKEN = "end-user-ip-token-3x"


def spec(app: Gradio3Standin) -> rt.AppSpec:
    return rt.AppSpec(src=app.url, protocol="ws", gradio_version="3.50.2")


def call(app: Gradio3Standin, flavour: str, **options: Any) -> str | None:
    """One echo under ``forward_headers``, as an app handling an end user's request makes it."""
    options = {"timeout": 30, **options}
    app_spec = spec(app)
    with rt.forward_headers({"x-ip-token": IP_TOKEN}):
        if flavour == "sync":

            class Legacy(rt.Client):
                app = app_spec

            with Legacy(**options) as client:
                return client._predict(ECHO, "z")

        class AsyncLegacy(rt.AsyncClient):
            app = app_spec

        async def go() -> str | None:
            async with AsyncLegacy(**options) as client:
                return await client._predict(ECHO, "z")

        return asyncio.run(go())


def sent_with(app: Gradio3Standin, line: str) -> dict[str, str]:
    (headers,) = [h for seen, h in zip(app.seen, app.headers, strict=True) if seen == line]
    return headers


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("queue", [True, False], ids=["websocket", "run"])
def test_the_ip_token_goes_with_the_call_to_a_space_host(flavour: str, queue: bool) -> None:
    with Gradio3Standin(queue=queue) as app:
        assert call(app, flavour, trusted_hosts=[app.url]) == "z"
    line = "GET /queue/join HTTP/1.1" if queue else "POST /run/echo HTTP/1.1"
    headers = sent_with(app, line)
    assert headers["x-ip-token"] == IP_TOKEN
    if queue:  # still a proper upgrade, not a JSON request
        assert headers["upgrade"].lower() == "websocket" and "content-type" not in headers
    else:
        assert headers["content-type"] == "application/json"
    assert "x-ip-token" not in sent_with(app, "GET /config HTTP/1.1")


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("queue", [True, False], ids=["websocket", "run"])
def test_no_ip_token_reaches_a_host_that_is_not_a_space(flavour: str, queue: bool) -> None:
    with Gradio3Standin(queue=queue) as app:
        assert call(app, flavour) == "z"
    assert len(app.headers) == 2  # /config and the call itself
    assert not any(IP_TOKEN in value for h in app.headers for value in h.values())
