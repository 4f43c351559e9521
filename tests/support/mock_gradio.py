"""A Gradio 5/6 app in memory, on ``httpx.MockTransport``, for the runtime's fast tests.

``FakeApp`` answers the routes a call uses (``/login``, ``/config``, ``{P}/call/{name}`` and
``{P}/queue/join``, ``{P}/queue/data``, ``{P}/cancel``, ``{P}/reset``) and records every request,
so a test can give
the queue's event stream as canned bytes -- cut, silent, malformed, shared by several jobs -- and
check what the client sent. Its ``/config`` describes ``CONCAT`` unless a test gives another, so a
client's layout check (``verify``, on by default) passes. For faults a real server cannot produce on demand; what a real server
does is checked in ``tests/live``.

A stream is an iterator of chunks; besides bytes it may hold ``WAIT`` (a short pause the async
client sleeps through without blocking its loop), a ``threading.Event`` (held until it is set)
or an exception (raised there, as a broken connection would).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import httpx

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from hostile_app import config_for

P = "/gradio_api"
APP = rt.AppSpec(src="http://app.test", api_prefix=P, protocol="sse_v3", gradio_version="6.31.0")
CONCAT: rt.Endpoint[str] = rt.Endpoint(
    "/concat",
    fn_index=1,
    inputs=(rt.Param("a", s.Str()), rt.Param("b", s.Str()), rt.Param("sep", s.Str())),
    outputs=(rt.Output("joined", s.Str()),),
)
CLOSE = {"msg": "close_stream", "event_id": None}
HEARTBEAT = {"msg": "heartbeat", "event_id": None}
WAIT = object()  # a pause of 10 ms in a stream
NO_CONFIG: dict[str, Any] = {}  # ``FakeApp(config=NO_CONFIG)``: an app whose /config is 404
EVENT_WAIT = 10.0  # the longest a stream holds at an Event


class Client(rt.Client):
    app = APP


class AsyncClient(rt.AsyncClient):
    app = APP


def sse(*messages: dict[str, Any], crlf: bool = False) -> bytes:
    end = "\r\n" if crlf else "\n"
    return "".join(f"data: {json.dumps(m)}{end}{end}" for m in messages).encode()


def done(event_id: str, data: list[Any]) -> dict[str, Any]:
    return {
        "msg": "process_completed",
        "event_id": event_id,
        "output": {"data": data},
        "success": True,
    }


def generating(event_id: str, data: list[Any]) -> dict[str, Any]:
    return {
        "msg": "process_generating",
        "event_id": event_id,
        "output": {"data": data},
        "success": True,
    }


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body given chunk by chunk (see the module docstring for what a chunk may be)."""

    def __init__(self, chunks: Iterable[object]) -> None:
        self.chunks = iter(chunks)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if chunk is WAIT:
                time.sleep(0.01)
            elif isinstance(chunk, threading.Event):
                chunk.wait(EVENT_WAIT)
            elif isinstance(chunk, BaseException):
                raise chunk
            else:
                assert isinstance(chunk, bytes)
                yield chunk

    def close(self) -> None:
        """The client closed the response: the app's side of the stream ends here too."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()

    async def aclose(self) -> None:
        self.close()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if chunk is WAIT:
                await asyncio.sleep(0.01)
            elif isinstance(chunk, threading.Event):
                deadline = time.monotonic() + EVENT_WAIT
                while not chunk.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            elif isinstance(chunk, BaseException):
                raise chunk
            else:
                assert isinstance(chunk, bytes)
                yield chunk


Handler = Callable[[httpx.Request], "httpx.Response | None"]


class FakeApp:
    """Answers joins with e1, e2, ... and streams what ``stream(n)`` returns for the n-th GET.

    ``join`` (a join by name or by ``fn_index``), ``login`` and ``cancel`` may answer a request
    themselves (return ``None`` for the default answer); ``config`` is the ``/config`` document
    (default: an app with ``CONCAT``; ``NO_CONFIG``: 404).
    """

    def __init__(
        self,
        stream: Callable[[int], Iterable[object]] | None = None,
        *,
        join: Handler | None = None,
        config: dict[str, Any] | None = None,
        login: Handler | None = None,
        cancel: Handler | None = None,
    ) -> None:
        self.stream = stream or (lambda n: [sse(done("e1", ["x"]), CLOSE)])
        self.join = join
        self.config = config_for(CONCAT, version=APP.gradio_version) if config is None else config
        self.login = login
        self.cancel = cancel
        self.requests: list[httpx.Request] = []
        self.bodies: list[Any] = []
        self.joins = 0
        self.gets = 0
        self.lock = threading.Lock()

    def paths(self) -> list[tuple[str, str]]:
        return [(r.method, r.url.path) for r in self.requests]

    def joins_sent(self) -> list[httpx.Request]:
        """The joins the client sent, by name (``{P}/call/{name}``) or by ``fn_index``."""
        return [r for r in self.requests if r.url.path in (f"{P}/queue/join", f"{P}/call/concat")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self.lock:
            self.requests.append(request)
        if path == f"{P}/queue/join" or path.startswith(f"{P}/call/"):
            return self._join(request)
        if path == f"{P}/queue/data":
            with self.lock:
                self.gets += 1
                n = self.gets
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, stream=Chunks(self.stream(n))
            )
        if path == "/config" and self.config is not NO_CONFIG:
            return httpx.Response(200, json=self.config)
        if path == "/login":
            answer = self.login(request) if self.login is not None else None
            return answer or httpx.Response(200, json={"success": True})
        if path in (f"{P}/cancel", f"{P}/reset"):
            answer = self.cancel(request) if self.cancel is not None else None
            return answer or httpx.Response(200, json={"success": True})
        return httpx.Response(404, json={"detail": "Not Found"})

    def _join(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        if self.join is not None:
            answer = self.join(request)
            if answer is not None:
                return answer
        with self.lock:
            self.joins += 1
            event_id = f"e{self.joins}"
        return httpx.Response(200, json={"event_id": event_id})


def client_for(fake: FakeApp, cls: type[rt.Client] = Client, **options: Any) -> Any:
    """A sync client of ``cls`` whose every request ``fake`` answers."""
    client = cls(**options)
    client._shared.http = httpx.Client(transport=httpx.MockTransport(fake))
    return client


def async_client_for(fake: FakeApp, cls: type[rt.AsyncClient] = AsyncClient, **options: Any) -> Any:
    """``client_for``, async."""
    client = cls(**options)
    client._shared.http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    return client
