"""Measure what real Gradio servers do when a call meets a fault: the evidence behind docs/faults.md.

Runs the counting app (``app.py``, and ``unload_app.py`` for the heartbeat) under each Gradio
version, puts ``tests/support/fault_proxy.py`` in front of it, speaks the queue protocol with plain
httpx (so what is seen is the server's behaviour, not a client's), and asks the app's runs file how
often each function really ran. A few scenarios also run the project's runtime through the proxy to
record which error it raises today. Prints one JSON document (and writes it with ``--out``)::

    .venvs/dev/bin/python -P tests/apps/counted/probe_faults.py --versions 4,5,6 --out /tmp/faults.json

Servers listen on 127.0.0.1 only and are stopped by process id; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))

from counts import counted_server, read_runs, runs_file, tally, wait_for_runs  # noqa: E402
from fault_proxy import (  # noqa: E402
    FaultProxy,
    drop_stream,
    half_open,
    reset_after_head,
    reset_after_request,
    respond,
)
from servers import GradioServer, start_server  # noqa: E402

JOIN_TIMEOUT = httpx.Timeout(10.0, read=3.0)


def short(msg: dict[str, Any]) -> str:
    """One message as a short line: its kind and what matters in it."""
    kind = msg.get("msg", "?")
    extra = ""
    if kind in ("process_completed", "process_generating"):
        output = msg.get("output") or {}
        extra = f" success={msg.get('success')} data={json.dumps(output.get('data'))[:60]}"
        if not msg.get("success", True):
            extra += f" error={json.dumps(output.get('error'))[:80]}"
    elif kind == "unexpected_error":
        extra = f" message={msg.get('message')!r} session_not_found={msg.get('session_not_found')}"
    elif kind == "estimation":
        extra = f" rank={msg.get('rank')}"
    event = msg.get("event_id")
    return f"{kind}{' #' + event[:6] if isinstance(event, str) else ''}{extra}"


class App:
    """A running counting app and the raw protocol to call it."""

    def __init__(self, server: GradioServer) -> None:
        self.server = server
        self.url = server.url
        self.prefix = server.api_prefix
        with httpx.Client(timeout=10) as http:
            config = http.get(f"{self.url}/config").json()
        self.version = config.get("version")
        self.protocol = config.get("protocol")
        self.fn = {  # 4.16 has no "id": the position is the fn_index there
            d["api_name"]: d.get("id", i)
            for i, d in enumerate(config["dependencies"])
            if d.get("api_name")
        }
        self.runs = runs_file(server)

    def join(
        self, fn: str, data: list[Any], session: str, *, base: str | None = None
    ) -> httpx.Response:
        with httpx.Client(timeout=JOIN_TIMEOUT) as http:
            return http.post(
                f"{base or self.url}{self.prefix}/queue/join",
                json={"data": data, "fn_index": self.fn[fn], "session_hash": session},
            )

    def listen(
        self, session: str, *, base: str | None = None, seconds: float = 10.0
    ) -> dict[str, Any]:
        """Read the session's stream until it ends, fails, or ``seconds`` pass without an end."""
        start = time.monotonic()
        got: list[str] = []
        raw: list[dict[str, Any]] = []
        end = "silent"
        try:
            with httpx.Client(timeout=httpx.Timeout(10.0, read=seconds)) as http:
                with http.stream(
                    "GET",
                    f"{base or self.url}{self.prefix}/queue/data",
                    params={"session_hash": session},
                ) as r:
                    if r.status_code != 200:
                        r.read()
                        return {"status": r.status_code, "body": r.text[:200], "messages": []}
                    for line in r.iter_lines():
                        if not line.startswith("data:"):
                            continue
                        msg = json.loads(line[5:])
                        raw.append(msg)
                        got.append(f"{time.monotonic() - start:5.2f}s {short(msg)}")
                        if msg.get("msg") in ("close_stream", "unexpected_error"):
                            end = msg["msg"]
                            break
                        if time.monotonic() - start > seconds:
                            break
                    else:
                        end = "server ended the stream"
        except httpx.HTTPError as e:
            end = f"{type(e).__name__}: {e}"
        return {"status": 200, "messages": got, "end": end, "raw": raw}


