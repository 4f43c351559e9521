"""Results through a generated SDK equal what the server's own gradio_client returns (0.6.1 for
3.50.2, 0.2.7 for 3.36.1), run in the server's venv as a subprocess.

Where those clients are broken the comparison says so and checks against the captured wire traces
instead (``tests/fixtures/schemas/gradio3*/traces``, the shared ``protocol/GRADIO3.md`` section 13):

* both raise ``KeyError: 'log'`` on any endpoint that calls ``gr.Info``/``gr.Warning`` (``/notify``);
* 0.2.7's ``predict`` on a generator returns the *first* value and an error after a yield is lost;
* 0.x return a Json output as the path of a file they wrote, and raise ``ValueError("'text'")``
  for ``gr.Error``: the comparison reads the file and strips the quotes, comparing contents.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from sdkgen import generate, import_module
from servers import available_gradio3_versions, venv_python

GRADIO3 = available_gradio3_versions()
pytestmark = [
    pytest.mark.skipif(not GRADIO3, reason="no Gradio 3 venv; run scripts/bootstrap g3"),
    pytest.mark.timeout(300),
]

# (api name, args, how to read gradio_client's answer: "value", "json" file, "last" of a stream)
Calls = list[tuple[str, list[Any], str]]
CALLS: dict[str, Calls] = {
    "text_echo": [
        ("/echo", ["ünïcödé 名前 ✓"], "value"),
        ("/concat", ["a", "b", "-"], "value"),
    ],
    "state_counter": [
        ("/increment", [2], "value"),
        ("/increment", [3], "value"),
        ("/history", [], "value"),
    ],
    "multi_endpoints": [
        ("/add", [1, 2], "value"),
        ("/subtract", [5, 3], "value"),
        ("/fast_max", [3, 9], "value"),  # queue=False: POST /run on both sides
    ],
    "scalar_inputs": [
        ("/summarize", ["t", 3, 5.5, True, "green", "b", ["apple"], ["x", "z"]], "json"),
    ],
    "streaming": [("/count", [3, 0.01], "last"), ("/two_outputs", [2], "last")],
    "progress_errors": [("/fail", ["x"], "value"), ("/crash", ["x"], "value")],
}

# gradio_client's side, in the server's venv. Prints one JSON list of {"result"} / {"error"}.
SCRIPT = r"""
import json, sys
from gradio_client import Client
url, calls = sys.argv[1], json.loads(sys.argv[2])
client = Client(url, verbose=False)
out = []
for api_name, args, how in calls:
    try:
        if how == "last":
            job = client.submit(*args, api_name=api_name)
            job.result()
            value = job.outputs()[-1]
        else:
            value = client.predict(*args, api_name=api_name)
            if how == "json":
                value = json.load(open(value))
        out.append({"result": value})
    except Exception as e:
        out.append({"error": e.args[0] if e.args else None, "kind": type(e).__name__})
print(json.dumps(out))
"""


def theirs(major: str, url: str, calls: Calls) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(venv_python(major)), "-P", "-c", SCRIPT, url, json.dumps(calls)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def ours(mod: ModuleType, url: str, calls: Calls) -> list[dict[str, Any]]:
    """Every call through the SDK's endpoints, positionally as gradio_client takes them."""
    endpoints = {e.api_name: e for e in vars(mod).values() if isinstance(e, rt.Endpoint)}
    out: list[dict[str, Any]] = []
    with mod.Client(url) as client:
        for api_name, args, how in calls:
            job = client._submit(endpoints[api_name], *args)
            try:
                result = job.result(timeout=60)
                value = plain(job.outputs()[-1] if how == "last" else result)
                out.append({"result": value})
            except rt.AppError as e:
                out.append({"error": e.message})
    return out


def unquoted(record: dict[str, Any]) -> dict[str, Any]:
    """gradio_client 0.x raise ``ValueError(repr(text))`` for gr.Error and ``ValueError(None)``
    for a hidden error: the same facts our AppError holds as text."""
    if "error" not in record:
        return record
    error = record["error"]
    if isinstance(error, str) and len(error) >= 2 and error[0] == error[-1] == "'":
        error = error[1:-1]
    return {"error": error}


@pytest.mark.parametrize("app", sorted(CALLS))
def test_results_equal_gradio_client_061(server_pool: Any, app: str, tmp_path: Path) -> None:
    if "3" not in GRADIO3:
        pytest.skip("no .venvs/g3 (3.50.2)")
    server = server_pool.get(app, "3")
    mod = import_module(generate(server.url, tmp_path / f"g3cmp_{app}.py"), f"g3cmp_{app}")
    calls = CALLS[app]
    expected = [unquoted(r) for r in theirs("3", server.url, calls)]
    got = ours(mod, server.url, calls)
    for record, mine in zip(expected, got):
        if "error" in record:
            assert "error" in mine
            if record["error"] is None:
                assert "does not share its details" in mine["error"]
            else:
                assert mine["error"] == record["error"]
        else:
            assert mine == record
    assert len(got) == len(expected)


def test_log_messages_where_gradio_client_fails(server_pool: Any, tmp_path: Path) -> None:
    """0.6.1 raises ``KeyError: 'log'`` on /notify; the wire trace
    (``traces/progress_errors.txt``: two ``log`` messages, then the result) is the reference."""
    major = GRADIO3[0]
    server = server_pool.get("progress_errors", major)
    failed = theirs(major, server.url, [("/notify", ["x"], "value")])[0]
    assert failed.get("kind") == "KeyError" and failed.get("error") == "log", failed
    mod = import_module(generate(server.url, tmp_path / "g3cmp_notify.py"), "g3cmp_notify")
    with mod.Client(server.url) as client:
        job = client.submit_notify("x")
        assert job.result(timeout=60) == "x"
        logs = [(log.level, log.message) for log in job.status().logs]
    assert logs == [("info", "info: x"), ("warning", "warning: x")]


@pytest.mark.skipif("3.36" not in GRADIO3, reason="no .venvs/g3.36 (3.36.1)")
def test_results_equal_gradio_client_027_where_it_works(server_pool: Any, tmp_path: Path) -> None:
    """0.2.7 on 3.36.1: values and State agree; on a generator it returns the first value where
    the trace shows (and we return) the last."""
    for app in ("text_echo", "state_counter"):
        server = server_pool.get(app, "3.36")
        name = f"g3cmp36_{app}"
        mod = import_module(generate(server.url, tmp_path / f"{name}.py"), name)
        calls = CALLS[app]
        assert ours(mod, server.url, calls) == theirs("3.36", server.url, calls)
    server = server_pool.get("streaming", "3.36")
    first = theirs("3.36", server.url, [("/count", [3, 0.01], "value")])[0]
    assert first == {"result": "0 "}, "0.2.7's known bug: the first value of a generator"
    mod = import_module(generate(server.url, tmp_path / "g3cmp36_s.py"), "g3cmp36_s")
    with mod.Client(server.url) as client:
        assert client.count(3, delay=0.01) == "0 1 2 "
