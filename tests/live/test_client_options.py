"""Client options for Spaces, tokens and files, on real Gradio apps (and the Hub stand-in).

``trusted_hosts``, ``space_timeout``/``on_space_stage``, ``duplicate``, ``progress``,
``remote_urls``, and file errors that name the argument they came from.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import huggingface_hub.constants as hf_constants
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from hub_standin import OWNER, VALID_TOKEN, HubStandin, SpaceGateway, StandinSpace, ThreadServer
from servers import GradioServer, ServerPool

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]

SECRET = "hf_trustedHostsOption0123456789abc"
REMOTE_CSV = b"remote,csv\n1,2\n"
ECHO: rt.Endpoint[str] = rt.Endpoint(
    "/echo",
    fn_index=None,
    inputs=(rt.Param("text", s.Str()),),
    outputs=(rt.Output("output", s.Str()),),
)
FILE: rt.Endpoint[rt.RemoteFile] = rt.Endpoint(
    "/file",
    fn_index=None,
    inputs=(rt.Param("upload", s.File()),),
    outputs=(rt.Output("output", s.File()),),
)
DIGEST: rt.Endpoint[str] = rt.Endpoint(
    "/digest",
    fn_index=None,
    inputs=(rt.Param("document", s.File()),),
    outputs=(rt.Output("output", s.Str()),),
)
PAIR: rt.Endpoint[tuple[rt.RemoteFile, rt.RemoteFile]] = rt.Endpoint(
    "/pair",
    fn_index=None,
    inputs=(rt.Param("first", s.File()), rt.Param("second", s.File())),
    outputs=(rt.Output("a", s.File()), rt.Output("b", s.File())),
    result=lambda a, b: (a, b),
)


class EchoClient(rt.Client):
    """What the generator writes for text_echo on Gradio 6; subclasses say where the app is."""

    def echo(self, text: str) -> str:
        return self._predict(ECHO, text)


class EchoAsyncClient(rt.AsyncClient):
    async def echo(self, text: str) -> str:
        return await self._predict(ECHO, text)


class FileClient(rt.Client):
    """What the generator writes for file_echo / file_guarded."""

    def file(self, upload: rt.FileInput) -> rt.RemoteFile:
        return self._predict(FILE, upload)

    def digest(self, document: rt.FileInput) -> str:
        return self._predict(DIGEST, document)

    def pair(
        self, first: rt.FileInput, second: rt.FileInput
    ) -> tuple[rt.RemoteFile, rt.RemoteFile]:
        return self._predict(PAIR, first, second)


def echo_client(src: str, *, space_id: str | None = None) -> type[EchoClient]:
    class Client(EchoClient):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(
            src=src, api_prefix="/gradio_api", gradio_version="6.31.0", space_id=space_id
        )

    return Client


def echo_async_client(src: str) -> type[EchoAsyncClient]:
    class AsyncClient(EchoAsyncClient):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(
            src=src, api_prefix="/gradio_api", gradio_version="6.31.0", space_id=src
        )

    return AsyncClient


def file_client(server: GradioServer, *, max_file_size: int | None = None) -> type[FileClient]:
    class Client(FileClient):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(
            src=server.url, api_prefix=server.api_prefix, max_file_size=max_file_size
        )

    return Client


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def joins(gateway: SpaceGateway) -> list[dict[str, str]]:
    return [x.headers for x in gateway.seen if "/call/" in x.path]  # joins, by name


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStandin]:
    standin = HubStandin().start()
    monkeypatch.setenv("HF_ENDPOINT", standin.url)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def echo6(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("text_echo", "6")


@pytest.fixture
def recorder(echo6: GradioServer) -> Iterator[SpaceGateway]:
    """A proxy in front of a real app that records every request's headers."""
    gateway = SpaceGateway(StandinSpace("none/recorder", echo6.url))
    gateway.server.start()
    yield gateway
    gateway.server.stop()


# -- trusted_hosts ----------------------------------------------------------------------------------


def test_trusted_hosts_let_the_token_and_ip_token_reach_exactly_the_named_host(
    recorder: SpaceGateway,
) -> None:
    port = recorder.server.port
    Client = echo_client(recorder.server.url)
    with rt.forward_headers({"x-ip-token": "end-user"}):
        with Client(token=SECRET) as client:
            assert client.echo("none") == "none"
        with Client(token=SECRET, trusted_hosts=[f"127.0.0.1:{port + 1}"]) as client:
            assert client.echo("other port") == "other port"
        with Client(token=SECRET, trusted_hosts=[f"https://127.0.0.1:{port}"]) as client:
            assert client.echo("other scheme") == "other scheme"
        with Client(token=SECRET, trusted_hosts=f"127.0.0.1:{port}") as client:
            assert client.echo("trusted") == "trusted"
    untrusted, other_port, other_scheme, trusted = joins(recorder)
    for headers in (untrusted, other_port, other_scheme):
        assert not any(SECRET in v for v in headers.values()) and "x-ip-token" not in headers
    assert trusted["x-hf-authorization"] == f"Bearer {SECRET}"
    assert trusted["x-ip-token"] == "end-user"


