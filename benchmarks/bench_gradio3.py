"""Gradio 3 (3.50.2): first-call and warm latency of a generated SDK beside gradio_client 0.6.1.

Starts ``text_echo`` twice under ``.venvs/g3``, with the queue (websocket per call) and without it
(``POST /run/echo``), generates an SDK from the queued one, and times, in fresh processes:

* first result: import + construct + one ``echo`` call, in-process time;
* warm call: ``--warmup`` untimed then ``--calls`` sequential ``echo`` calls on one client, median.

gradio_client runs in the server's venv (0.6.1 needs its websockets 11). A queued 3.x call cannot
go below the server's own 50 ms queue poll (``sleep_when_free`` in 3.x ``queueing.py``).

    .venvs/dev/bin/python -P benchmarks/bench_gradio3.py [--runs 5] [--calls 60]
    .venvs/dev/bin/python -P benchmarks/bench_gradio3.py --run-only 5 --calls 100

``--run-only`` times only ``POST /run``: our sync SDK as it is, the same SDK with the request sent
in the caller's thread instead of the call's reader thread (``SyncCall.start`` replaced in the
benchmark process), and the same request from plain httpx, alternating call by call; gradio_client
0.6.1 in rounds between.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from servers import start_server, venv_python  # noqa: E402

FIRST_OURS = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
import g3bench
client = g3bench.Client(sys.argv[1])
assert client.echo("x") == "x"
print(json.dumps((time.perf_counter() - t0) * 1000))
"""
FIRST_GC = """
import time
t0 = time.perf_counter()
from gradio_client import Client
client = Client(sys.argv[1], verbose=False)
assert client.predict("x", api_name="/echo") == "x"
print(json.dumps((time.perf_counter() - t0) * 1000))
"""
WARM_OURS = """
import sys, time, asyncio
sys.path.insert(0, sys.argv[2])
import g3bench
url, warmup, calls, mode = sys.argv[1], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
times = []
if mode == "async":
    async def run():
        async with g3bench.AsyncClient(url) as client:
            for i in range(warmup + calls):
                t0 = time.perf_counter()
                await client.echo("x")
                if i >= warmup:
                    times.append((time.perf_counter() - t0) * 1000)
    asyncio.run(run())
else:
    with g3bench.Client(url) as client:
        for i in range(warmup + calls):
            t0 = time.perf_counter()
            client.echo("x")
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
print(json.dumps(times))
"""
WARM_GC = """
import time
from gradio_client import Client
url, warmup, calls = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
client = Client(url, verbose=False)
times = []
for i in range(warmup + calls):
    t0 = time.perf_counter()
    client.predict("x", api_name="/echo")
    if i >= warmup:
        times.append((time.perf_counter() - t0) * 1000)
print(json.dumps(times))
"""

RUN_PAIR = """
import sys, time, httpx
sys.path.insert(0, sys.argv[2])
import g3bench
from gradio_codegen.runtime._queue._gradio3_calls import SyncCall
url, warmup, calls = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
body = {"data": ["x"], "fn_index": 0, "session_hash": "benchraw"}
threaded = SyncCall.start


def inline(self, job):  # what sending /run in the caller's thread would give
    self._session.add(self)
    self._main(job)


sdk, caller, raw = [], [], []
with g3bench.Client(url) as client, httpx.Client() as http:
    for i in range(warmup + calls):  # the three alternate call by call: the same load for all
        SyncCall.start = threaded
        t0 = time.perf_counter()
        client.echo("x")
        SyncCall.start = inline
        t1 = time.perf_counter()
        client.echo("x")
        t2 = time.perf_counter()
        assert http.post(url + "/run/echo", json=body).json()["data"] == ["x"]
        t3 = time.perf_counter()
        if i >= warmup:
            sdk.append((t1 - t0) * 1000)
            caller.append((t2 - t1) * 1000)
            raw.append((t3 - t2) * 1000)
print(json.dumps([sdk, caller, raw]))
"""


