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
        "/shout",
        fn_index=99,
        inputs=(rt.Param("text", s.Str()),),
        outputs=(rt.Output("out", s.Str()),),
    )
    sync_client, async_client = client_classes(server)
    with sync_client(timeout=30) as client:
        with pytest.raises(
            rt.AppChangedError,
            match=r"no endpoint /shout any more \(removed or renamed; it has: /echo, /concat\)",
        ):
            client._predict(gone, "x")
        assert client._predict(endpoint(config_of(server), "/echo"), "still fine") == "still fine"

    async def run_async() -> None:
        async with async_client(timeout=30) as client:
            with pytest.raises(rt.AppChangedError, match="/shout"):
                await client._predict(gone, "x")

    asyncio.run(run_async())
    # an SDK made for the other side of the Gradio 4 -> 5 move of the API under /gradio_api
    other_prefix = "/gradio_api" if major == "4" else ""
    moved = type(
        "Moved", (rt.Client,), {"app": rt.AppSpec(src=server.url, api_prefix=other_prefix)}
    )
    echo = endpoint(config_of(server), "/echo")
    with moved(timeout=30) as client:
        with pytest.raises(rt.AppChangedError, match="API moved"):
            client._predict(echo, "x")


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_password_login(server_pool: Any, major: str) -> None:
    server = server_pool.get("auth_app", major)
    spec = app_spec(server)
    whoami: rt.Endpoint[str] = rt.Endpoint(
        "/whoami",
        fn_index=0,
        inputs=(rt.Param("text", s.Str()),),
        outputs=(rt.Output("output", s.Str()),),
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
        # 3 s: room for the join itself on a loaded machine; the result cannot come in time
        quick = client.with_options(timeout=3)
        started = time.monotonic()
        with pytest.raises(rt.GradioTimeoutError, match="no result within 3 s"):
            quick._predict(sleepy, 10)
        assert time.monotonic() - started < 10
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
        client._shared.http = httpx.Client(
            event_hooks={"request": [lambda r: seen.append(r.url.path)]}
        )
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


# -- every fault of the proxy, on every major: the truth, within the deadline, run as often as asked
#
# docs/faults.md section 8. The counting app (tests/apps/counted) writes every run down, so "ran
# once" is the server's word. Each call uses its own key; a fresh client per test, so no pooled
# connection hides a refused one. Bounds are generous: they catch a hang, not a slow machine.

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

import counts  # noqa: E402
import fault_proxy as fp  # noqa: E402
from sdkgen import generate, import_module  # noqa: E402
from servers import GradioServer  # noqa: E402

HANG = 60.0  # no fault may take longer than this to end a call


class Counted:
    """The counting app of one major, its runs file and an SDK generated from it."""

    def __init__(self, server: GradioServer, sdk: ModuleType) -> None:
        self.server = server
        self.sdk = sdk
        self.runs_file = counts.runs_file(server)
        self.prefix = server.api_prefix

    def runs(self, fn: str, key: str, what: str = "start") -> int:
        return counts.runs(self.runs_file, fn, key=key, what=what)

    def settled(self, fn: str, key: str, what: str = "end", n: int = 1) -> int:
        """How often ``fn`` started for ``key``, once ``n`` runs reached ``what`` (the app may
        still be running the function when the client's error comes)."""
        counts.wait_for_runs(
            self.runs_file,
            lambda rs: sum(r.fn == fn and r.key == key and r.what == what for r in rs) >= n,
            timeout=HANG,
        )
        return self.runs(fn, key)


@pytest.fixture(scope="module", params=GRADIO_VERSIONS)
def counted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Counted]:
    major = request.param
    server = counts.counted_server(major)
    try:
        out = tmp_path_factory.mktemp(f"counted{major}") / f"counted_g{major}.py"
        sdk = import_module(generate(server.url, out), f"counted_faults_g{major}")
        yield Counted(server, sdk)
    finally:
        server.stop()


@pytest.fixture
def proxy(counted: Counted) -> Iterator[fp.FaultProxy]:
    with fp.FaultProxy(counted.server.url, hold_limit=HANG) as p:
        yield p


def new_key() -> str:
    return uuid.uuid4().hex[:12]


def timed(fn: Any) -> tuple[Any, float]:
    started = time.monotonic()
    try:
        return fn(), time.monotonic() - started
    except rt.GradioError as e:
        return e, time.monotonic() - started


def joins(proxy: fp.FaultProxy, counted: Counted) -> int:
    return len(proxy.exchanges(method="POST", path=f"{counted.prefix}/call/"))  # joins, by name


def test_a_refused_join_is_retried_and_runs_once(counted: Counted, proxy: fp.FaultProxy) -> None:
    key = new_key()
    proxy.refuse()
    threading.Timer(0.3, proxy.accept).start()
    with counted.sdk.Client(proxy.url, timeout=HANG, max_retries=10) as client:
        assert client.plain(key, 0) == key
    assert counted.settled("plain", key) == 1
    assert joins(proxy, counted) == 1  # the refused attempts never reached anything