def test_trusted_hosts_entries_are_checked_at_construction() -> None:
    Client = echo_client("http://127.0.0.1:9")
    with pytest.raises(rt.InputError, match="trusted_hosts"):
        Client(trusted_hosts=["127.0.0.1", ""])
    with pytest.raises(rt.InputError, match="trusted_hosts"):
        Client(trusted_hosts=[None])  # type: ignore[list-item]


def test_a_space_host_is_trusted_on_its_port_only(
    hub: HubStandin, echo6: GradioServer, recorder: SpaceGateway
) -> None:
    """The Space's host and another app on the same machine: only the Space gets the token."""
    hub.add_space("acme/private", echo6.url, private=True, sdk_version="6.31.0")
    with echo_client("acme/private")(token=VALID_TOKEN) as client:
        assert client.echo("space") == "space"
    with echo_client(recorder.server.url)(token=VALID_TOKEN) as client:
        assert client.echo("neighbour") == "neighbour"
    assert joins(hub.gateways["acme/private"])[0]["x-hf-authorization"] == f"Bearer {VALID_TOKEN}"
    assert not any(VALID_TOKEN in v for h in joins(recorder) for v in h.values())


# -- Spaces: waiting and duplicating ----------------------------------------------------------------


def test_space_timeout_bounds_the_wait_and_on_space_stage_sees_each_check(
    hub: HubStandin, echo6: GradioServer
) -> None:
    hub.add_space("acme/stuck", echo6.url, stages=["BUILDING"])
    seen: list[rt.SpaceStatus] = []
    started = time.monotonic()
    with echo_client("acme/stuck")(space_timeout=1.0, on_space_stage=seen.append) as client:
        with pytest.raises(rt.SpaceNotRunningError, match="still BUILDING after 1s"):
            client.echo("x")
    assert time.monotonic() - started < 15  # not the resolver's default of 300 s
    assert seen and {st.stage for st in seen} == {"BUILDING"}
    assert {(st.space_id, st.timeout) for st in seen} == {("acme/stuck", 1.0)}

    async def wait_async() -> None:
        async with echo_async_client("acme/stuck")(space_timeout=0.5) as client:
            await client.echo("x")

    with pytest.raises(rt.SpaceNotRunningError, match="after 0.5s"):
        asyncio.run(wait_async())
    with pytest.raises(ValueError, match="space_timeout"):
        echo_client("acme/stuck")(space_timeout=-1)


def test_duplicate_copies_the_generated_space_and_returns_a_client_for_the_copy(
    hub: HubStandin, echo6: GradioServer
) -> None:
    hub.add_space("acme/echo", echo6.url, sdk_version="6.31.0")
    Client = echo_client("acme/echo", space_id="acme/echo")
    stages: list[str] = []
    with Client.duplicate(
        token=VALID_TOKEN,
        hardware="t4-small",
        secrets={"API_KEY": "s3cret"},
        on_space_stage=lambda st: stages.append(st.stage),
        timeout=30,
    ) as client:
        assert type(client) is Client and client.src == f"{OWNER}/echo"
        assert client.echo("copy") == "copy"  # waited for the build, called with the token
    copy = hub.spaces[f"{OWNER}/echo"]
    assert copy.private and copy.duplicated_with is not None
    assert copy.duplicated_with["hardware"] == "t4-small"
    assert copy.duplicated_with["secrets"] == [{"key": "API_KEY", "value": "s3cret"}]
    assert stages and set(stages) == {"BUILDING"}
    assert joins(hub.gateways[copy.id])[0]["x-hf-authorization"] == f"Bearer {VALID_TOKEN}"


def test_async_duplicate_and_a_misspelt_option_that_makes_no_copy(
    hub: HubStandin, echo6: GradioServer
) -> None:
    hub.add_space("acme/echo", echo6.url, sdk_version="6.31.0")
    AsyncClient = echo_async_client("acme/echo")

    async def run() -> tuple[str, str]:
        client = await AsyncClient.duplicate(
            "acme/echo", "async-copy", token=VALID_TOKEN, private=False
        )
        async with client:
            return client.src, await client.echo("async copy")

    assert asyncio.run(run()) == (f"{OWNER}/async-copy", "async copy")
    assert hub.spaces[f"{OWNER}/async-copy"].private is False

    with pytest.raises(TypeError, match="timeuot"):
        echo_client("acme/echo").duplicate(to_id="typo", token=VALID_TOKEN, timeuot=5)
    assert f"{OWNER}/typo" not in hub.spaces
    with pytest.raises(rt.InputError, match="not a Space id"):
        echo_client("http://127.0.0.1:9").duplicate(token=VALID_TOKEN)


# -- files: progress, remote URLs, which argument ---------------------------------------------------


