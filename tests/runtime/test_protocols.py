"""The queue protocols a Gradio 4.0+ app may speak, in memory (``mock_gradio``).

``sse_v1`` (Gradio 4.0-4.16) sends every streamed output whole and never ends a stream;
``sse_v2``/``sse_v2.1`` send edit lists after the first output and never end a stream; ``sse_v3``
(4.29+) sends edit lists and ends a stream with ``close_stream`` once its jobs are done. The
client applies edits only where the protocol has them, ends a v1/v2 stream itself as soon as no
job waits, and reads a v3 stream up to its ``close_stream``. Real old servers are in
``tests/live/test_old_gradio.py``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from mock_gradio import (
    CLOSE,
    CONCAT,
    P,
    WAIT,
    FakeApp,
    async_client_for,
    client_for,
    done,
    generating,
    sse,
)

pytestmark = pytest.mark.timeout(60)


def client_class(protocol: str, asynchronous: bool = False) -> Any:
    spec = rt.AppSpec(src="http://app.test", api_prefix=P, protocol=protocol)
    base = rt.AsyncClient if asynchronous else rt.Client
    return type(f"Speaks_{protocol}", (base,), {"app": spec})


def words(event_id: str, diffs: bool, count: int) -> list[bytes]:
    """A generator's outputs "w0", "w0 w1", ...: whole, or as an append edit after the first."""
    out = []
    for i in range(count):
        if i == 0 or not diffs:
            out.append(sse(generating(event_id, [" ".join(f"w{k}" for k in range(i + 1))])))
        else:
            out.append(sse(generating(event_id, [[["append", [], f" w{i}"]]])))
    return out


class Stream:
    """One stream's chunks; remembers how many the client asked for, and when it left."""

    def __init__(self, chunks: list[object], then_wait: bool) -> None:
        self.chunks = chunks
        self.then_wait = then_wait  # an old app keeps the stream open after its last message
        self.sent = 0
        self.left = threading.Event()

    def __call__(self, n: int) -> Iterator[object]:
        try:
            for chunk in self.chunks:
                self.sent += 1
                yield chunk
            while self.then_wait:
                yield WAIT
        finally:
            self.left.set()


@pytest.mark.parametrize(
    "protocol, diffs, ends_streams",
    [
        ("sse_v1", False, False),
        ("sse_v2", True, False),
        ("sse_v2.1", True, False),
        ("sse_v3", True, True),
    ],
)
@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("verify", ["concurrent", "off"])
def test_each_protocol_streams_whole_values_and_ends_its_stream(
    protocol: str, diffs: bool, ends_streams: bool, flavour: str, verify: str
) -> None:
    diffs = diffs and verify == "off"  # a call by name gets whole values, a join by fn_index edits
    final = " ".join(f"w{k}" for k in range(50))
    chunks: list[object] = [*words("e1", diffs, 50), sse(done("e1", [final]))]
    if ends_streams:
        chunks.append(sse(CLOSE))
    stream = Stream(chunks, then_wait=not ends_streams)
    fake = FakeApp(stream)
    expected = [" ".join(f"w{k}" for k in range(i + 1)) for i in range(50)]
    if flavour == "sync":
        with client_for(fake, client_class(protocol), timeout=5, verify=verify) as client:
            job = client._submit(CONCAT, "a", "b", "-")
            assert list(job) == expected and job.result() == final
            assert stream.left.wait(5)
    else:

        async def go() -> list[str]:
            cls = client_class(protocol, True)
            async with async_client_for(fake, cls, timeout=5, verify=verify) as client:
                job = await client._submit(CONCAT, "a", "b", "-")
                seen = [value async for value in job]
                assert await job.result() == final
                for _ in range(500):
                    if stream.left.is_set():
                        break
                    await asyncio.sleep(0.01)
                return seen

        assert asyncio.run(go()) == expected
    # Every protocol: the client left once its job was done -- a v1/v2 stream it cut itself (the
    # app would keep it open), a v3 stream only after reading the app's close_stream.
    assert stream.left.is_set() and stream.sent == len(chunks)


@pytest.mark.parametrize("protocol", ["sse_v1", "sse_v3"])
@pytest.mark.parametrize("verify", ["concurrent", "off"])
def test_two_jobs_share_one_stream(protocol: str, verify: str) -> None:
    diffs = protocol != "sse_v1" and verify == "off"  # edits only to a join by fn_index
    gate = threading.Event()
    interleaved = [
        chunk for pair in zip(words("e1", diffs, 20), words("e2", diffs, 20)) for chunk in pair
    ]
    closing = [sse(CLOSE)] if protocol == "sse_v3" else []
    stream = Stream(
        [gate, *interleaved, sse(done("e1", ["one"]), done("e2", ["two"])), *closing],
        then_wait=protocol != "sse_v3",
    )
    fake = FakeApp(stream)
    with client_for(fake, client_class(protocol), timeout=5, verify=verify) as client:
        first = client._submit(CONCAT, "a", "b", "1")
        second = client._submit(CONCAT, "a", "b", "2")
        gate.set()
        assert (first.result(), second.result()) == ("one", "two")
        assert (
            first.outputs()
            == second.outputs()
            == [" ".join(f"w{k}" for k in range(i + 1)) for i in range(20)]
        )
    assert fake.gets == 1
