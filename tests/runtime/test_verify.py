"""``verify``: a call reaches the endpoint it was generated for, by name, with the inputs and
outputs the SDK expects, or raises ``AppChangedError`` before any result is returned.

The clients run against ``hostile_app.HostileApp`` serving the captured ``text_echo`` /config, with
``{P}/call/{name}`` answered as Gradio does (HTTP 500 for a name it does not have), so a test can
count and order every request. ``verify`` is on by default ("concurrent"); the tests say which
mode they test. What ``compare`` tells from a /config is in
``tests/runtime/queue/test_layout.py``; real Gradio 4, 5 and 6 in ``tests/live/test_app_changes.py``.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import gc
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio3_standin import Gradio3Standin
from hostile_app import (
    PREFIX,
    Event,
    Handler,
    HostileApp,
    call_route,
    example_sdk,
    refuse_first,
)

pytestmark = pytest.mark.timeout(60)

sdk = example_sdk("text_echo")
CONFIG = json.loads(
    (
        Path(__file__).resolve().parents[1] / "fixtures/schemas/gradio6/text_echo/config.json"
    ).read_text()
)


def edited(**changes: Any) -> dict[str, Any]:
    """The captured /config with dependency ``concat`` (fn 1: a, b, sep -> joined) edited."""
    config = copy.deepcopy(CONFIG)
    dep = config["dependencies"][1]
    for key, value in changes.items():
        dep[key] = value
    return config


def joined(fn_index: int, data: list[Any]) -> list[Any]:
    """What the stand-in returns: one value naming everything the function was given."""
    return ["|".join(map(str, data))]


class NamedApp(HostileApp):
    """The stand-in app serving ``config`` (it routes ``{P}/call/{name}`` by the names in it, as
    Gradio does); ``by_name=False``: an app without that route (Gradio 4.16, some proxies)."""

    def __init__(self, config: dict[str, Any] = CONFIG, by_name: bool = True) -> None:
        super().__init__(config=copy.deepcopy(config), answer=joined)
        if not by_name:
            for name in ("/echo", "/concat", "/gone"):
                self.routes[call_route(name)] = lambda h: h.send_json(404, {"detail": "Not Found"})

    def requests(self) -> list[str]:
        """Every request but the session's event stream, as ``"METHOD /path"``."""
        paths = [f"{s.method} {s.path.split('?')[0]}" for s in self.seen]
        return [p for p in paths if p != f"GET {PREFIX}/queue/data"]


def test_calls_go_by_name_and_the_first_one_reads_config_once() -> None:
    with NamedApp() as app, sdk.Client(app.url, verify="concurrent") as client:
        assert client.concat("a", "b", "-") == "a|b|-"
        first = app.requests()
        assert client.echo("hi") == "hi"
        warm = app.requests()[len(first) :]
    assert sorted(first) == ["GET /config", f"POST {PREFIX}/call/concat"]
    assert warm == [f"POST {PREFIX}/call/echo"]
    assert [e.data for e in app.joined] == [["a", "b", "-"], ["hi"]]


def test_a_warm_call_sends_exactly_what_it_sends_unchecked() -> None:
    """One request besides the session's event stream (which is the same either way)."""
    sent = {}
    for verify in ("off", "concurrent"):
        with NamedApp() as app, sdk.Client(app.url, verify=verify) as client:
            client.echo("warm up")
            before = len(app.requests())
            client.echo("x")
            sent[verify] = app.requests()[before:]
    assert sent == {
        "off": [f"POST {PREFIX}/queue/join"],
        "concurrent": [f"POST {PREFIX}/call/echo"],
    }


def test_a_changed_layout_raises_before_the_result_and_cancels_by_the_verified_index() -> None:
    config = edited(inputs=[5, 6])  # /concat lost an input: the SDK's values would shift
    config["dependencies"].reverse()  # and it now sits at fn_index 0
    config["dependencies"][0]["id"], config["dependencies"][1]["id"] = 0, 1
    with NamedApp(config) as app, sdk.Client(app.url, verify="concurrent") as client:
        with pytest.raises(rt.AppChangedError) as caught:
            client.concat("a", "b", "-")
    error = caught.value
    assert [c.kind for c in error.changes] == ["fn_index_changed", "input_removed"]
    assert error.endpoint == "/concat"
    assert (
        error.regenerate is not None
        and "gradio-codegen http://127.0.0.1:17861 -o " in error.regenerate
    )
    assert "public inputs" in str(error) and error.regenerate in str(error)
    assert error.may_have_run  # joined alongside the check: /concat's function may have started
    cancels = [c for c in app.cancelled if "fn_index" in c]
    assert [(c["fn_index"], c["event_id"]) for c in cancels] == [(0, app.joined[0].event_id)]


