"""A module's functions pointed at another deployment of the app than the one the SDK was
generated from: by an environment variable, and in code with ``set_default_client``.

The SDK is the checked-in ``text_echo`` example, generated from ``http://127.0.0.1:17861`` where
nothing listens; the app itself runs on a free port.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gradio_codegen.runtime import InputError, ServerUnavailableError
from servers import GRADIO_VERSIONS, GradioServer

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]

EXAMPLE = Path(__file__).resolve().parents[2] / "generated_examples" / "gradio6" / "text_echo.py"
_numbers = count()


@pytest.fixture
def server(server_pool: Any) -> GradioServer:
    if "6" not in GRADIO_VERSIONS:
        pytest.skip("no Gradio 6 virtualenv")
    served: GradioServer = server_pool.get("text_echo", "6")
    return served


@pytest.fixture
def fresh_sdk() -> Iterator[ModuleType]:
    """The example imported under a new name, as an application's ``myapp.sdks.echo_<n>``: its
    default client is made on its first call, so each test needs its own import."""
    name = f"myapp.sdks.echo_{next(_numbers)}"
    spec = importlib.util.spec_from_file_location(name, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    yield module
    module._default.use(None)  # closes the client the module made, if any
    del sys.modules[name]


def _variable(module: ModuleType) -> str:
    return "GRADIO_CODEGEN_SRC_MYAPP_SDKS_" + module.__name__.rsplit(".", 1)[1].upper()


def test_unpointed_functions_call_where_the_sdk_was_generated_from(
    fresh_sdk: ModuleType, server: GradioServer
) -> None:
    assert fresh_sdk.APP.src == "http://127.0.0.1:17861" != server.url
    with pytest.raises(ServerUnavailableError):
        fresh_sdk.echo("hi")


def test_the_environment_variable_points_the_functions_at_another_deployment(
    fresh_sdk: ModuleType, server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = _variable(fresh_sdk)
    assert fresh_sdk._default.variable == variable  # the name the README documents
    monkeypatch.setenv(variable, f"  {server.url}/ ")
    assert fresh_sdk.echo("hi") == "hi"
    assert fresh_sdk.submit_echo("again").result() == "again"
    assert fresh_sdk._default.get().src == f"{server.url}/"
    monkeypatch.delenv(variable)
    assert fresh_sdk.echo("still") == "still"  # read once, when the client is made


def test_an_empty_variable_counts_as_unset(
    fresh_sdk: ModuleType, server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_variable(fresh_sdk), "   ")
    assert fresh_sdk._default.get().src == fresh_sdk.APP.src


def test_a_login_in_the_variable_is_refused_without_showing_it(
    fresh_sdk: ModuleType, server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = _variable(fresh_sdk)
    secret = "pw-never-printed-42"
    for value in (f"http://user:{secret}@127.0.0.1:{server.port}", f"user:{secret}@host:7860"):
        monkeypatch.setenv(variable, value)
        with pytest.raises(InputError) as caught:
            fresh_sdk.echo("hi")
        assert variable in str(caught.value) and "auth=" in str(caught.value)
        assert secret not in str(caught.value) and secret not in repr(caught.value)


def test_set_default_client_points_the_functions_at_a_client_made_in_code(
    fresh_sdk: ModuleType, server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_variable(fresh_sdk), "http://127.0.0.1:17861")  # the code wins
    with fresh_sdk.Client(server.url, timeout=30) as mine:
        fresh_sdk.set_default_client(mine)
        assert fresh_sdk.echo("hi") == "hi"
        assert fresh_sdk.concat("a", "b", sep="+") == "a+b"
        assert fresh_sdk._default.get() is mine
        fresh_sdk.set_default_client(None)  # back to the client made from the environment
        with pytest.raises(ServerUnavailableError):
            fresh_sdk.echo("hi")
        assert mine.echo("open") == "open"  # the caller's client stays the caller's to close


def test_set_default_client_closes_the_client_the_module_made(
    fresh_sdk: ModuleType, server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_variable(fresh_sdk), server.url)
    assert fresh_sdk.echo("hi") == "hi"
    made = fresh_sdk._default.get()
    fresh_sdk.set_default_client(made)  # its own client handed back: kept open
    assert fresh_sdk.echo("same") == "same"
    with fresh_sdk.Client(server.url, timeout=30) as mine:
        fresh_sdk.set_default_client(mine)
        with pytest.raises(RuntimeError, match="closed"):
            made.echo("hi")
        assert fresh_sdk.echo("mine") == "mine"


def test_set_default_client_refuses_what_is_not_this_sdks_client(fresh_sdk: ModuleType) -> None:
    with pytest.raises(TypeError, match="takes this SDK's Client"):
        fresh_sdk.set_default_client(fresh_sdk.AsyncClient("http://127.0.0.1:1"))
    assert fresh_sdk._default._client is None
