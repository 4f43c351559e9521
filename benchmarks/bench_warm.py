"""Scenario 2: warm call latency, the median of sequential echo calls on one connected client."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from _common import (
    stop_cleanly_on_signals,
    LABELS,
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    add_common_args(p)
    p.add_argument("--runs", type=int, default=5, help="processes per client")
    p.add_argument("--calls", type=int, default=100, help="timed calls per process")
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    runs, calls, warmup = (1, 5, 1) if opts.smoke else (opts.runs, opts.calls, 10)
    clients = selected_clients(opts)
    with bench_target(opts) as target:
        if target.sdk is None and "sdk" in clients:
            clients.remove("sdk")
        results = repeat(
            clients, runs, lambda c: run_worker(c, "warm", target, n=calls, warmup=warmup)
        )
    med = {c: r.median("median") for c, r in results.items()}
    rows = [
        [LABELS[c], fmt(med[c], "ms"), fmt(r.median("mean"), "ms"), str(len(r.ok))]
        for c, r in results.items()
    ]
    body = table(["client", "median call", "mean call", "runs"], rows)
    body += "\n\n" + table(
        ["ours / gradio_client", "ours / raw"],
        [[ratio(med.get("sdk"), med.get("gradio_client")), ratio(med.get("sdk"), med.get("raw"))]],
    )
    body += (
        f"\n\nEach run: one process, one client, {warmup} untimed calls, then {calls} timed"
        f" sequential calls; the table shows the median over {runs} runs of each run's median."
        " Target: ours <= 1.1x raw httpx, and below gradio_client."
    )
    data: dict[str, Any] = {c: {"ok": r.ok, "errors": r.errors} for c, r in results.items()}
    ok_raw, ok_gc = below(med.get("sdk"), med.get("raw"), 1.1), below(
        med.get("sdk"), med.get("gradio_client"), 1.0
    )
    data["summary"] = [
        summary_row(
            "2. warm call",
            "median latency",
            fmt(med.get("sdk"), "ms"),
            med.get("sdk"),
            med.get("gradio_client"),
            med.get("raw"),
            "<= 1.1x raw, < gradio_client",
            None if ok_raw is None or ok_gc is None else ok_raw and ok_gc,
        )
    ]
    emit(
        "2. Warm call latency (sequential echo calls on one client)",
        body,
        failures(results),
        opts,
        data,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
