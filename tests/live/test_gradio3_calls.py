"""SDKs generated from real Gradio 3 servers, called as a user would: text, scalars, images,
streaming, State, progress and log messages, errors, files, apps without the queue, cancel.

Every app runs with the queue on (``tests/support/gradio3_run.py``), as on a Space. The full set
runs on 3.50.2 (``"3"``); 3.36.1 (``"3.36"``, the range's lower bound) gets a focused subset, to
keep CI within its budget (docs/gradio3.md). Comparisons with the version's own gradio_client are
in ``test_gradio3_compare.py``.
"""

from __future__ import annotations

import asyncio
import struct
import time
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from gradio_codegen import runtime as rt
from clirun import run as run_cli
from sdkgen import generate, import_module
from servers import available_gradio3_versions, start_server

GRADIO3 = available_gradio3_versions()
FULL = [v for v in GRADIO3 if v == "3"]
pytestmark = pytest.mark.skipif(not GRADIO3, reason="no Gradio 3 venv; run scripts/bootstrap g3")

_made: dict[tuple[str, str], ModuleType] = {}


def sdk(server_pool: Any, app: str, major: str, tmp_path_factory: Any) -> tuple[ModuleType, str]:
    """The SDK generated from the running app (once per app and version) and the app's URL."""
    server = server_pool.get(app, major)
    key = (app, major)
    if key not in _made:
        name = f"g3_{app}_{major.replace('.', '_')}"
        out = tmp_path_factory.mktemp("g3sdk") / f"{name}.py"
        _made[key] = import_module(generate(server.url, out), name)
    return _made[key], server.url


