"""Scenario 4: streaming, a generator endpoint yielding 2000 small updates (growing text).

Times receiving every update and the final value on a connected client, and the client's CPU.
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
    summary_row,
    table,
)


def fmt_count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


MODES = {"sdk": ("sync", "async"), "gradio_client": ("sync",), "raw": ("sync", "async")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    add_common_args(p)
    p.add_argument("--runs", type=int, default=5, help="processes per client and mode")
    p.add_argument("--updates", type=int, default=2000)
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    runs, updates = (1, 50) if opts.smoke else (opts.runs, opts.updates)
    clients = selected_clients(opts)
    with bench_target(opts) as target:
        if target.sdk is None and "sdk" in clients:
            clients.remove("sdk")
        variants = [f"{c}:{m}" for c in clients for m in MODES[c]]

        def work(variant: str) -> dict[str, object]:
            client, mode = variant.split(":")
            return run_worker(client, "stream", target, n=updates, mode=mode)

        results: dict[str, Runs] = repeat(variants, runs, work)

    secs = {v: r.median("seconds") for v, r in results.items()}
    cpu = {v: r.median("cpu") for v, r in results.items()}
    rows = []
    for v, r in results.items():
        client, mode = v.split(":")
        rows.append(
            [
                LABELS[client],
                mode,
                fmt(secs[v], "s"),
                fmt(cpu[v], "s"),
                fmt_count(r.median("updates")),
                str(len(r.ok)),
            ]
        )
    body = table(
        ["client", "mode", "time to all updates", "client CPU", "updates seen", "runs"], rows
    )
    ratio_rows = [
        [
            mode,
            ratio(secs[f"sdk:{mode}"], secs.get("gradio_client:sync")),
            ratio(cpu[f"sdk:{mode}"], cpu.get("gradio_client:sync")),
            ratio(secs[f"sdk:{mode}"], secs.get(f"raw:{mode}")),
            ratio(cpu[f"sdk:{mode}"], cpu.get(f"raw:{mode}")),
        ]
        for mode in ("sync", "async")
        if f"sdk:{mode}" in results
    ]
    if ratio_rows:
        body += "\n\n" + table(
            [
                "ours mode",
                "time vs gradio_client",
                "CPU vs gradio_client",
                "time vs raw",
                "CPU vs raw",
            ],
            ratio_rows,
        )
    body += (
        f"\n\nOne generator call yielding {updates} updates, after one small untimed stream;"
        f" median of {runs} runs (one process each). The server's own pace bounds the time;"
        " client CPU is what the client spends to follow it."
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
    for mode in ("sync", "async"):
        ours = f"sdk:{mode}"
        if ours not in results:
            continue
        for measure, values in (("time to all updates", secs), ("client CPU", cpu)):
            data["summary"].append(
                summary_row(
                    f"4. streaming {updates}, ours {mode}",
                    measure,
                    fmt(values[ours], "s"),
                    values[ours],
                    values.get("gradio_client:sync"),
                    values.get(f"raw:{mode}"),
                )
            )
    emit(f"4. Streaming ({updates} updates)", body, "\n".join(notes), opts, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
