"""One session's event stream, shared by every job of that session.

Gradio sends the messages of all a session's events down one ``{P}/queue/data`` stream, tagged with
their event id. A session runs at most one reader at a time (a thread for the sync client, a task
for the async one) that routes each message to its job. The stream is opened when the first job
registers, reopened after ``close_stream`` while jobs are still pending (or joins are in flight),
and closed as soon as no job waits; when it fails, every pending job fails with the reason.

The app on the other end may be hostile, so the reader is bounded in every direction:

* memory: the decoder limits lines and events (``_sse``); messages for an event nobody registered
  are kept only while a join is in flight (their job may not know its id yet), up to
  ``MAX_ORPHAN_MESSAGES`` and ``MAX_ORPHAN_BYTES``, and otherwise dropped at once. A job whose early
  messages had to be dropped fails with ``ProtocolError`` instead of waiting for them;
* time: news of a registered job (or a heartbeat) must come within the stream's silence limit
  (the client's ``stream_timeout``), both on one stream that only sends junk and across streams the
  app keeps ending early, so even ``timeout=None`` ends in ``ServerUnavailableError``;
* breaks: a stream that breaks while jobs wait is reopened once at once, in case only a front end
  dropped it; Gradio 4.44, 5.50 and 6.31 drop the session's jobs when they see the break and answer
  the reopened stream with ``session_not_found``, so the jobs then fail with a
  ``ServerUnavailableError`` that says the function may have run (never a re-join: that could run
  it twice). A stream refused before its 200 (429, 502-504) is asked again under ``_retry``'s
  policy, up to the client's ``max_retries``, since a refused GET takes no message;
* reconnections: reopening waits longer after every stream that carried no news of a registered
  job, and never happens more than ``MAX_REOPENS_PER_SECOND`` times a second;
* life: the reader ends once no job waits and no join is in flight: after the last job's result
  (on ``sse_v3`` it reads at most one more message, the app's ``close_stream``, so the app does not
  see a dropped connection), and when the last waiting job is cancelled or timed out: at the app's
  next message on ``sse_v3``, at once on older protocols.

Closing a stream is not harmless: Gradio takes any closed ``{P}/queue/data`` connection of a session
for the client leaving, and drops every job the session has on the server, including one joined a
moment before (docs/faults.md 2.1). So a session never has two streams open, and its reader is
never stopped from outside except by ``close()``: a reader that must end early is told so (its
stream is shut down, or on ``sse_v3`` it leaves at the app's next message) and decides itself,
under the session's guard, whether a stream is still wanted before it opens the next one. For the
async reader this also means its task is never cancelled mid-stream, which left httpx connections
stuck ``ACTIVE`` in the pool (a descriptor leak in the soak benchmark).
"""

from __future__ import annotations

import collections
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Generic, Protocol, TypeVar

import httpx

from .._asyncio import asyncio
from .._errors import GradioError, ProtocolError, QueueFullError, ServerUnavailableError
from .._http._failures import status_error, transport_error
from .._http._retry import DEFAULT_MAX_RETRIES, retrying
from .._http._timeouts import DEFAULT_STREAM_TIMEOUT
from . import _messages as m
from ._plan import ProtocolFlags
from ._sse import SSEDecoder

__all__ = [
    "SyncSession",
    "AsyncSession",
    "MAX_ORPHAN_MESSAGES",
    "MAX_ORPHAN_BYTES",
    "MAX_REOPENS_PER_SECOND",
]

MAX_ORPHAN_MESSAGES = 1000
"""Messages kept, over all events, for jobs whose join has not returned yet."""

MAX_ORPHAN_BYTES = 16 * 2**20
"""Bytes of such messages kept (their JSON text; they are parsed again when their job registers)."""

MAX_REOPENS_PER_SECOND = 10
"""How often the stream may be reopened, however much news the streams before carried."""

