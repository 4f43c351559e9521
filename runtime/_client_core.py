"""What ``Client`` and ``AsyncClient`` share: everything a call needs except the I/O.

As in httpx, the two clients differ only in I/O: ``_BaseClient`` builds every request of a call
(login, ``/config``, join or call by name, the layout check, cancel, reset, the event stream, a
Gradio 3 websocket call) and reads every answer with the steps in ``_steps``; ``Client`` sends and
``AsyncClient`` sends and awaits (``_client``). ``docs/DESIGN.md`` ("The life of a call") follows
one call through the modules.
"""

from __future__ import annotations

import functools
import inspect
import os
import shlex
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from . import _steps as steps
from ._errors import (
    AppChangedError,
    AppError,
    GradioError,
    InputError,
    ServerUnavailableError,
)
from ._files._download import DownloadBatch, JobDownloads
from ._files._upload import UploadBatch
from ._http._deadline import scope
from ._http._failures import transport_error
from ._http._retry import idempotent, retrying
from ._http._timeouts import CANCEL_TIMEOUT, request_timeout, stream_timeout
from ._hub import _spaces, _zerogpu
from ._hub._duplicate import SpaceCopy, duplicate_space, split_copy_options
from ._options import ClientOptions, Configured
from ._queue import _gradio3 as gradio3
from ._queue._app_errors import HIDDEN_ERROR
from ._queue._job import JobInfo, NeedsDownload
from ._queue._plan import Plan, plan_from_config
from ._queue._session import AsyncSession, SyncSession
from ._spec import Endpoint
from ._steps import Call

if TYPE_CHECKING:  # Gradio 3's calls (and httpcore, wsproto) load on a Gradio 3 app's first call
    from ._queue import _gradio3_calls as calls3

__all__ = ["_BaseClient", "DuplicateOptions"]

T = TypeVar("T")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
G3 = TypeVar("G3", "calls3.SyncCall", "calls3.AsyncCall")
F = TypeVar("F")  # the check's /config read in flight: a ConfigRead (sync) or a Future (async)
S = TypeVar("S", SyncSession, AsyncSession)

_JSON = {"content-type": "application/json"}


class DuplicateOptions(ClientOptions, SpaceCopy, total=False):
    """The keywords of ``Client.duplicate``: what the Hub gives the copy, and the options of the
    client made for it (``token`` serves both)."""


