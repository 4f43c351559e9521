"""Clients: the sync ``Client`` and async ``AsyncClient`` that generated SDKs subclass.

A call is a join (``POST {P}/queue/join``) and the session's event stream (``GET {P}/queue/data``):
what the SDK learned at generation time (API prefix, protocol, ``fn_index``, State positions) makes
those the only two requests of a first call to a URL. Constructors do no I/O; the source is resolved
(and a password login made) on first use.

As in httpx, the two clients differ only in I/O: ``_BaseClient`` builds every request of a call
(login, ``/config``, join, cancel, reset, the event stream) and reads every answer with the steps
in ``_steps``; ``Client`` sends and ``AsyncClient`` sends and awaits. ``docs/DESIGN.md`` ("The
life of a call") follows one call through the modules.
"""

from __future__ import annotations

import functools
import inspect
import os
import shlex
import sys
import threading
from urllib.parse import quote
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any, TypeVar

import httpx

from . import _steps as steps
from ._asyncio import asyncio
from ._errors import (
    AppChangedError,
    AppError,
    GradioError,
    GradioTimeoutError,
    InputError,
    ServerUnavailableError,
)
from ._files._download import DownloadBatch, JobDownloads
from ._files._upload import UploadBatch
from ._files._values import remove_download_dir
from ._http._clients import async_http, sync_http
from ._http._deadline import scope
from ._http._failures import transport_error
from ._http._retry import idempotent, retrying
from ._http._timeouts import CANCEL_TIMEOUT, request_timeout, stream_timeout
from ._hub import _spaces, _zerogpu
from ._hub._duplicate import duplicate_space
from ._options import Configured, Shared
from ._queue import _gradio3 as gradio3
from ._queue import _gradio3_calls as calls3
from ._queue._app_errors import HIDDEN_ERROR
from ._queue._job import AsyncJob, Job, JobInfo, NeedsDownload
from ._queue._layout import ConfigRead
from ._queue._plan import Plan, plan_from_config
from ._queue._session import AsyncSession, SyncSession
from ._spec import Endpoint
from ._steps import Call

__all__ = ["Client", "AsyncClient"]

T = TypeVar("T")
C = TypeVar("C", bound="Client")
A = TypeVar("A", bound="AsyncClient")
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
G3 = TypeVar("G3", calls3.SyncCall, calls3.AsyncCall)
S = TypeVar("S", SyncSession, AsyncSession)

_JSON = {"content-type": "application/json"}


class _BaseClient(Configured):
    """Every step of a call that does no I/O: ``Client`` sends what this builds, ``AsyncClient``
    sends and awaits."""

    @classmethod
    def _duplicate_request(
        cls,
        from_id: str | None,
        to_id: str | None,
        token: str | None,
        hub_options: dict[str, Any],
        options: dict[str, Any],
    ) -> Callable[[], str]:
        """The Hub request that duplicates the Space, ready to run. The client options are checked
        first, before the Hub is asked, so a misspelt option leaves no copy behind."""
        try:
            inspect.signature(cls).bind("owner/name", token=token, **options)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.duplicate(): {e}") from None
        source = from_id or cls.app.space_id or cls.app.src
        if not source:
            raise InputError("no Space to duplicate: pass from_id= (owner/name)")
        return functools.partial(duplicate_space, source, to_id, token=token, **hub_options)

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
        kind = calls3.Gradio3Downloads if self.app.protocol == gradio3.PROTOCOL else DownloadBatch
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

    def _decode_now(self, call: Call[T], raw: list[Any]) -> T:
        """A result's value when it holds no file to download first (else ``NeedsDownload``)."""
        batch = self._download_batch()
        values = steps.decode_values(call.endpoint, call.plan, raw, batch)
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

    def _use(self, resolved: _spaces.Resolved, http: H) -> H:
        """From now on, talk to the resolved app through ``http``. Uploads and downloads go
        through it too; the file helpers only use it on the app's own origin, so its headers (a
        token, the user's) stay with the app."""
        shared = self._shared
        shared.settle(resolved, self.app)
        http.headers.update(shared.headers)
        shared.http = http
        return http

    def _http_timeout(self) -> httpx.Timeout:
        return request_timeout(self._options.timeout)

    def _known_plan(self, endpoint: Endpoint[Any]) -> Plan | None:
        return Plan.of(endpoint) or self._shared.plans.get(endpoint)

    def _new_plan(self, endpoint: Endpoint[Any], config: dict[str, Any]) -> Plan:
        plan = self._shared.plans[endpoint] = plan_from_config(config, endpoint)
        return plan

    def _session_of(self, kind: type[S]) -> S:
        """The session calls run in now: a new one after ``reset_session``."""
        shared = self._shared
        if shared.session is None or shared.session.hash != shared.session_hash:
            assert shared.flags is not None
            shared.session = kind(shared.session_hash, shared.flags, self._open_stream)
        session: S = shared.session
        return session

    def _open_stream(self, session_hash: str) -> Any:
        raise NotImplementedError

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

    def _gradio3_session(self) -> calls3.Gradio3Session:
        """The calls of the current session hash (a new set after ``reset_session``)."""
        shared = self._shared
        session: Any = shared.session
        if not isinstance(session, calls3.Gradio3Session) or session.hash != shared.session_hash:
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

    def _unchecked(self, call: Call[Any]) -> Call[Any] | None:
        """``call`` with the fn_index the app now has for its endpoint (None if it has none)."""
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
        shared = self._shared
        if not shared.hf_host:
            return _JSON
        # A ZeroGPU Space counts GPU time against the caller whose x-ip-token is forwarded.
        return {
            **_JSON,
            **_zerogpu.zerogpu_headers(shared.root, trusted_hosts=shared.trusted_hosts),
        }

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