def png(width: int = 4, height: int = 2) -> bytes:
    """An RGB PNG whose first row grows redder to the right (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\0" + b"".join(bytes((x * 60 if y == 0 else 0, 0, 0)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_header(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type (2 RGB, 0 grey) of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    width, height, _, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, colour


@pytest.mark.parametrize("major", GRADIO3)
def test_text_sync_and_async(server_pool: Any, major: str, tmp_path_factory: Any) -> None:
    mod, url = sdk(server_pool, "text_echo", major, tmp_path_factory)
    with mod.Client(url) as client:
        assert client.echo("héllo 👋") == "héllo 👋"
        assert client.concat("a", "b", sep="-") == "a-b"
        job = client.submit_concat("x", "y")
        assert job.result(timeout=60) == "x y"
        assert job.status().code is rt.Status.FINISHED

    async def run() -> list[Any]:
        async with mod.AsyncClient(url) as client:
            return list(await asyncio.gather(*(client.concat(str(i), "z", "+") for i in range(4))))

    assert asyncio.run(run()) == ["0+z", "1+z", "2+z", "3+z"]


@pytest.mark.parametrize("major", FULL)
def test_scalars_reach_the_function_typed(
    server_pool: Any, major: str, tmp_path_factory: Any
) -> None:
    mod, url = sdk(server_pool, "scalar_inputs", major, tmp_path_factory)
    with mod.Client(url) as client:
        text = client.summarize(  # fmt: skip
            text="t", number=3, slider=7, flag=True, radio="green", dropdown="b",
            multi=["apple"], group=["x"],
        )
    assert text == {
        "text": "t",
        "number": 3,
        "slider": 7,
        "flag": True,
        "radio": "green",
        "dropdown": "b",
        "multi": ["apple"],
        "group": ["x"],
    }


@pytest.mark.parametrize("major", GRADIO3)
def test_state_lives_in_the_clients_session(
    server_pool: Any, major: str, tmp_path_factory: Any
) -> None:
    mod, url = sdk(server_pool, "state_counter", major, tmp_path_factory)
    with mod.Client(url) as first, mod.Client(url) as second:
        first.increment(2)
        first.increment(3)
        assert first.history() == "2, 5"
        assert second.history() == "(empty)", "a new client is a new session"
        first.reset_session()
        assert first.history() == "(empty)"


@pytest.mark.parametrize("major", GRADIO3)
def test_streaming_yields_each_full_value_once(
    server_pool: Any, major: str, tmp_path_factory: Any
) -> None:
    mod, url = sdk(server_pool, "streaming", major, tmp_path_factory)
    with mod.Client(url) as client:
        job = client.submit_count(3, delay=0.01)
        assert list(job) == ["0 ", "0 1 ", "0 1 2 "], "full values, not diffs; the last once"
        assert job.result() == "0 1 2 "
        assert client.count(2, delay=0.01) == "0 1 "
        two = list(client.submit_two_outputs(2))
        assert [tuple(v) for v in two][-1][0].startswith("step")

    async def run() -> list[Any]:
        async with mod.AsyncClient(url) as client:
            return [v async for v in await client.submit_count(3, delay=0.01)]

    assert asyncio.run(run()) == ["0 ", "0 1 ", "0 1 2 "]


@pytest.mark.parametrize("major", FULL)
def test_progress_logs_and_errors(server_pool: Any, major: str, tmp_path_factory: Any) -> None:
    mod, url = sdk(server_pool, "progress_errors", major, tmp_path_factory)
    with mod.Client(url) as client:
        job = client.submit_notify("hey")
        assert job.result(timeout=60) is not None
        logs = [(log.level, log.message) for log in job.status().logs]
        assert logs == [("info", "info: hey"), ("warning", "warning: hey")]
        with pytest.raises(rt.AppError) as failed:
            client.fail("x")
        assert str(failed.value).endswith("Bad input: x"), "one level of repr quotes removed"
        with pytest.raises(rt.AppError, match="does not share its details"):
            client.crash("x")
        partial = client.submit_fail_midstream(2)
        with pytest.raises(rt.AppError, match="generator failed after partial output"):
            list(partial)
        assert partial.outputs() == ["0", "1"], "the outputs before the error are kept"
        slow = client.submit_slow(3)
        assert slow.result(timeout=60) == "done 3 steps"
        # The server samples progress every 0.1 s; three 0.1 s steps leave at least one sample.
        progress = slow.status().progress
    assert [(unit.length, unit.unit, unit.desc) for unit in progress] == [(3, "steps", "working")]


@pytest.mark.parametrize("major", GRADIO3)
def test_images_go_inline_and_come_back_as_files(
    server_pool: Any, major: str, tmp_path_factory: Any, tmp_path: Path
) -> None:
    mod, url = sdk(server_pool, "image_io", major, tmp_path_factory)
    source = tmp_path / "in.png"
    source.write_bytes(png())
    with mod.Client(url, download_dir=tmp_path / "out") as client:
        flipped = client.flip(source)
        gray = client.gray(png())
    assert isinstance(flipped, rt.RemoteFile) and flipped.downloaded
    assert png_header(flipped.read_bytes())[:2] == (4, 2)
    assert flipped.read_bytes() != png(), "the app's own image, not ours echoed"
    assert png_header(gray.read_bytes()) == (4, 2, 0), "a grey PNG"
    assert gray.path.parent == tmp_path / "out"


@pytest.mark.parametrize("major", FULL)
def test_files_upload_and_download(
    server_pool: Any, major: str, tmp_path_factory: Any, tmp_path: Path
) -> None:
    mod, url = sdk(server_pool, "files_io", major, tmp_path_factory)
    hello = tmp_path / "hello.txt"
    hello.write_bytes(b"hello, gradio 3")
    other = tmp_path / "other.txt"
    other.write_bytes(b"other")
    with mod.Client(url, download_dir=tmp_path / "out") as client:
        text, stats = client.file_stats(hello)
        assert text == "hello.txt has 15 bytes\n", "the app sees the original name"
        assert stats.downloaded and stats.read_bytes() == text.encode()
        assert stats.path.parent == tmp_path / "out"
        files = client.bundle([hello, other])
        assert [f.read_bytes() for f in files] == [b"other", b"hello, gradio 3"]
        again = client.file_stats(stats)  # a result goes back in as an argument
        assert again[0] == "stats.txt has 23 bytes\n"
        gallery = client.gallery(2)
        assert [item["caption"] for item in gallery] == ["swatch 0", "swatch 1"]
        assert all(png_header(item["image"].read_bytes())[:2] == (8, 8) for item in gallery)
        mesh = client.mesh(2)
        assert mesh.read_bytes().startswith(b"v 0 0 0\nv 2")


@pytest.mark.parametrize("major", FULL)
def test_audio_and_video_come_back_as_files(
    server_pool: Any, major: str, tmp_path_factory: Any, tmp_path: Path
) -> None:
    """A 3.x Video result is a ``[video, subtitles]`` pair on the wire; the SDK gives the video as
    one ``RemoteFile``, as on 4/5/6 (gradio_client 0.6.1 also drops the subtitles). Audio results
    are plain files. The fixture app runs unchanged on 3.50.2."""
    mod, url = sdk(server_pool, "audio_video", major, tmp_path_factory)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4)
    with mod.Client(url, download_dir=tmp_path / "out") as client:
        video = client.video(clip)
        tone = client.tone(440, 0.2)
        reversed_tone = client.reverse(tone)
        info = client.audio_info(reversed_tone)
    assert isinstance(video, rt.RemoteFile) and video.downloaded
    assert video.read_bytes() == clip.read_bytes(), "the app's copy of our clip, unwrapped"
    assert video.name.endswith(".mp4") and video.mime_type == "video/mp4"
    assert tone.read_bytes()[:4] == b"RIFF" and reversed_tone.read_bytes()[:4] == b"RIFF"
    size = len(reversed_tone.read_bytes())
    assert info.endswith(f": {size} bytes"), "a result goes back in as an Audio argument"


def test_an_app_without_the_queue_answers_over_post_run(tmp_path: Path) -> None:
    server = start_server("text_echo", GRADIO3[0], args=["--no-queue"])
    try:
        mod = import_module(generate(server.url, tmp_path / "noqueue.py"), "g3_noqueue")
        with mod.Client(server.url) as client:
            assert client.echo("plain") == "plain"
            assert client.concat("a", "b", sep="/") == "a/b"

        async def run() -> str:
            async with mod.AsyncClient(server.url) as client:
                return str(await client.echo("async"))

        assert asyncio.run(run()) == "async"
    finally:
        server.stop()
    assert "/queue/join" not in server.log()


@pytest.mark.parametrize("major", FULL)
def test_cancel_closes_the_socket_and_the_session_starts_afresh(
    server_pool: Any, major: str, tmp_path_factory: Any
) -> None:
    mod, url = sdk(server_pool, "streaming", major, tmp_path_factory)
    with mod.Client(url) as client:
        job = client.submit_count(200, delay=0.05)
        first = next(iter(job))
        assert first == "0 "
        assert job.cancel() is True
        with pytest.raises(rt.JobCancelledError):
            job.result()
        assert client.count(2, delay=0.01) == "0 1 ", "the next call starts from the beginning"


@pytest.mark.parametrize("major", FULL)
def test_a_timeout_stops_the_job(server_pool: Any, major: str, tmp_path_factory: Any) -> None:
    mod, url = sdk(server_pool, "streaming", major, tmp_path_factory)
    with mod.Client(url, timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(rt.GradioTimeoutError):
            client.count(200, delay=0.05)
        assert time.monotonic() - started < 30
    with mod.Client(url) as client:
        assert client.count(1, delay=0.01) == "0 "


@pytest.mark.parametrize("major", GRADIO3)
def test_password_login(server_pool: Any, major: str, tmp_path: Path) -> None:
    """3.x login: ``POST /login`` sets the session cookies (``access-token`` on 3.36,
    ``access-token-<app id>`` on 3.50); the websocket upgrade carries them, being a request of
    the same httpx client. Without them the upgrade itself is refused."""
    server = server_pool.get("auth_app", major)
    out = tmp_path / f"g3_auth_{major.replace('.', '_')}.py"
    done = run_cli(server.url, "--auth", "user:pass", "-o", str(out))
    assert done[0] == 0, done[2]
    mod = import_module(out, out.stem)
    with mod.Client(server.url, auth=("user", "pass")) as client:
        assert client.whoami("x") == "user: x"

    async def run() -> str:
        async with mod.AsyncClient(server.url, auth=("user", "pass")) as client:
            return str(await client.whoami("y"))

    assert asyncio.run(run()) == "user: y"
    with mod.Client(server.url, auth=("user", "wrong")) as client:
        with pytest.raises(rt.AuthenticationError, match="wrong username or password"):
            client.whoami("x")
    with mod.Client(server.url) as client:
        with pytest.raises(rt.AuthenticationError):
            client.whoami("x")
