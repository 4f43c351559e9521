"""A hostile app cannot make the event stream reader grow without bound, spin, hang or crash.

Each attack runs the checked-in SDK (``generated_examples/gradio6/text_echo.py``) against
``hostile_app.HostileApp``, whose ``on_stream`` hook writes the event stream. Memory and CPU are
measured in a child process that only runs the SDK (the app stays in the test process), from its
own peak RSS (``VmHWM``) and ``os.times()`` before and during the attack; bounds are generous so a
loaded machine cannot make them flake, and far below what the attacks cost before they were fixed.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._http import _json
from gradio_codegen.runtime._queue import _session
from gradio_codegen.runtime._queue import _sse
from hostile_app import PREFIX, Event, Handler, HostileApp, call_route, example_sdk

pytestmark = pytest.mark.timeout(180)

MiB = 2**20
SUPPORT = Path(__file__).resolve().parents[2] / "support"
sdk = example_sdk("text_echo")


# -- the app's side ------------------------------------------------------------------------------


class Attack:
    """Stream writers for the hostile app; records what it sent and when the client hung up."""

    def __init__(self) -> None:
        self.sent = 0
        self.dropped = threading.Event()  # the client closed the stream before the app was done
        self.opens = 0

    def send(self, h: Handler, data: bytes) -> bool:
        """False once the client is gone."""
        try:
            h.raw(data)
        except (BrokenPipeError, ConnectionResetError):
            self.dropped.set()
            return False
        self.sent += len(data)
        return True

    def flood(self, h: Handler, block: bytes, total: int) -> None:
        """Send ``block`` again and again, ``total`` bytes in all or until the client hangs up."""
        while self.sent < total:
            if not self.send(h, block):
                return

    def heartbeats(self, h: Handler, seconds: float = 60.0) -> None:
        """What Gradio sends while a job runs; the client dropping the stream ends it early."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if not self.send(h, sse({"msg": "heartbeat", "event_id": None})):
                return
            time.sleep(0.05)


def sse(message: object) -> bytes:
    return b"data: " + json.dumps(message).encode() + b"\n\n"


def completed(event: Event, data: list[Any] | None = None) -> bytes:
    return sse(
        {
            "msg": "process_completed",
            "event_id": event.event_id,
            "output": {"data": event.data if data is None else data},
            "success": True,
        }
    )


def starts(event_id: str) -> bytes:
    return sse({"msg": "process_starts", "event_id": event_id, "eta": None})


CLOSE = sse({"msg": "close_stream", "event_id": None})


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as hostile:
        yield hostile


def attack_on(app: HostileApp, attack: Callable[[Handler, Event], None]) -> None:
    """Answer calls whose text is ``"attack"`` with ``attack``; any other call normally."""

    def on_stream(h: Handler, session: str, events: list[Event]) -> None:
        for event in events:
            if event.data == ["attack"]:
                attack(h, event)
                return
            h.raw(completed(event))
        h.raw(CLOSE)

    app.on_stream = on_stream


# -- the SDK's side, measured in a child process ---------------------------------------------------

CHILD = """
import asyncio, json, os, resource, sys, time
sys.path.insert(0, {support!r})
from hostile_app import example_sdk

sdk = example_sdk("text_echo")
url, mode, timeout = {url!r}, {mode!r}, {timeout!r}


def peak() -> int:
    # VmHWM, the high-water mark of this process's own memory. ru_maxrss would do on a fresh
    # process, but Linux carries it over an exec from the forking parent (this test process,
    # hundreds of MiB), so it would hide any growth below that.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def report(value=None, error=None) -> None:
    if error is not None:
        result = {{"error": type(error).__name__, "message": str(error)[:2000]}}
    else:
        result = {{"length": len(value), "head": value[:20]}}
    print(json.dumps(result), flush=True)


def measure(rss: int, cpu0: float) -> None:
    print(json.dumps({{"rss": peak() - rss, "cpu": cpu() - cpu0}}), flush=True)


if mode == "sync":
    with sdk.Client(url, timeout=timeout) as client:
        client.echo("warm up")
        rss, cpu0 = peak(), cpu()
        try:
            report(client.echo("attack"))
        except Exception as e:
            report(error=e)
        sys.stdin.readline()  # the client stays open until the test has seen what it wanted
        measure(rss, cpu0)
else:

    async def main() -> None:
        async with sdk.AsyncClient(url, timeout=timeout) as client:
            await client.echo("warm up")
            rss, cpu0 = peak(), cpu()
            try:
                report(await client.echo("attack"))
            except Exception as e:
                report(error=e)
            await asyncio.to_thread(sys.stdin.readline)  # the loop runs on meanwhile
            measure(rss, cpu0)

    asyncio.run(main())
"""


