"""Scenario 7: install footprint. What an application pays, on disk and at import, to call a Gradio
app through each client, every install in a fresh virtualenv of the same Python:

* ``gradio_client``: the latest release on the package index;
* ``gradio-codegen-runtime``: what an application that uses a generated SDK installs (the wheel
  built from this checkout), alone and with its ``spaces`` extra;
* ``gradio-codegen``: the generator (wheel from this checkout, with its runtime), for reference.

For each: the distributions in the venv (as ``pip list`` shows them, the venv's own pip and
setuptools included) and the apparent size of site-packages in MB (10^6 bytes; every file,
including the bytecode pip compiles at install), the same minus a fresh venv's, and what one
``import`` of the client (``gradio_client`` / ``gradio_codegen.runtime``) takes and loads: how
many modules, and which of the heavy libraries that have nothing to do with calling an app.
Target: the runtime as an application installs it by default (no extra) installs no more packages
and no more MB than gradio_client; the extra is reported beside it.

    .venvs/dev/bin/python benchmarks/bench_footprint.py           # a few minutes
    .venvs/dev/bin/python benchmarks/bench_footprint.py --smoke   # runtime and gradio_client only

Dependencies come from the package index (pip's cache makes reruns quick); the wheels are built
from a copy of the checkout, so nothing is written into the working tree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import ROOT, emit, fmt, ratio, stop_cleanly_on_signals, summary_row, table

INSTALL_TIMEOUT = 900.0
#: Libraries an application calling a Gradio app has no use for; httpx imports click (and pygments,
#: and rich) for its own command line whenever they are installed.
HEAVY = ("black", "jinja2", "pydantic", "click", "pygments", "rich", "huggingface_hub", "gradio")


@dataclass(frozen=True)
class Install:
    """One row: a fresh venv with ``requirements`` installed, then ``module`` imported."""

    key: str
    label: str
    requirements: tuple[str, ...]
    module: str
    ours: bool


# Runs in each venv: its distributions, the size of its site-packages, what importing loads.
PROBE = """
import sys, time
loaded, seconds = None, None
if len(sys.argv) > 1:  # first, so nothing the measuring itself imports is counted as loaded
    before = set(sys.modules)
    start = time.perf_counter()
    __import__(sys.argv[1])
    seconds = time.perf_counter() - start
    loaded = sorted(set(sys.modules) - before)
import importlib.metadata, json, os, sysconfig
site = sysconfig.get_paths()["purelib"]
size = sum(os.lstat(os.path.join(d, f)).st_size for d, _, fs in os.walk(site) for f in fs)
dists = {d.metadata["Name"].lower().replace("_", "-"): d.version
         for d in importlib.metadata.distributions()}
print("RESULT " + json.dumps({"dists": dists, "bytes": size, "loaded": loaded, "seconds": seconds}))
"""
IMPORT_RUNS = 9
#: Rows in run_all's summary; the target is the runtime's as an application installs it by default.
TARGETED = ("runtime", "runtime_spaces")


def run(cmd: list[str | Path], cwd: Path, timeout: float = INSTALL_TIMEOUT) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # pip compiles bytecode at install as for any user; this must not turn it off for one side.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    try:
        proc = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{Path(str(cmd[0])).name} timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} ... failed: {' / '.join(tail)[:400]}")
    return proc.stdout


def probe(python: Path, module: str | None, cwd: Path) -> dict[str, Any]:
    out = run([python, "-P", "-c", PROBE, *([module] if module else [])], cwd, timeout=120)
    line = next(x for x in reversed(out.splitlines()) if x.startswith("RESULT "))
    return json.loads(line[7:])  # type: ignore[no-any-return]


def new_venv(path: Path, base_python: str) -> Path:
    run([base_python, "-m", "venv", path], path.parent, timeout=300)
    return path / "bin" / "python"


def build_wheels(tmp: Path) -> dict[str, Path]:
    """Wheels of both distributions, built from a copy of the checkout."""
    source = tmp / "source"
    keep = ("pyproject.toml", "README.md", "codegen", "runtime", "templates")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    source.mkdir()
    for name in keep:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=skip)
        else:
            shutil.copy2(src, source / name)
    wheels: dict[str, Path] = {}
    for key, project in (("runtime", source / "runtime"), ("generator", source)):
        out = tmp / f"wheel-{key}"
        run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", out, project], tmp)
        (wheels[key],) = out.glob("*.whl")
    return wheels


def installs(wheels: dict[str, Path], smoke: bool) -> list[Install]:
    runtime, generator = str(wheels["runtime"]), str(wheels["generator"])
    rows = [
        Install("gradio_client", "gradio_client", ("gradio_client",), "gradio_client", False),
        Install("runtime", "gradio-codegen-runtime", (runtime,), "gradio_codegen.runtime", True),
    ]
    if not smoke:
        rows += [
            Install(
                "runtime_spaces",
                "gradio-codegen-runtime[spaces]",
                (f"{runtime}[spaces]",),
                "gradio_codegen.runtime",
                True,
            ),
            Install(
                "generator",
                "gradio-codegen (generator)",
                (generator, runtime),
                "gradio_codegen.runtime",
                True,
            ),
        ]
    return rows


def set_up(install: Install, tmp: Path, base_python: str) -> Path:
    """A fresh venv with the install's requirements; returns its Python."""
    python = new_venv(tmp / f"venv-{install.key}", base_python)
    run([python, "-m", "pip", "install", *install.requirements], tmp)
    probe(python, install.module, tmp)  # uncounted: brings the files into the page cache
    return python