def test_a_refused_join_with_no_retries_left_never_ran(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    proxy.refuse()
    with counted.sdk.Client(proxy.url, timeout=HANG, max_retries=1) as client:
        error, took = timed(lambda: client.plain(key, 0))
    assert isinstance(error, rt.ServerUnavailableError) and error.may_have_run is False
    assert took < HANG
    assert counted.runs("plain", key) == 0


def test_a_rate_limited_join_waits_as_asked_and_runs_once(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    limited = fp.respond(429, headers={"retry-after": "1"}, body='{"detail": "slow down"}')
    join = f"{counted.prefix}/call/plain$"
    proxy.add(limited, method="POST", path=join, times=2)
    with counted.sdk.Client(proxy.url, timeout=HANG) as client:
        value, took = timed(lambda: client.plain(key, 0))
    assert value == key and took >= 2.0  # the server's two waits of 1 s, no sooner
    assert counted.settled("plain", key) == 1

    key = new_key()
    proxy.add(limited, method="POST", path=join, times=2)
    with counted.sdk.Client(proxy.url, timeout=1.5) as client:
        error, took = timed(lambda: client.plain(key, 0))
    assert isinstance(error, rt.QueueFullError), error
    assert error.retry_after == 1.0 and error.may_have_run is False and took < HANG
    assert counted.runs("plain", key) == 0


@pytest.mark.parametrize(
    "fault",
    [fp.reset_after_request(), fp.respond(502, forward=True), fp.respond(504, forward=True)],
    ids=lambda f: f.name,
)
def test_a_join_the_app_took_is_never_sent_twice(
    counted: Counted, proxy: fp.FaultProxy, fault: fp.Fault
) -> None:
    key = new_key()
    proxy.add(fault, method="POST", path=f"{counted.prefix}/call/plain$")
    with counted.sdk.Client(proxy.url, timeout=HANG) as client:
        error, took = timed(lambda: client.plain(key, 0))
    assert isinstance(error, rt.ServerUnavailableError), error
    assert error.may_have_run is True and took < HANG
    assert counted.settled("plain", key) == 1  # it ran, once
    assert joins(proxy, counted) == 1


def test_a_half_open_join_times_out_and_is_never_sent_twice(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    proxy.add(fp.half_open(), method="POST", path=f"{counted.prefix}/call/plain$")
    with counted.sdk.Client(proxy.url, timeout=3) as client:
        error, took = timed(lambda: client.plain(key, 0))
    assert isinstance(error, rt.GradioTimeoutError), error
    assert error.may_have_run is True and took < HANG
    assert counted.settled("plain", key) == 1
    assert joins(proxy, counted) == 1


@pytest.mark.parametrize("fault", [fp.reset_after_head(), fp.respond(503)], ids=lambda f: f.name)
def test_a_join_lost_before_the_app_is_not_retried_blindly(
    counted: Counted, proxy: fp.FaultProxy, fault: fp.Fault
) -> None:
    """Nothing reached the app, but the client cannot tell (docs/faults.md 1): it says the
    function may have run, and does not send the join again."""
    key = new_key()
    proxy.add(fault, method="POST", path=f"{counted.prefix}/call/plain$")
    with counted.sdk.Client(proxy.url, timeout=HANG) as client:
        error, took = timed(lambda: client.plain(key, 0))
        assert isinstance(error, rt.ServerUnavailableError), error
        assert error.may_have_run is True and took < HANG
        assert client.plain(key, 0) == key  # the caller decides to call again
    assert counted.settled("plain", key) == 1


def test_a_stream_refused_twice_still_delivers_and_is_never_queue_full(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    proxy.add(
        fp.respond(503, headers={"retry-after": "0"}),
        method="GET",
        path=f"{counted.prefix}/queue/data$",
        times=2,
    )
    with counted.sdk.Client(proxy.url, timeout=HANG) as client:
        assert client.plain(key, 0) == key
    assert counted.settled("plain", key) == 1
    assert joins(proxy, counted) == 1


def test_a_stream_dropped_mid_job_fails_it_saying_it_may_have_run(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    drop = fp.drop_stream(1, counting=b"process_starts")
    proxy.add(drop, method="GET", path=f"{counted.prefix}/queue/data$")
    with counted.sdk.Client(proxy.url, timeout=HANG) as client:
        error, took = timed(lambda: client.plain(key, 1.0))
    assert isinstance(error, rt.ServerUnavailableError), error
    assert error.may_have_run is True and "may have run" in str(error) and took < HANG
    assert counted.settled("plain", key) == 1  # it ran to its end, once; its result was lost
    assert joins(proxy, counted) == 1


def test_a_generator_whose_stream_drops_is_closed_once_and_never_rerun(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    drop = fp.drop_stream(2, counting=b"process_generating", how="close")
    proxy.add(drop, method="GET", path=f"{counted.prefix}/queue/data$")

    async def main() -> tuple[list[str], rt.GradioError | None]:
        seen: list[str] = []
        async with counted.sdk.AsyncClient(proxy.url, timeout=HANG) as client:
            job = await client.submit_slow_stream(key, 8, 0.5)
            try:
                async for value in job:
                    seen.append(value)
            except rt.GradioError as e:
                return seen, e
        return seen, None

    seen, error = asyncio.run(asyncio.wait_for(main(), HANG))
    assert isinstance(error, rt.ServerUnavailableError) and error.may_have_run is True
    assert seen[:2] == ["0 ", "0 1 "]
    assert counted.settled("slow_stream", key, what="closed") == 1
    assert counted.runs("slow_stream", key, what="end") == 0


@pytest.mark.parametrize(
    "fault",
    [fp.respond(503, headers={"retry-after": "0"}), fp.reset_after_request()],
    ids=lambda f: f.name,
)
def test_an_upload_broken_after_it_was_sent_is_sent_again_and_runs_once(
    counted: Counted, proxy: fp.FaultProxy, tmp_path: Path, fault: fp.Fault
) -> None:
    """Sending the same bytes again is safe: an upload a front end read whole and refused, or
    whose answer was lost to a reset, is read again from its file and sent again; the call
    joins once and the app runs it once, with the file intact."""
    key = new_key()
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(64 * 1024))
    upload = f"{counted.prefix}/upload$"
    proxy.add(fault, method="POST", path=upload)
    with counted.sdk.Client(proxy.url, timeout=HANG, download_dir=tmp_path / "out") as client:
        result, took = timed(lambda: client.take_file(source, key))
    assert not isinstance(result, rt.GradioError), result
    assert Path(result.path).read_bytes() == source.read_bytes() and took < HANG
    assert len(proxy.exchanges(method="POST", path=upload)) == 2
    assert joins(proxy, counted) == 1
    assert counted.settled("take_file", key) == 1


def test_a_download_reset_once_is_fetched_again_intact(
    counted: Counted, proxy: fp.FaultProxy, tmp_path: Path
) -> None:
    key = new_key()
    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(64 * 1024))
    proxy.add(fp.reset_after_head(), method="GET", path=f"{counted.prefix}/file=")
    with counted.sdk.Client(proxy.url, timeout=HANG, download_dir=tmp_path / "out") as client:
        result = Path(client.take_file(source, key).path)
    assert result.read_bytes() == source.read_bytes()
    assert len(proxy.exchanges(method="GET", path=f"{counted.prefix}/file=")) == 2
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert files == [result]  # no partial file left beside it
    assert counted.settled("take_file", key) == 1


def test_a_half_open_stream_ends_at_the_silence_limit(
    counted: Counted, proxy: fp.FaultProxy
) -> None:
    key = new_key()
    proxy.add(fp.half_open(forward=False), method="GET", path=f"{counted.prefix}/queue/data$")
    with counted.sdk.Client(proxy.url, timeout=HANG, stream_timeout=2) as client:
        error, took = timed(lambda: client.plain(key, 0))
    assert isinstance(error, rt.ServerUnavailableError), error
    assert error.may_have_run is True and took < HANG
    assert counted.settled("plain", key) == 1


# -- Gradio's own "Queue is full": never ran, and retried only when asked ----------------------------


def test_gradios_queue_full_never_ran_and_is_retried_only_when_asked(counted: Counted) -> None:
    """One job runs (``one_at_a_time`` takes one at a time), one waits, and the queue holds one
    (``/queue_limit``): a third call is refused by Gradio itself and never runs; asked to, the
    client retries it until the queue drains, and it runs once."""
    busy, waiting, refused, patient = (new_key() for _ in range(4))
    with counted.sdk.Client(counted.server.url, timeout=HANG) as client:
        retrying = client.with_options(retry_queue_full=True, max_retries=100)
        assert client.queue_limit(1) == "1"
        try:
            running = client.submit_one_at_a_time(busy, 3.0)
            counts.wait_for_runs(counted.runs_file, lambda rs: any(r.key == busy for r in rs))
            queued = client.submit_one_at_a_time(waiting, 0)  # waits behind it: the queue is full
            error, took = timed(lambda: client.one_at_a_time(refused, 0))
            assert isinstance(error, rt.QueueFullError), error
            assert error.may_have_run is False and "Queue is full" in str(error) and took < HANG
            assert counted.runs("one_at_a_time", waiting) == 0  # still queued: the queue was full
            value, took = timed(lambda: retrying.one_at_a_time(patient, 0))
            assert value == patient and took < HANG
            assert running.result() == busy and queued.result() == waiting
        finally:
            retrying.queue_limit(0)  # the server is shared: unlimited again
    assert counted.runs("one_at_a_time", refused) == 0
    assert counted.settled("one_at_a_time", patient) == 1