def measured(
    app: HostileApp,
    mode: str = "sync",
    timeout: float | None = 60.0,
    meanwhile: Callable[[], object] = lambda: None,
) -> dict[str, Any]:
    """Call ``echo("attack")`` in a child process, then run ``meanwhile`` in this one while the
    child's client stays open. What the call returned or raised, and how much the child's peak
    memory (``rss``, bytes) and CPU time (``cpu``, seconds) grew from the call's start to the end
    of ``meanwhile``; ``meanwhile``'s own result is ``"meanwhile"``."""
    script = textwrap.dedent(CHILD).format(
        support=str(SUPPORT), url=app.url, mode=mode, timeout=timeout
    )
    child = subprocess.Popen(
        [sys.executable, "-P", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        line = child.stdout.readline()
        assert line, child.communicate(timeout=30)[1][-3000:]
        result: dict[str, Any] = json.loads(line)
        result["meanwhile"] = meanwhile()
        out, err = child.communicate("go\n", timeout=120)
        assert child.returncode == 0, err[-3000:]
        result.update(json.loads(out.strip().splitlines()[-1]))
        return result
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


# -- 2. unbounded memory and CPU -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_unended_data_lines_after_the_result_are_not_read(app: HostileApp, mode: str) -> None:
    attack = Attack()

    def after_result(h: Handler, event: Event) -> None:
        attack.send(h, completed(event))
        attack.flood(h, b"data: " + b"A" * (64 * 2**10) + b"\n", 2**30)

    attack_on(app, after_result)
    # The reader stops soon after the result, with the client still open: the app sees the
    # connection go long before it could fill one event (32 MiB), let alone send its 1 GiB.
    child = measured(app, mode, meanwhile=lambda: attack.dropped.wait(30))
    assert child.get("head") == "attack", child
    assert child["meanwhile"] is True and attack.sent < 24 * MiB, attack.sent
    assert child["rss"] < 100 * MiB, child


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_unended_data_lines_while_waiting_fail_the_job_at_the_event_limit(
    app: HostileApp, mode: str
) -> None:
    attack = Attack()

    def before_result(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.flood(h, b"data: " + b"B" * (64 * 2**10) + b"\n", 2**30)

    attack_on(app, before_result)
    child = measured(app, mode)
    assert child.get("error") == "ProtocolError", child
    assert "past the 33,554,432-byte limit (MAX_EVENT_BYTES" in child["message"]
    assert child["rss"] < 100 * MiB, child
    assert attack.dropped.is_set() and attack.sent < 256 * MiB


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_messages_for_events_never_joined_are_dropped(app: HostileApp, mode: str) -> None:
    attack = Attack()
    block = b"".join(
        sse(
            {
                "msg": "process_generating",
                "event_id": f"never-joined-{i}",
                "output": {"data": ["C" * 60_000]},
                "success": True,
            }
        )
        for i in range(16)
    )

    def strangers_then_result(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.flood(h, block, 256 * MiB)
        attack.send(h, completed(event))
        attack.send(h, CLOSE)

    attack_on(app, strangers_then_result)
    child = measured(app, mode)
    assert child.get("head") == "attack", child
    assert attack.sent >= 256 * MiB
    assert child["rss"] < 100 * MiB, child  # kept, they cost 723 MiB in 4 s


def test_a_16_mib_line_in_small_pieces_costs_linear_time(app: HostileApp) -> None:
    big = "D" * (16 * MiB)

    def dripped(h: Handler, event: Event) -> None:
        line = completed(event, [big])
        for i in range(0, len(line), 1024):
            h.raw(line[i : i + 1024])
        h.raw(CLOSE)

    attack_on(app, dripped)
    child = measured(app)
    assert child.get("length") == len(big), child
    assert child["cpu"] < 3.0, child  # 7.8 s when the decoder rescanned its buffer per chunk


def test_a_line_past_the_limit_fails_the_job_and_drops_the_connection(app: HostileApp) -> None:
    attack = Attack()

    def endless_line(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.flood(h, b"E" * (64 * 2**10), 2**30)

    attack_on(app, endless_line)
    sdk_client = sdk.Client(app.url, timeout=60)
    with sdk_client as client:
        with pytest.raises(rt.ProtocolError, match=r"MAX_LINE_BYTES") as info:
            client.echo("attack")
    assert f"{_sse.MAX_LINE_BYTES:,}-byte limit" in str(info.value)
    assert attack.dropped.wait(30) and attack.sent < 256 * MiB


# -- 6. nested JSON and huge numbers -----------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [_json.MAX_DEPTH + 10, 900, 100_000])
def test_deeply_nested_join_answer_is_a_protocol_error(app: HostileApp, depth: int) -> None:
    app.routes[call_route("/echo")] = lambda h: h.send_bytes(
        200, b'{"event_id": ' + nested(depth) + b"}", content_type="application/json"
    )
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.ProtocolError, match="the app's answer to joining the queue nests"):
            client.echo("x")


@pytest.mark.parametrize("depth", [_json.MAX_DEPTH + 10, 900, 100_000])
def test_deeply_nested_stream_message_is_a_protocol_error(app: HostileApp, depth: int) -> None:
    def deep_result(h: Handler, event: Event) -> None:
        message = json.dumps(
            {"msg": "process_completed", "event_id": event.event_id, "success": True}
        )
        h.raw(b'data: {"output": {"data": ' + nested(depth) + b"}, " + message[1:].encode())
        h.raw(b"\n\n" + CLOSE)

    attack_on(app, deep_result)
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.ProtocolError, match="a message on the queue stream nests"):
            client.echo("attack")
        assert client.echo("fine") == "fine"  # the session recovers


def test_a_number_of_10000_digits_is_a_protocol_error(app: HostileApp) -> None:
    digits = b"9" * 10_000
    app.routes[call_route("/echo")] = lambda h: h.send_bytes(
        200, b'{"event_id": ' + digits + b"}", content_type="application/json"
    )
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.ProtocolError, match="digits"):
            client.echo("x")
    del app.routes[call_route("/echo")]

    def huge_rank(h: Handler, event: Event) -> None:
        h.raw(b'data: {"msg": "estimation", "event_id": "%s", "rank": ' % event.event_id.encode())
        h.raw(digits + b"}\n\n")

    attack_on(app, huge_rank)
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.ProtocolError, match="digits"):
            client.echo("attack")


# -- 8. reconnection storms, error size ------------------------------------------------------------


def test_strangers_and_close_stream_do_not_cause_a_reconnection_storm(app: HostileApp) -> None:
    """Messages for other events do not count as progress; with timeout=None the call still ends,
    once the stream's silence limit passes without news of the job."""
    opened: list[float] = []

    def stranger_then_close(h: Handler, session: str, events: list[Event]) -> None:
        opened.append(time.monotonic())
        h.raw(b"".join(starts(f"stranger-{i}") for i in range(50)) + CLOSE)

    app.on_stream = stranger_then_close
    start = time.monotonic()
    with sdk.Client(app.url, timeout=None, stream_timeout=3.0) as client:
        with pytest.raises(rt.ServerUnavailableError, match="without news of the job for 3 s"):
            client.echo("x")
    elapsed = time.monotonic() - start
    assert 3.0 <= elapsed < 60, elapsed
    assert len([t for t in opened if t - start < 2.0]) < 20  # was about 3,000 in 2 s
    assert len(opened) <= elapsed * _session.MAX_REOPENS_PER_SECOND + 2


def test_news_on_every_short_stream_is_rate_limited_and_the_deadline_holds(app: HostileApp) -> None:
    opened: list[float] = []
    event_ids: list[str] = []

    def one_log_then_close(h: Handler, session: str, events: list[Event]) -> None:
        opened.append(time.monotonic())
        event_ids.extend(e.event_id for e in events)
        log = {"msg": "log", "event_id": event_ids[0], "log": "busy", "level": "info"}
        h.raw(sse(log) + CLOSE)

    app.on_stream = one_log_then_close
    start = time.monotonic()
    with sdk.Client(app.url, timeout=2.0) as client:
        with pytest.raises(rt.GradioTimeoutError):
            client.echo("x")
    elapsed = time.monotonic() - start
    assert elapsed < 30
    assert len(opened) <= elapsed * _session.MAX_REOPENS_PER_SECOND + 2


def test_a_5_mb_app_error_is_cut(app: HostileApp) -> None:
    def huge_error(h: Handler, event: Event) -> None:
        failure = {
            "msg": "process_completed",
            "event_id": event.event_id,
            "output": {"error": "F" * 5_000_000, "title": "Error"},
            "success": False,
        }
        h.raw(sse(failure) + CLOSE)

    attack_on(app, huge_error)
    with sdk.Client(app.url, timeout=30) as client:
        with pytest.raises(rt.AppError) as info:
            client.echo("attack")
    assert len(info.value.message) < 5000
    assert info.value.message.endswith("(message cut at 4,096 characters of 5,000,000)")


# -- the reader ends when no job waits -------------------------------------------------------------


def session_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("gradio-session-")]


