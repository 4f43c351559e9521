"""The queue's message catalogue and typed parsing of each message.

Every ``data:`` event on ``{P}/queue/data`` is one JSON object whose ``msg`` names its kind. Parsing
turns it into a small typed record; anything malformed becomes ``ProtocolError`` (never a bare
``KeyError``, ``RecursionError`` or ``OverflowError``), and kinds this runtime does not know are kept
as ``Unknown`` so a newer server's extra messages do not break calls. Texts meant for people (logs,
unexpected errors) are cut to ``_app_errors.MAX_MESSAGE_CHARS``.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any, Union

from .._errors import ProtocolError
from .._http import _json
from .._http._json import string_or_none
from ._app_errors import clip

__all__ = [
    "Kind",
    "Estimation",
    "ProcessStarts",
    "Progress",
    "Log",
    "Generating",
    "Completed",
    "Heartbeat",
    "CloseStream",
    "UnexpectedError",
    "Unknown",
    "Message",
    "parse_message",
]


class Kind(str, enum.Enum):
    """Values of ``msg`` sent by Gradio 4.0 - 6.x queues."""

    ESTIMATION = "estimation"
    PROCESS_STARTS = "process_starts"
    PROGRESS = "progress"
    LOG = "log"
    PROCESS_GENERATING = "process_generating"
    PROCESS_STREAMING = "process_streaming"
    PROCESS_COMPLETED = "process_completed"
    HEARTBEAT = "heartbeat"
    CLOSE_STREAM = "close_stream"
    UNEXPECTED_ERROR = "unexpected_error"
    # Only the legacy websocket / plain "sse" protocols use these; parsed so they are recognised.
    SEND_HASH = "send_hash"
    SEND_DATA = "send_data"
    QUEUE_FULL = "queue_full"


@dataclass(frozen=True, slots=True)
class Estimation:
    event_id: str
    rank: int | None
    queue_size: int | None
    eta: float | None


@dataclass(frozen=True, slots=True)
class ProcessStarts:
    event_id: str
    eta: float | None


@dataclass(frozen=True, slots=True)
class Progress:
    event_id: str
    units: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Log:
    event_id: str
    message: str
    level: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Generating:
    """``process_generating`` / ``process_streaming``: one yield of a generator.

    ``data`` holds full values for the first yield and, on diffing protocols, a list of edits per
    output afterwards.
    """

    event_id: str
    data: list[Any]


@dataclass(frozen=True, slots=True)
class Completed:
    """``process_completed``. On success ``output`` holds ``data`` (absent when the job was
    cancelled); on failure it is the error payload."""

    event_id: str
    success: bool
    output: dict[str, Any]
    title: str | None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    pass


@dataclass(frozen=True, slots=True)
class CloseStream:
    pass


@dataclass(frozen=True, slots=True)
class UnexpectedError:
    event_id: str | None
    message: str
    session_not_found: bool


@dataclass(frozen=True, slots=True)
class Unknown:
    kind: str
    event_id: str | None


Message = Union[
    Estimation,
    ProcessStarts,
    Progress,
    Log,
    Generating,
    Completed,
    Heartbeat,
    CloseStream,
    UnexpectedError,
    Unknown,
]

_HEARTBEAT = Heartbeat()
_CLOSE = CloseStream()


def _excerpt(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


def _opt_number(body: dict[str, Any], key: str) -> float | None:
    """A finite number, or None; NaN and infinities (which Python's JSON reader accepts) are None."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ProtocolError(f"queue message field {key!r} should be a number, got {value!r:.200}")
    try:
        number = float(value)
    except OverflowError:
        raise ProtocolError(
            f"queue message field {key!r} is a number too large: {value!r:.200}"
        ) from None
    return number if math.isfinite(number) else None


def _opt_int(body: dict[str, Any], key: str) -> int | None:
    value = _opt_number(body, key)
    return None if value is None else int(value)


def _opt_clipped(body: dict[str, Any], key: str) -> str | None:
    value = string_or_none(body.get(key))
    return None if value is None else clip(value, 200)


def _text(value: object) -> str:
    """A text field as a string; anything else (an app's mistake) as its repr."""
    return value if isinstance(value, str) else repr(value)


def _event_id(body: dict[str, Any], kind: str) -> str:
    event_id = body.get("event_id")
    if not isinstance(event_id, str):
        raise ProtocolError(
            f"queue message {kind!r} came without an event id: {_excerpt(str(body))}"
        )
    return event_id


def parse_message(text: str) -> Message:
    """Parse one ``data:`` payload of the queue stream."""
    body = _json.loads(text, what="a message on the queue stream")
    if not isinstance(body, dict) or not isinstance(body.get("msg"), str):
        raise ProtocolError(f"the queue stream sent a message without 'msg': {_excerpt(text)!r}")
    name: str = body["msg"]
    try:
        kind = Kind(name)
    except ValueError:
        raw_id = body.get("event_id")
        return Unknown(name, raw_id if isinstance(raw_id, str) else None)
    if kind is Kind.HEARTBEAT:
        return _HEARTBEAT
    if kind is Kind.CLOSE_STREAM:
        return _CLOSE
    if kind is Kind.PROCESS_GENERATING or kind is Kind.PROCESS_STREAMING:
        event_id = _event_id(body, name)
        output = body.get("output")
        data = output.get("data") if isinstance(output, dict) else None
        if not isinstance(data, list):
            if body.get("success") is False and isinstance(output, dict):
                return Completed(event_id, False, output, _opt_clipped(body, "title"))
            raise ProtocolError(f"{name!r} without output data: {_excerpt(text)!r}")
        return Generating(event_id, data)
    if kind is Kind.PROCESS_COMPLETED:
        event_id = _event_id(body, name)
        output = body.get("output")
        if output is None:
            output = {}
        if not isinstance(output, dict):
            raise ProtocolError(f"'process_completed' output is not an object: {_excerpt(text)!r}")
        success = body.get("success")
        if not isinstance(success, bool):
            raise ProtocolError(f"'process_completed' without 'success': {_excerpt(text)!r}")
        return Completed(event_id, success, output, _opt_clipped(body, "title"))
    if kind is Kind.ESTIMATION:
        return Estimation(
            _event_id(body, name),
            _opt_int(body, "rank"),
            _opt_int(body, "queue_size"),
            _opt_number(body, "rank_eta"),
        )
    if kind is Kind.PROCESS_STARTS:
        return ProcessStarts(_event_id(body, name), _opt_number(body, "eta"))
    if kind is Kind.PROGRESS:
        units = body.get("progress_data")
        if units is None:
            units = []
        if not isinstance(units, list) or not all(isinstance(u, dict) for u in units):
            raise ProtocolError(f"'progress' data is not a list of objects: {_excerpt(text)!r}")
        return Progress(_event_id(body, name), tuple(units))
    if kind is Kind.LOG:
        return Log(
            _event_id(body, name),
            clip(_text(body.get("log", ""))),
            clip(_text(body.get("level", "info")), 40),
            _opt_clipped(body, "title"),
        )
    if kind is Kind.UNEXPECTED_ERROR:
        raw_id = body.get("event_id")
        message = clip(_text(body.get("message") or "unexpected error"))
        return UnexpectedError(
            raw_id if isinstance(raw_id, str) else None,
            message,
            body.get("session_not_found") is True or "session not found" in message.lower(),
        )
    # send_hash / send_data / queue_full belong to protocols this runtime refuses up front.
    raw_id = body.get("event_id")
    return Unknown(name, raw_id if isinstance(raw_id, str) else None)
