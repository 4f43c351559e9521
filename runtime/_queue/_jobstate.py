"""The life of one job as the queue reports it: status, progress, logs, streamed values, outcome.

Pure bookkeeping with no I/O and no locking: ``Job`` and ``AsyncJob`` own an instance each, feed it
the messages of their event and guard it as their concurrency model requires. Streamed values are
kept as raw JSON (full values, diffs already applied) until somebody asks for them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .._errors import GradioError, JobCancelledError, ProtocolError
from .._http._json import number_or_none, string_or_none
from . import _messages as m
from ._app_errors import app_error
from ._diff import apply_diff

__all__ = ["Status", "ProgressUnit", "LogMessage", "JobStatus", "JobState"]


class Status(enum.Enum):
    """Where a job is in its life."""

    STARTING = "starting"  # submitted, no word from the queue yet
    QUEUED = "queued"
    PROCESSING = "processing"
    STREAMING = "streaming"  # a generator has produced at least one output
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


_TERMINAL = frozenset({Status.FINISHED, Status.FAILED, Status.CANCELLED})


@dataclass(frozen=True)
class ProgressUnit:
    """One level of a ``gr.Progress`` bar: ``index`` of ``length`` ``unit``s, or a fraction."""

    index: int | None
    length: int | None
    unit: str | None
    progress: float | None
    desc: str | None


@dataclass(frozen=True)
class LogMessage:
    """A ``gr.Info`` / ``gr.Warning`` message the app showed during the job."""

    message: str
    level: str
    title: str | None = None


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of a job's state."""

    code: Status
    rank: int | None = None
    queue_size: int | None = None
    eta: float | None = None
    progress: tuple[ProgressUnit, ...] = ()
    logs: tuple[LogMessage, ...] = field(default=())
    success: bool | None = None


def _int(value: object) -> int | None:
    number = number_or_none(value)
    return None if number is None else int(number)


def _progress_unit(data: dict[str, Any]) -> ProgressUnit:
    return ProgressUnit(
        _int(data.get("index")),
        _int(data.get("length")),
        string_or_none(data.get("unit")),
        number_or_none(data.get("progress")),
        string_or_none(data.get("desc")),
    )


