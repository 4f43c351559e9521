"""Gradio 3 calls on the wire: one websocket per queued call, ``POST /run/<name>`` for the rest.

A call is opened in the caller's thread or task (the upgrade, so a refused login or a missing
queue raises from ``submit`` as a refused join does on 4.x), then read by a thread (sync) or a
task (async) of its own that feeds its job, exactly as the 4.x session reader feeds jobs, until
``process_completed``; nothing is read after it (a late ``progress`` was seen on 3.36.1).

Bounds, as on 4.x: the upgrade and the ``/run`` request go out under the client's deadline; once
a call runs, the app must say something (a message, or a ping: uvicorn pings every 20 s) within
the client's ``stream_timeout``, or the job fails with ``ServerUnavailableError``; a message may be
at most ``_ws.MAX_MESSAGE_CHARS``. Cancel closes the socket (the app stops a generator at its next
yield) and the client then posts ``/reset``. Closing the client stops every call still reading.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpcore
import httpx

from .._asyncio import asyncio
from .._errors import GradioError, InputError, ProtocolError, ServerUnavailableError
from .._files._download import DownloadBatch
from .._files._upload import UploadBatch
from .._files._values import RemoteFile, default_download_dir
from .._files._names import create_unique
from .._http import _json
from .._http._failures import status_error
from . import _messages as m
from ._gradio3 import Conversation, Route, decode_data_url, image_data_url, run_answer
from ._ws import MAX_MESSAGE_CHARS, READ_CHUNK, WsFrames, check_upgrade, upgrade_headers

__all__ = [
    "Gradio3Session",
    "Gradio3Downloads",
    "MAX_IMAGE_BYTES",
    "SyncCall",
    "AsyncCall",
    "inline_images",
    "upgrade_request",
    "run_request",
]

MAX_IMAGE_BYTES = MAX_MESSAGE_CHARS // 4 * 3 - 1024
"""The largest image argument: its data URL must fit in one message the app can take."""

_JOINING = "opening the websocket queue"
_RUNNING = "calling POST /run"


class _Feedable(Protocol):
    def _deliver(self, msg: m.Message) -> bool: ...

    def _fail(self, error: GradioError) -> None: ...


# -- the session: every call of one session hash -----------------------------------------------


class Gradio3Session:
    """The calls of one session hash (State lives on the server per hash), so that closing the
    client stops those still reading."""

    def __init__(self, session_hash: str) -> None:
        self.hash = session_hash
        self._calls: set[SyncCall | AsyncCall] = set()
        self._lock = threading.Lock()

    def add(self, call: SyncCall | AsyncCall) -> None:
        with self._lock:
            self._calls.add(call)

    def discard(self, call: SyncCall | AsyncCall) -> None:
        with self._lock:
            self._calls.discard(call)

    def _taken(self) -> list[SyncCall | AsyncCall]:
        with self._lock:
            calls, self._calls = list(self._calls), set()
        return calls

    def close(self) -> None:
        for call in self._taken():
            if isinstance(call, SyncCall):
                call.stop()

    async def aclose(self) -> None:
        for call in self._taken():
            if isinstance(call, AsyncCall):
                await call.astop()


# -- arguments ----------------------------------------------------------------------------------


def _image_bytes(batch: UploadBatch, value: object, endpoint: str) -> tuple[bytes, str | None]:
    """The bytes of an image argument, read here: 3.x takes images inline, not uploaded."""
    from .._files._upload import _Placeholder

    if not isinstance(value, _Placeholder):
        raise InputError(
            "a Gradio 3 image argument must be a local file, bytes or a file object "
            f"(got a {type(value).__name__} the app cannot read)",
            endpoint=endpoint,
        )
    item = batch.pending[value.index]
    refuse = (
        f"image {item.name!r} is larger than the {MAX_IMAGE_BYTES:,} bytes one message may take"
    )
    if item.size is not None and item.size > MAX_IMAGE_BYTES:
        raise InputError(refuse, endpoint=endpoint, parameter=item.parameter)
    if item.kind == "bytes":
        data = item.value
    elif item.kind == "path":
        with open(item.value, "rb") as f:
            data = f.read(MAX_IMAGE_BYTES + 1)
    elif item.kind == "stream":
        data = item.value.read(MAX_IMAGE_BYTES + 1)
    elif item.kind == "remote" and isinstance(item.value, RemoteFile) and item.value.local_path:
        with open(item.value.local_path, "rb") as f:
            data = f.read(MAX_IMAGE_BYTES + 1)
    else:
        raise InputError(
            f"image {item.name!r}: a Gradio 3 app takes images inline, so pass a local file or "
            "bytes (a URL or a result that is not downloaded yet cannot be sent as it is)",
            endpoint=endpoint,
            parameter=item.parameter,
        )
    if len(data) > MAX_IMAGE_BYTES:
        raise InputError(refuse, endpoint=endpoint, parameter=item.parameter)
    item.result = {}  # sent inline: nothing to upload
    return bytes(data), item.mime_type


def inline_images(route: Route, laid: list[Any], batch: UploadBatch, endpoint: str) -> list[Any]:
    """Laid-out values with each image argument replaced by its data URL (before uploading)."""
    out = list(laid)
    for position, value in enumerate(laid):
        kind = route.inputs[position] if position < len(route.inputs) else ""
        if kind == "image" and value is not None:
            out[position] = image_data_url(*_image_bytes(batch, value, endpoint))
    return out


# -- results: inline images ------------------------------------------------------------------------


class Gradio3Downloads(DownloadBatch):
    """A download batch that also takes a 3.x inline image (a FileData whose ``url`` is a
    ``data:`` URL): its bytes are written to the download folder here, nothing is fetched."""

    def file(self, data: dict[str, Any]) -> RemoteFile:
        url = data.get("url")
        if not (isinstance(url, str) and url.startswith("data:")):
            return super().file(data)
        content, mime = decode_data_url(url, max_bytes=self.max_size, endpoint="")
        name = str(data.get("orig_name") or data.get("path") or "image.png")
        folder = self.directory or default_download_dir()
        os.makedirs(folder, exist_ok=True)
        target, sink = create_unique(folder, name)
        with sink:
            sink.write(content)
        return RemoteFile(
            f"data:{mime};base64,",
            server_path=name,
            orig_name=name,
            size=len(content),
            mime_type=mime,
            local_path=str(target),
            data={k: v for k, v in data.items() if k != "url"},
        )


# -- requests -------------------------------------------------------------------------------------


def upgrade_request(
    http: httpx.Client | httpx.AsyncClient,
    root: str,
    timeout: httpx.Timeout,
    extra: Mapping[str, str],
) -> tuple[httpx.Request, str]:
    """The upgrade to ``/queue/join`` (``extra``: a join's own headers, ZeroGPU's ``x-ip-token``)
    and the key its answer must confirm."""
    headers, key = upgrade_headers()
    request = http.build_request(
        "GET", f"{root}/queue/join", headers={**extra, **headers}, timeout=timeout
    )
    return request, key


def run_request(
    http: httpx.Client | httpx.AsyncClient,
    root: str,
    api_name: str,
    body: bytes,
    timeout: httpx.Timeout,
    extra: Mapping[str, str],
) -> httpx.Request:
    """``POST /run/<api_name>`` (``extra`` as for :func:`upgrade_request`)."""
    return http.build_request(
        "POST",
        f"{root}/run/{api_name.lstrip('/')}",
        content=body,
        headers={**extra, "content-type": "application/json"},
        timeout=timeout,
    )


def _refused(response: httpx.Response, endpoint: str) -> GradioError:
    if response.status_code == 101:
        return ProtocolError("unexpected websocket", endpoint=endpoint)
    return status_error(response, action=_JOINING, endpoint=endpoint)


def _silent(endpoint: str, silence: float) -> ServerUnavailableError:
    return ServerUnavailableError(
        f"the app said nothing on the websocket queue for {silence:g} s (not even a ping); "
        "it may have stopped (raise stream_timeout for apps that stall longer)",
        endpoint=endpoint,
    )


def _hung_up(endpoint: str, code: int | None) -> ServerUnavailableError:
    said = f" (close code {code})" if code is not None else ""
    return ServerUnavailableError(
        f"the app closed the websocket before the job finished{said}; it may have restarted",
        endpoint=endpoint,
    )


def _run_outcome(
    status: int,
    content: bytes,
    route: Route,
    event_id: str,
    endpoint: str,
    response: httpx.Response,
) -> m.Completed:
    try:
        body = _json.loads(content, what="the answer to POST /run", endpoint=endpoint)
    except ProtocolError:
        body = None
    record = run_answer(status, body, route, event_id, endpoint)
    if record is None:
        if status == 200:
            raise ProtocolError(
                f"POST /run answered without data: {content[:200]!r}", endpoint=endpoint
            )
        raise status_error(response, action=_RUNNING, endpoint=endpoint)
    return record


# -- sync -----------------------------------------------------------------------------------------


class SyncCall:
    """One call of the sync client, read by a thread of its own."""

    def __init__(self, conversation: Conversation, session: Gradio3Session, silence: float) -> None:
        self._conv = conversation
        self._session = session
        self._silence = silence
        self._response: httpx.Response | None = None
        self._stream: Any = None
        self._run: Callable[[], m.Completed] | None = None
        self._stopped = threading.Event()

    @property
    def _endpoint(self) -> str:
        return self._conv.endpoint

    @property
    def body(self) -> bytes:
        """The call as a ``POST /run`` body."""
        return self._conv.run_body()

    def open_ws(self, http: httpx.Client, request: httpx.Request, key: str) -> None:
        """Upgrade (in the caller's thread, under its deadline); raises what refused it."""
        response = http.send(request, stream=True)
        try:
            if response.status_code != 101:
                response.read()
                raise _refused(response, self._endpoint)
            self._stream = check_upgrade(response, key, endpoint=self._endpoint)
        except BaseException:
            response.close()
            raise
        self._response = response

    def open_run(self, http: httpx.Client, request: httpx.Request) -> None:
        """A ``/run`` call, sent by the reader thread once started."""

        def run() -> m.Completed:
            response = http.send(request, stream=True)
            try:
                content = _bounded(response.iter_bytes(), self._endpoint)
            finally:
                response.close()
            return _run_outcome(
                response.status_code,
                content,
                self._conv.route,
                self._conv.event_id,
                self._endpoint,
                response,
            )

        self._run = run

    def start(self, job: _Feedable) -> None:
        self._session.add(self)
        threading.Thread(
            target=self._main, args=(job,), name="gradio-codegen-ws3", daemon=True
        ).start()

    def stop(self) -> None:
        """Stop reading (cancel, close): the socket is shut, which wakes a blocked read."""
        self._stopped.set()
        sock = self._stream.get_extra_info("socket") if self._stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _main(self, job: _Feedable) -> None:
        try:
            if self._run is not None:
                job._deliver(self._run())
            else:
                self._read(job)
        except GradioError as e:
            if not self._stopped.is_set():
                job._fail(e)
        except (httpx.HTTPError, httpcore.TimeoutException) as e:
            if not self._stopped.is_set():
                job._fail(_timed_out_or_lost(e, self._endpoint, self._silence))
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as e:
            if not self._stopped.is_set():
                job._fail(
                    ServerUnavailableError(f"the websocket failed: {e}", endpoint=self._endpoint)
                )
        finally:
            self._session.discard(self)
            self._close()

    def _read(self, job: _Feedable) -> None:
        stream, frames = self._stream, WsFrames(endpoint=self._endpoint)
        while not self._stopped.is_set():
            data = stream.read(READ_CHUNK, timeout=self._silence)
            texts, reply = frames.feed(data)
            for text in texts:
                answer, record = self._conv.on_text(text)
                if answer is not None:
                    reply += frames.text(answer)
                if reply:
                    stream.write(reply, timeout=self._silence)
                    reply = b""
                if record is not None:
                    job._deliver(record)
                if self._conv.finished:
                    with contextlib.suppress(Exception):
                        stream.write(frames.goodbye(), timeout=1.0)
                    return
            if reply:
                stream.write(reply, timeout=self._silence)
            if frames.closed:
                raise _hung_up(self._endpoint, frames.close_code)

    def _close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
            with contextlib.suppress(Exception):
                self._response.close()


def _bounded(chunks: Any, endpoint: str) -> bytes:
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_MESSAGE_CHARS:
            raise ProtocolError(
                f"POST /run answered more than {MAX_MESSAGE_CHARS:,} bytes", endpoint=endpoint
            )
        parts.append(chunk)
    return b"".join(parts)


def _timed_out_or_lost(error: Exception, endpoint: str, silence: float) -> GradioError:
    if isinstance(error, (httpx.TimeoutException, httpcore.TimeoutException)):
        return _silent(endpoint, silence)
    return ServerUnavailableError(
        f"the call failed on the way: {type(error).__name__}: {error}", endpoint=endpoint
    )


# -- async ----------------------------------------------------------------------------------------


class AsyncCall:
    """One call of the async client, read by a task of its own in the client's event loop."""

    def __init__(self, conversation: Conversation, session: Gradio3Session, silence: float) -> None:
        self._conv = conversation
        self._session = session
        self._silence = silence
        self._response: httpx.Response | None = None
        self._stream: Any = None
        self._http: httpx.AsyncClient | None = None
        self._request: httpx.Request | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    @property
    def _endpoint(self) -> str:
        return self._conv.endpoint

    @property
    def body(self) -> bytes:
        """The call as a ``POST /run`` body."""
        return self._conv.run_body()

    async def open_ws(self, http: httpx.AsyncClient, request: httpx.Request, key: str) -> None:
        response = await http.send(request, stream=True)
        try:
            if response.status_code != 101:
                await response.aread()
                raise _refused(response, self._endpoint)
            self._stream = check_upgrade(response, key, endpoint=self._endpoint)
        except BaseException:
            await response.aclose()
            raise
        self._response = response

    def open_run(self, http: httpx.AsyncClient, request: httpx.Request) -> None:
        self._http, self._request = http, request

    def start(self, job: _Feedable) -> None:
        self._session.add(self)
        self._task = asyncio.get_running_loop().create_task(self._main(job))

    async def astop(self) -> None:
        self._stopped = True
        task = self._task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def _main(self, job: _Feedable) -> None:
        try:
            if self._http is not None and self._request is not None:
                job._deliver(await self._run(self._http, self._request))
            else:
                await self._read(job)
        except GradioError as e:
            if not self._stopped:
                job._fail(e)
        except (httpx.HTTPError, httpcore.TimeoutException) as e:
            if not self._stopped:
                job._fail(_timed_out_or_lost(e, self._endpoint, self._silence))
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as e:
            if not self._stopped:
                job._fail(
                    ServerUnavailableError(f"the websocket failed: {e}", endpoint=self._endpoint)
                )
        finally:
            self._session.discard(self)
            await self._close()

    async def _run(self, http: httpx.AsyncClient, request: httpx.Request) -> m.Completed:
        response = await http.send(request, stream=True)
        try:
            parts, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_MESSAGE_CHARS:
                    raise ProtocolError(
                        f"POST /run answered more than {MAX_MESSAGE_CHARS:,} bytes",
                        endpoint=self._endpoint,
                    )
                parts.append(chunk)
        finally:
            await response.aclose()
        return _run_outcome(
            response.status_code,
            b"".join(parts),
            self._conv.route,
            self._conv.event_id,
            self._endpoint,
            response,
        )

    async def _read(self, job: _Feedable) -> None:
        stream, frames = self._stream, WsFrames(endpoint=self._endpoint)
        while not self._stopped:
            data = await stream.read(READ_CHUNK, timeout=self._silence)
            texts, reply = frames.feed(data)
            for text in texts:
                answer, record = self._conv.on_text(text)
                if answer is not None:
                    reply += frames.text(answer)
                if reply:
                    await stream.write(reply, timeout=self._silence)
                    reply = b""
                if record is not None:
                    job._deliver(record)
                if self._conv.finished:
                    with contextlib.suppress(Exception):
                        await stream.write(frames.goodbye(), timeout=1.0)
                    return
            if reply:
                await stream.write(reply, timeout=self._silence)
            if frames.closed:
                raise _hung_up(self._endpoint, frames.close_code)

    async def _close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                await self._stream.aclose()
            with contextlib.suppress(Exception):
                await self._response.aclose()
