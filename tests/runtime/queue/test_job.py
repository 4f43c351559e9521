"""The job state machine, fed canned queue messages (as the server sends them)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from gradio_codegen.runtime import (
    AppError,
    AsyncJob,
    GradioTimeoutError,
    Job,
    JobCancelledError,
    LogMessage,
    ProgressUnit,
    ProtocolError,
    ServerUnavailableError,
    Status,
)
from gradio_codegen.runtime._queue import _messages as m
from gradio_codegen.runtime._queue._messages import parse_message

E = "3f48af0c30434c8a90b14abcb62dcbb1"


def msg(kind: str, **fields: Any) -> str:
    return json.dumps({"msg": kind, "event_id": E, **fields})


def completed(data: list[Any]) -> str:
    return msg("process_completed", output={"data": data, "is_generating": False}, success=True)


def generating(data: list[Any]) -> str:
    return msg("process_generating", output={"data": data, "is_generating": True}, success=True)


def make_job(diffs: bool = True, timeout: float | None = 5.0) -> tuple[Job[Any], list[str]]:
    cancels: list[str] = []
    job: Job[Any] = Job(
        endpoint="/echo",
        event_id=E,
        diffs=diffs,
        decode=lambda raw: raw[0],
        cancel=lambda: cancels.append(E),
        timeout=timeout,
    )
    return job, cancels


def feed(job: Job[Any] | AsyncJob[Any], *lines: str) -> bool:
    settled = False
    for line in lines:
        settled = job._deliver(parse_message(line))
    return settled


def test_queue_then_processing_then_result() -> None:
    job, _ = make_job()
    assert job.status().code is Status.STARTING
    feed(job, msg("estimation", rank=1, queue_size=2, rank_eta=1.5))
    status = job.status()
    assert (status.code, status.rank, status.queue_size, status.eta) == (Status.QUEUED, 1, 2, 1.5)
    feed(job, msg("process_starts", eta=0.5))
    assert job.status().code is Status.PROCESSING and not job.done()
    assert feed(job, completed(["hello"])) is True
    assert job.done() and job.result() == "hello"
    assert job.status().code is Status.FINISHED and job.status().success is True
    assert list(job) == ["hello"]  # nothing streamed: iteration yields the result
    assert job.outputs() == ["hello"]


def test_progress_and_logs_are_reported() -> None:
    job, _ = make_job()
    feed(
        job,
        msg(
            "progress",
            progress_data=[
                {"index": 1, "length": 3, "unit": "steps", "progress": None, "desc": "working"}
            ],
        ),
        msg("log", log="info: x", level="info", duration=10.0, visible=True, title="Info"),
        msg("log", log="warning: x", level="warning"),  # Gradio 4: no title
    )
    status = job.status()
    assert status.code is Status.PROCESSING
    assert status.progress == (ProgressUnit(1, 3, "steps", None, "working"),)
    assert status.logs == (
        LogMessage("info: x", "info", "Info"),
        LogMessage("warning: x", "warning", None),
    )


def test_streamed_diffs_rebuild_every_output_in_order() -> None:
    job, _ = make_job()
    feed(
        job,
        generating(["0 "]),
        generating([[["append", [], "1 "]]]),
        generating([[["append", [], "2 "]]]),
    )
    assert job.status().code is Status.STREAMING
    feed(job, completed(["0 1 2 "]))
    assert list(job) == ["0 ", "0 1 ", "0 1 2 "]
    assert job.outputs() == ["0 ", "0 1 ", "0 1 2 "]
    assert job.result() == "0 1 2 "


def test_sse_v1_has_no_diffs() -> None:
    job, _ = make_job(diffs=False)
    feed(job, generating(["a"]), generating(["ab"]), completed(["ab"]))
    assert list(job) == ["a", "ab"]


def test_output_past_the_known_ones_starts_from_null() -> None:
    job: Job[Any] = Job(
        endpoint="/x", event_id=E, diffs=True, decode=list, cancel=lambda: None, timeout=1
    )
    feed(job, generating(["a"]), generating([[["append", [], "b"]], [["replace", [], 1]]]))
    feed(job, completed(["ab", 1]))
    assert job.outputs() == [["a"], ["ab", 1]]


@pytest.mark.parametrize(
    "output, title, message",
    [
        (
            {"error": "Bad input: x", "duration": 10, "visible": True, "title": "Error"},
            "Error",
            "Bad input: x",
        ),
        (
            {"error": "'Bad input: x'", "duration": 10, "visible": True},
            None,
            "Bad input: x",
        ),  # Gradio 4
        ({"error": '"it\'s bad"', "duration": 10, "visible": True}, None, "it's bad"),
        ({"error": "'quoted on purpose'", "title": "Error"}, "Error", "'quoted on purpose'"),
    ],
)
def test_app_error_carries_the_apps_message(
    output: dict[str, Any], title: str | None, message: str
) -> None:
    job, _ = make_job()
    feed(job, msg("process_completed", output=output, success=False, title=title))
    with pytest.raises(AppError) as info:
        job.result()
    assert info.value.message == message
    assert info.value.title == title
    assert info.value.endpoint == "/echo"
    assert job.status().code is Status.FAILED and job.status().success is False


def test_hidden_error_says_how_to_see_it() -> None:
    job, _ = make_job()
    feed(job, msg("process_completed", output={"error": None}, success=False))
    with pytest.raises(AppError, match="show_error=True"):
        job.result()


def test_generator_failing_midway_yields_partial_outputs_then_raises() -> None:
    job, _ = make_job()
    feed(job, generating(["0"]), generating([[["replace", [], "1"]]]))
    feed(
        job,
        msg(
            "process_completed",
            output={"error": "generator failed", "title": "Error"},
            success=False,
        ),
    )
    seen = []
    with pytest.raises(AppError, match="generator failed"):
        for value in job:
            seen.append(value)
    assert seen == ["0", "1"]


def test_result_waits_across_threads() -> None:
    job, _ = make_job()
    timer = threading.Timer(0.2, feed, (job, completed(["late"])))
    timer.start()
    assert job.result(timeout=5) == "late"


def test_iteration_follows_outputs_as_they_arrive() -> None:
    job, _ = make_job()

    def produce() -> None:
        for i in range(50):
            feed(job, generating([str(i)]) if i == 0 else generating([[["replace", [], str(i)]]]))
        feed(job, completed(["49"]))

    threading.Thread(target=produce).start()
    assert list(job) == [str(i) for i in range(50)]


def test_result_timeout() -> None:
    job, _ = make_job(timeout=0.1)
    with pytest.raises(GradioTimeoutError, match="0.1 s"):
        job.result()
    with pytest.raises(TimeoutError):
        job.result(timeout=0.05)
    assert not job.done()


def test_cancel_tells_the_server_and_ends_waits() -> None:
    job, cancels = make_job()
    feed(job, generating(["0"]))
    done: list[Job[Any]] = []
    job.add_done_callback(done.append)
    assert job.cancel() is True
    assert cancels == [E] and done == [job]
    assert job.status().code is Status.CANCELLED and job.done()
    with pytest.raises(JobCancelledError):
        job.result()
    assert list(job) == ["0"]  # iteration ends quietly after the outputs that came
    assert job.cancel() is False
    # the server confirms with an empty output; the job stays cancelled and is released
    assert feed(job, msg("process_completed", output={}, success=True)) is True
    assert job.status().code is Status.CANCELLED


def test_cancel_after_the_end_is_refused() -> None:
    job, cancels = make_job()
    feed(job, completed(["x"]))
    assert job.cancel() is False and cancels == []


def test_stream_failure_fails_the_job() -> None:
    job, _ = make_job()
    job._fail(ServerUnavailableError("connection dropped"))
    with pytest.raises(ServerUnavailableError, match="connection dropped"):
        job.result()


def test_malformed_diff_fails_only_this_job_with_protocol_error() -> None:
    job, _ = make_job()
    assert feed(job, generating(["a"]), generating([[["append", [], 5]]])) is True
    with pytest.raises(ProtocolError):
        job.result()


@pytest.mark.parametrize(
    "line",
    [
        "not json",
        "[1, 2]",
        '{"no_msg": 1}',
        '{"msg": "process_completed", "event_id": "e", "output": [], "success": true}',
        '{"msg": "process_completed", "event_id": "e", "output": {}}',
        '{"msg": "process_generating", "event_id": "e", "output": {"data": 5}, "success": true}',
        '{"msg": "estimation", "event_id": "e", "rank": "first"}',
        '{"msg": "estimation"}',
        '{"msg": "progress", "event_id": "e", "progress_data": [1]}',
        '{"msg": "estimation", "event_id": "e", "rank": ' + "9" * 10_000 + "}",
        '{"msg": "estimation", "event_id": "e", "rank": ' + "9" * 400 + "}",
        '{"msg": "log", "event_id": "e", "log": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"msg": "log", "event_id": "e", "log": ' + "[" * 500 + "]" * 500 + "}",
        '{"msg": "log", "event_id": "e", "log": ' + '{"a": ' * 300 + "1" + "}" * 300 + "}",
    ],
)
def test_malformed_messages_raise_protocol_error(line: str) -> None:
    with pytest.raises(ProtocolError):
        parse_message(line)


def test_nesting_up_to_the_limit_is_fine_and_odd_numbers_are_unknown() -> None:
    from gradio_codegen.runtime._http._json import MAX_DEPTH

    inner = "[" * (MAX_DEPTH - 4) + "]" * (MAX_DEPTH - 4)
    message = parse_message(generating([inner]).replace(json.dumps(inner), inner))
    assert isinstance(message, m.Generating)
    job, _ = make_job()
    feed(job, msg("estimation", rank=float("nan"), queue_size=float("inf"), rank_eta=1e400))
    status = job.status()
    assert (status.rank, status.queue_size, status.eta) == (None, None, None)
    feed(job, msg("progress", progress_data=[{"index": 10**400, "length": float("nan")}]))
    assert job.status().progress == (ProgressUnit(None, None, None, None, None),)


def test_long_texts_from_the_app_are_cut_saying_so() -> None:
    job, _ = make_job()
    feed(job, msg("log", log="L" * 100_000, level="info", title="T" * 1000))
    [log] = job.status().logs
    assert log.message.endswith("(message cut at 4,096 characters of 100,000)")
    assert len(log.message) < 4200 and log.title is not None and len(log.title) < 300
    feed(
        job,
        msg(
            "process_completed",
            output={"error": "E" * 5_000_000, "duration": 10**400},
            success=False,
        ),
    )
    with pytest.raises(AppError) as info:
        job.result()
    assert info.value.message.endswith("(message cut at 4,096 characters of 5,000,000)")
    assert info.value.duration is None


def test_unknown_message_kinds_are_tolerated() -> None:
    job, _ = make_job()
    feed(job, msg("some_future_message", detail=1), completed(["ok"]))
    assert job.result() == "ok"


def test_async_job_streams_and_finishes() -> None:
    async def main() -> tuple[list[Any], Any, list[Any]]:
        async def decode(raw: list[Any]) -> Any:
            return raw[0]

        async def cancel() -> None:
            return None

        job: AsyncJob[Any] = AsyncJob(
            endpoint="/count", event_id=E, diffs=True, decode=decode, cancel=cancel, timeout=5
        )

        async def produce() -> None:
            feed(job, generating(["0 "]))
            for i in range(1, 4):
                await asyncio.sleep(0.01)
                feed(job, generating([[["append", [], f"{i} "]]]))
            feed(job, completed(["0 1 2 3 "]))

        task = asyncio.create_task(produce())
        seen = [value async for value in job]
        await task
        return seen, await job.result(), job.outputs()

    seen, result, outputs = asyncio.run(main())
    assert seen == ["0 ", "0 1 ", "0 1 2 ", "0 1 2 3 "]
    assert result == "0 1 2 3 " and outputs == seen


def test_async_job_timeout_and_cancel() -> None:
    async def main() -> None:
        sent: list[str] = []

        async def decode(raw: list[Any]) -> Any:
            return raw[0]

        async def cancel() -> None:
            sent.append("cancel")

        job: AsyncJob[Any] = AsyncJob(
            endpoint="/sleepy", event_id=E, diffs=True, decode=decode, cancel=cancel, timeout=0.05
        )
        with pytest.raises(GradioTimeoutError):
            await job.result()
        waiter = asyncio.create_task(job.result(timeout=5))
        await asyncio.sleep(0.01)
        assert await job.cancel() is True and sent == ["cancel"]
        with pytest.raises(JobCancelledError):
            await waiter
        assert job.status().code is Status.CANCELLED

    asyncio.run(main())


def test_async_outputs_are_decoded_on_demand_without_files() -> None:
    async def main() -> list[Any]:
        async def decode(raw: list[Any]) -> Any:
            raise AssertionError("no awaiting needed for file-free outputs")

        async def cancel() -> None:
            return None

        job: AsyncJob[Any] = AsyncJob(
            endpoint="/count",
            event_id=E,
            diffs=True,
            decode=decode,
            cancel=cancel,
            timeout=5,
            decode_now=lambda raw: raw[0],
        )
        feed(job, generating(["a"]), generating([[["append", [], "b"]]]), completed(["ab"]))
        return job.outputs()

    assert asyncio.run(main()) == ["a", "ab"]
