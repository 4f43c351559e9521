"""Scenario 1: time to first result in a fresh process (import, construct, one echo call).

Each run is a new process; the in-process time starts before the client library is imported, the
whole-process time also covers interpreter start-up. Runs once on plain loopback and once through
``latency_proxy.py`` (50 ms each way), where the number of round trips dominates.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from _common import (
    stop_cleanly_on_signals,
    DEV_PYTHON,
    HERE,
    LABELS,
    Runs,
    Target,
    add_common_args,
    bench_target,
    emit,
    failures,
    fmt,
    ratio,
    repeat,
    run_worker,
    selected_clients,
    below,
    summary_row,
    table,
)

TARGET_RATIO_PROXY = 0.4  # ours / gradio_client behind the proxy


@contextlib.contextmanager
def latency_proxy(url: str, delay_ms: float) -> Iterator[str]:
    """Start the proxy in front of ``url``; yields the proxied URL and stops it by pid."""
    target = url.removeprefix("http://")
    proc = subprocess.Popen(
        [
            str(DEV_PYTHON),
            str(HERE / "latency_proxy.py"),
            "--target",
            target,
            "--delay-ms",
            str(delay_ms),
            "--max-seconds",
            "1800",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the proxy prints READY <port> or exits
        if not line.startswith("READY "):
            raise RuntimeError(f"latency proxy did not start: {line!r}")
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def measure(
    target: Target, clients: list[str], runs: int, url: str, warmup: bool
) -> dict[str, Runs]:
    return repeat(clients, runs, lambda c: run_worker(c, "first", target, url=url), warmup=warmup)


def section(results: dict[str, Runs]) -> tuple[list[list[str]], dict[str, float | None]]:
    rows = []
    medians: dict[str, float | None] = {}
    for client, runs in results.items():
        medians[client] = runs.median("seconds")
        rows.append(
            [
                LABELS[client],
                fmt(runs.median("seconds"), "ms"),
                fmt(runs.median("process_wall"), "ms"),
                fmt(runs.median("import"), "ms"),
                fmt(runs.median("construct"), "ms"),
                fmt(runs.median("call"), "ms"),
                str(len(runs.ok)),
            ]
        )
    return rows, medians


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    add_common_args(p)
    p.add_argument("--runs", type=int, default=9, help="fresh processes per client and network")
    p.add_argument("--delay-ms", type=float, default=50.0, help="proxy latency each way")
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    runs = 1 if opts.smoke else opts.runs
    clients = selected_clients(opts)
    with bench_target(opts) as target:
        if target.sdk is None and "sdk" in clients:
            clients.remove("sdk")
        networks: dict[str, dict[str, Runs]] = {}
        networks["loopback"] = measure(target, clients, runs, target.url, not opts.smoke)
        with latency_proxy(target.url, opts.delay_ms) as proxied:
            networks[f"proxy {opts.delay_ms:g} ms each way"] = measure(
                target, clients, runs, proxied, not opts.smoke
            )

    headers = [
        "network",
        "client",
        "in-process",
        "whole process",
        "import",
        "construct",
        "call",
        "runs",
    ]
    rows: list[list[str]] = []
    summary: list[list[str]] = []
    notes = []
    data: dict[str, Any] = {}
    for network, results in networks.items():
        section_rows, med = section(results)
        rows += [[network, *r] for r in section_rows]
        behind_proxy = network != "loopback"
        met = (
            below(med.get("sdk"), med.get("gradio_client"), TARGET_RATIO_PROXY)
            if behind_proxy
            else None
        )
        data.setdefault("summary", []).append(
            summary_row(
                f"1. first result, {network}",
                "in-process time",
                fmt(med.get("sdk"), "ms"),
                med.get("sdk"),
                med.get("gradio_client"),
                med.get("raw"),
                f"<= {TARGET_RATIO_PROXY}x gradio_client" if behind_proxy else "",
                met,
            )
        )
        summary.append(
            [
                network,
                ratio(med.get("sdk"), med.get("gradio_client")),
                ratio(med.get("sdk"), med.get("raw")),
            ]
        )
        if failures(results):
            notes.append(f"{network}: {failures(results)}")
        data[network] = {c: {"ok": r.ok, "errors": r.errors} for c, r in results.items()}
    body = (
        table(headers, rows)
        + "\n\n"
        + table(["network", "ours / gradio_client", "ours / raw"], summary)
    )
    warm = "" if opts.smoke else " (after one uncounted warm-up each, which fills the .pyc caches)"
    body += f"\n\nMedians of {runs} fresh processes per client{warm}."
    body += f" Target behind the proxy: ours <= {TARGET_RATIO_PROXY}x gradio_client."
    emit(
        "1. Time to first result (fresh process: import + construct + one echo call)",
        body,
        "\n".join(notes),
        opts,
        data,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
