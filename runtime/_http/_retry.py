"""Retries that can never run a job twice.

Faults are normal: Spaces restart, front ends rate-limit and drop connections. But a retry after
the app may have accepted a job runs the job twice, so what may be retried, on what, is decided
here once, from what was measured against Gradio 4.44, 5.50 and 6.31 (docs/faults.md sections 1
and 7):

* **Any request** is retried when it provably never reached anything: a connect error (refused,
  connect timeout, no pooled connection in time), or a 429 (a rate limiter refuses before the app).
  That includes ``POST {P}/queue/join``: nothing else about a join is ever retried, because a
  reset, a read timeout or a 5xx after the request left may come after the app queued the job.
* **Idempotent requests** -- every ``GET`` (``/config``, ``{P}/info``, downloads, the event
  stream before its 200), and the ``POST``s marked with ``idempotent()`` (uploads: the same bytes
  again; ``/cancel`` and ``/reset``: a second cancel does nothing) -- are also retried on a broken
  connection (``ReadError``, ``WriteError``, ``RemoteProtocolError``) and on 502, 503 and 504.
* **A body sent once is not sent again** unless it can be: bytes can, and so can a
  ``Replayable`` stream, which starts again from its first byte at each attempt (an upload re-read
  from its file); any other stream only if not one byte of it was taken yet (a connect error).
* **Gradio's own "Queue is full"** (503 with its JSON ``detail``) is retried only with
  ``retry_queue_full``: the job never ran, but retrying competes with every other user of a busy
  app, so it is the caller's choice.

Waiting: full jitter, ``uniform(0, min(8, 0.5 * 2**attempt))`` seconds, or the server's
``Retry-After`` (delta-seconds or an HTTP-date; on a 429 also the ``RateLimit`` header's ``t`` when
``r=0``) when that is longer. Every wait counts against the operation's deadline (``_deadline``):
a retry whose wait would end past it is not made, and the last answer goes back to the caller, whose
error then carries the server's ``retry_after``. Without a deadline a wait is capped at 60 s.

The policy travels with the operation in a context variable (``retrying(...)``, set by the client
around each step from its ``max_retries`` and ``retry_queue_full`` options, like the deadline), and
is applied under httpx by ``RetryTransport`` / ``AsyncRetryTransport``, which wrap every transport
the runtime builds (``_clients``): uploads, downloads, the event stream's reader and Space requests
get it without knowing about it. The stream's reader runs outside any call, so the session
sets its own ``retrying`` from the client's ``max_retries``. Outside ``retrying`` the default policy
holds (``DEFAULT_MAX_RETRIES``, no retry of "Queue is full"); ``retrying(0)`` turns retries off.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Callable, cast

import httpx

from . import _deadline

__all__ = [
    "RetryPolicy",
    "RetryTransport",
    "AsyncRetryTransport",
    "Replayable",
    "retrying",
    "idempotent",
    "policy",
    "backoff",
    "retry_after",
    "is_gradio_queue_full",
    "DEFAULT_MAX_RETRIES",
]

DEFAULT_MAX_RETRIES = 2
"""Retries of one request after its first attempt (3 attempts in all), as common SDKs do."""

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
MAX_WAIT_WITHOUT_DEADLINE = 60.0
"""The longest wait before a retry when the operation has no deadline (``timeout=None``)."""

_HEADER_CHARS = 64  # Retry-After / RateLimit values longer than this are ignored, not parsed
_QUEUE_FULL_BODY = 4096  # bytes of a 503's body read to tell Gradio's "Queue is full" apart
_RETRY_STATUSES = frozenset({502, 503, 504})
_BROKEN = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_DELTA = re.compile(r"[0-9]{1,9}")
_RATELIMIT_T = re.compile(r"(?:^|[;,\s])t=([0-9]{1,9})(?:$|[;,\s])")
_RATELIMIT_R0 = re.compile(r"(?:^|[;,\s])r=0(?:$|[;,\s])")


@dataclass(frozen=True)
class RetryPolicy:
    """How one operation retries: ``max_retries`` after the first attempt; ``idempotent`` allows
    the retries only safe for requests that can be repeated; ``retry_queue_full`` also retries
    Gradio's "Queue is full"."""

    max_retries: int = DEFAULT_MAX_RETRIES
    retry_queue_full: bool = False
    idempotent: bool = False


_sleep = time.sleep  # module-level, so a test can replace them for this module alone
_jitter = random.random