def test_an_unknown_name_is_explained_from_the_current_config() -> None:
    config = edited(api_name="join")
    with NamedApp(config) as app, sdk.Client(app.url, verify="concurrent") as client:
        with pytest.raises(rt.AppChangedError) as caught:
            client.concat("a", "b", "-")
    assert [c.kind for c in caught.value.changes] == ["endpoint_removed"]
    assert "it has: /echo, /join" in str(caught.value)
    assert app.joined == [] and not caught.value.may_have_run


def test_without_the_route_the_join_waits_for_the_check_and_uses_its_index() -> None:
    config = copy.deepcopy(CONFIG)
    config["dependencies"].reverse()
    for position, dep in enumerate(config["dependencies"]):
        dep["id"] = position
    with NamedApp(config, by_name=False) as app, sdk.Client(app.url, verify="concurrent") as c:
        assert c.echo("hi") == "hi"
        assert c.echo("again") == "again"
    joins = [json.loads(s.body) for s in app.requests_to(f"{PREFIX}/queue/join")]
    assert [j["fn_index"] for j in joins] == [1, 1]  # the SDK has 0; the app has /echo at 1
    assert len(app.requests_to(f"{PREFIX}/call/echo")) == 1  # tried once, then remembered


def test_verify_before_reads_config_before_anything_joins() -> None:
    config = edited(inputs=[5, 6])
    with NamedApp(config) as app, sdk.Client(app.url, verify="before") as client:
        with pytest.raises(rt.AppChangedError) as caught:
            client.concat("a", "b", "-")
        assert not caught.value.may_have_run
        assert client.echo("ok") == "ok"
    assert app.requests()[0] == "GET /config"
    assert [e.data for e in app.joined] == [["ok"]]


def test_a_sign_of_restart_makes_the_next_call_check_again() -> None:
    with NamedApp() as app, sdk.Client(app.url, verify="concurrent") as client:
        client.echo("first")
        app.config["dependencies"][0]["inputs"] = [1, 1]  # the app changed behind the name
        app.answer = lambda fn_index, data: [data[0], "extra"]  # and now returns two values
        with pytest.raises(rt.AppChangedError):
            client.echo("second")  # the count of values gives it away
        with pytest.raises(rt.AppChangedError) as caught:
            client.echo("third")  # checked again, before any result
    assert [c.kind for c in caught.value.changes] == ["input_added"]
    assert len(app.requests_to("/config")) == 2


def test_a_sign_of_restart_in_a_submitted_job_makes_the_next_call_check_again() -> None:
    """The sign reaches only the job's own waiter (here ``result()`` from another thread): the next
    call is checked all the same."""
    with NamedApp() as app, sdk.Client(app.url, verify="concurrent") as client:
        client.echo("first")
        app.config["dependencies"][0]["inputs"] = [1, 1]
        app.answer = lambda fn_index, data: [data[0], "extra"]
        job = client.submit_echo("second")
        seen: list[BaseException] = []

        def wait() -> None:
            try:
                job.result()
            except rt.GradioError as e:
                seen.append(e)

        waiter = threading.Thread(target=wait)
        waiter.start()
        waiter.join(30)
        assert [type(e) for e in seen] == [rt.AppChangedError]
        with pytest.raises(rt.AppChangedError) as caught:
            client.echo("third")
    assert [c.kind for c in caught.value.changes] == ["input_added"]
    assert len(app.requests_to("/config")) == 2


def test_a_submit_that_fails_with_a_sign_of_restart_makes_the_next_call_check_again() -> None:
    """Not only a job's end: ``submit_*`` raising a sign itself (here a front end's 502 at the
    join, as while the app restarts) has the next call check again."""
    with NamedApp() as app, sdk.Client(app.url, verify="concurrent") as client:
        client.echo("first")
        met = refuse_first(app, call_route("/echo"), 1, lambda h: h.send_json(502, {}))
        with pytest.raises(rt.ServerUnavailableError):
            client.submit_echo("second")
        assert client.echo("third") == "third"
    assert met == ["refused", "app"]
    assert len(app.requests_to("/config")) == 2


