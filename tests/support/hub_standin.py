"""A small stand-in for the Hugging Face Hub and the Spaces front end, on 127.0.0.1.

Tests point ``HF_ENDPOINT`` at :class:`HubStandin` and so exercise the real huggingface_hub calls
(``space_info``, ``duplicate_repo``, ``whoami``) without internet. It answers only what the runtime
asks, the way the Hub does:

* ``GET /api/spaces/<id>`` -- id, ``host``, ``subdomain``, ``private``, ``runtime.stage``,
  ``cardData.sdk_version``; each request moves a Space one step along its list of stages (the last
  one stays);
* ``GET /api/spaces/<id>/runtime``, ``GET /api/whoami-v2``, ``POST /api/spaces/<id>/duplicate``;
* a missing Space, or a private one without a valid ``authorization: Bearer`` token: 404 (or 401
  for a private one), with ``X-Error-Code: RepoNotFound`` unless ``coded_errors`` is off.

A Space's ``host`` is either the real Gradio app's URL or a :class:`SpaceGateway` in front of it:
a reverse proxy playing the ``*.hf.space`` front end, which checks the token of private Spaces,
answers 503 and wakes the Space when it is asleep, and records every request's headers. It passes
websockets on too (Gradio 3's queue), after the same checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, TextMessage
from wsproto.events import Request as WsRequest

VALID_TOKEN = "hf_standinValidToken0123456789abcdef"
OWNER = "standin-user"

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "te", "trailer"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadServer:
    """An ASGI app served by uvicorn in a daemon thread on 127.0.0.1; stopped by ``stop``."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("stand-in server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Seen:
    """One request a stand-in received: method, path and lower-cased headers."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class StandinSpace:
    id: str
    target: str  # where the real app answers
    stages: list[str] = field(default_factory=lambda: ["RUNNING"])
    private: bool = False
    sdk_version: str | None = "5.50.0"
    host: str | None = None  # what the Hub says; set by HubStandin.add_space
    asleep: bool = False  # wakes (and starts) on the first request to its gateway
    wake_stages: list[str] = field(default_factory=lambda: ["APP_STARTING", "RUNNING"])
    step: int = 0
    wake_requests: int = 0
    duplicated_with: dict[str, Any] | None = None

    def stage(self) -> str:
        stage = self.stages[min(self.step, len(self.stages) - 1)]
        self.step += 1
        return stage

    def current(self) -> str:
        return self.stages[min(self.step, len(self.stages) - 1)]

    def wake(self) -> None:
        self.wake_requests += 1
        if self.asleep:
            self.asleep = False
            self.stages, self.step = list(self.wake_stages), 0


def _authorized(headers: Any, *names: str) -> bool:
    return any(headers.get(n) == f"Bearer {VALID_TOKEN}" for n in names)


class SpaceGateway:
    """The Space's own host: a reverse proxy to the app, playing the Spaces front end."""

    def __init__(self, space: StandinSpace) -> None:
        self.space = space
        self.seen: list[Seen] = []
        self.app = Starlette(
            routes=[
                Route("/{path:path}", self.handle, methods=_METHODS),
                WebSocketRoute("/{path:path}", self.handle_websocket),
            ]
        )
        self.server = ThreadServer(self.app)
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(60, read=None))

    def _refusal(self, headers: Any) -> Response | None:
        """What the front end answers instead of the app: a private Space without its token, a
        sleeping one (woken by the request), one not running; None to pass the request on."""
        space = self.space
        if space.private and not _authorized(headers, "x-hf-authorization", "authorization"):
            return JSONResponse(
                {"error": "Sorry, we can't find the page you are looking for."}, 404
            )
        if space.asleep:
            space.wake()
            return Response("This Space is waking up", 503)
        if space.current() not in {"RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"}:
            return Response(f"Space is {space.current()}", 503)
        return None

    async def handle(self, request: Request) -> Response:
        self.seen.append(Seen(request.method, request.url.path, dict(request.headers)))
        space = self.space
        refusal = self._refusal(request.headers)
        if refusal is not None:
            return refusal
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in _HOP_HEADERS | {"x-hf-authorization", "content-length"}
        }
        upstream = self.client.build_request(
            request.method,
            space.target + request.url.path,
            params=request.url.query,
            headers=headers,
            content=await request.body(),
        )
        reply = await self.client.send(upstream, stream=True)
        back = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_HEADERS}
        return StreamingResponse(
            reply.aiter_raw(),
            reply.status_code,
            headers=back,
            background=BackgroundTask(reply.aclose),
        )

    async def handle_websocket(self, websocket: WebSocket) -> None:
        """A websocket (Gradio 3's queue) passed on to the app after the same checks; the
        upgrade's headers are recorded as a ``GET``."""
        self.seen.append(Seen("GET", websocket.url.path, dict(websocket.headers)))
        refusal = self._refusal(websocket.headers)
        if refusal is not None:
            if "websocket.http.response" in websocket.scope.get("extensions", {}):
                await websocket.send_denial_response(refusal)
            else:
                await websocket.close(1008)  # before accepting: the client sees HTTP 403
            return
        target = httpx.URL(self.space.target)
        reader, writer = await asyncio.open_connection(target.host, target.port)
        upstream = WSConnection(ConnectionType.CLIENT)
        host = f"{target.host}:{target.port}"
        writer.write(upstream.send(WsRequest(host=host, target=websocket.url.path)))
        await writer.drain()
        early: list[Any] = []  # what the app sent in the same packet as its accept
        accepted = False
        while not accepted:
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("the app refused the websocket")
            upstream.receive_data(data)
            for event in upstream.events():
                if accepted:
                    early.append(event)
                elif isinstance(event, AcceptConnection):
                    accepted = True
                elif isinstance(event, RejectConnection):
                    raise ConnectionError(f"the app refused the websocket ({event.status_code})")
        await websocket.accept()

        async def to_app() -> None:
            try:
                while True:
                    writer.write(upstream.send(TextMessage(await websocket.receive_text())))
                    await writer.drain()
            except WebSocketDisconnect:
                pass

        parts: list[str] = []

        async def passed_on(events: Iterable[Any]) -> bool:
            """Hand the app's events to the client; False once the app closes."""
            for event in events:
                if isinstance(event, TextMessage):
                    parts.append(event.data)
                    if event.message_finished:
                        await websocket.send_text("".join(parts))
                        parts.clear()
                elif isinstance(event, Ping):
                    writer.write(upstream.send(event.response()))
                elif isinstance(event, CloseConnection):
                    return False
            return True

        async def to_client() -> None:
            if not await passed_on(early):
                return
            while data := await reader.read(65536):
                upstream.receive_data(data)
                if not await passed_on(upstream.events()):
                    return

        tasks = [asyncio.ensure_future(to_app()), asyncio.ensure_future(to_client())]
        done, running = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in running:
            task.cancel()
        for task in done:
            task.exception()  # a side that failed ends the proxying like one that finished
        writer.close()
        with contextlib.suppress(Exception):
            await websocket.close()