_policy: ContextVar[RetryPolicy | None] = ContextVar("gradio_codegen_retry", default=None)


_DEFAULT = RetryPolicy()


def policy() -> RetryPolicy:
    """The policy in force: the innermost ``retrying``'s, else the default."""
    return _policy.get() or _DEFAULT


@contextmanager
def retrying(max_retries: int, *, retry_queue_full: bool = False) -> Iterator[None]:
    """Requests made in the block are retried under this policy (an inner ``idempotent()`` keeps
    it and widens what may be retried)."""
    outer = policy()
    token = _policy.set(
        RetryPolicy(
            max_retries=max_retries,
            retry_queue_full=retry_queue_full,
            idempotent=outer.idempotent,
        )
    )
    try:
        yield
    finally:
        _policy.reset(token)


@contextmanager
def idempotent() -> Iterator[None]:
    """Requests made in the block may be sent again after a broken connection or a 502/503/504
    (uploads, cancels): the app doing them twice does no harm."""
    token = _policy.set(replace(policy(), idempotent=True))
    try:
        yield
    finally:
        _policy.reset(token)


# -- waiting --------------------------------------------------------------------------------------


def backoff(attempt: int, rnd: Callable[[], float] | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first): full jitter."""
    return (rnd or _jitter)() * min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** min(attempt, 16))


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds: ``Retry-After`` as delta-seconds or HTTP-date
    (a past date is 0), or on a 429 the ``RateLimit`` header's ``t`` when ``r=0``. ``None`` when
    it asked for nothing readable; header values are untrusted, so only short ones are parsed."""
    value = response.headers.get("retry-after", "").strip()
    if value and len(value) <= _HEADER_CHARS:
        if _DELTA.fullmatch(value):
            return float(int(value))
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None and when.tzinfo is not None:
            seconds = when.timestamp() - (time.time() if now is None else now)
            return max(0.0, seconds)
    if response.status_code == 429:
        limit = response.headers.get("ratelimit", "")
        if limit and len(limit) <= _HEADER_CHARS and _RATELIMIT_R0.search(limit):
            found = _RATELIMIT_T.search(limit)
            if found:
                return float(int(found.group(1)))
    return None


