"""File arguments before and during upload: what is accepted, what is refused, what goes on the wire.

These use ``httpx.MockTransport`` as a recorder: the point is to see exactly which requests were
(or were not) sent, which a real server cannot show. Round trips against real servers are in
``test_files_roundtrip.py``.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import warnings
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import httpx
import pytest

from gradio_codegen.runtime import FileSource, FileTooLargeError, InputError, RemoteFile, shapes
from gradio_codegen.runtime._files import _progress
from gradio_codegen.runtime._files._fetch import CHUNK_SIZE
from gradio_codegen.runtime._files._upload import UploadBatch
from gradio_codegen.runtime._files._progress import TransferProgress

pytestmark = pytest.mark.timeout(60)

BASE = "http://app.test/gradio_api"
UPLOAD = BASE + "/upload"


class Recorder:
    """A transport that records every request; uploads get server paths, other URLs ``content``."""

    def __init__(self, content: bytes = b"fetched bytes", content_type: str = "image/png") -> None:
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.largest_chunk = 0
        self.content = content
        self.content_type = content_type

    def _handle(self, request: httpx.Request, body: bytes) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(body)
        if request.url.path.endswith("/upload"):
            filename = re.search(rb'filename="([^"]*)"', body)
            assert filename is not None
            return httpx.Response(200, json=[f"/tmp/gradio/abc/{filename.group(1).decode()}"])
        return httpx.Response(
            200, content=self.content, headers={"content-type": self.content_type}
        )

    def sync(self, request: httpx.Request) -> httpx.Response:
        chunks = list(request.stream)  # type: ignore[arg-type]
        self.largest_chunk = max([self.largest_chunk, *map(len, chunks)])
        return self._handle(request, b"".join(chunks))

    async def async_(self, request: httpx.Request) -> httpx.Response:
        chunks = [c async for c in request.stream]  # type: ignore[union-attr]
        self.largest_chunk = max([self.largest_chunk, *map(len, chunks)])
        return self._handle(request, b"".join(chunks))

    def client(self) -> httpx.Client:
        return httpx.Client(transport=_Transport(self))

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=_AsyncTransport(self))


class _Transport(httpx.BaseTransport):
    """Unlike ``MockTransport`` (which reads the whole body first), sees the body chunk by chunk."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.recorder.sync(request)


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.recorder.async_(request)