def session() -> str:
    return str(uuid.uuid4())


def error_of(call: Callable[[], Any]) -> str:
    try:
        result = call()
    except httpx.HTTPError as e:
        return f"{type(e).__name__}: {e}"
    if isinstance(result, httpx.Response):
        return f"HTTP {result.status_code} {result.text[:120]}"
    return repr(result)[:200]


def runs_of(app: App, fn: str, key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in read_runs(app.runs):
        if r.fn == fn and r.key == key:
            counts[r.what] = counts.get(r.what, 0) + 1
    return counts


@contextmanager
def proxied(app: App) -> Iterator[FaultProxy]:
    with FaultProxy(app.url, hold_limit=120) as proxy:
        yield proxy


# -- 1. the join, per failure point ----------------------------------------------------------------


def join_faults(app: App) -> dict[str, Any]:
    """A join of ``plain(key, 0.5)`` meets each fault; afterwards: did the function run, and what
    does the session's stream (opened directly, 3 s later) hold?"""
    cases: dict[str, Callable[[FaultProxy], None]] = {
        "refused": lambda p: p.refuse(),
        "reset after the request head (body not sent on)": lambda p: p.add(
            reset_after_head(), path="/queue/join"
        ),
        "reset after the whole request reached the app": lambda p: p.add(
            reset_after_request(), path="/queue/join"
        ),
        "503 from a front end (app never saw it)": lambda p: p.add(
            respond(503, headers={"retry-after": "1"}), path="/queue/join"
        ),
        "502 from a front end after the app answered": lambda p: p.add(
            respond(502, forward=True), path="/queue/join"
        ),
        "504 from a front end after the app answered": lambda p: p.add(
            respond(504, forward=True), path="/queue/join"
        ),
        "half-open, request not sent on": lambda p: p.add(
            half_open(forward=False), path="/queue/join"
        ),
        "half-open after the app got the request": lambda p: p.add(
            half_open(forward=True), path="/queue/join"
        ),
    }
    out: dict[str, Any] = {}
    for name, arm in cases.items():
        key, h = f"join-{uuid.uuid4().hex[:8]}", session()
        with proxied(app) as proxy:
            arm(proxy)
            client_saw = error_of(lambda: app.join("plain", [key, 0.5], h, base=proxy.url))
            proxy.accept()
            exchange = proxy.exchanges(path="/queue/join")
            app_answer = exchange[0].upstream_body.decode(errors="replace") if exchange else ""
        time.sleep(3.0)  # the job (0.5 s) has long finished if it was accepted
        after = app.listen(h, seconds=5.0)
        out[name] = {
            "client saw": client_saw,
            "app answered": app_answer or None,
            "runs": runs_of(app, "plain", key),
            "stream opened 3 s later": after.get("messages") or after,
            "stream end": after.get("end"),
        }
    return out


def queue_full(major: str) -> dict[str, Any]:
    """Gradio's own "queue full": status, headers and body of the join it refuses."""
    server = counted_server(major, env={"COUNTED_MAX_SIZE": "1"})
    try:
        app = App(server)
        h = session()
        answers = []
        for i in range(3):  # one runs, one waits (max_size 1), the third is refused
            r = app.join("one_at_a_time", [f"full-{i}", 2.0], h)
            answers.append(
                {
                    "status": r.status_code,
                    "body": r.text[:200],
                    "retry-after": r.headers.get("retry-after"),
                }
            )
        listened = app.listen(h, seconds=10)
        ran = {f"full-{i}": runs_of(app, "one_at_a_time", f"full-{i}") for i in range(3)}
        return {"joins": answers, "runs": ran, "stream": listened.get("messages")}
    finally:
        server.stop()


# -- 2. the stream dropped mid-job --------------------------------------------------------------


def stream_drops(app: App) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for how in ("close", "reset"):
        for gap in (0.2, 3.0):
            key, h = f"gen-{uuid.uuid4().hex[:8]}", session()
            with proxied(app) as proxy:
                proxy.add(
                    drop_stream(2, counting=b'"process_generating"', how=how), path="/queue/data"
                )
                joined = app.join("slow_stream", [key, 8, 0.5], h, base=proxy.url)
                first = app.listen(h, base=proxy.url, seconds=20)
            dropped_at = time.time()
            time.sleep(gap)
            second = app.listen(h, seconds=8)
            time.sleep(1.0)
            runs = read_runs(app.runs)
            yields_after = [
                r.detail.get("i")
                for r in runs
                if r.fn == "slow_stream" and r.key == key and r.what == "yield" and r.t > dropped_at
            ]
            out[f"generator (8 yields, 0.5 s apart), drop by {how}, reconnect after {gap:g} s"] = {
                "join": joined.status_code,
                "first stream": first["messages"],
                "first stream end": first["end"],
                "reconnect": second.get("messages"),
                "reconnect end": second.get("end"),
                "runs": runs_of(app, "slow_stream", key),
                "yields after the drop": yields_after,
            }
    for gap in (0.2, 5.0):
        key, h = f"plain-{uuid.uuid4().hex[:8]}", session()
        with proxied(app) as proxy:
            proxy.add(drop_stream(1, counting=b'"process_starts"', how="close"), path="/queue/data")
            app.join("plain", [key, 3.0], h, base=proxy.url)
            first = app.listen(h, base=proxy.url, seconds=20)
        time.sleep(gap)
        second = app.listen(h, seconds=8)
        out[f"plain function (3 s), drop after process_starts, reconnect after {gap:g} s"] = {
            "first stream": first["messages"],
            "first stream end": first["end"],
            "reconnect": second.get("messages"),
            "reconnect end": second.get("end"),
            "runs": runs_of(app, "plain", key),
        }
    # a job still waiting in the queue when its stream drops
    blocker, queued = f"blocker-{uuid.uuid4().hex[:8]}", f"queued-{uuid.uuid4().hex[:8]}"
    h1, h2 = session(), session()
    app.join("one_at_a_time", [blocker, 3.0], h1)
    holder = threading.Thread(target=app.listen, args=(h1,), kwargs={"seconds": 15}, daemon=True)
    holder.start()
    wait_for_runs(app.runs, lambda rs: any(r.key == blocker for r in rs), timeout=30)
    with proxied(app) as proxy:
        proxy.add(drop_stream(1, counting=b'"estimation"', how="close"), path="/queue/data")
        app.join("one_at_a_time", [queued, 0.1], h2, base=proxy.url)
        first = app.listen(h2, base=proxy.url, seconds=20)
    holder.join(20)
    time.sleep(2.0)
    second = app.listen(h2, seconds=5)
    out[
        "queued job (behind a 3 s one), drop after its estimation, reconnect after the other ended"
    ] = {
        "first stream": first["messages"],
        "first stream end": first["end"],
        "reconnect": second.get("messages"),
        "reconnect end": second.get("end"),
        "runs of the queued job": runs_of(app, "one_at_a_time", queued),
    }
    # never opening the stream at all: are the messages kept, and for how long?
    for wait in (2.0, 20.0):
        key, h = f"late-{uuid.uuid4().hex[:8]}", session()
        app.join("plain", [key, 0.2], h)
        time.sleep(wait)
        late = app.listen(h, seconds=5)
        out[f"stream first opened {wait:g} s after the join"] = {
            "runs": runs_of(app, "plain", key),
            "stream": late.get("messages"),
            "end": late.get("end"),
        }
    return out


# -- 3. a 503 on the event stream after an accepted join ---------------------------------------


def stream_503(app: App) -> dict[str, Any]:
    key, h = f"s503-{uuid.uuid4().hex[:8]}", session()
    with proxied(app) as proxy:
        proxy.add(respond(503, headers={"retry-after": "1"}), path="/queue/data", times=2)
        joined = app.join("plain", [key, 1.0], h, base=proxy.url)
        first = app.listen(h, base=proxy.url, seconds=5)
        second = app.listen(h, base=proxy.url, seconds=5)
        time.sleep(1.5)
        third = app.listen(h, base=proxy.url, seconds=8)
    return {
        "join": f"HTTP {joined.status_code} {joined.text[:80]}",
        "1st GET queue/data": first,
        "2nd GET queue/data": second,
        "3rd GET queue/data (1.5 s later)": third.get("messages"),
        "runs": runs_of(app, "plain", key),
    }


# -- 4. what the runtime says today ------------------------------------------------------------------


def runtime_today(app: App) -> dict[str, Any]:
    """The project's runtime through the proxy: its error, and how often the app ran the call."""
    from gradio_codegen import runtime as rt
    from runtime_support import endpoint

    with httpx.Client(timeout=10) as http:
        config = http.get(f"{app.url}/config").json()
    plain = endpoint(config, "/plain")
    cases: dict[str, Callable[[FaultProxy], object]] = {
        "join reset after the app got it": lambda p: p.add(
            reset_after_request(), path="/queue/join"
        ),
        "join 502 after the app answered": lambda p: p.add(
            respond(502, forward=True), path="/queue/join"
        ),
        "join half-open after the app got it": lambda p: p.add(half_open(), path="/queue/join"),
        "503 on queue/data after the join": lambda p: p.add(
            respond(503, headers={"retry-after": "1"}), path="/queue/data"
        ),
        "queue/data dropped after process_starts": lambda p: p.add(
            drop_stream(1, counting=b'"process_starts"', how="close"), path="/queue/data"
        ),
        "queue/data reset after process_starts": lambda p: p.add(
            drop_stream(1, counting=b'"process_starts"', how="reset"), path="/queue/data"
        ),
    }
    out: dict[str, Any] = {}
    for name, arm in cases.items():
        key = f"rt-{uuid.uuid4().hex[:8]}"
        with proxied(app) as proxy:
            arm(proxy)
            cls = type(
                "Probe",
                (rt.Client,),
                {"app": rt.AppSpec(src=proxy.url, api_prefix=app.prefix, protocol="sse_v3")},
            )
            start = time.monotonic()
            with cls(timeout=4) as client:
                try:
                    client._predict(plain, key, 1.0)
                    raised = "no error"
                except rt.GradioError as e:
                    raised = f"{type(e).__name__}: {e}"
            took = time.monotonic() - start
        time.sleep(2.0)
        out[name] = {
            "raised": raised[:300],
            "after s": round(took, 2),
            "runs": runs_of(app, "plain", key),
        }
    return out


# -- 5. the heartbeat ---------------------------------------------------------------------------------


def heartbeat(major: str) -> dict[str, Any]:
    server = counted_server(major, unload=True, env={"GRADIO_IS_E2E_TEST": "1"})
    try:
        app = App(server)
        out: dict[str, Any] = {"version": app.version}
        alive = session()
        beats: list[tuple[float, bytes]] = []
        opened = threading.Event()
        stop = threading.Event()

        def hold_heartbeat() -> None:
            with httpx.Client(timeout=httpx.Timeout(10, read=30)) as http:
                with http.stream("GET", f"{app.url}{app.prefix}/heartbeat/{alive}") as r:
                    out["heartbeat status"] = r.status_code
                    out["heartbeat content-type"] = r.headers.get("content-type")
                    opened.set()
                    start = time.monotonic()
                    for chunk in r.iter_raw():
                        beats.append((round(time.monotonic() - start, 2), chunk))
                        if stop.is_set():
                            return

        def remember(h: str, text: str) -> str:
            app.join("remember", [text, None], h)
            got = app.listen(h, seconds=10)
            for msg in got.get("raw", []):
                if msg.get("msg") == "process_completed":
                    return str((msg.get("output") or {}).get("data", [None])[0])
            return f"no result: {got}"

        thread = threading.Thread(target=hold_heartbeat, daemon=True)
        thread.start()
        opened.wait(10)
        out["with heartbeat: 1st call"] = remember(alive, "a")
        out["with heartbeat: 2nd call"] = remember(alive, "b")
        time.sleep(1.0)  # E2E mode: a heartbeat every 0.25 s (4.x) / the 6.x interval
        stop.set()
        thread.join(35)
        closed_at = time.time()
        try:
            runs = wait_for_runs(
                app.runs,
                lambda rs: any(r.fn == "unload" and r.key == alive for r in rs)
                and any(r.fn == "state" for r in rs),
                timeout=20,
            )
        except TimeoutError:
            runs = read_runs(app.runs)
        out["heartbeat bytes seen"] = [(t, c.decode(errors="replace")) for t, c in beats[:4]]
        out["after closing the heartbeat"] = [
            f"+{r.t - closed_at:.2f}s {r.fn} {r.what} {r.detail}"
            for r in runs
            if r.fn in ("unload", "state") and (r.key in ("", alive))
        ]
        out["with heartbeat: call after closing it"] = remember(alive, "c")

        lone = session()
        out["no heartbeat: 1st call"] = remember(lone, "x")
        out["no heartbeat: 2nd call"] = remember(lone, "y")
        time.sleep(8.0)
        out["no heartbeat: unload/state records 8 s later"] = [
            f"{r.fn} {r.what} {r.detail}"
            for r in read_runs(app.runs)
            if r.key == lone and r.fn == "unload"
        ]
        out["no heartbeat: 3rd call 8 s later"] = remember(lone, "z")
        out["tally"] = {k: dict(v) for k, v in tally(app.runs).items()}
        return out
    finally:
        server.stop()


def heartbeat_interval(major: str, seconds: float) -> dict[str, Any]:
    """The heartbeat's bytes and rhythm without the E2E switch: watch it for ``seconds``."""
    server = start_server("text_echo", major)
    try:
        prefix = server.api_prefix
        beats: list[tuple[float, int]] = []
        with httpx.Client(timeout=httpx.Timeout(10, read=seconds + 20)) as http:
            with http.stream("GET", f"{server.url}{prefix}/heartbeat/{session()}") as r:
                start = time.monotonic()
                for chunk in r.iter_raw():
                    beats.append((round(time.monotonic() - start, 2), len(chunk)))
                    if time.monotonic() - start > seconds:
                        break
        return {"chunks (time, bytes)": beats}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", default="4,5,6")
    parser.add_argument("--only", default="", help="comma-separated sections")
    parser.add_argument("--out", type=Path)
    opts = parser.parse_args()
    only = {s for s in opts.only.split(",") if s}
    report: dict[str, Any] = {}
    for major in opts.versions.split(","):
        section: dict[str, Any] = {}
        report[major] = section
        if not only or only & {"join", "stream", "503", "runtime"}:
            server = counted_server(major)
            try:
                app = App(server)
                section["version"] = f"{app.version} ({app.protocol})"
                for name, probe in (
                    ("join", join_faults),
                    ("stream", stream_drops),
                    ("503", stream_503),
                    ("runtime", runtime_today),
                ):
                    if not only or name in only:
                        started = time.monotonic()
                        section[name] = probe(app)
                        print(
                            f"gradio {major}: {name} done in {time.monotonic() - started:.0f} s",
                            file=sys.stderr,
                        )
            finally:
                server.stop()
        if not only or "queue_full" in only:
            section["queue_full"] = queue_full(major)
        if (not only or "heartbeat" in only) and major != "4early":
            section["heartbeat"] = heartbeat(major)
        if "heartbeat_interval" in only:
            section["heartbeat_interval"] = heartbeat_interval(major, 35.0)
    for section in report.values():  # raw messages were only for the probes' own use
        for probe in section.values():
            if isinstance(probe, dict):
                for case in probe.values():
                    if isinstance(case, dict):
                        case.pop("raw", None)
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if opts.out:
        opts.out.write_text(text)


if __name__ == "__main__":
    main()