def import_runs(pythons: dict[Install, Path], tmp: Path, runs: int) -> dict[Install, list[Any]]:
    """``runs`` fresh-process probes per install, interleaved (order rotated) so noise spreads."""
    got: dict[Install, list[Any]] = {install: [] for install in pythons}
    order = list(pythons)
    for i in range(runs):
        for install in order[i % len(order) :] + order[: i % len(order)]:
            got[install].append(probe(pythons[install], install.module, tmp))
    return got


def summarise(
    install: Install, runs: list[dict[str, Any]], baseline: dict[str, Any]
) -> dict[str, Any]:
    got = runs[0]
    dists: dict[str, str] = got["dists"]
    loaded: list[str] = got["loaded"]
    return {
        "label": install.label,
        "ours": install.ours,
        "packages": len(dists),
        "mb": got["bytes"] / 1e6,
        "added_packages": len(set(dists) - set(baseline["dists"])),
        "added_mb": (got["bytes"] - baseline["bytes"]) / 1e6,
        "import_s": statistics.median(r["seconds"] for r in runs),
        "modules_loaded": len(loaded),
        "heavy_loaded": [m for m in HEAVY if m in loaded],
        "distributions": dists,
    }


def version_of(result: dict[str, Any], dist: str) -> str:
    return str(result["distributions"].get(dist, "?"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="only the runtime alone and gradio_client")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument(
        "--python", default=sys.executable, help="interpreter for the fresh venvs (default: this)"
    )
    opts = p.parse_args(argv)
    stop_cleanly_on_signals()
    tmp = Path(tempfile.mkdtemp(prefix="gradio-codegen-bench-footprint-"))
    results: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    baseline: dict[str, Any] | None = None
    python_version = run(
        [opts.python, "-c", "import platform; print(platform.python_version())"], tmp, 60
    ).strip()
    try:
        wheels = build_wheels(tmp)
        baseline = probe(new_venv(tmp / "venv-empty", opts.python), None, tmp)
        pythons: dict[Install, Path] = {}
        for install in installs(wheels, opts.smoke):
            try:
                pythons[install] = set_up(install, tmp, opts.python)
            except RuntimeError as e:
                notes.append(f"{install.label} failed: {e}")
        for install, runs in import_runs(pythons, tmp, IMPORT_RUNS).items():
            results[install.key] = summarise(install, runs, baseline)
    except RuntimeError as e:
        notes.append(f"could not build the wheels or a fresh venv: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    theirs = results.get("gradio_client")
    rows, summary = [], []
    for key, r in results.items():
        if key == "gradio_client":
            label = f"gradio_client {version_of(r, 'gradio-client')}"
        elif key == "generator":
            label = f"{r['label']} {version_of(r, 'gradio-codegen')}"
        else:
            label = f"{r['label']} {version_of(r, 'gradio-codegen-runtime')}"
        rows.append(
            [
                label,
                str(r["packages"]),
                f"{r['mb']:.1f}",
                str(r["added_packages"]),
                f"{r['added_mb']:.1f}",
                ratio(r["packages"], theirs["packages"]) if theirs and r["ours"] else "",
                ratio(r["mb"], theirs["mb"]) if theirs and r["ours"] else "",
                fmt(r["import_s"], "ms"),
                str(r["modules_loaded"]),
                ", ".join(r["heavy_loaded"]) or "none",
            ]
        )
        if key in TARGETED and theirs:
            for name, shown in (("packages", str(r["packages"])), ("mb", f"{r['mb']:.1f} MB")):
                summary.append(
                    summary_row(
                        f"7. footprint, {r['label']}",
                        "packages installed" if name == "packages" else "site-packages size",
                        shown,
                        r[name],
                        theirs[name],
                        None,
                        "<= gradio_client" if key == "runtime" else "",
                        r[name] <= theirs[name] if key == "runtime" else None,
                    )
                )
    headers = [
        "install (fresh venv)",
        "packages",
        "MB",
        "added packages",
        "added MB",
        "packages / gradio_client",
        "MB / gradio_client",
        "import (median)",
        "modules loaded by import",
        "heavy libraries loaded",
    ]
    body = table(headers, rows) if rows else "n/a: nothing could be measured"
    if baseline is not None:
        body += (
            f"\n\nA fresh venv of Python {python_version} has {len(baseline['dists'])} packages"
            f" ({', '.join(sorted(baseline['dists']))}), {baseline['bytes'] / 1e6:.1f} MB."
            " Sizes are apparent bytes of every file in site-packages (10^6 per MB), bytecode"
            " compiled by pip included. Import: `import gradio_client` or"
            " `import gradio_codegen.runtime` in a fresh process, median of"
            f" {IMPORT_RUNS} per install, interleaved (noisy on a shared machine: compare rows)."
            " Target: `pip install gradio-codegen-runtime` installs at most"
            " gradio_client's packages and MB. The `spaces` extra brings huggingface_hub, which"
            " gradio_client requires too, so with it the runtime gets gradio_client's own"
            " dependencies."
        )
    emit(
        "7. Install footprint (a fresh venv per install)",
        body,
        "\n".join(notes),
        opts,
        {"results": results, "summary": summary},
    )
    return 1 if notes else 0


if __name__ == "__main__":
    sys.exit(main())