class JobState:
    """The state machine of one job; not thread-safe by itself (its owner holds a lock)."""

    __slots__ = (
        "endpoint",
        "diffs",
        "code",
        "rank",
        "queue_size",
        "eta",
        "progress",
        "logs",
        "latest",
        "yields",
        "final",
        "error",
        "cancel_requested",
        "settled",
    )

    def __init__(self, endpoint: str, diffs: bool) -> None:
        self.endpoint = endpoint
        self.diffs = diffs
        self.code = Status.STARTING
        self.rank: int | None = None
        self.queue_size: int | None = None
        self.eta: float | None = None
        self.progress: tuple[ProgressUnit, ...] = ()
        self.logs: list[LogMessage] = []
        self.latest: list[Any] | None = None
        self.yields: list[list[Any]] = []  # each streamed output: full raw values, in order
        self.final: list[Any] | None = None
        self.error: GradioError | None = None
        self.cancel_requested = False
        self.settled = False  # the server sent its last word (or the stream failed)

    @property
    def finished(self) -> bool:
        return self.code in _TERMINAL

    def apply(self, msg: m.Message) -> None:
        if isinstance(msg, m.Completed):
            self.settled = True
            if self.finished:
                return
            self._complete(msg)
            return
        if self.finished:
            return
        if isinstance(msg, m.Estimation):
            self.rank, self.queue_size, self.eta = msg.rank, msg.queue_size, msg.eta
            if self.code is Status.STARTING:
                self.code = Status.QUEUED
        elif isinstance(msg, m.ProcessStarts):
            self.rank = None
            if msg.eta is not None:
                self.eta = msg.eta
            if self.code in (Status.STARTING, Status.QUEUED):
                self.code = Status.PROCESSING
        elif isinstance(msg, m.Progress):
            self.progress = tuple(_progress_unit(u) for u in msg.units)
            if self.code in (Status.STARTING, Status.QUEUED):
                self.code = Status.PROCESSING
        elif isinstance(msg, m.Log):
            self.logs.append(LogMessage(msg.message, msg.level, msg.title))
        elif isinstance(msg, m.Generating):
            self._generating(msg.data)

    def _generating(self, data: list[Any]) -> None:
        latest = self.latest
        if latest is None or not self.diffs:
            values = list(data)
        else:
            values = list(latest)
            for i, edits in enumerate(data):
                if i < len(values):
                    values[i] = apply_diff(values[i], edits)
                else:
                    values.append(apply_diff(None, edits))
        self.latest = values
        self.yields.append(values)
        self.code = Status.STREAMING

    def _complete(self, msg: m.Completed) -> None:
        if self.cancel_requested:
            self.code = Status.CANCELLED
            return
        if not msg.success:
            self.error = app_error(msg.output, endpoint=self.endpoint, title=msg.title)
            self.code = Status.FAILED
            return
        data = msg.output.get("data")
        if data is None:
            self.error = JobCancelledError(
                "the server ended the job without a result (it was cancelled)",
                endpoint=self.endpoint,
            )
            self.code = Status.CANCELLED
            return
        if not isinstance(data, list):
            self.fail(
                ProtocolError(
                    f"the result data is not a list: {data!r:.200}", endpoint=self.endpoint
                )
            )
            return
        self.final = data
        self.code = Status.FINISHED

    def fail(self, error: GradioError) -> None:
        self.settled = True
        if not self.finished:
            if error.endpoint is None:
                # One error may fail every job of a broken session; each job's copy names its
                # endpoint, as every other error of a call does.
                named = type(error).__new__(type(error), *error.args)
                named.__dict__.update(vars(error), endpoint=self.endpoint)
                named.__cause__ = error.__cause__
                error = named
            self.error = error
            self.code = Status.FAILED

    def cancel(self) -> bool:
        """Mark the job cancelled; False when it had already ended."""
        if self.finished:
            return False
        self.cancel_requested = True
        self.code = Status.CANCELLED
        return True

    def snapshot(self) -> JobStatus:
        return JobStatus(
            code=self.code,
            rank=self.rank,
            queue_size=self.queue_size,
            eta=self.eta,
            progress=self.progress,
            logs=tuple(self.logs),
            success=(self.code is Status.FINISHED) if self.finished else None,
        )

    def outcome_error(self) -> GradioError:
        """The error ``result()`` raises for a job that ended without values."""
        if self.code is Status.CANCELLED:
            return self.error or JobCancelledError("the job was cancelled", endpoint=self.endpoint)
        assert self.error is not None
        return self.error

    # -- what a job hands out, decided here for both kinds of job ----------------------------------

    def final_values(self) -> list[Any]:
        """The result's raw values, once finished; the job's error if it ended without them."""
        if self.final is None:
            raise self.outcome_error()
        return self.final

    def has_output(self, index: int) -> bool:
        """Whether iteration can tell what comes at ``index`` without waiting."""
        return len(self.yields) > index or self.finished

    def output(self, index: int) -> tuple[int, list[Any]] | None:
        """What iteration yields at ``index`` once ``has_output``: the streamed output's key and
        raw values, the final result (key -1) when nothing streamed, or None when iteration
        ends. A job that failed raises its error after the outputs that preceded it."""
        if len(self.yields) > index:
            return index, self.yields[index]
        if self.code is Status.CANCELLED:
            return None
        if self.final is None:
            raise self.outcome_error()
        return (-1, self.final) if index == 0 else None

    def outputs(self) -> list[tuple[int, list[Any]]]:
        """Every output so far with its key: the streamed ones, else the final result."""
        if self.yields:
            return list(enumerate(self.yields))
        return [] if self.final is None else [(-1, self.final)]
