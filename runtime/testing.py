"""Test doubles for code that calls a generated SDK: no app, no network, no threads.

Every generated module has a ``FakeClient`` and an ``AsyncFakeClient``: its own ``Client`` and
``AsyncClient`` with the fakes below mixed in. So each method has the very signature of the real
one, and a call goes through the same argument checks as a live call (count, shapes, files: a
missing path or a file over the app's ``max_file_size`` fails here too) before the fake answers it.

What an endpoint answers is set with the module's typed ``stub_<method>`` methods (a result of the
wrong type is a type error). A call then gets a real ``Job`` / ``AsyncJob``, fed at once and in the
calling thread the queue messages a live app sends, so status, iteration, ``result()``,
``cancel()`` and errors behave as they do live::

    fake = my_sdk.FakeClient()
    fake.stub_echo("hi")                                # echo() returns "hi"
    fake.stub_count(1, 2, 3)                            # a stream: 1, 2, 3; its result is 3
    fake.stub_echo(error=my_sdk.AppError("no GPU"))     # the app fails
    fake.stub_echo(pending=True)                        # the app never answers
    assert fake.calls_to(fake.echo) == [{"text": "hi"}]

An error the app reports for a running job (``AppError``, ``ZeroGPUQuotaError``,
``JobCancelledError``, a ``TransportError`` such as ``ServerUnavailableError``) ends the job:
``submit_*`` returns the job, and its result raises. Any other (``QueueFullError``,
``AuthenticationError``, ``SpaceError``, ``AppChangedError``...) is raised by the call itself, as
when the app refuses a call before it starts. A pending job stays running: waiting for it raises
``GradioTimeoutError`` at once (a call cancels it then, as a live call does on timeout), and
``cancel()`` stops it.
"""

from __future__ import annotations

import itertools
import os
import sys
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ._client import AsyncClient, Client
from ._client_core import _BaseClient
from ._default_client import DefaultClient
from ._errors import AppError, GradioError, JobCancelledError, TransportError
from ._files._values import RemoteFile
from ._options import Shared
from ._queue import _messages as m
from ._queue._job import AsyncJob, Job
from ._spec import Endpoint

__all__ = [
    "FakeClient",
    "AsyncFakeClient",
    "Stubs",
    "RecordedCall",
    "NotStubbedError",
    "remote_file",
]

T = TypeVar("T")
F = TypeVar("F", bound="FakeClient")
J = TypeVar("J", Job[Any], AsyncJob[Any])

# Waits for a job a fake holds pending end at once: nothing will ever finish it.
_NO_WAIT = 0.0


class NotStubbedError(AssertionError):
    """A fake was called for an endpoint that no ``stub_<method>`` gave an answer."""


class RecordedCall(NamedTuple):
    """One call a fake received: the SDK method's name (``submit_echo`` counts as ``echo``) and
    every argument by its parameter's name. Only calls whose arguments passed the checks are
    recorded, as only those reach a live app."""

    method: str
    arguments: dict[str, Any]


class _Answer(NamedTuple):
    """What a stubbed endpoint's job does: the outputs it streams, then its result (``final``
    holds it), an error, or nothing more (pending)."""

    streamed: tuple[Any, ...]
    final: tuple[Any] | None
    error: GradioError | None


class _FakeState:
    """The answers set per endpoint and the calls received, shared by a fake and the copies
    ``with_options`` makes of it."""

    def __init__(self) -> None:
        self.answers: dict[Endpoint[Any], _Answer] = {}
        self.calls: list[RecordedCall] = []
        self.numbers = itertools.count(1)


# Keyed by the connection state a client shares with its ``with_options`` copies, so a stub set
# on one is seen by all (the fakes keep the clients' constructor, signature and all).
_STATES: weakref.WeakKeyDictionary[Shared[Any, Any], _FakeState] = weakref.WeakKeyDictionary()


def _method(endpoint: Endpoint[Any]) -> str:
    return endpoint.python_name or endpoint.api_name.lstrip("/")


