"""The fault proxy must do exactly the fault it is asked for, to exactly the requests it names, and
pass everything else unchanged: the fault tests against real Gradio servers rely on both.

The backend here is a tiny stdlib HTTP/1.1 server that records what reached it, so each test can
tell "the app never saw it" from "the app did the work and the client never heard".
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fault_proxy import (
    FaultProxy,
    delay_response,
    drop_stream,
    half_open,
    reset_after_head,
    reset_after_request,
    respond,
)

pytestmark = pytest.mark.timeout(60)


class Backend(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.seen]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Backend

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", ""):
            data = b""
            while size := int(self.rfile.readline().split(b";")[0], 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return data
        return self.rfile.read(int(self.headers.get("content-length", "0")))

    def _json(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        with self.server.lock:
            self.server.seen.append(("GET", url.path, b""))
        if url.path == "/hello":
            self._json(200, {"hello": "world"})
        elif url.path == "/events":
            query = parse_qs(url.query)
            self._events(int(query["n"][0]), close="close" in query)
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        body = self._body()
        with self.server.lock:
            self.server.seen.append(("POST", self.path, body))
            count = sum(1 for method, _, _ in self.server.seen if method == "POST")
        self._json(200, {"size": len(body), "count": count})

    def _events(self, n: int, *, close: bool) -> None:
        """``n`` events, every third one "news" and the others "tick"; chunked, or (``close``)
        plain bytes ended by closing the connection."""
        self.send_response(200)
        self.send_header("content-type", "text/event-stream; charset=utf-8")
        if close:
            self.send_header("connection", "close")
            self.close_connection = True
        else:
            self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        events = [
            f"data: {json.dumps({'i': i, 'kind': 'news' if i % 3 == 2 else 'tick'})}\n\n".encode()
            for i in range(n)
        ]
        # writes that do not match events: two events in one write, then one split over two
        # writes, and so on; the proxy must find event boundaries in the data, not in the writes
        data = b"".join(events)
        cuts = sorted({0, len(data), *(sum(map(len, events[:i])) + 5 for i in range(0, n, 3))})
        for start, end in zip(cuts, cuts[1:]):
            piece = data[start:end]
            self.wfile.write(piece if close else b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
        if not close:
            self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def backend() -> Iterator[Backend]:
    server = Backend()
    server.thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(backend: Backend) -> Iterator[FaultProxy]:
    with FaultProxy(backend.url, hold_limit=30) as p:
        yield p


def events_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The events of a stream, read until it ends (or breaks: the error propagates)."""
    out: list[dict[str, Any]] = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            out.append(json.loads(line[6:]))
    return out


def test_requests_pass_unchanged_on_one_keep_alive_connection(
    backend: Backend, proxy: FaultProxy
) -> None:
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        assert client.get("/hello").json() == {"hello": "world"}
        assert client.post("/upload", content=b"x" * 100_000).json() == {
            "size": 100_000,
            "count": 1,
        }
        chunked = client.post("/upload", content=iter([b"a" * 10, b"b" * 70_000, b"c"]))
        assert chunked.json() == {"size": 70_011, "count": 2}
        with client.stream("GET", "/events", params={"n": 7}) as r:
            assert [e["i"] for e in events_of(r)] == list(range(7))
        assert client.get("/hello").status_code == 200
    assert proxy.connections == 1  # every request found its end, so the connection was reused
    log = proxy.settled()
    assert [(x.method, x.path, x.status) for x in log] == [
        ("GET", "/hello", 200),
        ("POST", "/upload", 200),
        ("POST", "/upload", 200),
        ("GET", "/events", 200),
        ("GET", "/hello", 200),
    ]
    assert all(x.fault is None and x.forwarded and x.outcome == "answered" for x in log)
    assert len(log[3].events) == 7 and log[3].target == "/events?n=7"
    assert log[2].body.startswith(b"a" * 10 + b"b")  # the chunked body as data, not as frames
    assert backend.paths() == ["/hello", "/upload", "/upload", "/events", "/hello"]


