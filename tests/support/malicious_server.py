"""A hostile file server for the download tests: an ASGI app run by uvicorn on 127.0.0.1.

It answers ``{prefix}/file=<path>`` with the path itself as content, redirects
``{prefix}/file=redirect/<n>`` to ``/steal`` on *another* port (another origin), and records every
request (port, path, headers) so a test can prove which credentials went where. Two instances of
the same app on two ports give two origins.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Recorded:
    port: int
    path: str
    headers: dict[str, str]


@dataclass
class Hostile:
    """Shared state of the hostile servers: what they saw, and where to send redirects."""

    seen: list[Recorded] = field(default_factory=list)
    other_port: int = 0
    files: dict[str, bytes] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def serve(request: Request) -> Response:
            port = request.url.port or 80
            raw = request.scope.get("raw_path", b"").decode("latin-1")
            self.seen.append(
                Recorded(port, raw, {k.lower(): v for k, v in request.headers.items()})
            )
            path = request.url.path
            if "/file=redirect/" in path:
                return RedirectResponse(
                    f"http://127.0.0.1:{self.other_port}/steal", status_code=302
                )
            if path.startswith("/data/"):
                name = path[len("/data/") :]
                if name not in self.files:
                    return PlainTextResponse("no such file", status_code=404)
                media = (
                    "image/png"
                    if self.files[name].startswith(b"\x89PNG")
                    else "application/octet-stream"
                )
                return Response(self.files[name], media_type=media)
            if "/file=" in path:
                return Response(
                    b"payload for " + path.split("/file=", 1)[1].encode("utf-8", "replace")
                )
            return PlainTextResponse(
                "stolen" if path == "/steal" else "not found",
                status_code=200 if path == "/steal" else 404,
            )

        return Starlette(routes=[Route("/{rest:path}", serve, methods=["GET", "HEAD"])])


class ServerThread:
    """Run an ASGI app with uvicorn on 127.0.0.1 in a daemon thread; ``stop()`` ends it."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            self.thread.join(0.01)
        raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
