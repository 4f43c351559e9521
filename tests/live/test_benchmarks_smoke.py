"""Smoke runs of the benchmark scripts: each one runs end to end and prints its table.

Benchmarks are not tests; nothing here asserts a timing. What a user of ``make bench`` relies on is
checked instead: every script finishes, measures all three clients (ours included) against a real
Gradio 6 app, and the latency proxy really adds the latency it promises.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from servers import ROOT, GradioServer, ServerPool

BENCH = ROOT / "benchmarks"
PYTHON = sys.executable
LABELS = ("ours (generated SDK)", "gradio_client", "raw httpx")
NUMBER = re.compile(r"\d+\.\d+ (ms|s)|\d+\.\d+/s")

pytestmark = [pytest.mark.servers, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def bench_app(server_pool: ServerPool) -> GradioServer:
    return server_pool.get("bench_app", "6")


@pytest.fixture(scope="module")
def bench_sdk(bench_app: GradioServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench-sdk") / "bench_sdk.py"
    cli = Path(PYTHON).parent / "gradio-codegen"
    proc = subprocess.run(
        [str(cli), bench_app.url, "-o", str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return out


def run_script(name: str, *args: str) -> str:
    proc = subprocess.run(
        [PYTHON, str(BENCH / name), "--smoke", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=BENCH,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def rows_for(output: str, label: str) -> list[str]:
    """Table rows with a cell that is exactly ``label``."""
    return [
        line
        for line in output.splitlines()
        if line.startswith("|") and label in (cell.strip() for cell in line.split("|"))
    ]


@pytest.mark.parametrize(
    "script",
    ["bench_first_result.py", "bench_warm.py", "bench_throughput.py", "bench_streaming.py"],
)
def test_script_measures_all_three_clients(
    script: str, bench_app: GradioServer, bench_sdk: Path
) -> None:
    out = run_script(script, "--url", bench_app.url, "--sdk", str(bench_sdk))
    assert out.lstrip().startswith("## "), out
    for label in LABELS:
        rows = rows_for(out, label)
        assert rows, f"no row for {label} in:\n{out}"
        for row in rows:
            assert NUMBER.search(row), f"{label} has no measurement: {row}"
            assert row.rstrip("| ").endswith("1"), f"{label} run did not succeed: {row}"
    assert "failed" not in out, out
    # the ratio table compares ours with the others, measured in this run
    assert re.search(r"\| \d+\.\d+x", out), out


def test_generation_script_generates_and_imports(tmp_path: Path) -> None:
    out = run_script("bench_generation.py")
    synthetic = rows_for(out, "synthetic, 20 endpoints")
    assert synthetic and "1/1" in synthetic[0], out
    fixtures = [line for line in out.splitlines() if "fixture schemas" in line]
    assert fixtures and "2/2" in fixtures[0], out
    assert rows_for(out, "synthetic 20-endpoint SDK (runtime included)"), out


def test_run_all_writes_a_report(bench_app: GradioServer, bench_sdk: Path, tmp_path: Path) -> None:
    report = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [
            PYTHON,
            str(BENCH / "run_all.py"),
            "--smoke",
            "--only",
            "bench_warm.py",
            "--url",
            bench_app.url,
            "--sdk",
            str(bench_sdk),
            "--write",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = report.read_text()
    assert text.startswith("# Benchmark results")
    assert "Machine: " in text and "gradio_client 2." in text
    assert "## 2. Warm call latency" in text
    for label in LABELS:
        assert rows_for(text, label), text


def test_latency_proxy_adds_the_round_trips_it_promises(bench_app: GradioServer) -> None:
    delay = 0.1
    proc = subprocess.Popen(
        [
            PYTHON,
            str(BENCH / "latency_proxy.py"),
            "--target",
            f"127.0.0.1:{bench_app.port}",
            "--delay-ms",
            str(delay * 1000),
            "--max-seconds",
            "60",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        proxied = f"http://127.0.0.1:{line.split()[1]}/config"

        def fetch(url: str) -> tuple[float, bytes]:
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as r:
                body = r.read()
            return time.perf_counter() - start, body

        direct_time, direct = fetch(f"{bench_app.url}/config")
        proxied_time, through = fetch(proxied)
        # the app names the host it was reached on in "root"; the rest passes unchanged
        assert json.loads(through)["dependencies"] == json.loads(direct)["dependencies"]
        # a new connection: one round trip for the handshake, one for the request
        assert proxied_time >= 4 * delay * 0.95, (proxied_time, direct_time)
        assert proxied_time < 4 * delay + direct_time + 2.0
    finally:
        proc.terminate()
        proc.wait(10)


def test_files_script_moves_a_file_through_both_clients(server_pool: ServerPool) -> None:
    app = server_pool.get("file_echo", "6")
    out = run_script("bench_files.py", "--url", app.url)
    for label in ("ours (generated SDK)", "gradio_client"):
        rows = rows_for(out, label)
        assert {row.split("|")[1].strip() for row in rows} >= {"upload", "download"}, out
        for row in rows:
            assert re.search(r"\d+ MiB", row), f"{label} has no measurement: {row}"
