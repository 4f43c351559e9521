"""Faults of a call under way, in memory (``mock_gradio``): a stream that breaks or goes silent, an
app that changed, a login, a call that times out or is cancelled, a client closed mid-call.

The same behaviour against real Gradio servers -- a killed or frozen process, a generator that
really stops -- is in ``tests/live/test_faults.py`` and ``tests/live/test_streaming.py``; these
run in milliseconds and cover both clients.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gradio_codegen import runtime as rt
from mock_gradio import (
    CLOSE,
    CONCAT,
    HEARTBEAT,
    P,
    WAIT,
    FakeApp,
    async_client_for,
    client_for,
    done,
    generating,
    sse,
)

pytestmark = pytest.mark.timeout(60)

FLAVOURS = ["sync", "async"]


def predict(flavour: str, fake: FakeApp, *args: Any, **options: Any) -> Any:
    """``CONCAT`` called once through a fresh client of ``flavour``."""
    options.setdefault("timeout", 5)
    if flavour == "sync":
        with client_for(fake, **options) as client:
            return client._predict(CONCAT, *args)

    async def go() -> Any:
        async with async_client_for(fake, **options) as client:
            return await client._predict(CONCAT, *args)

    return asyncio.run(go())


def started(event_id: str = "e1") -> bytes:
    return sse({"msg": "process_starts", "event_id": event_id, "eta": None})


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_stream_that_breaks_mid_call_fails_the_job(flavour: str) -> None:
    fake = FakeApp(lambda n: [started(), httpx.ReadError("connection reset by peer")])
    with pytest.raises(rt.ServerUnavailableError, match="broke off"):
        predict(flavour, fake, "a", "b", "-")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_refused_connection_is_server_unavailable(flavour: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with pytest.raises(rt.ServerUnavailableError, match="is the server running"):
        predict(flavour, FakeApp(join=refuse), "a", "b", "-")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_silent_stream_means_the_app_is_gone(flavour: str) -> None:
    """A read timeout on the stream is the silence limit passing: no heartbeat came."""
    fake = FakeApp(lambda n: [started(), httpx.ReadTimeout("timed out")])
    with pytest.raises(rt.ServerUnavailableError, match="went silent"):
        predict(flavour, fake, "a", "b", "-")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_heartbeats_keep_a_quiet_job_alive(flavour: str) -> None:
    beats = [sse(HEARTBEAT), WAIT] * 5
    fake = FakeApp(lambda n: [started(), *beats, sse(done("e1", ["late"]), CLOSE)])
    assert predict(flavour, fake, "a", "b", "-") == "late"


CONFIG = {
    "version": "6.31.0",
    "api_prefix": P,
    "protocol": "sse_v3",
    "components": [{"id": i, "type": "textbox"} for i in range(1, 4)],
    "dependencies": [{"id": 0, "api_name": "echo", "inputs": [1], "outputs": [2]}],
}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_an_endpoint_the_app_no_longer_has_is_app_changed(flavour: str) -> None:
    fake = FakeApp(join=lambda r: httpx.Response(500, text="Internal Server Error"), config=CONFIG)
    with pytest.raises(rt.AppChangedError, match=r"no endpoint /concat any more \(removed or renamed; it has: /echo\)"):
        predict(flavour, fake, "a", "b", "-")


def _login_app(password: str) -> FakeApp:
    """An app with a password: the login sets a cookie, a join without it is refused."""

    def login(request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=") for x in request.content.decode().split("&"))
        if form != {"username": "user", "password": password}:
            return httpx.Response(400, json={"detail": "Incorrect credentials."})
        return httpx.Response(200, json={"success": True}, headers={"set-cookie": "access=ok"})

    def join(request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("cookie") != "access=ok":
            return httpx.Response(401, json={"detail": "Not authenticated"})
        return None

    return FakeApp(login=login, join=join)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_password_login_comes_first_and_its_cookie_goes_along(flavour: str) -> None:
    fake = _login_app("pass")
    assert predict(flavour, fake, "a", "b", "-", auth=("user", "pass")) == "x"
    paths = [path for _, path in fake.paths()]
    assert paths[0] == "/login"  # then the call by name, its stream and the layout check
    assert sorted(paths[1:]) == ["/config", f"{P}/call/concat", f"{P}/queue/data"]
    assert all(r.headers.get("cookie") == "access=ok" for r in fake.requests[1:])
    with pytest.raises(rt.AuthenticationError, match="wrong username or password"):
        predict(flavour, _login_app("pass"), "a", "b", "-", auth=("user", "wrong"))
    with pytest.raises(rt.AuthenticationError, match="auth="):
        predict(flavour, _login_app("pass"), "a", "b", "-")


def _cancels(fake: FakeApp) -> list[tuple[str, Any]]:
    return [
        (r.url.path, json.loads(r.content))
        for r in fake.requests
        if r.url.path in (f"{P}/cancel", f"{P}/reset")
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_call_that_times_out_is_cancelled_on_the_server(flavour: str) -> None:
    never = threading.Event()
    fake = FakeApp(lambda n: [started(), never])
    began = time.monotonic()
    with pytest.raises(rt.GradioTimeoutError, match="no result within 0.3 s"):
        predict(flavour, fake, "a", "b", "-", timeout=0.3)
    never.set()
    assert time.monotonic() - began < 5
    session = fake.bodies[0]["session_hash"]
    assert _cancels(fake) == [
        (f"{P}/cancel", {"fn_index": 1, "session_hash": session, "event_id": "e1"}),
        (f"{P}/reset", {"event_id": "e1"}),
    ]


def test_a_result_wait_that_runs_out_leaves_the_job_running() -> None:
    gate = threading.Event()
    fake = FakeApp(lambda n: [started(), gate, sse(done("e1", ["finally"]), CLOSE)])
    with client_for(fake, timeout=5) as client:
        job = client._submit(CONCAT, "a", "b", "-")
        with pytest.raises(TimeoutError):
            job.result(timeout=0.1)
        gate.set()
        assert job.result() == "finally"
    assert _cancels(fake) == []


def _ticker(n: int) -> Iterator[object]:
    """A generator's stream: a value every 10 ms until the client goes away (whole values, as
    Gradio streams them to a call by name)."""
    for i in range(1, 500):
        yield sse(generating("e1", [str(i)]))
        yield WAIT


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_cancel_tells_the_server_and_ends_the_iteration(flavour: str) -> None:
    fake = FakeApp(_ticker)
    if flavour == "sync":
        with client_for(fake, timeout=5) as client:
            job = client._submit(CONCAT, "a", "b", "-")
            seen = []
            for value in job:
                seen.append(value)
                if len(seen) == 3:
                    assert job.cancel() is True
            status = job.status()
            with pytest.raises(rt.JobCancelledError):
                job.result()
    else:

        async def go() -> tuple[list[str], rt.JobStatus]:
            async with async_client_for(fake, timeout=5) as client:
                job = await client._submit(CONCAT, "a", "b", "-")
                seen = []
                async for value in job:
                    seen.append(value)
                    if len(seen) == 3:
                        assert await job.cancel() is True
                with pytest.raises(rt.JobCancelledError):
                    await job.result()
                return seen, job.status()

        seen, status = asyncio.run(go())
    assert seen == ["1", "2", "3"] and status.code is rt.Status.CANCELLED
    assert [path for path, _ in _cancels(fake)] == [f"{P}/cancel", f"{P}/reset"]


def test_an_app_without_a_cancel_route_is_still_reset() -> None:
    """Gradio < 4.29 answers /cancel with 404; /reset alone stops its generators."""

    def old(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(404) if request.url.path.endswith("/cancel") else None

    fake = FakeApp(_ticker, cancel=old)
    with client_for(fake, timeout=5) as client:
        job = client._submit(CONCAT, "a", "b", "-")
        next(iter(job))
        job.cancel()
    assert [path for path, _ in _cancels(fake)] == [f"{P}/cancel", f"{P}/reset"]


def test_a_cancel_the_app_refuses_is_an_error() -> None:
    fake = FakeApp(_ticker, cancel=lambda r: httpx.Response(500, text="boom"))
    with client_for(fake, timeout=5) as client:
        job = client._submit(CONCAT, "a", "b", "-")
        next(iter(job))
        with pytest.raises(rt.TransportError, match="cancelling the job"):
            job.cancel()
        assert job.status().code is rt.Status.CANCELLED  # it is over for the caller either way


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_closing_the_client_releases_waiting_jobs_at_once(flavour: str) -> None:
    never = threading.Event()
    fake = FakeApp(lambda n: [started(), never])
    if flavour == "sync":
        client = client_for(fake, timeout=30)
        job = client._submit(CONCAT, "a", "b", "-")
        time.sleep(0.05)
        began = time.monotonic()
        client.close()
        with pytest.raises(rt.ServerUnavailableError, match="client was closed"):
            job.result()
        assert time.monotonic() - began < 2
    else:

        async def go() -> None:
            client = async_client_for(fake, timeout=30)
            job = await client._submit(CONCAT, "a", "b", "-")
            await asyncio.sleep(0.05)
            await client.aclose()
            with pytest.raises(rt.ServerUnavailableError, match="client was closed"):
                await job.result(timeout=2)

        asyncio.run(go())
    never.set()


def _concatenating(results: Callable[[str], list[Any]] | None = None) -> FakeApp:
    """An app that finishes every job it is given: the stream sends each joined job's result
    as the joins come, and closes once a while passes without one."""
    joined: list[tuple[str, list[Any]]] = []

    def join(request: httpx.Request) -> httpx.Response:
        a, b, sep = json.loads(request.content)["data"]
        with fake.lock:
            fake.joins += 1
            event_id = f"e{fake.joins}"
            joined.append((event_id, [f"{a}{sep}{b}"]))
        return httpx.Response(200, json={"event_id": event_id})

    def stream(n: int) -> Iterator[object]:
        idle = 0
        while idle < 20:
            with fake.lock:
                ready, joined[:] = list(joined), []
            if not ready:
                idle += 1
                yield WAIT
                continue
            idle = 0
            yield sse(*(done(event_id, data) for event_id, data in ready))
        yield sse(CLOSE)

    fake = FakeApp(stream, join=join)
    return fake


def test_threads_share_one_sync_client_and_each_gets_its_own_result() -> None:
    fake = _concatenating()
    with client_for(fake, timeout=10) as client:
        results: dict[int, str] = {}

        def call(i: int) -> None:
            results[i] = client._predict(CONCAT, str(i), "x", "-")

        threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert results == {i: f"{i}-x" for i in range(20)}
    assert len({body["session_hash"] for body in fake.bodies}) == 1


def test_tasks_share_one_async_client_and_each_gets_its_own_result() -> None:
    fake = _concatenating()

    async def go() -> list[str]:
        async with async_client_for(fake, timeout=10) as client:
            calls = (client._predict(CONCAT, str(i), "x", "-") for i in range(20))
            return list(await asyncio.gather(*calls))

    assert asyncio.run(go()) == [f"{i}-x" for i in range(20)]
