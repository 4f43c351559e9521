"""Files and results survive a hostile app (issue #10, items 1, 7, 8 and 6-upload).

Each test plays one attack through a checked-in SDK against ``hostile_app`` (a stdlib stand-in for a
Gradio 6 app on 127.0.0.1), with the sync and the async client, and checks what a user would: the
typed error they get, what reached the app (``seen``, ``uploads``), what landed on disk.
"""

from __future__ import annotations

import asyncio
import os
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from hostile_app import PREFIX, Handler, HostileApp, example_sdk

pytestmark = pytest.mark.timeout(120)

FLAVOURS = ["sync", "async"]
FILES_IO = example_sdk("files_io")
TEXT_ECHO = example_sdk("text_echo")
MESH, BUNDLE = 3, 1  # fn_index of files_io's /mesh (one File out) and /bundle (a list of Files)


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as running:
        yield running


@pytest.fixture
def other() -> Iterator[HostileApp]:
    """Another server on the user's network that the app would like the client to request."""
    with HostileApp() as running:
        running.routes[("GET", "/admin")] = lambda h: h.send_bytes(200, b"admin page")
        yield running


def call(sdk: ModuleType, flavour: str, url: str, method: str, *args: Any, **options: Any) -> Any:
    """``method(*args)`` through a fresh sync or async client of ``sdk`` (timeout 60 s unless
    given: generous, for a loaded machine)."""
    options.setdefault("timeout", 60)
    if flavour == "sync":
        with sdk.Client(url, **options) as client:
            return getattr(client, method)(*args)

    async def go() -> Any:
        async with sdk.AsyncClient(url, **options) as client:
            return await getattr(client, method)(*args)

    return asyncio.run(go())


def file_data(path: str, name: str | None = None, size: int | None = None) -> dict[str, Any]:
    return {
        "path": path,
        "url": None,
        "size": size,
        "orig_name": name,
        "mime_type": None,
        "is_stream": False,
        "meta": {"_type": "gradio.FileData"},
    }


def answering(value: Any) -> Callable[[int, list[Any]], list[Any]]:
    """An ``answer`` hook: every job's single output is ``value``."""
    return lambda fn_index, data: [value]


def serve_files_in_one_write(app: HostileApp) -> None:
    """Answer ``{P}/file=`` from ``app.files`` with headers and body in one write: the default
    handler writes them apart, and Nagle's algorithm then holds every small body for a delayed ACK
    (about 40 ms a file)."""

    def handler(h: Handler) -> None:
        body = app.files[h.route[len(f"{PREFIX}/file=") :]]
        h.raw(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))

    app.routes[("GET", f"{PREFIX}/file=")] = handler


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- 1. a File result is never a local path ------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_bare_path_for_a_file_output_is_refused_and_nothing_local_is_uploaded(
    app: HostileApp, tmp_path: Path, flavour: str
) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY----- not for the app")
    app.answer = answering(str(secret))  # a "file" that is a path on the *user's* machine
    with pytest.raises(rt.ProtocolError, match=r"/mesh: output 'mesh': expected a file .*\(str\)"):
        call(FILES_IO, flavour, app.url, "mesh", 1.0, download_dir=tmp_path / "dl")
    # The chaining step (the result passed to another file input) never gets a string to upload.
    app.answer = answering(file_data("/srv/out.txt", "out.txt"))
    app.files["/srv/out.txt"] = b"from the app"
    result = call(FILES_IO, flavour, app.url, "mesh", 1.0, download_dir=tmp_path / "dl")
    assert isinstance(result, rt.RemoteFile) and result.read_bytes() == b"from the app"
    assert not any(b"PRIVATE KEY" in body for body in app.uploads)


# -- 8. results of the wrong type are a ProtocolError, the real Gradio forms still work ------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("sdk", "method", "args", "sent", "expected"),
    [
        (TEXT_ECHO, "echo", ("hi",), 42, r"'output'.*expected a str, got 42 \(int\)"),
        (TEXT_ECHO, "echo", ("hi",), {"a": 1}, r"expected a str, got \{'a': 1\} \(dict\)"),
        (FILES_IO, "mesh", (1.0,), 7, r"'mesh'.*expected a file.*got 7 \(int\)"),
        (FILES_IO, "bundle", ([b"x"],), [file_data("/a"), "/etc/passwd"], r"\[1\].*\(str\)"),
        (FILES_IO, "mesh", (1.0,), {"path": 5, "meta": {"_type": "gradio.FileData"}}, "'path'"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_protocol_error(
    app: HostileApp,
    tmp_path: Path,
    flavour: str,
    sdk: ModuleType,
    method: str,
    args: tuple[Any, ...],
    sent: Any,
    expected: str,
) -> None:
    app.answer = answering(sent)
    with pytest.raises(rt.ProtocolError, match=expected):
        call(sdk, flavour, app.url, method, *args, download_dir=tmp_path)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"__type__": "update", "value": "changed", "visible": True}, "changed"),
        ({"__type__": "update", "visible": False}, None),
        (None, None),
    ],
)
def test_updates_and_empty_outputs_still_decode(
    app: HostileApp, flavour: str, sent: Any, expected: Any
) -> None:
    app.answer = answering(sent)
    assert call(TEXT_ECHO, flavour, app.url, "echo", "hi") == expected