_ACTION = "reading the queue stream"
_DRAIN_BYTES = 64 * 2**10  # read after the last job ended, waiting for close_stream (sse_v3)
_MAX_BACKOFF = 0.5
_MAX_DROPPED_IDS = 1000
_MAX_ID_CHARS = 256  # Gradio's event ids are 32 hex digits
_CLOSED = "the client was closed while jobs were running"
_MAY_HAVE_RUN = "the app may have run the function, or be running it; calling again runs it again"


Opener = TypeVar("Opener")  # how a session opens its stream: a context manager, sync or async


class _Routable(Protocol):
    @property
    def _pending(self) -> bool: ...

    def _deliver(self, msg: m.Message) -> bool: ...

    def _fail(self, error: GradioError) -> None: ...

    def add_done_callback(self, fn: Callable[[Any], object]) -> None: ...


class _Demux(Generic[Opener]):
    """What both readers share: routing messages and deciding whether the stream is still needed.

    Its state changes only under its guard (``_new_guard``): the clients' entry points below take
    it, and the readers call their steps under it (a lock for the sync session's threads; nothing
    for the async one, whose callers and reader all run in the client's loop).
    ``generation`` names the reader that may act: a reader whose generation is no longer current
    was cut off and leaves without touching anything.
    """

    def __init__(
        self,
        session_hash: str,
        flags: ProtocolFlags,
        open_stream: Opener,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        self.hash = session_hash
        self.flags = flags
        self.max_retries = max_retries  # the client's: how often a refused stream is asked again
        self.jobs: dict[str, _Routable] = {}
        # event id -> message texts, while joins are in flight
        self.orphans: dict[str, list[str]] = {}
        self.in_flight = 0
        self.closed = False
        self.running = False
        self.generation = 0
        self.silence = DEFAULT_STREAM_TIMEOUT  # the stream's read timeout, once one was opened
        self.news = 0  # messages handed to registered jobs so far
        self._orphan_count = 0
        self._orphan_bytes = 0
        self._dropped: dict[str, None] = {}  # ids whose kept messages had to be dropped
        self._last_news = time.monotonic()
        self._alive = self._last_news  # last news or heartbeat on the current stream
        self._draining = False
        self._drain_left = 0
        self._streams = 0  # opened without news in between
        self._idle_reopens = 0
        self._reopens: collections.deque[float] = collections.deque(maxlen=MAX_REOPENS_PER_SECOND)
        self._open = open_stream
        self._guard = self._new_guard()  # held around every change of this state
        self._in_reader = False  # the reader is routing a message: a job ending now is its doing
        self._cut = False  # the current stream was shut down by us: its end is not a failure
        self._reopened_after_break = False  # a broken stream was reopened once for these jobs
        self._response: httpx.Response | None = None  # the stream being read, to shut it down

    @staticmethod
    def _new_guard() -> AbstractContextManager[Any]:
        return contextlib.nullcontext()

    # -- what the clients tell it ----------------------------------------------------------------

    _interrupt_closes = True
    """Whether waking the reader may close a stream that has no socket (``_interrupt``)."""

    def begin_join(self) -> None:
        """A join is on its way: its job's first messages may come before it returns."""
        with self._guard:
            self.in_flight += 1

    def abort_join(self) -> None:
        """A join failed: no job will register for it."""
        with self._guard:
            self.in_flight -= 1
            if self.in_flight == 0:
                self._forget_orphans()
            self._cut_if_idle()

    def _job_ended(self, job: object) -> None:
        """A job ended; when it ended outside the reader (cancelled, say) and nobody else waits,
        the stream goes early (``_end_early``)."""
        with self._guard:
            if not self._in_reader:
                self._cut_if_idle()

    def _cut_if_idle(self) -> None:
        if self._end_early():
            _interrupt(self._response, close=self._interrupt_closes)

    def _shut(self) -> None:
        """``close()``: fail the pending jobs now and cut the reader off."""
        self.closed = True
        self._fail_all(ServerUnavailableError(_CLOSED))
        self._cut_off()

    # -- what the stream is for ------------------------------------------------------------------

    def _waiting(self) -> bool:
        return any(job._pending for job in self.jobs.values())

    def _wanted(self) -> bool:
        """Whether a stream should stay open: a join in flight or a job still waiting for news."""
        return self.in_flight > 0 or self._waiting()

    def _adopt(self, event_id: str, job: _Routable) -> bool:
        """Register a job after its join returned; True if a reader must be started (it counts as
        running from now)."""
        self.in_flight -= 1
        self._last_news = time.monotonic()
        texts = self.orphans.pop(event_id, [])
        self._orphan_count -= len(texts)
        self._orphan_bytes -= sum(len(t) for t in texts)
        finished = True  # failed here, or settled by what was kept
        if self.closed:  # closed while the join was on its way: no reader will come
            job._fail(ServerUnavailableError(_CLOSED))
        elif event_id in self._dropped:
            job._fail(
                ProtocolError(
                    f"the app sent more than {MAX_ORPHAN_MESSAGES} messages or "
                    f"{MAX_ORPHAN_BYTES:,} bytes for jobs whose joins had not returned yet; this "
                    "job's first messages were among those dropped"
                )
            )
        else:
            finished = False
            for text in texts:  # parsed once already, so parsing cannot fail now
                if job._deliver(m.parse_message(text)):
                    finished = True
                    break
        if self.in_flight == 0:
            self._forget_orphans()
        else:
            self._dropped.pop(event_id, None)
        if finished:
            return False
        self.jobs[event_id] = job
        if self.running:
            return False
        self.running = True
        return True

    def _forget_orphans(self) -> None:
        """No join is in flight: nobody can claim the messages kept for unknown events."""
        self.orphans.clear()
        self._dropped.clear()
        self._orphan_count = self._orphan_bytes = 0

    # -- routing ---------------------------------------------------------------------------------

    def _on_text(self, text: str) -> bool:
        """Route one event's data; True when this stream should end."""
        return self._route(m.parse_message(text), text)

    def _route(self, msg: m.Message, text: str) -> bool:
        """Hand a message to its job; True when this stream should end."""
        if isinstance(msg, m.CloseStream):
            return True
        if isinstance(msg, m.Heartbeat):
            self._alive = time.monotonic()
        elif isinstance(msg, m.UnexpectedError):
            if self._unexpected(msg):
                return True
        elif msg.event_id is not None:
            job = self.jobs.get(msg.event_id)
            if job is None:
                self._orphan(msg.event_id, text)
            else:
                self.news += 1
                self._last_news = self._alive = time.monotonic()
                if job._deliver(msg):
                    del self.jobs[msg.event_id]
        return self._idle()

    def _idle(self) -> bool:
        """After a message: True when nobody waits any more and the stream should end.

        sse_v1/v2 never end a stream themselves, so the client ends it at once. An sse_v3 app
        ends it with ``close_stream`` right after the last result; the reader waits for that one
        message (or ``_DRAIN_BYTES``) so a well-behaved app never sees a dropped connection.
        """
        if self._wanted():
            self._draining = False
            return False
        if not self.flags.close_stream or self._draining:
            return True
        self._drain()
        return False

    def _drain(self) -> None:
        """Nobody waits: end the stream at the app's next message (``close_stream`` or other) or
        after ``_DRAIN_BYTES``, unless a job comes to wait again first."""
        self._draining = True
        self._drain_left = _DRAIN_BYTES

    def _orphan(self, event_id: str, text: str) -> None:
        """Keep a message for an event nobody registered, if a join in flight may claim it."""
        if self.in_flight <= 0 or event_id in self._dropped:
            return
        self._alive = time.monotonic()  # may be news for the job being joined
        size = len(text)
        if size > MAX_ORPHAN_BYTES:
            self._drop(event_id)
            return
        while self.orphans and (
            self._orphan_count >= MAX_ORPHAN_MESSAGES
            or self._orphan_bytes + size > MAX_ORPHAN_BYTES
        ):
            oldest = next(iter(self.orphans))
            texts = self.orphans.pop(oldest)
            self._orphan_count -= len(texts)
            self._orphan_bytes -= sum(len(t) for t in texts)
            self._drop(oldest)
        if event_id in self._dropped:
            return
        self.orphans.setdefault(event_id, []).append(text)
        self._orphan_count += 1
        self._orphan_bytes += size

    def _drop(self, event_id: str) -> None:
        """Remember that an event lost kept messages, so its job fails rather than waits."""
        if len(event_id) > _MAX_ID_CHARS:
            return
        self._dropped[event_id] = None
        if len(self._dropped) > _MAX_DROPPED_IDS:
            del self._dropped[next(iter(self._dropped))]

    def _unexpected(self, msg: m.UnexpectedError) -> bool:
        if msg.event_id is not None and msg.event_id in self.jobs:
            self.jobs.pop(msg.event_id)._fail(
                ServerUnavailableError(f"the app reported an unexpected error: {msg.message}")
            )
            return False
        if msg.session_not_found and not self._waiting():
            return True  # opened while a join was still on its way; its registration reopens
        if msg.session_not_found and self._reopened_after_break:
            text = (
                f"the event stream broke and the app dropped this session's jobs; {_MAY_HAVE_RUN}"
            )
        elif msg.session_not_found:
            text = f"the app no longer knows this session (was it restarted?); {_MAY_HAVE_RUN}"
        else:
            text = f"the app reported an unexpected error: {msg.message}"
        self._fail_all(ServerUnavailableError(text))
        return True

    # -- one stream ------------------------------------------------------------------------------

    def _opened(self, response: httpx.Response) -> bool:
        """A stream was opened; False if it is not needed any more (read nothing from it)."""
        if self.closed or not self._wanted():
            return False
        self.silence = _silence_of(response)
        self._alive = time.monotonic()
        self._draining = False
        self._streams += 1
        return True

    def _attach(self, generation: int, response: httpx.Response) -> bool:
        """The reader opened ``response``; False if it must read nothing from it."""
        with self._guard:
            if generation != self.generation or not self._opened(response):
                return False
            self._response = response
            return True

    def _detach(self, response: httpx.Response) -> None:
        """The reader is done with ``response``, before its connection may go back to the pool."""
        with self._guard:
            if self._response is response:
                self._response = None

    def _stop_reading(self, size: int) -> bool:
        """Before decoding a chunk of ``size`` bytes: True when the stream should end now.

        Raises ``ServerUnavailableError`` when bytes keep coming but no news nor heartbeat has for
        longer than the silence limit (a stream of blank lines, comments or unknown events).
        """
        if self.closed:
            return True
        if self._draining and self._wanted():
            self._draining = False  # a job registered while the stream was about to end
        if self._draining:
            self._drain_left -= size
            if self._drain_left < 0:
                return True
        if time.monotonic() - self._alive > self.silence:
            raise ServerUnavailableError(
                f"the app's event stream sent no news of the waiting jobs and no heartbeat for "
                f"{self.silence:g} s, only other data; the app is treated as gone"
            )
        return False

    def _fail_all(self, error: GradioError) -> None:
        jobs = list(self.jobs.values())
        self.jobs.clear()
        for job in jobs:
            job._fail(error)

    def _finish_stream(
        self, error: GradioError | None, ended_by_server: bool, broke: bool = False
    ) -> bool:
        """After a stream ended: True to reopen it. Fails jobs when the stream broke a second time
        (or broke, and the app no longer knows the session), or when the app keeps ending streams
        without news for longer than the silence limit. ``broke``: the connection failed (a
        reset, an incomplete body) rather than the app answering something."""
        if self.closed:
            error = ServerUnavailableError(_CLOSED)
        cut_short = (broke or (error is None and not ended_by_server)) and not self.closed
        if cut_short and self._waiting() and not self._reopened_after_break:
            self._reopened_after_break = True
            return True  # once, at once: a front end may have dropped us, not the app
        if error is None and not ended_by_server and self._waiting():
            error = ServerUnavailableError(
                f"the app closed the event stream before the job finished; {_MAY_HAVE_RUN}"
            )
        if error is None and self._waiting() and time.monotonic() - self._last_news > self.silence:
            error = ServerUnavailableError(
                f"the app kept ending the event stream without news of the job for "
                f"{self.silence:g} s ({self._streams} streams opened); the app is treated as gone"
            )
        if error is not None:
            self._fail_all(error)
        if not self.closed and self._wanted():
            return True
        self._stop()
        return False

    def _stop(self) -> None:
        """No reader from now on: forget what only a reader needed."""
        # Jobs left here were cancelled locally and never confirmed; nobody waits for them.
        self.jobs.clear()
        if self.in_flight == 0:
            self._forget_orphans()
        self.running = False
        self._draining = False
        self._reopened_after_break = False

    def _cut_off(self) -> None:
        """End the current reader from outside it, at ``close()`` only: it leaves at its next step,
        touching nothing."""
        self.generation += 1
        self._stop()

    def _may_open(self, generation: int) -> bool:
        """Before the reader opens a stream (under the guard): whether it may. A reader that is
        not wanted any more stops here, so a later job starts a new one; it never opens a stream
        only to close it, which would make the app drop the session's jobs."""
        if generation != self.generation:
            return False
        if self.closed or not self._wanted():
            self._stop()
            return False
        return True

    def _end_early(self) -> bool:
        """The last waiting job ended outside the reader (cancelled, timed out, or settled by
        messages kept for its join): let the stream go. On ``sse_v3`` the reader leaves at the
        app's next message (after a cancel the app sends the job's end and ``close_stream``);
        older apps never end a stream, so it is shut down now. True when the caller must shut
        down ``self._response`` (then ``_cut`` tells the reader its end is ours)."""
        if self.closed or not self.running or self._wanted():
            return False
        if self.flags.close_stream:
            self._drain()
            return False
        if self._response is None:
            return False  # between streams: the reader asks _may_open before the next one
        self._cut = True
        return True

    def _ended_by_us(
        self, ended: bool, error: GradioError | None
    ) -> tuple[bool, GradioError | None]:
        """How a stream ended, once the reader is back under the guard: a stream we shut down
        ended by our decision, whatever the read saw."""
        self._response = None
        if self._cut:
            self._cut = False
            return True, None
        return ended, error

    # -- the reader's steps, shared by the thread and the task -----------------------------------

    def _take(self, generation: int, decoder: SSEDecoder, chunk: bytes) -> bool:
        """Decode and route one chunk of the stream; True when this stream should end."""
        with self._guard:
            if generation != self.generation or self._stop_reading(len(chunk)):
                return True
        for event in decoder.feed(chunk):
            msg = m.parse_message(event.data)
            with self._guard:
                if generation != self.generation:
                    return True
                self._in_reader = True
                try:
                    if self._route(msg, event.data):
                        return True
                finally:
                    self._in_reader = False
        return False

    def _after_read(
        self, generation: int, news: int, ended: bool, exc: Exception | None
    ) -> float | None:
        """After a stream ended (``ended``: by the server's or our decision; False at EOF) or
        failed with ``exc``, back under the guard: the pause before reopening it, or None when
        the reader is done. ``news`` is how much news there was when the stream was opened."""
        if generation != self.generation:
            return None  # cut off by close(): nothing of this session is the reader's any more
        error = None if exc is None else _failure(exc)
        ended, error = self._ended_by_us(ended, error)
        broke = exc is not None and _broke(exc) and not ended
        self._in_reader = True
        try:
            if not self._finish_stream(error, ended, broke):
                return None
        finally:
            self._in_reader = False
        return self._backoff(news)

    def _backoff(self, news_before: int) -> float:
        """Seconds to wait before reopening: none after a stream that carried news, growing (to half
        a second) while streams keep ending without news, e.g. before a join reaches the queue; and
        never more than ``MAX_REOPENS_PER_SECOND`` reopens a second."""
        now = time.monotonic()
        if self.news != news_before:
            self._idle_reopens = 0
            self._streams = 0
            pause = 0.0
        else:
            self._idle_reopens += 1
            pause = min(_MAX_BACKOFF, 0.01 * 2.0 ** min(self._idle_reopens, 16))
        if len(self._reopens) == self._reopens.maxlen:
            pause = max(pause, self._reopens[0] + 1.0 - now)
        self._reopens.append(now + pause)
        return pause


def _silence_of(response: httpx.Response) -> float:
    """The stream's read timeout, which the client set from its ``stream_timeout``."""
    timeout = response.request.extensions.get("timeout")
    read = timeout.get("read") if isinstance(timeout, dict) else None
    return float(read) if isinstance(read, (int, float)) and read > 0 else DEFAULT_STREAM_TIMEOUT


def _broke(exc: Exception) -> bool:
    """Whether a stream ended because its connection failed (not a silence, not an answer)."""
    return isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError))


