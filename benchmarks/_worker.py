"""One client doing one scenario in its own process; prints one ``RESULT {json}`` line.

Run by the bench scripts, never imported by them: ``--client gradio_client`` runs under the Gradio 6
virtualenv's Python, ``sdk`` and ``raw`` under the dev one. Only the standard library is imported
before the clock starts, so time-to-first-result covers importing the client library too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily: they would count as the client's import time otherwise
    import asyncio

HERE = Path(__file__).resolve().parent


def cpu_seconds() -> float:
    """User + system CPU of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Adapter:
    """The same work expressed through one client library."""

    has_async = False

    def __init__(self, opts: argparse.Namespace) -> None:
        self.opts = opts

    def load(self) -> None:
        """Import the client library (timed as part of time-to-first-result)."""

    def connect(self) -> Any:
        raise NotImplementedError

    def echo(self, client: Any, text: str) -> str:
        raise NotImplementedError

    def stream(self, client: Any, n: int) -> tuple[int, str]:
        """Return (number of streamed updates seen, final value)."""
        raise NotImplementedError

    def close(self, client: Any) -> None:
        pass

    async def aconnect(self) -> Any:
        raise NotImplementedError

    async def aecho(self, client: Any, text: str) -> str:
        raise NotImplementedError

    async def astream(self, client: Any, n: int) -> tuple[int, str]:
        raise NotImplementedError

    async def aclose(self, client: Any) -> None:
        pass


class GradioClientAdapter(Adapter):
    def load(self) -> None:
        from gradio_client import Client

        self.Client = Client

    def connect(self) -> Any:
        return self.Client(self.opts.url, verbose=False)

    def echo(self, client: Any, text: str) -> str:
        return client.predict(text, api_name="/echo")  # type: ignore[no-any-return]

    def stream(self, client: Any, n: int) -> tuple[int, str]:
        job = client.submit(n, api_name="/stream")
        count = sum(1 for _ in job)
        return count, job.result()

    def close(self, client: Any) -> None:
        close = getattr(client, "close", None)
        if close is not None:
            close()


class RawAdapter(Adapter):
    has_async = True

    def load(self) -> None:
        sys.path.insert(0, str(HERE))
        import _raw_client

        self.mod = _raw_client

    def connect(self) -> Any:
        return self.mod.RawClient(self.opts.url, self.opts.prefix)

    def echo(self, client: Any, text: str) -> str:
        return client.call(self.opts.fn_echo, text)  # type: ignore[no-any-return]

    def stream(self, client: Any, n: int) -> tuple[int, str]:
        count, final = 0, ""
        for is_final, value in client.stream(self.opts.fn_stream, n):
            if is_final:
                final = value
            else:
                count += 1
        return count, final

    def close(self, client: Any) -> None:
        client.close()

    async def aconnect(self) -> Any:
        return self.mod.AsyncRawClient(self.opts.url, self.opts.prefix)

    async def aecho(self, client: Any, text: str) -> str:
        return await client.call(self.opts.fn_echo, text)  # type: ignore[no-any-return]

    async def astream(self, client: Any, n: int) -> tuple[int, str]:
        count, final = 0, ""
        async for is_final, value in client.stream(self.opts.fn_stream, n):
            if is_final:
                final = value
            else:
                count += 1
        return count, final

    async def aclose(self, client: Any) -> None:
        await client.aclose()


class SdkAdapter(Adapter):
    """The generated module for the bench app, loaded from its file."""

    has_async = True

    def load(self) -> None:
        spec = importlib.util.spec_from_file_location("bench_sdk", self.opts.sdk)
        assert spec is not None and spec.loader is not None, self.opts.sdk
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_sdk"] = module
        spec.loader.exec_module(module)
        self.mod = module

    def connect(self) -> Any:
        return self.mod.Client(self.opts.url)

    def echo(self, client: Any, text: str) -> str:
        return client.echo(text)  # type: ignore[no-any-return]

    def stream(self, client: Any, n: int) -> tuple[int, str]:
        job = client.submit_stream(n)
        count = sum(1 for _ in job)
        return count, job.result()

    def close(self, client: Any) -> None:
        client.close()

    async def aconnect(self) -> Any:
        return self.mod.AsyncClient(self.opts.url)

    async def aecho(self, client: Any, text: str) -> str:
        return await client.echo(text)  # type: ignore[no-any-return]

    async def astream(self, client: Any, n: int) -> tuple[int, str]:
        job = await client.submit_stream(n)
        count = 0
        async for _ in job:
            count += 1
        return count, await job.result()

    async def aclose(self, client: Any) -> None:
        await client.aclose()


