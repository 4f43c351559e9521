"""The session demultiplexer: any interleaving of several events' messages reaches the right jobs,
in order, whether a job registered before or after its first messages arrived; and what a hostile
stream sends besides stays bounded (kept messages, reconnections, time without news)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime import GradioError, ProtocolError, ServerUnavailableError
from gradio_codegen.runtime._queue import _messages as m
from gradio_codegen.runtime._queue import _session
from gradio_codegen.runtime._queue._plan import protocol_flags
from gradio_codegen.runtime._queue._session import _Demux


class Recorder:
    def __init__(self) -> None:
        self.seen: list[m.Message] = []
        self.failed: GradioError | None = None
        self.finished = False

    @property
    def _pending(self) -> bool:
        return not self.finished

    def _deliver(self, msg: m.Message) -> bool:
        self.seen.append(msg)
        if isinstance(msg, m.Completed):
            self.finished = True
        return self.finished

    def _fail(self, error: GradioError) -> None:
        self.failed = error
        self.finished = True

    def add_done_callback(self, fn: Any) -> None:
        pass


def text(kind: str, event_id: str | None, **fields: Any) -> str:
    return json.dumps({"msg": kind, "event_id": event_id, **fields})


def script(event_id: str, yields: int) -> list[str]:
    return [
        text("estimation", event_id, rank=0, queue_size=1, rank_eta=None),
        text("process_starts", event_id, eta=None),
        *(
            text("process_generating", event_id, output={"data": [i]}, success=True)
            for i in range(yields)
        ),
        text("process_completed", event_id, output={"data": [yields]}, success=True),
    ]


HEARTBEAT = text("heartbeat", None)
CLOSE = text("close_stream", None)


class Clock:
    """Stands in for the session's ``time`` module, so tests move time instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_session, "time", fake)
    return fake


def demux(protocol: str = "sse_v3", joins: int = 0) -> _Demux:
    d: _Demux[None] = _Demux("h", protocol_flags(protocol), None)  # fed by hand, never opens
    d.in_flight = joins
    d.running = True
    return d


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
    st.sampled_from(["sse_v1", "sse_v2", "sse_v3"]),
)
def test_every_job_gets_exactly_its_messages(yields: list[int], rnd: Any, protocol: str) -> None:
    d = demux(protocol, joins=len(yields))
    scripts = {f"e{i}": script(f"e{i}", n) for i, n in enumerate(yields)}
    # the stream: each event's messages in order, events interleaved at random, heartbeats between
    queues = {k: list(v) for k, v in scripts.items()}
    stream: list[str] = []
    while any(queues.values()):
        key = rnd.choice([k for k, q in queues.items() if q])
        stream.append(queues[key].pop(0))
        if rnd.random() < 0.2:
            stream.append(HEARTBEAT)
    # each job registers (its join returns) at a random point of the stream, maybe after its end
    register_at = {k: rnd.randint(0, len(stream)) for k in scripts}
    jobs = {k: Recorder() for k in scripts}
    ended_early = False
    for position in range(len(stream) + 1):
        for key in [k for k, at in register_at.items() if at == position]:
            d._adopt(key, jobs[key])
        if position < len(stream) and not ended_early:
            ended_early = d._on_text(stream[position])
    for key, job in jobs.items():
        assert job.failed is None
        assert job.seen == [m.parse_message(t) for t in scripts[key]], key
    assert d.jobs == {} and d.in_flight == 0 and d.orphans == {}
    assert not d._wanted()


def test_session_not_found_while_only_a_join_is_in_flight_ends_the_stream_quietly() -> None:
    d = demux(joins=1)
    assert d._on_text(
        text("unexpected_error", None, message="404: Not Found", session_not_found=True)
    )
    assert d._finish_stream(None, True) is True  # reopened: the join is still on its way


def test_session_lost_by_the_server_fails_pending_jobs() -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    assert d._on_text(text("unexpected_error", None, message="404: Session not found."))
    assert job.failed is not None and "no longer knows this session" in str(job.failed)


