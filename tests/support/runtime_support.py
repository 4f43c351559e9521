"""Helpers for the runtime's tests against real servers: endpoint specs read from a live app's
``/config`` (until generated SDKs exist for every fixture app) and gradio_client run in the
server's own virtualenv for comparison."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from typing import Any

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from servers import GradioServer, venv_python


def config_of(server: GradioServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"{server.url}/config", timeout=10) as r:
        return json.loads(r.read())  # type: ignore[no-any-return]


def app_spec(server: GradioServer) -> rt.AppSpec:
    return rt.AppSpec(src=server.url, api_prefix=server.api_prefix, protocol="sse_v3")


def endpoint(config: dict[str, Any], api_name: str, *, with_fn_index: bool = True) -> rt.Endpoint[Any]:
    """An Endpoint built from /config the way the generator would (shapes kept loose)."""
    components = {c["id"]: c for c in config["components"]}
    for position, dep in enumerate(config["dependencies"]):
        if isinstance(dep.get("api_name"), str) and "/" + dep["api_name"] == api_name:
            break
    else:
        raise KeyError(api_name)

    def is_state(i: int) -> bool:
        return components.get(i, {}).get("type") == "state"

    inputs = tuple(rt.STATE if is_state(i) else rt.Param(f"p{i}", s.Any()) for i in dep["inputs"])
    outputs = tuple(
        rt.STATE if is_state(i) or components.get(i, {}).get("skip_api") else rt.Output(f"o{i}", s.Any())
        for i in dep["outputs"]
    )
    n_out = sum(isinstance(o, rt.Output) for o in outputs)
    if not with_fn_index:  # what a schema captured without /config knows
        inputs = tuple(p for p in inputs if isinstance(p, rt.Param))
        outputs = tuple(o for o in outputs if isinstance(o, rt.Output))
    return rt.Endpoint(
        api_name,
        fn_index=dep.get("id", position) if with_fn_index else None,
        inputs=inputs,
        outputs=outputs,
        result=(lambda *values: tuple(values)) if n_out > 1 else None,
        stream=bool(dep.get("types", {}).get("generator")),
    )


def client_classes(server: GradioServer) -> tuple[type[rt.Client], type[rt.AsyncClient]]:
    spec = app_spec(server)
    sync = type("AppClient", (rt.Client,), {"app": spec})
    async_ = type("AppAsyncClient", (rt.AsyncClient,), {"app": spec})
    return sync, async_


_REFERENCE = r"""
import json, sys
from gradio_client import Client
spec = json.load(sys.stdin)
client = Client(spec["url"], verbose=False, download_files=False)
out = []
for call in spec["calls"]:
    try:
        job = client.submit(*call["args"], api_name=call["api_name"])
        result = job.result()
        out.append({"result": result, "outputs": list(job.outputs())})
    except Exception as e:
        out.append({"error": str(e), "type": type(e).__name__})
print(json.dumps(out, default=str))
"""


def reference_results(server: GradioServer, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
    """What gradio_client (of the server's own Gradio version) returns for the calls, in one session."""
    spec = {"url": server.url, "calls": [{"api_name": a, "args": args} for a, args in calls]}
    proc = subprocess.run(
        [str(venv_python(server.major)), "-c", _REFERENCE],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=180,
        env={**server.env, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"gradio_client failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def plain(value: Any) -> Any:
    """A result as JSON data, so tuples and lists compare equal."""
    return json.loads(json.dumps(value, default=str))
