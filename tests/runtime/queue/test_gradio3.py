"""Gradio 3's websocket queue and ``POST /run`` against a scripted stand-in (``gradio3_standin``):
the conversation, every fault a real 3.x server cannot produce on demand, and the value codec.
Real 3.50.2 and 3.36.1 servers: ``tests/live/test_gradio3_calls.py``."""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from typing import Any

import pytest
from wsproto.events import BytesMessage, Ping, TextMessage

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from gradio_codegen.runtime._queue import _gradio3 as g3
from gradio_codegen.runtime._queue._ws import WsFrames
from gradio3_standin import ECHO, Gradio3Standin, Socket

IMAGE: rt.Endpoint[rt.RemoteFile | None] = rt.Endpoint(
    "/echo",
    fn_index=0,
    inputs=(rt.Param("image", s.Optional(s.File())),),
    outputs=(rt.Output("image", s.File()),),
    python_name="echo",
)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def client(app: Gradio3Standin, **options: Any) -> rt.Client:
    class Legacy(rt.Client):
        pass

    Legacy.app = rt.AppSpec(src=app.url, protocol="ws", gradio_version="3.50.2")
    return Legacy(**{"timeout": 30, **options})


def async_client(app: Gradio3Standin, **options: Any) -> rt.AsyncClient:
    class Legacy(rt.AsyncClient):
        pass

    Legacy.app = rt.AppSpec(src=app.url, protocol="ws", gradio_version="3.50.2")
    return Legacy(**{"timeout": 30, **options})


# -- the conversation ---------------------------------------------------------------------------


def test_a_queued_call_answers_the_handshake_and_returns_the_result() -> None:
    with Gradio3Standin() as app, client(app) as c:
        assert c._predict(ECHO, "héllo") == "héllo"
        hash_reply, data_reply = app.received
    assert hash_reply == {"fn_index": 0, "session_hash": c.session_hash}
    assert data_reply == {
        "data": ["héllo"],
        "event_data": None,
        "fn_index": 0,
        "session_hash": c.session_hash,
    }
    assert app.seen == ["GET /config HTTP/1.1", "GET /queue/join HTTP/1.1"]


def test_the_async_client_speaks_it_too() -> None:
    async def run(app: Gradio3Standin) -> list[Any]:
        async with async_client(app) as c:
            return list(await asyncio.gather(*(c._predict(ECHO, str(i)) for i in range(3))))

    with Gradio3Standin() as app:
        assert asyncio.run(run(app)) == ["0", "1", "2"]


def test_an_endpoint_outside_the_queue_is_a_post_run() -> None:
    with Gradio3Standin(queue=False) as app, client(app) as c:
        assert c._predict(ECHO, "plain") == "plain"
        app.run_answer = (500, {"error": "'Bad input: x'"})
        with pytest.raises(rt.AppError) as failed:
            c._predict(ECHO, "x")
        assert str(failed.value).endswith("Bad input: x")
        app.run_answer = (500, {"error": None})
        with pytest.raises(rt.AppError, match="does not share its details"):
            c._predict(ECHO, "x")
        app.run_answer = (500, "Internal Server Error")
        with pytest.raises(rt.TransportError, match="HTTP 500"):
            c._predict(ECHO, "x")
    assert not any("queue/join" in line for line in app.seen)
    assert app.received[0] == {"data": ["plain"], "fn_index": 0, "session_hash": c.session_hash}


def test_progress_logs_and_streamed_values_reach_the_job() -> None:
    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.send({"msg": "send_data"})
        ws.receive()
        ws.send({"msg": "process_starts"})
        ws.send({"msg": "progress", "progress_data": [{"index": 1, "length": 3, "unit": "steps"}]})
        for value in ["a", "ab"]:
            ws.send({"msg": "process_generating", "output": {"data": [value]}, "success": True})
        ws.send({"msg": "log", "log": "careful", "level": "warning"})
        ws.send({"msg": "process_completed", "output": {"data": ["ab"]}, "success": True})
        # 3.36.1 once sent progress after completion: it must not be read into the job.
        ws.send({"msg": "progress", "progress_data": [{"index": 9, "length": 9}]})

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        job = c._submit(ECHO, "x")
        assert list(job) == ["a", "ab"], "the completed value is not yielded twice"
        status = job.status()
    assert [(u.index, u.length) for u in status.progress] == [(1, 3)]
    assert [(log.level, log.message) for log in status.logs] == [("warning", "careful")]


