"""The practical floor: a hand-written Gradio client that sends only ``queue/join`` + ``queue/data``.

It knows the endpoint's ``fn_index`` and the API prefix up front (as a generated SDK does), makes no
discovery request, checks nothing, downloads nothing and opens a fresh session per call. Whatever a
real client does on top of this is overhead; the benchmarks compare against it (PROTOCOL §5).
Needs only httpx and the standard library.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

TIMEOUT = httpx.Timeout(60.0)
LIMITS = httpx.Limits(max_connections=200)


def _verify(root: str) -> bool:
    """Load the CA bundle only when the app is https; plain http never uses it (a floor is lean)."""
    return root.startswith("https://")


def apply_edits(value: Any, edits: list[Any]) -> Any:
    """Apply one output's streamed edits (``[action, path, value]``, PROTOCOL §4) to its last value."""
    for action, path, new in edits:
        if not path:
            value = value + new if action == "append" else (None if action == "delete" else new)
            continue
        target = value
        for key in path[:-1]:
            target = target[key]
        last = path[-1]
        if action == "replace":
            target[last] = new
        elif action == "append":
            target[last] = target[last] + new
        elif action == "add":
            if isinstance(target, list):
                target.insert(last, new)
            else:
                target[last] = new
        elif action == "delete":
            del target[last]
    return value


class _Call:
    """Turns one event's SSE messages into outputs; shared by the sync and async clients."""

    def __init__(self) -> None:
        self.event_id = ""
        self.values: list[Any] | None = None
        self.final: list[Any] | None = None

    def feed(self, line: str) -> list[Any] | None:
        """Return the full output values carried by ``line`` if it is one of this event's updates."""
        if not line.startswith("data:"):
            return None
        msg = json.loads(line[5:])
        if msg.get("event_id") != self.event_id:
            if msg.get("msg") == "unexpected_error":
                raise RuntimeError(f"server error: {msg.get('message')}")
            return None
        kind = msg["msg"]
        if kind == "process_generating":
            data = msg["output"]["data"]
            if self.values is None:
                self.values = list(data)
            else:
                self.values = [apply_edits(v, e) for v, e in zip(self.values, data)]
            return self.values
        if kind == "process_completed":
            if not msg.get("success"):
                raise RuntimeError(f"call failed: {msg.get('output')}")
            self.final = msg["output"]["data"]
            return self.final
        return None


class RawClient:
    """Sync raw client; one ``httpx.Client``, safe to share between threads."""

    def __init__(self, root: str, prefix: str) -> None:
        self.base = root.rstrip("/") + prefix
        self.http = httpx.Client(timeout=TIMEOUT, limits=LIMITS, verify=_verify(root))

    def close(self) -> None:
        self.http.close()

    def _updates(self, fn_index: int, data: list[Any]) -> Iterator[tuple[bool, list[Any]]]:
        session = uuid.uuid4().hex
        body = {"data": data, "fn_index": fn_index, "session_hash": session}
        call = _Call()
        call.event_id = self.http.post(f"{self.base}/queue/join", json=body).json()["event_id"]
        params = {"session_hash": session}
        with self.http.stream("GET", f"{self.base}/queue/data", params=params) as stream:
            for line in stream.iter_lines():
                values = call.feed(line)
                if values is not None:
                    yield call.final is not None, values
                if call.final is not None:
                    return
        raise RuntimeError("stream ended before the result")

    def call(self, fn_index: int, *data: Any) -> Any:
        for final, values in self._updates(fn_index, list(data)):
            if final:
                return values[0]
        raise RuntimeError("no result")

    def stream(self, fn_index: int, *data: Any) -> Iterator[tuple[bool, Any]]:
        """Yield ``(is_final, value)``: each streamed full value, then the final one."""
        for final, values in self._updates(fn_index, list(data)):
            yield final, values[0]


class AsyncRawClient:
    """Async raw client; one ``httpx.AsyncClient``, safe to share between tasks."""

    def __init__(self, root: str, prefix: str) -> None:
        self.base = root.rstrip("/") + prefix
        self.http = httpx.AsyncClient(timeout=TIMEOUT, limits=LIMITS, verify=_verify(root))

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _updates(
        self, fn_index: int, data: list[Any]
    ) -> AsyncIterator[tuple[bool, list[Any]]]:
        session = uuid.uuid4().hex
        body = {"data": data, "fn_index": fn_index, "session_hash": session}
        call = _Call()
        joined = await self.http.post(f"{self.base}/queue/join", json=body)
        call.event_id = joined.json()["event_id"]
        params = {"session_hash": session}
        async with self.http.stream("GET", f"{self.base}/queue/data", params=params) as stream:
            async for line in stream.aiter_lines():
                values = call.feed(line)
                if values is not None:
                    yield call.final is not None, values
                if call.final is not None:
                    return
        raise RuntimeError("stream ended before the result")

    async def call(self, fn_index: int, *data: Any) -> Any:
        async for final, values in self._updates(fn_index, list(data)):
            if final:
                return values[0]
        raise RuntimeError("no result")

    async def stream(self, fn_index: int, *data: Any) -> AsyncIterator[tuple[bool, Any]]:
        """Yield ``(is_final, value)``: each streamed full value, then the final one."""
        async for final, values in self._updates(fn_index, list(data)):
            yield final, values[0]
