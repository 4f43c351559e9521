"""Scenario 8: a long run. Many calls on one client; does anything grow?

A client that serves an application for hours must not grow: memory flat after warm-up, no file
descriptors or threads piling up. This runs ``--calls`` (10,000) calls on one sync ``Client`` and
one ``AsyncClient`` of a generated SDK, against the counting app (``tests/apps/counted/app.py``)
on Gradio 6, in a cycle of 20 calls:

* 6 sync ``plain`` calls, 5 async ``plain`` calls run together, 1 sync ``submit_plain`` + result;
* 2 sync and 2 async ``slow_stream`` calls, each iterated over its 5 updates;
* 2 sync and 2 async ``take_file`` calls: a 64 KiB file up (bytes or a path) and the same file
  down again (eager download into a folder the worker empties after checking each file).

Every result is checked. The client process (a fresh one, running only the SDK and the runtime)
samples its resident memory (``VmRSS``), open descriptors (``/proc/self/fd``) and threads
(``/proc/self/status``) every ``--sample-every`` calls. Afterwards the app's runs file says how often
each function really ran, which must equal what was called: nothing lost, nothing run twice.

Targets, judged after warm-up (the first ``--warmup`` calls): RSS at most 10 MiB above its value at
the end of warm-up at every later sample; the most descriptors and threads seen in the last fifth of
the run no more than the most seen in the first fifth after warm-up. ``--tracemalloc`` also
snapshots Python allocations at the end of warm-up and at the end and lists the lines that grew
most (slower; for finding a leak, not for the figures).

    .venvs/dev/bin/python benchmarks/bench_soak.py            # 10,000 calls, about 10 minutes
    .venvs/dev/bin/python benchmarks/bench_soak.py --smoke    # 300 calls: checks it all works
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from _common import (
    DEV_PYTHON,
    ROOT,
    _env,
    emit,
    generate_sdk,
    machine,
    stop_cleanly_on_signals,
    summary_row,
    table,
)

sys.path.insert(0, str(ROOT / "tests" / "support"))
from servers import start_server  # noqa: E402

T = TypeVar("T")

APP = "counted"
MAJOR = "6"
CYCLE_CALLS = 20
FILE_BYTES = 64 * 1024
STREAM_UPDATES = 5
RSS_TARGET_MIB = 10.0
QUIET_WAIT = 2.0  # seconds a sample waits for session readers to end after their last job
READER = "gradio-session"  # the runtime's name for a session's stream reader thread
EXECUTOR = "asyncio"  # the default executor's threads (asyncio_0, asyncio_1, ...)
#: How many threads asyncio's default executor may start (ThreadPoolExecutor's default size).
EXECUTOR_MAX = min(32, (os.cpu_count() or 1) + 4)
MAX_FAILURES = 50  # past this many failed calls the run stops: something is broken, not leaking
CALL_TIMEOUT = 60.0


# -- the worker: the measured client process ---------------------------------------------------------


def proc_status() -> dict[str, int]:
    """VmRSS (KiB), VmHWM (KiB) and Threads of this process, from /proc/self/status."""
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "Threads"):
            out[name] = int(value.split()[0])
    return out


def sample(calls: int, started: float) -> dict[str, Any]:
    """The process's figures at a quiet moment: no call in flight (samples are taken between
    cycles), and the session readers given up to ``QUIET_WAIT`` s to end after their last job, so a
    reader counts only if it outlives its jobs (a leak), not while it reads a stream's last bytes.
    """
    quiet_by = time.monotonic() + QUIET_WAIT
    while time.monotonic() < quiet_by and any(
        _kind(t.name) == READER for t in threading.enumerate()
    ):
        time.sleep(0.01)
    status = proc_status()
    names = Counter(_kind(t.name) for t in threading.enumerate())
    return {
        "calls": calls,
        "seconds": round(time.monotonic() - started, 2),
        "rss_mib": round(status["VmRSS"] / 1024, 2),
        "fds": len(os.listdir("/proc/self/fd")),
        "fd_kinds": fd_kinds(),
        "threads": status["Threads"],
        # the event loop's default executor grows on demand up to a fixed size: not a leak
        "threads_judged": status["Threads"] - names.get(EXECUTOR, 0),
        "executor_threads": names.get(EXECUTOR, 0),
        "thread_names": dict(names),
    }


def fd_kinds() -> dict[str, int]:
    """Open descriptors by kind: TCP connections by state (``tcp ESTABLISHED``, ...), other
    sockets, pipes, event polls, files: where a growth in descriptors comes from."""
    states = {"01": "ESTABLISHED", "06": "TIME_WAIT", "08": "CLOSE_WAIT", "07": "CLOSE"}
    tcp: dict[str, str] = {}  # socket inode -> state
    for proc_table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(proc_table).read_text().splitlines()[1:]:
                fields = line.split()
                tcp[fields[9]] = states.get(fields[3], fields[3])
    kinds: Counter[str] = Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (listdir's own descriptor, say)
            continue
        if target.startswith("socket:["):
            state = tcp.get(target[8:-1])
            kinds[f"tcp {state}" if state else "socket"] += 1
        elif target.startswith("pipe:"):
            kinds["pipe"] += 1
        elif target.startswith("anon_inode:"):
            kinds[target.split(":", 1)[1].strip("[]")] += 1  # eventpoll, eventfd, ...
        else:
            kinds["file"] += 1
    return dict(sorted(kinds.items()))


def _kind(name: str) -> str:
    """A thread's name without its serial number or session id: what kind of thread it is."""
    return re.sub(r"[-_ ]?(\d+|[0-9a-f]{8})$", "", name) or name


