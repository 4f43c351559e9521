"""A client retries what is safe and nothing else (docs/faults.md 7.1-7.3), with ``max_retries``
and ``retry_queue_full`` as options (also through ``with_options``).

The checked-in Gradio 6 SDK talks to ``hostile_app`` over real sockets, so the retrying transport
the runtime builds is the one under test; the app's join route plays a rate limiter, Gradio's own
"Queue is full", and a gateway that gave up after the app accepted the job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from gradio_codegen import runtime as rt
from hostile_app import PREFIX, Handler, HostileApp, example_sdk, refuse_first

pytestmark = pytest.mark.timeout(120)

sdk = example_sdk("text_echo")
JOIN = ("POST", f"{PREFIX}/call/echo")  # the join of an echo call, by name
QUEUE_FULL = {"detail": "Queue is full. Max size is 1 and size is 1."}


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as hostile:
        yield hostile


def joins_refused(app: HostileApp, times: int, refuse: Callable[[Handler], None]) -> list[str]:
    """The first ``times`` joins are answered by ``refuse`` (the app never queues them); the
    rest reach the app. Returns what each join met, in order."""
    return refuse_first(app, JOIN, times, refuse)


def rate_limited(h: Handler) -> None:
    h.send_json(429, {"detail": "Too Many Requests"}, headers={"retry-after": "0"})


def queue_full(h: Handler) -> None:
    h.send_json(503, QUEUE_FULL)


def test_a_rate_limited_join_is_retried_and_runs_once(app: HostileApp) -> None:
    met = joins_refused(app, 2, rate_limited)
    with sdk.Client(app.url, timeout=30) as client:
        assert client.echo("hi") == "hi"
    assert met == ["refused", "refused", "app"]
    assert len(app.joined) == 1


def test_max_retries_bounds_the_retries_and_with_options_changes_it(app: HostileApp) -> None:
    met = joins_refused(app, 100, rate_limited)
    with sdk.Client(app.url, timeout=30, max_retries=1) as client:
        with pytest.raises(rt.QueueFullError) as info:
            client.echo("hi")
        assert len(met) == 2
        assert info.value.status_code == 429 and info.value.may_have_run is False
        assert info.value.retry_after == 0.0
        with pytest.raises(rt.QueueFullError):
            client.with_options(max_retries=0).echo("hi")
        assert len(met) == 3
    assert app.joined == []


def test_gradios_queue_full_is_retried_only_when_asked(app: HostileApp) -> None:
    met = joins_refused(app, 1, queue_full)
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.QueueFullError) as info:
            client.echo("hi")
        assert info.value.may_have_run is False and "Queue is full" in str(info.value)
        assert met == ["refused"]
        app.routes.pop(JOIN)
        met = joins_refused(app, 2, queue_full)
        assert client.with_options(retry_queue_full=True).echo("again") == "again"
    assert met == ["refused", "refused", "app"]
    assert len(app.joined) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_join_a_gateway_answered_with_a_5xx_is_not_retried(app: HostileApp, status: int) -> None:
    def gateway_gave_up(h: Handler) -> None:  # it may have passed the join on: we cannot tell
        h.send_json(status, {"detail": "upstream timed out"})

    met = joins_refused(app, 100, gateway_gave_up)
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.ServerUnavailableError) as info:
            client.echo("hi")
    assert info.value.may_have_run is True
    assert met == ["refused"]  # one join: a second could run the function twice


def test_async_clients_follow_the_same_options(app: HostileApp) -> None:
    met = joins_refused(app, 2, rate_limited)

    async def main() -> None:
        async with sdk.AsyncClient(app.url, timeout=30) as client:
            with pytest.raises(rt.QueueFullError):
                await client.with_options(max_retries=0).echo("hi")
            assert await client.echo("hi") == "hi"

    asyncio.run(main())
    assert met == ["refused", "refused", "app"]


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2", 101])
def test_max_retries_is_checked(bad: object) -> None:
    with pytest.raises(ValueError, match="max_retries"):
        sdk.Client("http://127.0.0.1:9", max_retries=bad)
    with pytest.raises(ValueError, match="retry_queue_full"):
        sdk.Client("http://127.0.0.1:9", retry_queue_full="yes")
