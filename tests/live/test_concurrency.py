"""Many calls at once through one client share the session's stream and each get their own result."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from servers import GRADIO_VERSIONS
from runtime_support import client_classes, config_of, endpoint

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_fifty_threads_share_one_sync_client(server_pool: Any, major: str) -> None:
    server = server_pool.get("text_echo", major)
    config = config_of(server)
    echo, concat = endpoint(config, "/echo"), endpoint(config, "/concat")
    sync_client, _ = client_classes(server)
    with sync_client(timeout=120) as client:

        def call(i: int) -> Any:
            if i % 2:
                return client._predict(concat, f"a{i}", f"b{i}", "+")
            return client._predict(echo, f"text {i}")

        with ThreadPoolExecutor(50) as pool:
            results = list(pool.map(call, range(50)))
    assert results == [f"a{i}+b{i}" if i % 2 else f"text {i}" for i in range(50)]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_fifty_tasks_share_one_async_client(server_pool: Any, major: str) -> None:
    server = server_pool.get("streaming", major)
    config = config_of(server)
    count = endpoint(config, "/count")
    _, async_client = client_classes(server)

    async def main() -> list[Any]:
        async with async_client(timeout=120) as client:
            jobs = await asyncio.gather(*(client._submit(count, 1 + i % 4, 0.0) for i in range(50)))
            return await asyncio.gather(*(job.result() for job in jobs))

    results = asyncio.run(main())
    assert results == ["".join(f"{k} " for k in range(1 + i % 4)) for i in range(50)]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_first_call_is_a_join_a_stream_and_one_config_read(server_pool: Any, major: str) -> None:
    """By name, with the layout check's /config read alongside the join (``verify``)."""
    server = server_pool.get("text_echo", major)
    echo = endpoint(config_of(server), "/echo")
    sync_client, _ = client_classes(server)
    seen: list[str] = []
    with sync_client(timeout=30) as client:
        client._shared.http = httpx.Client(
            event_hooks={"request": [lambda r: seen.append(f"{r.method} {r.url.path}")]}
        )
        assert client._predict(echo, "hi") == "hi"
    p = server.api_prefix
    assert sorted(seen) == sorted([f"POST {p}/call/echo", f"GET {p}/queue/data", "GET /config"])
