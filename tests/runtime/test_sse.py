"""The SSE decoder: whatever way the network cuts the bytes, the same events come out."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime._sse import SSEDecoder, SSEEvent

STREAM = (
    b'\xef\xbb\xbf: a comment line\r\n'
    b'data: {"msg":"estimation","event_id":"e1","rank":0}\r\n\r\n'
    b"data: first line\n"
    b"data: second line \xc3\xa9\xe5\x90\x8d\n"
    b"\n"
    b"event: generating\r"
    b"id: 7\r"
    b"data:no space\r"
    b"\r"
    b"data\n\n"
    b": trailing comment\n\n"
)
EXPECTED = [
    SSEEvent('{"msg":"estimation","event_id":"e1","rank":0}'),
    SSEEvent("first line\nsecond line \u00e9\u540d"),
    SSEEvent("no space", event="generating", id="7"),
    SSEEvent("", id="7"),
]


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.close()


def test_whole_stream() -> None:
    assert decode([STREAM]) == EXPECTED


def test_split_at_every_byte_boundary() -> None:
    for cut in range(len(STREAM) + 1):
        assert decode([STREAM[:cut], STREAM[cut:]]) == EXPECTED, cut


def test_one_byte_at_a_time() -> None:
    assert decode([STREAM[i : i + 1] for i in range(len(STREAM))]) == EXPECTED


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)])]
    assert decode(chunks) == EXPECTED


def test_crlf_split_between_cr_and_lf_makes_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\n") == [SSEEvent("x")]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode([b"event: ping\n\n: only a comment\n\nretry: 5\n\n"]) == []


def test_unfinished_event_at_end_of_stream_is_dropped() -> None:
    assert decode([b"data: complete\n\ndata: cut off"]) == [SSEEvent("complete")]


def test_gradio_heartbeat_lines() -> None:
    stream = b'data: {"msg":"heartbeat","event_id":null}\n\n' * 3
    assert [e.data for e in decode([stream])] == ['{"msg":"heartbeat","event_id":null}'] * 3
