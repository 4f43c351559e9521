"""File arguments: checked while a call is encoded, uploaded together, then put into the payload.

Every file argument is described (``_inputs``) and checked against the app's ``max_file_size``
while shapes encode the call, before anything is sent. ``upload`` / ``aupload`` then send them:

1. ``_prepare`` (no I/O) settles what needs no transfer -- a ``RemoteFile`` of the same app goes
   back as its server path, a URL as itself with ``remote_urls="pass"`` -- and returns the rest;
2. each of those is made a local file with a known size if it is not one yet (a ``RemoteFile`` of
   another app downloaded, a URL fetched, a stream that cannot seek spooled to disk), then posted
   as one multipart request whose head and tail (``_multipart.Part``, no I/O) frame the file's
   bytes, read one chunk at a time, so a request never holds more than a chunk and carries an exact
   Content-Length. The files of a call go side by side (one slow file does not hold the others).

URL arguments are fetched here and uploaded, by default, rather than handed to the server: Gradio 5
and 6 refuse to fetch private addresses (127.0.0.1, a LAN host), and a URL that needs our cookies
would fail on the server anyway. ``remote_urls="pass"`` sends the URL for the server to fetch.

The upload's answer is the server's word too: it is read up to ``UPLOAD_ANSWER_LIMIT`` bytes and
parsed as untrusted JSON (``_http._json.loads``), so a huge or absurdly nested answer is a
``ProtocolError``.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Literal

import httpx

from .._asyncio import asyncio
from .._errors import (
    AuthenticationError,
    FileTooLargeError,
    GradioTimeoutError,
    InputError,
    ProtocolError,
    ServerUnavailableError,
    TransportError,
)
from .._http._json import loads as loads_json
from ._fetch import (
    CHUNK_SIZE,
    Rules,
    SizeLimitExceeded,
    adownload_to,
    aread_capped,
    download_to,
    read_capped,
)
from ._inputs import FileArgument, describe
from ._multipart import Body, Part
from ._names import safe_filename
from ._parallel import arun_all, run_all
from ._progress import ProgressOption, human_size
from ._values import RemoteFile, file_data, is_file_data

__all__ = ["UploadBatch", "UPLOAD_ANSWER_LIMIT"]

UPLOAD_ANSWER_LIMIT = 64 * 1024  # the answer is a list with one server path
_SCRATCH = "gradio-codegen-upload-"


def _human_pair(size: int, limit: int) -> str:
    """``"70.0 KiB, more than the app's max_file_size of 64.0 KiB"``, exact when rounding hides it."""
    shown, shown_limit = human_size(size), human_size(limit)
    if shown == shown_limit:
        shown, shown_limit = f"{size} bytes", f"{limit} bytes"
    return f"{shown}, more than the app's max_file_size of {shown_limit}"


class _Placeholder:
    """Stands for one file in the encoded payload until ``fill`` swaps in its FileData."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index

    def __repr__(self) -> str:
        return f"<file #{self.index}>"


