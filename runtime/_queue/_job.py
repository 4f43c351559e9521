"""Jobs: a handle on one submitted call (status, progress, streamed outputs, result, cancel).

A job is fed the queue messages of its event by the session's stream reader and keeps what a user
may ask for: where it stands, every streamed output, the final values or the error. Values stay raw
JSON until somebody asks for them, so decoding (and downloading files) happens in the caller's
thread or task, once per value, and never slows the reader down.

What a job knows lives in its ``JobState`` (``_jobstate``, no I/O, no locks), which also decides
what ``result()`` and iteration hand out next; ``Job`` guards it with a condition variable for
threads, ``AsyncJob`` with futures in one event loop.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Generic, TypedDict, TypeVar

from .._asyncio import asyncio
from .._errors import GradioError, GradioTimeoutError, ProtocolError
from . import _messages as m
from ._jobstate import JobState, JobStatus, LogMessage, ProgressUnit, Status

__all__ = ["Job", "AsyncJob", "JobInfo", "JobStatus", "Status", "ProgressUnit", "LogMessage"]

T = TypeVar("T")


class JobInfo(TypedDict):
    """What a job is told about itself when it is made."""

    endpoint: str
    event_id: str
    diffs: bool  # streamed outputs after the first come as edit lists
    timeout: float | None  # the default bound of each wait for it
    # Told the error a job ends with, before anyone waiting on the job sees it: the client checks
    # the app's layout again after a sign of a restart, whoever waits (result(), a callback, ...).
    on_error: Callable[[GradioError], None] | None


class NeedsDownload(Exception):
    """Raised by a synchronous decoder when a value holds files that must first be downloaded."""


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def _left(deadline: float | None) -> float | None:
    """Seconds to wait before ``deadline`` (``None``: no limit); 0 or less when it has passed."""
    return None if deadline is None else deadline - time.monotonic()


class _Job(Generic[T]):
    """What both jobs share: the state, the settings, and how a message or failure is applied."""

    event_id: str | None

    def __init__(
        self,
        *,
        endpoint: str,
        event_id: str,
        diffs: bool,
        timeout: float | None,
        on_error: Callable[[GradioError], None] | None = None,
    ) -> None:
        self.event_id = event_id
        self._state = JobState(endpoint, diffs)
        self._timeout = timeout
        self._on_error = on_error
        self._decoded: dict[int, T] = {}  # output index -> value; -1 is the final result

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._state.endpoint} {self.event_id} {self._state.code.value}>"

    @property
    def _pending(self) -> bool:
        return not self._state.finished

    def _apply(self, msg: m.Message) -> bool:
        """Apply a message to the state (caller holds the lock); False if it was finished before."""
        was_finished = self._state.finished
        try:
            self._state.apply(msg)
        except ProtocolError as e:
            e.endpoint = e.endpoint or self._state.endpoint
            self._state.fail(e)
        self._tell_error(was_finished)
        return was_finished

    def _fail_state(self, error: GradioError) -> bool:
        """Fail the state (caller holds the lock); True if it was finished before."""
        was_finished = self._state.finished
        self._state.fail(error)
        self._tell_error(was_finished)
        return was_finished

    def _tell_error(self, was_finished: bool) -> None:
        error = self._state.error
        if error is not None and self._state.finished and not was_finished:
            self._tell(error)

    def _tell(self, error: GradioError) -> None:
        """Pass an error of the job (its end, or its values failing to decode) to ``on_error``."""
        if self._on_error is not None:
            self._on_error(error)

    def _timed_out(self, timeout: float | None) -> GradioTimeoutError:
        return GradioTimeoutError(
            f"no result within {timeout or 0.0:g} s; the job may still be running on the server "
            "(wait longer with result(timeout=...), or stop it with cancel())",
            endpoint=self._state.endpoint,
        )


class Job(_Job[T]):
    """A submitted call (sync). Iterate it to receive each streamed output in order.

    Safe to use from several threads. ``result()``, iteration and ``outputs()`` decode values (and
    download files) in the calling thread, once per value.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        event_id: str,
        diffs: bool,
        decode: Callable[[list[Any]], T],
        cancel: Callable[[], None],
        timeout: float | None,
        on_error: Callable[[GradioError], None] | None = None,
    ) -> None:
        super().__init__(
            endpoint=endpoint, event_id=event_id, diffs=diffs, timeout=timeout, on_error=on_error
        )
        self._cond = threading.Condition()
        self._decode = decode
        self._send_cancel = cancel
        self._decode_lock = threading.Lock()
        self._callbacks: list[Callable[[Job[T]], object]] = []

    # -- fed by the session's stream reader -------------------------------------------------------

    def _deliver(self, msg: m.Message) -> bool:
        """Apply a message; True once the server is done with this job."""
        with self._cond:
            was_finished = self._apply(msg)
            self._cond.notify_all()
            settled, now_finished = self._state.settled, self._state.finished
        if now_finished and not was_finished:
            self._run_callbacks()
        return settled

    def _fail(self, error: GradioError) -> None:
        with self._cond:
            was_finished = self._fail_state(error)
            self._cond.notify_all()
        if not was_finished:
            self._run_callbacks()

    # -- public -----------------------------------------------------------------------------------

    def result(self, timeout: float | None = None) -> T:
        """The final value; waits up to ``timeout`` seconds (default: the client's timeout).

        Raises ``AppError`` if the app failed, ``JobCancelledError`` if the job was cancelled,
        ``GradioTimeoutError`` if the wait ran out (the job keeps running).
        """
        limit = self._timeout if timeout is None else timeout
        with self._cond:
            self._wait_for(lambda: self._state.finished, limit)
            final = self._state.final_values()
        return self._value(-1, final)

    def status(self) -> JobStatus:
        with self._cond:
            return self._state.snapshot()

    def done(self) -> bool:
        with self._cond:
            return self._state.finished

    def cancel(self) -> bool:
        """Stop the job: tells the server, which stops a generator at its next yield.

        False if the job had already ended. Waiting threads get ``JobCancelledError``.
        """
        with self._cond:
            changed = self._state.cancel()
            self._cond.notify_all()
        if changed:
            self._run_callbacks()
            self._send_cancel()
        return changed

    def outputs(self) -> list[T]:
        """Every streamed output so far, in order (the final result if nothing streamed)."""
        with self._cond:
            outputs = self._state.outputs()
        return [self._value(index, raw) for index, raw in outputs]

    def add_done_callback(self, fn: Callable[[Job[T]], object]) -> None:
        """Call ``fn(job)`` once the job ends (at once if it has); it runs in the reader thread."""
        with self._cond:
            if not self._state.finished:
                self._callbacks.append(fn)
                return
        fn(self)

    def __iter__(self) -> Iterator[T]:
        """Each streamed output as it arrives; the final result when the endpoint did not stream.

        Ends quietly after ``cancel()``; raises the app's error after the outputs that preceded it.
        Each wait for the next output is bounded by the client's timeout.
        """
        index = 0
        while True:
            with self._cond:
                self._wait_for(functools.partial(self._state.has_output, index), self._timeout)
                output = self._state.output(index)
            if output is None:
                return
            yield self._value(*output)
            index += 1

    # -- helpers ----------------------------------------------------------------------------------

    def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> None:
        """Wait (holding the condition) until ``ready()``, or raise after ``timeout`` seconds."""
        deadline = _deadline(timeout)
        while not ready():
            left = _left(deadline)
            if left is not None and left <= 0:
                raise self._timed_out(timeout)
            self._cond.wait(left)

    def _value(self, index: int, raw: list[Any]) -> T:
        with self._decode_lock:
            if index not in self._decoded:
                try:
                    self._decoded[index] = self._decode(raw)
                except GradioError as e:
                    self._tell(e)
                    raise
            return self._decoded[index]

    def _run_callbacks(self) -> None:
        with self._cond:
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)


