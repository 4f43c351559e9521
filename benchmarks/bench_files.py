"""Scenario 5: moving a big file through each client -- peak memory and wall time.

    .venvs/dev/bin/python benchmarks/bench_files.py            # 1 GiB each way
    .venvs/dev/bin/python benchmarks/bench_files.py --quick    # 20 MiB (what CI runs; --smoke too)

Starts ``tests/apps/file_echo`` on Gradio 6 (127.0.0.1), generates our SDK for it, then runs each
client in a fresh process per scenario:

* ``upload``: send the file to ``/digest``, which hashes what arrived (checked against ours);
* ``download``: ``/make_file`` writes a file of that size on the server; the client downloads it
  (its sha256 is checked afterwards, outside the timing);
* ``idle``: a 1-byte upload, for each client's baseline memory (interpreter, imports, connection).

Peak RSS is the child's own ``ru_maxrss`` from ``os.wait4``; wall time is measured inside the worker
around the call alone (client construction excluded). Target: ours < 100 MiB peak.

The same file is also the worker (``--worker sdk|gradio_client``); the gradio_client worker runs
under ``.venvs/g6/bin/python`` and imports only the standard library besides gradio_client.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
FULL_SIZE, QUICK_SIZE = 1024 * MIB, 20 * MIB
WORKER_TIMEOUT = 1800.0


# -- worker side (runs in the client's own process) ---------------------------------------------


def _worker(opts: argparse.Namespace) -> None:
    out = Path(opts.out)
    if opts.worker == "gradio_client":
        from gradio_client import Client, handle_file

        client: Any = Client(opts.url, verbose=False, download_files=str(out))

        def upload(path: str) -> str:
            return str(client.predict(handle_file(path), api_name="/digest"))

        def download(size: int) -> tuple[str, str]:
            made, sha = client.predict(size, api_name="/make_file")
            return str(made), str(sha)

    else:
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_files_sdk", opts.sdk)
        assert spec is not None and spec.loader is not None
        sdk = importlib.util.module_from_spec(spec)
        sys.modules["bench_files_sdk"] = sdk
        spec.loader.exec_module(sdk)
        client = sdk.Client(opts.url, download_dir=out, timeout=None)

        def upload(path: str) -> str:
            return str(client.digest(path))

        def download(size: int) -> tuple[str, str]:
            made, sha = client.make_file(size)
            return os.fspath(made), str(sha)

    start = time.perf_counter()
    if opts.scenario == "download":
        path, sha = download(opts.size)
        result: dict[str, Any] = {"path": path, "sha": sha}
    else:
        result = {"digest": upload(opts.file)}
    result["wall"] = time.perf_counter() - start
    print("RESULT " + json.dumps(result), flush=True)


# -- orchestrator side (dev environment) --------------------------------------------------------


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MIB):
            sha.update(chunk)
    return sha.hexdigest()


def _make_source(folder: Path, size: int) -> tuple[Path, str]:
    path = folder / "payload.bin"
    sha = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left > 0:
            block = os.urandom(min(MIB, left))
            f.write(block)
            sha.update(block)
            left -= len(block)
    return path, sha.hexdigest()


def _run_worker(python: Path, args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run one worker; return its RESULT and its peak RSS in MiB (from ``os.wait4``)."""
    proc = subprocess.Popen(
        [str(python), __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    timer = threading.Timer(WORKER_TIMEOUT, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        err_lines: list[bytes] = []
        reader = threading.Thread(target=lambda: err_lines.extend(proc.stderr.readlines()))  # type: ignore[union-attr]
        reader.start()
        stdout = proc.stdout.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
    finally:
        timer.cancel()
    peak_mib = usage.ru_maxrss / 1024  # KiB on Linux
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:]), peak_mib
    tail = b"".join(err_lines).decode(errors="replace").strip().splitlines()[-1:] or [
        f"exit {proc.returncode}"
    ]
    raise RuntimeError(tail[0][:300])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--quick", "--smoke", action="store_true", help=f"{QUICK_SIZE // MIB} MiB instead of 1 GiB"
    )
    p.add_argument("--size-mib", type=int, help="file size in MiB (overrides --quick)")
    p.add_argument(
        "--url", help="use this running file_echo app (Gradio 6) instead of starting one"
    )
    p.add_argument("--clients", default="sdk,gradio_client")
    p.add_argument(
        "--runs", type=int, default=1, help="runs per client and scenario (medians shown)"
    )
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--scenario", help=argparse.SUPPRESS)
    p.add_argument("--sdk", help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    opts = p.parse_args(argv)
    if opts.worker:
        _worker(opts)
        return 0

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import LABELS, _env, emit, fmt, generate_sdk, machine, python_for, ratio, table
    from servers import start_server

    size = opts.size_mib * MIB if opts.size_mib else (QUICK_SIZE if opts.quick else FULL_SIZE)
    clients = [c.strip() for c in opts.clients.split(",") if c.strip()]
    work = Path(tempfile.mkdtemp(prefix="gradio-codegen-bench-files-"))
    server = None
    results: dict[str, dict[str, dict[str, list[float]]]] = {c: {} for c in clients}
    errors: list[str] = []
    try:
        if opts.url:
            url = opts.url.rstrip("/")
        else:
            server = start_server("file_echo", "6")
            url = server.url
        sdk = work / "file_echo_sdk.py"
        problem = generate_sdk(url, sdk) if "sdk" in clients else ""
        if problem:
            errors.append(f"{LABELS['sdk']}: {problem}")
            clients.remove("sdk")
        source, source_sha = _make_source(work, size)
        tiny = work / "tiny.bin"
        tiny.write_bytes(b"x")
        env = _env()
        for scenario, run in [
            (s, r) for s in ("idle", "upload", "download") for r in range(opts.runs)
        ]:
            for client in clients[run % len(clients) :] + clients[: run % len(clients)]:
                out = work / f"out-{client}-{scenario}"
                out.mkdir()
                args = [
                    "--worker",
                    client,
                    "--scenario",
                    scenario,
                    "--url",
                    url,
                    "--out",
                    str(out),
                    "--file",
                    str(tiny if scenario == "idle" else source),
                    "--size",
                    str(size),
                    "--sdk",
                    str(sdk),
                ]
                try:
                    result, peak = _run_worker(python_for(client), args, env)
                except RuntimeError as e:
                    errors.append(f"{LABELS[client]} {scenario}: {e}")
                    continue
                if scenario == "upload" and not result["digest"].endswith(f"|{size}|{source_sha}"):
                    errors.append(f"{LABELS[client]} upload: server saw {result['digest']!r}")
                if scenario == "download":
                    got = Path(result["path"])
                    if not got.is_file() or _sha256(got) != result["sha"]:
                        errors.append(f"{LABELS[client]} download: file differs from the server's")
                runs = results[client].setdefault(scenario, {"peak_mib": [], "wall": []})
                runs["peak_mib"].append(peak)
                runs["wall"].append(result["wall"])
                shutil.rmtree(out, ignore_errors=True)
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.workdir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

    def cell(client: str, scenario: str, key: str) -> float | None:
        values = results.get(client, {}).get(scenario, {}).get(key)
        return float(statistics.median(values)) if values else None

    rows = []
    for scenario in ("upload", "download", "idle"):
        for client in results:
            peak, wall = cell(client, scenario, "peak_mib"), cell(client, scenario, "wall")
            idle = cell(client, "idle", "peak_mib")
            rows.append(
                [
                    scenario,
                    LABELS[client],
                    "n/a" if peak is None else f"{peak:.0f} MiB",
                    (
                        "n/a"
                        if peak is None or idle is None or scenario == "idle"
                        else f"{peak - idle:+.0f} MiB"
                    ),
                    fmt(wall, "s") if scenario != "idle" else "-",
                ]
            )
    body = table(["scenario", "client", "peak RSS", "over idle", "wall"], rows)
    body += "\n\n" + table(
        ["ours / gradio_client", "peak RSS", "wall"],
        [
            [
                s,
                ratio(cell("sdk", s, "peak_mib"), cell("gradio_client", s, "peak_mib")),
                ratio(cell("sdk", s, "wall"), cell("gradio_client", s, "wall")),
            ]
            for s in ("upload", "download")
        ],
    )
    body += (
        f"\n\nFile size {size / MIB:.0f} MiB; each run is a fresh process per client and scenario"
        f" (medians of {opts.runs} run(s), clients interleaved); peak RSS of"
        ' the whole client process (os.wait4), wall time of the call alone. "over idle" subtracts'
        " the same client's peak for a 1-byte upload. Target: ours < 100 MiB peak."
        f"\nMachine: {machine()}."
    )
    emit(f"5. Files: {size / MIB:.0f} MiB up and down", body, "\n".join(errors), opts, results)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