@pytest.fixture(scope="module")
def files6(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("file_echo", "6")


def test_progress_reports_uploads_and_downloads_and_with_options_turns_it_off(
    files6: GradioServer, tmp_path: Path
) -> None:
    events: list[rt.TransferProgress] = []
    content = os.urandom(300_000)
    with file_client(files6)(progress=events.append, download_dir=tmp_path) as client:
        out = client.file(rt.FileSource(content, name="blob.bin"))
        assert out.read_bytes() == content
        ups = [e for e in events if e.direction == "upload"]
        downs = [e for e in events if e.direction == "download"]
        assert ups and {e.name for e in ups} == {"blob.bin"}
        assert ups[-1].done == ups[-1].total == len(content) and ups[-1].finished
        assert [e.done for e in ups] == sorted(e.done for e in ups)
        assert downs and downs[-1].done == len(content)

        events.clear()
        quiet = client.with_options(progress=None)
        assert quiet.file(b"quiet").read_bytes() == b"quiet"
        assert events == []
        assert client.file(b"loud").read_bytes() == b"loud"  # the original keeps its callback
        assert {e.direction for e in events} == {"upload", "download"}
    with pytest.raises(ValueError, match="progress"):
        file_client(files6)(progress="yes")  # type: ignore[arg-type]


def test_async_client_reports_progress(files6: GradioServer, tmp_path: Path) -> None:
    events: list[rt.TransferProgress] = []

    class AsyncClient(rt.AsyncClient):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(src=files6.url, api_prefix=files6.api_prefix)

        async def file(self, upload: rt.FileInput) -> rt.RemoteFile:
            return await self._predict(FILE, upload)

    async def run() -> bytes:
        async with AsyncClient(progress=events.append, download_dir=tmp_path) as client:
            return (await client.file(b"async bytes")).read_bytes()

    assert asyncio.run(run()) == b"async bytes"
    assert {(e.direction, e.done) for e in events if e.finished} == {
        ("upload", 11),
        ("download", 11),
    }


@pytest.fixture
def file_host() -> Iterator[tuple[str, list[str]]]:
    """A plain HTTP server with one file; records the user agent of every request."""
    agents: list[str] = []

    async def serve(request: Request) -> Response:
        agents.append(request.headers.get("user-agent", ""))
        return Response(REMOTE_CSV, media_type="text/csv")

    server = ThreadServer(Starlette(routes=[Route("/data.csv", serve)])).start()
    yield f"{server.url}/data.csv", agents
    server.stop()


def test_remote_urls_upload_fetches_here_and_pass_leaves_it_to_the_server(
    files6: GradioServer, file_host: tuple[str, list[str]]
) -> None:
    url, agents = file_host
    gateway = SpaceGateway(StandinSpace("none/files", files6.url))
    gateway.server.start()
    try:
        Client = file_client(files6)
        with Client(gateway.server.url) as client:
            assert client.digest(url) == f"data.csv|{len(REMOTE_CSV)}|{sha(REMOTE_CSV)}"
            uploads = [x for x in gateway.seen if x.path.endswith("/upload")]
            assert len(uploads) == 1 and len(agents) == 1

            gateway.seen.clear()
            passing = client.with_options(remote_urls="pass")
            try:
                passing.digest(url)
            except rt.AppError:
                pass  # the app may refuse to fetch a loopback URL itself; what matters is below
            assert not [x for x in gateway.seen if x.path.endswith("/upload")]
            joined = [x for x in gateway.seen if "/call/" in x.path]
            assert len(joined) == 1
        with pytest.raises(ValueError, match="remote_urls"):
            Client(remote_urls="fetch")  # type: ignore[arg-type]
    finally:
        gateway.server.stop()


@pytest.fixture(scope="module")
def guarded6(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("file_guarded", "6")


@pytest.mark.parametrize("known_limit", [True, False], ids=["checked-here", "refused-by-server"])
def test_a_file_error_names_the_argument_it_came_from(
    guarded6: GradioServer, tmp_path: Path, known_limit: bool
) -> None:
    limit = 64 * 1024
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (limit + 1))
    Client = file_client(guarded6, max_file_size=limit if known_limit else None)
    with Client(auth=("user", "pass"), download_dir=tmp_path / "out") as client:
        with pytest.raises(rt.FileTooLargeError) as caught:
            client.pair(b"small", big)
        assert caught.value.parameter == "second" and caught.value.endpoint == "/pair"
        with pytest.raises(rt.FileTooLargeError) as caught:
            client.pair(big, b"small")
        assert caught.value.parameter == "first"
        with pytest.raises(rt.InputError, match="no such file") as missing:
            client.pair(b"small", str(tmp_path / "missing.txt"))
        assert missing.value.parameter == "second"
        a, b = client.pair(b"left", b"right")  # the client still works after refusals
        assert (a.read_bytes(), b.read_bytes()) == (b"left", b"right")
