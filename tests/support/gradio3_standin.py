"""A stand-in Gradio 3 app on 127.0.0.1 whose websocket queue a test scripts message by message.

It answers ``GET /config`` with a one-endpoint 3.x config (``/echo``: a textbox in, a textbox
out; ``image=True`` makes both images), ``POST /run/echo``, ``POST /upload`` and ``POST /reset``,
and upgrades ``/queue/join`` with wsproto's server side. What happens on the socket is the test's ``script(ws)``
(``ws.send(dict)``, ``ws.receive()``, ``ws.raw(bytes)``, ``ws.close(code)``); the default is what
a 3.50.2 app does for an echo. A faulty server (a refused upgrade, a wrong accept key, silence,
huge or binary messages, an early close, a late message) is one script away; ``seen`` records
the request lines and ``headers`` their headers.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Request,
    TextMessage,
)

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s

ECHO: rt.Endpoint[str | None] = rt.Endpoint(
    "/echo",
    fn_index=0,
    inputs=(rt.Param("text", s.Str()),),
    outputs=(rt.Output("output", s.Str()),),
    python_name="echo",
)
"""The stand-in's ``/echo`` (a textbox in, a textbox out) as a generated SDK declares it."""


def config(*, queue: bool = True, image: bool = False) -> dict[str, Any]:
    kind = "image" if image else "textbox"
    return {
        "version": "3.50.2",
        "enable_queue": queue,
        "components": [{"id": 1, "type": kind, "props": {}}, {"id": 2, "type": kind, "props": {}}],
        "dependencies": [
            {"api_name": "echo", "inputs": [1], "outputs": [2], "queue": None, "backend_fn": True}
        ],
    }


class Socket:
    """The server side of one websocket: whole JSON messages in and out."""

    def __init__(self, sock: socket.socket, conn: WSConnection) -> None:
        self.sock = sock
        self.conn = conn
        self._pending: list[Any] = []

    def send(self, message: object) -> None:
        self.sock.sendall(self.conn.send(TextMessage(json.dumps(message))))

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def frame(self, event: Any) -> None:
        self.sock.sendall(self.conn.send(event))

    def receive(self, timeout: float = 30) -> Any:
        self.sock.settimeout(timeout)
        parts: list[str] = []
        while not self._pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("client hung up")
            self.conn.receive_data(data)
            for event in self.conn.events():
                if isinstance(event, TextMessage):
                    parts.append(event.data)
                    if event.message_finished:
                        self._pending.append(json.loads("".join(parts)))
                        parts = []
                elif isinstance(event, CloseConnection):
                    raise ConnectionError(f"client closed ({event.code})")
        return self._pending.pop(0)

    def close(self, code: int = 1000) -> None:
        self.sock.sendall(self.conn.send(CloseConnection(code=code)))


def echo_script(ws: Socket) -> None:
    """What Gradio 3.50.2 does for a queued echo."""
    ws.send({"msg": "send_hash"})
    ws.receive()
    ws.send({"msg": "estimation", "rank": 0, "queue_size": 1, "rank_eta": None})
    ws.send({"msg": "send_data"})
    data = ws.receive()["data"]
    ws.send({"msg": "process_starts"})
    ws.send({"msg": "process_completed", "output": {"data": data}, "success": True})
    ws.close()


class Gradio3Standin:
    def __init__(self, *, queue: bool = True, image: bool = False) -> None:
        self.config = config(queue=queue, image=image)
        self.script: Callable[[Socket], None] = echo_script
        self.upgrade: Callable[[bytes], bytes] | None = None  # replaces the 101 answer
        self.seen: list[str] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, lower-cased, as seen
        self.received: list[Any] = []  # what the client sent on the websockets
        self.run_answer: tuple[int, object] | None = None
        self.uploads: list[bytes] = []  # the multipart bodies of POST /upload
        self._server = socket.create_server(("127.0.0.1", 0))
        self._threads: list[threading.Thread] = []
        self._stopping = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def __enter__(self) -> Gradio3Standin:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        self._server.close()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                sock, _ = self._server.accept()
            except OSError:
                return
            # Small answers go out at once, as uvicorn sends them (no 40 ms delayed-ACK stalls).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            with sock:
                while self._one_request(sock):
                    pass
        except (OSError, ConnectionError):
            pass

    def _one_request(self, sock: socket.socket) -> bool:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                return False
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        line = head.split(b"\r\n", 1)[0].decode()
        self.seen.append(line)
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (h.decode().partition(":") for h in head.split(b"\r\n")[1:])
        }
        self.headers.append(headers)
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            rest += sock.recv(65536)
        method, path, _ = line.split(" ", 2)
        if path.startswith("/queue/join") and headers.get("upgrade", "").lower() == "websocket":
            self._websocket(sock, head + b"\r\n\r\n")
            return False
        if path == "/config":
            self._json(sock, 200, self.config)
        elif path.startswith("/run/"):
            body = json.loads(rest or b"{}")
            self.received.append(body)
            status, answer = self.run_answer or (200, {"data": body["data"]})
            self._json(sock, status, answer)
        elif path == "/upload":  # 3.x answers the server paths of the uploaded files
            self.uploads.append(rest)
            self._json(sock, 200, [f"/tmp/gradio/standin/upload-{len(self.uploads)}"])
        elif path == "/reset":
            self.received.append(json.loads(rest or b"{}"))
            self._json(sock, 200, {"success": True})
        else:
            self._json(sock, 404, {"detail": "Not Found"})
        return True

    @staticmethod
    def _json(sock: socket.socket, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        sock.sendall(
            f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
            f"content-length: {len(payload)}\r\n\r\n".encode() + payload
        )

    def _websocket(self, sock: socket.socket, request: bytes) -> None:
        if self.upgrade is not None:
            sock.sendall(self.upgrade(request))
            return
        conn = WSConnection(ConnectionType.SERVER)
        conn.receive_data(request)
        for event in conn.events():
            if isinstance(event, Request):
                sock.sendall(conn.send(AcceptConnection()))
        ws = Socket(sock, conn)
        original = ws.receive

        def recording(timeout: float = 30) -> Any:
            message = original(timeout)
            self.received.append(message)
            return message

        ws.receive = recording  # type: ignore[method-assign]
        self.script(ws)


__all__ = ["ECHO", "Gradio3Standin", "Socket", "echo_script", "BytesMessage", "Message"]
