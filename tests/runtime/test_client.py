"""What a call sends and how it reads what comes back, on ``httpx.MockTransport`` (``mock_gradio``):
the requests of a first call, arguments and State on the wire, answers that refuse or break.
Faults of a call under way are in ``test_faults.py``, the queue protocols in ``test_protocols.py``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from mock_gradio import (
    CLOSE,
    CONCAT,
    P,
    Client,
    FakeApp,
    async_client_for,
    client_for,
    done,
    sse,
)

COUNTER: rt.Endpoint[float] = rt.Endpoint(
    "/increment",
    fn_index=0,
    inputs=(rt.Param("step", s.Float()), rt.STATE, rt.STATE),
    outputs=(rt.Output("count", s.Float()), rt.STATE, rt.STATE),
)


def test_first_call_is_one_join_and_one_stream_even_one_byte_at_a_time() -> None:
    body = sse(
        {"msg": "estimation", "event_id": "e1", "rank": 0, "queue_size": 1, "rank_eta": None},
        {"msg": "heartbeat", "event_id": None},
        done("e1", ["a-b"]),
        CLOSE,
        crlf=True,
    )
    fake = FakeApp(lambda n: iter([body[i : i + 1] for i in range(len(body))]))
    with client_for(fake, timeout=5) as client:
        assert client._predict(CONCAT, "a", "b", "-") == "a-b"
    # By name, with the layout read alongside: /config goes out while the call joins.
    assert sorted(fake.paths()) == [
        ("GET", "/config"),
        ("GET", f"{P}/queue/data"),
        ("POST", f"{P}/call/concat"),
    ]
    assert fake.bodies[0]["data"] == ["a", "b", "-"] and "fn_index" not in fake.bodies[0]


def test_first_call_without_verify_is_one_join_by_fn_index_and_one_stream() -> None:
    fake = FakeApp(lambda n: iter([sse(done("e1", ["a-b"]), CLOSE)]))
    with client_for(fake, timeout=5, verify="off") as client:
        assert client._predict(CONCAT, "a", "b", "-") == "a-b"
    assert fake.paths() == [("POST", f"{P}/queue/join"), ("GET", f"{P}/queue/data")]
    assert fake.bodies[0]["data"] == ["a", "b", "-"] and fake.bodies[0]["fn_index"] == 1


@pytest.mark.parametrize(
    "stream",
    [
        b"data: {not json}\n\n",
        b'data: {"msg": "process_completed", "event_id": "e1", "output": [1], "success": true}\n\n',
        b'data: {"msg": "process_completed", "event_id": "e1", "output": {"data": "x"}, "success": true}\n\n',
        b'data: ["a list"]\n\n',
        # An edit Gradio does not have; edits come only to a join by fn_index (verify="off").
        pytest.param(
            b'data: {"msg": "process_generating", "event_id": "e1", "output": {"data": ["a"]}, "success": true}\n\n'
            b'data: {"msg": "process_generating", "event_id": "e1", "output": {"data": [[["zap", [], 1]]]}, '
            b'"success": true}\n\n',
            id="unknown-edit",
        ),
    ],
)
def test_malformed_stream_raises_protocol_error(stream: bytes) -> None:
    verify = "off" if b"zap" in stream else "concurrent"
    fake = FakeApp(lambda n: iter([stream]))
    with client_for(fake, timeout=5, verify=verify) as client:
        with pytest.raises(rt.ProtocolError):
            client._predict(CONCAT, "a", "b", "-")

    async def main() -> None:
        fake = FakeApp(lambda n: iter([stream]))
        async with async_client_for(fake, timeout=5, verify=verify) as client:
            with pytest.raises(rt.ProtocolError):
                await client._predict(CONCAT, "a", "b", "-")

    asyncio.run(main())


def test_client_recovers_after_a_broken_stream() -> None:
    streams = {1: [b"data: garbage\n\n"], 2: [sse(done("e2", ["ok"]), CLOSE)]}
    fake = FakeApp(lambda n: iter(streams[n]))
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.ProtocolError):
            client._predict(CONCAT, "a", "b", "-")
        assert client._predict(CONCAT, "a", "b", "-") == "ok"


@pytest.mark.parametrize(
    "status, body, error",
    [
        (503, {"detail": "Queue is full. Max size is 1"}, rt.QueueFullError),
        (429, {"detail": "Too many requests"}, rt.QueueFullError),
        (401, {"detail": {"error": "Not authenticated", "auth_message": None}}, rt.AuthenticationError),
        (403, {"detail": "Forbidden"}, rt.AuthenticationError),
        (502, {"detail": "Bad gateway"}, rt.ServerUnavailableError),
    ],
)
def test_join_refusals_map_to_errors(status: int, body: Any, error: type[Exception]) -> None:
    fake = FakeApp(join=lambda r: httpx.Response(status, json=body))
    with client_for(fake, timeout=5) as client:
        with pytest.raises(error) as info:
            client._predict(CONCAT, "a", "b", "-")
    if status == 503:
        assert "Queue is full" in str(info.value) and info.value.status_code == 503  # type: ignore[attr-defined]
    assert fake.gets == 0  # no stream opened for a refused job


def test_connection_refused_is_server_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    with client_for(FakeApp(join=refuse), timeout=5) as client:
        with pytest.raises(rt.ServerUnavailableError, match="is the server running"):
            client._predict(CONCAT, "a", "b", "-")


def test_stream_cut_before_the_result_is_server_unavailable() -> None:
    fake = FakeApp(lambda n: iter([sse({"msg": "process_starts", "event_id": "e1", "eta": None})]))
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.ServerUnavailableError, match="closed the event stream"):
            client._predict(CONCAT, "a", "b", "-")


CONFIG = {
    "version": "6.31.0",
    "api_prefix": P,
    "protocol": "sse_v3",
    "components": [{"id": i, "type": "state" if i in (1, 2) else "number"} for i in range(1, 6)],
    "dependencies": [
        {"id": 0, "api_name": "increment", "inputs": [3, 1, 2], "outputs": [4, 1, 2]},
        {"id": 5, "api_name": "concat", "inputs": [3, 4, 5], "outputs": [3]},
    ],
}


def test_unknown_endpoint_is_app_changed_naming_what_differs() -> None:
    fake = FakeApp(join=lambda r: httpx.Response(500, text="Internal Server Error"), config=CONFIG)
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.AppChangedError, match=r"/concat.*fn_index is 5, the SDK has 1"):
            client._predict(CONCAT, "a", "b", "-")
    gone = {**CONFIG, "dependencies": CONFIG["dependencies"][:1]}  # type: ignore[index]
    fake = FakeApp(join=lambda r: httpx.Response(500, text="Internal Server Error"), config=gone)
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.AppChangedError, match=r"no endpoint /concat any more \(removed or renamed; it has: /increment\)"):
            client._predict(CONCAT, "a", "b", "-")


def test_moved_api_prefix_is_app_changed() -> None:
    fake = FakeApp(join=lambda r: httpx.Response(404, json={"detail": "Not Found"}), config={**CONFIG, "api_prefix": "/api2"})
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.AppChangedError, match="moved from '/gradio_api' to '/api2'"):
            client._predict(CONCAT, "a", "b", "-")


def test_validation_names_the_parameter_before_any_request() -> None:
    fake = FakeApp()
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.InputError) as info:
            client._predict(CONCAT, "a", "b", 3)
        assert str(info.value) == "/concat: parameter 'sep': expected a str, got 3 (int)"
        assert info.value.parameter == "sep"
        with pytest.raises(rt.InputError, match=r"takes 3 arguments \(a, b, sep\), got 2"):
            client._predict(CONCAT, "a", "b")
    assert fake.paths() == []
    with client_for(fake, timeout=5, validate=False) as client:
        client._predict(CONCAT, "a", "b", 3)  # sent as is when validation is off
    assert fake.bodies[0]["data"] == ["a", "b", 3]


def test_state_slots_are_sent_as_null_and_dropped_from_results() -> None:
    fake = FakeApp(lambda n: iter([sse(done(f"e{n}", [2, None, None]), CLOSE)]), config=CONFIG)
    with client_for(fake, timeout=5) as client:
        assert client._predict(COUNTER, 2) == 2
        first = client.session_hash
        client._predict(COUNTER, 2)
        client.reset_session()
        client._predict(COUNTER, 2)
    assert [b["data"] for b in fake.bodies] == [[2, None, None]] * 3
    hashes = [b["session_hash"] for b in fake.bodies]
    assert hashes[0] == hashes[1] == first != hashes[2]


def test_missing_fn_index_is_looked_up_once_with_state_positions() -> None:
    counter: rt.Endpoint[float] = rt.Endpoint(
        "/increment", fn_index=None, inputs=(rt.Param("step", s.Float()),), outputs=(rt.Output("count", s.Float()),)
    )
    fake = FakeApp(lambda n: iter([sse(done(f"e{n}", [3, None, None]), CLOSE)]), config=CONFIG)
    with client_for(fake, timeout=5) as client:
        assert client._predict(counter, 3) == 3
        assert client._predict(counter, 3) == 3
    # Once: the State positions and the layout check come from the same document.
    assert fake.paths().count(("GET", "/config")) == 1
    assert fake.bodies[0] == {"data": [3, None, None], "session_hash": fake.bodies[0]["session_hash"]}


def test_messages_for_a_job_whose_join_has_not_returned_are_kept() -> None:
    second_join = threading.Event()
    second_streamed = threading.Event()

    def stream(n: int) -> Iterator[bytes]:
        if n > 1:  # reopened while the second join was still in flight: nothing new
            yield sse(CLOSE)
            return
        yield sse({"msg": "process_starts", "event_id": "e1", "eta": None})
        assert second_join.wait(5)
        yield sse(done("e2", ["second"]))  # before e2's join has even answered
        second_streamed.set()
        yield sse(done("e1", ["first"]), CLOSE)

    def join(request: httpx.Request) -> httpx.Response | None:
        if fake.joins == 1:
            second_join.set()
            assert second_streamed.wait(5)
        return None

    fake = FakeApp(stream, join=join)
    with client_for(fake, timeout=5) as client:
        first = client._submit(CONCAT, "a", "b", "1")
        second = client._submit(CONCAT, "a", "b", "2")
        assert (first.result(), second.result()) == ("first", "second")
    assert fake.gets < 10  # reopening while a join is in flight backs off instead of spinning


def test_stream_reopens_after_close_stream_while_jobs_are_pending() -> None:
    streams = {
        1: [sse(done("e1", ["one"]), CLOSE)],
        2: [sse(done("e2", ["two"]), CLOSE)],
    }
    gate = threading.Event()

    def stream(n: int) -> Iterator[bytes]:
        if n == 1:
            assert gate.wait(5)
        yield from streams[n]

    fake = FakeApp(stream)
    with client_for(fake, timeout=5) as client:
        first = client._submit(CONCAT, "a", "b", "1")
        second = client._submit(CONCAT, "a", "b", "2")
        gate.set()
        assert (first.result(), second.result()) == ("one", "two")
    assert fake.gets == 2


def test_update_dicts_stand_for_their_value() -> None:
    fake = FakeApp(lambda n: iter([sse(done("e1", [{"__type__": "update", "value": "v", "visible": True}]), CLOSE)]))
    with client_for(fake, timeout=5) as client:
        assert client._predict(CONCAT, "a", "b", "c") == "v"


def test_result_count_mismatch_is_app_changed() -> None:
    fake = FakeApp(lambda n: iter([sse(done("e1", ["a", "b"]), CLOSE)]))
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.AppChangedError, match="returned 2 values"):
            client._predict(CONCAT, "a", "b", "c")


def test_with_options_shares_connection_and_session() -> None:
    fake = FakeApp(lambda n: iter([sse(done(f"e{n}", ["x"]), CLOSE)]))
    client = client_for(fake, timeout=5)
    quick = client.with_options(timeout=0.5, validate=False)
    assert type(quick) is Client and quick._options.timeout == 0.5 and client._options.timeout == 5
    assert quick._shared is client._shared and quick.session_hash == client.session_hash
    assert quick._predict(CONCAT, "a", "b", 1) == "x"
    client.close()


def test_constructor_does_no_io_and_checks_options() -> None:
    class Nowhere(rt.Client):
        app = rt.AppSpec(src="http://127.0.0.1:9")

    client = Nowhere()  # nothing listens there; constructing must not notice
    assert client.src == "http://127.0.0.1:9" and client._shared.http is None
    with pytest.raises(ValueError):
        Nowhere(timeout=-1)
    with pytest.raises(ValueError):
        Nowhere(download="sometimes")  # type: ignore[arg-type]
    with pytest.raises(rt.InputError):
        rt.Client()


def test_token_goes_only_to_hugging_face_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_from_env")
    seen: list[httpx.Headers] = []

    def record(fake: FakeApp) -> Callable[[httpx.Request], httpx.Response]:
        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.headers)
            return fake(request)

        return handler

    class Space(rt.Client):
        app = rt.AppSpec(src="https://owner-demo.hf.space", api_prefix=P, gradio_version="6.31.0")

    space = Space(token="hf_explicit", timeout=5)
    space._shared.http = httpx.Client(transport=httpx.MockTransport(record(FakeApp())))
    space._predict(CONCAT, "a", "b", "c")
    assert all(h.get("x-hf-authorization") == "Bearer hf_explicit" for h in seen) and seen
    seen.clear()
    local = Client(timeout=5)  # http://app.test: the token from the environment must stay home
    local._shared.http = httpx.Client(transport=httpx.MockTransport(record(FakeApp())))
    local._predict(CONCAT, "a", "b", "c")
    assert seen and not any("hf_secret" in value for h in seen for value in h.values())


def test_local_apps_never_look_a_token_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradio_codegen.runtime._hub import _auth

    def refuse(explicit: object) -> None:
        raise AssertionError("token lookup for a host that may not receive it")

    monkeypatch.setattr(_auth, "find_token", refuse)
    with client_for(FakeApp(), timeout=5, headers={"x-custom": "1"}) as client:
        assert client._predict(CONCAT, "a", "b", "c") == "x"


def test_validator_verdicts_name_the_parameter() -> None:
    verdict = {"detail": [{"__type__": "validate", "is_valid": False, "message": "too short", "parameter_name": "a"},
                          {"__type__": "validate", "is_valid": True, "message": None, "parameter_name": "b"}]}
    fake = FakeApp(join=lambda r: httpx.Response(422, json=verdict))
    with client_for(fake, timeout=5) as client:
        with pytest.raises(rt.InputError, match=r"rejected the arguments \(HTTP 422\): parameter 'a': too short$"):
            client._predict(CONCAT, "a", "b", "c")


@pytest.mark.parametrize("protocol", ["sse"])  # "ws" is Gradio 3: tests/runtime/queue/test_gradio3*
def test_unsupported_protocols_say_so_before_any_request(protocol: str) -> None:
    class Legacy(rt.Client):
        app = rt.AppSpec(src="http://app.test", protocol=protocol)

    fake = FakeApp()
    client = Legacy(timeout=5)
    client._shared.http = httpx.Client(transport=httpx.MockTransport(fake))
    with pytest.raises(rt.ProtocolError, match=f"protocol '{protocol}'.*Gradio 4.0 and later"):
        client._predict(CONCAT, "a", "b", "c")
    assert fake.paths() == []


def test_user_headers_go_with_every_request() -> None:
    seen: list[httpx.Headers] = []
    fake = FakeApp()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return fake(request)

    client = Client(timeout=5, headers={"x-tenant": "blue"})
    client._shared.http = httpx.Client(transport=httpx.MockTransport(handler))
    assert client._predict(CONCAT, "a", "b", "c") == "x"
    assert len(seen) == 3 and all(h["x-tenant"] == "blue" for h in seen)  # join, stream, /config
    assert all(h["user-agent"] == "gradio-codegen" for h in seen)


def test_a_closed_client_says_so() -> None:
    client = client_for(FakeApp(), timeout=5)
    client._predict(CONCAT, "a", "b", "c")
    client.close()
    with pytest.raises(RuntimeError, match="client is closed"):
        client._predict(CONCAT, "a", "b", "c")