_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


class HubStandin:
    """The Hub API for a set of Spaces; see the module docstring."""

    def __init__(self, *, coded_errors: bool = True) -> None:
        self.coded_errors = coded_errors
        self.spaces: dict[str, StandinSpace] = {}
        self.gateways: dict[str, SpaceGateway] = {}
        self.seen: list[Seen] = []
        self.fail_next: list[int] = []  # statuses for the next Space info answers (Hub trouble)
        self.delay = 0.0  # seconds each Space info answer takes
        self.app = Starlette(
            routes=[
                Route("/api/whoami-v2", self.whoami),
                Route("/api/spaces/{owner}/{name}", self.space_info),
                Route("/api/spaces/{owner}/{name}/runtime", self.runtime),
                Route("/api/spaces/{owner}/{name}/duplicate", self.duplicate, methods=["POST"]),
            ]
        )
        self.server = ThreadServer(self.app)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> HubStandin:
        self.server.start()
        return self

    def stop(self) -> None:
        for gateway in self.gateways.values():
            gateway.server.stop()
        self.server.stop()

    def add_space(
        self,
        space_id: str,
        target: str,
        *,
        stages: Iterable[str] = ("RUNNING",),
        private: bool = False,
        asleep: bool = False,
        gateway: bool = False,
        sdk_version: str | None = "5.50.0",
    ) -> StandinSpace:
        """Register a Space whose app runs at ``target``; with ``gateway`` its host is a proxy."""
        space = StandinSpace(
            space_id, target.rstrip("/"), list(stages), private, sdk_version, asleep=asleep
        )
        if asleep:
            space.stages, space.step = ["SLEEPING"], 0
        if gateway or private or asleep:
            gw = SpaceGateway(space)
            gw.server.start()
            self.gateways[space_id] = gw
            space.host = gw.server.url
        else:
            space.host = space.target
        self.spaces[space_id] = space
        return space

    # --- routes --------------------------------------------------------------------------------

    def _record(self, request: Request) -> None:
        self.seen.append(Seen(request.method, request.url.path, dict(request.headers)))

    def _not_found(self, status: int = 404) -> Response:
        headers = {"X-Error-Code": "RepoNotFound"} if self.coded_errors else {}
        return JSONResponse({"error": "Repository not found"}, status, headers=headers)

    def _visible(self, request: Request) -> StandinSpace | Response:
        space_id = f"{request.path_params['owner']}/{request.path_params['name']}"
        space = self.spaces.get(space_id)
        if space is None:
            return self._not_found(404)
        if space.private and not _authorized(request.headers, "authorization"):
            return self._not_found(401)
        return space

    async def space_info(self, request: Request) -> Response:
        self._record(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_next:
            return JSONResponse({"error": "Hub trouble"}, self.fail_next.pop(0))
        space = self._visible(request)
        if isinstance(space, Response):
            return space
        owner, name = space.id.split("/")
        subdomain = f"{owner}-{name}".lower().replace("_", "-").replace(".", "-")
        return JSONResponse(
            {
                "id": space.id,
                "author": owner,
                "private": space.private,
                "sdk": "gradio",
                "host": space.host,
                "subdomain": subdomain,
                "runtime": {"stage": space.stage(), "hardware": {"current": "cpu-basic"}},
                "cardData": {"sdk": "gradio", "sdk_version": space.sdk_version},
                "siblings": [],
                "tags": [],
                "likes": 0,
            }
        )

    async def runtime(self, request: Request) -> Response:
        self._record(request)
        space = self._visible(request)
        if isinstance(space, Response):
            return space
        return JSONResponse({"stage": space.stage(), "hardware": {"current": "cpu-basic"}})

    async def whoami(self, request: Request) -> Response:
        self._record(request)
        if not _authorized(request.headers, "authorization"):
            return JSONResponse({"error": "Invalid credentials in Authorization header"}, 401)
        return JSONResponse({"type": "user", "name": OWNER, "orgs": []})

    async def duplicate(self, request: Request) -> Response:
        self._record(request)
        if not _authorized(request.headers, "authorization"):
            return JSONResponse({"error": "Invalid credentials in Authorization header"}, 401)
        source = self._visible(request)
        if isinstance(source, Response):
            return source
        payload = await request.json()
        new_id = str(payload["repository"])
        if new_id in self.spaces:
            return JSONResponse({"error": "You already created this space repo"}, 409)
        copy = self.add_space(
            new_id,
            source.target,
            stages=["BUILDING", "BUILDING", "RUNNING"],
            private=payload.get("visibility") == "private",
            sdk_version=source.sdk_version,
        )
        copy.duplicated_with = payload
        return JSONResponse({"url": f"{self.url}/spaces/{new_id}"})