# -- 7. downloads: only from the app's origin, bounded in size ---------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("mode", ["eager", "lazy"])
def test_a_link_to_another_origin_is_not_fetched_unless_allowed(
    app: HostileApp, other: HostileApp, tmp_path: Path, flavour: str, mode: str
) -> None:
    app.answer = answering(file_data(f"{other.url}/admin", "report.txt"))
    result = call(FILES_IO, flavour, app.url, "mesh", 1.0, download=mode, download_dir=tmp_path)
    assert isinstance(result, rt.RemoteFile) and result.url == f"{other.url}/admin"
    with pytest.raises(rt.OtherOriginError, match="download_other_origins=True") as caught:
        result.read_bytes()
    assert caught.value.origin == other.url  # where the file is, never its path
    assert other.seen == [] and files_in(tmp_path) == []

    allowed = call(
        FILES_IO,
        flavour,
        app.url,
        "mesh",
        1.0,
        download=mode,
        download_dir=tmp_path,
        download_other_origins=True,
        headers={"x-user-secret": "s3cret"},
    )
    assert allowed.read_bytes() == b"admin page"
    assert [s.path for s in other.seen] == ["/admin"]
    assert "x-user-secret" not in other.seen[0].headers  # fetched bare, without credentials


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_redirect_to_another_origin_is_not_followed_unless_allowed(
    app: HostileApp, other: HostileApp, tmp_path: Path, flavour: str
) -> None:
    app.answer = answering(file_data("/srv/report.txt", "report.txt"))
    app.routes[("GET", f"{PREFIX}/file=")] = lambda h: h.redirect(f"{other.url}/admin")
    with pytest.raises(rt.OtherOriginError, match="redirected to http://127.0.0.1"):
        call(FILES_IO, flavour, app.url, "mesh", 1.0, download_dir=tmp_path)
    assert other.seen == [] and files_in(tmp_path) == []
    result = call(
        FILES_IO, flavour, app.url, "mesh", 1.0, download_dir=tmp_path, download_other_origins=True
    )
    assert result.read_bytes() == b"admin page"