def _ends_the_job(error: GradioError) -> bool:
    """Whether a live app reports ``error`` for a job it runs (else the call itself raises it)."""
    return isinstance(error, (AppError, JobCancelledError, TransportError))


def _answer(
    endpoint: Endpoint[Any], outputs: tuple[Any, ...], error: GradioError | None, pending: bool
) -> _Answer:
    """The answer a stub describes, refused when no live app could give it."""
    name = _method(endpoint)
    if error is not None and not isinstance(error, GradioError):
        raise TypeError(
            f"stub_{name}(error=...) takes one of the runtime's errors (AppError, "
            f"ZeroGPUQuotaError, QueueFullError, ...), got {type(error).__name__}"
        )
    if error is not None and pending:
        raise ValueError(f"stub_{name}(): a job fails (error=) or stays pending, not both")
    if error is not None and error.endpoint is None:
        error.endpoint = endpoint.api_name  # as a live call's errors name their endpoint
    streams = endpoint.stream is not False
    if error is None and not pending:
        if not outputs:
            if endpoint.public_outputs:
                raise ValueError(
                    f"stub_{name}() needs what {name}() returns (or error=, or pending=True)"
                )
            outputs = (None,)
        if len(outputs) > 1 and not streams:
            raise ValueError(
                f"{name}() does not stream (the app's function is not a generator): give "
                f"stub_{name}() its one result"
            )
        streamed = outputs if endpoint.stream or len(outputs) > 1 else ()
        return _Answer(streamed, (outputs[-1],), None)
    if outputs and error is not None and not _ends_the_job(error):
        raise ValueError(
            f"stub_{name}(): {type(error).__name__} is raised by the call itself, before a job "
            "exists, so no outputs come before it"
        )
    if outputs and not streams:
        raise ValueError(
            f"{name}() does not stream: it has no outputs before its result, so give "
            f"stub_{name}() none with error= or pending=True"
        )
    return _Answer(tuple(outputs), None, error)


def _feed(job: Job[Any] | AsyncJob[Any], event_id: str, answer: _Answer) -> None:
    """Give ``job`` the messages a live queue sends for ``answer``, in order."""
    job._deliver(m.Estimation(event_id, rank=0, queue_size=1, eta=None))
    job._deliver(m.ProcessStarts(event_id, eta=None))
    for value in answer.streamed:
        job._deliver(m.Generating(event_id, [value]))
    if answer.final is not None:
        job._deliver(m.Completed(event_id, True, {"data": list(answer.final)}, None))
    elif isinstance(answer.error, JobCancelledError):
        # What a live app sends for a job cancelled on its side: completion without data.
        job._deliver(m.Completed(event_id, True, {}, None))
        job._state.error = answer.error
    elif answer.error is not None:
        job._fail(answer.error)


def _first(raw: list[Any]) -> Any:
    """A fake's job holds each value already decoded, alone in its list."""
    return raw[0]


async def _afirst(raw: list[Any]) -> Any:
    return raw[0]


def _no_cancel() -> None:
    """Cancelling a fake's job tells no server."""


async def _ano_cancel() -> None:
    """Cancelling a fake's job tells no server."""


