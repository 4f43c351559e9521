"""Server-sent events: bytes from the network in, complete events out.

An incremental decoder after the WHATWG event-stream rules, so it is indifferent to how the network
cuts the bytes: a line, a UTF-8 character or a CRLF pair may be split across chunks. Lines end in
LF, CR or CRLF; ``:`` lines are comments; several ``data:`` lines join with newlines; an event is
dispatched at a blank line and only when it carried data.

The stream comes from an app the user does not control, so decoding takes time linear in the bytes
received (each byte is scanned once, however the network cuts them) and memory bounded by two
limits: a line may not grow past ``MAX_LINE_BYTES``, and an event (its data lines so far plus the
line being received) past ``MAX_EVENT_BYTES``. Passing either is a ``ProtocolError``; the stream
reader then drops the connection and fails the jobs waiting on it. Both limits sit far above what
Gradio sends: results that hold files carry URLs, not the files' bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._errors import ProtocolError

__all__ = ["SSEEvent", "SSEDecoder", "MAX_LINE_BYTES", "MAX_EVENT_BYTES"]

MAX_LINE_BYTES = 32 * 2**20
"""The longest line accepted; on Gradio one ``data:`` line carries one whole queue message."""

MAX_EVENT_BYTES = 32 * 2**20
"""The most one event may hold: its data lines so far plus the line being received."""

_BOM = b"\xef\xbb\xbf"
_CR, _LF, _COLON = 0x0D, 0x0A, 0x3A


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``event`` is ``"message"`` unless the server named it."""

    data: str
    event: str = "message"
    id: str | None = None


class SSEDecoder:
    """Feed it chunks with ``feed``; call ``close`` at the end of the stream.

    ``max_line`` and ``max_event`` default to the module's limits as they are when the decoder is
    made (so a program may change them before it makes calls).
    """

    __slots__ = (
        "_line",
        "_data",
        "_has_data",
        "_event",
        "_last_id",
        "_started",
        "_after_cr",
        "_max_line",
        "_max_event",
    )

    def __init__(self, *, max_line: int | None = None, max_event: int | None = None) -> None:
        self._line = bytearray()  # the line being received, without its end
        self._data = bytearray()  # the event's data lines so far, each followed by LF
        self._has_data = False
        self._event = b""
        self._last_id: str | None = None
        self._started = False  # past a possible byte order mark
        self._after_cr = False  # the last chunk ended a line with CR: an LF next belongs to it
        self._max_line = MAX_LINE_BYTES if max_line is None else max_line
        self._max_event = MAX_EVENT_BYTES if max_event is None else max_event

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Every event completed by ``chunk``, in order.

        Raises ``ProtocolError`` when a line or an event passes its limit; the stream cannot be
        decoded further after that.
        """
        events: list[SSEEvent] = []
        if not self._started:
            # A byte order mark may itself arrive cut: hold its first bytes back in the line.
            head = bytes(self._line) + chunk
            if len(head) < len(_BOM) and _BOM.startswith(head):
                self._line[:] = head
                return events
            self._started = True
            self._line.clear()
            chunk = head[len(_BOM) :] if head.startswith(_BOM) else head
        start = 0
        end = len(chunk)
        if self._after_cr and chunk:
            self._after_cr = False
            if chunk[0] == _LF:
                start = 1
        # Line ends are found with bytes.find (memchr speed); each finds from where the last one
        # was used, so every byte is looked at once however the lines and chunks fall.
        lf = chunk.find(b"\n", start)
        cr = chunk.find(b"\r", start)
        while lf >= 0 or cr >= 0:
            if cr < 0 or 0 <= lf < cr:
                stop, after = lf, lf + 1
            else:
                stop, after = cr, cr + 1
                if after < end and chunk[after] == _LF:
                    after += 1
                elif after == end:
                    self._after_cr = True  # the next chunk may begin with this CR's LF
            if self._line:
                self._grow(stop - start)
                self._line += memoryview(chunk)[start:stop]
                self._take(self._line, events)
                self._line.clear()
            else:
                if stop - start > self._max_line:
                    raise self._too_long(stop - start)
                self._take(chunk[start:stop], events)
            start = after
            if 0 <= lf < start:
                lf = chunk.find(b"\n", start)
            if 0 <= cr < start:
                cr = chunk.find(b"\r", start)
        if start < end:
            self._grow(end - start)
            self._line += memoryview(chunk)[start:]
        return events

    def close(self) -> list[SSEEvent]:
        """End of stream: an unfinished line and an unfinished event (no blank line after it) are
        dropped, as the standard says, so nothing is ever dispatched here."""
        self._line.clear()
        self._data.clear()
        self._has_data = False
        self._event = b""
        self._after_cr = False
        return []

    # -- one line ---------------------------------------------------------------------------------

    def _take(self, line: bytes | bytearray, events: list[SSEEvent]) -> None:
        if not line:
            if self._has_data:
                data = str(memoryview(self._data)[:-1], "utf-8", "replace")
                kind = str(self._event, "utf-8", "replace") if self._event else "message"
                events.append(SSEEvent(data, kind, self._last_id))
                self._data.clear()
                self._has_data = False
            self._event = b""
            return
        if line[0] == _COLON:  # a comment
            return
        colon = line.find(b":")
        name = line if colon < 0 else line[:colon]
        skip = 0 if colon < 0 else colon + (2 if line[colon + 1 : colon + 2] == b" " else 1)
        if name == b"data":
            size = len(self._data) + (len(line) - skip if skip else 0) + 1
            if size > self._max_event:
                raise self._too_big(size)
            if skip:
                self._data += memoryview(line)[skip:]
            self._data.append(_LF)
            self._has_data = True
        elif name == b"event":
            self._event = bytes(line[skip:]) if skip else b""
        elif name == b"id":
            value = bytes(line[skip:]) if skip else b""
            if b"\0" not in value:
                self._last_id = str(value, "utf-8", "replace")
        # "retry" and unknown fields are ignored: reconnection is the client's own policy.

    # -- limits -----------------------------------------------------------------------------------

    def _grow(self, more: int) -> None:
        """Check that the line being received may grow by ``more`` bytes."""
        line = len(self._line) + more
        if line > self._max_line:
            raise self._too_long(line)
        if line + len(self._data) > self._max_event:
            raise self._too_big(line + len(self._data))

    def _too_long(self, size: int) -> ProtocolError:
        self.close()  # let the buffers go at once: the stream is being dropped
        return ProtocolError(
            f"the app's event stream sent a line of at least {size:,} bytes, past the "
            f"{self._max_line:,}-byte limit (MAX_LINE_BYTES in gradio_codegen.runtime._sse); "
            "the connection was dropped"
        )

    def _too_big(self, size: int) -> ProtocolError:
        self.close()
        return ProtocolError(
            f"the app's event stream sent an event of at least {size:,} bytes, past the "
            f"{self._max_event:,}-byte limit (MAX_EVENT_BYTES in gradio_codegen.runtime._sse); "
            "the connection was dropped"
        )
