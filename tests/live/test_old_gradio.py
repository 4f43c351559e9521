"""Gradio 4.0 - 4.21 speak the older queue protocols (sse_v1: no diffs; sse_v2/v2.1: diffs, no
close_stream). Runs against the optional ``.venvs/g4early`` (Gradio 4.16, sse_v1; CI builds it) and
any ``.venvs/g4.<minor>`` virtualenv present (e.g. g4.20 for sse_v2); skipped when there is none."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from runtime_support import endpoint
from servers import VENVS, start_server

OLD = sorted(
    p.name[1:]
    for p in [*VENVS.glob("g4.*"), VENVS / "g4early"]
    if list(p.glob("lib/python*/site-packages/gradio-*.dist-info"))
)

pytestmark = [
    pytest.mark.servers,
    pytest.mark.timeout(300),
    pytest.mark.skipif(not OLD, reason="no early Gradio 4.x virtualenv (.venvs/g4.<minor>)"),
]


@pytest.mark.parametrize("version", OLD)
def test_old_queue_protocols(version: str) -> None:
    server = start_server("long_stream", version)
    try:
        with urllib.request.urlopen(f"{server.url}/config", timeout=10) as r:
            config: dict[str, Any] = json.loads(r.read())
        assert config["protocol"] in ("sse_v1", "sse_v2", "sse_v2.1")
        spec = rt.AppSpec(src=server.url, api_prefix="", protocol=config["protocol"])
        cls = type("Old", (rt.Client,), {"app": spec})
        with cls(timeout=60) as client:
            text = client._submit(endpoint(config, "/long_text"), 200)
            items = client._submit(endpoint(config, "/long_list"), 50)  # both share the stream
            assert list(text) == ["".join(f"{i} " for i in range(k + 1)) for k in range(200)]
            assert items.outputs() == [] or items.result() == list(range(50))
            assert items.result() == list(range(50))
            ticker = client._submit(endpoint(config, "/ticker"), 30)
            for value in ticker:
                if value >= 3:
                    ticker.cancel()
            ticks = endpoint(config, "/ticks")
            time.sleep(1.0)
            stopped_at = client._predict(ticks)
            time.sleep(1.0)
            assert client._predict(ticks) == stopped_at < 60  # a running ticker adds 20 a second
    finally:
        server.stop()
