"""A hostile server cannot write outside the download directory or lure our credentials elsewhere.

Files on other origins are fetched only when the client allows it (``other_origins=True``, the
``download_other_origins`` option); the tests that follow links and redirects there opt in, and
prove that even then no credential goes along. The default refusal is in
``tests/runtime/hostile/test_files.py``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gradio_codegen.runtime import GradioError, RemoteFile, TransportError
from gradio_codegen.runtime._files._download import DownloadBatch
from malicious_server import Hostile, ServerThread

pytestmark = pytest.mark.timeout(60)

PREFIX = "/gradio_api"
SECRET = "s3cret-token-value"
EVIL_NAMES = [
    "../../evil",
    "/etc/passwd",
    "a/../../b",
    "con",
    "",
    "x" * 4000 + ".txt",
    "..",
    "..\\..\\win.ini",
    "nul\x00.txt",
    "/",
]


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[Hostile, ServerThread, ServerThread]]:
    state = Hostile()
    app = state.app()
    main, other = ServerThread(app).start(), ServerThread(app).start()
    state.other_port = other.port
    yield state, main, other
    main.stop()
    other.stop()


def _file_data(path: str, orig_name: str | None, url: str | None = None) -> dict[str, object]:
    return {
        "path": path,
        "url": url,
        "orig_name": orig_name,
        "size": None,
        "meta": {"_type": "gradio.FileData"},
    }


def _credentialed_client() -> httpx.Client:
    # A cookie without a domain is sent to every host by httpx: exactly what must not leak.
    return httpx.Client(
        headers={"x-hf-authorization": f"Bearer {SECRET}"},
        cookies={"access-token": SECRET},
        timeout=10,
    )


def _snapshot(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*")}


def _leaked(state: Hostile, port: int) -> list[str]:
    return [r.path for r in state.seen if r.port == port and SECRET in " ".join(r.headers.values())]


@pytest.mark.parametrize("mode", ["eager", "lazy"])
def test_evil_names_land_inside_the_download_dir(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path, mode: str
) -> None:
    state, main, _ = hostile
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    before = _snapshot(tmp_path)
    batch = DownloadBatch(file_base=main.url + PREFIX, mode=mode, directory=downloads)
    files = [batch.file(_file_data(f"/srv/{i}/{name}", name)) for i, name in enumerate(EVIL_NAMES)]
    paths = [name for name in EVIL_NAMES if name] + ["/srv/dir/"]
    files += [batch.file(_file_data(path, None)) for path in paths]  # names from the path only
    with httpx.Client(timeout=10) as http:
        batch.download(http)
        locals_ = [Path(os.fspath(f)) for f in files]
    assert len(set(locals_)) == len(files)  # distinct files, none overwritten
    for local in locals_:
        assert local.parent == downloads, local
        assert local.is_file() and local.read_bytes().startswith(b"payload for ")
        assert len(local.name.encode()) <= 255
    new = _snapshot(tmp_path) - before
    assert all(p == str(downloads) or p.startswith(str(downloads) + os.sep) for p in new), new
    names = {f.orig_name: Path(os.fspath(f)).name for f in files[: len(EVIL_NAMES)]}
    assert names["../../evil"] == "evil"
    assert names["/etc/passwd"] == "passwd"
    assert names["con"] == "_con"
    assert names["x" * 4000 + ".txt"].endswith(".txt")


def test_server_url_to_another_host_is_ignored(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    state, main, other = hostile
    batch = DownloadBatch(file_base=main.url + PREFIX, directory=tmp_path)
    f = batch.file(_file_data("/srv/a/report.txt", "report.txt", url=f"{other.url}/steal"))
    with _credentialed_client() as http:
        batch.download(http)
    assert f.url == f"{main.url}{PREFIX}/file=/srv/a/report.txt"
    assert f.read_bytes() == b"payload for /srv/a/report.txt"
    assert not [r for r in state.seen if r.port == other.port and r.path == "/steal"]


def test_redirect_to_another_origin_drops_credentials(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    state, main, other = hostile
    batch = DownloadBatch(file_base=main.url + PREFIX, directory=tmp_path, other_origins=True)
    f = batch.file(_file_data("redirect/1", "loot.txt"))
    with _credentialed_client() as http:
        batch.download(http)
    assert f.read_bytes() == b"stolen"  # the redirect was followed...
    assert any(r.port == main.port and SECRET in r.headers.get("cookie", "") for r in state.seen)
    assert _leaked(state, other.port) == []  # ...but without our cookie or token


def test_file_path_on_another_origin_is_fetched_without_credentials(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    state, main, other = hostile
    state.files["pic.png"] = b"\x89PNG\r\n\x1a\nfake"
    batch = DownloadBatch(
        file_base=main.url + PREFIX, mode="lazy", directory=tmp_path, other_origins=True
    )
    f = batch.file(_file_data(f"{other.url}/data/pic.png", None))
    with _credentialed_client() as http:
        batch.download(http)
        assert f.local_path is None  # lazy: nothing fetched yet
        assert f.read_bytes() == state.files["pic.png"]
    assert f.name == "pic.png" and f.mime_type == "image/png"
    assert _leaked(state, other.port) == []


def test_async_redirect_drops_credentials(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    state, main, other = hostile
    batch = DownloadBatch(file_base=main.url + PREFIX, directory=tmp_path, other_origins=True)
    f = batch.file(_file_data("redirect/2", "../loot.txt"))

    async def go() -> None:
        async with httpx.AsyncClient(
            headers={"x-hf-authorization": f"Bearer {SECRET}"}, cookies={"access-token": SECRET}
        ) as http:
            await batch.adownload(http)

    asyncio.run(go())
    assert Path(os.fspath(f)) == tmp_path / "loot.txt"
    assert _leaked(state, other.port) == []


def test_http_error_is_a_clear_transport_error(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    _, main, other = hostile
    batch = DownloadBatch(file_base=main.url + PREFIX, directory=tmp_path, other_origins=True)
    batch.file(_file_data(f"{other.url}/data/missing.bin", "missing.bin"))
    with httpx.Client(timeout=10) as http, pytest.raises(TransportError, match="missing.bin.*404"):
        batch.download(http)
    assert list(tmp_path.iterdir()) == []  # no half-written file left behind


def test_never_mode_explains_itself(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    _, main, _ = hostile
    batch = DownloadBatch(file_base=main.url + PREFIX, mode="never", directory=tmp_path)
    f = batch.file(_file_data("/srv/n.txt", "n.txt"))
    with httpx.Client(timeout=10) as http:
        batch.download(http)
        assert list(tmp_path.iterdir()) == []
        with pytest.raises(GradioError, match="download='never'.*download\\(\\)"):
            os.fspath(f)
        assert f.download().read_bytes() == b"payload for /srv/n.txt"
    assert isinstance(f, RemoteFile) and f.downloaded


def test_download_progress_callback(
    hostile: tuple[Hostile, ServerThread, ServerThread], tmp_path: Path
) -> None:
    from gradio_codegen.runtime._files._progress import TransferProgress

    state, main, _ = hostile
    state.files["big.bin"] = os.urandom(1_000_000)
    events: list[TransferProgress] = []
    batch = DownloadBatch(file_base=main.url + PREFIX, directory=tmp_path, progress=events.append)
    f = batch.file(_file_data(f"{main.url}/data/big.bin", "big.bin"))
    with httpx.Client(timeout=10) as http:
        batch.download(http)
    assert f.read_bytes() == state.files["big.bin"]
    assert events and events[-1].done == events[-1].total == 1_000_000 and events[-1].finished
    assert {(e.direction, e.name) for e in events} == {("download", "big.bin")}
    assert [e.done for e in events] == sorted(e.done for e in events)
