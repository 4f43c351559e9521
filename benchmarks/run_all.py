"""Run every benchmark against one bench app and print (optionally write) the result tables.

    .venvs/dev/bin/python benchmarks/run_all.py            # full run (make bench), writes RESULTS.md
    .venvs/dev/bin/python benchmarks/run_all.py --smoke    # a few iterations each (make bench-smoke)

One Gradio 6 bench app serves scenarios 1-4 and our SDK is generated from it once; every script
runs as its own process. ``bench_files.py`` (scenario 5) manages its own app.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    stop_cleanly_on_signals,
    CLIENTS,
    DEV_PYTHON,
    HERE,
    ROOT,
    SUMMARY_HEADERS,
    bench_target,
    machine,
    python_for,
    selected_clients,
    summary_row,
    table,
)

SERVED = ["bench_first_result.py", "bench_warm.py", "bench_throughput.py", "bench_streaming.py"]
STANDALONE = ["bench_files.py", "bench_generation.py", "bench_footprint.py", "bench_soak.py"]
FULL_TIMEOUT, SMOKE_TIMEOUT = 3 * 3600.0, 900.0


def versions() -> str:
    """Versions of the libraries compared, each read in its own environment."""
    code = "import importlib.metadata as m, sys; print(' '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))"
    out = []
    for python, packages in (
        (DEV_PYTHON, ["gradio-codegen", "httpx"]),
        (python_for("gradio_client"), ["gradio", "gradio_client", "httpx"]),
    ):
        proc = subprocess.run(
            [str(python), "-c", code, *packages], capture_output=True, text=True, timeout=60
        )
        out.append(proc.stdout.strip() or proc.stderr.strip()[-200:])
    return "; ".join(out)


def run(script: str, args: list[str], timeout: float, json_path: Path) -> tuple[str, bool]:
    """Run one script; returns its tables (or why it failed) and whether it succeeded."""
    path = HERE / script
    if not path.exists():
        return f"\n## {script}\n\nnot run: {path.relative_to(ROOT)} does not exist yet\n", True
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [str(DEV_PYTHON), str(path), *args, "--json", str(json_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=HERE,
        )
    except subprocess.TimeoutExpired:
        return f"\n## {script}\n\nfailed: timed out after {timeout:.0f} s\n", False
    took = time.perf_counter() - start
    sys.stderr.write(proc.stderr)
    text = proc.stdout if "## " in proc.stdout else f"\n## {script}\n"
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        return text + f"\n{script} failed (exit {proc.returncode}):\n```\n{tail}\n```\n", False
    return text + f"\n_{script}: {took:.0f} s_\n", True


def _median(value: Any) -> float | None:
    """A figure recorded as one number or as a list of runs."""
    if isinstance(value, list):
        numbers = [float(v) for v in value if isinstance(v, (int, float))]
        return statistics.median(numbers) if numbers else None
    return float(value) if isinstance(value, (int, float)) else None


def files_summary(data: dict[str, Any]) -> list[list[str]]:
    """Summary rows from bench_files.py's results: ``{client: {scenario: {peak_mib, wall}}}``,
    each figure a number or a list of runs."""
    ours, theirs = data.get("sdk"), data.get("gradio_client")
    if not isinstance(ours, dict):
        return []
    theirs = theirs if isinstance(theirs, dict) else {}
    rows = []
    for scenario in ("upload", "download"):
        mine, other = ours.get(scenario) or {}, theirs.get(scenario) or {}
        for key, measure, unit in (
            ("peak_mib", "client peak RSS", "MiB"),
            ("wall", "wall time", "s"),
        ):
            value, their = _median(mine.get(key)), _median(other.get(key))
            if value is None:
                continue
            target = "< 100 MiB" if key == "peak_mib" else ""
            met = value < 100 if key == "peak_mib" else None
            rows.append(
                summary_row(
                    f"5. files, {scenario}",
                    measure,
                    f"{value:.1f} {unit}",
                    value,
                    their,
                    None,
                    target,
                    met,
                )
            )
    return rows


def summary(json_paths: list[Path]) -> str:
    """The key figures of every script (their ``summary`` rows) in one table."""
    rows: list[list[str]] = []
    for path in json_paths:
        try:
            data = json.loads(path.read_text())
            rows += data.get("summary") or files_summary(data)
        except (OSError, ValueError, AttributeError, TypeError) as e:
            print(f"note: no summary rows from {path.name}: {e!r}", file=sys.stderr)
    if not rows:
        return ""
    return "\n## Summary\n\n" + table(SUMMARY_HEADERS, rows) + "\n"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min) / {five:.1f} (5 min)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="a few iterations each (checks they run)")
    p.add_argument(
        "--write", type=Path, help="write the report here (full runs default to RESULTS.md)"
    )
    p.add_argument("--only", help="comma-separated script names to run (e.g. bench_warm.py)")
    p.add_argument("--url", help="use this running bench app instead of starting one")
    p.add_argument("--sdk", type=Path, help="generated SDK of the bench app (default: generate it)")
    p.add_argument("--clients", default=",".join(CLIENTS))
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    write = opts.write or (None if opts.smoke or opts.only else HERE / "RESULTS.md")
    extra = ["--smoke"] if opts.smoke else []
    timeout = SMOKE_TIMEOUT if opts.smoke else FULL_TIMEOUT
    wanted = set(opts.only.split(",")) if opts.only else None
    selected_clients(opts)
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = load()
    sections: list[str] = []
    json_paths: list[Path] = []
    all_ok = True
    with (
        tempfile.TemporaryDirectory(prefix="gradio-codegen-bench-") as tmp,
        bench_target(opts) as target,
    ):
        sdk_note = (
            "our SDK: generated from the bench app with gradio-codegen"
            if target.sdk
            else f"our SDK: not available ({target.sdk_problem}); its rows are missing"
        )
        print(sdk_note, flush=True)
        served = ["--url", target.url, "--clients", opts.clients]
        if target.sdk is not None:
            served += ["--sdk", str(target.sdk)]
        for script in SERVED + STANDALONE:
            if wanted is not None and script not in wanted:
                continue
            print(f"running {script} ...", file=sys.stderr, flush=True)
            args = extra + (served if script in SERVED else [])
            json_path = Path(tmp) / f"{script}.json"
            text, ok = run(script, args, timeout, json_path)
            json_paths.append(json_path)
            all_ok &= ok
            print(text, flush=True)
            sections.append(text)
        overview = summary(json_paths)
    print(overview, flush=True)
    if write is not None:
        command = "make bench" if not opts.smoke else "make bench-smoke"
        if argv or sys.argv[1:]:
            command += f"  (run_all.py {' '.join(argv if argv is not None else sys.argv[1:])})"
        header = [
            "# Benchmark results",
            "",
            f"- Run: {started:%Y-%m-%d %H:%M} UTC, command `{command}` from the repository root.",
            f"- Machine: {machine()}; shared with other work running at the same time (test"
            f" suites with their own Gradio servers): load average {load_before} at the start,"
            f" {load()} at the end. Absolute numbers are therefore noisy; ratios compare clients"
            " measured in the same run, interleaved run by run.",
            f"- Versions: {versions()}.",
            f"- Server: `tests/apps/bench_app/app.py` on Gradio 6, 127.0.0.1; {sdk_note}.",
            "- Every client works in its own process, separate from the server: gradio_client under"
            " `.venvs/g6/bin/python`, ours and raw httpx under `.venvs/dev/bin/python`.",
            "- How each figure is measured: [README.md](README.md).",
            "",
        ]
        write.write_text("\n".join(header) + overview + "".join(sections))
        print(f"wrote {write}", file=sys.stderr)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
