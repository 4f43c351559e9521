"""A wrong argument raises ``InputError`` before anything is sent.

The SDK is generated from the real ``all_components`` app on Gradio 6. Every request any httpx client
makes is recorded (the real transport still answers), so "nothing was sent" is observed, not assumed:
each test also makes a valid call and sees its requests recorded.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from servers import GRADIO_VERSIONS
from gradio_codegen.runtime import AppError, GradioError, InputError
from sdkgen import generate, import_module

pytestmark = [
    pytest.mark.servers,
    pytest.mark.timeout(180),
    pytest.mark.skipif("6" not in GRADIO_VERSIONS, reason="needs the Gradio 6 virtualenv"),
]


class Recorder:
    """Wraps ``httpx.Client.send`` / ``httpx.AsyncClient.send``: notes each request, then sends it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.requests: list[str] = []
        sync_send = httpx.Client.send
        async_send = httpx.AsyncClient.send

        def send(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            self.requests.append(f"{request.method} {request.url.path}")
            return sync_send(client, request, **kwargs)

        async def asend(
            client: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
        ) -> httpx.Response:
            self.requests.append(f"{request.method} {request.url.path}")
            return await async_send(client, request, **kwargs)

        monkeypatch.setattr(httpx.Client, "send", send)
        monkeypatch.setattr(httpx.AsyncClient, "send", asend)


@pytest.fixture(scope="module")
def app(server_pool: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[ModuleType, str]:
    server = server_pool.get("all_components", "6")
    out = tmp_path_factory.mktemp("validation") / "all_components_validation.py"
    return import_module(generate(server.url, out), "all_components_validation_sdk"), server.url


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    return Recorder(monkeypatch)


@pytest.fixture
def client(app: tuple[ModuleType, str]) -> Iterator[Any]:
    """A fresh client: it has not talked to the app yet, so even discovery would show up."""
    module, url = app
    with module.Client(url) as c:
        yield c


@pytest.fixture(scope="module")
def png(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("png") / "tiny.png"
    path.write_bytes(bytes.fromhex("89504e470d0a1a0a"))
    return str(path)


# (endpoint, arguments, parameter named in the error, text the message must contain)
WRONG: list[tuple[str, tuple[Any, ...], str, list[str]]] = [
    ("radio", ("purple",), "value", ["'purple'", "'red', 'green', 'blue'"]),
    ("radio_numbers", (3,), "value", ["3", "0.5"]),
    ("radio_numbers", ("1",), "value", ["'1'"]),
    ("checkbox_group", (["apple", "kiwi"],), "value", ["[1]", "'kiwi'"]),
    ("dropdowns", ("huge", ["a"], "cat", "lo"), "single", ["'huge'", "'small'"]),
    ("dropdowns", ("small", ["z"], "cat", "lo"), "multi", ["'z'"]),
    ("dropdowns", ("small", ["a"], "cat", "Low"), "pairs", ["'Low'", "'lo', 'hi'"]),
    ("dropdowns", ("small", ["a"], 7, "lo"), "custom", ["7"]),
    ("number_int", ("7",), "value", ["int", "'7'"]),
    ("number_int", (2.5,), "value", ["2.5"]),
    ("number_float", ("1.5",), "value", ["'1.5'"]),
    ("number_float", (math.nan,), "value", ["nan"]),
    ("slider", ("3",), "value", ["'3'"]),
    ("checkbox", ("yes",), "value", ["bool", "'yes'"]),
    ("textbox", (5,), "value", ["str", "5"]),
    ("image", (42,), "value", ["file", "42"]),
    ("files", ("notes.txt",), "value", ["list", "'notes.txt'"]),
    ("gallery", ([{"caption": "no image"}],), "value", ["[0]"]),
    ("multimodal", ({"files": []},), "value", ["'text'"]),
    ("dataframe", ({"data": [[1]]},), "value", ["'headers'"]),
    ("chatbot", ([{"role": "user"}],), "value", ["[0]", "'content'"]),
    ("highlighted_text", ([{"token": 1}],), "tokens", ["[0]", "'token'"]),
]


@pytest.mark.parametrize(
    ("name", "args", "parameter", "fragments"),
    WRONG,
    ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)],
)
def test_wrong_argument_raises_before_any_request(
    client: Any,
    recorder: Recorder,
    name: str,
    args: tuple[Any, ...],
    parameter: str,
    fragments: list[str],
) -> None:
    with pytest.raises(InputError) as caught:
        getattr(client, name)(*args)
    assert (
        recorder.requests == []
    ), f"{name}{args!r} sent requests before failing: {recorder.requests}"
    assert caught.value.parameter == parameter
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in the error message: {message}"
    assert isinstance(caught.value, ValueError)


def test_submit_validates_before_any_request(client: Any, recorder: Recorder) -> None:
    with pytest.raises(InputError):
        client.submit_radio("purple")
    assert recorder.requests == []


def test_a_warm_client_also_sends_nothing_for_a_wrong_argument(
    client: Any, recorder: Recorder
) -> None:
    assert client.radio("green") == "green"
    sent = len(recorder.requests)
    assert sent > 0, "the recorder saw no request for a valid call"
    with pytest.raises(InputError):
        client.dropdowns("small", ["a"], "cat", "Low")
    assert len(recorder.requests) == sent


def test_valid_edge_values_are_accepted(client: Any, recorder: Recorder, png: str) -> None:
    """What validation must not reject: a custom Dropdown value, an int for a float, 2.0 for an int."""
    result = client.dropdowns("small", [], "parrot", "hi")
    assert tuple(result) == ("small", [], "parrot", "hi")
    assert client.number_float(2) == 2
    assert client.number_int(2.0) == 2
    assert client.radio_numbers(1) == 1
    assert client.json({"any": ["thing", 1, None]}) == {"any": ["thing", 1, None]}
    assert any("/call/" in r for r in recorder.requests)  # joined, by name


def test_async_client_validates_before_any_request(
    app: tuple[ModuleType, str], recorder: Recorder
) -> None:
    module, url = app

    async def scenario() -> None:
        async with module.AsyncClient(url) as c:
            with pytest.raises(InputError) as caught:
                await c.radio("purple")
            assert caught.value.parameter == "value"
            with pytest.raises(InputError):
                await c.submit_checkbox_group(["kiwi"])
            assert recorder.requests == []
            assert await c.radio("blue") == "blue"

    asyncio.run(scenario())
    assert recorder.requests, "the recorder saw no request for the valid async call"


def test_without_validation_the_server_is_the_one_to_refuse(
    app: tuple[ModuleType, str], recorder: Recorder
) -> None:
    """``validate=False`` sends the value as is: Gradio then rejects it, after the round trip."""
    module, url = app
    with module.Client(url, validate=False) as c:
        with pytest.raises(GradioError) as caught:
            c.radio("purple")
    assert not isinstance(caught.value, InputError)
    assert isinstance(caught.value, AppError)
    assert any("/call/" in r for r in recorder.requests)  # joined, by name


def test_module_level_function_validates_too(
    app: tuple[ModuleType, str], recorder: Recorder
) -> None:
    module, _ = app
    with pytest.raises(InputError):
        module.radio("purple")
    assert recorder.requests == []


def test_path_objects_are_files(client: Any, png: str) -> None:
    assert Path(client.simple_image(Path(png))).read_bytes() == Path(png).read_bytes()


def test_without_validation_a_mismatched_value_is_sent_as_is(
    app: tuple[ModuleType, str], recorder: Recorder
) -> None:
    """A plain-string message content (accepted by Gradio 5, not by the 6 schema) must reach the server."""
    module, url = app
    with module.Client(url, validate=False) as c:
        try:
            c.chatbot([{"role": "user", "content": "hi"}])
        except GradioError:
            pass  # the server's verdict is fine; what matters is that the value was sent
    assert any("/call/" in r for r in recorder.requests)  # joined, by name


@pytest.mark.parametrize("value", [11, -1])
def test_slider_out_of_its_range_raises_before_any_request(
    client: Any, recorder: Recorder, value: float
) -> None:
    with pytest.raises(InputError) as caught:
        client.slider(value)
    assert recorder.requests == []
    assert caught.value.parameter == "value"
    assert "10" in str(caught.value)


def test_none_for_a_required_parameter_is_refused_unless_validation_is_off(
    app: tuple[ModuleType, str], client: Any, recorder: Recorder
) -> None:
    """Gradio takes null for any input, but a required parameter the browser always fills (an
    empty ImageEditor is an object, not null) stays required: None is refused before any
    request, naming the parameter; ``validate=False`` lets None through to the server, whose
    function receives it and here returns it."""
    with pytest.raises(InputError) as caught:
        client.image_editor(None)
    assert caught.value.parameter == "value" and "None" in str(caught.value)
    assert recorder.requests == []
    module, url = app
    with module.Client(url, validate=False) as c:
        assert c.image(None) is None
        assert c.number_int(None) is None
    assert any("/call/" in r for r in recorder.requests)  # joined, by name
