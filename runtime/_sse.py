"""Server-sent events: bytes from the network in, complete events out.

An incremental decoder after the WHATWG event-stream rules, so it is indifferent to how the network
cuts the bytes: a line, a UTF-8 character or a CRLF pair may be split across chunks. Lines end in
LF, CR or CRLF; ``:`` lines are comments; several ``data:`` lines join with newlines; an event is
dispatched at a blank line and only when it carried data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SSEEvent", "SSEDecoder"]

_LINE_END = re.compile(rb"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``event`` is ``"message"`` unless the server named it."""

    data: str
    event: str = "message"
    id: str | None = None


class SSEDecoder:
    """Feed it chunks with ``feed``; call ``close`` at the end of the stream."""

    __slots__ = ("_pending", "_data", "_event", "_last_id", "_started")

    def __init__(self) -> None:
        self._pending = b""
        self._data: list[str] = []
        self._event = ""
        self._last_id: str | None = None
        self._started = False

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Every event completed by ``chunk``, in order."""
        buf = self._pending + chunk if self._pending else chunk
        if not self._started:
            if len(buf) < len(_BOM) and _BOM.startswith(buf):
                self._pending = buf
                return []
            self._started = True
            if buf.startswith(_BOM):
                buf = buf[len(_BOM) :]
        events: list[SSEEvent] = []
        start = 0
        size = len(buf)
        for match in _LINE_END.finditer(buf):
            # A CR at the very end may be the first half of a CRLF that the next chunk completes.
            if match.end() == size and match.group() == b"\r":
                break
            self._line(buf[start : match.start()], events)
            start = match.end()
        self._pending = buf[start:]
        return events

    def close(self) -> list[SSEEvent]:
        """End of stream: a final line without its terminator still counts; an unfinished event
        (no blank line after it) is dropped, as the standard says."""
        events: list[SSEEvent] = []
        pending, self._pending = self._pending, b""
        if pending:
            self._line(pending.rstrip(b"\r"), events)
        self._data.clear()
        self._event = ""
        return events

    def _line(self, raw: bytes, events: list[SSEEvent]) -> None:
        if not raw:
            if self._data:
                events.append(SSEEvent("\n".join(self._data), self._event or "message", self._last_id))
                self._data = []
            self._event = ""
            return
        line = raw.decode("utf-8", errors="replace")
        if line[0] == ":":
            return
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        # "retry" and unknown fields are ignored: reconnection is the client's own policy.
