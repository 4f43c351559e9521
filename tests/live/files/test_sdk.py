"""Files through a generated SDK and the real client, against live Gradio 4, 5 and 6 apps.

The SDK is generated from the running app with the ``gradio-codegen`` command, imported, and called
the way a user would: paths, bytes, streams and earlier results in; ``RemoteFile`` out.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

from gradio_codegen.runtime import FileSource, FileTooLargeError, GradioError, RemoteFile
from sdkgen import generate, import_module
from servers import GradioServer, ServerPool, available_versions

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]
VERSIONS = available_versions()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sdk(server: GradioServer, folder: Path, *extra: str) -> ModuleType:
    name = f"{server.app}_g{server.major}_files_sdk"
    out = folder / f"{name}.py"
    if extra:
        import subprocess

        from sdkgen import CLI

        subprocess.run(
            [str(CLI), "generate", server.url, *extra, "-o", str(out)], check=True, timeout=120
        )
    else:
        generate(server.url, out)
    return import_module(out, name)


@pytest.fixture(scope="module", params=VERSIONS)
def echo(
    request: pytest.FixtureRequest,
    server_pool: ServerPool,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[GradioServer, ModuleType]:
    server = server_pool.get("file_echo", request.param)
    return server, _sdk(server, tmp_path_factory.mktemp("sdk"))


def test_sdk_round_trip(echo: tuple[GradioServer, ModuleType], tmp_path: Path) -> None:
    server, sdk = echo
    (tmp_path / "naïve 名前.csv").write_bytes(b"a,b\n1,2\n")
    (tmp_path / "LICENSE").write_bytes(b"")
    blob = os.urandom(200_000)
    with sdk.Client(server.url, download_dir=tmp_path / "out") as client:
        out = client.files(
            [
                tmp_path / "naïve 名前.csv",
                str(tmp_path / "LICENSE"),
                blob,
                io.BytesIO(b"stream"),
                FileSource(b"{}", name="data.json"),
            ]
        )
        assert all(isinstance(f, RemoteFile) for f in out)
        assert [f.name for f in out] == ["naïve 名前.csv", "LICENSE", "file", "file", "data.json"]
        contents = [Path(f).read_bytes() for f in out]
        assert [sha(c) for c in contents] == [
            sha(b"a,b\n1,2\n"),
            sha(b""),
            sha(blob),
            sha(b"stream"),
            sha(b"{}"),
        ]
        assert {Path(f).parent for f in out} == {tmp_path / "out"}
        # A result goes back to the app by its server path: the server sees the same bytes.
        assert client.digest(out[2]) == f"file|{len(blob)}|{sha(blob)}"
        a, b = client.pair(b"left", tmp_path / "LICENSE")
        assert (a.read_bytes(), b.read_bytes()) == (b"left", b"")


def test_sdk_default_directory_is_one_per_client_under_tmp(
    echo: tuple[GradioServer, ModuleType],
) -> None:
    server, sdk = echo
    with sdk.Client(server.url) as client, sdk.Client(server.url) as other:
        first = client.file(b"one")
        second = client.with_options(download="eager").file(b"one")
        elsewhere = other.file(b"one")
    assert Path(first).parent == Path(second).parent != Path(elsewhere).parent
    assert Path(first).is_relative_to(tempfile.gettempdir())
    assert Path(first) != Path(second) and first.read_bytes() == second.read_bytes() == b"one"


def test_sdk_lazy_and_never(echo: tuple[GradioServer, ModuleType], tmp_path: Path) -> None:
    server, sdk = echo
    with sdk.Client(server.url, download="lazy", download_dir=tmp_path) as client:
        lazy = client.file(b"lazy bytes")
        assert lazy.local_path is None and list(tmp_path.iterdir()) == []
        assert open(lazy, "rb").read() == b"lazy bytes"  # os.fspath() fetched it
        never = client.with_options(download="never").file(b"never bytes")
        with pytest.raises(GradioError, match="download='never'"):
            os.fspath(never)
        assert never.url.startswith(server.url) and never.size == len(b"never bytes")
        assert never.download(tmp_path / "explicit").read_bytes() == b"never bytes"
    # Lazy files still download after the client is closed.
    late = lazy
    late_copy = late.download(tmp_path / "again")
    assert late_copy.read_bytes() == b"lazy bytes"


def test_sdk_async(echo: tuple[GradioServer, ModuleType], tmp_path: Path) -> None:
    server, sdk = echo
    content = os.urandom(150_000)

    async def go() -> tuple[bytes, bytes]:
        async with sdk.AsyncClient(server.url, download="lazy", download_dir=tmp_path) as client:
            a, b = await client.pair(content, FileSource(io.BytesIO(b"second"), name="second.txt"))
            assert a.local_path is None
            await a.adownload()
            await b.adownload()
            return a.read_bytes(), b.read_bytes()

    assert asyncio.run(go()) == (content, b"second")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "second.txt"]


@pytest.fixture(scope="module", params=VERSIONS)
def guarded(
    request: pytest.FixtureRequest,
    server_pool: ServerPool,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[GradioServer, ModuleType]:
    server = server_pool.get("file_guarded", request.param)
    return server, _sdk(server, tmp_path_factory.mktemp("sdk"), "--auth", "user:pass")


def test_sdk_auth_and_max_file_size(
    guarded: tuple[GradioServer, ModuleType], tmp_path: Path
) -> None:
    server, sdk = guarded
    assert sdk.APP.max_file_size == 64 * 1024
    with sdk.Client(server.url, auth=("user", "pass"), download_dir=tmp_path) as client:
        content = os.urandom(64 * 1024)
        assert sha(client.file(content).read_bytes()) == sha(content)
        big = tmp_path / "big.bin"
        big.write_bytes(b"x" * (64 * 1024 + 1))
        with pytest.raises(FileTooLargeError, match="big.bin.*max_file_size") as caught:
            client.file(big)
        assert caught.value.endpoint == "/file"
