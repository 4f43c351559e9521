"""Scenario 6: generation at any scale. Time (the whole ``gradio-codegen`` process), peak RSS and
output size for the schemas that used to make generation slow or the module huge, for every
fixture schema, and the import time of the largest generated modules.

Cases, all derived from the captured Gradio 6 fixture schemas (``tests/fixtures/schemas``):

* **many endpoints**: the endpoints of every Gradio 6 fixture app repeated under new names up to
  300 and 3,000 (``--huge`` adds 10,000), with a matching ``/config`` so fn_index and streaming are
  known, as when generating from a live app;
* **large defaults**: a leaderboard app, 5 endpoints whose ``gr.Dataframe`` input (the
  ``/dataframe`` endpoint of ``all_components``) defaults to the same 2,000 x 12 table, in
  ``/info`` and in the components' ``/config`` values;
* **many choices**: the ``/dropdowns`` endpoint of ``all_components`` with 50,000 choices in its
  first Dropdown (input and output, schema and ``/config``).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import DEV_PYTHON, emit, fmt, stop_cleanly_on_signals, summary_row, table

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "schemas"
CLI = DEV_PYTHON.parent / "gradio-codegen"
ID_STRIDE = 100_000  # component ids of the n-th source app are offset by n * ID_STRIDE
CONFIG_KEYS = ("version", "api_prefix", "mode", "protocol", "max_file_size", "enable_queue", "root")

# The goals of issue #13, per case (seconds for the whole CLI process; bytes of output).
GOALS: dict[str, tuple[float, int | None]] = {
    "synthetic, 300 endpoints": (2.0, None),
    "synthetic, 3000 endpoints": (20.0, None),
    "leaderboard, 5 x 2000x12 table defaults": (3.0, 1_500_000),
    "dropdown with 50000 choices": (3.0, None),
}


def fixture_dirs(root: Path) -> list[Path]:
    return sorted(d for d in root.glob("gradio[0-9]/*") if (d / "info.json").exists())


def _write(out: Path, info: dict[str, Any], config: dict[str, Any]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    info_path, config_path = out / "info.json", out / "config.json"
    info_path.write_text(json.dumps(info))
    config_path.write_text(json.dumps(config))
    return info_path, config_path


def _base_config(config: dict[str, Any]) -> dict[str, Any]:
    base = {k: config[k] for k in CONFIG_KEYS if k in config}
    base["root"] = "http://127.0.0.1:7860"
    return base


def synthetic_schema(n_endpoints: int, sources: list[Path], out: Path) -> tuple[Path, Path]:
    """``info.json`` + ``config.json`` with ``n_endpoints`` endpoints built from ``sources``."""
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
    config = _base_config(base_config)
    config.update(components=components, dependencies=dependencies)
    return _write(out, {"named_endpoints": named, "unnamed_endpoints": {}}, config)


def _endpoint_parts(
    app: Path, api_name: str
) -> tuple[dict[str, Any], dict[str, Any], dict[int, dict[str, Any]], dict[str, Any]]:
    info = json.loads((app / "info.json").read_text())
    config = json.loads((app / "config.json").read_text())
    endpoint = copy.deepcopy(info["named_endpoints"][f"/{api_name}"])
    endpoint.pop("code_snippets", None)
    dep = next(d for d in config["dependencies"] if d.get("api_name") == api_name)
    components = {c["id"]: c for c in config["components"]}
    return endpoint, copy.deepcopy(dep), components, config


def leaderboard_schema(
    out: Path, *, rows: int = 2000, columns: int = 12, endpoints: int = 5
) -> tuple[Path, Path]:
    """A leaderboard app: ``endpoints`` endpoints whose Dataframe input defaults to one table."""
    app = FIXTURES / "gradio6" / "all_components"
    endpoint, dep, components, config = _endpoint_parts(app, "dataframe")
    rnd = random.Random(13)
    headers = ["model"] + [f"score_{i}" for i in range(columns - 1)]
    data = [
        [f"org-{rnd.randrange(10**6)}/model-{r}"]
        + [round(rnd.random() * 100, 2) for _ in range(columns - 1)]
        for r in range(rows)
    ]
    table_value = {"headers": headers, "data": data, "metadata": None}
    named: dict[str, Any] = {}
    dependencies, new_components = [], []
    names = ["refresh", "filter_models", "search", "select_columns", "export"]
    for i in range(endpoints):
        name = names[i] if i < len(names) else f"view_{i}"
        this = copy.deepcopy(endpoint)
        this["parameters"][0]["parameter_default"] = table_value
        named[f"/{name}"] = this
        source_in = copy.deepcopy(components[dep["inputs"][0]])
        source_out = copy.deepcopy(components[dep["outputs"][0]])
        source_in.update(id=1000 + 2 * i)
        source_in["props"]["value"] = table_value
        source_out.update(id=1001 + 2 * i)
        new_components += [source_in, source_out]
        this_dep = copy.deepcopy(dep)
        this_dep.update(id=i, api_name=name, inputs=[1000 + 2 * i], outputs=[1001 + 2 * i])
        this_dep["targets"] = []
        dependencies.append(this_dep)
    base = _base_config(config)
    base.update(components=new_components, dependencies=dependencies)
    return _write(out, {"named_endpoints": named, "unnamed_endpoints": {}}, base)


def many_choices_schema(out: Path, *, n: int = 50_000) -> tuple[Path, Path]:
    """The all_components ``/dropdowns`` endpoint with ``n`` choices in its first Dropdown."""
    app = FIXTURES / "gradio6" / "all_components"
    endpoint, dep, components, config = _endpoint_parts(app, "dropdowns")
    choices = [f"item-{i:05d}" for i in range(n)]
    endpoint["parameters"][0]["type"]["enum"] = choices
    endpoint["parameters"][0]["parameter_default"] = choices[0]
    endpoint["returns"][0]["type"]["enum"] = choices
    used = [copy.deepcopy(components[c]) for c in dep["inputs"] + dep["outputs"]]
    for comp in used:
        if comp["id"] in (dep["inputs"][0], dep["outputs"][0]):
            comp["props"]["choices"] = [[c, c] for c in choices]
    dep.update(id=0, targets=[])
    base = _base_config(config)
    base.update(components=used, dependencies=[dep])
    return _write(out, {"named_endpoints": {"/dropdowns": endpoint}, "unnamed_endpoints": {}}, base)


def generate(info: Path, config: Path, out: Path) -> dict[str, Any]:
    """Run the CLI once: whole-process seconds, peak RSS (MiB), output size; or the error."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(CLI), str(info), "--config", str(config), "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, stderr = proc.communicate(timeout=1800)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": "timed out after 1800 s"}
    seconds = time.perf_counter() - start
    peak = _peak_rss_mib()
    if proc.returncode != 0 or not out.exists():
        lines = (stderr or "no output").strip().splitlines()
        return {"error": (lines[-1] if lines else f"exit code {proc.returncode}")[:200]}
    text = out.read_text()
    return {
        "seconds": seconds,
        "peak_mib": peak,
        "bytes": len(text.encode()),
        "lines": text.count("\n"),
    }


