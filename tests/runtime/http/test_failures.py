"""Errors tell the truth about whether the app may have run the function (docs/faults.md 7.5):
what each failure proves about the request, as ``may_have_run``, and a 503 is "queue full" only in
Gradio's own words."""

from __future__ import annotations

import httpx
import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime._http._failures import status_error, transport_error

JOIN = httpx.Request("POST", "http://app.test/gradio_api/queue/join")


@pytest.mark.parametrize(
    ("exc", "error", "may_have_run"),
    [
        (httpx.ConnectError, rt.ServerUnavailableError, False),
        (httpx.ConnectTimeout, rt.GradioTimeoutError, False),
        (httpx.PoolTimeout, rt.GradioTimeoutError, False),
        (httpx.ReadError, rt.ServerUnavailableError, True),
        (httpx.WriteError, rt.ServerUnavailableError, True),
        (httpx.RemoteProtocolError, rt.ServerUnavailableError, True),
        (httpx.ReadTimeout, rt.GradioTimeoutError, True),
    ],
)
def test_a_broken_request_says_whether_it_may_have_reached_the_app(
    exc: type[httpx.HTTPError], error: type[rt.GradioError], may_have_run: bool
) -> None:
    found = transport_error(exc("boom", request=JOIN), action="joining the queue")
    assert type(found) is error
    assert found.may_have_run is may_have_run
    assert ("may have received the request" in str(found)) is may_have_run


def refusal(status: int, body: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers, request=JOIN)


def test_gradios_queue_full_is_queue_full_and_never_ran() -> None:
    found = status_error(
        refusal(503, {"detail": "Queue is full. Max size is 1 and size is 1."}), action="joining"
    )
    assert isinstance(found, rt.QueueFullError)
    assert found.may_have_run is False and found.status_code == 503 and found.retry_after is None
    assert "Queue is full" in str(found) and "not run" in str(found)


def test_a_front_ends_503_is_not_queue_full_and_may_have_run() -> None:
    found = status_error(refusal(503, {"detail": "upstream connect error"}), action="joining")
    assert type(found) is rt.ServerUnavailableError
    assert found.may_have_run is True


@pytest.mark.parametrize("status", [500, 502, 504, 522])
def test_front_end_errors_may_have_run(status: int) -> None:
    found = status_error(refusal(status, {"detail": "bad gateway"}), action="joining")
    assert found.may_have_run is True


def test_a_rate_limit_never_ran_and_says_how_long_to_wait() -> None:
    found = status_error(refusal(429, {"detail": "slow down"}, **{"retry-after": "7"}), action="x")
    assert isinstance(found, rt.QueueFullError)
    assert found.may_have_run is False and found.status_code == 429 and found.retry_after == 7.0
    assert "try again in 7 s" in str(found)


@pytest.mark.parametrize(
    ("error", "may_have_run"),
    [
        (rt.InputError("x"), False),
        (rt.AuthenticationError("x"), False),
        (rt.QueueFullError("x"), False),
        (rt.AppChangedError("x"), False),
        (rt.SpaceNotFoundError("x"), False),
        (rt.FileTooLargeError("x", size=2, limit=1, direction="upload"), False),
        (rt.FileTooLargeError("x", size=2, limit=1, direction="download"), True),
        (rt.AppError("x"), True),
        (rt.JobCancelledError("x"), True),
        (rt.ServerUnavailableError("x"), True),
        (rt.GradioTimeoutError("x"), True),
        (rt.ProtocolError("x"), True),
        (rt.GradioError("x"), True),  # an error nobody thought about never claims safety
        (rt.ServerUnavailableError("x", may_have_run=False), False),
    ],
)
def test_may_have_run_is_false_only_where_the_job_provably_never_ran(
    error: rt.GradioError, may_have_run: bool
) -> None:
    assert error.may_have_run is may_have_run
