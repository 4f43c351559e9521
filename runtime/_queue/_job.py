"""Jobs: a handle on one submitted call (status, progress, streamed outputs, result, cancel).

A job is fed the queue messages of its event by the session's stream reader and keeps what a user
may ask for: where it stands, every streamed output, the final values or the error. Values stay raw
JSON until somebody asks for them, so decoding (and downloading files) happens in the caller's
thread or task, once per value, and never slows the reader down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _messages as m
from .._errors import GradioError, GradioTimeoutError, ProtocolError
from ._jobstate import JobState, JobStatus, LogMessage, ProgressUnit, Status

if TYPE_CHECKING:
    import asyncio

__all__ = ["Job", "AsyncJob", "JobStatus", "Status", "ProgressUnit", "LogMessage"]

T = TypeVar("T")


def _timeout_error(endpoint: str, timeout: float) -> GradioTimeoutError:
    return GradioTimeoutError(
        f"no result within {timeout:g} s; the job may still be running on the server "
        "(wait longer with result(timeout=...), or stop it with cancel())",
        endpoint=endpoint,
    )


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


class NeedsDownload(Exception):
    """Raised by a synchronous decoder when a value holds files that must first be downloaded."""


class Job(Generic[T]):
    """A submitted call (sync). Iterate it to receive each streamed output in order.

    Safe to use from several threads. ``result()``, iteration and ``outputs()`` decode values (and
    download files) in the calling thread, once per value.
    """

    event_id: str | None

    def __init__(
        self,
        *,
        endpoint: str,
        event_id: str,
        diffs: bool,
        decode: Callable[[list[Any]], T],
        cancel: Callable[[], None],
        timeout: float | None,
    ) -> None:
        self.event_id = event_id
        self._state = JobState(endpoint, diffs)
        self._cond = threading.Condition()
        self._decode = decode
        self._send_cancel = cancel
        self._timeout = timeout
        self._decoded: dict[int, T] = {}  # yield index -> value; -1 is the final result
        self._decode_lock = threading.Lock()
        self._callbacks: list[Callable[[Job[T]], object]] = []

    def __repr__(self) -> str:
        return f"<Job {self._state.endpoint} {self.event_id} {self._state.code.value}>"

    # -- fed by the session's stream reader -------------------------------------------------------

    def _deliver(self, msg: m.Message) -> bool:
        """Apply a message; True once the server is done with this job."""
        with self._cond:
            was_finished = self._state.finished
            try:
                self._state.apply(msg)
            except ProtocolError as e:
                e.endpoint = e.endpoint or self._state.endpoint
                self._state.fail(e)
            self._cond.notify_all()
            settled, now_finished = self._state.settled, self._state.finished
        if now_finished and not was_finished:
            self._run_callbacks()
        return settled

    def _fail(self, error: GradioError) -> None:
        with self._cond:
            was_finished = self._state.finished
            self._state.fail(error)
            self._cond.notify_all()
        if not was_finished:
            self._run_callbacks()

    @property
    def _pending(self) -> bool:
        return not self._state.finished

    # -- public -----------------------------------------------------------------------------------

    def result(self, timeout: float | None = None) -> T:
        """The final value; waits up to ``timeout`` seconds (default: the client's timeout).

        Raises ``AppError`` if the app failed, ``JobCancelledError`` if the job was cancelled,
        ``GradioTimeoutError`` if the wait ran out (the job keeps running).
        """
        limit = self._timeout if timeout is None else timeout
        deadline = _deadline(limit)
        with self._cond:
            while not self._state.finished:
                if not self._wait(deadline):
                    raise _timeout_error(self._state.endpoint, limit or 0.0)
            final = self._state.final
            if final is None:
                raise self._state.outcome_error()
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
            yields = list(self._state.yields)
            final = self._state.final
        if not yields and final is not None:
            return [self._value(-1, final)]
        return [self._value(i, raw) for i, raw in enumerate(yields)]

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
                deadline = _deadline(self._timeout)
                while len(self._state.yields) <= index and not self._state.finished:
                    if not self._wait(deadline):
                        raise _timeout_error(self._state.endpoint, self._timeout or 0.0)
                if len(self._state.yields) > index:
                    key, raw = index, self._state.yields[index]
                elif self._state.code is Status.CANCELLED:
                    return
                elif self._state.final is None:
                    raise self._state.outcome_error()
                elif index == 0:
                    key, raw = -1, self._state.final
                else:
                    return
            yield self._value(key, raw)
            if key == -1:
                return
            index += 1

    # -- helpers ----------------------------------------------------------------------------------

    def _wait(self, deadline: float | None) -> bool:
        if deadline is None:
            self._cond.wait()
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self._cond.wait(remaining)
        return True

    def _value(self, index: int, raw: list[Any]) -> T:
        with self._decode_lock:
            if index not in self._decoded:
                self._decoded[index] = self._decode(raw)
            return self._decoded[index]

    def _run_callbacks(self) -> None:
        with self._cond:
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            fn(self)


class AsyncJob(Generic[T]):
    """A submitted call (async). ``async for`` it to receive each streamed output in order."""

    event_id: str | None

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
    ) -> None:
        self.event_id = event_id
        self._state = JobState(endpoint, diffs)
        self._decode = decode
        self._decode_now = decode_now
        self._send_cancel = cancel
        self._timeout = timeout
        self._decoded: dict[int, T] = {}
        self._decoding: dict[int, asyncio.Future[T]] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._callbacks: list[Callable[[AsyncJob[T]], object]] = []

    def __repr__(self) -> str:
        return f"<AsyncJob {self._state.endpoint} {self.event_id} {self._state.code.value}>"

    # -- fed by the session's stream reader (same event loop) ------------------------------------

    def _deliver(self, msg: m.Message) -> bool:
        was_finished = self._state.finished
        try:
            self._state.apply(msg)
        except ProtocolError as e:
            e.endpoint = e.endpoint or self._state.endpoint
            self._state.fail(e)
        self._wake(was_finished)
        return self._state.settled

    def _fail(self, error: GradioError) -> None:
        was_finished = self._state.finished
        self._state.fail(error)
        self._wake(was_finished)

    @property
    def _pending(self) -> bool:
        return not self._state.finished

    def _wake(self, was_finished: bool) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._state.finished and not was_finished:
            callbacks, self._callbacks = self._callbacks, []
            for fn in callbacks:
                fn(self)

    async def _changed(self, deadline: float | None) -> bool:
        import asyncio  # here, not at the top: keeps the sync import path light

        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        if deadline is None:
            await waiter
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        try:
            await asyncio.wait_for(waiter, remaining)
        except asyncio.TimeoutError:
            return False
        return True

    # -- public -----------------------------------------------------------------------------------

    async def result(self, timeout: float | None = None) -> T:
        """The final value; waits up to ``timeout`` seconds (default: the client's timeout)."""
        limit = self._timeout if timeout is None else timeout
        deadline = _deadline(limit)
        while not self._state.finished:
            if not await self._changed(deadline):
                raise _timeout_error(self._state.endpoint, limit or 0.0)
        final = self._state.final
        if final is None:
            raise self._state.outcome_error()
        return await self._value(-1, final)

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
        state = self._state
        pairs = list(enumerate(state.yields)) if state.yields else []
        if not pairs and state.final is not None:
            pairs = [(-1, state.final)]
        out: list[T] = []
        for index, raw in pairs:
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
            deadline = _deadline(self._timeout)
            while len(self._state.yields) <= index and not self._state.finished:
                if not await self._changed(deadline):
                    raise _timeout_error(self._state.endpoint, self._timeout or 0.0)
            if len(self._state.yields) > index:
                yield await self._value(index, self._state.yields[index])
                index += 1
                continue
            if self._state.code is Status.CANCELLED:
                return
            if self._state.final is None:
                raise self._state.outcome_error()
            if index == 0:
                yield await self._value(-1, self._state.final)
            return

    async def _value(self, index: int, raw: list[Any]) -> T:
        import asyncio  # here, not at the top: keeps the sync import path light

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
