"""Jobs: a handle on one submitted call (status, progress, streamed outputs, result, cancel).

Signatures are the contract generated code and users rely on; the protocol work behind them lives
in the client.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["Job", "AsyncJob", "JobStatus", "Status", "ProgressUnit", "LogMessage"]

T = TypeVar("T")


class Status(enum.Enum):
    """Where a job is in its life."""

    STARTING = "starting"  # submitted, no word from the queue yet
    QUEUED = "queued"
    PROCESSING = "processing"
    STREAMING = "streaming"  # a generator has produced at least one output
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


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


class Job(Generic[T]):
    """A submitted call (sync). Iterate it to receive each streamed output in order."""

    event_id: str | None

    def result(self, timeout: float | None = None) -> T:
        raise NotImplementedError

    def status(self) -> JobStatus:
        raise NotImplementedError

    def done(self) -> bool:
        raise NotImplementedError

    def cancel(self) -> bool:
        raise NotImplementedError

    def outputs(self) -> list[T]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError


class AsyncJob(Generic[T]):
    """A submitted call (async). ``async for`` it to receive each streamed output in order."""

    event_id: str | None

    async def result(self, timeout: float | None = None) -> T:
        raise NotImplementedError

    def status(self) -> JobStatus:
        raise NotImplementedError

    def done(self) -> bool:
        raise NotImplementedError

    async def cancel(self) -> bool:
        raise NotImplementedError

    def outputs(self) -> list[T]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[T]:
        raise NotImplementedError
