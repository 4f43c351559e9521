"""Scenario 6: generation. Time to generate SDKs (CLI, whole process) for a synthetic 300-endpoint
schema and for every fixture schema, and the import time of the largest generated module.

The synthetic schema repeats the endpoints of the Gradio 6 fixture apps (every component kind they
cover) under new names until there are 300, with a matching ``/config`` so fn_index and streaming are
known, as when generating from a live app.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import stop_cleanly_on_signals, DEV_PYTHON, emit, fmt, summary_row, table

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "schemas"
CLI = DEV_PYTHON.parent / "gradio-codegen"
ID_STRIDE = 100_000  # component ids of the n-th source app are offset by n * ID_STRIDE


def fixture_dirs(root: Path) -> list[Path]:
    return sorted(d for d in root.glob("gradio*/*") if (d / "info.json").exists())


def synthetic_schema(n_endpoints: int, sources: list[Path], out: Path) -> tuple[Path, Path]:
    """Write ``info.json`` + ``config.json`` with ``n_endpoints`` endpoints built from ``sources``."""
    templates: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    components: list[dict[str, Any]] = []
    base_config: dict[str, Any] | None = None
    for k, src in enumerate(sources):
        info = json.loads((src / "info.json").read_text())
        config = json.loads((src / "config.json").read_text())
        base_config = base_config or config
        offset = k * ID_STRIDE
        for comp in config["components"]:
            comp = copy.deepcopy(comp)
            comp["id"] += offset
            components.append(comp)
        deps = {
            f"/{d['api_name']}": d
            for d in config["dependencies"]
            if isinstance(d.get("api_name"), str)
        }
        for name, endpoint in info["named_endpoints"].items():
            dep = deps.get(name)
            if dep is None or endpoint.get("api_visibility", "public") != "public":
                continue
            dep = copy.deepcopy(dep)
            dep["inputs"] = [i + offset for i in dep["inputs"]]
            dep["outputs"] = [o + offset for o in dep["outputs"]]
            dep["targets"] = []
            templates.append((name, endpoint, dep))
    if not templates or base_config is None:
        raise SystemExit("no fixture endpoints found to build the synthetic schema from")
    named: dict[str, Any] = {}
    dependencies = []
    for i in range(n_endpoints):
        name, endpoint, dep = templates[i % len(templates)]
        api_name = f"{name.lstrip('/')}_{i}"
        endpoint = copy.deepcopy(endpoint)
        endpoint.pop("code_snippets", None)
        named[f"/{api_name}"] = endpoint
        dep = copy.deepcopy(dep)
        dep.update(id=i, api_name=api_name)
        dependencies.append(dep)
    config = {
        k: base_config[k]
        for k in (
            "version",
            "api_prefix",
            "mode",
            "protocol",
            "max_file_size",
            "enable_queue",
            "root",
        )
        if k in base_config
    }
    config.update(components=components, dependencies=dependencies, root="http://127.0.0.1:7860")
    out.mkdir(parents=True, exist_ok=True)
    info_path, config_path = out / "info.json", out / "config.json"
    info_path.write_text(json.dumps({"named_endpoints": named, "unnamed_endpoints": {}}))
    config_path.write_text(json.dumps(config))
    return info_path, config_path


def generate(info: Path, config: Path, out: Path) -> tuple[float, str]:
    """Run the CLI once; returns (whole-process seconds, "" or the error)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(CLI), str(info), "--config", str(config), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0 or not out.exists():
        lines = (proc.stderr or proc.stdout or "no output").strip().splitlines()
        return seconds, (lines[-1] if lines else f"exit code {proc.returncode}")[:200]
    return seconds, ""


IN_PROCESS_SNIPPET = """
import json, statistics, sys, time
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.sources import load

pairs, runs = json.loads(sys.argv[1]), int(sys.argv[2])
medians = []
for info, config in pairs:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        diagnostics = Diagnostics()
        generate(load(info, diagnostics=diagnostics, config_path=config), diagnostics=diagnostics)
        times.append(time.perf_counter() - t0)
    medians.append(statistics.median(times))
print(json.dumps(medians))
"""