def import_sdk(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_sdk", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak_sdk"] = module
    spec.loader.exec_module(module)
    return module


class Soak:
    """One client of each kind, the call mix, the checks and the tallies."""

    def __init__(self, sdk: ModuleType, url: str, workdir: Path) -> None:
        self.downloads = workdir / "downloads"
        self.downloads.mkdir()
        self.payload = random.Random(0).randbytes(FILE_BYTES)
        self.upload_path = workdir / "upload.bin"
        self.upload_path.write_bytes(self.payload)
        options: dict[str, Any] = {"timeout": CALL_TIMEOUT, "download_dir": self.downloads}
        self.client = sdk.Client(url, **options)
        self.loop = asyncio.new_event_loop()
        self.loop_thread = threading.Thread(target=self.loop.run_forever, name="soak-loop")
        self.loop_thread.start()
        self.aclient = self.run(self._make_async(sdk, url, options))
        self.called: Counter[str] = Counter()
        self.failures: list[str] = []
        self.serial = 0
        self.keys: list[str] = []  # the keys of the calls being made, for failure messages

    async def _make_async(self, sdk: ModuleType, url: str, options: dict[str, Any]) -> Any:
        return sdk.AsyncClient(url, **options)

    def run(self, coro: Awaitable[T]) -> T:
        """Run a coroutine on the worker's one event loop (where the AsyncClient lives)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(CALL_TIMEOUT * 2)  # type: ignore[arg-type]

    def key(self) -> str:
        self.serial += 1
        self.keys.append(f"k{self.serial}")
        return self.keys[-1]

    def check(self, what: str, ok: bool, detail: object) -> None:
        if not ok:
            self.failures.append(f"{what}: {detail!r}"[:300])

    def attempt(self, what: str, fn: str, count: int, call: Callable[[], None]) -> None:
        """Make ``count`` calls of ``fn`` through ``call``; a failure is recorded, not raised."""
        self.called[fn] += count
        self.keys = []
        started = time.monotonic()
        try:
            call()
        except Exception as e:  # every failure is a finding; the run goes on to measure the rest
            took = time.monotonic() - started
            self.failures.append(
                f"{what} (keys {', '.join(self.keys)}; after {took:.1f} s): "
                f"{type(e).__name__}: {e}"[:400]
            )

    # the calls, each checking its result

    def sync_plain(self) -> None:
        key = self.key()
        self.check("sync plain", self.client.plain(key, 0) == key, key)

    def async_plain_batch(self, n: int) -> None:
        keys = [self.key() for _ in range(n)]

        async def together() -> list[Any]:
            return list(await asyncio.gather(*(self.aclient.plain(k, 0) for k in keys)))

        results = self.run(together())
        self.check("async plain", results == keys, results)

    def sync_submit(self) -> None:
        key = self.key()
        self.check("sync submit", self.client.submit_plain(key, 0).result() == key, key)

    def sync_stream(self) -> None:
        job = self.client.submit_slow_stream(self.key(), STREAM_UPDATES, 0)
        updates = list(job)
        final = job.result()
        self.check(
            "sync stream", final == _expected_stream() and len(updates) >= 1, (updates, final)
        )

    def async_stream(self) -> None:
        async def one() -> tuple[list[Any], Any]:
            job = await self.aclient.submit_slow_stream(self.key(), STREAM_UPDATES, 0)
            updates = [u async for u in job]
            return updates, await job.result()

        updates, final = self.run(one())
        self.check(
            "async stream", final == _expected_stream() and len(updates) >= 1, (updates, final)
        )

    def _check_file(self, what: str, result: Any) -> None:
        path = Path(result.path)
        try:
            self.check(what, path.read_bytes() == self.payload, path.name)
        finally:
            for leftover in self.downloads.iterdir():  # keep the disk flat, not only memory
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)

    def sync_file(self, as_path: bool) -> None:
        source: Any = self.upload_path if as_path else self.payload
        self._check_file("sync file", self.client.take_file(source, self.key()))

    def async_file(self, as_path: bool) -> None:
        source: Any = self.upload_path if as_path else self.payload
        self._check_file("async file", self.run(self.aclient.take_file(source, self.key())))

    def cycle(self) -> None:
        """One cycle: ``CYCLE_CALLS`` calls."""
        for _ in range(6):
            self.attempt("sync plain", "plain", 1, self.sync_plain)
        self.attempt("async plain", "plain", 5, lambda: self.async_plain_batch(5))
        self.attempt("sync submit", "plain", 1, self.sync_submit)
        for _ in range(2):
            self.attempt("sync stream", "slow_stream", 1, self.sync_stream)
            self.attempt("async stream", "slow_stream", 1, self.async_stream)
        for as_path in (False, True):
            self.attempt("sync file", "take_file", 1, lambda: self.sync_file(as_path))
            self.attempt("async file", "take_file", 1, lambda: self.async_file(as_path))

    def close(self) -> None:
        try:
            self.client.close()
            self.run(self.aclient.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.loop_thread.join(30)
            self.loop.close()


def _expected_stream() -> str:
    return "".join(f"{i} " for i in range(STREAM_UPDATES))


def log_progress(path: Path, taken: dict[str, Any], failures: int) -> None:
    """One sample as soon as it is taken, so a run stopped by its time limit still shows how far
    it got and what it measured on the way (the report comes only at the end)."""
    with path.open("a") as out:
        out.write(json.dumps({**taken, "failures": failures, "at": time.time()}) + "\n")


def worker(opts: argparse.Namespace) -> int:
    cycles = max(1, opts.calls // CYCLE_CALLS)
    sample_cycles = max(1, opts.sample_every // CYCLE_CALLS)
    warmup_cycles = max(1, opts.warmup // CYCLE_CALLS)
    workdir = Path(tempfile.mkdtemp(prefix="gradio-codegen-soak-"))
    snapshot = None
    try:
        started = time.monotonic()
        soak = Soak(import_sdk(opts.sdk), opts.url, workdir)
        samples = [sample(0, started)]
        growth: list[str] = []
        for c in range(1, cycles + 1):
            soak.cycle()
            if len(soak.failures) > MAX_FAILURES:
                break
            if c == warmup_cycles and opts.tracemalloc:
                import gc
                import tracemalloc

                gc.collect()
                snapshot = tracemalloc.take_snapshot()
            if c % sample_cycles == 0 or c == cycles or c == warmup_cycles:
                samples.append(sample(c * CYCLE_CALLS, started))
                if opts.progress:
                    log_progress(opts.progress, samples[-1], len(soak.failures))
        calls_done = sum(soak.called.values())
        if snapshot is not None:
            import gc
            import tracemalloc

            gc.collect()
            later = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)]
            )
            stats = later.compare_to(snapshot, "lineno")
            growth = [str(s) for s in stats[:15]]
        soak.close()
        after_close = sample(calls_done, started)
        result = {
            "samples": samples,
            "after_close": after_close,
            "called": dict(soak.called),
            "calls": calls_done,
            "warmup_calls": warmup_cycles * CYCLE_CALLS,
            "failures": len(soak.failures),
            "first_failures": soak.failures[:5],
            "wall": round(time.monotonic() - started, 1),
            "peak_rss_mib": round(proc_status()["VmHWM"] / 1024, 1),
            "tracemalloc_growth": growth,
        }
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# -- the judge: start the app, run the worker, read the app's counts, report ---------------------


def judge(result: dict[str, Any]) -> dict[str, Any]:
    """Warm-up versus end, and the verdict on each target."""
    warm = result["warmup_calls"]
    after = [s for s in result["samples"] if s["calls"] >= warm]
    if len(after) < 2:
        return {"judged": False}
    base = after[0]
    fifth = max(1, len(after) // 5)
    first, last = after[:fifth], after[-fifth:]
    rss_growth = max(s["rss_mib"] for s in after) - base["rss_mib"]
    # least-squares slope of RSS over calls after warm-up, per 1000 calls: the trend, if any
    xs, ys = [s["calls"] for s in after], [s["rss_mib"] for s in after]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var * 1000 if var else 0.0
    out: dict[str, Any] = {
        "judged": True,
        "rss_warm": base["rss_mib"],
        "rss_end": after[-1]["rss_mib"],
        "rss_max_after_warm": max(ys),
        "rss_growth": round(rss_growth, 2),
        "rss_slope_per_1000": round(slope, 3),
        "rss_ok": rss_growth <= RSS_TARGET_MIB,
    }
    for key in ("fds", "threads_judged"):
        early, late = max(s[key] for s in first), max(s[key] for s in last)
        out[f"{key}_warm"] = base[key]
        out[f"{key}_early_max"] = early
        out[f"{key}_late_max"] = late
        out[f"{key}_end"] = after[-1][key]
        out[f"{key}_ok"] = late <= early
    out["executor_max_seen"] = max(s["executor_threads"] for s in result["samples"])
    out["executor_ok"] = out["executor_max_seen"] <= EXECUTOR_MAX
    return out


def server_counts(runs_file: Path) -> Counter[str]:
    """How often each function started, from the counting app's own records."""
    counts: Counter[str] = Counter()
    if runs_file.exists():
        for line in runs_file.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("what") == "start":
                    counts[record["fn"]] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="300 calls: checks the script works")
    p.add_argument("--calls", type=int, default=10_000, help="calls in the run (a multiple of 20)")
    p.add_argument("--warmup", type=int, help="calls before the baseline (default: a tenth)")
    p.add_argument("--sample-every", type=int, help="calls between samples (default: 1/40th)")
    p.add_argument("--url", help="a running counting app (its run counts are then not checked)")
    p.add_argument("--runs-file", type=Path, help="with --url: the app's COUNTED_RUNS_FILE")
    p.add_argument("--sdk", type=Path, help="generated SDK of the counting app (default: generate)")
    p.add_argument("--tracemalloc", action="store_true", help="also list where Python memory grew")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument(
        "--progress", type=Path, help="append each sample here as it is taken (a JSON line)"
    )
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.smoke:
        opts.calls = min(opts.calls, 300)
    opts.calls = max(CYCLE_CALLS, opts.calls - opts.calls % CYCLE_CALLS)
    opts.warmup = opts.warmup if opts.warmup is not None else max(CYCLE_CALLS, opts.calls // 10)
    opts.sample_every = opts.sample_every or max(CYCLE_CALLS, opts.calls // 40)
    if opts.worker:
        return worker(opts)
    stop_cleanly_on_signals()

    tmp = Path(tempfile.mkdtemp(prefix="gradio-codegen-soak-run-"))
    server = None
    try:
        runs_file: Path | None = opts.runs_file
        if opts.url:
            url = opts.url.rstrip("/")
        else:
            runs_file = tmp / "runs.jsonl"
            server = start_server(APP, MAJOR, env={"COUNTED_RUNS_FILE": str(runs_file)})
            url = server.url
        sdk = opts.sdk
        if sdk is None:
            sdk = tmp / "counted_sdk.py"
            problem = generate_sdk(url, sdk)
            if problem:
                raise SystemExit(f"cannot generate the SDK: {problem}")
        before = server_counts(runs_file) if runs_file else Counter()
        cmd = [str(DEV_PYTHON), str(Path(__file__).resolve()), "--worker", "--url", url]
        cmd += ["--sdk", str(sdk), "--calls", str(opts.calls), "--warmup", str(opts.warmup)]
        cmd += ["--sample-every", str(opts.sample_every)]
        if opts.progress:
            cmd += ["--progress", str(opts.progress.resolve())]
        env = _env()
        if opts.tracemalloc:
            cmd.append("--tracemalloc")
            env["PYTHONTRACEMALLOC"] = "25"
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=max(600.0, opts.calls * 0.5),
                env=env,
                cwd=tempfile.gettempdir(),
            )
        except subprocess.TimeoutExpired:
            raise SystemExit("the soak worker timed out") from None
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise SystemExit(f"the soak worker failed (exit {proc.returncode}):\n{tail}")
        result = json.loads(lines[-1][7:])
        ran = server_counts(runs_file) - before if runs_file else None
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    verdict = judge(result)
    report(result, verdict, ran, opts)
    counts_ok = ran is None or all(ran[fn] == n for fn, n in result["called"].items())
    return 0 if result["failures"] == 0 and counts_ok else 1


def report(
    result: dict[str, Any],
    verdict: dict[str, Any],
    ran: Counter[str] | None,
    opts: argparse.Namespace,
) -> None:
    yes = {True: "yes", False: "no"}
    smoke = " (smoke run: too short to judge a leak)" if opts.smoke else ""
    rows = [
        [
            "RSS (MiB)",
            f"{verdict.get('rss_warm', 'n/a')}",
            f"{verdict.get('rss_end', 'n/a')}",
            f"+{verdict.get('rss_growth', 'n/a')} max after warm-up; "
            f"{verdict.get('rss_slope_per_1000', 'n/a')} per 1000 calls",
            f"<= +{RSS_TARGET_MIB:g} MiB",
            yes.get(verdict.get("rss_ok"), "n/a"),  # type: ignore[arg-type]
        ]
    ]
    for key, label in (
        ("fds", "open descriptors"),
        ("threads_judged", "threads (besides asyncio's executor)"),
    ):
        rows.append(
            [
                label,
                str(verdict.get(f"{key}_warm", "n/a")),
                str(verdict.get(f"{key}_end", "n/a")),
                f"max {verdict.get(f'{key}_early_max', 'n/a')} early, "
                f"{verdict.get(f'{key}_late_max', 'n/a')} late",
                "no growth",
                yes.get(verdict.get(f"{key}_ok"), "n/a"),  # type: ignore[arg-type]
            ]
        )
    rows.append(
        [
            "asyncio executor threads",
            "",
            str(samples_end(result)["executor_threads"]),
            f"max {verdict.get('executor_max_seen', 'n/a')}",
            f"<= {EXECUTOR_MAX} (its fixed size)",
            yes.get(verdict.get("executor_ok"), "n/a"),  # type: ignore[arg-type]
        ]
    )
    body = table(["measure", "after warm-up", "end", "change", "target", "met"], rows)
    samples = result["samples"]
    body += "\n\n" + table(
        ["calls", "seconds", "RSS MiB", "fds", "threads", "of which executor"],
        [
            [
                str(s["calls"]),
                f"{s['seconds']:.0f}",
                f"{s['rss_mib']:.1f}",
                str(s["fds"]),
                str(s["threads"]),
                str(s["executor_threads"]),
            ]
            for s in _thin(samples, 12)
        ],
    )
    if len(samples) > 1:
        body += (
            f"\n\nThreads by name after warm-up: {_warm_sample(result)['thread_names']}; at the end: "
            f"{samples[-1]['thread_names']}."
        )
    if len(samples) > 1:
        body += (
            f"\n\nDescriptors by kind after warm-up: {_warm_sample(result)['fd_kinds']}; at the end: "
            f"{samples[-1]['fd_kinds']}; most TCP connections open at any sample: "
            f"{max(sum(v for k, v in s['fd_kinds'].items() if k.startswith('tcp')) for s in samples)}."
        )
    closed = result["after_close"]
    called = result["called"]
    count_rows = [
        [fn, str(n), "n/a" if ran is None else str(ran.get(fn, 0))]
        for fn, n in sorted(called.items())
    ]
    body += "\n\n" + table(["function", "calls made", "runs on the server"], count_rows)
    body += (
        f"\n\n{result['calls']} calls in {result['wall']:.0f} s "
        f"({result['calls'] / max(result['wall'], 0.001):.0f} calls/s), {result['failures']} failed"
        f"; warm-up {result['warmup_calls']} calls; peak RSS {result['peak_rss_mib']} MiB; after "
        f"closing both clients: {closed['fds']} descriptors, {closed['threads']} threads, "
        f"{closed['rss_mib']} MiB.{smoke}"
    )
    if result["first_failures"]:
        body += "\n\nFirst failures:\n" + "\n".join(f"- {f}" for f in result["first_failures"])
    if result["tracemalloc_growth"]:
        body += "\n\nPython allocations that grew most after warm-up (tracemalloc):\n```\n"
        body += "\n".join(result["tracemalloc_growth"]) + "\n```"
    body += f"\n\nMachine: {machine()}."
    data = {
        "result": result,
        "verdict": verdict,
        "server_runs": dict(ran or {}),
        "summary": summary_rows(result, verdict, ran),
    }
    emit(f"8. Soak ({result['calls']} calls on one client)", body, "", opts, data)


def summary_rows(
    result: dict[str, Any], verdict: dict[str, Any], ran: Counter[str] | None
) -> list[list[str]]:
    """run_all's summary lines: memory, descriptors and threads after warm-up, calls lost."""
    scenario = f"8. soak, {result['calls']:,} calls"
    growth = verdict.get("rss_growth")
    rows = [
        summary_row(
            scenario,
            "RSS growth after warm-up",
            f"+{growth} MiB" if growth is not None else "n/a",
            growth,
            None,
            None,
            f"<= {RSS_TARGET_MIB:g} MiB",
            verdict.get("rss_ok"),
        )
    ]
    for key, label in (("fds", "descriptors"), ("threads_judged", "threads")):
        early, late = verdict.get(f"{key}_early_max"), verdict.get(f"{key}_late_max")
        rows.append(
            summary_row(
                scenario,
                f"{label}, first / last fifth",
                f"{early} / {late}",
                None,
                None,
                None,
                "no growth",
                verdict.get(f"{key}_ok"),
            )
        )
    lost = result["failures"]
    counted = ran is None or all(ran[fn] == n for fn, n in result["called"].items())
    rows.append(
        summary_row(
            scenario,
            "calls failed; runs = calls",
            f"{lost}; {'yes' if counted else 'no'}",
            None,
            None,
            None,
            "0; yes",
            lost == 0 and counted,
        )
    )
    return rows


def samples_end(result: dict[str, Any]) -> dict[str, Any]:
    return result["samples"][-1]  # type: ignore[no-any-return]


def _warm_sample(result: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in result["samples"] if s["calls"] >= result["warmup_calls"])


def _thin(samples: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """At most ``n`` samples, evenly spread, first and last kept."""
    if len(samples) <= n:
        return samples
    step = (len(samples) - 1) / (n - 1)
    return [samples[round(i * step)] for i in range(n)]


if __name__ == "__main__":
    sys.exit(main())