def test_unexpected_error_text_is_cut() -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    d._on_text(text("unexpected_error", "e1", message="x" * 1_000_000))
    assert job.failed is not None
    assert len(str(job.failed)) < 5000 and "cut at 4,096 characters of 1,000,000" in str(job.failed)


def test_stream_end_without_close_reopens_once_then_fails_pending_jobs_and_stops() -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    assert d._finish_stream(None, ended_by_server=False) is True  # a front end may have cut it
    assert job.failed is None
    assert d._finish_stream(None, ended_by_server=False) is False
    assert isinstance(job.failed, ServerUnavailableError) and job.failed.may_have_run
    assert "may have run the function" in str(job.failed)
    assert not d.running


def test_a_broken_stream_then_session_not_found_says_the_jobs_were_dropped() -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    assert d._finish_stream(ServerUnavailableError("reset"), False, broke=True) is True
    assert job.failed is None
    lost = text("unexpected_error", None, message="404: Not Found", session_not_found=True)
    assert d._on_text(lost) is True
    assert isinstance(job.failed, ServerUnavailableError) and job.failed.may_have_run
    assert "the event stream broke and the app dropped this session's jobs" in str(job.failed)


# -- messages for events nobody registered -------------------------------------------------------


def test_messages_for_unknown_events_are_dropped_when_no_join_is_in_flight() -> None:
    d = demux()
    job = Recorder()
    d.in_flight = 1
    d._adopt("e1", job)
    for i in range(5000):
        assert d._on_text(text("process_starts", f"stranger{i}", eta=None)) is False
    assert d.orphans == {} and d._orphan_count == 0 and d._orphan_bytes == 0
    assert d.news == 0  # nor do they count as news of the waiting job


def test_kept_messages_are_bounded_in_count() -> None:
    d = demux(joins=1)
    for i in range(50_000):  # a flood for ids nobody will ever claim, while a join is in flight
        d._on_text(text("process_starts", f"stranger{i}", eta=None))
        assert d._orphan_count <= _session.MAX_ORPHAN_MESSAGES
    assert len(d._dropped) <= _session._MAX_DROPPED_IDS
    job = Recorder()
    d._adopt("stranger49999", job)  # the last join: everything kept is forgotten now
    assert job.failed is None and len(job.seen) == 1
    assert d.orphans == {} and d._dropped == {} and d._orphan_count == d._orphan_bytes == 0


def test_a_job_whose_kept_messages_were_dropped_fails_instead_of_waiting() -> None:
    d = demux(joins=2)
    for i in range(_session.MAX_ORPHAN_MESSAGES):
        d._on_text(text("log", "chatty", log=f"line {i}"))
    d._on_text(text("process_starts", "next", eta=None))  # no room: the oldest event's go
    job = Recorder()
    assert d._adopt("chatty", job) is False
    assert isinstance(job.failed, ProtocolError)
    assert "first messages were among those dropped" in str(job.failed)
    other = Recorder()
    d._adopt("next", other)
    assert other.failed is None and len(other.seen) == 1 and "next" in d.jobs


def test_kept_messages_are_bounded_in_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_session, "MAX_ORPHAN_BYTES", 10_000)
    d = demux(joins=1)
    for i in range(100):
        d._on_text(text("log", f"e{i}", log="z" * 1000))
        assert d._orphan_bytes <= 10_000
    assert 5 <= d._orphan_count <= 10
    d._on_text(text("log", "huge", log="z" * 20_000))  # larger than the whole budget: dropped
    assert "huge" not in d.orphans


def test_early_messages_reach_their_job_when_its_join_returns() -> None:
    d = demux(joins=1)
    for line in script("e1", 2):
        d._on_text(line)
    job = Recorder()
    assert d._adopt("e1", job) is False  # settled from what was kept: no reader needed
    assert job.seen == [m.parse_message(t) for t in script("e1", 2)]


# -- when the stream ends ------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["sse_v1", "sse_v2"])
def test_old_protocols_end_the_stream_at_the_last_result(protocol: str) -> None:
    d = demux(protocol, joins=1)
    job = Recorder()
    d._adopt("e1", job)
    assert d._on_text(script("e1", 0)[0]) is False
    assert d._on_text(script("e1", 0)[-1]) is True


