"""The SSE decoder: whatever way the network cuts the bytes, the same events come out, and no line
or event grows past its limit."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime import ProtocolError
from gradio_codegen.runtime._queue import _sse
from gradio_codegen.runtime._queue._sse import SSEDecoder, SSEEvent

STREAM = (
    b"\xef\xbb\xbf: a comment line\r\n"
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
    # The LF completes the CRLF; read as a line end of its own it would be a blank line and
    # dispatch "x" alone.
    assert decoder.feed(b"\ndata: y\r") == []
    assert decoder.feed(b"\n\r") == [SSEEvent("x\ny")]
    assert decoder.feed(b"\ndata: z\n\n") == [SSEEvent("z")]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode([b"event: ping\n\n: only a comment\n\nretry: 5\n\n"]) == []


def test_unfinished_event_at_end_of_stream_is_dropped() -> None:
    assert decode([b"data: complete\n\ndata: cut off"]) == [SSEEvent("complete")]


def test_gradio_heartbeat_lines() -> None:
    stream = b'data: {"msg":"heartbeat","event_id":null}\n\n' * 3
    assert [e.data for e in decode([stream])] == ['{"msg":"heartbeat","event_id":null}'] * 3


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_a_line_past_the_limit_is_a_protocol_error_however_it_is_cut(size: int) -> None:
    decoder = SSEDecoder(max_line=1000, max_event=10_000)
    with pytest.raises(
        ProtocolError,
        match=r"a line of at least [\d,]+ bytes, past the 1,000-byte limit \(MAX_LINE_BYTES",
    ):
        for chunk in chunked(b": " + b"x" * 1200 + b"\n", size):
            decoder.feed(chunk)


def test_a_line_at_the_limit_passes() -> None:
    decoder = SSEDecoder(max_line=1000, max_event=10_000)
    line = b"data: " + b"x" * 994
    assert len(line) == 1000
    assert decode_with(decoder, chunked(line + b"\n\n", 100)) == [SSEEvent("x" * 994)]


def decode_with(decoder: SSEDecoder, chunks: list[bytes]) -> list[SSEEvent]:
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events


def test_data_lines_without_the_blank_line_stop_at_the_event_limit() -> None:
    decoder = SSEDecoder(max_line=1000, max_event=10_000)
    line = b"data: " + b"y" * 90 + b"\n"
    with pytest.raises(
        ProtocolError,
        match=r"an event of at least [\d,]+ bytes, past the 10,000-byte limit \(MAX_EVENT_BYTES",
    ):
        for _ in range(200):
            decoder.feed(line)


def test_empty_data_lines_count_towards_the_event_limit() -> None:
    decoder = SSEDecoder(max_line=1000, max_event=10_000)
    with pytest.raises(ProtocolError, match="MAX_EVENT_BYTES"):
        decoder.feed(b"data\n" * 10_001)


def test_the_line_being_received_counts_towards_the_event_limit() -> None:
    decoder = SSEDecoder(max_line=8000, max_event=10_000)
    decoder.feed(b"data: " + b"a" * 5000 + b"\n")
    with pytest.raises(ProtocolError, match="MAX_EVENT_BYTES"):
        decoder.feed(b"data: " + b"b" * 6000)  # not ended yet, and already too much


def test_events_below_the_limits_keep_coming_after_large_ones() -> None:
    decoder = SSEDecoder(max_line=1000, max_event=10_000)
    big = b"".join(b"data: " + b"z" * 900 + b"\n" for _ in range(10)) + b"\n"
    for _ in range(50):  # the limits are per event, not per stream
        [event] = decoder.feed(big)
        assert len(event.data) == 10 * 900 + 9


def test_default_limits_are_the_module_constants() -> None:
    assert _sse.MAX_LINE_BYTES >= 16 * 2**20 and _sse.MAX_EVENT_BYTES >= 16 * 2**20
    decoder = SSEDecoder()
    line = b"data: " + b"q" * (_sse.MAX_LINE_BYTES - 6)
    assert decode_with(decoder, chunked(line + b"\n\n", 2**20)) == [SSEEvent("q" * (len(line) - 6))]
    with pytest.raises(ProtocolError, match="MAX_LINE_BYTES"):
        SSEDecoder().feed(line + b"qq")


def test_a_long_line_fed_in_small_chunks_costs_linear_time() -> None:
    """The bytes buffered before a chunk are never searched or copied again: 8 MiB cut into
    32,768 pieces take well under a second of CPU (copying the pending buffer per piece would move
    about 128 GiB)."""
    line = b"data: " + b"w" * (8 * 2**20)
    chunks = chunked(line + b"\n\n", 256)
    started = time.process_time()
    events = decode_with(SSEDecoder(), chunks)
    assert time.process_time() - started < 5.0
    assert events == [SSEEvent("w" * (8 * 2**20))]