def test_an_async_submitted_job_s_sign_of_restart_makes_the_next_call_check_again() -> None:
    async def main() -> rt.AppChangedError:
        with NamedApp() as app:
            async with sdk.AsyncClient(app.url, verify="concurrent") as client:
                await client.echo("first")
                app.config["dependencies"][0]["inputs"] = [1, 1]
                app.answer = lambda fn_index, data: [data[0], "extra"]
                job = await client.submit_echo("second")
                with pytest.raises(rt.AppChangedError):
                    await job.result()
                with pytest.raises(rt.AppChangedError) as caught:
                    await client.echo("third")
                assert len(app.requests_to("/config")) == 2
        return caught.value

    assert [c.kind for c in asyncio.run(main()).changes] == ["input_added"]


def test_the_async_client_checks_alike() -> None:
    async def main() -> tuple[str | None, rt.AppChangedError]:
        with NamedApp() as good:
            async with sdk.AsyncClient(good.url, verify="concurrent") as client:
                result = await client.echo("hi")
        with NamedApp(edited(inputs=[5, 6])) as bad:
            async with sdk.AsyncClient(bad.url, verify="concurrent") as client:
                with pytest.raises(rt.AppChangedError) as caught:
                    await client.concat("a", "b", "-")
                assert await client.echo("ok") == "ok"  # the other endpoint still works
        return result, caught.value

    result, error = asyncio.run(main())
    assert result == "hi"
    assert [c.kind for c in error.changes] == ["input_removed"]


def test_concurrent_first_calls_share_one_config_read() -> None:
    with NamedApp() as app, sdk.Client(app.url, verify="concurrent") as client:
        results: list[str | None] = []
        threads = [
            threading.Thread(target=lambda i=i: results.append(client.echo(str(i))))
            for i in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert sorted(r or "" for r in results) == ["0", "1", "2", "3"]
    assert len(app.requests_to("/config")) == 1


def test_verify_is_checked_when_the_client_is_made() -> None:
    with pytest.raises(ValueError, match="verify must be one of"):
        sdk.Client("http://127.0.0.1:1", verify="sometimes")  # type: ignore[arg-type]


def test_streamed_outputs_of_a_call_by_name_are_full_values_not_edits() -> None:
    """``{P}/call/{name}`` sends every update whole (Gradio's simple format), where a join by
    fn_index gets edit lists after the first."""
    app = NamedApp()

    def stream(h: Handler, session: str, events: list[Event]) -> None:
        for event in events:
            h.sse({"msg": "process_starts", "event_id": event.event_id})
            for text in ("a", "ab", "abc"):
                output = {"data": [text], "is_generating": True}
                h.sse({"msg": "process_generating", "event_id": event.event_id, "output": output})
            h.sse(app.completed(event, ["abc"]))
        h.sse({"msg": "close_stream", "event_id": None})

    app.on_stream = stream
    with app, sdk.Client(app.url, verify="concurrent") as client:
        job = client.submit_echo("x")
        assert list(job) == ["a", "ab", "abc"]
        assert job.result() == "abc"


# -- on by default: what a first and a warm call cost, and a /config that attacks --------------------


def test_by_default_the_first_call_reads_config_alongside_and_a_warm_call_only_joins() -> None:
    """No option given: the first call sends its join by name, opens the session's stream and
    reads /config once; the second sends its join and nothing else (the stream stays open)."""
    with HostileApp() as app, sdk.Client(app.url) as client:
        assert client.echo("first") == "first"
        first = [f"{s.method} {s.path.split('?')[0]}" for s in app.seen]
        assert client.echo("second") == "second"
        warm = [f"{s.method} {s.path.split('?')[0]}" for s in app.seen][len(first) :]
    assert sorted(first) == ["GET /config", f"GET {PREFIX}/queue/data", f"POST {PREFIX}/call/echo"]
    # The stand-in ends a session's stream once its jobs are done, so the client may open it
    # again (in either order with the join): the same with or without the check.
    assert [r for r in warm if r != f"GET {PREFIX}/queue/data"] == [f"POST {PREFIX}/call/echo"]


def test_by_default_the_async_client_costs_the_same() -> None:
    async def main(app: HostileApp) -> tuple[list[str], list[str]]:
        async with sdk.AsyncClient(app.url) as client:
            assert await client.echo("first") == "first"
            first = [f"{s.method} {s.path.split('?')[0]}" for s in app.seen]
            assert await client.echo("second") == "second"
            return first, [f"{s.method} {s.path.split('?')[0]}" for s in app.seen][len(first) :]

    with HostileApp() as app:
        first, warm = asyncio.run(main(app))
    assert sorted(first) == ["GET /config", f"GET {PREFIX}/queue/data", f"POST {PREFIX}/call/echo"]
    assert [r for r in warm if r != f"GET {PREFIX}/queue/data"] == [f"POST {PREFIX}/call/echo"]


def serve_config(body: bytes) -> Any:
    def answer(h: Handler) -> None:
        h.send_bytes(200, body, content_type="application/json")

    return answer


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"{not json", "reading /config is not JSON"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "reading /config nests"),
        (b'{"version": ' + b"9" * 10_000 + b"}", "digits"),
        (b'["a", "list"]', "/config is not a JSON object"),
        (b'{"api_prefix": "/gradio_api", "dependencies": "all of them"}', "no dependency list"),
    ],
    ids=["malformed", "deep", "digits", "list", "wrong-type"],
)
@pytest.mark.parametrize("verify", ["concurrent", "before"])
def test_a_hostile_config_is_a_protocol_error_naming_it(
    body: bytes, said: str, verify: str
) -> None:
    """The check never guesses: a /config it cannot read fails the call with a typed error (the
    call went by name, so no other endpoint's function ran), and the client stays usable."""
    with HostileApp() as app, sdk.Client(app.url, timeout=10, verify=verify) as client:
        app.routes[("GET", "/config")] = serve_config(body)
        with pytest.raises(rt.ProtocolError, match=said):
            client.echo("x")
        assert all(e.fn_index == 0 for e in app.joined)  # only /echo's function was asked to run
        if verify == "before":
            assert app.joined == []  # nothing joined before the check
        del app.routes[("GET", "/config")]
        assert client.echo("again") == "again"  # the next call reads /config again