def in_process_seconds(pairs: list[tuple[Path, Path]], runs: int) -> list[float] | str:
    """Median seconds per schema to read, build, render and format it inside one warm process
    (no interpreter start-up or imports); or why that could not be measured."""
    arg = json.dumps([[str(i), str(c)] for i, c in pairs])
    proc = subprocess.run(
        [str(DEV_PYTHON), "-c", IN_PROCESS_SNIPPET, arg, str(runs)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]
    return [float(x) for x in json.loads(proc.stdout.strip().splitlines()[-1])]


IMPORT_SNIPPET = """
import sys, time
sys.path.insert(0, {folder!r})
t0 = time.perf_counter()
import {module}
print(time.perf_counter() - t0)
"""


def import_seconds(module: str, folder: Path) -> float:
    """Import ``module`` in a fresh process; the time of that import statement alone."""
    code = IMPORT_SNIPPET.format(folder=str(folder), module=module)
    proc = subprocess.run(
        [str(DEV_PYTHON), "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["import failed"])[-1])
    return float(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--json", type=Path)
    p.add_argument("--endpoints", type=int, default=300)
    p.add_argument("--runs", type=int, default=3, help="generations of the synthetic schema")
    p.add_argument("--import-runs", type=int, default=7)
    p.add_argument("--fixtures", type=Path, default=FIXTURES)
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    n_endpoints, runs, import_runs = (
        (20, 1, 1) if opts.smoke else (opts.endpoints, opts.runs, opts.import_runs)
    )
    if not CLI.exists():
        emit("6. Generation", f"n/a: {CLI} is not installed", "", opts, {})
        return 0
    fixtures = fixture_dirs(opts.fixtures)
    if opts.smoke:
        fixtures = fixtures[:2]
    tmp = Path(tempfile.mkdtemp(prefix="gradio-codegen-bench-gen-"))
    data: dict[str, Any] = {}
    rows: list[list[str]] = []
    notes: list[str] = []
    try:
        g6 = [d for d in fixture_dirs(opts.fixtures) if d.parent.name == "gradio6"]
        info, config = synthetic_schema(n_endpoints, g6, tmp / "synthetic")
        synth_out = tmp / "out" / "synthetic_sdk.py"
        synth_out.parent.mkdir()
        times: list[float] = []
        errors: list[str] = []
        for _ in range(runs):
            seconds, error = generate(info, config, synth_out)
            if error:
                errors.append(error)
            else:
                times.append(seconds)
        median_synth = statistics.median(times) if times else None
        size = f"{len(synth_out.read_text().splitlines())} lines" if synth_out.exists() else "n/a"
        if errors:
            notes.append(f"synthetic schema failed: {errors[0]}")

        fixture_times: list[float] = []
        fixture_pairs: list[tuple[Path, Path]] = []
        largest: tuple[int, Path] | None = None
        for i, d in enumerate(fixtures):
            out = tmp / "out" / f"fixture_{i}.py"
            seconds, error = generate(d / "info.json", d / "config.json", out)
            if error:
                notes.append(f"{d.parent.name}/{d.name} failed: {error}")
                continue
            fixture_times.append(seconds)
            fixture_pairs.append((d / "info.json", d / "config.json"))
            size_bytes = out.stat().st_size
            if largest is None or size_bytes > largest[0]:
                largest = (size_bytes, out)

        # the big schema once (it is the slow one), every fixture ``runs`` times
        warm_synth, warm_fixtures = None, []
        warm = in_process_seconds([(info, config)], 1)
        warm_small = in_process_seconds(fixture_pairs, runs) if fixture_pairs else []
        for result in (warm, warm_small):
            if isinstance(result, str):
                notes.append(f"in-process timing failed: {result}")
        if not isinstance(warm, str):
            warm_synth = warm[0]
        if not isinstance(warm_small, str):
            warm_fixtures = warm_small
        rows.append(
            [
                f"synthetic, {n_endpoints} endpoints",
                fmt(median_synth, "s"),
                fmt(warm_synth, "s"),
                size,
                f"{len(times)}/{runs}",
            ]
        )
        rows.append(
            [
                f"each of {len(fixtures)} fixture schemas (median)",
                fmt(statistics.median(fixture_times) if fixture_times else None, "s"),
                fmt(statistics.median(warm_fixtures) if warm_fixtures else None, "s"),
                f"max {max(fixture_times):.3f} s" if fixture_times else "n/a",
                f"{len(fixture_times)}/{len(fixtures)}",
            ]
        )
        rows.append(
            [
                f"all {len(fixtures)} fixture schemas (total)",
                f"{sum(fixture_times):.1f} s",
                f"{sum(warm_fixtures):.1f} s" if warm_fixtures else "n/a",
                "",
                "",
            ]
        )
        data["generate"] = {"synthetic": times, "fixtures": fixture_times}
        data["summary"] = [
            summary_row(
                "6. generation",
                f"generate {n_endpoints}-endpoint SDK (CLI process / in process)",
                f"{fmt(median_synth, 's')} / {fmt(warm_synth, 's')}",
                None,
                None,
                None,
            )
        ]

        import_rows = []
        baseline = [import_seconds("gradio_codegen.runtime", tmp) for _ in range(import_runs)]
        import_rows.append(["gradio_codegen.runtime alone", fmt(statistics.median(baseline), "ms")])
        candidates = (
            [(f"synthetic {n_endpoints}-endpoint SDK", synth_out)] if synth_out.exists() else []
        )
        if largest is not None:
            candidates.append(
                (f"largest fixture SDK ({largest[1].stat().st_size // 1024} KiB)", largest[1])
            )
        for label, path in candidates:
            try:
                values = [import_seconds(path.stem, path.parent) for _ in range(import_runs)]
            except RuntimeError as e:
                notes.append(f"importing {label} failed: {e}")
                continue
            shown = fmt(statistics.median(values), "ms")
            import_rows.append([f"{label} (runtime included)", shown])
            data["summary"].append(
                summary_row("6. generation", f"import {label}", shown, None, None, None)
            )
            data[f"import {label}"] = values
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    body = table(
        ["schema", "generate: CLI process", "generate: in process", "size / spread", "ok"], rows
    )
    body += "\n\n" + table(
        ["module", f"import time (median of {import_runs} fresh processes)"], import_rows
    )
    body += (
        '\n\n"CLI process": the whole `gradio-codegen INFO --config CONFIG -o OUT` process'
        ' (interpreter start-up and imports included). "in process": read + build + render +'
        f" black in one warm process (the synthetic schema once, each fixture median of {runs})."
        " Import times: median of"
        f" {import_runs} fresh processes, the import statement alone."
    )
    emit("6. Generation", body, "\n".join(notes), opts, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