@pytest.mark.parametrize(
    ("error", "message"),
    [("'Bad input: x'", "Bad input: x"), (None, "does not share its details")],
)
def test_app_errors_read_as_on_gradio_4(error: str | None, message: str) -> None:
    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.send({"msg": "send_data"})
        ws.receive()
        ws.send({"msg": "process_completed", "output": {"error": error}, "success": False})

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        with pytest.raises(rt.AppError, match=message):
            c._predict(ECHO, "x")


def test_a_full_queue_is_a_queue_full_error() -> None:
    def script(ws: Socket) -> None:
        ws.send({"msg": "queue_full"})
        ws.close()

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        with pytest.raises(rt.QueueFullError, match="queue is full"):
            c._predict(ECHO, "x")


# -- faults -------------------------------------------------------------------------------------


def test_a_refused_upgrade_raises_from_submit() -> None:
    def refuse(request: bytes) -> bytes:
        return b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"

    with Gradio3Standin() as app, client(app) as c:
        app.upgrade = refuse
        with pytest.raises(rt.AuthenticationError, match="HTTP 403"):
            c._submit(ECHO, "x")


def test_a_false_accept_key_is_refused() -> None:
    def fake(request: bytes) -> bytes:
        return (
            b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n"
            b"sec-websocket-accept: bm90IHRoZSBrZXk=\r\n\r\n"
        )

    with Gradio3Standin() as app, client(app) as c:
        app.upgrade = fake
        with pytest.raises(rt.ProtocolError, match="Sec-WebSocket-Accept"):
            c._submit(ECHO, "x")


def test_a_silent_app_fails_the_job_after_stream_timeout() -> None:
    release = threading.Event()

    def silent(ws: Socket) -> None:
        release.wait(30)

    with Gradio3Standin() as app, client(app, stream_timeout=0.5) as c:
        app.script = silent
        started = time.monotonic()
        with pytest.raises(rt.ServerUnavailableError, match="said nothing"):
            c._predict(ECHO, "x")
        assert time.monotonic() - started < 20
        release.set()


def test_pings_keep_a_quiet_call_alive_and_are_answered() -> None:
    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.send({"msg": "send_data"})
        ws.receive()
        for _ in range(4):
            ws.frame(Ping(b"k"))
            time.sleep(0.2)
        ws.send({"msg": "process_completed", "output": {"data": ["late"]}, "success": True})

    with Gradio3Standin() as app, client(app, stream_timeout=0.6) as c:
        app.script = script
        assert c._predict(ECHO, "x") == "late"


def test_an_early_close_fails_the_job() -> None:
    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.close(1011)

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        with pytest.raises(rt.ServerUnavailableError, match="closed the websocket.*1011"):
            c._predict(ECHO, "x")


def test_a_binary_message_is_a_protocol_error() -> None:
    def script(ws: Socket) -> None:
        ws.frame(BytesMessage(b"\x00\x01"))

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        with pytest.raises(rt.ProtocolError, match="binary"):
            c._predict(ECHO, "x")


def test_cancel_closes_the_socket_and_posts_reset() -> None:
    closed = threading.Event()

    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.send({"msg": "send_data"})
        ws.receive()
        ws.send({"msg": "process_generating", "output": {"data": ["a"]}, "success": True})
        try:
            ws.receive(timeout=20)
        except (ConnectionError, OSError):
            closed.set()

    with Gradio3Standin() as app, client(app) as c:
        app.script = script
        job = c._submit(ECHO, "x")
        assert next(iter(job)) == "a"
        assert job.cancel() is True
        assert closed.wait(20), "the socket was not closed"
        assert app.received[-1] == {"fn_index": 0, "session_hash": c.session_hash}
        assert "POST /reset HTTP/1.1" in app.seen
        with pytest.raises(rt.JobCancelledError):
            job.result()


# -- frames and values ------------------------------------------------------------------------


def _server_frames(*events: Any) -> bytes:
    from wsproto.connection import Connection, ConnectionType

    server = Connection(ConnectionType.SERVER)
    return b"".join(server.send(e) for e in events)


