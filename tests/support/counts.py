"""Read what the counting apps (``tests/apps/counted/``) wrote down about their runs.

A fault test asks the server, not the client, how often a function ran: start the app with
``counted_server(major)`` (or ``start_server("counted", major, env=counted_env(path))``), make the
calls, then ``runs(path, "plain", key="k1")`` is how many times ``plain`` started for that key.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servers import APPS, GradioServer, start_server

RUNS_FILE_ENV = "COUNTED_RUNS_FILE"
UNLOAD_APP = APPS / "counted" / "unload_app.py"


@dataclass(frozen=True)
class Run:
    """One line of the runs file."""

    fn: str
    key: str
    what: str  # start, end, yield, closed, error, deleted
    t: float  # the server's time.time()
    detail: dict[str, Any] = field(default_factory=dict)


def counted_env(path: Path) -> dict[str, str]:
    """The environment that makes a counting app write its runs to ``path``."""
    return {RUNS_FILE_ENV: str(path)}


def runs_file(server: GradioServer) -> Path:
    """Where ``server`` (a counting app) writes its runs."""
    return Path(server.env.get(RUNS_FILE_ENV) or server.workdir / "counted_runs.jsonl")


def counted_server(
    major: str, *, unload: bool = False, env: dict[str, str] | None = None
) -> GradioServer:
    """Start the counting app (``unload=True``: the unload/State app) under Gradio ``major``,
    writing its runs into its own working directory."""
    return start_server(UNLOAD_APP if unload else "counted", major, env=env)


def read_runs(path: Path) -> list[Run]:
    """Every run written so far, in order (none if the file does not exist yet)."""
    if not path.exists():
        return []
    out = []
    lines = path.read_text().split("\n")
    for line in lines[:-1]:  # the last piece is "" or a line still being written
        if not line.strip():
            continue
        raw = json.loads(line)
        fn, key, what, t = raw.pop("fn"), raw.pop("key"), raw.pop("what"), raw.pop("t")
        out.append(Run(fn, key, what, t, raw))
    return out


def runs(path: Path, fn: str, *, key: str | None = None, what: str = "start") -> int:
    """How many ``what`` records ``fn`` wrote (for ``key``, if given): by default, how often it
    started."""
    return sum(
        1
        for r in read_runs(path)
        if r.fn == fn and r.what == what and (key is None or r.key == key)
    )


def tally(path: Path) -> dict[str, Counter[str]]:
    """``{fn: Counter(what)}`` over every run: the whole story in one value, for messages."""
    out: dict[str, Counter[str]] = {}
    for r in read_runs(path):
        out.setdefault(r.fn, Counter())[r.what] += 1
    return out


def wait_for_runs(
    path: Path, predicate: Callable[[list[Run]], bool], *, timeout: float = 60.0
) -> list[Run]:
    """Poll the file until ``predicate(runs)`` holds; the runs, or ``TimeoutError`` naming them."""
    deadline = time.monotonic() + timeout
    while True:
        current = read_runs(path)
        if predicate(current):
            return current
        if time.monotonic() > deadline:
            raise TimeoutError(f"runs did not reach the condition in {timeout} s: {tally(path)}")
        time.sleep(0.05)
