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
from collections.abc import Iterator, Mapping
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
    return bytes(data), item.mime_type


def _placeholders(value: object) -> Iterator[int]:
    """The indexes of the files still to upload in laid-out values."""
    from .._files._upload import _Placeholder

    if isinstance(value, _Placeholder):
        yield value.index
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _placeholders(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _placeholders(item)


def inline_images(route: Route, laid: list[Any], batch: UploadBatch, endpoint: str) -> list[Any]:
    """Laid-out values with each image argument replaced by its data URL (before uploading).

    A file passed only as images is not uploaded; the same file passed as an image and as a file
    argument (one upload item: the batch keeps one per file) goes both ways."""
    out = list(laid)
    inlined = set()
    for position, value in enumerate(laid):
        kind = route.inputs[position] if position < len(route.inputs) else ""
        if kind == "image" and value is not None:
            out[position] = image_data_url(*_image_bytes(batch, value, endpoint))
            inlined.add(value.index)
    for index in inlined - set(_placeholders(out)):
        batch.pending[index].result = {}  # sent inline only: nothing to upload
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


_LOST = (
    GradioError,
    httpx.HTTPError,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    OSError,
)
"""What ends a running call: the job fails with it (see ``_Call._failure``)."""


class _Body:
    """The answer to ``POST /run``, gathered chunk by chunk and refused once it grows too large."""

    def __init__(self, endpoint: str) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._endpoint = endpoint

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_MESSAGE_CHARS:
            raise ProtocolError(
                f"POST /run answered more than {MAX_MESSAGE_CHARS:,} bytes", endpoint=self._endpoint
            )
        self._parts.append(chunk)

    def joined(self) -> bytes:
        return b"".join(self._parts)


# -- one call: what the sync and async readers share ------------------------------------------


class _Call:
    """One call to a 3.x app, free of I/O: the conversation, the upgraded stream once open, what
    each piece the app sends asks of the reader, and what a failure means. ``SyncCall`` and
    ``AsyncCall`` add only the reading and writing."""

    def __init__(self, conversation: Conversation, session: Gradio3Session, silence: float) -> None:
        self._conv = conversation
        self._session = session
        self._silence = silence
        self._response: httpx.Response | None = None
        self._stream: Any = None
        self._frames: WsFrames | None = None
        self._run: tuple[Any, httpx.Request] | None = None  # (http client, request) of /run

    @property
    def _endpoint(self) -> str:
        return self._conv.endpoint

    @property
    def body(self) -> bytes:
        """The call as a ``POST /run`` body."""
        return self._conv.run_body()

    def _upgraded(self, response: httpx.Response, key: str) -> None:
        """Take the upgraded stream of a ``101``; raise what refused the upgrade otherwise."""
        if response.status_code != 101:
            raise status_error(response, action=_JOINING, endpoint=self._endpoint)
        self._stream = check_upgrade(response, key, endpoint=self._endpoint)
        self._frames = WsFrames(endpoint=self._endpoint)
        self._response = response

    def _take(self, data: bytes, job: _Feedable) -> bytes:
        """Feed what the app sent to the conversation and ``job``; return the bytes to answer
        (pongs, ``send_hash``/``send_data``, and a goodbye after ``process_completed``, after which
        nothing more is read). Raises when the app hung up before the job finished."""
        assert self._frames is not None
        texts, reply = self._frames.feed(data)
        for text in texts:
            answer, record = self._conv.on_text(text)
            if answer is not None:
                reply += self._frames.text(answer)
            if record is not None:
                job._deliver(record)
            if self._conv.finished:
                return reply + self._frames.goodbye()
        if self._frames.closed:
            raise _hung_up(self._endpoint, self._frames.close_code)
        return reply

    @contextlib.contextmanager
    def _answering(self) -> Iterator[float]:
        """Around a write of the reader's answer, giving its timeout. The goodbye after the result
        is a courtesy: it gets a short bound, and its failure is ignored."""
        try:
            yield 1.0 if self._conv.finished else self._silence
        except Exception:
            if not self._conv.finished:
                raise

    def _outcome(self, response: httpx.Response, content: bytes) -> m.Completed:
        """The record of a ``/run`` answer."""
        try:
            body = _json.loads(content, what="the answer to POST /run", endpoint=self._endpoint)
        except ProtocolError:
            body = None
        conv = self._conv
        record = run_answer(response.status_code, body, conv.route, conv.event_id, self._endpoint)
        if record is not None:
            return record
        if response.status_code == 200:
            raise ProtocolError(
                f"POST /run answered without data: {content[:200]!r}", endpoint=self._endpoint
            )
        raise status_error(response, action=_RUNNING, endpoint=self._endpoint)

    def _failure(self, error: BaseException) -> GradioError:
        """What the job fails with when reading ends with ``error`` (one of ``_LOST``)."""
        if isinstance(error, GradioError):
            return error
        if isinstance(error, (httpx.TimeoutException, httpcore.TimeoutException)):
            return _silent(self._endpoint, self._silence)
        if isinstance(error, httpx.HTTPError):
            return ServerUnavailableError(
                f"the call failed on the way: {type(error).__name__}: {error}",
                endpoint=self._endpoint,
            )
        return ServerUnavailableError(f"the websocket failed: {error}", endpoint=self._endpoint)


# -- sync -----------------------------------------------------------------------------------------


class SyncCall(_Call):
    """One call of the sync client, read by a thread of its own."""

    def __init__(self, conversation: Conversation, session: Gradio3Session, silence: float) -> None:
        super().__init__(conversation, session, silence)
        self._stopped = threading.Event()

    def open_ws(self, http: httpx.Client, request: httpx.Request, key: str) -> None:
        """Upgrade (in the caller's thread, under its deadline); raises what refused it."""
        response = http.send(request, stream=True)
        try:
            if response.status_code != 101:
                response.read()
            self._upgraded(response, key)
        except BaseException:
            response.close()
            raise

    def open_run(self, http: httpx.Client, request: httpx.Request) -> None:
        """A ``/run`` call, sent by the reader thread once started."""
        self._run = (http, request)

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
            if self._run is None:
                self._read(job)
            else:
                job._deliver(self._post(*self._run))
        except _LOST as e:
            if not self._stopped.is_set():
                job._fail(self._failure(e))
        finally:
            self._session.discard(self)
            self._close()

    def _post(self, http: httpx.Client, request: httpx.Request) -> m.Completed:
        body, response = _Body(self._endpoint), http.send(request, stream=True)
        try:
            for chunk in response.iter_bytes():
                body.add(chunk)
        finally:
            response.close()
        return self._outcome(response, body.joined())

    def _read(self, job: _Feedable) -> None:
        stream = self._stream
        while not (self._stopped.is_set() or self._conv.finished):
            reply = self._take(stream.read(READ_CHUNK, timeout=self._silence), job)
            if reply:
                with self._answering() as timeout:
                    stream.write(reply, timeout=timeout)

    def _close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
            with contextlib.suppress(Exception):
                self._response.close()


# -- async ----------------------------------------------------------------------------------------


class AsyncCall(_Call):
    """One call of the async client, read by a task of its own in the client's event loop."""

    def __init__(self, conversation: Conversation, session: Gradio3Session, silence: float) -> None:
        super().__init__(conversation, session, silence)
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    async def open_ws(self, http: httpx.AsyncClient, request: httpx.Request, key: str) -> None:
        response = await http.send(request, stream=True)
        try:
            if response.status_code != 101:
                await response.aread()
            self._upgraded(response, key)
        except BaseException:
            await response.aclose()
            raise

    def open_run(self, http: httpx.AsyncClient, request: httpx.Request) -> None:
        self._run = (http, request)

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
            if self._run is None:
                await self._read(job)
            else:
                job._deliver(await self._post(*self._run))
        except _LOST as e:
            if not self._stopped:
                job._fail(self._failure(e))
        finally:
            self._session.discard(self)
            await self._close()

    async def _post(self, http: httpx.AsyncClient, request: httpx.Request) -> m.Completed:
        body, response = _Body(self._endpoint), await http.send(request, stream=True)
        try:
            async for chunk in response.aiter_bytes():
                body.add(chunk)
        finally:
            await response.aclose()
        return self._outcome(response, body.joined())

    async def _read(self, job: _Feedable) -> None:
        stream = self._stream
        while not (self._stopped or self._conv.finished):
            reply = self._take(await stream.read(READ_CHUNK, timeout=self._silence), job)
            if reply:
                with self._answering() as timeout:
                    await stream.write(reply, timeout=timeout)

    async def _close(self) -> None:
        if self._response is not None:
            with contextlib.suppress(Exception):
                await self._stream.aclose()
            with contextlib.suppress(Exception):
                await self._response.aclose()