class Client(_BaseClient):
    """Synchronous client. Safe to share between threads; use as a context manager."""

    _shared: Shared[httpx.Client, SyncSession]

    def close(self) -> None:
        """Close the connections (also for clients made by ``with_options``) and delete the
        files downloaded into the default temporary folder (not those in a ``download_dir``)."""
        shared = self._shared
        with shared.lock:
            shared.closed = True
            session, http = shared.session, shared.http
        if session is not None:
            session.close()
        if http is not None:
            http.close()
            remove_download_dir(http)

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def duplicate(
        cls: type[C],
        from_id: str | None = None,
        to_id: str | None = None,
        *,
        token: str | None = None,
        hardware: str | None = None,
        secrets: Mapping[str, str] | None = None,
        sleep_time: int | None = None,
        private: bool = True,
        **options: Any,
    ) -> C:
        """Copy the Space to your account and return a client for the copy.

        A copy is yours alone: no queue shared with the public, no rate limit, your choice of
        ``hardware`` (e.g. ``"t4-small"``), ``secrets`` and ``sleep_time`` (seconds idle before it
        sleeps; paid hardware). ``from_id`` defaults to the Space the SDK was generated from,
        ``to_id`` to the same name under the token's account; an existing Space of that id is
        reused as it is. The copy builds first: the client's first call waits for it (up to
        ``space_timeout``). ``options`` are the client's constructor options. Needs a token with
        write access.
        """
        hub = {"hardware": hardware, "secrets": secrets, "sleep_time": sleep_time}
        copy = cls._duplicate_request(from_id, to_id, token, {**hub, "private": private}, options)
        return cls(copy(), token=token, **options)

    def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        try:
            job = self._submit(endpoint, *args)
            try:
                return job.result()
            except GradioTimeoutError:
                try:
                    job.cancel()
                except GradioError:
                    pass
                raise
        except GradioError as e:
            self._after_failure(e)
            raise

    def _submit(self, endpoint: Endpoint[T], *args: Any) -> Job[T]:
        encoded, batch = self._encode(endpoint, args)
        http = self._ready()
        plan = self._plan(endpoint)
        if self.app.protocol == gradio3.PROTOCOL:
            return self._submit_gradio3(http, endpoint, plan, encoded, batch)
        check = self._check(http, endpoint)
        with self._scope(repeatable=True):
            batch.upload(http, f"{self._base_url()}/upload")
        data = batch.fill(steps.lay_out(plan, encoded))
        session = self._session()
        with self._joining(session):
            call = self._join(http, endpoint, plan, data, session, check)
        job = Job(
            **self._job_info(call),
            decode=functools.partial(self._decode, call, JobDownloads(call.endpoint.api_name)),
            cancel=functools.partial(self._cancel, call),
        )
        session.register(call.event_id, job)
        return job

    def _submit_gradio3(
        self,
        http: httpx.Client,
        endpoint: Endpoint[T],
        plan: Plan,
        encoded: list[Any],
        batch: UploadBatch,
    ) -> Job[T]:
        route = gradio3.route_of(self._config(http), plan, endpoint.api_name)
        laid = calls3.inline_images(route, steps.lay_out(plan, encoded), batch, endpoint.api_name)
        with self._scope(repeatable=True):
            batch.upload(http, f"{self._base_url()}/upload")
        with self._shared.lock:
            session = self._gradio3_session()
        call, reader = self._gradio3_call(
            calls3.SyncCall, endpoint, plan, route, batch.fill(laid), session
        )
        with self._step(steps.JOINING, endpoint):
            if route.queued:
                reader.open_ws(
                    http, *calls3.upgrade_request(http, self._shared.root, self._http_timeout())
                )
            else:
                reader.open_run(
                    http,
                    calls3.run_request(
                        http,
                        self._shared.root,
                        endpoint.api_name,
                        reader.body,
                        self._http_timeout(),
                    ),
                )
        job = Job(
            **self._job_info(call),
            decode=functools.partial(self._decode, call, JobDownloads(call.endpoint.api_name)),
            cancel=functools.partial(self._cancel_gradio3, call, reader),
        )
        reader.start(job)
        return job

    def _cancel_gradio3(self, call: Call[Any], reader: calls3.SyncCall) -> None:
        reader.stop()
        http = self._open_http()
        if http is not None:
            with self._step(steps.CANCELLING, call.endpoint, CANCEL_TIMEOUT, repeatable=True):
                http.send(self._reset_request(http, call))

    def _join(
        self,
        http: httpx.Client,
        endpoint: Endpoint[T],
        plan: Plan,
        data: object,
        session: SyncSession,
        check: ConfigRead | None,
    ) -> Call[T]:
        """Join the queue (by name when the app can route by name), and hold the call back until
        its layout check has passed; a call that fails it is cancelled with the ``fn_index`` the
        app gives the endpoint now."""
        by_name = self._by_name()
        plan = self._shared.layout.plans.get(endpoint, plan)
        with self._step(steps.JOINING, endpoint):
            response = http.send(self._join_request(http, endpoint, plan, data, session.hash))
        if by_name and response.status_code == 404:
            # No {P}/call route (Gradio 4.16, a proxy): join by an fn_index the check confirmed.
            with self._shared.lock:
                self._shared.layout.by_name = by_name = False
            if check is not None:
                self._checked(endpoint, check)
                check = None
            else:
                self._check(http, endpoint)  # waits now: the join needs a checked fn_index
            plan = self._shared.layout.plans.get(endpoint, plan)
            with self._step(steps.JOINING, endpoint):
                response = http.send(self._join_request(http, endpoint, plan, data, session.hash))
        if steps.is_unknown_endpoint(response):
            config = self._fresh_config(http)
            if config is not None and self._verifying():
                with self._shared.lock:
                    _, error = self._verdict(endpoint, config)
                if error is not None:
                    raise error
            raise steps.changed_error(config, self.app, endpoint, plan, response)
        call = self._accepted(endpoint, plan, response, session, by_name)
        if check is not None:
            try:
                verified = self._checked(endpoint, check)
            except AppChangedError as e:
                e.may_have_run = True  # joined before the check answered
                self._cancel_unchecked(call)
                raise
            call = Call(endpoint, verified, call.event_id, call.session_hash, by_name)
        return call

    def _check(self, http: httpx.Client, endpoint: Endpoint[Any]) -> ConfigRead | None:
        """Start the layout check of ``endpoint`` unless it needs no request; with
        ``verify="before"`` (or no route by name) wait for it here. Returns the ``/config`` read
        still in flight, for the join to wait on once it has sent its request."""
        if not self._verifying():
            return None
        shared = self._shared
        with shared.lock:
            if self._checked_already(endpoint):
                return None
            check: ConfigRead | None = shared.layout.pending
            if check is None:
                check = shared.layout.pending = ConfigRead()
                threading.Thread(
                    target=self._read_layout, args=(http, check), name="gradio-layout", daemon=True
                ).start()
        if self._waits_for_check():
            self._checked(endpoint, check)
            return None
        return check

    def _read_layout(self, http: httpx.Client, check: ConfigRead) -> None:
        """Read ``/config`` on a connection of its own, while the first call joins on another."""
        try:
            config = self._config(http, fresh=True)
        except BaseException as e:  # handed to whoever waits for the check
            check.set_exception(e)
        else:
            check.set_result(config)

    def _checked(self, endpoint: Endpoint[Any], check: ConfigRead) -> Plan:
        """The endpoint's plan once the check passed; ``AppChangedError`` if it failed. The read
        has the client's timeout as its own deadline, so this wait ends."""
        shared = self._shared
        try:
            config = check.result()
        finally:
            with shared.lock:
                if shared.layout.pending is check:
                    shared.layout.pending = None
        with shared.lock:
            plan, error = self._verdict(endpoint, config)
        if error is not None:
            raise error
        assert plan is not None
        return plan

    def _cancel_unchecked(self, call: Call[Any]) -> None:
        """Stop a job whose endpoint failed the check, by the fn_index the app has for it."""
        unchecked = self._unchecked(call)
        if unchecked is not None:
            try:
                self._cancel(unchecked)
            except GradioError:
                pass

    # -- sending ----------------------------------------------------------------------------------

    def _ready(self) -> httpx.Client:
        http: httpx.Client | None = self._connected()
        if http is not None:
            return http
        with self._shared.lock:
            http = self._connected()
            if http is not None:
                return http
            resolved = _spaces.resolve(self._shared.src, **self._space_wait())
            made = self._shared.http or sync_http(
                self._http_timeout(), trusted_hosts=self._shared.trusted_hosts
            )
            http = self._use(resolved, made)
            if self._shared.auth is not None:
                self._login(http)
            self._shared.ready = True
            return http

    def _login(self, http: httpx.Client) -> None:
        with self._step(steps.LOGGING_IN):
            response = http.send(self._login_request(http))
        steps.login_checked(response, self._shared.root)

    def _config(self, http: httpx.Client, *, fresh: bool = False) -> dict[str, Any]:
        shared = self._shared
        if shared.config is None or fresh:
            with self._step(steps.READING_CONFIG):
                try:
                    response = http.send(self._config_request(http))
                except (httpx.NetworkError, httpx.RemoteProtocolError):
                    # A join the app refused may have been its last word on that connection.
                    response = http.send(self._config_request(http))
            shared.config = steps.config_of(response)
        return shared.config

    def _plan(self, endpoint: Endpoint[Any]) -> Plan:
        plan = self._known_plan(endpoint)
        if plan is not None:
            return plan
        http = self._ready()
        with self._shared.lock:
            return self._known_plan(endpoint) or self._new_plan(endpoint, self._config(http))

    def _session(self) -> SyncSession:
        with self._shared.lock:
            return self._session_of(SyncSession)

    @contextmanager
    def _open_stream(self, session_hash: str) -> Iterator[httpx.Response]:
        http = self._ready_http()
        response = http.send(self._stream_request(http, session_hash), stream=True)
        try:
            yield response
        finally:
            response.close()

    def _fresh_config(self, http: httpx.Client) -> dict[str, Any] | None:
        try:
            return self._config(http, fresh=True)
        except GradioError:
            return None

    def _decode(self, call: Call[T], job: JobDownloads, raw: list[Any]) -> T:
        batch = self._download_batch(job)
        values = steps.decode_values(call.endpoint, call.plan, raw, batch)
        with self._scope():
            batch.download(self._ready_http())
        return steps.build(call.endpoint, values)

    def _cancel(self, call: Call[Any]) -> None:
        http = self._open_http()
        if http is not None:
            with self._step(steps.CANCELLING, call.endpoint, CANCEL_TIMEOUT, repeatable=True):
                cancel, reset = self._cancel_requests(http, call)
                steps.cancel_checked(http.send(cancel), call.endpoint.api_name)
                http.send(reset)