def parse_part(request: httpx.Request, body: bytes) -> tuple[str, str, bytes]:
    """(filename, content type, content) of the single ``files`` part of an upload body."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + body
    )
    [part] = list(message.iter_parts())
    assert part.get_param("name", header="content-disposition") == "files"
    return part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True) or b""


def encode_and_upload(values: list[object], recorder: Recorder, **options: object) -> object:
    batch = UploadBatch(endpoint="/ep", **options)  # type: ignore[arg-type]
    payload = [shapes.File().encode(v, batch) for v in values]
    with recorder.client() as http:
        batch.upload(http, UPLOAD)
    return batch.fill(payload)


def test_every_kind_of_input_uploads_with_name_and_type(tmp_path: Path) -> None:
    path = tmp_path / "naïve 名前.txt"
    path.write_bytes(b"text")
    recorder = Recorder()
    handle = open(tmp_path / "naïve 名前.txt", "rb")
    with handle:
        payload = encode_and_upload(
            [
                str(path),
                path,
                b"\x89PNG\r\n\x1a\n0000",
                handle,
                FileSource(b"{}", name="data.json"),
                FileSource(io.BytesIO(b"raw"), name="blob", mime_type="application/x-thing"),
            ],
            recorder,
        )
    assert isinstance(payload, list)
    # path and PathLike of the same file are uploaded once
    assert len(recorder.requests) == 5
    parts = sorted(parse_part(r, b) for r, b in zip(recorder.requests, recorder.bodies))
    assert parts == sorted(
        [
            ("naïve 名前.txt", "text/plain", b"text"),
            ("file.png", "image/png", b"\x89PNG\r\n\x1a\n0000"),
            ("naïve 名前.txt", "text/plain", b"text"),
            ("data.json", "application/json", b"{}"),
            ("blob", "application/x-thing", b"raw"),
        ]
    )
    for request, body in zip(recorder.requests, recorder.bodies):
        assert int(request.headers["content-length"]) == len(body)
        assert "transfer-encoding" not in request.headers
    first = payload[0]
    assert first == {
        "path": "/tmp/gradio/abc/naïve 名前.txt",
        "orig_name": "naïve 名前.txt",
        "size": 4,
        "mime_type": "text/plain",
        "meta": {"_type": "gradio.FileData"},
    }
    assert payload[1] == first


def test_file_without_extension_and_empty_file(tmp_path: Path) -> None:
    (tmp_path / "README").write_bytes(b"")
    recorder = Recorder()
    [data] = encode_and_upload([tmp_path / "README"], recorder)  # type: ignore[misc]
    assert parse_part(recorder.requests[0], recorder.bodies[0]) == (
        "README",
        "application/octet-stream",
        b"",
    )
    assert data["orig_name"] == "README" and data["size"] == 0 and "mime_type" not in data


def test_upload_streams_in_chunks(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(5 * CHUNK_SIZE + 123))
    recorder = Recorder()
    encode_and_upload([big], recorder)
    assert recorder.largest_chunk <= CHUNK_SIZE
    assert parse_part(recorder.requests[0], recorder.bodies[0])[2] == big.read_bytes()


def test_max_file_size_refuses_before_sending(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 1001)
    recorder = Recorder()
    batch = UploadBatch(max_file_size=1000, endpoint="/ep")
    batch.parameter = "document"
    ok = shapes.File().encode(b"y" * 1000, batch)  # at the limit: fine
    for value in (
        big,
        str(big),
        b"x" * 1001,
        FileSource(open(big, "rb"), name="b"),
        io.BytesIO(b"x" * 1001),
    ):
        with pytest.raises(FileTooLargeError) as caught:
            shapes.File().encode(value, batch)
        error = caught.value
        assert (error.size, error.limit, error.endpoint, error.parameter, error.direction) == (
            1001,
            1000,
            "/ep",
            "document",
            "upload",
        )
        assert "max_file_size" in str(error) and "not uploaded" in str(error)
    assert recorder.requests == []
    assert ok is not None


class _Pipe(io.RawIOBase):
    """A readable stream that cannot seek (like a pipe or a socket)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream_is_measured_then_sent_or_refused() -> None:
    recorder = Recorder()
    encode_and_upload(
        [FileSource(io.BufferedReader(_Pipe(b"z" * 3000)), name="pipe.bin")], recorder
    )
    assert parse_part(recorder.requests[0], recorder.bodies[0]) == (
        "pipe.bin",
        "application/octet-stream",
        b"z" * 3000,
    )

    recorder = Recorder()
    batch = UploadBatch(max_file_size=1000)
    placeholder = batch.file(io.BufferedReader(_Pipe(b"z" * 3000)))  # size unknown yet
    with recorder.client() as http, pytest.raises(FileTooLargeError):
        batch.upload(http, UPLOAD)
    assert placeholder is not None and recorder.requests == []


def test_url_larger_than_limit_is_not_uploaded() -> None:
    recorder = Recorder(content=b"u" * 5000)
    batch = UploadBatch(max_file_size=1000)
    batch.file("http://app.test/media/pic.png")
    with recorder.client() as http, pytest.raises(FileTooLargeError, match="pic.png"):
        batch.upload(http, UPLOAD)
    assert [r.url.host for r in recorder.requests] == ["app.test"]  # fetched, never uploaded


def test_url_is_fetched_and_uploaded_with_its_name_and_type() -> None:
    recorder = Recorder(content=b"\x89PNG\r\n\x1a\npix", content_type="image/png")
    [data] = encode_and_upload(["http://app.test/images/cat%20photo"], recorder)  # type: ignore[misc]
    get, post = recorder.requests
    assert get.method == "GET" and post.url == httpx.URL(UPLOAD)
    assert parse_part(post, recorder.bodies[1]) == (
        "cat photo.png",
        "image/png",
        b"\x89PNG\r\n\x1a\npix",
    )
    assert data["orig_name"] == "cat photo.png"


