"""Every error of a call names its endpoint one way: ``/echo: <what went wrong>``.

The prefix is the endpoint's API name (what the app's API page, its logs and ``gradio-codegen diff``
call it), written once by ``GradioError.__str__`` from the error's ``endpoint``; no message spells
its own (``echo(): ...``). The messages are collected from each error path a call can take that the
stand-in app provokes cheaply.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gradio_codegen.runtime import GradioError
from hostile_app import Event, Handler, HostileApp, example_sdk

pytestmark = pytest.mark.timeout(120)

JOIN = ("POST", "/gradio_api/queue/join")


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as running:
        yield running


def _error_of(call: Callable[[], object]) -> GradioError:
    with pytest.raises(GradioError) as caught:
        call()
    return caught.value


def _failing_stream(h: Handler, session: str, events: list[Event]) -> None:
    for event in events:
        message = {"msg": "process_completed", "event_id": event.event_id, "success": False}
        h.sse({**message, "output": {"error": "the model is not loaded"}})
    h.sse({"msg": "close_stream", "event_id": None})


def _collect(app: HostileApp, tmp_path: Path) -> dict[str, GradioError]:
    """One error per path, each raised through the SDK as a user's call raises it."""
    sdk, files = example_sdk("text_echo"), example_sdk("files_io")
    errors: dict[str, GradioError] = {}
    with sdk.Client(app.url, timeout=5) as client, files.Client(app.url, timeout=5) as fclient:
        errors["argument count"] = _error_of(lambda: client._predict(sdk._ECHO, "a", "b"))
        errors["argument type"] = _error_of(lambda: client.echo(3))
        errors["missing file"] = _error_of(lambda: fclient.file_stats(tmp_path / "absent.txt"))
        errors["no validation, bad count"] = _error_of(
            lambda: client.with_options(validate=False)._predict(sdk._CONCAT, "a")
        )

        app.answer = lambda fn, data: [
            {"path": "/tmp/gone.obj", "meta": {"_type": "gradio.FileData"}}
        ]
        errors["download"] = _error_of(lambda: fclient.mesh(1.0))
        lazy = fclient.with_options(download="lazy").mesh(1.0)
        errors["lazy download"] = _error_of(lazy.read_bytes)

        app.on_stream = _failing_stream
        errors["app error"] = _error_of(lambda: client.echo("x"))

        def silent(h: Handler, session: str, events: list[Event]) -> None:
            for event in events:
                h.sse({"msg": "process_starts", "event_id": event.event_id})
            time.sleep(2)

        def dropped(h: Handler, session: str, events: list[Event]) -> None:
            for event in events:
                h.sse({"msg": "process_starts", "event_id": event.event_id})
            # ... and the stream ends with the job still running, every time it is opened

        app.on_stream = dropped
        errors["stream dropped"] = _error_of(lambda: client.echo("x"))

        app.on_stream = silent
        errors["timeout"] = _error_of(lambda: client.with_options(timeout=0.5).echo("x"))
        job = client.submit_echo("x")
        job.cancel()
        errors["cancelled"] = _error_of(job.result)

    app.on_stream = None
    app.routes[JOIN] = lambda h: h.send_json(404, {"detail": "Not Found"})
    with sdk.Client(app.url, timeout=5) as client:
        errors["app changed"] = _error_of(lambda: client.echo("x"))
    app.routes[JOIN] = lambda h: h.send_json(429, {"detail": "Too many requests"})
    with sdk.Client(app.url, timeout=5) as client:
        errors["queue full"] = _error_of(lambda: client.echo("x"))
    with sdk.Client("http://127.0.0.1:9", timeout=5) as client:
        errors["cannot connect"] = _error_of(lambda: client.echo("x"))
    return errors


def test_every_error_of_a_call_starts_with_its_endpoint_once(
    app: HostileApp, tmp_path: Path
) -> None:
    errors = _collect(app, tmp_path)
    expected = {"missing file": "/file_stats", "download": "/mesh", "lazy download": "/mesh"}
    wrong = {}
    for path, error in errors.items():
        endpoint = expected.get(path, "/concat" if "no validation" in path else "/echo")
        text = str(error)
        if (
            error.endpoint != endpoint
            or not text.startswith(f"{endpoint}: ")
            or text.count(f"{endpoint}: ") != 1
            or re.search(r"\b\w+\(\):", text)  # a method's name as a prefix: "echo(): ..."
        ):
            wrong[path] = f"{type(error).__name__}: {text}"
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())
    # A parameter is named after the endpoint; the argument count is said without a method name.
    assert str(errors["argument type"]).startswith("/echo: parameter 'text': ")
    assert str(errors["missing file"]).startswith("/file_stats: parameter 'path': ")
    assert str(errors["argument count"]) == "/echo: takes 1 argument (text), got 2"