def test_fragments_are_joined_and_the_cap_counts_them_as_they_come() -> None:
    frames = WsFrames(endpoint="/x", max_chars=10)
    data = _server_frames(
        TextMessage("abcd", message_finished=False), TextMessage("ef", message_finished=True)
    )
    assert frames.feed(data) == (["abcdef"], b"")
    big = _server_frames(*(TextMessage("abcd", message_finished=False) for _ in range(3)))
    with pytest.raises(rt.ProtocolError, match="longer than 10 characters"):
        frames.feed(big)


def test_a_ping_is_answered_with_a_pong() -> None:
    frames = WsFrames(endpoint="/x")
    messages, reply = frames.feed(_server_frames(Ping(b"hi")))
    assert messages == [] and reply  # a pong frame goes back
    assert reply[0] & 0x0F == 0xA


def test_image_results_are_file_data_holding_the_image() -> None:
    route = g3.Route(0, True, ("image",), ("image", "gallery", "file", "json"))
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    out = g3.results_from_wire(
        route,
        [
            url,
            [[{"name": "/tmp/g/a.png", "data": None, "is_file": True}, "cap"]],
            {"name": "/tmp/g/s.txt", "size": 3, "data": None, "is_file": True},
            {"is": "json"},
        ],
    )
    assert out[0]["url"] == url and out[0]["mime_type"] == "image/png"
    assert out[1] == [
        {
            "image": {
                "path": "/tmp/g/a.png",
                "orig_name": "a.png",
                "meta": {"_type": "gradio.FileData"},
            },
            "caption": "cap",
        }
    ]
    assert out[2]["path"] == "/tmp/g/s.txt" and out[2]["size"] == 3
    assert out[3] == {"is": "json"}


def test_an_image_argument_goes_inline_and_a_result_lands_as_a_local_file(tmp_path: Any) -> None:
    with Gradio3Standin(image=True) as app, client(app, download_dir=tmp_path) as c:
        result = c._predict(IMAGE, PNG)
        sent = app.received[1]["data"][0]
    assert sent == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert isinstance(result, rt.RemoteFile)
    assert result.read_bytes() == PNG and result.path.parent == tmp_path
    assert not any(line.startswith("POST /upload") for line in app.seen)


@pytest.mark.parametrize(
    "url",
    ["http://evil.test/x.png", "data:image/png,notbase64", "data:image/png;base64,@@@@"],
)
def test_an_image_result_that_is_no_base64_data_url_is_refused(url: str) -> None:
    with pytest.raises(rt.ProtocolError):
        g3.decode_data_url(url, max_bytes=None, endpoint="/x")


def test_an_inline_image_larger_than_the_download_limit_is_refused() -> None:
    url = "data:image/png;base64," + base64.b64encode(b"x" * 3000).decode()
    with pytest.raises(rt.ProtocolError, match="max_download_size"):
        g3.decode_data_url(url, max_bytes=1000, endpoint="/x")


def test_state_slots_are_null_on_the_wire() -> None:
    with_state: rt.Endpoint[str | None] = rt.Endpoint(
        "/echo",
        fn_index=0,
        inputs=(rt.Param("text", s.Str()), rt.STATE),
        outputs=(rt.Output("output", s.Str()), rt.STATE),
    )

    def script(ws: Socket) -> None:
        ws.send({"msg": "send_hash"})
        ws.receive()
        ws.send({"msg": "send_data"})
        data = ws.receive()["data"]
        ws.send({"msg": "process_completed", "output": {"data": [data[0], None]}, "success": True})

    with Gradio3Standin() as app, client(app) as c:
        app.config["components"].append({"id": 3, "type": "state", "props": {}})
        app.config["dependencies"][0]["inputs"] = [1, 3]
        app.config["dependencies"][0]["outputs"] = [2, 3]
        app.script = script
        assert c._predict(with_state, "kept") == "kept"
    assert app.received[1]["data"] == ["kept", None]


def test_wsproto_is_imported_only_by_a_gradio3_call() -> None:
    """A program that talks to Gradio 4/5/6 apps never loads the websocket stack."""
    import subprocess
    import sys

    script = (
        "import sys, gradio_codegen.runtime as rt\n"
        "from gradio_codegen.runtime import _client\n"
        "print('wsproto' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "False", done.stderr