class UploadBatch:
    """Collects the file arguments of one call while shapes encode it, then uploads them together.

    Implements ``shapes.EncodeContext``: ``file(value)`` validates the argument (size against
    ``max_file_size`` before anything is sent) and returns a placeholder; ``upload``/``aupload`` send
    every collected file (concurrently, streamed from disk) to ``upload_url``; ``fill(payload)``
    swaps the placeholders for the FileData dicts the server expects.

    Options: ``progress`` (``True`` for terminal bars, or a ``TransferProgress`` callback),
    ``remote_urls`` (``"upload"``: fetch URL arguments here and upload them; ``"pass"``: let the
    server fetch them), ``concurrency`` (parallel uploads). Set ``parameter`` before encoding a
    parameter to have errors name it.
    """

    def __init__(
        self,
        *,
        max_file_size: int | None = None,
        endpoint: str | None = None,
        progress: ProgressOption = None,
        remote_urls: Literal["upload", "pass"] = "upload",
        concurrency: int = 4,
    ) -> None:
        if remote_urls not in ("upload", "pass"):
            raise ValueError(f"remote_urls must be 'upload' or 'pass', got {remote_urls!r}")
        self.max_file_size = max_file_size
        self.endpoint = endpoint
        self.progress = progress
        self.remote_urls = remote_urls
        self.concurrency = max(1, concurrency)
        self.parameter: str | None = None
        self.pending: list[FileArgument] = []
        self._by_key: dict[tuple[object, ...], _Placeholder] = {}

    # -- encoding -------------------------------------------------------------------------------

    def file(self, value: object) -> object:
        if is_file_data(value):
            assert isinstance(value, dict)
            return dict(value)
        item = describe(value, self.parameter, self._input_error)
        self._check_size(item, item.size)
        key = item.dedupe_key()
        if key is not None and key in self._by_key:
            return self._by_key[key]
        placeholder = _Placeholder(len(self.pending))
        self.pending.append(item)
        if key is not None:
            self._by_key[key] = placeholder
        return placeholder

    def fill(self, payload: object) -> object:
        """``payload`` with every placeholder replaced by the FileData of its uploaded file."""
        if isinstance(payload, _Placeholder):
            result = self.pending[payload.index].result
            if result is None:
                raise RuntimeError("UploadBatch.fill() called before upload()")
            return dict(result)
        if isinstance(payload, list):
            return [self.fill(v) for v in payload]
        if isinstance(payload, tuple):
            return tuple(self.fill(v) for v in payload)
        if isinstance(payload, dict):
            return {k: self.fill(v) for k, v in payload.items()}
        return payload

    def _input_error(self, message: str) -> InputError:
        return InputError(message, endpoint=self.endpoint, parameter=self.parameter)

    def _check_size(self, item: FileArgument, size: int | None) -> None:
        limit = self.max_file_size
        if limit is not None and size is not None and size > limit:
            raise FileTooLargeError(
                f"{item.name!r} is {_human_pair(size, limit)}; it was not uploaded",
                size=size,
                limit=limit,
                direction="upload",
                endpoint=self.endpoint,
                parameter=item.parameter,
            )

    # -- sending: every decision, free of I/O ---------------------------------------------------

    def _prepare(self, upload_url: str) -> list[FileArgument]:
        """The files that must be sent; those that need no transfer get their FileData here."""
        todo = []
        for item in self.pending:
            if item.result is not None:
                continue
            if item.kind == "remote" and self._same_app(item.value, upload_url):
                item.result = item.value.to_file_data()
            elif item.kind == "url" and self.remote_urls == "pass":
                item.result = file_data(item.value, url=item.value, orig_name=item.name)
            else:
                todo.append(item)
        return todo

    @staticmethod
    def _same_app(remote: RemoteFile, upload_url: str) -> bool:
        base = upload_url.rsplit("/upload", 1)[0].rstrip("/")
        return remote.file_base is not None and remote.file_base.rstrip("/") == base

    def _url_rules(self, item: FileArgument, upload_url: str) -> Rules:
        # The user chose this URL: it may be on any origin (fetched without credentials there).
        return Rules(
            trusted=upload_url,
            name=item.name,
            other_origins=True,
            progress=self.progress,
            limit=self.max_file_size,
        )

    @contextmanager
    def _fetching(self, item: FileArgument) -> Iterator[None]:
        """A URL argument being fetched: past ``max_file_size`` it is not uploaded."""
        try:
            yield
        except SizeLimitExceeded as e:
            assert self.max_file_size is not None
            raise FileTooLargeError(
                f"{item.value!r} is more than the app's max_file_size of "
                f"{human_size(self.max_file_size)}; it was not uploaded",
                size=e.received,
                limit=self.max_file_size,
                direction="upload",
                endpoint=self.endpoint,
                parameter=item.parameter,
            ) from None

    def _fetched(self, item: FileArgument, path: str, headers: httpx.Headers) -> None:
        """A URL argument is now a local file; a name without extension gets one from its type."""
        if not os.path.splitext(item.name)[1]:
            mime = headers.get("content-type", "").split(";")[0].strip()
            ext = mimetypes.guess_extension(mime) if mime else None
            item.name = safe_filename((item.name or "file") + (ext or ""))
            item.mime_type = item.mime_type or mime or None
        item.now_local(path)

    def _downloaded(self, item: FileArgument, path: str) -> None:
        """A ``RemoteFile`` of another app is now a local file, held to ``max_file_size``."""
        item.now_local(path)
        self._check_size(item, item.size)

    @staticmethod
    def _length(item: FileArgument, source: IO[bytes]) -> int:
        if item.kind == "path":
            return os.fstat(source.fileno()).st_size  # the file as it is now, not as described
        if item.kind == "bytes":
            return len(item.value)
        assert item.size is not None
        return item.size

    def _part(self, item: FileArgument, source: IO[bytes]) -> Part:
        size = self._length(item, source)
        self._check_size(item, size)
        return Part(item, size, self.progress, self.endpoint)

    @contextmanager
    def _posting(self, part: Part) -> Iterator[None]:
        """One upload request: its failures as the runtime's errors, its meter closed after."""
        what = part.what
        try:
            yield
        except SizeLimitExceeded:
            raise ProtocolError(
                f"{what}: the server's answer is larger than {human_size(UPLOAD_ANSWER_LIMIT)}; "
                "an upload answers with one server path",
                endpoint=self.endpoint,
            ) from None
        except httpx.TimeoutException as e:
            raise GradioTimeoutError(f"{what}: timed out ({e})", endpoint=self.endpoint) from e
        except httpx.HTTPError as e:
            raise ServerUnavailableError(
                f"{what}: {type(e).__name__}: {e}", endpoint=self.endpoint
            ) from e
        finally:
            part.meter.close()

    def _answered(self, part: Part, status: int, body: bytes) -> None:
        """The file's FileData, from the upload's answer (``body``, already capped in size)."""
        item, what = part.item, part.what
        text = body.decode("utf-8", errors="replace")
        if status == 413:
            found = re.search(r"(\d{1,20}) bytes", text)
            raise FileTooLargeError(
                f"{item.name!r} ({human_size(part.size)}) is larger than the app accepts: "
                f"{text[:200]}",
                size=part.size,
                limit=int(found.group(1)) if found else (self.max_file_size or 0),
                direction="upload",
                endpoint=self.endpoint,
                parameter=item.parameter,
            )
        if status == 401:
            raise AuthenticationError(
                f"{what}: the server requires a login (HTTP 401); pass auth= or token= to the "
                "client",
                endpoint=self.endpoint,
            )
        if status >= 400:
            raise TransportError(f"{what}: HTTP {status}: {text[:300]}", endpoint=self.endpoint)
        paths = loads_json(body, what=f"the answer to {what}", endpoint=self.endpoint)
        if not (isinstance(paths, list) and len(paths) == 1 and isinstance(paths[0], str)):
            raise ProtocolError(
                f"{what}: expected a list with one server path, got {text[:200]!r}",
                endpoint=self.endpoint,
            )
        item.result = file_data(
            paths[0], orig_name=item.name, size=part.size, mime_type=item.mime_type
        )

    # -- local files (blocking; the async sender runs them in worker threads) -------------------

    @staticmethod
    def _scratch_file(scratch: str) -> tuple[str, IO[bytes]]:
        path = os.path.join(scratch, os.urandom(8).hex())
        return path, open(path, "wb")

    def _spool(self, item: FileArgument, scratch: str) -> None:
        """Copy a stream that cannot seek to disk, so its size is known before sending."""
        path, sink = self._scratch_file(scratch)
        with sink:
            while chunk := item.value.read(CHUNK_SIZE):
                sink.write(chunk)
                self._check_size(item, sink.tell())
        item.now_local(path)

    @staticmethod
    def _open(item: FileArgument) -> tuple[IO[bytes], bool]:
        """The bytes to send, and whether they are ours to close (a caller's stream is not)."""
        if item.kind == "path":
            return open(item.value, "rb"), True
        if item.kind == "bytes":
            return io.BytesIO(item.value), True
        return item.value, False

    # -- sync -----------------------------------------------------------------------------------

    def upload(self, http: httpx.Client, upload_url: str) -> None:
        """Upload every pending file (concurrently) and remember the FileData for ``fill``."""
        todo = self._prepare(upload_url)
        if not todo:
            return
        scratch = tempfile.mkdtemp(prefix=_SCRATCH)
        try:
            run_all(
                lambda item: self._send(http, upload_url, item, scratch), todo, self.concurrency
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _send(self, http: httpx.Client, upload_url: str, item: FileArgument, scratch: str) -> None:
        if item.kind == "remote":
            self._downloaded(item, os.fspath(item.value.download()))
        elif item.kind == "url":
            path, sink = self._scratch_file(scratch)
            with self._fetching(item), sink:
                headers = download_to(http, item.value, sink, self._url_rules(item, upload_url))
            self._fetched(item, path, headers)
        elif item.kind == "stream" and item.size is None:
            self._spool(item, scratch)
        source, ours = self._open(item)
        try:
            self._post(http, upload_url, source, self._part(item, source))
        finally:
            if ours:
                source.close()

    def _post(self, http: httpx.Client, url: str, source: IO[bytes], part: Part) -> None:
        request = http.build_request("POST", url, headers=part.headers)
        request.stream = Body(part, source)
        with self._posting(part):
            response = http.send(request, stream=True)
            try:
                answer = read_capped(response, UPLOAD_ANSWER_LIMIT, what=part.what)
            finally:
                response.close()
        self._answered(part, response.status_code, answer)

    # -- async ----------------------------------------------------------------------------------

    async def aupload(self, http: httpx.AsyncClient, upload_url: str) -> None:
        """``upload`` for the async client; disk reads run in worker threads."""
        todo = self._prepare(upload_url)
        if not todo:
            return
        scratch = await asyncio.to_thread(tempfile.mkdtemp, prefix=_SCRATCH)
        try:

            async def send(item: FileArgument) -> None:
                await self._asend(http, upload_url, item, scratch)

            await arun_all(send, todo, self.concurrency)
        finally:
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def _asend(
        self, http: httpx.AsyncClient, upload_url: str, item: FileArgument, scratch: str
    ) -> None:
        if item.kind == "remote":
            self._downloaded(item, os.fspath(await item.value.adownload()))
        elif item.kind == "url":
            path, sink = self._scratch_file(scratch)
            with self._fetching(item), sink:
                rules = self._url_rules(item, upload_url)
                headers = await adownload_to(http, item.value, sink, rules)
            self._fetched(item, path, headers)
        elif item.kind == "stream" and item.size is None:
            await asyncio.to_thread(self._spool, item, scratch)
        if item.kind == "path":
            source, ours = await asyncio.to_thread(self._open, item)
        else:
            source, ours = self._open(item)
        try:
            await self._apost(http, upload_url, source, self._part(item, source))
        finally:
            if ours:
                source.close()

    async def _apost(
        self, http: httpx.AsyncClient, url: str, source: IO[bytes], part: Part
    ) -> None:
        request = http.build_request("POST", url, headers=part.headers)
        request.stream = Body(part, source, threaded=not isinstance(source, io.BytesIO))
        with self._posting(part):
            response = await http.send(request, stream=True)
            try:
                answer = await aread_capped(response, UPLOAD_ANSWER_LIMIT, what=part.what)
            finally:
                await response.aclose()
        self._answered(part, response.status_code, answer)
