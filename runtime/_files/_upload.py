"""File arguments: checked while a call is encoded, uploaded together, then put into the payload.

Every kind of ``FileInput`` is reduced to something that can be read in chunks with a known size,
so a request body never holds more than one chunk of a file and carries an exact Content-Length.
Files of one call upload concurrently, one request each (one slow file does not hold the others).

URL arguments are fetched here and uploaded, by default, rather than handed to the server: Gradio 5
and 6 refuse to fetch private addresses (127.0.0.1, a LAN host), and a URL that needs our cookies
would fail on the server anyway. ``remote_urls="pass"`` sends the URL for the server to fetch.

A ``RemoteFile`` from the same app goes back as its server path, with no transfer at all. A ``str``
is read as a local path only because the caller passed it: a result never hands one back where a
file belongs (``shapes.File.decode`` returns a ``RemoteFile`` or raises ``ProtocolError``).

The upload's answer is the server's word too: it is read up to ``UPLOAD_ANSWER_LIMIT`` bytes and
parsed as untrusted JSON (``_json.loads``), so a huge or absurdly nested answer is a
``ProtocolError``.
"""

from __future__ import annotations

import contextvars
import io
import mimetypes
import os
import posixpath
import re
import shutil
import stat
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal
from urllib.parse import unquote, urlsplit

import httpx

from .._errors import (
    AuthenticationError,
    FileTooLargeError,
    GradioTimeoutError,
    InputError,
    ProtocolError,
    ServerUnavailableError,
    TransportError,
)
from ._fetch import (
    ACCEPT_ENCODING,
    CHUNK_SIZE,
    SizeLimitExceeded,
    adownload_to,
    aread_capped,
    download_to,
    read_capped,
)
from ._names import safe_filename
from .._http._json import loads as loads_json
from ._values import FILE_DATA_META, FileSource, RemoteFile
from ._progress import Meter, ProgressOption, human_size

__all__ = ["UploadBatch"]

Kind = Literal["path", "bytes", "stream", "url", "remote"]
UPLOAD_ANSWER_LIMIT = 64 * 1024  # the answer is a list with one server path
_URL = re.compile(r"^https?://", re.IGNORECASE)
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, ".png"),
    (b"\xff\xd8\xff", 0, ".jpg"),
    (b"GIF8", 0, ".gif"),
    (b"%PDF-", 0, ".pdf"),
    (b"WAVE", 8, ".wav"),
    (b"WEBP", 8, ".webp"),
    (b"ftyp", 4, ".mp4"),
    (b"OggS", 0, ".ogg"),
    (b"fLaC", 0, ".flac"),
    (b"ID3", 0, ".mp3"),
    (b"PK\x03\x04", 0, ".zip"),
)


def _sniff_extension(head: bytes) -> str:
    """An extension for nameless data, from its first bytes (servers pick decoders by extension)."""
    for magic, offset, ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return ext
    return ""


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


@dataclass
class _Item:
    """One file argument, described before anything is sent."""

    kind: Kind
    value: Any
    name: str
    mime_type: str | None
    size: int | None
    parameter: str | None
    result: dict[str, Any] | None = field(default=None)