def wait_until(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_reader_ends_after_the_result_even_without_close_stream(app: HostileApp) -> None:
    attack = Attack()

    def result_then_heartbeats(h: Handler, event: Event) -> None:
        attack.send(h, completed(event))
        attack.heartbeats(h)

    attack_on(app, result_then_heartbeats)
    with sdk.Client(app.url, timeout=30) as client:
        assert client.echo("attack") == "attack"
        assert attack.dropped.wait(30)
        assert wait_until(lambda: not session_threads())


def test_reader_ends_after_a_call_timed_out(app: HostileApp) -> None:
    attack = Attack()

    def never_done(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.heartbeats(h)

    attack_on(app, never_done)
    with sdk.Client(app.url, timeout=1.0) as client:
        with pytest.raises(rt.GradioTimeoutError):
            client.echo("attack")
        assert attack.dropped.wait(30)
        assert wait_until(lambda: not session_threads())
    assert app.requests_to(f"{PREFIX}/cancel")  # and the app was told to stop the job


def test_reader_ends_when_the_last_waiting_job_is_cancelled(app: HostileApp) -> None:
    attack = Attack()

    def never_done(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.heartbeats(h)

    attack_on(app, never_done)
    with sdk.Client(app.url, timeout=30) as client:
        job = client.submit_echo("attack")
        assert wait_until(lambda: job.status().code is rt.Status.PROCESSING)
        assert job.cancel()
        assert attack.dropped.wait(30)
        assert wait_until(lambda: not session_threads())
        assert client.echo("again") == "again"  # a later call opens a new stream


def test_async_reader_ends_after_the_result_and_after_a_cancel(app: HostileApp) -> None:
    attacks: list[Attack] = []

    def result_or_nothing(h: Handler, event: Event) -> None:
        attack = Attack()
        attacks.append(attack)
        if event.data == ["attack"]:
            attack.send(h, completed(event))
        else:
            attack.send(h, starts(event.event_id))
        attack.heartbeats(h)

    app.on_stream = lambda h, session, events: result_or_nothing(h, events[0])

    async def main() -> None:
        async with sdk.AsyncClient(app.url, timeout=30) as client:
            assert await client.echo("attack") == "attack"
            assert await asyncio.to_thread(attacks[0].dropped.wait, 30)
            assert await readers_gone(client)
            job = await client.submit_echo("slow")
            while job.status().code is not rt.Status.PROCESSING:
                await asyncio.sleep(0.02)
            assert await job.cancel()
            assert await asyncio.to_thread(attacks[1].dropped.wait, 30)
            assert await readers_gone(client)

    async def readers_gone(client: Any) -> bool:
        for _ in range(1500):
            if len(asyncio.all_tasks()) == 1:  # only this test's own task
                return True
            await asyncio.sleep(0.02)
        return False

    asyncio.run(main())


DEFAULT_CHILD = """
import functools, sys
sys.path.insert(0, {support!r})
import gradio_codegen.runtime as rt
from hostile_app import example_sdk

sdk = example_sdk("text_echo")
default = rt.DefaultClient(functools.partial(sdk.Client, {url!r}, timeout=None))
job = default.get().submit_echo("attack")
job.add_done_callback(lambda j: print("ended:", repr(j._state.error), flush=True))
print("submitted", flush=True)
"""


def test_default_client_is_closed_at_interpreter_exit(app: HostileApp) -> None:
    attack = Attack()

    def never_done(h: Handler, event: Event) -> None:
        attack.send(h, starts(event.event_id))
        attack.heartbeats(h)

    attack_on(app, never_done)
    script = textwrap.dedent(DEFAULT_CHILD).format(support=str(SUPPORT), url=app.url)
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "submitted"
    assert lines[1].startswith("ended: ServerUnavailableError(")
    assert "the client was closed while jobs were running" in lines[1]