def _failure(exc: Exception) -> GradioError:
    """Why a stream ended badly, as the error its waiting jobs get. Their joins were accepted, so
    whatever failed, the app may have run the function."""
    error = _stream_failure(exc)
    error.may_have_run = True
    return error


def _stream_failure(exc: Exception) -> GradioError:
    if isinstance(exc, httpx.ReadTimeout):
        return ServerUnavailableError(
            "the app's event stream went silent (no heartbeat) for too long; the server is gone or "
            f"unreachable; {_MAY_HAVE_RUN}"
        )
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return ServerUnavailableError(
            f"cannot reach the app to read the event stream of accepted jobs: {exc}; "
            f"{_MAY_HAVE_RUN}"
        )
    if _broke(exc):
        return ServerUnavailableError(f"the event stream broke off ({exc}); {_MAY_HAVE_RUN}")
    if isinstance(exc, httpx.HTTPError):
        return transport_error(exc, action=_ACTION)
    if isinstance(exc, GradioError):
        return exc
    # A bug must fail the jobs, not leave them waiting forever.
    return GradioError(f"internal error while {_ACTION}: {type(exc).__name__}: {exc}")


_ERROR_BODY = 64 * 2**10


class _Refusal:
    """A stream the app refused: the start of its answer (at most ``_ERROR_BODY`` bytes), read
    chunk by chunk, becomes the error."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.body = b""

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; True once there is enough to tell why."""
        self.body += chunk
        return len(self.body) > _ERROR_BODY

    def error(self) -> GradioError:
        """The refusal's error. Gradio itself never refuses this route with 429 or 503: those
        come from a front end, after the job was accepted, so they are never ``QueueFullError``."""
        code = self.response.status_code
        head = httpx.Response(
            code,
            headers={"content-type": self.response.headers.get("content-type", "text/plain")},
            content=self.body[:_ERROR_BODY],
            request=self.response.request,
        )
        error = status_error(head, action=_ACTION)
        if isinstance(error, QueueFullError) or code in (502, 503, 504):
            error = ServerUnavailableError(
                f"the app's front end refused the event stream (HTTP {code}) after the job was "
                f"accepted; {_MAY_HAVE_RUN}"
            )
        error.may_have_run = True
        return error


