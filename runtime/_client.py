"""Clients: the sync ``Client`` and async ``AsyncClient`` that generated SDKs subclass.

A call is a join (``POST {P}/queue/join``, or ``POST {P}/call/{api_name}`` when ``verify`` is on)
and the session's event stream (``GET {P}/queue/data``): what the SDK learned at generation time
(API prefix, protocol, ``fn_index``, State positions) makes those the only two requests of a first
call to a URL. Constructors do no I/O; the source is resolved (and a password login made) on first
use.

The two clients differ only in I/O: ``_client_core._BaseClient`` builds every request and reads
every answer; here ``Client`` sends and ``AsyncClient`` sends and awaits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from . import _steps as steps
from ._asyncio import asyncio
from ._client_core import DuplicateOptions, T, _BaseClient
from ._errors import AppChangedError, GradioError, GradioTimeoutError
from ._files._download import JobDownloads
from ._files._upload import UploadBatch
from ._files._values import remove_download_dir
from ._http._clients import async_http, sync_http
from ._hub import _spaces
from ._options import Shared
from ._queue import _gradio3 as gradio3
from ._queue._job import AsyncJob, Job
from ._queue._layout import ConfigRead
from ._queue._plan import Plan
from ._queue._session import AsyncSession, SyncSession
from ._spec import Endpoint
from ._steps import Call

if TYPE_CHECKING:  # Gradio 3's calls (and httpcore, wsproto) load on a Gradio 3 app's first call
    from ._queue._gradio3_calls import AsyncCall, SyncCall
    from typing_extensions import Unpack  # known to type checkers on every Python (typeshed)

__all__ = ["Client", "AsyncClient"]

C = TypeVar("C", bound="Client")
A = TypeVar("A", bound="AsyncClient")


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
        **options: Unpack[DuplicateOptions],
    ) -> C:
        """Copy the Space to your account and return a client for the copy.

        A copy is yours alone: no queue shared with the public, no rate limit, your choice of
        ``hardware`` (e.g. ``"t4-small"``), ``secrets`` and ``sleep_time`` (seconds idle before it
        sleeps; paid hardware). ``from_id`` defaults to the Space the SDK was generated from,
        ``to_id`` to the same name under the token's account; an existing Space of that id is
        reused as it is; the copy is ``private`` unless ``private=False``. The copy builds first:
        the client's first call waits for it (up to ``space_timeout``). The other ``options``
        are the client's constructor options. Needs a ``token`` with write access.
        """
        copy, client_options = cls._duplicate_request(from_id, to_id, options)
        return cls(copy(), **client_options)

    def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        job = self._submit(endpoint, *args)
        try:
            return job.result()
        except GradioTimeoutError:
            with suppress(GradioError):
                job.cancel()
            raise

    def _submit(self, endpoint: Endpoint[T], *args: Any) -> Job[T]:
        with self._noting_restarts():
            encoded, batch = self._encode(endpoint, args)
            http = self._ready()
            plan = self._plan(endpoint)
            if self.app.protocol == gradio3.PROTOCOL:
                return self._submit_gradio3(http, endpoint, plan, encoded, batch)
            check = self._check(http, endpoint)
            with self._scope(repeatable=True):
                batch.upload(http, f"{self._base_url()}/upload")
            data = batch.fill(steps.lay_out(plan, encoded))
            session = self._session_of(SyncSession)
            with self._joining(session):
                call = self._join(http, endpoint, plan, data, session, check)
            cancel = partial(self._cancel, call)
            job = Job(**self._job_info(call), decode=self._decoder(call), cancel=cancel)
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
        from ._queue._gradio3_calls import SyncCall

        route, laid = self._gradio3_inputs(self._config(http), endpoint, plan, encoded, batch)
        with self._scope(repeatable=True):
            batch.upload(http, f"{self._base_url()}/upload")
        session = self._gradio3_session()
        call, reader = self._gradio3_call(
            SyncCall, endpoint, plan, route, batch.fill(laid), session
        )
        with self._step(steps.JOINING, endpoint):
            if route.queued:
                reader.open_ws(http, *self._gradio3_upgrade(http))
            else:
                reader.open_run(http, self._gradio3_run(http, endpoint, reader.body))
        cancel = partial(self._cancel_gradio3, call, reader)
        job = Job(**self._job_info(call), decode=self._decoder(call), cancel=cancel)
        reader.start(job)
        return job

    def _cancel_gradio3(self, call: Call[Any], reader: SyncCall) -> None:
        reader.stop()
        http = self._open_http()
        if http is not None:
            with self._cancelling(call):
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
        if by_name and self._fall_back_to_index(response):
            by_name = False
            if check is not None:
                self._checked(endpoint, check)
                check = None
            else:
                self._check(http, endpoint)  # waits now: the join needs a checked fn_index
            plan = self._shared.layout.plans.get(endpoint, plan)
            with self._step(steps.JOINING, endpoint):
                response = http.send(self._join_request(http, endpoint, plan, data, session.hash))
        if steps.is_unknown_endpoint(response):
            raise self._unknown_endpoint(endpoint, plan, response, self._fresh_config(http))
        call = self._accepted(endpoint, plan, response, session, by_name)
        if check is not None:
            try:
                verified = self._checked(endpoint, check)
            except AppChangedError as e:
                unchecked = self._unchecked(call, e)  # joined before the check answered
                if unchecked is not None:
                    with suppress(GradioError):
                        self._cancel(unchecked)
                raise
            call = Call(endpoint, verified, call.event_id, call.session_hash, by_name)
        return call

    def _check(self, http: httpx.Client, endpoint: Endpoint[Any]) -> ConfigRead | None:
        """Start the layout check of ``endpoint`` unless it needs no request; with
        ``verify="before"`` (or no route by name) wait for it here. Returns the ``/config`` read
        still in flight, for the join to wait on once it has sent its request."""
        read = partial(self._config, http, fresh=True)  # on a connection of its own
        check = self._check_in_flight(endpoint, partial(ConfigRead.start, read))
        if check is not None and self._waits_for_check():
            self._checked(endpoint, check)
            return None
        return check

    def _checked(self, endpoint: Endpoint[Any], check: ConfigRead) -> Plan:
        """The endpoint's plan once the check passed; ``AppChangedError`` if it failed. The read
        has the client's timeout as its own deadline, so this wait ends."""
        try:
            config = check.result()
        finally:
            self._check_over(check)
        return self._verified(endpoint, config)

    # -- sending ----------------------------------------------------------------------------------

    def _ready(self) -> httpx.Client:
        http: httpx.Client | None = self._connected()
        if http is not None:
            return http
        with self._shared.lock:
            http = self._connected()
            if http is not None:
                return http
            http = self._use(_spaces.resolve(self._shared.src, **self._space_wait()), sync_http)
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
        values, batch = self._decoded(call, raw, job)
        with self._scope():
            batch.download(self._ready_http())
        return steps.build(call.endpoint, values)

    def _cancel(self, call: Call[Any]) -> None:
        http = self._open_http()
        if http is not None:
            with self._cancelling(call):
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
        check, shared.layout.pending = shared.layout.pending, None
        if isinstance(check, asyncio.Future):  # a layout check's read: stopped, and heard
            if not check.done():
                check.cancel()
                await asyncio.wait([check])
            elif not check.cancelled():
                check.exception()
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
        **options: Unpack[DuplicateOptions],
    ) -> A:
        """Copy the Space to your account and return a client for the copy (see
        ``Client.duplicate``); the Hub is asked from a worker thread, so the event loop runs on."""
        copy, client_options = cls._duplicate_request(from_id, to_id, options)
        return cls(await asyncio.to_thread(copy), **client_options)

    async def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        job = await self._submit(endpoint, *args)
        try:
            return await job.result()
        except GradioTimeoutError:
            with suppress(GradioError):
                await job.cancel()
            raise

    async def _submit(self, endpoint: Endpoint[T], *args: Any) -> AsyncJob[T]:
        with self._noting_restarts():
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
                decode_now=partial(self._decode_now, call),
                decode=self._decoder(call),
                cancel=partial(self._cancel, call),
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
        from ._queue._gradio3_calls import AsyncCall

        config = await self._config(http)
        route, laid = self._gradio3_inputs(config, endpoint, plan, encoded, batch)
        with self._scope(repeatable=True):
            await batch.aupload(http, f"{self._base_url()}/upload")
        session = self._gradio3_session()
        call, reader = self._gradio3_call(
            AsyncCall, endpoint, plan, route, batch.fill(laid), session
        )
        with self._step(steps.JOINING, endpoint):
            if route.queued:
                await reader.open_ws(http, *self._gradio3_upgrade(http))
            else:
                reader.open_run(http, self._gradio3_run(http, endpoint, reader.body))
        job = AsyncJob(
            **self._job_info(call),
            decode_now=partial(self._decode_now, call),
            decode=self._decoder(call),
            cancel=partial(self._cancel_gradio3, call, reader),
        )
        reader.start(job)
        return job

    async def _cancel_gradio3(self, call: Call[Any], reader: AsyncCall) -> None:
        await reader.astop()
        http = self._open_http()
        if http is not None:
            with self._cancelling(call):
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
        if by_name and self._fall_back_to_index(response):
            by_name = False
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
            raise self._unknown_endpoint(endpoint, plan, response, config)
        call = self._accepted(endpoint, plan, response, session, by_name)
        if check is not None:
            try:
                verified = await self._checked(endpoint, check)
            except AppChangedError as e:
                unchecked = self._unchecked(call, e)  # joined before the check answered
                if unchecked is not None:
                    with suppress(GradioError):
                        await self._cancel(unchecked)
                raise
            call = Call(endpoint, verified, call.event_id, call.session_hash, by_name)
        return call

    async def _check(
        self, http: httpx.AsyncClient, endpoint: Endpoint[Any]
    ) -> asyncio.Future[dict[str, Any]] | None:
        """As ``Client._check``; the read runs as a task of the client's event loop."""
        check = self._check_in_flight(
            endpoint, lambda: asyncio.ensure_future(self._config(http, fresh=True))
        )
        if check is not None and self._waits_for_check():
            await self._checked(endpoint, check)
            return None
        return check

    async def _checked(
        self, endpoint: Endpoint[Any], check: asyncio.Future[dict[str, Any]]
    ) -> Plan:
        """As ``Client._checked``. The read is shielded: a caller cancelled while waiting leaves
        it to finish for the next call."""
        try:
            config = await asyncio.shield(check)
        except asyncio.CancelledError:
            if check.cancelled() and self._shared.closed:  # stopped by aclose, not this task
                raise RuntimeError("this client was closed during the call") from None
            raise
        finally:
            if check.done():
                self._check_over(check)
        return self._verified(endpoint, config)

    # -- sending and awaiting -----------------------------------------------------------------------

    async def _ready(self) -> httpx.AsyncClient:
        http: httpx.AsyncClient | None = self._connected()
        if http is not None:
            return http
        async with self._shared.async_lock():
            http = self._connected()
            if http is not None:
                return http
            resolved = await _spaces.aresolve(self._shared.src, **self._space_wait())
            http = self._use(resolved, async_http)
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
        async with self._shared.async_lock():
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
        values, batch = self._decoded(call, raw, job)
        with self._scope():
            await batch.adownload(self._ready_http())
        return steps.build(call.endpoint, values)

    async def _cancel(self, call: Call[Any]) -> None:
        http = self._open_http()
        if http is not None:
            with self._cancelling(call):
                cancel, reset = self._cancel_requests(http, call)
                steps.cancel_checked(await http.send(cancel), call.endpoint.api_name)
                await http.send(reset)
