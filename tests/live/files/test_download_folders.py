"""Where result files land, against live Gradio 4, 5 and 6 apps: a streaming endpoint's last file
is fetched once (its final result repeats it), and the temporary download folder goes when the
client closes -- unless the user chose the folder.

The app is ``streaming_files_app.py`` beside this file; its SDK is generated from the running app.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import ModuleType

import pytest

from gradio_codegen.runtime import RemoteFile
from sdkgen import generate, import_module
from servers import GradioServer, available_versions, start_server

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]

APP = Path(__file__).resolve().parent / "streaming_files_app.py"


@pytest.fixture(scope="module", params=available_versions())
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GradioServer, ModuleType]:
    server = start_server(APP, request.param)
    request.addfinalizer(server.stop)
    name = f"streaming_files_g{request.param}_sdk"
    out = generate(server.url, tmp_path_factory.mktemp("sdk") / f"{name}.py")
    return server, import_module(out, name)


def _folder(files: list[RemoteFile]) -> Path:
    folders = {Path(f.path).parent for f in files}
    assert len(folders) == 1, folders
    return folders.pop()


def test_a_streamed_file_is_fetched_once(app: tuple[GradioServer, ModuleType]) -> None:
    server, sdk = app
    with sdk.Client(server.url, timeout=60) as client:
        job = client.submit_frames(3)
        updates = list(job)
        final = job.result()
        assert final.path == updates[-1].path  # the same file, not a second copy
        folder = _folder([*updates, final])
        assert len(os.listdir(folder)) == 3 == len({u.path for u in updates})
        assert final.read_bytes() == updates[-1].read_bytes()
        assert job.outputs()[-1].path == final.path

        reports = client.submit_reports(3)
        texts = [u.read_bytes() for u in reports]
        assert texts == [b"report 0\n", b"report 1\n", b"report 2\n"]
        assert reports.result().name == "report_2.txt"
        assert sorted(p.name for p in folder.iterdir() if p.suffix == ".txt") == [
            "report_0.txt",
            "report_1.txt",
            "report_2.txt",
        ]


def test_a_streamed_file_is_fetched_once_async(app: tuple[GradioServer, ModuleType]) -> None:
    server, sdk = app

    async def run() -> tuple[list[RemoteFile], RemoteFile, list[str]]:
        async with sdk.AsyncClient(server.url, timeout=60) as client:
            job = await client.submit_frames(3)
            updates = [u async for u in job]
            final = await job.result()
            return updates, final, sorted(os.listdir(_folder([*updates, final])))

    updates, final, listed = asyncio.run(run())
    assert final.local_path == updates[-1].local_path
    assert len(listed) == 3


def test_the_temporary_folder_goes_when_the_client_closes(
    app: tuple[GradioServer, ModuleType],
) -> None:
    server, sdk = app
    client = sdk.Client(server.url, timeout=60)
    note = client.one_file("kept until close")
    copy = client.with_options(timeout=30).one_file("a copy shares the folder")
    folder = _folder([note, copy])
    assert note.read_bytes() == b"kept until close"
    client.close()
    assert not folder.exists()

    async def run() -> Path:
        async with sdk.AsyncClient(server.url, timeout=60) as aclient:
            note = await aclient.one_file("async")
            assert Path(note.path).read_bytes() == b"async"
            return Path(note.path).parent

    assert not asyncio.run(run()).exists()


def test_a_folder_the_user_chose_is_kept(
    app: tuple[GradioServer, ModuleType], tmp_path: Path
) -> None:
    server, sdk = app
    with sdk.Client(server.url, timeout=60, download_dir=tmp_path) as client:
        note = client.one_file("mine")
        updates = list(client.submit_frames(2))
    assert Path(note.path).parent == tmp_path
    assert note.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["note.txt", *(Path(u.path).name for u in updates)]
    )


def test_a_lazy_file_read_after_close_still_arrives(
    app: tuple[GradioServer, ModuleType],
) -> None:
    server, sdk = app
    with sdk.Client(server.url, timeout=60, download="lazy") as client:
        note = client.one_file("later")
        assert note.local_path is None
    assert note.read_bytes() == b"later"  # fetched after close, removed at exit