class _Reading:
    """One opened stream's chunks, whatever they turn out to be, so a reader only iterates.

    A refused stream's chunks are the start of its error (``_Refusal``); a stream the session
    still wants is decoded and routed (``_Demux._take``); one it no longer wants is not read at
    all (``wanted`` is False). As a context manager it lets the session forget the stream when the
    reading ends, however it ends, before the connection may go back to the pool.
    """

    def __init__(self, session: _Demux[Any], generation: int, response: httpx.Response) -> None:
        self._session = session
        self._generation = generation
        self._response = response
        self._refusal = _Refusal(response) if response.status_code != 200 else None
        self.wanted = self._refusal is not None or session._attach(generation, response)
        self._decoder = SSEDecoder()
        self._ended = not self.wanted  # by the server's or our decision, rather than at EOF

    def __enter__(self) -> _Reading:
        return self

    def __exit__(self, *exc: object) -> None:
        self._session._detach(self._response)

    def take(self, chunk: bytes) -> bool:
        """Take the next chunk; True when the reader should stop reading."""
        if self._refusal is not None:
            return self._refusal.add(chunk)
        self._ended = self._session._take(self._generation, self._decoder, chunk)
        return self._ended

    def ended(self) -> bool:
        """After the last chunk: True if the stream ended by the server's or our decision, False
        if at its end of file; for a refused stream, raise its error."""
        if self._refusal is not None:
            raise self._refusal.error()
        return self._ended


