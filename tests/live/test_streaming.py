"""Streaming on real servers: long streams lose nothing, and cancel really stops the generator."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from servers import GRADIO_VERSIONS
from runtime_support import client_classes, config_of, endpoint

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_a_thousand_updates_arrive_in_order(server_pool: Any, major: str) -> None:
    server = server_pool.get("long_stream", major)
    config = config_of(server)
    text, items = endpoint(config, "/long_text"), endpoint(config, "/long_list")
    sync_client, async_client = client_classes(server)
    expected_text = ["".join(f"{i} " for i in range(k + 1)) for k in range(1000)]
    with sync_client(timeout=120) as client:
        job = client._submit(text, 1000)
        assert list(job) == expected_text  # followed live, as the updates came
        assert job.result() == expected_text[-1]
        lists = client._submit(items, 300)
        assert lists.result() == list(range(300))
        assert lists.outputs() == [list(range(k + 1)) for k in range(300)]

    async def run_async() -> list[Any]:
        async with async_client(timeout=120) as client:
            job = await client._submit(text, 1000)
            return [value async for value in job]

    assert asyncio.run(run_async()) == expected_text


def _ticks(client: rt.Client, ticks_ep: rt.Endpoint[Any]) -> float:
    return float(client._predict(ticks_ep))


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_cancel_stops_the_generator_on_the_server(server_pool: Any, major: str) -> None:
    server = server_pool.get("long_stream", major)
    config = config_of(server)
    ticker, ticks = endpoint(config, "/ticker"), endpoint(config, "/ticks")
    sync_client, async_client = client_classes(server)
    with sync_client(timeout=60) as client:
        job = client._submit(ticker, 30)  # 600 ticks, 30 s if left alone
        seen = []
        for value in job:
            seen.append(value)
            if len(seen) == 5:
                assert job.cancel() is True
        assert seen[:5] == [1, 2, 3, 4, 5] and len(seen) < 10
        assert job.status().code is rt.Status.CANCELLED
        with pytest.raises(rt.JobCancelledError):
            job.result()
        time.sleep(0.5)
        stopped_at = _ticks(client, ticks)
        time.sleep(1.0)
        assert _ticks(client, ticks) == stopped_at < 40  # it no longer advances on the server

    async def run_async() -> tuple[float, float]:
        async with async_client(timeout=60) as client:
            job = await client._submit(ticker, 30)
            async for value in job:
                if value >= 3:
                    await job.cancel()
            await asyncio.sleep(0.5)
            first = float(await client._predict(ticks))
            await asyncio.sleep(1.0)
            return first, float(await client._predict(ticks))

    first, later = asyncio.run(run_async())
    assert first == later < 40


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_status_reports_progress_and_logs(server_pool: Any, major: str) -> None:
    server = server_pool.get("progress_errors", major)
    config = config_of(server)
    sync_client, _ = client_classes(server)
    with sync_client(timeout=60) as client:
        job = client._submit(endpoint(config, "/slow"), 8)
        descriptions = set()
        while not job.done():
            for unit in job.status().progress:
                descriptions.add((unit.desc, unit.length, unit.unit))
            time.sleep(0.02)
        assert job.result() == "done 8 steps"
        assert ("working", 8, "steps") in descriptions
        notify = client._submit(endpoint(config, "/notify"), "x")
        assert notify.result() == "x"
        logs = notify.status().logs
        assert [(log.level, log.message) for log in logs] == [("info", "info: x"), ("warning", "warning: x")]
        assert notify.status().code is rt.Status.FINISHED


def test_status_shows_queue_positions(server_pool: Any) -> None:
    server = server_pool.get("multi_endpoints", GRADIO_VERSIONS[-1])
    sleepy = endpoint(config_of(server), "/sleepy")  # concurrency 1: later jobs wait in line
    sync_client, _ = client_classes(server)
    with sync_client(timeout=60) as client:
        jobs = [client._submit(sleepy, 0.5) for _ in range(3)]
        ranks: set[tuple[int | None, int | None]] = set()
        codes = set()
        while not jobs[2].done():
            status = jobs[2].status()
            codes.add(status.code)
            if status.code is rt.Status.QUEUED:
                ranks.add((status.rank, status.queue_size))
            time.sleep(0.01)
        assert [job.result() for job in jobs] == ["slept 0.5"] * 3
    assert rt.Status.QUEUED in codes and rt.Status.PROCESSING in codes
    assert any(rank is not None and rank >= 1 for rank, _ in ranks)
