"""WebSocket frames for Gradio 3's queue, over the client's own httpx connection.

The upgrade is an ordinary request sent through the app's httpx client (``client.stream("GET",
...)``), so its cookies (a password login), headers (a token), event hooks (the credential rule at
every hop), mounts and limits apply as to every other request. Once the app answers ``101``, the
upgraded connection (``response.extensions["network_stream"]``) is read by the caller itself, and
``wsproto`` turns its bytes into messages: no thread or task of its own, so the reader's deadline
and cancellation are the caller's. ``docs/gradio3.md`` says why this and not httpx-ws or websockets.

What the app sends is bounded: a message may be at most ``MAX_MESSAGE_CHARS`` characters (counted
as its pieces arrive, so a huge message is refused before it is whole), binary messages and
extensions are refused, and pings are answered by whoever reads.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import httpx

from .._errors import ProtocolError, TransportError
from .._http import _json

__all__ = ["MAX_MESSAGE_CHARS", "READ_CHUNK", "WsFrames", "upgrade_headers", "check_upgrade"]

MAX_MESSAGE_CHARS = _json.MAX_BYTES
"""The longest text message read from the app: the most the runtime's JSON reader accepts. Images
travel inline as data URLs in 3.x (a 4.3 MB PNG is 5.7 M characters)."""

READ_CHUNK = 64 * 2**10


def upgrade_headers() -> tuple[dict[str, str], str]:
    """The headers of an upgrade request and the key its answer must confirm."""
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        {
            "connection": "upgrade",
            "upgrade": "websocket",
            "sec-websocket-key": key,
            "sec-websocket-version": "13",
        },
        key,
    )


def check_upgrade(response: httpx.Response, key: str, *, endpoint: str) -> Any:
    """The upgraded connection of a ``101`` answer; ``ProtocolError`` for a false confirmation,
    ``TransportError`` for a transport that cannot hand the connection over."""
    from wsproto.utilities import generate_accept_token

    accept = response.headers.get("sec-websocket-accept", "").encode()
    if accept != generate_accept_token(key.encode()):
        raise ProtocolError(
            "the app accepted the websocket with a wrong Sec-WebSocket-Accept; "
            "a proxy between here and the app may not speak websockets",
            endpoint=endpoint,
        )
    stream = response.extensions.get("network_stream")
    if stream is None:
        raise TransportError(
            "this client's transport cannot open a websocket (it hands over no network stream); "
            "Gradio 3 apps need httpx's default HTTP/1.1 transport",
            endpoint=endpoint,
        )
    return stream


class WsFrames:
    """Bytes in, whole text messages out (and the bytes to send back); no I/O of its own."""

    def __init__(self, *, endpoint: str, max_chars: int = MAX_MESSAGE_CHARS) -> None:
        from wsproto import ConnectionType
        from wsproto.connection import Connection

        self._conn = Connection(ConnectionType.CLIENT)
        self._endpoint = endpoint
        self._max = max_chars
        self._parts: list[str] = []
        self._size = 0
        self.closed = False
        self.close_code: int | None = None

    def feed(self, data: bytes) -> tuple[list[str], bytes]:
        """The messages ``data`` completes and the bytes to answer with (pongs, the closing
        handshake). Empty ``data`` means the app hung up."""
        from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage

        if not data:
            self.closed = True
            return [], b""
        self._conn.receive_data(data)
        messages: list[str] = []
        reply = b""
        for event in self._conn.events():
            if isinstance(event, TextMessage):
                self._size += len(event.data)
                if self._size > self._max:
                    raise ProtocolError(
                        f"the app sent a websocket message longer than {self._max:,} characters; "
                        "it was not read to the end",
                        endpoint=self._endpoint,
                    )
                self._parts.append(event.data)
                if event.message_finished:
                    messages.append("".join(self._parts))
                    self._parts, self._size = [], 0
            elif isinstance(event, Ping):
                reply += self._conn.send(event.response())
            elif isinstance(event, CloseConnection):
                self.closed = True
                self.close_code = event.code
                try:
                    reply += self._conn.send(event.response())
                except Exception:  # the handshake is a courtesy; the connection ends anyway
                    pass
            elif isinstance(event, BytesMessage):
                raise ProtocolError(
                    "the app sent a binary websocket message; Gradio 3 sends only text",
                    endpoint=self._endpoint,
                )
        return messages, reply

    def text(self, message: str) -> bytes:
        from wsproto.events import TextMessage

        return self._conn.send(TextMessage(data=message))

    def goodbye(self) -> bytes:
        """The bytes of a normal close (nothing when the connection is closing already)."""
        from wsproto.connection import ConnectionState
        from wsproto.events import CloseConnection

        if self._conn.state is not ConnectionState.OPEN:
            return b""
        return self._conn.send(CloseConnection(code=1000))