class SyncSession(_Demux[Callable[[str], AbstractContextManager[httpx.Response]]]):
    """The sync client's session: one reader thread at a time."""

    @staticmethod
    def _new_guard() -> AbstractContextManager[Any]:
        return threading.RLock()

    def register(self, event_id: str, job: _Routable) -> None:
        with self._guard:
            start = self._adopt(event_id, job)
            generation = self.generation
        job.add_done_callback(self._job_ended)
        if start:
            threading.Thread(
                target=self._run,
                args=(generation,),
                name=f"gradio-session-{self.hash[:8]}",
                daemon=True,
            ).start()

    def close(self) -> None:
        """Fail the pending jobs now and cut the stream (a blocked read would wait for news)."""
        with self._guard:
            self._shut()
            _interrupt(self._response)
            self._response = None

    def _run(self, generation: int) -> None:
        while True:
            with self._guard:
                if not self._may_open(generation):
                    return
            news = self.news
            try:
                ended, error = self._read_once(generation), None
            except Exception as e:
                ended, error = False, e
            with self._guard:
                pause = self._after_read(generation, news, ended, error)
            if pause is None:
                return
            time.sleep(pause)

    def _read_once(self, generation: int) -> bool:
        """Read one stream; True if it ended by the server's or our decision, False at EOF."""
        with retrying(self.max_retries), self._open(self.hash) as response:
            with _Reading(self, generation, response) as reading:
                for chunk in response.iter_bytes() if reading.wanted else ():
                    if reading.take(chunk):
                        break
            return reading.ended()


