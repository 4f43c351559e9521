"""A slow drip cannot defeat a timeout (issue #10, item 4).

A server that sends one byte just before each read would time out never trips a per-read timeout:
it held a ``timeout=2`` call for 13.5 s at join, 13.6 s on a file download, 15.5 s when the
``/cancel`` after the timeout dripped too, and ``gradio-codegen URL --timeout 3`` for more than 30 s.
Now ``timeout`` is a deadline for each whole operation. Every test drips an answer far longer than
the bound (20 s) and measures, around the call a user makes, that it ends within the deadline plus
10 % and half a second; sync and async where both exist.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

from clirun import run
from gradio_codegen import runtime as rt
from gradio_codegen.runtime._hub._spaces import aresolve, resolve
from gradio_codegen.runtime._http._timeouts import CANCEL_TIMEOUT
from hostile_app import PREFIX, Handler, HostileApp, call_route, example_sdk
from hub_standin import HubStandin

pytestmark = pytest.mark.timeout(120)

FLAVOURS = ["sync", "async"]
TEXT_ECHO = example_sdk("text_echo")
FILES_IO = example_sdk("files_io")
MESH = 3  # fn_index of files_io's /mesh (one File out)
TIMEOUT = 1.5
DRIP = 0.1  # seconds between bytes
DRIPPED = 200  # bytes per dripped answer: 20 s, far past any bound here


def allowed(budget: float) -> float:
    """How long an operation with this budget may take: 10 % and half a second over."""
    return budget * 1.1 + 0.5


@contextmanager
def ends_within(budget: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    elapsed = time.monotonic() - started
    assert elapsed <= allowed(budget), f"took {elapsed:.2f}s; the deadline was {budget}s"


def drip_json(status: int = 200) -> Callable[[Handler], None]:
    """A handler answering a JSON body of ``DRIPPED`` bytes, one every ``DRIP`` seconds."""

    def handler(h: Handler) -> None:
        body = json.dumps({"event_id": "e" * DRIPPED}).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        h.drip(body, DRIP)

    return handler


def drip_status_line(h: Handler) -> None:
    """Not even the status line arrives whole: each byte of the head comes on its own."""
    h.close_connection = True
    h.drip(b"HTTP/1.1 200 OK\r\n" + b"x-pad: " + b"p" * DRIPPED + b"\r\n\r\n", DRIP)


def silent(h: Handler) -> None:
    """Says nothing at all, for longer than any bound here."""
    h.close_connection = True
    time.sleep(DRIPPED * DRIP)


def call(sdk: ModuleType, flavour: str, url: str, method: str, *args: Any, **options: Any) -> Any:
    options.setdefault("timeout", TIMEOUT)
    if flavour == "sync":
        with sdk.Client(url, **options) as client:
            return getattr(client, method)(*args)

    async def go() -> Any:
        async with sdk.AsyncClient(url, **options) as client:
            return await getattr(client, method)(*args)

    return asyncio.run(go())


def call_endpoint(flavour: str, url: str, endpoint: Any, *args: Any) -> Any:
    """An endpoint object through the text_echo SDK's clients (for endpoints it does not have)."""
    if flavour == "sync":
        with TEXT_ECHO.Client(url, timeout=TIMEOUT) as client:
            return client._predict(endpoint, *args)

    async def go() -> Any:
        async with TEXT_ECHO.AsyncClient(url, timeout=TIMEOUT) as client:
            return await client._predict(endpoint, *args)

    return asyncio.run(go())


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as running:
        yield running


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """One ordinary call each way first: what a cold process imports on its first request
    (httpcore, anyio) is not part of any deadline, and on a loaded machine it can take a while."""
    with HostileApp() as running:
        for flavour in FLAVOURS:
            assert call(TEXT_ECHO, flavour, running.url, "echo", "warm") == "warm"


