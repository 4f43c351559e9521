"""Faults on real servers: a dying or frozen server, an app that changed, logins, timeouts."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

import httpx
import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from servers import GRADIO_VERSIONS
from runtime_support import app_spec, client_classes, config_of, endpoint
from servers import start_server

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_server_killed_mid_call_is_server_unavailable(major: str) -> None:
    server = start_server("multi_endpoints", major)
    try:
        sleepy = endpoint(config_of(server), "/sleepy")
        sync_client, async_client = client_classes(server)
        with sync_client(timeout=30) as client:
            job = client._submit(sleepy, 20)
            threading.Timer(1.0, os.killpg, (server.process.pid, signal.SIGKILL)).start()
            started = time.monotonic()
            with pytest.raises(rt.ServerUnavailableError):
                job.result()
            assert time.monotonic() - started < 10
            with pytest.raises(rt.ServerUnavailableError):
                client._predict(sleepy, 1)  # refused, or reset on the pooled connection

        async def dead_server() -> None:
            async with async_client(timeout=30) as client:
                with pytest.raises(rt.ServerUnavailableError):
                    await client._predict(sleepy, 1)

        asyncio.run(dead_server())
    finally:
        server.stop()


def test_frozen_server_is_detected_by_missing_heartbeats() -> None:
    if "6" not in GRADIO_VERSIONS:
        pytest.skip("needs Gradio 6 (GRADIO_HEARTBEAT_INTERVAL)")
    server = start_server("multi_endpoints", "6", env={"GRADIO_HEARTBEAT_INTERVAL": "0.5"})
    try:
        sleepy = endpoint(config_of(server), "/sleepy")
        sync_client, _ = client_classes(server)
        with sync_client(timeout=60, stream_timeout=3) as client:
            # heartbeats keep a quiet 5 s job alive although the stream limit is 3 s
            assert client._predict(sleepy, 5.0).startswith("slept 5")
            job = client._submit(sleepy, 30)
            time.sleep(0.5)
            os.killpg(server.process.pid, signal.SIGSTOP)
            started = time.monotonic()
            try:
                with pytest.raises(rt.ServerUnavailableError, match="silent"):
                    job.result()
                assert time.monotonic() - started < 8
            finally:
                os.killpg(server.process.pid, signal.SIGCONT)
    finally:
        server.stop()


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_endpoint_the_server_no_longer_has_is_app_changed(server_pool: Any, major: str) -> None:
    server = server_pool.get("text_echo", major)
    gone: rt.Endpoint[str] = rt.Endpoint(
        "/shout", fn_index=99, inputs=(rt.Param("text", s.Str()),), outputs=(rt.Output("out", s.Str()),)
    )
    sync_client, async_client = client_classes(server)
    with sync_client(timeout=30) as client:
        with pytest.raises(rt.AppChangedError, match=r"no endpoint /shout any more \(it has: /echo, /concat\)"):
            client._predict(gone, "x")
        assert client._predict(endpoint(config_of(server), "/echo"), "still fine") == "still fine"

    async def run_async() -> None:
        async with async_client(timeout=30) as client:
            with pytest.raises(rt.AppChangedError, match="/shout"):
                await client._predict(gone, "x")

    asyncio.run(run_async())
    # an SDK made for the other side of the Gradio 4 -> 5 move of the API under /gradio_api
    other_prefix = "/gradio_api" if major == "4" else ""
    moved = type("Moved", (rt.Client,), {"app": rt.AppSpec(src=server.url, api_prefix=other_prefix)})
    echo = endpoint(config_of(server), "/echo")
    with moved(timeout=30) as client:
        with pytest.raises(rt.AppChangedError, match="API moved"):
            client._predict(echo, "x")


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_password_login(server_pool: Any, major: str) -> None:
    server = server_pool.get("auth_app", major)
    spec = app_spec(server)
    whoami: rt.Endpoint[str] = rt.Endpoint(
        "/whoami", fn_index=0, inputs=(rt.Param("text", s.Str()),), outputs=(rt.Output("output", s.Str()),)
    )
    cls = type("Auth", (rt.Client,), {"app": spec})
    with cls(auth=("user", "pass"), timeout=30) as client:
        assert client._predict(whoami, "hi") == "user: hi"
        assert client._predict(whoami, "again") == "user: again"
    with cls(auth=("user", "wrong"), timeout=30) as client:
        with pytest.raises(rt.AuthenticationError, match="wrong username or password"):
            client._predict(whoami, "hi")
    with cls(timeout=30) as client:
        with pytest.raises(rt.AuthenticationError, match="auth="):
            client._predict(whoami, "hi")
    acls = type("AsyncAuth", (rt.AsyncClient,), {"app": spec})

    async def run_async() -> str:
        async with acls(auth=("user", "pass"), timeout=30) as client:
            return await client._predict(whoami, "async")

    assert asyncio.run(run_async()) == "user: async"


def test_call_timeout_and_with_options(server_pool: Any) -> None:
    server = server_pool.get("multi_endpoints", GRADIO_VERSIONS[-1])
    sleepy = endpoint(config_of(server), "/sleepy")
    sync_client, _ = client_classes(server)
    with sync_client(timeout=60) as client:
        quick = client.with_options(timeout=0.5)
        started = time.monotonic()
        with pytest.raises(rt.GradioTimeoutError, match="no result within 0.5 s"):
            quick._predict(sleepy, 2)
        assert time.monotonic() - started < 3
        job = client._submit(sleepy, 1)
        with pytest.raises(TimeoutError):
            job.result(timeout=0.2)
        assert job.result(timeout=30).startswith("slept 1")
        assert quick.session_hash == client.session_hash


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_schema_without_config_reads_config_once(server_pool: Any, major: str) -> None:
    server = server_pool.get("state_counter", major)
    config = config_of(server)
    increment = endpoint(config, "/increment", with_fn_index=False)  # no fn_index, no State slots
    history = endpoint(config, "/history", with_fn_index=False)
    assert increment.fn_index is None and len(increment.inputs) == 1
    sync_client, _ = client_classes(server)
    seen: list[str] = []
    with sync_client(timeout=30) as client:
        client._shared.http = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
        assert client._predict(increment, 2) == 2
        assert client._predict(increment, 3) == 5
        assert client._predict(history) == "2, 5"
    assert seen.count("/config") == 1


def test_closing_the_client_releases_waiting_jobs_at_once(server_pool: Any) -> None:
    server = server_pool.get("multi_endpoints", GRADIO_VERSIONS[-1])
    sleepy = endpoint(config_of(server), "/sleepy")
    sync_client, async_client = client_classes(server)
    client = sync_client(timeout=30)
    job = client._submit(sleepy, 3)
    time.sleep(0.3)
    started = time.monotonic()
    client.close()
    with pytest.raises(rt.ServerUnavailableError, match="client was closed"):
        job.result()
    assert time.monotonic() - started < 1

    async def run_async() -> None:
        client = async_client(timeout=30)
        job = await client._submit(sleepy, 3)
        await asyncio.sleep(0.3)
        await client.aclose()
        with pytest.raises(rt.ServerUnavailableError, match="client was closed"):
            await job.result(timeout=1)

    asyncio.run(run_async())
