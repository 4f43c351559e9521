"""One session's event stream, shared by every job of that session.

Gradio sends the messages of all a session's events down one ``{P}/queue/data`` stream, tagged with
their event id. A session runs at most one reader at a time (a thread for the sync client, a task
for the async one) that routes each message to its job. Messages for an event whose join has not
returned yet are kept until the job registers. The stream is opened when the first job registers,
reopened after ``close_stream`` while jobs are still pending (or joins are in flight), and left
closed otherwise; when it fails, every pending job fails with the reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Protocol

import httpx

from . import _messages as m
from ._errors import GradioError, ServerUnavailableError
from ._http import status_error, transport_error
from ._plan import ProtocolFlags
from ._sse import SSEDecoder

if TYPE_CHECKING:
    import asyncio

__all__ = ["SyncSession", "AsyncSession"]

_ACTION = "reading the queue stream"
_MAX_ORPHAN_EVENTS = 1000


class _Routable(Protocol):
    @property
    def _pending(self) -> bool: ...

    def _deliver(self, msg: m.Message) -> bool: ...

    def _fail(self, error: GradioError) -> None: ...


class _Demux:
    """What both readers share: routing messages and deciding whether the stream is still needed."""

    def __init__(self, session_hash: str, flags: ProtocolFlags) -> None:
        self.hash = session_hash
        self.flags = flags
        self.jobs: dict[str, _Routable] = {}
        self.orphans: dict[str, list[m.Message]] = {}
        self.in_flight = 0
        self.closed = False
        self.running = False
        self.routed = 0  # messages handed to jobs (or kept for them) so far
        self._idle_reopens = 0

    def _wanted(self) -> bool:
        """Whether a stream should stay open: a join in flight or a job still waiting for news."""
        return self.in_flight > 0 or any(job._pending for job in self.jobs.values())

    def _adopt(self, event_id: str, job: _Routable) -> bool:
        """Register a job after its join returned; True if the reader must be started."""
        self.in_flight -= 1
        for msg in self.orphans.pop(event_id, ()):
            if job._deliver(msg):
                return False
        self.jobs[event_id] = job
        return not self.running and not self.closed

    def _route(self, msg: m.Message) -> bool:
        """Hand a message to its job; True when this stream should end."""
        if isinstance(msg, m.Heartbeat):
            return False
        if isinstance(msg, m.CloseStream):
            return True
        if isinstance(msg, m.UnexpectedError):
            return self._unexpected(msg)
        event_id = msg.event_id
        if event_id is None:
            return False
        self.routed += 1
        job = self.jobs.get(event_id)
        if job is None:
            if len(self.orphans) >= _MAX_ORPHAN_EVENTS:
                self.orphans.pop(next(iter(self.orphans)))
            self.orphans.setdefault(event_id, []).append(msg)
            return False
        if job._deliver(msg):
            del self.jobs[event_id]
        if not self.flags.close_stream and isinstance(msg, m.Completed):
            return not self._wanted()  # older protocols: the client ends the stream
        return False

    def _unexpected(self, msg: m.UnexpectedError) -> bool:
        if msg.event_id is not None and msg.event_id in self.jobs:
            self.jobs.pop(msg.event_id)._fail(
                ServerUnavailableError(f"the app reported an unexpected error: {msg.message}")
            )
            return False
        pending = any(job._pending for job in self.jobs.values())
        if msg.session_not_found and not pending:
            return True  # opened while a join was still on its way; its registration reopens
        if msg.session_not_found:
            text = "the app no longer knows this session (was it restarted?)"
        else:
            text = f"the app reported an unexpected error: {msg.message}"
        self._fail_all(ServerUnavailableError(text))
        return True

    def _backoff(self, routed_before: int) -> float:
        """Seconds to wait before reopening: none after a stream that carried news, growing
        (to half a second) while streams keep ending empty, e.g. before a join reaches the queue."""
        if self.routed != routed_before:
            self._idle_reopens = 0
            return 0.0
        self._idle_reopens += 1
        return min(0.5, 0.01 * 2.0**self._idle_reopens)

    def _fail_all(self, error: GradioError) -> None:
        jobs = list(self.jobs.values())
        self.jobs.clear()
        for job in jobs:
            job._fail(error)

    def _finish_stream(self, error: GradioError | None, ended_by_server: bool) -> bool:
        """After a stream ended: True to reopen it. Fails jobs when the stream broke."""
        if self.closed:
            error = ServerUnavailableError("the client was closed while jobs were running")
        if error is None and not ended_by_server and any(j._pending for j in self.jobs.values()):
            error = ServerUnavailableError("the app closed the event stream before the job finished")
        if error is not None:
            self._fail_all(error)
        if not self.closed and self._wanted():
            return True
        # Jobs left here were cancelled locally and never confirmed; nobody waits for them.
        self.jobs.clear()
        if self.in_flight == 0:
            self.orphans.clear()
        self.running = False
        return False


def _messages(decoder: SSEDecoder, chunk: bytes) -> Iterator[m.Message]:
    for event in decoder.feed(chunk):
        yield m.parse_message(event.data)


def _stream_error(exc: httpx.HTTPError) -> GradioError:
    if isinstance(exc, httpx.ReadTimeout):
        return ServerUnavailableError(
            "the app's event stream went silent (no heartbeat) for too long; the server is gone or "
            "unreachable"
        )
    return transport_error(exc, action=_ACTION)


class SyncSession(_Demux):
    """The sync client's session: one reader thread at a time."""

    def __init__(
        self,
        session_hash: str,
        flags: ProtocolFlags,
        open_stream: Callable[[str], AbstractContextManager[httpx.Response]],
    ) -> None:
        super().__init__(session_hash, flags)
        self._open = open_stream
        self._lock = threading.RLock()
        self._response: httpx.Response | None = None  # the stream being read, to cut on close

    def begin_join(self) -> None:
        with self._lock:
            self.in_flight += 1

    def abort_join(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def register(self, event_id: str, job: _Routable) -> None:
        with self._lock:
            start = self._adopt(event_id, job)
            if start:
                self.running = True
        if start:
            threading.Thread(
                target=self._run, name=f"gradio-session-{self.hash[:8]}", daemon=True
            ).start()

    def close(self) -> None:
        """Fail the pending jobs now and cut the stream (a blocked read would wait for news)."""
        with self._lock:
            self.closed = True
            self._fail_all(ServerUnavailableError("the client was closed while jobs were running"))
            response = self._response
        if response is not None:
            try:
                response.close()
            except Exception:  # the reader may be closing it at the same moment
                pass

    def _run(self) -> None:
        while True:
            error: GradioError | None = None
            ended = False
            routed = self.routed
            try:
                ended = self._read_once()
            except httpx.HTTPError as e:
                error = _stream_error(e)
            except GradioError as e:
                error = e
            except Exception as e:  # a bug must fail the jobs, not leave them waiting forever
                error = GradioError(f"internal error while {_ACTION}: {type(e).__name__}: {e}")
            with self._lock:
                self._response = None
                if not self._finish_stream(error, ended):
                    return
                pause = self._backoff(routed)
            if pause:
                time.sleep(pause)

    def _read_once(self) -> bool:
        """Read one stream; True if it ended by the server's or our decision, False at EOF."""
        with self._open(self.hash) as response:
            if response.status_code != 200:
                response.read()
                raise status_error(response, action=_ACTION)
            with self._lock:
                if self.closed:
                    return True
                self._response = response
            decoder = SSEDecoder()
            for chunk in response.iter_bytes():
                for msg in _messages(decoder, chunk):
                    with self._lock:
                        if self._route(msg):
                            return True
            for event in decoder.close():
                with self._lock:
                    if self._route(m.parse_message(event.data)):
                        return True
        return False


class AsyncSession(_Demux):
    """The async client's session: one reader task at a time, in the client's event loop."""

    def __init__(
        self,
        session_hash: str,
        flags: ProtocolFlags,
        open_stream: Callable[[str], AbstractAsyncContextManager[httpx.Response]],
    ) -> None:
        super().__init__(session_hash, flags)
        self._open = open_stream
        self._task: asyncio.Task[None] | None = None

    def begin_join(self) -> None:
        self.in_flight += 1

    def abort_join(self) -> None:
        self.in_flight -= 1

    def register(self, event_id: str, job: _Routable) -> None:
        if self._adopt(event_id, job):
            import asyncio  # here, not at the top: keeps the sync import path light

            self.running = True
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def aclose(self) -> None:
        import asyncio  # here, not at the top: keeps the sync import path light

        self.closed = True
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._fail_all(ServerUnavailableError("the client was closed while jobs were running"))

    async def _run(self) -> None:
        import asyncio  # here, not at the top: keeps the sync import path light

        while True:
            error: GradioError | None = None
            ended = False
            routed = self.routed
            try:
                ended = await self._read_once()
            except httpx.HTTPError as e:
                error = _stream_error(e)
            except GradioError as e:
                error = e
            except asyncio.CancelledError:
                self.running = False
                raise
            except Exception as e:  # a bug must fail the jobs, not leave them waiting forever
                error = GradioError(f"internal error while {_ACTION}: {type(e).__name__}: {e}")
            if not self._finish_stream(error, ended):
                return
            pause = self._backoff(routed)
            if pause:
                await asyncio.sleep(pause)

    async def _read_once(self) -> bool:
        async with self._open(self.hash) as response:
            if response.status_code != 200:
                await response.aread()
                raise status_error(response, action=_ACTION)
            decoder = SSEDecoder()
            async for chunk in response.aiter_bytes():
                for msg in _messages(decoder, chunk):
                    if self._route(msg):
                        return True
            for event in decoder.close():
                if self._route(m.parse_message(event.data)):
                    return True
        return False