ADAPTERS: dict[str, type[Adapter]] = {
    "gradio_client": GradioClientAdapter,
    "raw": RawAdapter,
    "sdk": SdkAdapter,
}


def expect(got: str, want: str) -> None:
    if got != want:
        raise SystemExit(f"wrong result: {got[:80]!r} != {want[:80]!r}")


def scenario_first(a: Adapter, t0: float) -> dict[str, Any]:
    a.load()
    t_import = time.perf_counter()
    client = a.connect()
    t_connect = time.perf_counter()
    expect(a.echo(client, "hello"), "hello")
    t_done = time.perf_counter()
    result = {
        "seconds": t_done - t0,
        "import": t_import - t0,
        "construct": t_connect - t_import,
        "call": t_done - t_connect,
    }
    a.close(client)
    return result


def scenario_warm(a: Adapter, n: int, warmup: int) -> dict[str, Any]:
    a.load()
    client = a.connect()
    for i in range(warmup):
        expect(a.echo(client, f"w{i}"), f"w{i}")
    times = []
    for i in range(n):
        start = time.perf_counter()
        got = a.echo(client, f"m{i}")
        times.append(time.perf_counter() - start)
        expect(got, f"m{i}")
    a.close(client)
    return {"median": statistics.median(times), "mean": statistics.fmean(times), "n": n}


def scenario_throughput(a: Adapter, n: int, concurrency: int, mode: str) -> dict[str, Any]:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    a.load()
    if mode == "async":
        if not a.has_async:
            raise SystemExit(f"{a.opts.client} has no async client")
        return asyncio.run(_throughput_async(a, n, concurrency))
    client = a.connect()
    a.echo(client, "warm")
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda i: a.echo(client, f"t{i}"), range(n)))
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    for i, got in enumerate(results):
        expect(got, f"t{i}")
    a.close(client)
    return {"calls_per_s": n / wall, "cpu": cpu, "wall": wall, "n": n}


async def _throughput_async(a: Adapter, n: int, concurrency: int) -> dict[str, Any]:
    import asyncio

    client = await a.aconnect()
    await a.aecho(client, "warm")
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> str:
        async with gate:
            return await a.aecho(client, f"t{i}")

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    results = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), 600)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    for i, got in enumerate(results):
        expect(got, f"t{i}")
    await a.aclose(client)
    return {"calls_per_s": n / wall, "cpu": cpu, "wall": wall, "n": n}


def expected_stream(n: int) -> str:
    return "".join(f"{i} " for i in range(n))


def scenario_stream(a: Adapter, n: int, mode: str) -> dict[str, Any]:
    import asyncio

    a.load()
    if mode == "async":
        if not a.has_async:
            raise SystemExit(f"{a.opts.client} has no async client")
        return asyncio.run(_stream_async(a, n))
    client = a.connect()
    a.stream(client, 3)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    count, final = a.stream(client, n)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    expect(final, expected_stream(n))
    a.close(client)
    return {"seconds": wall, "cpu": cpu, "updates": count, "n": n}


async def _stream_async(a: Adapter, n: int) -> dict[str, Any]:
    import asyncio

    client = await a.aconnect()
    await a.astream(client, 3)
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    count, final = await asyncio.wait_for(a.astream(client, n), 600)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    expect(final, expected_stream(n))
    await a.aclose(client)
    return {"seconds": wall, "cpu": cpu, "updates": count, "n": n}


def main() -> None:
    t0 = time.perf_counter()
    p = argparse.ArgumentParser()
    p.add_argument("--client", choices=sorted(ADAPTERS), required=True)
    p.add_argument("--scenario", choices=["first", "warm", "throughput", "stream"], required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--prefix", default="/gradio_api")
    p.add_argument("--fn-echo", type=int, default=0)
    p.add_argument("--fn-stream", type=int, default=1)
    p.add_argument("--sdk", help="path of the generated SDK module for the bench app")
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--mode", choices=["sync", "async", "threads"], default="sync")
    opts = p.parse_args()
    adapter = ADAPTERS[opts.client](opts)
    if opts.scenario == "first":
        result = scenario_first(adapter, t0)
    elif opts.scenario == "warm":
        result = scenario_warm(adapter, opts.n, opts.warmup)
    elif opts.scenario == "throughput":
        result = scenario_throughput(adapter, opts.n, opts.concurrency, opts.mode)
    else:
        result = scenario_stream(adapter, opts.n, opts.mode)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
