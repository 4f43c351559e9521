"""Files through real Gradio 4, 5 and 6 servers: what goes up comes back byte for byte.

Until the protocol client lands these drive the file batches with the hand-written call in
``wire.py``: encode through the shapes, upload, join the queue, decode, download.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import struct
import wave
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gradio_codegen.runtime import (
    AuthenticationError,
    FileSource,
    FileTooLargeError,
    RemoteFile,
    shapes as s,
)
from gradio_codegen.runtime._files._download import DownloadBatch
from gradio_codegen.runtime._files._upload import UploadBatch
from malicious_server import Hostile, ServerThread
from servers import GradioServer, ServerPool, available_versions
from wire import call, login

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]
VERSIONS = available_versions()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes([10, 20, 30]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(struct.pack("<800h", *range(-400, 400)))
    return buffer.getvalue()


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4
OBJ = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"


@pytest.fixture(scope="module", params=VERSIONS)
def echo(request: pytest.FixtureRequest, server_pool: ServerPool) -> GradioServer:
    return server_pool.get("file_echo", request.param)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


def run(
    http: httpx.Client,
    server: GradioServer,
    api_name: str,
    inputs: list[tuple[s.Shape, object]],
    directory: Path,
    *,
    mode: str = "eager",
) -> list[Any]:
    """Encode, upload, call, decode and download, the way the client does it."""
    batch = UploadBatch(endpoint=api_name)
    payload = [shape.encode(value, batch) for shape, value in inputs]
    batch.upload(http, f"{server.url}{server.api_prefix}/upload")
    data = call(http, server.url, server.api_prefix, api_name, list(batch.fill(payload)))  # type: ignore[arg-type]
    downloads = DownloadBatch(
        file_base=server.url + server.api_prefix, mode=mode, directory=directory
    )
    result = [s.Any().decode(value, downloads) for value in data]
    downloads.download(http)
    return result


def only_file(value: Any) -> RemoteFile:
    """The single RemoteFile inside a decoded output (Video/Gallery wrap it in dicts and lists)."""
    found: list[RemoteFile] = []

    def walk(v: Any) -> None:
        if isinstance(v, RemoteFile):
            found.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(value)
    assert len(found) == 1, value
    return found[0]


def _video_shape(major: str) -> s.Shape:
    if major == "6":
        return s.File()
    return s.Object({"video": s.File(), "subtitles": s.Optional(s.File())}, required=("video",))


GALLERY = s.List(s.Object({"image": s.File(), "caption": s.Optional(s.Str())}, required=("image",)))


@pytest.mark.parametrize("kind", ["file", "image", "audio", "video", "model3d", "gallery"])
def test_component_round_trip(
    echo: GradioServer, http: httpx.Client, tmp_path: Path, kind: str
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    content, name = {
        "file": (os.urandom(70_000), "data.bin"),
        "image": (png(), "picture.png"),
        "audio": (wav(), "tone.wav"),
        "video": (MP4, "clip.mp4"),
        "model3d": (OBJ, "mesh.obj"),
        "gallery": (png(2, 2), "swatch.png"),
    }[kind]
    (source / name).write_bytes(content)
    value: object = source / name
    shape: s.Shape = s.File()
    if kind == "video":
        shape = _video_shape(echo.major)
        value = value if echo.major == "6" else {"video": value, "subtitles": None}
    elif kind == "gallery":
        shape, value = GALLERY, [{"image": value, "caption": "first"}]
    [out] = run(http, echo, f"/{kind}", [(shape, value)], tmp_path / "out")
    remote = only_file(out)
    local = Path(os.fspath(remote))
    assert local.parent == tmp_path / "out"
    assert local.suffix == Path(name).suffix
    if kind == "image" and echo.major == "4":
        # Gradio 4 re-encodes images on input; the picture, not the bytes, survives.
        assert local.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert local.read_bytes()[16:24] == content[16:24]  # same width and height
    else:
        assert sha(local.read_bytes()) == sha(content)


def test_odd_files_round_trip_together(
    echo: GradioServer, http: httpx.Client, tmp_path: Path
) -> None:
    (tmp_path / "naïve 名前.txt").write_bytes("héllo wörld".encode())
    (tmp_path / "Makefile").write_bytes(b"all:\n\ttrue\n")
    (tmp_path / "empty.dat").write_bytes(b"")
    inputs = [
        tmp_path / "naïve 名前.txt",
        str(tmp_path / "Makefile"),
        tmp_path / "empty.dat",
        b"\x89PNG\r\n\x1a\nraw bytes",
        FileSource(io.BytesIO(b"from a stream"), name="stream.log"),
    ]
    expected = [
        ("naïve 名前.txt", "héllo wörld".encode()),
        ("Makefile", b"all:\n\ttrue\n"),
        ("empty.dat", b""),
        ("file.png", b"\x89PNG\r\n\x1a\nraw bytes"),
        ("stream.log", b"from a stream"),
    ]
    [out] = run(http, echo, "/files", [(s.List(s.File()), inputs)], tmp_path / "out")
    assert all(isinstance(f, RemoteFile) for f in out)
    assert [(f.name, Path(f).read_bytes()) for f in out] == expected
    assert [Path(f).name for f in out] == [name for name, _ in expected]


def test_server_receives_name_and_bytes(
    echo: GradioServer, http: httpx.Client, tmp_path: Path
) -> None:
    content = os.urandom(123_457)
    [report] = run(
        http,
        echo,
        "/digest",
        [(s.File(), FileSource(content, name="Ünïcödé report.bin"))],
        tmp_path,
    )
    assert report == f"Ünïcödé report.bin|{len(content)}|{sha(content)}"


def test_two_parameters_and_reuse_of_results(echo: GradioServer, tmp_path: Path) -> None:
    uploads: list[str] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/upload"):
            uploads.append(request.url.path)

    with httpx.Client(timeout=60, event_hooks={"request": [record]}) as http:
        a, b = run(http, echo, "/pair", [(s.File(), b"first"), (s.File(), b"second")], tmp_path)
        assert len(uploads) == 2
        assert (Path(a).read_bytes(), Path(b).read_bytes()) == (b"first", b"second")
        [report] = run(http, echo, "/digest", [(s.File(), b)], tmp_path)
    assert len(uploads) == 2  # the result went back by its server path, not re-uploaded
    assert report.endswith(f"|6|{sha(b'second')}")


@pytest.fixture(scope="module")
def media_host() -> Iterator[tuple[Hostile, ServerThread]]:
    state = Hostile()
    server = ServerThread(state.app()).start()
    yield state, server
    server.stop()


def test_url_on_a_private_host_is_fetched_and_uploaded(
    echo: GradioServer, http: httpx.Client, tmp_path: Path, media_host: tuple[Hostile, ServerThread]
) -> None:
    state, host = media_host
    state.files["photo.png"] = png(5, 5)
    [out] = run(http, echo, "/image", [(s.File(), f"{host.url}/data/photo.png")], tmp_path)
    assert only_file(out).name == "photo.png"
    [report] = run(http, echo, "/digest", [(s.File(), f"{host.url}/data/photo.png")], tmp_path)
    assert report == f"photo.png|{len(state.files['photo.png'])}|{sha(state.files['photo.png'])}"


def test_async_upload_and_lazy_download(echo: GradioServer, tmp_path: Path) -> None:
    content = os.urandom(300_000)

    async def go() -> tuple[RemoteFile, RemoteFile]:
        async with httpx.AsyncClient(timeout=60) as http:
            batch = UploadBatch(endpoint="/pair")
            payload = [
                s.File().encode(content, batch),
                s.File().encode(FileSource(b"two", name="two.txt"), batch),
            ]
            await batch.aupload(http, f"{echo.url}{echo.api_prefix}/upload")
            sync_payload = batch.fill(payload)
            with httpx.Client(timeout=60) as sync_http:
                data = await asyncio.to_thread(
                    call, sync_http, echo.url, echo.api_prefix, "/pair", sync_payload
                )
            downloads = DownloadBatch(
                file_base=echo.url + echo.api_prefix, mode="lazy", directory=tmp_path
            )
            first, second = (s.File().decode(v, downloads) for v in data)
            await downloads.adownload(http)
            assert isinstance(first, RemoteFile) and isinstance(second, RemoteFile)
            assert first.local_path is None and list(tmp_path.iterdir()) == []
            await first.adownload()
            return first, second

    first, second = asyncio.run(go())
    assert first.read_bytes() == content
    # The async client is closed by now: lazy access still works with a copy of its settings.
    assert second.read_bytes() == b"two" and Path(second).name == "two.txt"


def test_result_of_one_app_is_sent_to_another(server_pool: ServerPool, tmp_path: Path) -> None:
    if len(VERSIONS) < 2:
        pytest.skip("needs two Gradio versions")
    first, second = server_pool.get("file_echo", VERSIONS[0]), server_pool.get(
        "file_echo", VERSIONS[-1]
    )
    with httpx.Client(timeout=60) as http:
        [out] = run(
            http,
            first,
            "/file",
            [(s.File(), FileSource(b"travels", name="t.txt"))],
            tmp_path,
            mode="lazy",
        )
        assert out.local_path is None
        [report] = run(http, second, "/digest", [(s.File(), out)], tmp_path)
    assert (
        report == f"t.txt|7|{sha(b'travels')}"
    )  # downloaded from the first, uploaded to the second
    assert out.downloaded


# -- password-protected app with max_file_size="64kb" -----------------------------------------


@pytest.fixture(scope="module", params=VERSIONS)
def guarded(request: pytest.FixtureRequest, server_pool: ServerPool) -> GradioServer:
    return server_pool.get("file_guarded", request.param)


def test_auth_app_round_trip(guarded: GradioServer, http: httpx.Client, tmp_path: Path) -> None:
    content = os.urandom(60_000)
    login(http, guarded.url)
    [out] = run(
        http, guarded, "/file", [(s.File(), FileSource(content, name="secret.bin"))], tmp_path
    )
    assert sha(Path(out).read_bytes()) == sha(content)


def test_auth_app_without_login(guarded: GradioServer, http: httpx.Client) -> None:
    batch = UploadBatch(endpoint="/file")
    batch.file(b"data")
    with pytest.raises(AuthenticationError, match="login"):
        batch.upload(http, f"{guarded.url}{guarded.api_prefix}/upload")


def test_server_side_size_limit(guarded: GradioServer, http: httpx.Client) -> None:
    login(http, guarded.url)
    batch = UploadBatch(endpoint="/file")  # the client does not know the limit: the server says no
    batch.file(FileSource(b"x" * 70_000, name="big.bin"))
    with pytest.raises(FileTooLargeError, match="big.bin") as caught:
        batch.upload(http, f"{guarded.url}{guarded.api_prefix}/upload")
    assert caught.value.size == 70_000 and caught.value.limit == 64 * 1024