# -- the SDK's operations ----------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "answer", [drip_json(), drip_status_line, silent], ids=["body", "head", "silent"]
)
def test_join(app: HostileApp, flavour: str, answer: Callable[[Handler], None]) -> None:
    app.routes[call_route("/echo")] = answer
    with ends_within(TIMEOUT), pytest.raises(rt.GradioTimeoutError, match="joining the queue"):
        call(TEXT_ECHO, flavour, app.url, "echo", "hi")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_upload(app: HostileApp, flavour: str) -> None:
    app.routes[("POST", f"{PREFIX}/upload")] = drip_json()
    with ends_within(TIMEOUT), pytest.raises(rt.GradioTimeoutError):
        call(FILES_IO, flavour, app.url, "file_stats", b"some bytes")
    assert app.joined == []  # the call stopped at its upload


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_download(app: HostileApp, flavour: str) -> None:
    """The eager download of a result file: headers promise 200 bytes, which then drip."""
    path = "/tmp/gradio/abc/mesh.obj"
    app.answer = lambda fn_index, data: [
        {"path": path, "orig_name": "mesh.obj", "meta": {"_type": "gradio.FileData"}}
    ]

    def dripping_file(h: Handler) -> None:
        h.send_response(200)
        h.send_header("content-type", "application/octet-stream")
        h.send_header("content-length", str(DRIPPED))
        h.end_headers()
        h.wfile.flush()
        h.drip(b"v" * DRIPPED, DRIP)

    app.routes[("GET", f"{PREFIX}/file=")] = dripping_file
    with ends_within(TIMEOUT), pytest.raises(rt.GradioTimeoutError):
        call(FILES_IO, flavour, app.url, "mesh", 1.0)
    assert app.requests_to(f"{PREFIX}/file={path}")  # the download had begun


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_cancel_after_a_timeout(app: HostileApp, flavour: str) -> None:
    """No result in time, and then the ``/cancel`` drips too: the cancel has its own deadline
    (the client's timeout, at most ``CANCEL_TIMEOUT``), so the call ends within both."""
    release = threading.Event()
    app.on_stream = lambda h, session, events: release.wait(60)  # the job never finishes
    app.routes[("POST", f"{PREFIX}/cancel")] = drip_json()
    try:
        with ends_within(TIMEOUT + min(TIMEOUT, CANCEL_TIMEOUT)):
            with pytest.raises(rt.GradioTimeoutError, match="no result within"):
                call(TEXT_ECHO, flavour, app.url, "echo", "hi")
    finally:
        release.set()
    assert app.requests_to(f"{PREFIX}/cancel")  # the cancel was sent, and given up on


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_login(app: HostileApp, flavour: str) -> None:
    app.routes[("POST", "/login")] = drip_json()
    with ends_within(TIMEOUT), pytest.raises(rt.GradioTimeoutError, match="logging in"):
        call(TEXT_ECHO, flavour, app.url, "echo", "hi", auth=("user", "pass"))
    assert app.joined == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_config(app: HostileApp, flavour: str) -> None:
    """An SDK generated without ``/config`` reads it on first call."""
    app.routes[("GET", "/config")] = drip_json()
    without_fn_index = dataclasses.replace(TEXT_ECHO._ECHO, fn_index=None)
    with ends_within(TIMEOUT), pytest.raises(rt.GradioTimeoutError, match="/config"):
        call_endpoint(flavour, app.url, without_fn_index, "hi")


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_fast_app_is_unaffected(app: HostileApp, flavour: str) -> None:
    """The deadlines cut only what is slow: many calls in a row, each well within its timeout."""
    for i in range(20):
        assert call(TEXT_ECHO, flavour, app.url, "echo", f"hi {i}") == f"hi {i}"


# -- waking a sleeping Space ---------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_waking_a_space(hub: HubStandin, app: HostileApp, flavour: str) -> None:
    """The Space's host drips its answer to the waking visit: the wait for the Space still ends
    at its timeout, with the Space's stage."""
    hub.add_space("acme/awake", app.url)
    assert resolve("acme/awake").url == app.url  # huggingface_hub imported before the clock runs
    app.routes[("GET", "/")] = drip_json()
    hub.add_space("acme/drowsy", app.url, stages=["SLEEPING"])
    with ends_within(TIMEOUT), pytest.raises(rt.SpaceNotRunningError, match="still SLEEPING"):
        if flavour == "sync":
            resolve("acme/drowsy", timeout=TIMEOUT, poll_interval=0.05)
        else:
            asyncio.run(aresolve("acme/drowsy", timeout=TIMEOUT, poll_interval=0.05))
    assert app.requests_to("/")  # the visit was made, and given up on


# -- the generator -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "route"),
    [("GET", "/config"), ("GET", f"{PREFIX}/info"), ("POST", "/login")],
)
def test_generator_fetch(app: HostileApp, method: str, route: str) -> None:
    """``gradio-codegen URL --timeout T``: T bounds the whole fetch (login, /config, /info)."""
    app.routes[(method, route)] = drip_json()
    with ends_within(TIMEOUT):
        code, _, stderr = run(app.url, "--timeout", str(TIMEOUT), "--auth", "user:pass")
    assert code == 2 and f"did not answer within {TIMEOUT:g} s" in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1