def _endless(h: Handler) -> None:
    """A file body that does not end (no length, closed only by the client)."""
    h.close_connection = True
    h.send_response(200)
    h.send_header("content-type", "application/octet-stream")
    h.end_headers()
    chunk = b"A" * 65536
    for _ in range(1024):  # 64 MiB at most, should the client not stop
        h.raw(chunk)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_file_stops_a_small_margin_past_its_declared_size(
    app: HostileApp, tmp_path: Path, flavour: str
) -> None:
    app.answer = answering(file_data("/srv/small.bin", "small.bin", size=10))
    app.routes[("GET", f"{PREFIX}/file=")] = _endless
    with pytest.raises(rt.ProtocolError, match="declared 10 bytes but sent"):
        call(FILES_IO, flavour, app.url, "mesh", 1.0, download_dir=tmp_path)
    assert files_in(tmp_path) == []  # the partial file is gone


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """32 MiB of zeros in about 32 KB of gzip: small enough to arrive in one network read, which
    a decoder that inflates each read whole would turn into 32 MiB at once."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    body = b"".join(packer.compress(zeros) for _ in range(32)) + packer.flush()
    assert len(body) < 64 * 1024
    return body


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_gzip_bomb_stops_at_max_download_size_in_bounded_memory(
    app: HostileApp, tmp_path: Path, flavour: str, bomb: bytes
) -> None:
    app.answer = answering(file_data("/srv/bomb.bin", "bomb.bin"))
    app.routes[("GET", f"{PREFIX}/file=")] = lambda h: h.send_bytes(
        200, bomb, headers={"content-encoding": "gzip"}
    )
    tracemalloc.start()
    try:
        with pytest.raises(rt.FileTooLargeError, match="max_download_size") as caught:
            call(
                FILES_IO,
                flavour,
                app.url,
                "mesh",
                1.0,
                download_dir=tmp_path,
                max_download_size=1 << 20,
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.limit == 1 << 20 and caught.value.size > 1 << 20
    assert caught.value.direction == "download" and not isinstance(caught.value, rt.InputError)
    assert files_in(tmp_path) == []
    assert peak < 16 << 20, f"peak {peak >> 20} MiB while refusing a 32 MiB bomb"


# -- 8. names: linear for many twins, no bidi tricks, no hidden files ------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_many_files_of_one_name_are_named_in_linear_time(
    app: HostileApp, tmp_path: Path, flavour: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = 200
    results = [file_data(f"/srv/{i}/same.txt", "same.txt") for i in range(count)]
    app.files.update({f"/srv/{i}/same.txt": str(i).encode() for i in range(count)})
    app.answer = answering(results)
    serve_files_in_one_write(app)
    folder = tmp_path / "dl"
    folder.mkdir()
    (folder / "same.txt").write_bytes(b"the user's own file")
    opens: list[str] = []
    real_open = os.open

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(folder)):
            opens.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    got = call(FILES_IO, flavour, app.url, "bundle", [b"x"], download_dir=folder)
    assert sorted(f.read_bytes() for f in got) == sorted(str(i).encode() for i in range(count))
    assert len({Path(os.fspath(f)) for f in got}) == count
    assert (folder / "same.txt").read_bytes() == b"the user's own file"
    assert len(opens) <= 2 * count, f"{len(opens)} file creations tried for {count} files"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_download_names_lose_bidi_controls_and_leading_dots(
    app: HostileApp, tmp_path: Path, flavour: str
) -> None:
    sent = {"/srv/1/x": "\u202egnp.exe", "/srv/2/x": ".bashrc", "/srv/3/x": "\u200f.\u2066profile"}
    app.files.update({path: b"data" for path in sent})
    app.answer = answering([file_data(path, name) for path, name in sent.items()])
    got = call(FILES_IO, flavour, app.url, "bundle", [b"x"], download_dir=tmp_path)
    assert [Path(os.fspath(f)).name for f in got] == ["gnp.exe", "bashrc", "profile"]
    assert files_in(tmp_path) == ["bashrc", "gnp.exe", "profile"]


# -- 6. the upload's answer ----------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"[" * 30_000 + b"]" * 30_000, "not JSON|nests"),  # within the size cap
        (b"[" + b" " * 2_000_000 + b'"/tmp/x"]', "larger than"),
    ],
    ids=["deeply-nested", "huge"],
)
def test_a_hostile_upload_answer_is_a_protocol_error(
    app: HostileApp, flavour: str, answer: bytes, expected: str
) -> None:
    app.routes[("POST", f"{PREFIX}/upload")] = lambda h: h.send_bytes(
        200, answer, content_type="application/json"
    )
    with pytest.raises(rt.ProtocolError, match=expected):
        call(FILES_IO, flavour, app.url, "file_stats", rt.FileSource(b"abc", name="a.txt"))
    assert app.joined == []  # the call stopped before joining the queue


# -- a lazy download later still runs under the client's timeout -----------------------------------


def _dripping(h: Handler) -> None:
    """A file that arrives one byte every half second: each read is quick, the whole is not."""
    body = b"x" * 120
    h.send_response(200)
    h.send_header("content-length", str(len(body)))
    h.end_headers()
    h.drip(body, 0.5)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_lazy_download_runs_under_the_clients_timeout(
    app: HostileApp, tmp_path: Path, flavour: str
) -> None:
    app.answer = answering(file_data("/srv/slow.bin", "slow.bin"))
    app.routes[("GET", f"{PREFIX}/file=")] = _dripping
    if flavour == "sync":
        with FILES_IO.Client(app.url, download="lazy", download_dir=tmp_path, timeout=3) as c:
            result = c.mesh(1.0)
            with pytest.raises(rt.GradioTimeoutError, match="slow.bin"):
                result.read_bytes()  # the drip takes a minute; the deadline is 3 s
    else:

        async def go() -> None:
            async with FILES_IO.AsyncClient(
                app.url, download="lazy", download_dir=tmp_path, timeout=3
            ) as c:
                result = await c.mesh(1.0)
                with pytest.raises(rt.GradioTimeoutError, match="slow.bin"):
                    await result.adownload()

        asyncio.run(go())
    assert files_in(tmp_path) == []


# -- the options --------------------------------------------------------------------------------


def test_download_options_are_checked_and_changed_by_with_options() -> None:
    client = FILES_IO.Client("http://127.0.0.1:9")
    assert client._options.max_download_size == 1 << 30  # the documented default, 1 GiB
    assert client._options.download_other_origins is False
    for bad in (0, -1, 1.5, True, "1GB"):
        with pytest.raises(ValueError, match="max_download_size"):
            FILES_IO.Client("http://127.0.0.1:9", max_download_size=bad)
    with pytest.raises(ValueError, match="download_other_origins"):
        FILES_IO.Client("http://127.0.0.1:9", download_other_origins="yes")
    changed = client.with_options(max_download_size=None, download_other_origins=True)
    assert changed._options.max_download_size is None
    assert changed._options.download_other_origins is True
    assert client._options.max_download_size == 1 << 30