def _remaining_size(stream: IO[bytes]) -> int | None:
    """Bytes left from the current position, or ``None`` for streams that cannot seek."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return max(0, end - here)
    except (OSError, ValueError, AttributeError):
        return None


def _is_file_data(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("meta"), dict)
        and (value["meta"].get("_type") == "gradio.FileData")
    )


def _name_from_url(url: str) -> str:
    return posixpath.basename(unquote(urlsplit(url).path))


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
        self.pending: list[_Item] = []
        self._by_key: dict[tuple[object, ...], _Placeholder] = {}

    # -- encoding -------------------------------------------------------------------------------

    def file(self, value: object) -> object:
        if _is_file_data(value):
            assert isinstance(value, dict)
            return dict(value)
        item = self._describe(value)
        self._check_size(item.name, item.size)
        key = self._dedupe_key(item)
        if key is not None and key in self._by_key:
            return self._by_key[key]
        placeholder = _Placeholder(len(self.pending))
        self.pending.append(item)
        if key is not None:
            self._by_key[key] = placeholder
        return placeholder

    @staticmethod
    def _dedupe_key(item: _Item) -> tuple[object, ...] | None:
        if item.kind == "path":
            return ("path", os.path.realpath(item.value), item.name, item.mime_type)
        if item.kind in ("remote", "url"):
            return (item.kind, id(item.value) if item.kind == "remote" else item.value, item.name)
        return None

    def _input_error(self, message: str) -> InputError:
        return InputError(message, endpoint=self.endpoint, parameter=self.parameter)

    def _describe(self, value: object) -> _Item:
        name: str | None = None
        mime: str | None = None
        if isinstance(value, FileSource):
            name, mime, value = value.name, value.mime_type, value.data
        if isinstance(value, RemoteFile):
            return self._item(
                "remote", value, name or value.name, mime or value.mime_type, value.size
            )
        if isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
            return self._item(
                "bytes", data, name or "file" + _sniff_extension(data[:16]), mime, len(data)
            )
        if isinstance(value, str) and _URL.match(value):
            return self._item("url", value, name or _name_from_url(value), mime, None)
        if isinstance(value, (str, os.PathLike)):
            path = os.fsdecode(os.fspath(value))
            try:
                st = os.stat(path)
            except FileNotFoundError:
                raise self._input_error(
                    f"no such file: {path!r} (a str file argument is a local path or an http(s) URL)"
                ) from None
            except OSError as e:
                raise self._input_error(f"cannot read {path!r}: {e}") from None
            if not stat.S_ISREG(st.st_mode):
                raise self._input_error(f"not a regular file: {path!r}")
            return self._item("path", path, name or os.path.basename(path), mime, st.st_size)
        if isinstance(value, io.TextIOBase):
            raise self._input_error(
                f"{getattr(value, 'name', 'the file')!r} is open in text mode; open it with 'rb'"
            )
        if callable(getattr(value, "read", None)):
            stream: IO[bytes] = value  # type: ignore[assignment]
            stream_name = getattr(stream, "name", None)
            if (
                name is None
                and isinstance(stream_name, (str, bytes))
                and not isinstance(stream_name, int)
            ):
                name = os.path.basename(os.fsdecode(stream_name))
            return self._item("stream", stream, name or "file", mime, _remaining_size(stream))
        raise self._input_error(
            "expected a file: a local path (str or os.PathLike), an http(s) URL, bytes, a binary "
            f"file object, FileSource or RemoteFile; got {type(value).__name__}"
        )

    def _item(self, kind: Kind, value: Any, name: str, mime: str | None, size: int | None) -> _Item:
        safe = safe_filename(name)
        mime = mime or mimetypes.guess_type(safe)[0]
        return _Item(kind, value, safe, mime, size, self.parameter)

    def _check_size(self, name: str, size: int | None, parameter: str | None = None) -> None:
        limit = self.max_file_size
        if limit is not None and size is not None and size > limit:
            raise FileTooLargeError(
                f"{name!r} is {_human_pair(size, limit)}; " "it was not uploaded",
                size=size,
                limit=limit,
                endpoint=self.endpoint,
                parameter=parameter or self.parameter,
            )

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

    # -- shared by both transports --------------------------------------------------------------

    def _file_data(self, item: _Item, server_path: str, size: int) -> dict[str, Any]:
        data: dict[str, Any] = {"path": server_path, "orig_name": item.name, "size": size}
        if item.mime_type:
            data["mime_type"] = item.mime_type
        data["meta"] = dict(FILE_DATA_META)
        return data

    def _url_data(self, item: _Item) -> dict[str, Any]:
        return {
            "path": item.value,
            "url": item.value,
            "orig_name": item.name,
            "meta": dict(FILE_DATA_META),
        }

    @staticmethod
    def _same_app(remote: RemoteFile, upload_url: str) -> bool:
        base = upload_url.rsplit("/upload", 1)[0].rstrip("/")
        return remote.file_base is not None and remote.file_base.rstrip("/") == base

    def _multipart(self, item: _Item, size: int) -> tuple[bytes, bytes, dict[str, str]]:
        boundary = os.urandom(16).hex()
        filename = item.name.replace('"', "%22")
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            f"Content-Type: {item.mime_type or 'application/octet-stream'}\r\n\r\n"
        ).encode("utf-8")
        tail = f"\r\n--{boundary}--\r\n".encode("ascii")
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        return head, tail, headers

    def _changed(self, item: _Item, sent: int, size: int) -> InputError:
        return self._input_error(
            f"{item.name!r} changed while it was being uploaded: it ended after {sent} of {size} bytes"
        )

    def _read_response(self, item: _Item, size: int, status: int, body: bytes) -> str:
        """The server path from the upload's answer (``body``, already capped in size)."""
        text = body.decode("utf-8", errors="replace")
        if status == 413:
            found = re.search(r"(\d{1,20}) bytes", text)
            limit = int(found.group(1)) if found else (self.max_file_size or 0)
            raise FileTooLargeError(
                f"{item.name!r} ({human_size(size)}) is larger than the app accepts: {text[:200]}",
                size=size,
                limit=limit,
                endpoint=self.endpoint,
                parameter=item.parameter,
            )
        if status == 401:
            raise AuthenticationError(
                f"uploading {item.name!r}: the server requires a login (HTTP 401); pass auth= "
                "or token= to the client",
                endpoint=self.endpoint,
            )
        if status >= 400:
            raise TransportError(
                f"uploading {item.name!r}: HTTP {status}: {text[:300]}",
                endpoint=self.endpoint,
            )
        paths = loads_json(
            body, what=f"the answer to uploading {item.name!r}", endpoint=self.endpoint
        )
        if not (isinstance(paths, list) and len(paths) == 1 and isinstance(paths[0], str)):
            raise ProtocolError(
                f"uploading {item.name!r}: expected a list with one server path, got "
                f"{text[:200]!r}",
                endpoint=self.endpoint,
            )
        return paths[0]

    def _answer_too_large(self, item: _Item) -> ProtocolError:
        return ProtocolError(
            f"uploading {item.name!r}: the server's answer is larger than "
            f"{human_size(UPLOAD_ANSWER_LIMIT)}; an upload answers with one server path",
            endpoint=self.endpoint,
        )

    def _transport_error(self, item: _Item, e: httpx.HTTPError) -> Exception:
        what = f"uploading {item.name!r}"
        if isinstance(e, httpx.TimeoutException):
            return GradioTimeoutError(f"{what}: timed out ({e})", endpoint=self.endpoint)
        return ServerUnavailableError(f"{what}: {type(e).__name__}: {e}", endpoint=self.endpoint)

    @staticmethod
    def _scratch_file(scratch: str) -> tuple[str, IO[bytes]]:
        path = os.path.join(scratch, os.urandom(8).hex())
        return path, open(path, "wb")

    def _spool_stream(self, item: _Item, scratch: str) -> None:
        """Copy a stream that cannot seek to disk, so its size is known before sending."""
        path, sink = self._scratch_file(scratch)
        with sink:
            while chunk := item.value.read(CHUNK_SIZE):
                sink.write(chunk)
                self._check_size(item.name, sink.tell(), item.parameter)
        item.kind, item.value, item.size = "path", path, os.path.getsize(path)

    def _after_fetch(self, item: _Item, path: str, headers: httpx.Headers) -> None:
        if not os.path.splitext(item.name)[1]:
            mime = headers.get("content-type", "").split(";")[0].strip()
            ext = mimetypes.guess_extension(mime) if mime else None
            item.name = safe_filename((item.name or "file") + (ext or ""))
            item.mime_type = item.mime_type or mime or None
        item.kind, item.value, item.size = "path", path, os.path.getsize(path)

    def _too_large_while_fetching(self, item: _Item, e: SizeLimitExceeded) -> FileTooLargeError:
        assert self.max_file_size is not None
        return FileTooLargeError(
            f"{item.value!r} is more than the app's max_file_size of {human_size(self.max_file_size)}; "
            "it was not uploaded",
            size=e.received,
            limit=self.max_file_size,
            endpoint=self.endpoint,
            parameter=item.parameter,
        )

    # -- sync -----------------------------------------------------------------------------------

    def upload(self, http: httpx.Client, upload_url: str) -> None:
        """Upload every pending file (concurrently) and remember the FileData for ``fill``."""
        todo = [item for item in self.pending if item.result is None]
        if not todo:
            return
        scratch = tempfile.mkdtemp(prefix="gradio-codegen-upload-")
        try:
            if len(todo) == 1:
                self._upload_one(http, upload_url, todo[0], scratch)
                return
            from concurrent.futures import ThreadPoolExecutor  # here: keeps the import path light

            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(todo))) as pool:
                # Each worker runs in a copy of this context: the call's deadline goes along.
                futures = [
                    pool.submit(
                        contextvars.copy_context().run,
                        self._upload_one,
                        http,
                        upload_url,
                        i,
                        scratch,
                    )
                    for i in todo
                ]
                for future in futures:
                    future.result()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _upload_one(self, http: httpx.Client, upload_url: str, item: _Item, scratch: str) -> None:
        if item.kind == "remote":
            remote: RemoteFile = item.value
            if self._same_app(remote, upload_url):
                item.result = remote.to_file_data()
                return
            item.kind, item.value = "path", os.fspath(remote.download())
            item.size = os.path.getsize(item.value)
            self._check_size(item.name, item.size, item.parameter)
        elif item.kind == "url":
            if self.remote_urls == "pass":
                item.result = self._url_data(item)
                return
            path, sink = self._scratch_file(scratch)
            try:
                with sink:
                    headers = download_to(
                        http,
                        item.value,
                        sink,
                        trusted=upload_url,
                        name=item.name,
                        other_origins=True,  # the user chose this URL
                        progress=self.progress,
                        limit=self.max_file_size,
                    )
            except SizeLimitExceeded as e:
                raise self._too_large_while_fetching(item, e) from None
            self._after_fetch(item, path, headers)
        elif item.kind == "stream" and item.size is None:
            self._spool_stream(item, scratch)
        if item.kind == "path":
            with open(item.value, "rb") as source:
                self._post(http, upload_url, item, source, os.fstat(source.fileno()).st_size)
        elif item.kind == "bytes":
            self._post(http, upload_url, item, io.BytesIO(item.value), len(item.value))
        else:
            assert item.size is not None
            self._post(http, upload_url, item, item.value, item.size)

    def _post(
        self, http: httpx.Client, url: str, item: _Item, source: IO[bytes], size: int
    ) -> None:
        self._check_size(item.name, size, item.parameter)
        head, tail, headers = self._multipart(item, size)
        meter = Meter(self.progress, "upload", item.name, size)

        def body() -> Iterator[bytes]:
            yield head
            sent = 0
            while sent < size:
                chunk = source.read(min(CHUNK_SIZE, size - sent))
                if not chunk:
                    raise self._changed(item, sent, size)
                sent += len(chunk)
                meter.advance(len(chunk))
                yield chunk
            yield tail

        try:
            with http.stream(
                "POST", url, content=body(), headers={**headers, **ACCEPT_ENCODING}
            ) as response:
                status = response.status_code
                answer = read_capped(response, UPLOAD_ANSWER_LIMIT, what=f"uploading {item.name!r}")
        except SizeLimitExceeded:
            raise self._answer_too_large(item) from None
        except httpx.HTTPError as e:
            raise self._transport_error(item, e) from e
        finally:
            meter.close()
        item.result = self._file_data(item, self._read_response(item, size, status, answer), size)

    # -- async ----------------------------------------------------------------------------------

    async def aupload(self, http: httpx.AsyncClient, upload_url: str) -> None:
        """``upload`` for the async client; disk reads run in worker threads."""
        import asyncio  # here, not at the top: keeps the sync import path light

        todo = [item for item in self.pending if item.result is None]
        if not todo:
            return
        scratch = await asyncio.to_thread(tempfile.mkdtemp, prefix="gradio-codegen-upload-")
        limit = asyncio.Semaphore(self.concurrency)

        async def one(item: _Item) -> None:
            async with limit:
                await self._aupload_one(http, upload_url, item, scratch)

        try:
            outcomes = await asyncio.gather(*(one(item) for item in todo), return_exceptions=True)
            for (
                outcome
            ) in outcomes:  # all finished (none still writing to scratch): raise the first
                if isinstance(outcome, BaseException):
                    raise outcome
        finally:
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def _aupload_one(
        self, http: httpx.AsyncClient, upload_url: str, item: _Item, scratch: str
    ) -> None:
        import asyncio  # here, not at the top: keeps the sync import path light

        if item.kind == "remote":
            remote: RemoteFile = item.value
            if self._same_app(remote, upload_url):
                item.result = remote.to_file_data()
                return
            item.kind, item.value = "path", os.fspath(await remote.adownload())
            item.size = os.path.getsize(item.value)
            self._check_size(item.name, item.size, item.parameter)
        elif item.kind == "url":
            if self.remote_urls == "pass":
                item.result = self._url_data(item)
                return
            path, sink = self._scratch_file(scratch)
            try:
                with sink:
                    headers = await adownload_to(
                        http,
                        item.value,
                        sink,
                        trusted=upload_url,
                        name=item.name,
                        other_origins=True,  # the user chose this URL
                        progress=self.progress,
                        limit=self.max_file_size,
                    )
            except SizeLimitExceeded as e:
                raise self._too_large_while_fetching(item, e) from None
            self._after_fetch(item, path, headers)
        elif item.kind == "stream" and item.size is None:
            await asyncio.to_thread(self._spool_stream, item, scratch)
        if item.kind == "path":
            source = await asyncio.to_thread(open, item.value, "rb")
            try:
                await self._apost(http, upload_url, item, source, os.fstat(source.fileno()).st_size)
            finally:
                source.close()
        elif item.kind == "bytes":
            await self._apost(http, upload_url, item, io.BytesIO(item.value), len(item.value))
        else:
            assert item.size is not None
            await self._apost(http, upload_url, item, item.value, item.size)

    async def _apost(
        self, http: httpx.AsyncClient, url: str, item: _Item, source: IO[bytes], size: int
    ) -> None:
        import asyncio  # here, not at the top: keeps the sync import path light

        self._check_size(item.name, size, item.parameter)
        head, tail, headers = self._multipart(item, size)
        meter = Meter(self.progress, "upload", item.name, size)
        in_memory = isinstance(source, io.BytesIO)

        async def body() -> AsyncIterator[bytes]:
            yield head
            sent = 0
            while sent < size:
                n = min(CHUNK_SIZE, size - sent)
                chunk = source.read(n) if in_memory else await asyncio.to_thread(source.read, n)
                if not chunk:
                    raise self._changed(item, sent, size)
                sent += len(chunk)
                meter.advance(len(chunk))
                yield chunk
            yield tail

        try:
            async with http.stream(
                "POST", url, content=body(), headers={**headers, **ACCEPT_ENCODING}
            ) as response:
                status = response.status_code
                answer = await aread_capped(
                    response, UPLOAD_ANSWER_LIMIT, what=f"uploading {item.name!r}"
                )
        except SizeLimitExceeded:
            raise self._answer_too_large(item) from None
        except httpx.HTTPError as e:
            raise self._transport_error(item, e) from e
        finally:
            meter.close()
        item.result = self._file_data(item, self._read_response(item, size, status, answer), size)