class AsyncClient(_BaseClient):
    """Asynchronous client. Safe to share between tasks; use as an async context manager."""

    _shared: Shared[httpx.AsyncClient, AsyncSession]

    async def aclose(self) -> None:
        """Close the connections (also for clients made by ``with_options``) and delete the
        files downloaded into the default temporary folder (not those in a ``download_dir``)."""
        shared = self._shared
        shared.closed = True
        if shared.session is not None:
            await shared.session.aclose()
        if shared.http is not None:
            await shared.http.aclose()
            remove_download_dir(shared.http)

    async def __aenter__(self: A) -> A:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @classmethod
    async def duplicate(
        cls: type[A],
        from_id: str | None = None,
        to_id: str | None = None,
        *,
        token: str | None = None,
        hardware: str | None = None,
        secrets: Mapping[str, str] | None = None,
        sleep_time: int | None = None,
        private: bool = True,
        **options: Any,
    ) -> A:
        """Copy the Space to your account and return a client for the copy (see
        ``Client.duplicate``); the Hub is asked from a worker thread, so the event loop runs on."""
        hub = {"hardware": hardware, "secrets": secrets, "sleep_time": sleep_time}
        copy = cls._duplicate_request(from_id, to_id, token, {**hub, "private": private}, options)
        return cls(await asyncio.to_thread(copy), token=token, **options)

    async def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        try:
            job = await self._submit(endpoint, *args)
            try:
                return await job.result()
            except GradioTimeoutError:
                try:
                    await job.cancel()
                except GradioError:
                    pass
                raise
        except GradioError as e:
            self._after_failure(e)
            raise

    async def _submit(self, endpoint: Endpoint[T], *args: Any) -> AsyncJob[T]:
        encoded, batch = self._encode(endpoint, args)
        http = await self._ready()
        plan = await self._plan(endpoint)
        if self.app.protocol == gradio3.PROTOCOL:
            return await self._submit_gradio3(http, endpoint, plan, encoded, batch)
        check = await self._check(http, endpoint)
        with self._scope(repeatable=True):
            await batch.aupload(http, f"{self._base_url()}/upload")
        data = batch.fill(steps.lay_out(plan, encoded))
        session = self._session_of(AsyncSession)
        with self._joining(session):
            call = await self._join(http, endpoint, plan, data, session, check)
        job = AsyncJob(
            **self._job_info(call),
            decode_now=functools.partial(self._decode_now, call),
            decode=functools.partial(self._decode, call, JobDownloads(call.endpoint.api_name)),
            cancel=functools.partial(self._cancel, call),
        )
        session.register(call.event_id, job)
        return job

    async def _submit_gradio3(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint[T],
        plan: Plan,
        encoded: list[Any],
        batch: UploadBatch,
    ) -> AsyncJob[T]:
        route = gradio3.route_of(await self._config(http), plan, endpoint.api_name)
        laid = calls3.inline_images(route, steps.lay_out(plan, encoded), batch, endpoint.api_name)
        with self._scope(repeatable=True):
            await batch.aupload(http, f"{self._base_url()}/upload")
        session = self._gradio3_session()
        call, reader = self._gradio3_call(
            calls3.AsyncCall, endpoint, plan, route, batch.fill(laid), session
        )
        with self._step(steps.JOINING, endpoint):
            if route.queued:
                await reader.open_ws(
                    http, *calls3.upgrade_request(http, self._shared.root, self._http_timeout())
                )
            else:
                reader.open_run(
                    http,
                    calls3.run_request(
                        http,
                        self._shared.root,
                        endpoint.api_name,
                        reader.body,
                        self._http_timeout(),
                    ),
                )
        job = AsyncJob(
            **self._job_info(call),
            decode_now=functools.partial(self._decode_now, call),
            decode=functools.partial(self._decode, call, JobDownloads(call.endpoint.api_name)),
            cancel=functools.partial(self._cancel_gradio3, call, reader),
        )
        reader.start(job)
        return job

    async def _cancel_gradio3(self, call: Call[Any], reader: calls3.AsyncCall) -> None:
        await reader.astop()
        http = self._open_http()
        if http is not None:
            with self._step(steps.CANCELLING, call.endpoint, CANCEL_TIMEOUT, repeatable=True):
                await http.send(self._reset_request(http, call))

    async def _join(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint[T],
        plan: Plan,
        data: object,
        session: AsyncSession,
        check: asyncio.Future[dict[str, Any]] | None,
    ) -> Call[T]:
        """As ``Client._join``."""
        by_name = self._by_name()
        plan = self._shared.layout.plans.get(endpoint, plan)
        with self._step(steps.JOINING, endpoint):
            response = await http.send(self._join_request(http, endpoint, plan, data, session.hash))
        if by_name and response.status_code == 404:
            self._shared.layout.by_name = by_name = False
            if check is not None:
                await self._checked(endpoint, check)
                check = None
            else:
                await self._check(http, endpoint)
            plan = self._shared.layout.plans.get(endpoint, plan)
            with self._step(steps.JOINING, endpoint):
                response = await http.send(
                    self._join_request(http, endpoint, plan, data, session.hash)
                )
        if steps.is_unknown_endpoint(response):
            config = await self._fresh_config(http)
            if config is not None and self._verifying():
                _, error = self._verdict(endpoint, config)
                if error is not None:
                    raise error
            raise steps.changed_error(config, self.app, endpoint, plan, response)
        call = self._accepted(endpoint, plan, response, session, by_name)
        if check is not None:
            try:
                verified = await self._checked(endpoint, check)
            except AppChangedError as e:
                e.may_have_run = True  # joined before the check answered
                unchecked = self._unchecked(call)
                if unchecked is not None:
                    try:
                        await self._cancel(unchecked)
                    except GradioError:
                        pass
                raise
            call = Call(endpoint, verified, call.event_id, call.session_hash, by_name)
        return call

    async def _check(
        self, http: httpx.AsyncClient, endpoint: Endpoint[Any]
    ) -> asyncio.Future[dict[str, Any]] | None:
        """As ``Client._check``; the read runs as a task of the client's event loop."""
        if not self._verifying():
            return None
        layout = self._shared.layout
        if self._checked_already(endpoint):
            return None
        check: asyncio.Future[dict[str, Any]] | None = layout.pending
        if check is None:
            check = layout.pending = asyncio.ensure_future(self._config(http, fresh=True))
        if self._waits_for_check():
            await self._checked(endpoint, check)
            return None
        return check

    async def _checked(
        self, endpoint: Endpoint[Any], check: asyncio.Future[dict[str, Any]]
    ) -> Plan:
        """As ``Client._checked``. The read is shielded: a caller cancelled while waiting leaves
        it to finish for the next call."""
        layout = self._shared.layout
        try:
            config = await asyncio.shield(check)
        finally:
            if check.done() and layout.pending is check:
                layout.pending = None
        plan, error = self._verdict(endpoint, config)
        if error is not None:
            raise error
        assert plan is not None
        return plan

    # -- sending and awaiting -----------------------------------------------------------------------

    def _lock(self) -> asyncio.Lock:
        shared = self._shared
        if shared.async_lock is None:
            shared.async_lock = asyncio.Lock()
        return shared.async_lock

    async def _ready(self) -> httpx.AsyncClient:
        http: httpx.AsyncClient | None = self._connected()
        if http is not None:
            return http
        async with self._lock():
            http = self._connected()
            if http is not None:
                return http
            resolved = await _spaces.aresolve(self._shared.src, **self._space_wait())
            made = self._shared.http or async_http(
                self._http_timeout(), trusted_hosts=self._shared.trusted_hosts
            )
            http = self._use(resolved, made)
            if self._shared.auth is not None:
                await self._login(http)
            self._shared.ready = True
            return http

    async def _login(self, http: httpx.AsyncClient) -> None:
        with self._step(steps.LOGGING_IN):
            response = await http.send(self._login_request(http))
        steps.login_checked(response, self._shared.root)

    async def _config(self, http: httpx.AsyncClient, *, fresh: bool = False) -> dict[str, Any]:
        shared = self._shared
        if shared.config is None or fresh:
            with self._step(steps.READING_CONFIG):
                try:
                    response = await http.send(self._config_request(http))
                except (httpx.NetworkError, httpx.RemoteProtocolError):
                    # A join the app refused may have been its last word on that connection.
                    response = await http.send(self._config_request(http))
            shared.config = steps.config_of(response)
        return shared.config

    async def _plan(self, endpoint: Endpoint[Any]) -> Plan:
        plan = self._known_plan(endpoint)
        if plan is not None:
            return plan
        http = await self._ready()
        async with self._lock():
            return self._known_plan(endpoint) or self._new_plan(endpoint, await self._config(http))

    @asynccontextmanager
    async def _open_stream(self, session_hash: str) -> AsyncIterator[httpx.Response]:
        http = self._ready_http()
        response = await http.send(self._stream_request(http, session_hash), stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def _fresh_config(self, http: httpx.AsyncClient) -> dict[str, Any] | None:
        try:
            return await self._config(http, fresh=True)
        except GradioError:
            return None

    async def _decode(self, call: Call[T], job: JobDownloads, raw: list[Any]) -> T:
        batch = self._download_batch(job)
        values = steps.decode_values(call.endpoint, call.plan, raw, batch)
        with self._scope():
            await batch.adownload(self._ready_http())
        return steps.build(call.endpoint, values)

    async def _cancel(self, call: Call[Any]) -> None:
        http = self._open_http()
        if http is not None:
            with self._step(steps.CANCELLING, call.endpoint, CANCEL_TIMEOUT, repeatable=True):
                cancel, reset = self._cancel_requests(http, call)
                steps.cancel_checked(await http.send(cancel), call.endpoint.api_name)
                await http.send(reset)
