"""A session never causes the loss of its own jobs: it has at most one stream open, never opens a
stream only to close it, and never cancels its async reader while httpx closes a response.

Both were found by the soak benchmark (benchmarks/RESULTS.md section 8; docs/faults.md 2.1): Gradio
drops every job of a session whose stream a client closes, so a late reader that opened and closed
a second stream lost the job joined in between; and a reader task cancelled while its response was
closing left the connection ``ACTIVE`` in httpx's pool for good. The stand-in server here plays the
part of Gradio's queue: each stream sends what the session has pending, then ``close_stream``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from gradio_codegen.runtime import GradioError
from gradio_codegen.runtime._queue import _messages as m
from gradio_codegen.runtime._queue._plan import protocol_flags
from gradio_codegen.runtime._queue._session import AsyncSession, SyncSession

WAIT = 30.0  # generous: only a broken session waits this long


class FakeJob:
    """What the session routes to: records messages, runs done callbacks like the real jobs (at
    once when added to a finished job)."""

    def __init__(self) -> None:
        self.seen: list[m.Message] = []
        self.error: GradioError | None = None
        self.done = threading.Event()
        self._callbacks: list[Callable[[Any], object]] = []

    @property
    def _pending(self) -> bool:
        return not self.done.is_set()

    def _deliver(self, msg: m.Message) -> bool:
        self.seen.append(msg)
        if isinstance(msg, m.Completed):
            self._finish()
        return self.done.is_set()

    def _fail(self, error: GradioError) -> None:
        if not self.done.is_set():
            self.error = error
            self._finish()

    def _finish(self) -> None:
        self.done.set()
        for fn in self._callbacks:
            fn(self)

    def add_done_callback(self, fn: Callable[[Any], object]) -> None:
        if self.done.is_set():
            fn(self)
        else:
            self._callbacks.append(fn)


def sse(kind: str, event_id: str | None, **fields: Any) -> bytes:
    return b"data: " + json.dumps({"msg": kind, "event_id": event_id, **fields}).encode() + b"\n\n"


def completed(event_id: str) -> bytes:
    return sse("process_completed", event_id, output={"data": [event_id]}, success=True)


CLOSE = sse("close_stream", None)
REQUEST = httpx.Request("GET", "http://app.test/gradio_api/queue/data?session_hash=h")


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A stream's body (ending with ``close_stream``) that knows whether the client closed it
    before the app had sent it all."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sent = False

    def __iter__(self) -> Iterator[bytes]:
        self.sent = True
        yield self.data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent = True
        yield self.data


class QueueServer:
    """Gradio's side of one session: jobs joined and not yet sent, streams opened and closed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: list[str] = []
        self.open_now = 0
        self.most_open = 0
        self.opened = 0
        self.closed_unread = 0  # streams the client closed before the app ended them
        self.gate: dict[int, threading.Event] = {}  # stream number -> opens once set
        self.entered: dict[int, threading.Event] = {}

    def join(self, event_id: str) -> None:
        with self.lock:
            self.pending.append(event_id)

    def _start(self) -> int:
        with self.lock:
            self.opened += 1
            number = self.opened
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)
        self.entered.setdefault(number, threading.Event()).set()
        return number

    def _body(self) -> Body:
        with self.lock:
            events, self.pending = self.pending, []
        return Body(b"".join(completed(e) for e in events) + CLOSE)

    def _end(self, body: Body) -> None:
        with self.lock:
            self.open_now -= 1
            if not body.sent:
                self.closed_unread += 1

    @contextlib.contextmanager
    def open(self, session_hash: str) -> Iterator[httpx.Response]:
        number = self._start()
        gate = self.gate.get(number)
        if gate is not None:
            assert gate.wait(WAIT)
        body = self._body()
        try:
            yield httpx.Response(200, stream=body, request=REQUEST)
        finally:
            self._end(body)


def test_a_revoked_reopen_never_opens_a_second_stream_of_the_session() -> None:
    """docs/faults.md 2.1, step by step: the reader reads close_stream while a join is in flight
    and goes to reopen; the join returns with its job already settled by kept messages; the next
    call registers. Before the fix a second reader opened a stream while the first one's late GET
    was still on its way, and the late one then closed its stream unread: Gradio dropped the job."""
    server = QueueServer()
    server.gate[2] = threading.Event()  # the reopen is late, as under load
    session = SyncSession("h", protocol_flags("sse_v3"), server.open)

    b, a, c = FakeJob(), FakeJob(), FakeJob()
    session.begin_join()  # b
    session.begin_join()  # a: still in flight when the first stream is read
    server.join("b")
    server.join("a")  # the app answers a's messages before a's join returns
    session.register("b", b)
    assert b.done.wait(WAIT)
    assert server.entered.setdefault(2, threading.Event()).wait(WAIT)  # reopening, for a's join

    session.register("a", a)  # settled at once by the kept messages: nobody waits now
    assert a.done.is_set() and a.error is None
    session.begin_join()
    server.join("c")
    session.register("c", c)
    server.gate[2].set()

    assert c.done.wait(WAIT)
    assert c.error is None and [type(msg) for msg in c.seen] == [m.Completed]
    assert server.most_open == 1
    assert server.closed_unread == 0
    assert server.opened == 2


class ClosingSlowly:
    """An async stream whose close takes a while, as httpx's does when it closes a connection."""

    def __init__(self) -> None:
        self.closing = asyncio.Event()
        self.may_finish = asyncio.Event()
        self.finished_closing = False
        self.cancelled_while_closing = False

    @contextlib.asynccontextmanager
    async def open(self, session_hash: str) -> AsyncIterator[httpx.Response]:
        body = Body(completed("x") + CLOSE)
        try:
            yield httpx.Response(200, stream=body, request=REQUEST)
        finally:
            self.closing.set()
            try:
                await self.may_finish.wait()
            except asyncio.CancelledError:
                self.cancelled_while_closing = True
                raise
            self.finished_closing = True


def test_the_async_reader_is_never_cancelled_while_it_closes_its_stream() -> None:
    """A job that ends outside the reader while the reader closes its response (the soak's case:
    a join returning with its job settled by kept messages) must not cancel the reader task;
    a cancel there left httpx's pooled connection ACTIVE and its socket in CLOSE_WAIT."""

    async def main() -> None:
        stream = ClosingSlowly()
        session = AsyncSession("h", protocol_flags("sse_v3"), stream.open)
        job = FakeJob()
        session.begin_join()
        session.register("x", job)
        reader = session._task
        assert reader is not None
        await asyncio.wait_for(stream.closing.wait(), WAIT)
        other = FakeJob()
        session.begin_join()
        other._finish()  # its join returned with the job already settled by kept messages
        session.register("y", other)
        stream.may_finish.set()
        await asyncio.wait_for(reader, WAIT)
        assert not stream.cancelled_while_closing
        assert stream.finished_closing
        assert not session.running

    asyncio.run(main())
