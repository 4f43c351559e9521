"""A hand-written Gradio call (PROTOCOL section 5) for tests that exercise files without the client.

Kept deliberately plain: look up ``fn_index`` in ``/config``, join the queue, read the event stream
until our event completes, return the output list (or raise with the server's error).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


class CallFailed(Exception):
    """The job finished with ``success: false``; ``output`` is what the server said."""

    def __init__(self, output: Any) -> None:
        super().__init__(f"call failed: {output!r}")
        self.output = output


def fn_index(http: httpx.Client, root: str, api_name: str) -> int:
    config = http.get(f"{root}/config").raise_for_status().json()
    for dep in config["dependencies"]:
        if dep.get("api_name") == api_name.lstrip("/"):
            return int(dep.get("id", config["dependencies"].index(dep)))
    raise KeyError(api_name)


def call(http: httpx.Client, root: str, prefix: str, api_name: str, data: list[Any]) -> list[Any]:
    """Run ``api_name`` with the raw payload ``data`` and return the raw output ``data`` list."""
    session = uuid.uuid4().hex
    body = {"data": data, "fn_index": fn_index(http, root, api_name), "session_hash": session}
    event_id = (
        http.post(f"{root}{prefix}/queue/join", json=body).raise_for_status().json()["event_id"]
    )
    with http.stream("GET", f"{root}{prefix}/queue/data", params={"session_hash": session}) as s:
        s.raise_for_status()
        for line in s.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("event_id") == event_id and msg["msg"] == "process_completed":
                if not msg.get("success"):
                    raise CallFailed(msg.get("output"))
                return list(msg["output"]["data"])
    raise RuntimeError("stream ended without process_completed")


def login(http: httpx.Client, root: str, username: str = "user", password: str = "pass") -> None:
    http.post(f"{root}/login", data={"username": username, "password": password}).raise_for_status()
