"""A broken or refused event stream after an accepted join (docs/faults.md 7.4): the session asks
again where that is safe, reopens a broken stream once, and otherwise fails every waiting job with
a ``ServerUnavailableError`` that says the function may have run -- never a ``QueueFullError``,
never a second join, and never a job left waiting.

The checked-in Gradio 6 SDK talks to ``hostile_app``, whose stream route plays a front end.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from hostile_app import PREFIX, Event, Handler, HostileApp, example_sdk

pytestmark = pytest.mark.timeout(120)

sdk = example_sdk("text_echo")
STREAM = ("GET", f"{PREFIX}/queue/data")


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as hostile:
        yield hostile


def call(mode: str, app: HostileApp, text: str = "hello", timeout: float = 30) -> Any:
    if mode == "sync":
        with sdk.Client(app.url, timeout=timeout) as client:
            return client.echo(text)

    async def main() -> Any:
        async with sdk.AsyncClient(app.url, timeout=timeout) as client:
            return await client.echo(text)

    return asyncio.run(main())


def front_end_refuses(app: HostileApp, times: int, status: int, **headers: str) -> list[int]:
    """The first ``times`` stream requests get ``status`` from a "front end"; then the app."""
    answered: list[int] = []
    lock = threading.Lock()

    def stream(h: Handler) -> None:
        with lock:
            refuse = len(answered) < times
            answered.append(status if refuse else 200)
        if refuse:
            h.send_json(status, {"detail": "upstream unavailable"}, headers=headers)
        else:
            app._stream(h)

    app.routes[STREAM] = stream
    return answered


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stream_refused_twice_by_a_front_end_still_delivers_the_result(
    app: HostileApp, mode: str
) -> None:
    answered = front_end_refuses(app, 2, 503, **{"retry-after": "0"})
    assert call(mode, app) == "hello"
    assert answered == [503, 503, 200]
    assert len(app.requests_to(f"{PREFIX}/call/echo")) == 1  # never joined again


@pytest.mark.parametrize(("mode", "status"), [("sync", 503), ("async", 429), ("sync", 502)])
def test_a_stream_refused_for_good_is_server_unavailable_never_queue_full(
    app: HostileApp, mode: str, status: int
) -> None:
    front_end_refuses(app, 100, status, **{"retry-after": "0"})
    with pytest.raises(rt.ServerUnavailableError) as info:
        call(mode, app)
    assert not isinstance(info.value, rt.QueueFullError)
    assert info.value.may_have_run is True
    assert f"HTTP {status}" in str(info.value) and "may have run the function" in str(info.value)
    assert len(app.requests_to(f"{PREFIX}/call/echo")) == 1


def sse(message: object) -> bytes:
    return b"data: " + json.dumps(message).encode() + b"\n\n"


def dropped_once(app: HostileApp, then: str) -> None:
    """The first stream is dropped after ``process_starts`` (no ``close_stream``); the reopened
    one finds the job (a front end dropped the client, the app never noticed) or the app's
    ``session_not_found`` (what Gradio 4.44, 5.50 and 6.31 answer after a drop)."""
    held: list[Event] = []

    def on_stream(h: Handler, session: str, events: list[Event]) -> None:
        if not held:
            held.extend(events)
            for event in events:
                h.raw(sse({"msg": "process_starts", "event_id": event.event_id, "eta": None}))
            return  # the connection closes: the stream broke off
        if then == "resumed":
            for event in held:
                h.sse(app.completed(event))
            h.sse({"msg": "close_stream", "event_id": None})
        else:
            h.sse(
                {
                    "msg": "unexpected_error",
                    "event_id": None,
                    "message": "404: Not Found",
                    "session_not_found": True,
                    "success": False,
                }
            )

    app.on_stream = on_stream


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stream_dropped_by_a_front_end_is_reopened_and_the_job_goes_on(
    app: HostileApp, mode: str
) -> None:
    dropped_once(app, "resumed")
    assert call(mode, app) == "hello"
    assert len(app.requests_to(f"{PREFIX}/queue/data")) == 2
    assert len(app.requests_to(f"{PREFIX}/call/echo")) == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_stream_the_app_dropped_fails_the_job_saying_it_may_have_run(
    app: HostileApp, mode: str
) -> None:
    dropped_once(app, "lost")
    with pytest.raises(rt.ServerUnavailableError) as info:
        call(mode, app)
    assert info.value.may_have_run is True
    assert "the event stream broke and the app dropped this session's jobs" in str(info.value)
    assert len(app.requests_to(f"{PREFIX}/queue/data")) == 2
    assert len(app.requests_to(f"{PREFIX}/call/echo")) == 1  # never re-joined by itself