def run(python: Path, script: str, *args: str) -> object:
    done = subprocess.run(
        [str(python), "-P", "-c", "import json, sys\n" + script, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate(python: Path, url: str, folder: str) -> None:
    """The SDK of the app at ``url``, as ``g3bench.py`` in ``folder``."""
    command = [str(python.parent / "gradio-codegen"), url, "-o", f"{folder}/g3bench.py"]
    subprocess.run(command, check=True, capture_output=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=5, help="fresh processes for the first result")
    p.add_argument("--calls", type=int, default=60, help="timed warm calls")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument(
        "--run-only",
        type=int,
        metavar="ROUNDS",
        help="only POST /run: ROUNDS rounds, each our SDK (reader thread, caller's thread) and "
        "plain httpx alternating call by call in one process, then gradio_client 0.6.1",
    )
    opts = p.parse_args()
    if opts.run_only:
        return run_only(opts.run_only, opts.warmup, opts.calls)
    ours, theirs = Path(sys.executable), venv_python("3")
    queued = start_server("text_echo", "3")
    plain = start_server("text_echo", "3", args=["--no-queue"])
    try:
        with tempfile.TemporaryDirectory() as folder:
            generate(ours, queued.url, folder)
            first = {
                "ours": [run(ours, FIRST_OURS, queued.url, folder) for _ in range(opts.runs)],
                "gradio_client 0.6.1": [
                    run(theirs, FIRST_GC, queued.url, folder) for _ in range(opts.runs)
                ],
            }
            counts = (str(opts.warmup), str(opts.calls))
            warm = {
                "ours, queue (websocket), sync": run(
                    ours, WARM_OURS, queued.url, folder, *counts, "sync"
                ),
                "ours, queue (websocket), async": run(
                    ours, WARM_OURS, queued.url, folder, *counts, "async"
                ),
                "ours, POST /run (queue off)": run(
                    ours, WARM_OURS, plain.url, folder, *counts, "sync"
                ),
                "gradio_client 0.6.1, queue": run(theirs, WARM_GC, queued.url, folder, *counts),
                "gradio_client 0.6.1, POST /run": run(theirs, WARM_GC, plain.url, folder, *counts),
            }
    finally:
        queued.stop()
        plain.stop()
    print("| first result (import + construct + 1 call) | median | runs |")
    print("|---|---|---|")
    for name, values in first.items():
        print(f"| {name} | {statistics.median(values):.1f} ms | {len(values)} |")  # type: ignore[arg-type]
    print()
    print("| warm call | median | p10 | p90 | calls |")
    print("|---|---|---|---|---|")
    for name, values in warm.items():
        assert isinstance(values, list)
        q = statistics.quantiles(values, n=10)
        print(
            f"| {name} | {statistics.median(values):.1f} ms | {q[0]:.1f} | {q[-1]:.1f} | {len(values)} |"
        )
    return 0


def run_only(rounds: int, warmup: int, calls: int) -> int:
    """Where the time of our ``POST /run`` call goes: beside the same request sent with plain
    httpx in the caller's thread (the floor for any client) and beside gradio_client 0.6.1."""
    ours, theirs = Path(sys.executable), venv_python("3")
    plain = start_server("text_echo", "3", args=["--no-queue"])
    times: dict[str, list[float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            generate(ours, plain.url, folder)
            counts = (str(warmup), str(calls))
            for _ in range(rounds):
                sdk, caller, raw = run(  # type: ignore[misc]
                    ours, RUN_PAIR, plain.url, folder, *counts
                )
                gc = run(theirs, WARM_GC, plain.url, folder, *counts)
                times.setdefault("ours, sync SDK (reader thread per call)", []).extend(sdk)
                times.setdefault("ours, sync SDK, sent in the caller's thread", []).extend(caller)
                times.setdefault("plain httpx.Client.post, caller's thread", []).extend(raw)
                times.setdefault("gradio_client 0.6.1", []).extend(gc)  # type: ignore[arg-type]
    finally:
        plain.stop()
    print(f"| POST /run/echo, {rounds} rounds x {calls} calls | median | p10 | p90 |")
    print("|---|---|---|---|")
    for name, values in times.items():
        q = statistics.quantiles(values, n=10)
        print(f"| {name} | {statistics.median(values):.2f} ms | {q[0]:.2f} | {q[-1]:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