def test_url_pass_policy_sends_the_url_untouched() -> None:
    recorder = Recorder()
    [data] = encode_and_upload(["https://example.test/a.wav"], recorder, remote_urls="pass")  # type: ignore[misc]
    assert recorder.requests == []
    assert data == {
        "path": "https://example.test/a.wav",
        "url": "https://example.test/a.wav",
        "orig_name": "a.wav",
        "meta": {"_type": "gradio.FileData"},
    }


def test_remote_file_from_the_same_app_is_reused_without_transfer() -> None:
    remote = RemoteFile(
        BASE + "/file=/tmp/gradio/x/out.png",
        server_path="/tmp/gradio/x/out.png",
        size=9,
        file_base=BASE,
    )
    recorder = Recorder()
    [data] = encode_and_upload([remote], recorder)  # type: ignore[misc]
    assert recorder.requests == []
    assert data == {
        "path": "/tmp/gradio/x/out.png",
        "orig_name": "out.png",
        "size": 9,
        "mime_type": "image/png",
        "meta": {"_type": "gradio.FileData"},
    }


def test_file_data_dict_passes_through() -> None:
    given = {"path": "/tmp/gradio/x/a.txt", "meta": {"_type": "gradio.FileData"}}
    recorder = Recorder()
    assert encode_and_upload([given], recorder) == [given]
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/no/such/file.txt", "no such file: '/no/such/file.txt'"),
        (".", "not a regular file"),
        (12, "expected a file"),
    ],
)
def test_bad_arguments_are_input_errors(value: object, message: str) -> None:
    batch = UploadBatch(endpoint="/ep")
    with pytest.raises(InputError, match=re.escape(message)):
        batch.file(value)


def test_text_mode_file_is_refused_by_check_and_encode(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("hi")
    with open(tmp_path / "t.txt") as text:
        with pytest.raises(shapes.ShapeMismatch, match="binary mode"):
            shapes.File().check(text)
        with pytest.raises(InputError, match="'rb'"):
            UploadBatch().file(text)


@pytest.mark.parametrize(
    "value",
    [
        "a.txt",
        Path("a.txt"),
        b"",
        bytearray(b"x"),
        io.BytesIO(),
        FileSource(b""),
        RemoteFile("u", server_path="p"),
        {"path": "p", "meta": {"_type": "gradio.FileData"}},
    ],
)
def test_file_shape_accepts_every_file_input(value: object) -> None:
    shapes.File().check(value)


@pytest.mark.parametrize("value", [1, None, {"path": "p"}, ["a.txt"], object()])
def test_file_shape_rejects_non_files(value: object) -> None:
    with pytest.raises(shapes.ShapeMismatch):
        shapes.File().check(value)


def test_progress_callback_sees_every_chunk(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"p" * (3 * CHUNK_SIZE + 7))
    events: list[TransferProgress] = []
    encode_and_upload([big], Recorder(), progress=events.append)
    assert [e.done for e in events] == [
        CHUNK_SIZE,
        2 * CHUNK_SIZE,
        3 * CHUNK_SIZE,
        3 * CHUNK_SIZE + 7,
    ]
    assert {(e.direction, e.name, e.total) for e in events} == {
        ("upload", "big.bin", 3 * CHUNK_SIZE + 7)
    }
    assert events[-1].finished


def test_progress_bar_for_large_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"p" * (4 * 1024 * 1024 + 1))
    small = tmp_path / "small.bin"
    small.write_bytes(b"p")
    encode_and_upload([big, small], Recorder(), progress=True)
    err = capsys.readouterr().err
    assert "Uploading big.bin" in err and "small.bin" not in err