class _BaseClient(Configured):
    """Every step of a call that does no I/O: ``Client`` sends what this builds, ``AsyncClient``
    sends and awaits."""

    @classmethod
    def _duplicate_request(
        cls, from_id: str | None, to_id: str | None, options: DuplicateOptions
    ) -> tuple[Callable[[], str], dict[str, Any]]:
        """The Hub request that duplicates the Space, ready to run, and the options of the client
        for the copy. Those are checked first, before the Hub is asked, so a misspelt option
        leaves no copy behind."""
        copy, client_options = split_copy_options(options)
        try:
            inspect.signature(cls).bind("owner/name", **client_options)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.duplicate(): {e}") from None
        source = from_id or cls.app.space_id or cls.app.src
        if not source:
            raise InputError("no Space to duplicate: pass from_id= (owner/name)")
        token = client_options.get("token")
        return (
            functools.partial(duplicate_space, source, to_id, token=token, **copy),
            client_options,
        )

    # -- the steps of a call that do no I/O -------------------------------------------------------

    def _encode(
        self, endpoint: Endpoint[Any], args: tuple[Any, ...]
    ) -> tuple[list[Any], UploadBatch]:
        """The arguments checked and encoded; their files wait in the batch to be uploaded."""
        options = self._options
        steps.check_arguments(endpoint, args, options.validate)
        batch = UploadBatch(
            max_file_size=self.app.max_file_size,
            endpoint=endpoint.api_name,
            progress=options.progress,
            remote_urls=options.remote_urls,
        )
        return steps.encode_arguments(endpoint, args, batch), batch

    def _base_url(self) -> str:
        return f"{self._shared.root}{self.app.api_prefix}"

    def _download_batch(self, job: JobDownloads | None = None) -> DownloadBatch:
        options = self._options
        kind: type[DownloadBatch] = DownloadBatch
        if self.app.protocol == gradio3.PROTOCOL:
            from ._queue._gradio3_calls import Gradio3Downloads

            kind = Gradio3Downloads
        return kind(
            file_base=self._base_url(),
            mode=options.download,
            directory=options.download_dir,
            progress=options.progress,
            max_size=options.max_download_size,
            other_origins=options.download_other_origins,
            timeout=options.timeout,
            job=job,
        )

    def _decoded(
        self, call: Call[Any], raw: list[Any], job: JobDownloads | None = None
    ) -> tuple[list[Any], DownloadBatch]:
        """A result's values, and the batch that holds the files they name, still to download."""
        batch = self._download_batch(job)
        return steps.decode_values(call.endpoint, call.plan, raw, batch), batch

    def _decode_now(self, call: Call[T], raw: list[Any]) -> T:
        """A result's value when it holds no file to download first (else ``NeedsDownload``)."""
        values, batch = self._decoded(call, raw)
        if batch.files:
            raise NeedsDownload
        return steps.build(call.endpoint, values)

    def _connected(self) -> Any:
        """The app's HTTP client once the source is resolved (and the login made), else None."""
        shared = self._shared
        if shared.closed:
            raise RuntimeError("this client is closed")
        return shared.http if shared.ready else None

    def _space_wait(self) -> _spaces.SpaceWait:
        shared = self._shared
        return _spaces.SpaceWait(
            token=shared.token, timeout=shared.space_timeout, on_stage=shared.on_space_stage
        )

    def _use(self, resolved: _spaces.Resolved, make: Callable[..., H]) -> H:
        """From now on, talk to the resolved app through the user's HTTP client or one ``make``
        builds. Uploads and downloads go through it too; the file helpers only use it on the
        app's own origin, so its headers (a token, the user's) stay with the app."""
        shared = self._shared
        http: H = shared.http or make(self._http_timeout(), trusted_hosts=shared.trusted_hosts)
        shared.settle(resolved, self.app)
        http.headers.update(shared.headers)
        shared.http = http
        return http

    def _http_timeout(self) -> httpx.Timeout:
        return request_timeout(self._options.timeout)

    def _known_plan(self, endpoint: Endpoint[Any]) -> Plan | None:
        return Plan.of(endpoint) or self._shared.plans.get(endpoint)

    def _new_plan(self, endpoint: Endpoint[Any], config: dict[str, Any]) -> Plan:
        """The plan of an endpoint generated without ``/config``, from the app's. The layout
        check takes the same document (read since the last sign of a restart: ``_after_failure``
        drops it), so such an SDK's first call reads ``/config`` once, as before."""
        plan = self._shared.plans[endpoint] = plan_from_config(config, endpoint)
        layout = self._shared.layout
        if layout.config is None and layout.pending is None:
            layout.adopt(config)
        return plan

    def _session_of(self, kind: type[S]) -> S:
        """The session calls run in now: a new one after ``reset_session``."""
        shared = self._shared
        with shared.lock:
            if shared.session is None or shared.session.hash != shared.session_hash:
                assert shared.flags is not None
                shared.session = kind(
                    shared.session_hash, shared.flags, self._open_stream, self._options.max_retries
                )
            session: S = shared.session
            return session

    def _open_stream(self, session_hash: str) -> Any:
        raise NotImplementedError

    def _decode(self, call: Call[Any], job: JobDownloads, raw: list[Any]) -> Any:
        raise NotImplementedError

    def _decoder(self, call: Call[Any]) -> Any:
        """How the job turns a result into values: the client's ``_decode``, with the job's
        downloads (named after its endpoint)."""
        return functools.partial(self._decode, call, JobDownloads(call.endpoint.api_name))

    def _ready_http(self) -> Any:
        """The app's HTTP client, for a step that runs after the client connected."""
        assert self._shared.http is not None
        return self._shared.http

    def _open_http(self) -> Any:
        """The app's HTTP client unless the client was closed (or never connected)."""
        return None if self._shared.closed else self._shared.http

    def _job_info(self, call: Call[Any]) -> JobInfo:
        assert self._shared.flags is not None
        return JobInfo(
            endpoint=call.endpoint.api_name,
            event_id=call.event_id,
            diffs=self._shared.flags.diffs and not call.by_name,
            timeout=self._options.timeout,
            on_error=self._after_failure,
        )

    def _gradio3_call(
        self,
        kind: type[G3],
        endpoint: Endpoint[T],
        plan: Plan,
        route: gradio3.Route,
        data: Any,
        session: calls3.Gradio3Session,
    ) -> tuple[Call[T], G3]:
        """A call to a Gradio 3 app (``_queue._gradio3``): its own event id, the conversation
        that answers the app, and the reader that will hold it."""
        call = Call(endpoint, plan, uuid.uuid4().hex, session.hash)
        conversation = gradio3.Conversation(
            route=route,
            data=gradio3.wire_inputs(route, data),
            session_hash=session.hash,
            event_id=call.event_id,
            endpoint=endpoint.api_name,
        )
        return call, kind(conversation, session, self._shared.stream_timeout)

    def _gradio3_inputs(
        self,
        config: dict[str, Any],
        endpoint: Endpoint[Any],
        plan: Plan,
        encoded: list[Any],
        batch: UploadBatch,
    ) -> tuple[gradio3.Route, list[Any]]:
        """The Gradio 3 route of ``endpoint`` in the app's ``/config``, and the arguments laid
        out for it: images inline as data URLs where the route wants them, other files waiting
        in ``batch`` to be uploaded. A 3.x call goes by ``fn_index``, so with ``verify`` on the
        layout check runs here first, on the ``/config`` the route is read from anyway (no
        request more): the endpoint's index and slots as the app has them now, or
        ``AppChangedError`` before the socket opens."""
        from ._queue import _gradio3_calls as calls3

        if self._verifying():
            plan = self._verified(endpoint, config)
        route = gradio3.route_of(config, plan, endpoint.api_name)
        laid = steps.lay_out(plan, encoded)
        return route, calls3.inline_images(route, laid, batch, endpoint.api_name)

    def _gradio3_upgrade(self, http: httpx.Client | httpx.AsyncClient) -> tuple[httpx.Request, str]:
        """The websocket upgrade of a queued Gradio 3 call, and the key its answer must prove."""
        from ._queue import _gradio3_calls as calls3

        return calls3.upgrade_request(
            http, self._shared.root, self._http_timeout(), self._ip_token()
        )

    def _gradio3_run(
        self, http: httpx.Client | httpx.AsyncClient, endpoint: Endpoint[Any], body: bytes
    ) -> httpx.Request:
        """``POST /run/<api_name>``: a Gradio 3 endpoint outside the queue."""
        from ._queue import _gradio3_calls as calls3

        return calls3.run_request(
            http, self._shared.root, endpoint.api_name, body, self._http_timeout(), self._ip_token()
        )

    def _gradio3_session(self) -> calls3.Gradio3Session:
        """The calls of the current session hash (a new set after ``reset_session``)."""
        from ._queue import _gradio3_calls as calls3

        shared = self._shared
        with shared.lock:
            session: Any = shared.session
            if (
                not isinstance(session, calls3.Gradio3Session)
                or session.hash != shared.session_hash
            ):
                session = shared.session = calls3.Gradio3Session(shared.session_hash)
            return session  # type: ignore[no-any-return]

    def _reset_request(
        self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]
    ) -> httpx.Request:
        """Gradio 3's cancel, after the socket is closed: the session's generator starts afresh."""
        return http.build_request(
            "POST",
            f"{self._shared.root}/reset",
            json={"fn_index": call.plan.fn_index, "session_hash": call.session_hash},
            timeout=self._timeout_for(CANCEL_TIMEOUT),
        )

    def _accepted(
        self,
        endpoint: Endpoint[T],
        plan: Plan,
        response: httpx.Response,
        session: SyncSession | AsyncSession,
        by_name: bool,
    ) -> Call[T]:
        """The call the queue accepted (or the error of a join it refused); a cancel uses the
        ``fn_index`` the layout check found, once there is one."""
        event_id = steps.event_id_of(response, endpoint.api_name)
        plan = self._shared.layout.plans.get(endpoint, plan)
        return Call(endpoint, plan, event_id, session.hash, by_name)

    # -- the layout check (``verify``) ----------------------------------------------------------

    def _verifying(self) -> bool:
        return self._options.verify != "off"

    def _by_name(self) -> bool:
        """Whether calls go to ``{P}/call/{api_name}`` (else ``{P}/queue/join`` by fn_index)."""
        return self._verifying() and self._shared.layout.by_name

    def _fall_back_to_index(self, response: httpx.Response) -> bool:
        """After a join by name: if the app answered that it has no ``{P}/call`` route (Gradio
        4.16, a proxy), calls join by an fn_index the layout check confirmed from now on.
        Returns whether they do."""
        if response.status_code != 404:
            return False
        with self._shared.lock:
            self._shared.layout.by_name = False
        return True

    def _waits_for_check(self) -> bool:
        """The check must pass before the join: asked for, or the join cannot name the endpoint."""
        return self._options.verify == "before" or not self._shared.layout.by_name

    def _regenerate_command(self) -> str | None:
        """The command that regenerates this SDK (run where the user runs their program)."""
        src = self.app.src
        if not src:
            return None
        generated = next((c for c in type(self).__mro__ if "app" in vars(c)), type(self))
        path = getattr(sys.modules.get(generated.__module__), "__file__", None)
        if isinstance(path, str):
            try:
                path = os.path.relpath(path)
            except ValueError:  # another drive (Windows)
                pass
        target = shlex.quote(path) if isinstance(path, str) else "<the SDK's file>"
        return f"gradio-codegen {shlex.quote(src)} -o {target}"

    def _verdict(
        self, endpoint: Endpoint[Any], config: dict[str, Any]
    ) -> tuple[Plan | None, AppChangedError | None]:
        """``endpoint`` set against ``config`` (the caller holds the client's lock)."""
        layout = self._shared.layout
        layout.adopt(config)
        return layout.verify(endpoint, self.app.api_prefix, self._regenerate_command())

    def _check_in_flight(self, endpoint: Endpoint[Any], start: Callable[[], F]) -> F | None:
        """The ``/config`` read the layout check of ``endpoint`` waits for: the one in flight, or
        one ``start`` begins now. None when the check needs no request (``verify="off"``, passed
        before, or decided by the document already read)."""
        if not self._verifying():
            return None
        shared = self._shared
        with shared.lock:
            if self._checked_already(endpoint):
                return None
            if shared.layout.pending is None:
                shared.layout.pending = start()
            pending: F = shared.layout.pending
            return pending

    def _check_over(self, check: object) -> None:
        """The check's read has ended (answered or failed): the next check starts its own."""
        with self._shared.lock:
            if self._shared.layout.pending is check:
                self._shared.layout.pending = None

    def _verified(self, endpoint: Endpoint[Any], config: dict[str, Any]) -> Plan:
        """The endpoint's plan in ``config``, the app's layout now; ``AppChangedError`` if the
        endpoint changed."""
        with self._shared.lock:
            plan, error = self._verdict(endpoint, config)
        if error is not None:
            raise error
        assert plan is not None
        return plan

    def _unknown_endpoint(
        self,
        endpoint: Endpoint[Any],
        plan: Plan,
        response: httpx.Response,
        config: dict[str, Any] | None,
    ) -> GradioError:
        """The error of a join the app answered with "no such endpoint": the layout check's
        verdict on ``config`` (the app's ``/config`` read again, None if that failed) when
        ``verify`` is on, else ``AppChangedError`` from what the answer and ``config`` say."""
        if config is not None and self._verifying():
            with self._shared.lock:
                _, error = self._verdict(endpoint, config)
            if error is not None:
                return error
        return steps.changed_error(config, self.app, endpoint, plan, response)

    def _checked_already(self, endpoint: Endpoint[Any]) -> bool:
        """Whether the check of ``endpoint`` needs no request: passed before, or decided now by
        the document already read (raising ``AppChangedError`` if it says the endpoint changed).
        The caller holds the client's lock."""
        layout = self._shared.layout
        if endpoint in layout.plans:
            return True
        if layout.pending is not None or layout.config is None:
            return False
        _, error = self._verdict(endpoint, layout.config)
        if error is not None:
            raise error
        return True

    def _unchecked(self, call: Call[Any], error: AppChangedError) -> Call[Any] | None:
        """A call that joined before its layout check failed with ``error``: it may have run
        (``error`` now says so), and is stopped by the fn_index the app has for its endpoint now.
        ``call`` with that index (None if the app has none)."""
        error.may_have_run = True
        fn_index = self._shared.layout.fn_index(call.endpoint)
        if fn_index is None:
            return None
        plan = Plan(fn_index, call.endpoint.inputs, call.endpoint.outputs)
        return Call(call.endpoint, plan, call.event_id, call.session_hash, call.by_name)

    def _after_failure(self, error: GradioError) -> None:
        """Check the layout again on the next call after a sign that the server restarted: the
        endpoint changed or vanished, the connection dropped, or a job failed without a word
        (Gradio's answer to too few values)."""
        if (
            isinstance(error, (AppChangedError, ServerUnavailableError))
            or isinstance(error, AppError)
            and error.message == HIDDEN_ERROR
        ):
            self._shared.layout.forget()
            self._shared.config = None  # nor is the document read before to be trusted

    @contextmanager
    def _noting_restarts(self) -> Iterator[None]:
        """Submitting a call: its failure may be a sign of a restart (``_after_failure``). A job's
        own errors reach the same place through its ``on_error``."""
        try:
            yield
        except GradioError as e:
            self._after_failure(e)
            raise

    @staticmethod
    @contextmanager
    def _joining(session: SyncSession | AsyncSession) -> Iterator[None]:
        """A join in flight: its session keeps messages that may be for it until it registers;
        a join that fails lets them go."""
        session.begin_join()
        try:
            yield
        except BaseException:
            session.abort_join()
            raise

    # -- the requests, built here and sent by the subclasses ------------------------------------

    def _login_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        assert self._shared.auth is not None
        user, password = self._shared.auth
        return http.build_request(
            "POST",
            f"{self._shared.root}/login",
            data={"username": user, "password": password},
            timeout=self._http_timeout(),
        )

    def _config_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request(
            "GET", f"{self._shared.root}/config", timeout=self._http_timeout()
        )

    def _join_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        endpoint: Endpoint[Any],
        plan: Plan,
        data: object,
        session_hash: str,
    ) -> httpx.Request:
        """A join by name (``{P}/call/{api_name}``: only that endpoint can run) when the layout
        is checked, else by ``plan.fn_index`` (``{P}/queue/join``)."""
        if self._by_name():
            url = f"{self._base_url()}/call/{quote(endpoint.api_name[1:], safe='')}"
            body = steps.join_body(None, data, session_hash)
        else:
            url = f"{self._base_url()}/queue/join"
            body = steps.join_body(plan, data, session_hash)
        return http.build_request(
            "POST", url, content=body, headers=self._join_headers(), timeout=self._http_timeout()
        )

    def _join_headers(self) -> dict[str, str]:
        return {**_JSON, **self._ip_token()}

    def _ip_token(self) -> dict[str, str]:
        """ZeroGPU's ``x-ip-token`` for a join (4.x, or a 3.x upgrade or ``/run``): a ZeroGPU
        Space counts GPU time against the caller whose token is forwarded; a Space's host only."""
        shared = self._shared
        if not shared.hf_host:
            return {}
        return _zerogpu.zerogpu_headers(shared.root, trusted_hosts=shared.trusted_hosts)

    def _cancel_requests(
        self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]
    ) -> tuple[httpx.Request, httpx.Request]:
        """``/cancel`` (Gradio 4.29+), then ``/reset``, which stops a generator everywhere; sent
        under one deadline (``CANCEL_TIMEOUT`` at most), so a cancel never becomes a long wait."""
        timeout = self._timeout_for(CANCEL_TIMEOUT)
        cancel = http.build_request(
            "POST",
            f"{self._base_url()}/cancel",
            json={
                "fn_index": call.plan.fn_index,
                "session_hash": call.session_hash,
                "event_id": call.event_id,
            },
            timeout=timeout,
        )
        reset = http.build_request(
            "POST", f"{self._base_url()}/reset", json={"event_id": call.event_id}, timeout=timeout
        )
        return cancel, reset

    def _stream_request(
        self, http: httpx.Client | httpx.AsyncClient, session_hash: str
    ) -> httpx.Request:
        shared = self._shared
        return http.build_request(
            "GET",
            f"{self._base_url()}/queue/data",
            params={"session_hash": session_hash},
            timeout=stream_timeout(shared.connect_timeout, shared.stream_timeout),
        )

    # -- bounds -----------------------------------------------------------------------------------

    def _cancelling(self, call: Call[Any]) -> AbstractContextManager[None]:
        """The step that cancels ``call``: repeatable, and bounded by ``CANCEL_TIMEOUT``, so a
        cancel never becomes a long wait."""
        return self._step(steps.CANCELLING, call.endpoint, CANCEL_TIMEOUT, repeatable=True)

    def _timeout_for(self, limit: float) -> httpx.Timeout:
        timeout = self._options.timeout
        return request_timeout(limit if timeout is None else min(timeout, limit))

    @contextmanager
    def _scope(self, limit: float | None = None, *, repeatable: bool = False) -> Iterator[None]:
        """The deadline of one operation (a join, an upload, the downloads of a result, a cancel,
        a login, a ``/config`` read): the client's ``timeout``, at most ``limit``. Every read and
        write of the operation is cut to it, however slowly the server drips its answer. Its
        requests are retried where that is safe (``_http._retry``; ``repeatable``: the app may
        do them twice, as an upload or a cancel)."""
        options = self._options
        timeout = options.timeout
        if limit is not None:
            timeout = limit if timeout is None else min(timeout, limit)
        with (
            scope(timeout),
            retrying(options.max_retries, retry_queue_full=options.retry_queue_full),
        ):
            if repeatable:
                with idempotent():
                    yield
            else:
                yield

    @contextmanager
    def _step(
        self,
        action: str,
        endpoint: Endpoint[Any] | None = None,
        limit: float | None = None,
        *,
        repeatable: bool = False,
    ) -> Iterator[None]:
        """The requests of one step, under one deadline; httpx's failures become the runtime's
        errors, saying what was being done (``action``)."""
        try:
            with self._scope(limit, repeatable=repeatable):
                yield
        except httpx.HTTPError as e:
            name = endpoint.api_name if endpoint is not None else None
            raise transport_error(e, action=action, endpoint=name) from None
