"""The session demultiplexer: any interleaving of several events' messages reaches the right jobs,
in order, whether a job registered before or after its first messages arrived."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gradio_codegen.runtime import GradioError
from gradio_codegen.runtime import _messages as m
from gradio_codegen.runtime._plan import protocol_flags
from gradio_codegen.runtime._session import _Demux


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


def script(event_id: str, yields: int) -> list[m.Message]:
    return [
        m.Estimation(event_id, 0, 1, None),
        m.ProcessStarts(event_id, None),
        *(m.Generating(event_id, [i]) for i in range(yields)),
        m.Completed(event_id, True, {"data": [yields]}, None),
    ]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
    st.sampled_from(["sse_v1", "sse_v2", "sse_v3"]),
)
def test_every_job_gets_exactly_its_messages(yields: list[int], rnd: Any, protocol: str) -> None:
    demux = _Demux("h", protocol_flags(protocol))
    scripts = {f"e{i}": script(f"e{i}", n) for i, n in enumerate(yields)}
    # the stream: each event's messages in order, events interleaved at random, heartbeats between
    queues = {k: list(v) for k, v in scripts.items()}
    stream: list[m.Message] = []
    while any(queues.values()):
        key = rnd.choice([k for k, q in queues.items() if q])
        stream.append(queues[key].pop(0))
        if rnd.random() < 0.2:
            stream.append(m.Heartbeat())
    # each job registers (its join returns) at a random point of the stream, maybe after its end
    register_at = {k: rnd.randint(0, len(stream)) for k in scripts}
    jobs = {k: Recorder() for k in scripts}
    demux.in_flight = len(scripts)
    ended_early = False
    for position in range(len(stream) + 1):
        for key in [k for k, at in register_at.items() if at == position]:
            demux._adopt(key, jobs[key])
        if position < len(stream) and not ended_early:
            ended_early = demux._route(stream[position])
    for key, job in jobs.items():
        assert job.failed is None
        assert job.seen == scripts[key], key
    assert demux.jobs == {} and demux.in_flight == 0
    assert not demux._wanted()


def test_session_not_found_while_only_a_join_is_in_flight_ends_the_stream_quietly() -> None:
    demux = _Demux("h", protocol_flags("sse_v3"))
    demux.in_flight = 1
    assert demux._route(m.UnexpectedError(None, "404: Not Found", True)) is True
    assert demux._finish_stream(None, True) is True  # reopened: the join is still on its way


def test_session_lost_by_the_server_fails_pending_jobs() -> None:
    demux = _Demux("h", protocol_flags("sse_v3"))
    demux.in_flight = 1
    job = Recorder()
    demux._adopt("e1", job)
    assert demux._route(m.UnexpectedError(None, "404: Session not found.", True)) is True
    assert job.failed is not None and "no longer knows this session" in str(job.failed)


def test_stream_end_without_close_fails_pending_jobs_and_stops() -> None:
    demux = _Demux("h", protocol_flags("sse_v3"))
    demux.in_flight = 1
    job = Recorder()
    demux._adopt("e1", job)
    demux.running = True
    assert demux._finish_stream(None, ended_by_server=False) is False
    assert job.failed is not None and not demux.running
