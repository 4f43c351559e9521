"""The retry policy: which failures are retried (never a join the app may have accepted), how long
it waits (backoff, ``Retry-After``, ``RateLimit``), and that every wait stays inside the deadline.

The transports wrap ``httpx.MockTransport``, which plays the faults a real server cannot produce on
demand; the backoff's random draw is pinned so the waits are known.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gradio_codegen.runtime._http import _deadline, _retry
from gradio_codegen.runtime._http._retry import (
    AsyncRetryTransport,
    RetryTransport,
    idempotent,
    retry_after,
    retrying,
)

QUEUE_FULL = {"detail": "Queue is full. Max size is 1 and size is 1."}


class Script:
    """A server that answers each request with the next fault in ``faults`` (an exception class,
    a status, or ``(status, headers)``), then 200."""

    def __init__(self, *faults: object, body: object = None) -> None:
        self.faults = list(faults)
        self.body = body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.faults:
            return httpx.Response(200, json={"event_id": "E"})
        fault = self.faults.pop(0)
        if isinstance(fault, type) and issubclass(fault, httpx.RequestError):
            raise fault("fault", request=request)
        status, headers = fault if isinstance(fault, tuple) else (fault, {})
        if self.body is not None:
            return httpx.Response(status, headers=headers, json=self.body)
        return httpx.Response(status, headers=headers, text="Service Unavailable")


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The waits between attempts, recorded instead of slept; the backoff draws its maximum."""
    waits: list[float] = []
    monkeypatch.setattr(_retry, "_sleep", waits.append)
    monkeypatch.setattr(_retry, "_jitter", lambda: 1.0)
    yield waits


def send(
    script: Script, method: str = "POST", path: str = "/gradio_api/queue/join"
) -> httpx.Response:
    with httpx.Client(transport=RetryTransport(httpx.MockTransport(script))) as client:
        return client.request(method, f"http://app.test{path}", content=b"{}")


# -- what is retried ------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [httpx.ConnectError, httpx.ConnectTimeout])
def test_a_join_that_never_connected_is_retried(slept: list[float], fault: type) -> None:
    script = Script(fault, fault)
    with retrying(2):
        assert send(script).status_code == 200
    assert len(script.requests) == 3
    assert slept == [0.5, 1.0]  # full jitter's ceiling: 0.5 s, doubling


@pytest.mark.parametrize(
    "fault", [httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadTimeout]
)
def test_a_join_whose_request_may_have_reached_the_app_is_never_retried(
    slept: list[float], fault: type
) -> None:
    script = Script(fault)
    with retrying(2), pytest.raises(fault):
        send(script)
    assert len(script.requests) == 1 and slept == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_join_answered_by_a_failing_front_end_is_never_retried(
    slept: list[float], status: int
) -> None:
    script = Script(status)
    with retrying(2):
        assert send(script).status_code == status
    assert len(script.requests) == 1


def test_a_rate_limited_join_is_retried_after_the_servers_wait(slept: list[float]) -> None:
    script = Script((429, {"retry-after": "3"}), (429, {"retry-after": "2"}))
    with retrying(2):
        assert send(script).status_code == 200
    assert slept == [3.0, 2.0]


def test_gradio_queue_full_is_retried_only_when_asked(slept: list[float]) -> None:
    script = Script(503, body=QUEUE_FULL)
    with retrying(2):
        answer = send(script)
    assert answer.status_code == 503 and answer.json() == QUEUE_FULL  # the body is handed on
    assert len(script.requests) == 1

    script = Script(503, 503, body=QUEUE_FULL)
    with retrying(2, retry_queue_full=True):
        assert send(script).status_code == 200
    assert len(script.requests) == 3


@pytest.mark.parametrize("fault", [httpx.ReadError, httpx.RemoteProtocolError, 502, 503, 504])
def test_idempotent_requests_are_retried_on_broken_connections_and_gateway_errors(
    slept: list[float], fault: object
) -> None:
    get = Script(fault, fault)
    with retrying(2):
        assert send(get, "GET", "/config").status_code == 200
    assert len(get.requests) == 3

    upload = Script(fault)
    with retrying(2), idempotent():
        assert send(upload, "POST", "/gradio_api/upload").status_code == 200
    assert len(upload.requests) == 2
    assert upload.requests[0].content == upload.requests[1].content == b"{}"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 500])
def test_answers_that_would_not_change_are_not_retried(slept: list[float], status: int) -> None:
    script = Script(status)
    with retrying(2), idempotent():
        assert send(script, "GET", "/config").status_code == status
    assert len(script.requests) == 1


