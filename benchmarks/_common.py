"""What every bench script shares: the bench server, the three clients' worker processes, tables.

Runs in the dev environment and never imports gradio or gradio_client: each client works in its own
process (``_worker.py``), gradio_client under the Gradio 6 virtualenv's Python.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from servers import VENVS, GradioServer, start_server, venv_python  # noqa: E402

DEV_PYTHON = VENVS / "dev" / "bin" / "python"
WORKER = HERE / "_worker.py"
BENCH_APP = "bench_app"
GRADIO_MAJOR = "6"
WORKER_TIMEOUT = 600.0

#: The three clients in table order; ``sdk`` is ours.
CLIENTS = ("sdk", "gradio_client", "raw")
LABELS = {"sdk": "ours (generated SDK)", "gradio_client": "gradio_client", "raw": "raw httpx"}

WORKER_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


@dataclass
class Target:
    """The running bench app and what the clients need to call it."""

    url: str
    prefix: str
    fn_index: dict[str, int]
    sdk: Path | None
    sdk_problem: str = ""


@dataclass
class Runs:
    """Results of repeated runs of one client in one configuration."""

    ok: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.ok if r.get(key) is not None]
        return statistics.median(values) if values else None


def add_common_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--smoke", action="store_true", help="a few iterations: checks the script runs")
    p.add_argument("--url", help="use this running bench app instead of starting one")
    p.add_argument("--sdk", type=Path, help="generated SDK of the bench app (default: generate it)")
    p.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated subset of clients")
    p.add_argument("--json", type=Path, help="also write the results here")


def selected_clients(opts: argparse.Namespace) -> list[str]:
    names = [c.strip() for c in opts.clients.split(",") if c.strip()]
    unknown = set(names) - set(CLIENTS)
    if unknown:
        raise SystemExit(f"unknown clients {sorted(unknown)}; choose from {CLIENTS}")
    return names


def read_config(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/config", timeout=30) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def generate_sdk(url: str, out: Path) -> str:
    """Generate our SDK for the app at ``url`` with the CLI; return "" or why it could not."""
    cli = DEV_PYTHON.parent / "gradio-codegen"
    if not cli.exists():
        return "gradio-codegen CLI not installed in .venvs/dev"
    proc = subprocess.run(
        [str(cli), url, "-o", str(out)], capture_output=True, text=True, timeout=300, env=_env()
    )
    if proc.returncode != 0 or not out.exists():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"gradio-codegen failed: {detail[0][:200]}"
    return ""


@contextlib.contextmanager
def bench_target(opts: argparse.Namespace) -> Iterator[Target]:
    """The bench app (started here unless ``--url``) and our SDK for it (generated unless ``--sdk``)."""
    server: GradioServer | None = None
    tmp = Path(tempfile.mkdtemp(prefix="gradio-codegen-bench-"))
    try:
        if opts.url:
            url = opts.url.rstrip("/")
        else:
            server = start_server(BENCH_APP, GRADIO_MAJOR)
            url = server.url
        config = read_config(url)
        fn_index = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}
        sdk, problem = opts.sdk, ""
        if "sdk" in selected_clients(opts):
            if sdk is None:
                sdk = tmp / "bench_sdk.py"
                problem = generate_sdk(url, sdk)
            elif not sdk.exists():
                problem = f"{sdk} does not exist"
            if problem:
                sdk = None
                print(f"note: our SDK is skipped: {problem}", file=sys.stderr)
        yield Target(url, config.get("api_prefix", ""), fn_index, sdk, problem)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


#: Bytecode caches for every client's worker, so each process loads compiled modules as an installed
#: package would (pip compiles gradio_client at install; an editable checkout is compiled on first
#: import). Without it, PYTHONDONTWRITEBYTECODE in the caller's environment would make only our side
#: recompile its sources in every fresh process.
PYCACHE = Path(tempfile.gettempdir()) / "gradio-codegen-bench-pycache"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "HF_"))}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return {**env, **WORKER_ENV}


def python_for(client: str) -> Path:
    return venv_python(GRADIO_MAJOR) if client == "gradio_client" else DEV_PYTHON


def run_worker(
    client: str, scenario: str, target: Target, url: str | None = None, **options: Any
) -> dict[str, Any]:
    """Run one client in a fresh process; returns its result plus ``process_wall`` seconds.

    Raises ``RuntimeError`` with the worker's last error line when it fails.
    """
    cmd = [
        str(python_for(client)),
        str(WORKER),
        "--client",
        client,
        "--scenario",
        scenario,
        "--url",
        url or target.url,
        "--prefix",
        target.prefix,
        "--fn-echo",
        str(target.fn_index.get("echo", 0)),
        "--fn-stream",
        str(target.fn_index.get("stream", 1)),
    ]
    if client == "sdk":
        if target.sdk is None:
            raise RuntimeError(f"no SDK: {target.sdk_problem}")
        cmd += ["--sdk", str(target.sdk)]
    for key, value in options.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT,
            env=_env(),
            cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {WORKER_TIMEOUT:.0f}s") from None
    wall = time.perf_counter() - start
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return {**json.loads(line[7:]), "process_wall": wall}
    lines = (proc.stderr or proc.stdout or "no output").strip().splitlines()
    raise RuntimeError(lines[-1][:300] if lines else f"exit code {proc.returncode}")


def repeat(
    clients: Sequence[str], runs: int, work: Any, *, warmup: bool = False
) -> dict[str, Runs]:
    """Call ``work(client)`` ``runs`` times per client, interleaving clients so noise spreads evenly."""
    results = {c: Runs() for c in clients}
    if warmup:  # fills the .pyc caches and the OS page cache; not counted
        for c in clients:
            with contextlib.suppress(RuntimeError):
                work(c)
    for i in range(runs):
        order = list(clients[i % len(clients) :]) + list(clients[: i % len(clients)])
        for c in order:
            try:
                results[c].ok.append(work(c))
            except RuntimeError as e:
                results[c].errors.append(str(e))
    return results


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if unit == "ms":
        return f"{value * 1000:.1f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "/s":
        return f"{value:.1f}/s"
    return f"{value:.3g}"


def ratio(ours: float | None, other: float | None) -> str:
    if ours is None or other is None or other == 0:
        return "n/a"
    return f"{ours / other:.2f}x"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table (readable in a terminal and pasteable into RESULTS.md)."""
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])