def test_an_event_stream_ended_by_closing_passes_too(backend: Backend, proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with client.stream("GET", "/events", params={"n": 4, "close": 1}) as r:
            assert [e["i"] for e in events_of(r)] == [0, 1, 2, 3]
        assert client.get("/hello").json() == {"hello": "world"}
    assert [len(x.events) for x in proxy.exchanges(path="/events")] == [4]


def test_respond_answers_for_the_app_for_the_next_n_matching_requests(
    backend: Backend, proxy: FaultProxy
) -> None:
    rule = proxy.add(
        respond(503, headers={"retry-after": "1"}, body="busy"),
        method="POST",
        path=r"/upload$",
        times=2,
    )
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        assert client.get("/hello").status_code == 200  # another route: untouched
        answers = [client.post("/upload", content=b"payload") for _ in range(3)]
    assert [r.status_code for r in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "1" and answers[0].text == "busy"
    assert answers[2].json() == {"size": 7, "count": 1}  # only the third reached the app
    assert backend.paths() == ["/hello", "/upload"]
    assert rule.applied == 2
    assert proxy.connections == 1  # the substitute answers kept the connection usable
    assert [x.forwarded for x in proxy.exchanges(path="/upload")] == [False, False, True]


def test_respond_after_forwarding_hides_work_the_app_did(
    backend: Backend, proxy: FaultProxy
) -> None:
    proxy.add(respond(502, forward=True), path="/upload")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        assert client.post("/upload", content=b"once").status_code == 502
        assert client.post("/upload", content=b"twice").json()["count"] == 2
    first = proxy.exchanges(path="/upload")[0]
    assert (first.status, first.upstream_status, first.forwarded) == (502, 200, True)
    assert json.loads(first.upstream_body) == {"size": 4, "count": 1}


def test_reset_after_head_never_reaches_the_app(backend: Backend, proxy: FaultProxy) -> None:
    proxy.add(reset_after_head(), method="POST")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError)):
            client.post("/upload", content=b"lost")
        assert client.post("/upload", content=b"next").json() == {"size": 4, "count": 1}
    assert backend.paths() == ["/upload"]
    first = proxy.exchanges()[0]
    assert (first.forwarded, first.status, first.outcome) == (False, None, "reset")


def test_reset_after_request_reaches_the_app_which_answers_into_the_void(
    backend: Backend, proxy: FaultProxy
) -> None:
    proxy.add(reset_after_request(), method="POST")
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            client.post("/upload", content=b"done")
    assert backend.paths() == ["/upload"]
    first = proxy.exchanges()[0]
    assert (first.forwarded, first.upstream_status, first.status) == (True, 200, None)
    assert json.loads(first.upstream_body) == {"size": 4, "count": 1}  # the answer that was lost


def test_delay_holds_the_answer_back(backend: Backend, proxy: FaultProxy) -> None:
    proxy.add(delay_response(1.0), path="/hello")
    with httpx.Client(base_url=proxy.url, timeout=30) as client:
        start = time.monotonic()
        assert client.get("/hello").json() == {"hello": "world"}
        assert time.monotonic() - start >= 1.0
        with pytest.raises(httpx.ReadTimeout):  # a client that will not wait that long
            proxy.add(delay_response(3.0), path="/hello")
            client.get("/hello", timeout=httpx.Timeout(10, read=0.5))
    assert backend.paths() == ["/hello", "/hello"]  # the app answered at once both times


@pytest.mark.parametrize("forward", [True, False])
def test_half_open_ends_in_a_read_timeout(
    backend: Backend, proxy: FaultProxy, forward: bool
) -> None:
    proxy.add(half_open(forward=forward), method="POST")
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(10, read=0.5)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post("/upload", content=b"held")
    assert backend.paths() == (["/upload"] if forward else [])
    # the proxy notices the client gave up and lets the connection go
    proxy.wait_for(lambda log: log[0].outcome == "held, then client gone", timeout=20)