def test_progress_bars_without_tqdm_warn_once_and_the_uploads_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What an application with the runtime alone (no "spaces" extra, so no tqdm) sees.
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setattr(_progress, "_warned_no_tqdm", False)
    files = []
    for name in ("one.bin", "two.bin"):
        files.append(tmp_path / name)
        files[-1].write_bytes(b"p" * (4 * 1024 * 1024 + 1))
    recorder = Recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # "once" must come from the runtime, not the filter
        encode_and_upload([files[0]], recorder, progress=True)
        encode_and_upload([files[1]], recorder, progress=True)
    assert [type(w.message) for w in caught] == [RuntimeWarning]
    message = str(caught[0].message)
    assert "tqdm is not installed" in message
    assert 'pip install "gradio-codegen-runtime[spaces]"' in message
    assert len([r for r in recorder.requests if r.url.path.endswith("/upload")]) == 2
    assert capsys.readouterr() == ("", "")  # a warning, not a print


def test_several_files_upload_concurrently(tmp_path: Path) -> None:
    import threading

    active, peak, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active == 3:
                release.set()
        release.wait(5)
        request.read()
        with lock:
            active -= 1
        return httpx.Response(200, json=["/tmp/gradio/x/f"])

    batch = UploadBatch()
    for i in range(3):
        batch.file(f"{i}".encode())
    with httpx.Client(transport=httpx.MockTransport(slow)) as http:
        batch.upload(http, UPLOAD)
    assert peak == 3


def test_async_upload_matches_sync(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * CHUNK_SIZE + 5))
    recorder = Recorder()

    async def go() -> object:
        batch = UploadBatch()
        payload = [
            shapes.File().encode(v, batch)
            for v in (big, b"\x89PNG\r\n\x1a\n", "http://app.test/x.bin")
        ]
        async with recorder.async_client() as http:
            await batch.aupload(http, UPLOAD)
        return batch.fill(payload)

    payload = asyncio.run(go())
    assert isinstance(payload, list) and [p["orig_name"] for p in payload] == [
        "big.bin",
        "file.png",
        "x.bin",
    ]
    uploads = [
        parse_part(r, b) for r, b in zip(recorder.requests, recorder.bodies) if r.method == "POST"
    ]
    assert sorted(u[2] for u in uploads) == sorted(
        [big.read_bytes(), b"\x89PNG\r\n\x1a\n", b"fetched bytes"]
    )
    assert recorder.largest_chunk <= CHUNK_SIZE


def test_server_errors_are_typed() -> None:
    def answer(status: int, body: str) -> Callable[[httpx.Request], httpx.Response]:
        return lambda request: httpx.Response(status, text=body)

    from gradio_codegen.runtime import AuthenticationError, ProtocolError, TransportError

    cases = [
        (413, "File size exceeded maximum allowed size of 65536 bytes.", FileTooLargeError),
        (401, '{"detail":"Not authenticated"}', AuthenticationError),
        (500, "Internal Server Error", TransportError),
        (200, "<html>not json</html>", ProtocolError),
    ]
    for status, body, error in cases:
        batch = UploadBatch(endpoint="/ep")
        batch.file(b"x" * 10)
        with httpx.Client(transport=httpx.MockTransport(answer(status, body))) as http:
            with pytest.raises(error) as caught:
                batch.upload(http, UPLOAD)
        assert caught.value.endpoint == "/ep"
        if isinstance(caught.value, FileTooLargeError):
            assert caught.value.limit == 65536 and caught.value.size == 10


def test_file_source_renames_a_path(tmp_path: Path) -> None:
    (tmp_path / "tmp123").write_bytes(b"csv")
    recorder = Recorder()
    [data] = encode_and_upload([FileSource(tmp_path / "tmp123", name="../report.csv")], recorder)  # type: ignore[misc]
    assert parse_part(recorder.requests[0], recorder.bodies[0]) == (
        "report.csv",
        "text/csv",
        b"csv",
    )
    assert data["orig_name"] == "report.csv"


def test_remote_file_pickles_without_its_client() -> None:
    import pickle

    remote = RemoteFile(BASE + "/file=/x/a.txt", server_path="/x/a.txt", size=3, file_base=BASE)
    with httpx.Client() as http:
        remote._bind(http, directory=None, progress=None, auto_download=True)
        copy = pickle.loads(pickle.dumps(remote))
    assert (copy.url, copy.name, copy.size, copy.mime_type) == (
        remote.url,
        "a.txt",
        3,
        "text/plain",
    )
    assert copy.to_file_data() == remote.to_file_data()