def _wait(attempt: int, response: httpx.Response | None) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` when it would end past the deadline."""
    wait = backoff(attempt)
    asked = retry_after(response) if response is not None else None
    if asked is not None:
        wait = max(wait, asked)
    left = _deadline.remaining()
    if left is None:
        return min(wait, MAX_WAIT_WITHOUT_DEADLINE) if asked is None or asked <= 60 else None
    return wait if wait < left else None


# -- what may be retried --------------------------------------------------------------------------


def is_gradio_queue_full(status: int, body: bytes) -> bool:
    """Gradio's own refusal of a join: ``503 {"detail": "Queue is full. Max size is ..."}``."""
    return status == 503 and b'"Queue is full' in body[:_QUEUE_FULL_BODY]


def _repeatable(request: httpx.Request, rules: RetryPolicy) -> bool:
    return rules.idempotent or request.method in ("GET", "HEAD")


def _retry_failure(exc: Exception, request: httpx.Request, rules: RetryPolicy) -> bool:
    """Whether a request that failed with ``exc`` may be sent again."""
    if isinstance(exc, _NOT_SENT):
        return True
    return isinstance(exc, _BROKEN) and _repeatable(request, rules)


def _retry_status(
    status: int, body: bytes | None, request: httpx.Request, rules: RetryPolicy
) -> bool:
    """Whether an answer with ``status`` may be retried; ``body`` is the start of a 503's body."""
    if status == 429:
        return True
    if status == 503 and body is not None and is_gradio_queue_full(status, body):
        return rules.retry_queue_full
    return status in _RETRY_STATUSES and _repeatable(request, rules)


class Replayable(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A request body that starts again from its first byte each time it is iterated (an upload
    re-read from its file), so a request may be sent again even after part of it went out.
    ``replayable`` is False when it cannot start again (a caller's stream that cannot seek)."""

    replayable = True


class _Taken(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Wraps a request body that may not be replayable, noting whether anything read it."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream) -> None:
        self.stream = stream
        self.taken = False

    def __iter__(self) -> Iterator[bytes]:
        self.taken = True
        yield from cast(Iterable[bytes], self.stream)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.taken = True
        async for chunk in cast(AsyncIterable[bytes], self.stream):
            yield chunk

    def close(self) -> None:
        if isinstance(self.stream, httpx.SyncByteStream):
            self.stream.close()

    async def aclose(self) -> None:
        if isinstance(self.stream, httpx.AsyncByteStream):
            await self.stream.aclose()


def _watch_body(request: httpx.Request) -> _Taken | None:
    """``None`` when the body can be sent again as it is (none, bytes, a ``Replayable``); else
    its watcher."""
    stream = request.stream
    if isinstance(stream, httpx.ByteStream) or (
        isinstance(stream, Replayable) and stream.replayable
    ):
        return None
    watched = _Taken(stream)
    request.stream = watched
    return watched


def _replay(response: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    """The answer, handed on after its (short) body was read here to decide."""
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=body,
        request=request,
        extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
    )


# -- the two senders ------------------------------------------------------------------------------


class _Attempts:
    """The attempts at one request under the policy in force, with every decision and no I/O.

    A sender loops ``while True: with tries: <send, maybe return the answer, close it>`` and
    sleeps ``tries.wait`` after the block: ``final(response)`` says whether an answer goes back
    to the caller, and leaving the block with an exception either keeps it (a retry, after
    ``wait``) or lets it go on to the caller. A ``BaseException`` (a cancellation) always goes on.
    """

    def __init__(self, request: httpx.Request, rules: RetryPolicy) -> None:
        self.request = request
        self.rules = rules
        self.body = _watch_body(request)
        self.made = 0  # retries made so far
        self.wait = 0.0  # before the next attempt, once one was decided

    def final(self, response: httpx.Response) -> bool:
        """Whether ``response`` (its body's start read when that decides) goes back to the caller;
        False: it is closed and the request sent again after ``wait``."""
        status = response.status_code
        start = response.content if _wants_start(response) else None
        if status < 400 or not _retry_status(status, start, self.request, self.rules):
            return True
        return not self._again(response)

    def __enter__(self) -> _Attempts:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> bool:
        """True keeps ``error``: the request is sent again after ``wait``."""
        if not isinstance(error, Exception):
            return False
        return _retry_failure(error, self.request, self.rules) and self._again(None)

    def _again(self, response: httpx.Response | None) -> bool:
        """Whether a retry is left, the body can go again and the wait ends before the deadline;
        if so, the retry is counted and its wait noted."""
        if self.made >= self.rules.max_retries or (self.body is not None and self.body.taken):
            return False
        wait = _wait(self.made, response)
        if wait is None:
            return False
        self.made += 1
        self.wait = wait
        return True


class RetryTransport(httpx.BaseTransport):
    """Wraps a sync transport: each request is retried under the policy in force."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        rules = policy()
        if rules.max_retries <= 0:
            return self.inner.handle_request(request)
        tries = _Attempts(request, rules)
        while True:
            with tries:
                response = _with_start(self.inner.handle_request(request), request)
                if tries.final(response):
                    return response
                response.close()
            _sleep(tries.wait)

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """``RetryTransport`` for async clients."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        from .._asyncio import asyncio

        rules = policy()
        if rules.max_retries <= 0:
            return await self.inner.handle_async_request(request)
        tries = _Attempts(request, rules)
        while True:
            with tries:
                answer = await self.inner.handle_async_request(request)
                response = await _awith_start(answer, request)
                if tries.final(response):
                    return response
                await response.aclose()
            await asyncio.sleep(tries.wait)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _wants_start(response: httpx.Response) -> bool:
    """Whether the answer's first bytes decide (a 503: Gradio's "Queue is full" or not)."""
    return response.status_code == 503


def _with_start(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """The answer; when its start decides, a copy with at most ``_QUEUE_FULL_BODY`` bytes of its
    body, read here (the connection's response is closed)."""
    if not _wants_start(response):
        return response
    body = b""
    try:
        for chunk in response.stream:  # type: ignore[union-attr]
            body += chunk
            if len(body) >= _QUEUE_FULL_BODY:
                break
    finally:
        response.close()
    return _replay(response, body[:_QUEUE_FULL_BODY], request)


async def _awith_start(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    if not _wants_start(response):
        return response
    body = b""
    try:
        async for chunk in response.stream:  # type: ignore[union-attr]
            body += chunk
            if len(body) >= _QUEUE_FULL_BODY:
                break
    finally:
        await response.aclose()
    return _replay(response, body[:_QUEUE_FULL_BODY], request)
