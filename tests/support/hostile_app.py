"""A stand-in Gradio 6 app on 127.0.0.1 whose every answer a test can replace: the base of the
hostile-app tests.

It speaks enough of Gradio 6 (``/gradio_api`` prefix, queue protocol ``sse_v3``) for an SDK generated
from ``generated_examples/gradio6/*.py`` to call it: ``/config``, ``{P}/info``, ``{P}/call/{name}``
and ``{P}/queue/join`` (a job by name or by ``fn_index``), ``{P}/queue/data`` (one event stream per
session), ``{P}/upload``, ``{P}/file=...``, ``{P}/cancel``, ``/reset`` and ``/login``. Its
``/config`` describes the endpoints of the example SDKs the runtime tests call (``text_echo`` and
``files_io``, built from the SDKs themselves by ``config_for``), so a client's layout check
(``verify``, on by default) passes as it would against the app they were generated from; a test
of a changed app edits ``config``. By default a call answers with its own inputs (an echo); a test
changes what the app does by setting hooks:

* ``answer(fn_index, data) -> list``: the result values of a job (default: ``data``);
* ``on_stream(h, session, events)``: writes the whole event stream of a session (default: the
  usual estimation / process_starts / process_completed per event, then ``close_stream``);
* ``routes[(method, path)] = handler(h)``: any request, answered however the test likes
  (``h.send_json``, ``h.start_sse`` + ``h.sse``, ``h.raw``, ``h.drip``, or a redirect);
  ``call_route("/echo")`` is the key of the join an SDK sends for ``/echo``.

Every request is recorded in ``seen`` (method, path with query, headers, body), so a test can prove
what reached the app, and what did not.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gradio_codegen.runtime import Endpoint, Output, Param
from gradio_codegen.runtime._queue._layout import _choice_shape
from gradio_codegen.runtime._spec import StateSlot

PREFIX = "/gradio_api"
EXAMPLES = Path(__file__).resolve().parents[2] / "generated_examples"
SERVED_SDKS = ("text_echo", "files_io")  # the example SDKs whose endpoints the default app serves


def call_route(api_name: str) -> tuple[str, str]:
    """The ``routes`` key of the join an SDK sends for ``api_name`` (``"/echo"``): a call by
    name, ``POST {P}/call/echo``, as every call is while the client verifies the app's layout."""
    return ("POST", f"{PREFIX}/call/{api_name.lstrip('/')}")


def refuse_first(
    app: HostileApp, route: tuple[str, str], times: int, refuse: Callable[[Handler], None]
) -> list[str]:
    """The first ``times`` requests to ``route`` are answered by ``refuse`` (a front end: the app
    never sees them); the rest reach the app. Returns what each request met, in order."""
    met: list[str] = []
    lock = threading.Lock()

    def answer(h: Handler) -> None:
        with lock:
            refused = len(met) < times
            met.append("refused" if refused else "app")
        if refused:
            refuse(h)
        else:
            app.default(h, route[0])

    app.routes[route] = answer
    return met