def failures(results: dict[str, Runs]) -> str:
    notes = []
    for client, runs in results.items():
        if runs.errors:
            total = len(runs.ok) + len(runs.errors)
            notes.append(
                f"{LABELS[client]} failed {len(runs.errors)}/{total} runs: {runs.errors[0]}"
            )
    return "\n".join(notes)


def emit(title: str, body: str, notes: str, opts: argparse.Namespace, data: dict[str, Any]) -> None:
    print(f"\n## {title}\n")
    print(body)
    if notes:
        print("\n" + notes)
    if opts.json:
        opts.json.write_text(json.dumps(data, indent=2))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), Linux {platform.release()}, Python {platform.python_version()}"


def summary_row(
    scenario: str,
    measure: str,
    shown: str,
    ours: float | None,
    gradio_client: float | None,
    raw: float | None,
    target: str = "",
    met: bool | None = None,
) -> list[str]:
    """One line of run_all's summary: our figure, its ratios to the others, the target and verdict."""
    verdict = "" if met is None else ("yes" if met else "no")
    return [scenario, measure, shown, ratio(ours, gradio_client), ratio(ours, raw), target, verdict]


SUMMARY_HEADERS = [
    "scenario",
    "measure",
    "ours",
    "ours / gradio_client",
    "ours / raw",
    "target",
    "met",
]


def below(ours: float | None, other: float | None, factor: float) -> bool | None:
    """Whether ``ours <= factor * other`` (None when either is missing)."""
    if ours is None or other is None:
        return None
    return ours <= factor * other


def stop_cleanly_on_signals() -> None:
    """Turn SIGTERM and SIGINT into exceptions, so servers and proxies started here are stopped.

    (A job started in the background by a non-interactive shell ignores SIGINT otherwise.)
    """
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
