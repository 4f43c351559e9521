"""``verify``: a call reaches the endpoint it was generated for, by name, with the inputs and
outputs the SDK expects, or raises ``AppChangedError`` before any result is returned.

The clients run against ``hostile_app.HostileApp`` serving the captured ``text_echo`` /config, with
``{P}/call/{name}`` answered as Gradio does (HTTP 500 for a name it does not have), so a test can
count and order every request. What ``compare`` tells from a /config is in
``tests/runtime/queue/test_layout.py``; real Gradio 4, 5 and 6 in ``tests/live/test_app_changes.py``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from hostile_app import PREFIX, Event, Handler, HostileApp, example_sdk

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
    """The stand-in app routing ``{P}/call/{name}`` by the names in its /config, as Gradio does."""

    def __init__(self, config: dict[str, Any] = CONFIG, by_name: bool = True) -> None:
        super().__init__(config=copy.deepcopy(config), answer=joined)
        self.ran: list[int] = []
        if by_name:
            for name in ("echo", "concat", "gone"):
                self.routes[("POST", f"{PREFIX}/call/{name}")] = self._call

    def _call(self, h: Handler) -> None:
        name = h.route.rsplit("/", 1)[1]
        found = [d for d in self.config["dependencies"] if d.get("api_name") == name]
        if not found:
            h.send_json(500, {"detail": "Internal Server Error"})
            return
        body = json.loads(h.body)
        event = Event(uuid.uuid4().hex, found[0]["id"], body["data"], body["session_hash"])
        with self._lock:
            self.events.setdefault(event.session_hash, []).append(event)
            self.joined.append(event)
        h.send_json(200, {"event_id": event.event_id})

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