class Stubs(_BaseClient):
    """What both fakes share: the answer of each endpoint and the calls received."""

    @property
    def calls(self) -> list[RecordedCall]:
        """Every call this fake (or a ``with_options`` copy of it) received, in order."""
        return list(self._fake_state().calls)

    def calls_to(self, method: str | Callable[..., object]) -> list[dict[str, Any]]:
        """The arguments of every call to ``method`` (``fake.echo``, ``"echo"``; a ``submit_``
        method counts as its endpoint's), by parameter name, in order."""
        name = method if isinstance(method, str) else getattr(method, "__name__", repr(method))
        name = name.removeprefix("submit_")
        known = self._endpoint_names()
        if name not in known:
            raise ValueError(
                f"{name!r} is not an endpoint method of {type(self).__name__}; "
                f"its methods: {', '.join(sorted(known)) or 'none'}"
            )
        return [call.arguments for call in self._fake_state().calls if call.method == name]

    def _stub(
        self,
        endpoint: Endpoint[T],
        outputs: tuple[T, ...],
        error: GradioError | None,
        pending: bool,
    ) -> None:
        """Set what ``endpoint`` answers from now on (the generated ``stub_<method>`` calls this
        with the types of the endpoint's result)."""
        self._fake_state().answers[endpoint] = _answer(endpoint, outputs, error, pending)

    def _fake_state(self) -> _FakeState:
        state = _STATES.get(self._shared)
        if state is None:
            state = _STATES[self._shared] = _FakeState()
        return state

    def _endpoint_names(self) -> set[str]:
        module = sys.modules.get(type(self).__module__)
        values = vars(module).values() if module is not None else ()
        return {_method(v) for v in values if isinstance(v, Endpoint)}

    def _fake_job(
        self, kind: Callable[..., J], endpoint: Endpoint[Any], args: tuple[Any, ...], **io: Any
    ) -> J:
        """The job of a call, answered at once from its stub; ``io`` are its decode and cancel
        functions, which touch no server."""
        event_id, answer = self._fake_call(endpoint, args)
        job = kind(
            endpoint=endpoint.api_name, event_id=event_id, diffs=False, timeout=_NO_WAIT, **io
        )
        _feed(job, event_id, answer)
        return job

    def _fake_call(self, endpoint: Endpoint[Any], args: tuple[Any, ...]) -> tuple[str, _Answer]:
        """Check the arguments as a live call does, record the call, and find its answer: the
        new job's event id and what it does."""
        self._encode(endpoint, args)
        state = self._fake_state()
        name = _method(endpoint)
        arguments = {param.name: value for param, value in zip(endpoint.params, args)}
        state.calls.append(RecordedCall(name, arguments))
        answer = state.answers.get(endpoint)
        if answer is None:
            raise NotStubbedError(
                f"{type(self).__name__}.{name}() was called, but nothing says what it answers: "
                f"call stub_{name}(...) on the fake first"
            )
        if answer.error is not None and not _ends_the_job(answer.error):
            raise answer.error
        return f"fake-{next(state.numbers)}", answer


class FakeClient(Stubs, Client):
    """The runtime half of a generated module's ``FakeClient``: calls answered from stubs."""

    def _submit(self, endpoint: Endpoint[T], *args: Any) -> Job[T]:
        return self._fake_job(Job, endpoint, args, decode=_first, cancel=_no_cancel)

    @contextmanager
    def as_default(self: F) -> Iterator[F]:
        """Inside the ``with`` block, the module's functions (``my_sdk.echo(...)``) call this
        fake instead of the module's default client."""
        module = sys.modules.get(type(self).__module__)
        default = getattr(module, "_default", None)
        if not isinstance(default, DefaultClient):
            raise TypeError(f"{type(self).__name__} is not the fake of a generated SDK module")
        with default._lock:
            previous, default._client = default._client, self
        try:
            yield self
        finally:
            with default._lock:
                default._client = previous


class AsyncFakeClient(Stubs, AsyncClient):
    """The runtime half of a generated module's ``AsyncFakeClient``: calls answered from stubs."""

    async def _submit(self, endpoint: Endpoint[T], *args: Any) -> AsyncJob[T]:
        return self._fake_job(
            AsyncJob, endpoint, args, decode=_afirst, cancel=_ano_cancel, decode_now=_first
        )


def remote_file(
    path: str | os.PathLike[str], *, name: str | None = None, mime_type: str | None = None
) -> RemoteFile:
    """A result file for a stub: a ``RemoteFile`` whose local copy is the file at ``path``
    (``os.fspath``, ``.path``, ``.read_bytes()`` and ``.download()`` work without a server)."""
    local = os.path.abspath(os.fspath(path))
    if not os.path.isfile(local):
        raise ValueError(f"remote_file() needs an existing file, got {local!r}")
    return RemoteFile(
        Path(local).as_uri(),
        server_path=local,
        orig_name=name or os.path.basename(local),
        size=os.path.getsize(local),
        mime_type=mime_type,
        local_path=local,
    )
