"""An upload is retried like the other idempotent steps, even after part of it went out.

Sending the same bytes again is safe, so a broken connection or a 502/503/504 in the middle of an
upload sends the whole file again, from its first byte: a file read from disk is read again, bytes
are sent again, a caller's stream that can seek is sent again from where it stood. The transport
below plays the fault a real server cannot produce on demand (a connection reset after it read a
part of the body); the hostile app plays front ends that read the whole upload and then refuse it or
hang up, through the checked-in SDK and the runtime's own retrying transport.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._files._upload import UploadBatch
from gradio_codegen.runtime._http import _retry
from gradio_codegen.runtime._http._retry import (
    AsyncRetryTransport,
    RetryTransport,
    idempotent,
    retrying,
)
from hostile_app import PREFIX, Handler, HostileApp, example_sdk

pytestmark = pytest.mark.timeout(120)

FILES_IO = example_sdk("files_io")
UPLOAD = ("POST", f"{PREFIX}/upload")
URL = "http://app.test/gradio_api/upload"
CONTENT = os.urandom(300 * 1024)  # several chunks: a break can fall after some of them
FLAVOURS = ["sync", "async"]


class Network(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A server whose first ``breaks`` attempts read ``cut`` bytes of the upload and then reset
    the connection; later attempts read it all and answer with a server path."""

    def __init__(self, breaks: int = 1, cut: int = 100_000) -> None:
        self.breaks = breaks
        self.cut = cut
        self.bodies: list[bytes] = []  # what each attempt read

    def _answer(self, request: httpx.Request, body: bytes, complete: bool) -> httpx.Response:
        self.bodies.append(body)
        if not complete:
            raise httpx.ReadError("Connection reset by peer", request=request)
        return httpx.Response(200, json=["/tmp/gradio/abc/upload"])

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body, broken = b"", len(self.bodies) < self.breaks
        for chunk in request.stream:  # type: ignore[union-attr]
            body += chunk
            if broken and len(body) >= self.cut:
                break
        return self._answer(request, body, not broken)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body, broken = b"", len(self.bodies) < self.breaks
        async for chunk in request.stream:  # type: ignore[union-attr]
            body += chunk
            if broken and len(body) >= self.cut:
                break
        return self._answer(request, body, not broken)


@pytest.fixture(autouse=True)
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry, "_sleep", lambda _: None)
    monkeypatch.setattr(_retry, "_jitter", lambda: 0.0)


def file_in_body(body: bytes) -> bytes:
    """The file's bytes inside one multipart body (between the part's head and tail)."""
    head_end = body.index(b"\r\n\r\n") + 4
    tail_start = body.rindex(b"\r\n--")
    return body[head_end:tail_start]


def upload(flavour: str, network: Network, value: object, progress: Any = None) -> Any:
    """``value`` uploaded through an UploadBatch and the retrying transport, as a client does
    (the upload step is marked repeatable); returns the FileData put into the payload."""
    batch = UploadBatch(progress=progress)
    placeholder = batch.file(value)
    with retrying(2), idempotent():
        if flavour == "sync":
            with httpx.Client(transport=RetryTransport(network)) as http:
                batch.upload(http, URL)
        else:

            async def go() -> None:
                async with httpx.AsyncClient(transport=AsyncRetryTransport(network)) as http:
                    await batch.aupload(http, URL)

            asyncio.run(go())
    return batch.fill(placeholder)


@pytest.fixture
def on_disk(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(CONTENT)
    return path


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("kind", ["path", "bytes", "stream"])
def test_an_upload_reset_after_part_of_it_was_sent_is_sent_again_whole(
    flavour: str, kind: str, on_disk: Path
) -> None:
    value: object = {"path": on_disk, "bytes": CONTENT, "stream": io.BytesIO(CONTENT)}[kind]
    network = Network(breaks=1)
    data = upload(flavour, network, value)
    assert data["path"] == "/tmp/gradio/abc/upload" and data["size"] == len(CONTENT)
    first, second = network.bodies
    assert 100_000 <= len(first) < len(second)  # the first attempt broke part way
    assert second.startswith(first)  # the same multipart body again, from its first byte
    assert file_in_body(second) == CONTENT


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_callers_stream_is_sent_again_from_where_it_stood(flavour: str) -> None:
    stream = io.BytesIO(b"HEADER" + CONTENT)
    stream.seek(6)  # the caller positioned it past a header of their own
    network = Network(breaks=2)
    upload(flavour, network, stream)
    assert len(network.bodies) == 3
    assert file_in_body(network.bodies[-1]) == CONTENT


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_progress_never_goes_back_and_ends_at_the_files_size(flavour: str) -> None:
    seen: list[int] = []
    upload(flavour, Network(breaks=1), CONTENT, progress=lambda p: seen.append(p.done))
    assert seen == sorted(seen) and seen[-1] == len(CONTENT)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_out_of_retries_the_upload_fails_saying_so(flavour: str) -> None:
    network = Network(breaks=5)
    with pytest.raises(rt.ServerUnavailableError, match="uploading"):
        upload(flavour, network, CONTENT)
    assert len(network.bodies) == 3  # the first attempt and max_retries=2 more


def test_a_body_that_cannot_start_again_is_sent_once() -> None:
    """A body marked not replayable (a stream that cannot seek) is never sent a second time
    once any of it went out."""

    class OneShot(_retry.Replayable):
        replayable = False

        def __iter__(self) -> Iterator[bytes]:
            yield b"x" * 200_000

    network = Network(breaks=1)
    with retrying(2), idempotent(), httpx.Client(transport=RetryTransport(network)) as http:
        request = http.build_request("POST", URL)
        request.stream = OneShot()
        with pytest.raises(httpx.ReadError):
            http.send(request)
    assert len(network.bodies) == 1


# -- through the SDK, against front ends that read the whole upload and then fail ------------------


def refuse_first(app: HostileApp, refuse: Any) -> None:
    """The first upload is read whole and then ``refuse``d; the next reaches the app."""
    seen: list[Handler] = []

    def route(h: Handler) -> None:
        seen.append(h)
        if len(seen) == 1:
            refuse(h)
        else:
            app.default(h, "POST")

    app.routes[UPLOAD] = route


def bad_gateway(h: Handler) -> None:
    h.send_json(502, {"detail": "Bad Gateway"})


def hang_up(h: Handler) -> None:
    h.close_connection = True  # the body was read; no answer, the connection closed


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("refuse", [bad_gateway, hang_up], ids=["502", "reset"])
def test_an_upload_a_front_end_refused_after_reading_it_is_sent_again(
    flavour: str, refuse: Any, on_disk: Path
) -> None:
    with HostileApp(answer=lambda fn, data: ["stats", None]) as app:
        refuse_first(app, refuse)
        options = {"timeout": 60}
        if flavour == "sync":
            with FILES_IO.Client(app.url, **options) as client:
                result = client.file_stats(on_disk)
        else:

            async def go() -> Any:
                async with FILES_IO.AsyncClient(app.url, **options) as client:
                    return await client.file_stats(on_disk)

            result = asyncio.run(go())
        assert result.stats == "stats"
        sent = [s.body for s in app.requests_to(f"{PREFIX}/upload")]
        assert len(sent) == 2 and sent[0] == sent[1]  # the same bytes, twice
        assert app.uploads == [sent[1]] and file_in_body(sent[1]) == CONTENT
        assert len(app.joined) == 1  # one call, one job