class AsyncSession(_Demux[Callable[[str], AbstractAsyncContextManager[httpx.Response]]]):
    """The async client's session: one reader task at a time, in the client's event loop.

    The task is never cancelled to end a stream: a cancel that lands while httpx closes the
    response leaves the pool's connection ``ACTIVE`` for good. Shutting the socket down ends the
    read instead; a stream without a socket (a test's mock transport) is left to end by itself.
    """

    _interrupt_closes = False
    _task: asyncio.Task[None] | None = None  # the reader

    def register(self, event_id: str, job: _Routable) -> None:
        if self._adopt(event_id, job):
            self._task = asyncio.get_running_loop().create_task(self._run(self.generation))
        job.add_done_callback(self._job_ended)

    async def aclose(self) -> None:
        self._shut()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _run(self, generation: int) -> None:
        while True:
            if not self._may_open(generation):
                return
            news = self.news
            try:
                ended, error = await self._read_once(generation), None
            except asyncio.CancelledError:
                if generation != self.generation:
                    return  # cut off by aclose()
                self.running = False
                raise
            except Exception as e:
                ended, error = False, e
            pause = self._after_read(generation, news, ended, error)
            if pause is None:
                return
            await asyncio.sleep(pause)

    async def _read_once(self, generation: int) -> bool:
        with retrying(self.max_retries):  # a refused GET takes no message: ask again
            return await self._read_stream(generation)

    async def _read_stream(self, generation: int) -> bool:
        async with self._open(self.hash) as response:
            with _Reading(self, generation, response) as reading:
                if reading.wanted:
                    async for chunk in response.aiter_bytes():
                        if reading.take(chunk):
                            break
            return reading.ended()


def _interrupt(response: httpx.Response | None, *, close: bool = True) -> None:
    """Wake the reader blocked reading ``response``, from another thread (or task).

    Closing a socket does not wake a thread blocked on it; shutting it down does (the read sees the
    end of the stream), and the reader then closes the response itself. Without a socket (a test's
    mock transport) the response is closed when ``close``, which ends the reader at its next chunk.
    """
    if response is None:
        return
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed by the other side
            pass
        return
    if not close:
        return
    try:
        response.close()
    except Exception:  # the reader may be closing it at the same moment
        pass