def test_retries_stop_at_max_retries_and_hand_back_the_last_answer(slept: list[float]) -> None:
    script = Script(503, 503, 503, 503)
    with retrying(1):
        assert send(script, "GET", "/config").status_code == 503
    assert len(script.requests) == 2

    script = Script(httpx.ConnectError)
    with retrying(0), pytest.raises(httpx.ConnectError):
        send(script)
    assert len(script.requests) == 1


def test_outside_a_retrying_block_the_default_policy_holds(slept: list[float]) -> None:
    script = Script(httpx.ConnectError, httpx.ConnectError, httpx.ConnectError)
    with pytest.raises(httpx.ConnectError):
        send(script, "GET", "/config")
    assert len(script.requests) == 1 + _retry.DEFAULT_MAX_RETRIES

    script = Script(503, body=QUEUE_FULL)
    assert send(script).status_code == 503 and len(script.requests) == 1


# -- waiting inside the deadline ------------------------------------------------------------------


def test_a_wait_past_the_deadline_is_not_made(slept: list[float]) -> None:
    script = Script((429, {"retry-after": "5"}))
    with _deadline.scope(2.0), retrying(2):
        answer = send(script)
    assert answer.status_code == 429 and answer.headers["retry-after"] == "5"
    assert len(script.requests) == 1 and slept == []


def test_without_a_deadline_a_long_server_wait_is_not_made(slept: list[float]) -> None:
    script = Script((429, {"retry-after": "3600"}))
    with retrying(2):
        assert send(script).status_code == 429
    assert slept == []


def test_the_real_waits_stay_inside_the_deadline() -> None:
    """No mocked clock: always refused, with retries to spare, under a 1 s deadline: the
    retries stop once the next wait would end past the deadline (the bound is generous: only a
    wait past the deadline, 8 s at most here, would break it)."""
    script = Script(*[httpx.ConnectError] * 20)
    started = time.monotonic()
    with _deadline.scope(1.0), retrying(20), pytest.raises(httpx.ConnectError):
        send(script)
    assert time.monotonic() - started < 3.0
    assert len(script.requests) < 21


def test_the_async_sender_follows_the_same_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "_jitter", lambda: 0.0)  # no backoff wait

    async def main() -> tuple[int, int, int]:
        join = Script(httpx.ConnectError, (429, {}))
        broken = Script(httpx.ReadError)
        transport = AsyncRetryTransport(httpx.MockTransport(join))
        async with httpx.AsyncClient(transport=transport) as client:
            with retrying(2):
                status = (await client.post("http://app.test/gradio_api/queue/join")).status_code
        transport = AsyncRetryTransport(httpx.MockTransport(broken))
        async with httpx.AsyncClient(transport=transport) as client:
            with retrying(2), pytest.raises(httpx.ReadError):
                await client.post("http://app.test/gradio_api/queue/join")
        return status, len(join.requests), len(broken.requests)

    assert asyncio.run(main()) == (200, 3, 1)