@dataclass
class Seen:
    """One request as the app received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Event:
    """One joined job."""

    event_id: str
    fn_index: int
    data: list[Any]
    session_hash: str


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this every small answer waits for the
    # client's delayed ACK (about 40 ms).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    # -- answering ---------------------------------------------------------------------------------

    def send_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def send_bytes(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/octet-stream",
    ) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 307) -> None:
        self.send_response(status)
        self.send_header("location", location)
        self.send_header("content-length", "0")
        self.end_headers()

    def start_sse(self) -> None:
        """Headers of an event stream that ends when the connection closes."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()

    def sse(self, message: object) -> None:
        self.raw(b"data: " + json.dumps(message).encode() + b"\n\n")

    def raw(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def drip(self, data: bytes, interval: float) -> None:
        """Send ``data`` one byte at a time, ``interval`` seconds apart (a slow-drip server)."""
        for i in range(len(data)):
            self.raw(data[i : i + 1])
            time.sleep(interval)

    # -- dispatch ----------------------------------------------------------------------------------

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.body = self.rfile.read(length) if length else b""
        app = self.server.app
        app.seen.append(
            Seen(method, self.path, {k.lower(): v for k, v in self.headers.items()}, self.body)
        )
        custom = app.routes.get((method, self.route))
        if custom is None and self.route.startswith(f"{PREFIX}/file="):
            custom = app.routes.get((method, f"{PREFIX}/file="))
        try:
            if custom is not None:
                custom(self)
            else:
                app.default(self, method)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - the base's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: HostileApp

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer is what many tests do on purpose: no traceback."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def echo(fn_index: int, data: list[Any]) -> list[Any]:
    return list(data)


@dataclass
class HostileApp:
    """The stand-in app; use as a context manager (or ``start()``/``stop()``)."""

    answer: Callable[[int, list[Any]], list[Any]] = echo
    on_stream: Callable[[Handler, str, list[Event]], None] | None = None
    routes: dict[tuple[str, str], Callable[[Handler], None]] = field(default_factory=dict)
    config: dict[str, Any] = field(
        default_factory=lambda: config_for(*(example_sdk(name) for name in SERVED_SDKS))
    )
    seen: list[Seen] = field(default_factory=list)
    events: dict[str, list[Event]] = field(default_factory=dict)  # pending, per session
    joined: list[Event] = field(default_factory=list)
    cancelled: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # server path -> content

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileApp:
        server = _Server(("127.0.0.1", 0), Handler)
        server.app = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> HostileApp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the app received ---------------------------------------------------------------------

    def requests_to(self, route: str) -> list[Seen]:
        return [s for s in self.seen if urlsplit(s.path).path == route]

    # -- the default Gradio 6 behaviour ------------------------------------------------------------

    def default(self, h: Handler, method: str) -> None:
        route = h.route
        if method == "GET" and route == "/config":
            h.send_json(200, self.config)
        elif method == "GET" and route == f"{PREFIX}/info":
            h.send_json(200, {"named_endpoints": {}, "unnamed_endpoints": {}})
        elif method == "POST" and route == f"{PREFIX}/queue/join":
            self._join(h)
        elif method == "POST" and route.startswith(f"{PREFIX}/call/"):
            self._call(h, "/" + route[len(f"{PREFIX}/call/") :])
        elif method == "GET" and route == f"{PREFIX}/queue/data":
            self._stream(h)
        elif method == "POST" and route == f"{PREFIX}/upload":
            self.uploads.append(h.body)
            path = f"/tmp/gradio/{uuid.uuid4().hex}/upload"
            h.send_json(200, [path])
        elif method == "GET" and route.startswith(f"{PREFIX}/file="):
            path = route[len(f"{PREFIX}/file=") :]
            content = self.files.get(path)
            if content is None:
                h.send_json(404, {"detail": "Not Found"})
            else:
                h.send_bytes(200, content)
        elif method == "POST" and route in (f"{PREFIX}/cancel", "/reset", f"{PREFIX}/reset"):
            try:
                self.cancelled.append(json.loads(h.body or b"{}"))
            except ValueError:
                pass
            h.send_json(200, {"success": True})
        elif method == "POST" and route == "/login":
            h.send_json(200, {"success": True}, headers={"set-cookie": "access-token=abc; Path=/"})
        else:
            h.send_json(404, {"detail": "Not Found"})

    def _join(self, h: Handler) -> None:
        body = json.loads(h.body)
        self._accept(
            h, Event(uuid.uuid4().hex, body["fn_index"], body["data"], body["session_hash"])
        )

    def _call(self, h: Handler, api_name: str) -> None:
        """Gradio's ``{P}/call/{api_name}``: the job of the endpoint of that name; an unknown
        name is a 500 before anything runs, as Gradio answers it."""
        fn_index = fn_index_of(self.config, api_name)
        if fn_index is None:
            h.send_bytes(500, b"Internal Server Error", content_type="text/plain")
            return
        body = json.loads(h.body)
        self._accept(h, Event(uuid.uuid4().hex, fn_index, body["data"], body["session_hash"]))

    def _accept(self, h: Handler, event: Event) -> None:
        with self._lock:
            self.events.setdefault(event.session_hash, []).append(event)
            self.joined.append(event)
        h.send_json(200, {"event_id": event.event_id})

    def _stream(self, h: Handler) -> None:
        session = h.query.get("session_hash", [""])[0]
        with self._lock:
            events = self.events.pop(session, [])
        h.start_sse()
        if self.on_stream is not None:
            self.on_stream(h, session, events)
            return
        for event in events:
            h.sse(self.completed(event))
        h.sse({"msg": "close_stream", "event_id": None})

    def completed(self, event: Event, data: list[Any] | None = None) -> dict[str, Any]:
        """The ``process_completed`` message of a successful job."""
        values = self.answer(event.fn_index, event.data) if data is None else data
        return {
            "msg": "process_completed",
            "event_id": event.event_id,
            "output": {"data": values, "is_generating": False},
            "success": True,
            "title": None,
        }


def fn_index_of(config: dict[str, Any], api_name: str) -> int | None:
    """The ``fn_index`` of the public endpoint ``api_name`` in a ``/config`` (Gradio's lookup)."""
    for position, dep in enumerate(config.get("dependencies") or []):
        if "/" + str(dep.get("api_name")) == api_name and dep.get("api_visibility") != "private":
            return int(dep.get("id", position))
    return None


def config_for(*sdks: ModuleType | Endpoint[Any], version: str = "6.31.0") -> dict[str, Any]:
    """The ``/config`` of a Gradio 6 app with exactly the endpoints of ``sdks`` (generated SDK
    modules, or endpoints): one dependency per endpoint, with its ``fn_index`` as ``id``, one
    component per input and output slot (its type as the SDK records it, ``"state"`` for a State
    slot, the choices of a choice input). A client checking its layout finds what it expects."""
    endpoints: list[Endpoint[Any]] = []
    for sdk in sdks:
        found = [sdk] if isinstance(sdk, Endpoint) else list(_endpoints_of(sdk))
        endpoints += sorted(found, key=lambda e: e.fn_index or 0)
    components: list[dict[str, Any]] = []

    def slot(item: Param | Output | StateSlot) -> int:
        component: dict[str, Any] = {"id": len(components) + 1, "props": {}}
        if isinstance(item, StateSlot):
            component["type"] = "state"
        else:
            component["type"] = item.component or "json"
            choice = _choice_shape(item.shape) if isinstance(item, Param) else None
            if choice is not None:
                component["props"]["choices"] = [[str(v), v] for v in choice.values]
        components.append(component)
        return int(component["id"])

    dependencies = [
        {
            "id": endpoint.fn_index if endpoint.fn_index is not None else position,
            "api_name": endpoint.api_name.lstrip("/"),
            "api_visibility": "public",
            "inputs": [slot(i) for i in endpoint.inputs],
            "outputs": [slot(o) for o in endpoint.outputs],
            "queue": True,
        }
        for position, endpoint in enumerate(endpoints)
    ]
    return {
        "version": version,
        "api_prefix": PREFIX,
        "protocol": "sse_v3",
        "components": components,
        "dependencies": dependencies,
    }


def _endpoints_of(sdk: ModuleType) -> list[Endpoint[Any]]:
    unique = {id(v): v for v in vars(sdk).values() if isinstance(v, Endpoint)}
    return list(unique.values())


def example_sdk(app: str, major: str = "6") -> ModuleType:
    """The checked-in SDK ``generated_examples/gradio<major>/<app>.py``, imported once as
    ``<app>_sdk_g<major>``: a second import would replace the first in ``sys.modules``, and a
    fake's ``as_default`` finds its module there."""
    path = EXAMPLES / f"gradio{major}" / f"{app}.py"
    name = f"{app}_sdk_g{major}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