def test_half_open_event_stream_is_silent_while_the_app_streams_on(
    backend: Backend, proxy: FaultProxy
) -> None:
    proxy.add(half_open(), path="/events")
    with httpx.Client(base_url=proxy.url, timeout=httpx.Timeout(10, read=0.5)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/events", params={"n": 5})
    assert backend.paths() == ["/events"]


def test_drop_stream_after_n_events_breaks_the_body(backend: Backend, proxy: FaultProxy) -> None:
    proxy.add(drop_stream(3, how="close"), path="/events")
    received: list[dict[str, Any]] = []
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with client.stream("GET", "/events", params={"n": 10}) as r:
            with pytest.raises(httpx.RemoteProtocolError):  # the chunked body never ended
                for line in r.iter_lines():
                    if line.startswith("data: "):
                        received.append(json.loads(line[6:]))
        # the next stream is whole again: the rule was for one request
        with client.stream("GET", "/events", params={"n": 10}) as r:
            assert len(events_of(r)) == 10
    assert [e["i"] for e in received] == [0, 1, 2]
    assert [x.outcome for x in proxy.settled()] == ["closed", "answered"]


def test_drop_stream_counts_only_the_events_asked_for(backend: Backend, proxy: FaultProxy) -> None:
    proxy.add(drop_stream(2, counting=b'"news"', how="close"), path="/events")
    received: list[dict[str, Any]] = []
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with client.stream("GET", "/events", params={"n": 10, "close": 1}) as r:
            for line in r.iter_lines():  # no framing to break: the stream just ends early
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
    # news at i = 2 and 5: everything up to the second one, nothing after
    assert [e["i"] for e in received] == [0, 1, 2, 3, 4, 5]


def test_drop_stream_by_reset_cuts_the_connection(backend: Backend, proxy: FaultProxy) -> None:
    proxy.add(drop_stream(3, how="reset"), path="/events")
    received = 0
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            with client.stream("GET", "/events", params={"n": 10}) as r:
                for line in r.iter_lines():
                    received += line.startswith("data: ")
    # what the kernel had not handed over yet is lost with a reset: at most the 3 relayed events
    assert received <= 3
    assert proxy.exchanges()[0].outcome == "reset" and len(proxy.exchanges()[0].events) == 3


def test_refuse_then_accept_on_the_same_port(backend: Backend, proxy: FaultProxy) -> None:
    url = proxy.url
    with proxy.refusing():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/hello", timeout=10)
    assert proxy.url == url
    assert httpx.get(f"{url}/hello", timeout=10).json() == {"hello": "world"}
    assert backend.paths() == ["/hello"]


def test_stop_releases_a_held_client(backend: Backend) -> None:
    proxy = FaultProxy(backend.url, hold_limit=300).start()
    proxy.add(half_open(forward=False))
    outcome: list[BaseException] = []

    def wait_forever() -> None:
        try:
            httpx.get(f"{proxy.url}/hello", timeout=120)
        except httpx.HTTPError as e:
            outcome.append(e)

    waiter = threading.Thread(target=wait_forever)
    waiter.start()
    proxy.wait_for(lambda log: bool(log) and log[0].outcome == "held", timeout=20)
    start = time.monotonic()
    proxy.stop()
    waiter.join(30)
    assert not waiter.is_alive() and len(outcome) == 1
    assert time.monotonic() - start < 30


def test_an_oversized_request_head_is_refused(backend: Backend, proxy: FaultProxy) -> None:
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        r = client.get("/hello", headers={"x-big": "y" * 70_000})
    assert r.status_code == 431
    assert backend.paths() == []


def test_the_target_must_be_a_plain_http_address() -> None:
    with pytest.raises(ValueError, match="http://host:port"):
        FaultProxy("https://127.0.0.1:1")
    with pytest.raises(ValueError, match="http://host:port"):
        FaultProxy("http://127.0.0.1")