class Counted(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An answer's body that notes whether anything closed it."""

    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"busy"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"busy"

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_every_answer_refused_for_a_retry_is_closed(
    slept: list[float], monkeypatch: pytest.MonkeyPatch, flavour: str
) -> None:
    """A refused answer's connection goes back to the pool: nobody else will ever close it."""
    monkeypatch.setattr(_retry, "_jitter", lambda: 0.0)  # the async sender really sleeps
    bodies: list[Counted] = []

    def refuse_twice(request: httpx.Request) -> httpx.Response:
        bodies.append(Counted())
        status = [429, 502, 200][len(bodies) - 1]
        return httpx.Response(status, stream=bodies[-1])

    async def aget(url: str) -> int:
        transport = AsyncRetryTransport(httpx.MockTransport(refuse_twice))
        async with httpx.AsyncClient(transport=transport) as client:
            return (await client.get(url)).status_code

    url = "http://app.test/config"
    with retrying(2):
        if flavour == "sync":
            with httpx.Client(transport=RetryTransport(httpx.MockTransport(refuse_twice))) as c:
                status = c.get(url).status_code
        else:
            status = asyncio.run(aget(url))
    assert status == 200 and len(bodies) == 3
    assert [body.closed for body in bodies[:2]] == [True, True]


def test_an_interrupt_during_an_attempt_is_never_retried(slept: list[float]) -> None:
    """Ctrl-C while a request is out ends it at once, whatever the policy would retry."""
    attempts: list[httpx.Request] = []

    def interrupted(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise KeyboardInterrupt

    with httpx.Client(transport=RetryTransport(httpx.MockTransport(interrupted))) as client:
        with retrying(2), idempotent(), pytest.raises(KeyboardInterrupt):
            client.get("http://app.test/config")
    assert len(attempts) == 1 and slept == []


def test_a_cancelled_async_request_is_never_retried() -> None:
    """Cancelling the task that waits for an answer ends the request; no attempt follows."""

    async def main() -> int:
        sent = asyncio.Event()
        attempts = 0

        async def never_answers(request: httpx.Request) -> httpx.Response:
            nonlocal attempts
            attempts += 1
            sent.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

        transport = AsyncRetryTransport(httpx.MockTransport(never_answers))
        async with httpx.AsyncClient(transport=transport) as client:
            with retrying(2), idempotent():
                task = asyncio.create_task(client.get("http://app.test/config"))
            await sent.wait()
            task.cancel()
            await asyncio.wait({task}, timeout=30)  # generous: it ends at once
        return attempts if task.cancelled() else -1

    assert asyncio.run(main()) == 1


# -- reading the server's wait --------------------------------------------------------------------


def answer(status: int = 503, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry_after": "120"}, 120.0),
        ({"retry_after": " 7 "}, 7.0),
        ({"retry_after": "0"}, 0.0),
        ({"retry_after": "1234567890"}, None),  # more than 9 digits: not trusted
        ({"retry_after": "-5"}, None),
        ({"retry_after": "1.5"}, None),
        ({"retry_after": "soon"}, None),
        ({"retry_after": "9" * 500}, None),
        ({}, None),
    ],
)
def test_retry_after_delta_seconds(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(answer(503, **headers)) == expected


def test_retry_after_as_an_http_date() -> None:
    now = 1_800_000_000.0
    later = email.utils.formatdate(now + 30, usegmt=True)
    earlier = email.utils.formatdate(now - 30, usegmt=True)
    assert retry_after(answer(retry_after=later), now=now) == pytest.approx(30.0, abs=1.0)
    assert retry_after(answer(retry_after=earlier), now=now) == 0.0


def test_the_hubs_ratelimit_header_on_a_429() -> None:
    limited = '"api";r=0;t=55'
    assert retry_after(answer(429, ratelimit=limited)) == 55.0
    assert retry_after(answer(429, ratelimit='"api";r=3;t=55')) is None  # requests left
    assert retry_after(answer(503, ratelimit=limited)) is None  # only a 429's
    assert retry_after(answer(429, ratelimit=limited, retry_after="2")) == 2.0


def test_backoff_is_full_jitter_capped_at_8_seconds() -> None:
    ceilings = [_retry.backoff(n, lambda: 1.0) for n in range(8)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert _retry.backoff(3, lambda: 0.25) == 1.0


def test_gradio_queue_full_is_told_apart_by_its_body() -> None:
    assert _retry.is_gradio_queue_full(503, json.dumps(QUEUE_FULL).encode())
    assert not _retry.is_gradio_queue_full(503, b"Service Unavailable")
    assert not _retry.is_gradio_queue_full(429, json.dumps(QUEUE_FULL).encode())


def test_a_one_shot_body_is_sent_again_only_if_none_of_it_was_taken(slept: list[float]) -> None:
    """An upload streamed from a file as it goes cannot be sent twice: after a refused connection
    (nothing read) it is retried; after a 503 that read it, the answer goes back as it is."""

    class Network(httpx.BaseTransport):
        """Like httpcore: a refused connection reads no body, an answer comes after reading it."""

        def __init__(self, *faults: object) -> None:
            self.faults = list(faults)
            self.bodies: list[bytes] = []

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            fault: Any = self.faults.pop(0) if self.faults else 200
            if fault is httpx.ConnectError:
                raise httpx.ConnectError("refused", request=request)
            self.bodies.append(request.read())
            return httpx.Response(fault)

    def body() -> Iterator[bytes]:
        yield b"part 1, "
        yield b"part 2"

    def post(network: Network) -> int:
        with httpx.Client(transport=RetryTransport(network)) as client:
            with retrying(2), idempotent():
                url = "http://app.test/gradio_api/upload"
                return client.post(url, content=body()).status_code

    refused = Network(httpx.ConnectError)
    assert post(refused) == 200 and refused.bodies == [b"part 1, part 2"]

    taken = Network(503)
    assert post(taken) == 503 and taken.bodies == [b"part 1, part 2"]  # not sent twice