def _peak_rss_mib() -> float:
    """Peak RSS of the largest child waited for so far (RUSAGE_CHILDREN), in MiB: run from a
    helper process with a single child, that child's own peak."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


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
    """Median seconds per schema to read, build and render it inside one warm process
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
        timeout=300,
        cwd=tempfile.gettempdir(),
    )
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["import failed"])[-1])
    return float(proc.stdout.strip().splitlines()[-1])


def measure(info: Path, config: Path, out: Path, runs: int) -> dict[str, Any]:
    """``runs`` fresh CLI processes; median time, the largest peak RSS, the output's size.

    Each run is its own child of a fresh helper process, so RUSAGE_CHILDREN is that run's peak."""
    results: list[dict[str, Any]] = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(info), str(config), str(out)],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            results.append({"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:200]})
            continue
        results.append(json.loads(lines[-1]))
    ok = [r for r in results if "error" not in r]
    if not ok:
        return {"error": results[0]["error"], "runs": len(results), "ok": 0}
    return {
        "seconds": statistics.median(r["seconds"] for r in ok),
        "all_seconds": [r["seconds"] for r in ok],
        "peak_mib": max(r["peak_mib"] for r in ok),
        "bytes": ok[0]["bytes"],
        "lines": ok[0]["lines"],
        "runs": len(results),
        "ok": len(ok),
        "errors": [r["error"] for r in results if "error" in r],
    }


def _row(label: str, m: dict[str, Any]) -> list[str]:
    goal_seconds, goal_bytes = GOALS.get(label, (None, None))
    if "error" in m and "seconds" not in m:
        return [label, "failed", "", "", "", goal_text(goal_seconds, goal_bytes), "no"]
    met = None
    if goal_seconds is not None:
        met = m["seconds"] <= goal_seconds and (goal_bytes is None or m["bytes"] <= goal_bytes)
    return [
        label,
        fmt(m["seconds"], "s"),
        f"{m['peak_mib']:.0f} MiB",
        f"{m['bytes'] / 1_000_000:.2f} MB",
        f"{m['lines']} lines",
        goal_text(goal_seconds, goal_bytes),
        "" if met is None else ("yes" if met else "no"),
    ]


def goal_text(seconds: float | None, size: int | None) -> str:
    if seconds is None:
        return ""
    text = f"<= {seconds:g} s"
    return text + (f", <= {size / 1_000_000:g} MB" if size else "")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--json", type=Path)
    p.add_argument("--runs", type=int, default=3, help="CLI runs per large case (median)")
    p.add_argument("--import-runs", type=int, default=7)
    p.add_argument("--huge", action="store_true", help="also 10,000 endpoints (minutes)")
    p.add_argument("--fixtures", type=Path, default=FIXTURES)
    p.add_argument("--one", nargs=3, metavar=("INFO", "CONFIG", "OUT"), help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.one:  # one measured run, in its own process (see measure)
        print(json.dumps(generate(*(Path(x) for x in opts.one))))
        return 0
    stop_cleanly_on_signals()
    runs, import_runs = (1, 1) if opts.smoke else (opts.runs, opts.import_runs)
    if not CLI.exists():
        emit("6. Generation", f"n/a: {CLI} is not installed", "", opts, {})
        return 0
    fixtures = fixture_dirs(opts.fixtures)
    if opts.smoke:
        fixtures = fixtures[:2]
    tmp = Path(tempfile.mkdtemp(prefix="gradio-codegen-bench-gen-"))
    data: dict[str, Any] = {"cases": {}, "summary": []}
    rows: list[list[str]] = []
    notes: list[str] = []
    outputs: dict[str, Path] = {}
    try:
        g6 = [d for d in fixture_dirs(opts.fixtures) if d.parent.name == "gradio6"]
        sizes = [20] if opts.smoke else [300, 3000] + ([10_000] if opts.huge else [])
        cases: list[tuple[str, tuple[Path, Path]]] = [
            (f"synthetic, {n} endpoints", synthetic_schema(n, g6, tmp / f"synthetic{n}"))
            for n in sizes
        ]
        if opts.smoke:
            cases.append(
                ("leaderboard, small", leaderboard_schema(tmp / "board", rows=20, endpoints=2))
            )
            cases.append(("dropdown, small", many_choices_schema(tmp / "choices", n=500)))
        else:
            cases.append(
                ("leaderboard, 5 x 2000x12 table defaults", leaderboard_schema(tmp / "board"))
            )
            cases.append(("dropdown with 50000 choices", many_choices_schema(tmp / "choices")))
        (tmp / "out").mkdir()
        for i, (label, (info, config)) in enumerate(cases):
            out = tmp / "out" / f"case_{i}.py"
            m = measure(info, config, out, 1 if "10000" in label else runs)
            data["cases"][label] = m
            rows.append(_row(label, m))
            if m.get("errors"):
                notes.append(f"{label}: {m['errors'][0]}")
            if out.exists():
                outputs[label] = out
            goal_seconds, _ = GOALS.get(label, (None, None))
            if "seconds" in m:
                met = _row(label, m)[-1]
                data["summary"].append(
                    summary_row(
                        "6. generation",
                        f"{label} (CLI process)",
                        f"{fmt(m['seconds'], 's')}, {m['bytes'] / 1_000_000:.2f} MB",
                        None,
                        None,
                        None,
                        goal_text(goal_seconds, GOALS.get(label, (None, None))[1]),
                        None if not met else met == "yes",
                    )
                )

        fixture_runs = []
        fixture_pairs = []
        for i, d in enumerate(fixtures):
            m = measure(d / "info.json", d / "config.json", tmp / "out" / f"fixture_{i}.py", 1)
            if "seconds" not in m:
                notes.append(f"{d.parent.name}/{d.name} failed: {m['error']}")
                continue
            fixture_runs.append(m)
            fixture_pairs.append((d / "info.json", d / "config.json"))
        if fixture_runs:
            largest = max(fixture_runs, key=lambda m: m["bytes"])
            rows.append(
                [
                    f"each of {len(fixtures)} fixture schemas (median)",
                    fmt(statistics.median(m["seconds"] for m in fixture_runs), "s"),
                    f"{max(m['peak_mib'] for m in fixture_runs):.0f} MiB (max)",
                    f"{largest['bytes'] / 1_000_000:.2f} MB (max)",
                    f"{largest['lines']} lines (max)",
                    "",
                    "",
                ]
            )
            data["fixtures"] = fixture_runs
        warm = in_process_seconds([cases[0][1]], runs)
        if isinstance(warm, str):
            notes.append(f"in-process timing failed: {warm}")
        else:
            data["in_process_synthetic"] = warm[0]
            notes.append(
                f"In one warm process (no interpreter start-up or imports), {cases[0][0]}: "
                f"{fmt(warm[0], 's')} (median of {runs})."
            )

        import_rows = []
        baseline = [import_seconds("gradio_codegen.runtime", tmp) for _ in range(import_runs)]
        import_rows.append(["gradio_codegen.runtime alone", fmt(statistics.median(baseline), "ms")])
        for label, path in outputs.items():
            if "3000" in label or "10000" in label:
                continue
            try:
                values = [import_seconds(path.stem, path.parent) for _ in range(import_runs)]
            except RuntimeError as e:
                notes.append(f"importing {label} failed: {e}")
                continue
            shown = fmt(statistics.median(values), "ms")
            import_rows.append([f"{label} (runtime included)", shown])
            data[f"import {label}"] = values
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    body = table(
        ["schema", "generate (CLI process)", "peak RSS", "output", "lines", "goal", "met"], rows
    )
    body += "\n\n" + table(
        ["module", f"import time (median of {import_runs} fresh processes)"], import_rows
    )
    body += (
        '\n\n"CLI process": the whole `gradio-codegen INFO --config CONFIG -o OUT` process'
        " (interpreter start-up and imports included), median of"
        f" {runs} runs for the large cases, one per fixture; peak RSS is that process's own"
        " (`ru_maxrss`). Import times: median of"
        f" {import_runs} fresh processes, the import statement alone."
    )
    emit("6. Generation", body, "\n".join(notes), opts, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