def test_a_config_past_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The size bound of every JSON document an app sends holds for /config (its real limit,
    64 MiB, made 1 MiB here so the test stays cheap)."""
    from gradio_codegen.runtime._http import _json

    monkeypatch.setattr(_json, "MAX_BYTES", 2**20)
    padding = json.dumps({**CONFIG, "css": "x" * 2**20}).encode()
    with HostileApp(config=CONFIG) as app, sdk.Client(app.url, timeout=10) as client:
        app.routes[("GET", "/config")] = serve_config(padding)
        with pytest.raises(rt.ProtocolError, match="more than the 1,048,576"):
            client.echo("x")


def test_a_config_that_never_comes_is_bounded_by_the_timeout() -> None:
    release = threading.Event()
    with HostileApp() as app, sdk.Client(app.url, timeout=1.0) as client:
        app.routes[("GET", "/config")] = lambda h: release.wait(30)
        try:
            with pytest.raises(rt.GradioTimeoutError, match="/config"):
                client.echo("x")
        finally:
            release.set()


@pytest.mark.parametrize("verify", ["concurrent", "before", "off"])
def test_a_gradio_3_call_costs_no_request_more_whatever_verify_says(verify: str) -> None:
    """Gradio 3 has no route by name: the check reads nothing more, it uses the /config the
    client reads for the endpoint's route anyway -- one /config read, then the socket."""
    with Gradio3Standin() as app, Legacy(app.url, timeout=30, verify=verify) as client:
        assert client._predict(ECHO3, "hi") == "hi"
        assert client._predict(ECHO3, "again") == "again"
    assert app.seen == ["GET /config HTTP/1.1"] + ["GET /queue/join HTTP/1.1"] * 2


class Legacy(rt.Client):
    app = rt.AppSpec(src="", protocol="ws", gradio_version="3.50.2")


ECHO3: rt.Endpoint[str | None] = rt.Endpoint(
    "/echo",
    fn_index=0,
    inputs=(rt.Param("text", rt.shapes.Str(), component="textbox"),),
    outputs=(rt.Output("output", rt.shapes.Str(), component="textbox"),),
)


