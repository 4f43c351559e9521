"""Scenario 3: throughput under concurrency: N echo calls with C in flight on one client.

Async clients run C tasks behind a semaphore; sync clients are shared by a pool of C threads.
The endpoint has no concurrency limit, so the clients (and the shared CPUs) are what limits.
Client CPU is user + system seconds of the client process during the calls.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from _common import (
    stop_cleanly_on_signals,
    LABELS,
    Runs,
    add_common_args,
    bench_target,
    emit,
    fmt,
    ratio,
    repeat,
    run_worker,
    selected_clients,
    below,
    summary_row,
    table,
)

#: (client, mode) pairs measured; gradio_client has no async client.
MODES = {"sdk": ("async", "threads"), "gradio_client": ("threads",), "raw": ("async", "threads")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    add_common_args(p)
    p.add_argument("--runs", type=int, default=3, help="processes per client and mode")
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=50)
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    runs, calls, conc = (1, 20, 5) if opts.smoke else (opts.runs, opts.calls, opts.concurrency)
    clients = selected_clients(opts)
    with bench_target(opts) as target:
        if target.sdk is None and "sdk" in clients:
            clients.remove("sdk")
        variants = [f"{c}:{m}" for c in clients for m in MODES[c]]

        def work(variant: str) -> dict[str, object]:
            client, mode = variant.split(":")
            return run_worker(client, "throughput", target, n=calls, concurrency=conc, mode=mode)

        results: dict[str, Runs] = repeat(variants, runs, work)

    rate = {v: r.median("calls_per_s") for v, r in results.items()}
    cpu = {v: r.median("cpu") for v, r in results.items()}
    rows = []
    for v, r in results.items():
        client, mode = v.split(":")
        rows.append([LABELS[client], mode, fmt(rate[v], "/s"), fmt(cpu[v], "s"), str(len(r.ok))])
    body = table(["client", "mode", "calls/s", "client CPU", "runs"], rows)
    gc = "gradio_client:threads"
    ratio_rows = []
    for mode in ("async", "threads"):
        ours = f"sdk:{mode}"
        if ours in results:
            ratio_rows.append(
                [
                    mode,
                    ratio(rate[ours], rate.get(gc)),
                    ratio(cpu[ours], cpu.get(gc)),
                    ratio(rate[ours], rate.get(f"raw:{mode}")),
                    ratio(cpu[ours], cpu.get(f"raw:{mode}")),
                ]
            )
    if ratio_rows:
        body += "\n\n" + table(
            [
                "ours mode",
                "calls/s vs gradio_client",
                "CPU vs gradio_client",
                "calls/s vs raw (same mode)",
                "CPU vs raw (same mode)",
            ],
            ratio_rows,
        )
    body += (
        f"\n\n{calls} calls, {conc} in flight, median of {runs} runs (one process each)."
        " Target: calls/s >= gradio_client with less CPU."
    )
    notes = []
    for v, r in results.items():
        if r.errors:
            client, mode = v.split(":")
            notes.append(
                f"{LABELS[client]} ({mode}) failed {len(r.errors)}/{len(r.errors) + len(r.ok)} runs:"
                f" {r.errors[0]}"
            )
    data: dict[str, Any] = {v: {"ok": r.ok, "errors": r.errors} for v, r in results.items()}
    data["summary"] = []
    for mode in ("async", "threads"):
        ours = f"sdk:{mode}"
        if ours not in results:
            continue
        faster = below(rate.get(gc), rate[ours], 1.0)
        leaner = below(cpu[ours], cpu.get(gc), 1.0)
        data["summary"] += [
            summary_row(
                f"3. throughput, ours {mode}",
                "calls/s",
                fmt(rate[ours], "/s"),
                rate[ours],
                rate.get(gc),
                rate.get(f"raw:{mode}"),
                ">= gradio_client",
                faster,
            ),
            summary_row(
                f"3. throughput, ours {mode}",
                "client CPU",
                fmt(cpu[ours], "s"),
                cpu[ours],
                cpu.get(gc),
                cpu.get(f"raw:{mode}"),
                "< gradio_client",
                leaner,
            ),
        ]
    emit(f"3. Throughput ({calls} calls, {conc} in flight)", body, "\n".join(notes), opts, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