@pytest.mark.parametrize("after", [CLOSE, HEARTBEAT, text("process_starts", "stranger", eta=None)])
def test_sse_v3_reads_one_more_message_after_the_last_result(after: str) -> None:
    d = demux("sse_v3", joins=1)
    job = Recorder()
    d._adopt("e1", job)
    assert d._on_text(script("e1", 0)[-1]) is False  # the app's close_stream should come next
    assert d._on_text(after) is True  # whatever it is, the stream ends with it


def test_sse_v3_reads_at_most_a_few_kib_after_the_last_result() -> None:
    d = demux("sse_v3", joins=1)
    d._adopt("e1", Recorder())
    d._on_text(script("e1", 0)[-1])
    assert d._stop_reading(1000) is False
    assert d._stop_reading(_session._DRAIN_BYTES) is True


def test_a_new_join_keeps_the_stream_open_after_the_last_result() -> None:
    d = demux("sse_v3", joins=1)
    d._adopt("e1", Recorder())
    d._on_text(script("e1", 0)[-1])
    d.in_flight += 1
    assert d._on_text(HEARTBEAT) is False
    assert d._stop_reading(10 * _session._DRAIN_BYTES) is False


# -- time and reconnections ----------------------------------------------------------------------


def test_bytes_without_news_or_heartbeat_for_the_silence_limit_fail(clock: Clock) -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    d.silence = 10.0
    d._alive = clock.now
    for _ in range(9):
        clock.now += 1
        assert d._stop_reading(100) is False
        d._on_text(text("process_starts", "stranger", eta=None))  # not news of e1
    d._on_text(HEARTBEAT)
    clock.now += 9
    assert d._stop_reading(100) is False  # the heartbeat counted
    clock.now += 2
    with pytest.raises(
        ServerUnavailableError, match="no news of the waiting jobs and no heartbeat for 10 s"
    ):
        d._stop_reading(100)


def test_reopening_backs_off_while_streams_bring_no_news_of_a_registered_job(clock: Clock) -> None:
    d = demux(joins=1)
    d._adopt("e1", Recorder())
    pauses = []
    for _ in range(8):
        before = d.news
        d._on_text(text("process_starts", "stranger", eta=None))  # messages, but not news
        pauses.append(d._backoff(before))
        clock.now += pauses[-1]
    assert pauses == sorted(pauses) and pauses[0] > 0 and pauses[-1] == _session._MAX_BACKOFF
    before = d.news
    d._on_text(text("process_starts", "e1", eta=None))
    clock.now += 1
    assert d._backoff(before) == 0.0


def test_reopening_never_happens_more_than_the_rate_limit(clock: Clock) -> None:
    d = demux(joins=1)
    d._adopt("e1", Recorder())
    reopens = []
    while clock.now < 1010:
        before = d.news
        d._on_text(text("log", "e1", log="news every time"))
        clock.now += d._backoff(before) + 0.001
        reopens.append(clock.now)
    assert len(reopens) <= 10 * (_session.MAX_REOPENS_PER_SECOND + 1)


def test_streams_ending_without_news_fail_the_job_after_the_silence_limit(clock: Clock) -> None:
    d = demux(joins=1)
    job = Recorder()
    d._adopt("e1", job)
    d.silence = 5.0
    for _ in range(1000):
        if not d._finish_stream(None, ended_by_server=True):
            break
        clock.now += d._backoff(d.news) + 0.01
    assert isinstance(job.failed, ServerUnavailableError)
    assert "kept ending the event stream without news of the job for 5 s" in str(job.failed)
    assert 1000 + 5 <= clock.now <= 1000 + 6.5 and not d.running


def test_a_join_that_returns_after_close_fails_its_job_instead_of_waiting() -> None:
    d = demux(joins=1)
    d.closed = True
    job = Recorder()
    assert d._adopt("e1", job) is False
    assert isinstance(job.failed, ServerUnavailableError) and "client was closed" in str(job.failed)
    assert d.jobs == {}