class AsyncJob(_Job[T]):
    """A submitted call (async). ``async for`` it to receive each streamed output in order."""

    def __init__(
        self,
        *,
        endpoint: str,
        event_id: str,
        diffs: bool,
        decode: Callable[[list[Any]], Awaitable[T]],
        cancel: Callable[[], Awaitable[None]],
        timeout: float | None,
        decode_now: Callable[[list[Any]], T] | None = None,
        on_error: Callable[[GradioError], None] | None = None,
    ) -> None:
        super().__init__(
            endpoint=endpoint, event_id=event_id, diffs=diffs, timeout=timeout, on_error=on_error
        )
        self._decode = decode
        self._decode_now = decode_now
        self._send_cancel = cancel
        self._decoding: dict[int, asyncio.Future[T]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._callbacks: list[Callable[[AsyncJob[T]], object]] = []

    # -- fed by the session's stream reader (same event loop) ------------------------------------

    def _deliver(self, msg: m.Message) -> bool:
        self._wake(self._apply(msg))
        return self._state.settled

    def _fail(self, error: GradioError) -> None:
        self._wake(self._fail_state(error))

    def _wake(self, was_finished: bool) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._state.finished and not was_finished:
            callbacks, self._callbacks = self._callbacks, []
            for fn in callbacks:
                fn(self)

    # -- public -----------------------------------------------------------------------------------

    async def result(self, timeout: float | None = None) -> T:
        """The final value; waits up to ``timeout`` seconds (default: the client's timeout)."""
        limit = self._timeout if timeout is None else timeout
        await self._wait_for(lambda: self._state.finished, limit)
        return await self._value(-1, self._state.final_values())

    def status(self) -> JobStatus:
        return self._state.snapshot()

    def done(self) -> bool:
        return self._state.finished

    async def cancel(self) -> bool:
        """Stop the job (see ``Job.cancel``)."""
        was_finished = self._state.finished
        changed = self._state.cancel()
        self._wake(was_finished)
        if changed:
            await self._send_cancel()
        return changed

    def outputs(self) -> list[T]:
        """Every streamed output so far, in order (the final result if nothing streamed).

        Outputs holding files that must still be downloaded are left out until the job has been
        iterated (``async for``) or its result awaited, since downloading needs the event loop.
        """
        out: list[T] = []
        for index, raw in self._state.outputs():
            if index not in self._decoded and self._decode_now is not None:
                try:
                    self._decoded[index] = self._decode_now(raw)
                except NeedsDownload:
                    continue
            if index in self._decoded:
                out.append(self._decoded[index])
        return out

    def add_done_callback(self, fn: Callable[[AsyncJob[T]], object]) -> None:
        """Call ``fn(job)`` once the job ends (at once if it has)."""
        if self._state.finished:
            fn(self)
        else:
            self._callbacks.append(fn)

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        index = 0
        while True:
            await self._wait_for(functools.partial(self._state.has_output, index), self._timeout)
            output = self._state.output(index)
            if output is None:
                return
            yield await self._value(*output)
            index += 1

    # -- helpers ----------------------------------------------------------------------------------

    async def _wait_for(self, ready: Callable[[], bool], timeout: float | None) -> None:
        """Wait until ``ready()``, or raise after ``timeout`` seconds."""
        deadline = _deadline(timeout)
        while not ready():
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            left = _left(deadline)
            if left is not None and left <= 0:
                raise self._timed_out(timeout)
            try:
                await asyncio.wait_for(waiter, left)
            except asyncio.TimeoutError:
                raise self._timed_out(timeout) from None

    async def _value(self, index: int, raw: list[Any]) -> T:
        if index in self._decoded:
            return self._decoded[index]
        running = self._decoding.get(index)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._decoding[index] = future
        try:
            value = await self._decode(raw)
        except Exception as e:
            if isinstance(e, GradioError):
                self._tell(e)
            del self._decoding[index]
            future.set_exception(e)
            future.exception()  # retrieved here so an unawaited failure is not logged
            raise
        except BaseException:
            del self._decoding[index]
            future.cancel()
            raise
        self._decoded[index] = value
        del self._decoding[index]
        future.set_result(value)
        return value
