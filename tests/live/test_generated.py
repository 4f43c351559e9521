"""Generated SDKs (``generated_examples/``) calling real servers through the runtime."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from servers import GRADIO_VERSIONS

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]

EXAMPLES = Path(__file__).resolve().parents[2] / "generated_examples"


def sdk(app: str, major: str) -> ModuleType:
    path = EXAMPLES / f"gradio{major}" / f"{app}.py"
    if not path.exists():
        pytest.skip(f"no generated example {path.name} for Gradio {major}")
    name = f"_sdk_{app}_{major}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_state_lives_in_the_clients_session(server_pool: Any, major: str) -> None:
    server = server_pool.get("state_counter", major)
    module = sdk("state_counter", major)
    with module.Client(server.url, timeout=30) as client:
        assert client.increment(2) == 2
        assert client.increment(3) == 5
        assert client.history() == "2, 5"
        client.reset_session()
        assert client.history() == "(empty)"
    with module.Client(server.url, timeout=30) as other:
        assert other.history() == "(empty)"  # a new client is a new session


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_streaming_through_generated_code(server_pool: Any, major: str) -> None:
    server = server_pool.get("streaming", major)
    module = sdk("streaming", major)
    with module.Client(server.url, timeout=30) as client:
        job = client.submit_count(4, 0.01)
        assert list(job) == ["0 ", "0 1 ", "0 1 2 ", "0 1 2 3 "]
        two = client.two_outputs(3)
        assert tuple(two) == ("step 2", 2) and type(two).__name__ == "TwoOutputsResult"
        with pytest.raises(rt.InputError, match="parameter 'n'"):
            client.count("five")

    async def run_async() -> list[str]:
        async with module.AsyncClient(server.url, timeout=30) as client:
            job = await client.submit_count(3, 0.01)
            return [value async for value in job]

    assert asyncio.run(run_async()) == ["0 ", "0 1 ", "0 1 2 "]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_app_errors_through_generated_code(server_pool: Any, major: str) -> None:
    server = server_pool.get("progress_errors", major)
    module = sdk("progress_errors", major)
    with module.Client(server.url, timeout=30) as client:
        with pytest.raises(rt.AppError) as info:
            client.fail("y")
        assert info.value.message == "Bad input: y" and info.value.endpoint == "/fail"
        assert client.notify("z") == "z"