def test_a_changed_gradio_3_endpoint_raises_before_the_socket_opens() -> None:
    with Gradio3Standin() as app, Legacy(app.url, timeout=30) as client:
        app.config["dependencies"][0]["inputs"] = [1, 1]
        with pytest.raises(rt.AppChangedError) as caught:
            client._predict(ECHO3, "hi")
    assert [c.kind for c in caught.value.changes] == ["input_added"]
    assert app.seen == ["GET /config HTTP/1.1"]  # the app was never asked to run anything


def test_a_gradio_3_endpoint_moved_to_another_index_is_called_at_its_new_one() -> None:
    """A listener added before it shifts the endpoint: unchecked, fn_index 0 would run the other
    function; checked, the call goes where the name now is."""
    with Gradio3Standin() as app:
        other = {"api_name": "other", "inputs": [1], "outputs": [2], "backend_fn": True}
        app.config["dependencies"].insert(0, other)
        with Legacy(app.url, timeout=30) as client:
            assert client._predict(ECHO3, "hi") == "hi"
        with Legacy(app.url, timeout=30, verify="off") as client:
            client._predict(ECHO3, "unchecked")
    sent = [m["fn_index"] for m in app.received if isinstance(m, dict) and "fn_index" in m]
    assert sent[0] == 1 and sent[-1] == 0


def test_an_sdk_without_fn_index_reads_config_once_and_again_after_a_sign_of_restart() -> None:
    """An endpoint generated without /config takes its State positions from the app; the check
    uses that same document, and a sign of a restart drops both, so the next call reads anew."""
    public_only = dataclasses.replace(sdk._ECHO, fn_index=None)
    with HostileApp(config=CONFIG) as app, sdk.Client(app.url, timeout=10) as client:
        assert client._predict(public_only, "one") == "one"
        assert client._predict(public_only, "two") == "two"
        assert len(app.requests_to("/config")) == 1
        app.config["dependencies"][0]["inputs"] = [1, 1]  # /echo now takes two values
        app.answer = lambda fn_index, data: [data[0], "extra"]
        with pytest.raises(rt.AppChangedError):
            client._predict(public_only, "three")  # two values back: a sign of a restart
        with pytest.raises(rt.AppChangedError) as caught:
            client._predict(public_only, "four")
    assert len(app.requests_to("/config")) == 2
    assert [c.kind for c in caught.value.changes] == ["input_added"]


def test_an_async_client_closed_while_its_check_reads_leaves_no_task_behind() -> None:
    """A join the app refused ends the call before the concurrent /config read: closing the
    client then stops that read, instead of leaving a task that fails on the closed connection
    with nobody to hear it ("Task exception was never retrieved")."""
    release = threading.Event()
    unheard: list[dict[str, Any]] = []
    left: list[asyncio.Task[Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: unheard.append(ctx))
        with HostileApp() as app:
            app.routes[("GET", "/config")] = lambda h: release.wait(30)
            app.routes[call_route("/echo")] = lambda h: h.send_json(422, {"detail": "no"})
            async with sdk.AsyncClient(app.url, timeout=30) as client:
                with pytest.raises(rt.GradioError):
                    await client.echo("x")
            del client  # nothing but the client holds the read's task
            await asyncio.sleep(0.1)
            left.extend(t for t in asyncio.all_tasks() if t is not asyncio.current_task())
            release.set()
            await asyncio.sleep(0.2)  # let the read's task fail, if it lived on, and be collected
            gc.collect()

    try:
        asyncio.run(main())
    finally:
        release.set()
    assert left == [] and unheard == []


def test_a_call_waiting_on_the_check_when_the_client_closes_is_told_so() -> None:
    """Closing stops the check's read; a call still waiting for it hears that the client was
    closed, not a cancellation it never asked for."""
    release = threading.Event()

    async def main() -> BaseException:
        with HostileApp() as app:
            app.routes[("GET", "/config")] = lambda h: release.wait(30)
            client = sdk.AsyncClient(app.url, timeout=30)
            call = asyncio.ensure_future(client.echo("x"))
            while not any(s.path.startswith(f"{PREFIX}/call/") for s in app.seen):
                await asyncio.sleep(0.02)  # joined; now waiting for the check
            await asyncio.sleep(0.1)
            await client.aclose()
            (done,), _ = await asyncio.wait([call], timeout=10)
            release.set()
            error = done.exception()
            assert error is not None
            return error

    try:
        error = asyncio.run(main())
    finally:
        release.set()
    assert isinstance(error, RuntimeError) and "closed" in str(error)
