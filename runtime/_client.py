"""Clients: the sync ``Client`` and async ``AsyncClient`` that generated SDKs subclass.

A call is a join (``POST {P}/queue/join``) and the session's event stream (``GET {P}/queue/data``):
what the SDK learned at generation time (API prefix, protocol, ``fn_index``, State positions) makes
those the only two requests of a first call to a URL. Constructors do no I/O; the source is resolved
(and a password login made) on first use.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx

from ._http import _credentials
from ._hub import _auth

from ._http import _deadline

from ._hub import _spaces

from ._hub import _zerogpu
from ._base import (
    USER_AGENT,
    Download,
    Options,
    RemoteUrls,
    Shared,
    build,
    changed_error,
    check_arguments,
    config_of,
    decode_values,
    event_id_of,
    host_list,
    is_unknown_endpoint,
    join_body,
    lay_out,
    plan_for,
)
from ._hub._duplicate import duplicate_space
from ._errors import AuthenticationError, GradioError, GradioTimeoutError, InputError
from ._files._download import DownloadBatch
from ._files._upload import UploadBatch
from ._files._values import DEFAULT_MAX_DOWNLOAD_SIZE
from ._http._failures import status_error, transport_error
from ._queue._job import AsyncJob, Job, NeedsDownload
from ._queue._plan import Plan, protocol_flags
from ._files._progress import ProgressOption
from ._queue._session import AsyncSession, SyncSession
from ._hub._spaces import SpaceStatus
from ._spec import AppSpec, Endpoint
from ._http._clients import async_http, sync_http
from ._http._timeouts import CANCEL_TIMEOUT, DEFAULT_STREAM_TIMEOUT, request_timeout, stream_timeout

if TYPE_CHECKING:
    import asyncio

__all__ = ["Client", "AsyncClient", "DefaultClient"]

T = TypeVar("T")
C = TypeVar("C", bound="Client")
A = TypeVar("A", bound="AsyncClient")
B = TypeVar("B", bound="_BaseClient")

_JSON = {"content-type": "application/json"}


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


class _BaseClient:
    """Construction, options and the I/O-free parts both clients share."""

    app: ClassVar[AppSpec] = AppSpec(src="")
    _shared: Shared[Any, Any]

    def __init__(
        self,
        src: str | None = None,
        *,
        token: str | None = None,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = 60.0,
        download: Download = "eager",
        download_dir: str | os.PathLike[str] | None = None,
        validate: bool = True,
        stream_timeout: float = DEFAULT_STREAM_TIMEOUT,
        progress: ProgressOption = None,
        remote_urls: RemoteUrls = "upload",
        max_download_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE,
        download_other_origins: bool = False,
        trusted_hosts: Iterable[str] = (),
        space_timeout: float | None = 300.0,
        on_space_stage: Callable[[SpaceStatus], None] | None = None,
    ) -> None:
        """Args:
        src: the app's URL or Hugging Face Space id (default: where the SDK was generated from).
        token: Hugging Face token for private Spaces (default: ``HF_TOKEN`` or the saved login);
            only ever sent to Hugging Face hosts and ``trusted_hosts``.
        auth: ``(username, password)`` for an app launched with ``auth=``.
        headers: extra HTTP headers for every request to the app.
        timeout: seconds any request, and the wait for a call's result, may take (None: no limit
            for results; a dead server is still detected by its missing heartbeats).
        download: fetch output files at once (``"eager"``), on first access (``"lazy"``), or not.
        download_dir: where downloaded files go (default: a temporary folder).
        validate: check every argument against the endpoint's schema before sending anything.
        stream_timeout: seconds of silence on the event stream after which the server counts as
            gone; the server sends a heartbeat every 15 s, so keep it well above that.
        progress: report file transfers: ``True`` for terminal bars (large files only), or a
            function called with a ``TransferProgress`` after every chunk.
        remote_urls: an http(s) URL passed as a file is fetched here and uploaded (``"upload"``)
            or handed to the server to fetch itself (``"pass"``).
        max_download_size: the most bytes one result file may have once decoded (default 1 GiB;
            None: no limit); a larger one stops downloading and raises ``FileTooLargeError``.
        download_other_origins: also download result files the app names on another origin (a
            link it returned), fetched without credentials. Off by default: the app would choose
            what your machine requests on your network.
        trusted_hosts: hosts besides Hugging Face that may receive the token (and ZeroGPU's
            ``x-ip-token``): ``"https://host:port"``, ``"host:port"``, or ``"host"`` (any port).
        space_timeout: seconds to wait for a Space that is building, starting or asleep
            (None: no limit).
        on_space_stage: called with a ``SpaceStatus`` on every check while waiting for a Space.
        """
        source = src or self.app.src
        if not source:
            raise InputError("no app to talk to: pass src= (a URL or a Space id)")
        if auth is not None and (len(auth) != 2 or not all(isinstance(a, str) for a in auth)):
            raise InputError("auth must be a (username, password) pair of strings")
        if space_timeout is not None and not space_timeout >= 0:
            raise ValueError(f"space_timeout must be >= 0 seconds or None, got {space_timeout!r}")
        self.src = source
        self._options = Options(
            timeout=timeout,
            download=download,
            download_dir=os.fspath(download_dir) if download_dir is not None else None,
            validate=validate,
            progress=progress,
            remote_urls=remote_urls,
            max_download_size=max_download_size,
            download_other_origins=download_other_origins,
        )
        self._shared = Shared(
            src=source,
            token=token,
            auth=auth,
            headers=dict(headers or {}),
            stream_timeout=stream_timeout,
            connect_timeout=timeout,
            trusted_hosts=host_list(trusted_hosts),
            space_timeout=space_timeout,
            on_space_stage=on_space_stage,
        )

    @property
    def session_hash(self) -> str:
        """The session this client's calls run in (it keeps the app's ``gr.State`` values)."""
        return self._shared.session_hash

    def reset_session(self) -> None:
        """Start a fresh session: later calls see fresh ``gr.State`` values. Running jobs finish
        in the old one."""
        self._shared.reset_session()

    def with_options(
        self: B,
        *,
        timeout: float | None = _UNSET,
        download: Download = _UNSET,
        download_dir: str | os.PathLike[str] | None = _UNSET,
        validate: bool = _UNSET,
        progress: ProgressOption = _UNSET,
        remote_urls: RemoteUrls = _UNSET,
        max_download_size: int | None = _UNSET,
        download_other_origins: bool = _UNSET,
    ) -> B:
        """A client with other settings sharing this one's connections, session and login.

        Settings of the connection itself (``token``, ``auth``, ``headers``, ``trusted_hosts``,
        the Space options) stay those of the client this one was made from.
        """
        changes: dict[str, Any] = {
            "timeout": timeout,
            "download": download,
            "download_dir": (
                download_dir if download_dir in (None, _UNSET) else os.fspath(download_dir)
            ),
            "validate": validate,
            "progress": progress,
            "remote_urls": remote_urls,
            "max_download_size": max_download_size,
            "download_other_origins": download_other_origins,
        }
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._options = dataclasses.replace(
            self._options, **{k: v for k, v in changes.items() if v is not _UNSET}
        )
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.src!r})"

    @classmethod
    def _copy_source(cls, from_id: str | None, token: str | None, options: dict[str, Any]) -> str:
        """The Space to duplicate; the client options are checked first, before the Hub is asked,
        so a misspelt option does not leave a copy behind with no client for it."""
        try:
            inspect.signature(cls).bind("owner/name", token=token, **options)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.duplicate(): {e}") from None
        source = from_id or cls.app.space_id or cls.app.src
        if not source:
            raise InputError("no Space to duplicate: pass from_id= (owner/name)")
        return source

    # -- shared steps -------------------------------------------------------------------------------

    def _encode_params(
        self, endpoint: Endpoint[Any], args: tuple[Any, ...]
    ) -> tuple[list[Any], UploadBatch]:
        options = self._options
        check_arguments(endpoint, args, options.validate)
        batch = UploadBatch(
            max_file_size=self.app.max_file_size,
            endpoint=endpoint.api_name,
            progress=options.progress,
            remote_urls=options.remote_urls,
        )
        encoded = []
        for param, value in zip(endpoint.params, args):
            batch.parameter = param.name  # so a file error names the argument it came from
            encoded.append(param.shape.encode(value, batch))
        batch.parameter = None
        return encoded, batch

    def _base_url(self) -> str:
        return f"{self._shared.root}{self.app.api_prefix}"

    def _download_batch(self) -> DownloadBatch:
        options = self._options
        return DownloadBatch(
            file_base=self._base_url(),
            mode=options.download,
            directory=options.download_dir,
            progress=options.progress,
            max_size=options.max_download_size,
            other_origins=options.download_other_origins,
            timeout=options.timeout,
        )

    def _prepare(self, resolved: _spaces.Resolved) -> None:
        """Record where the app answers and the headers it gets (under the shared lock)."""
        shared = self._shared
        root = resolved.url.rstrip("/")
        # A Space's host needs no entry here: the resolver registered that exact origin (scheme,
        # host and port) as trusted when the Hub named it.
        shared.root = root
        shared.headers = {"user-agent": USER_AGENT}
        # A token is looked up only for hosts it may go to, so local apps never pay for the lookup.
        shared.hf_host = _credentials.may_receive_token(root, trusted_hosts=shared.trusted_hosts)
        if shared.hf_host:
            token = _auth.find_token(shared.token)
            shared.headers.update(
                _auth.token_headers(
                    root,
                    token,
                    trusted_hosts=shared.trusted_hosts,
                    gradio_version=resolved.gradio_version or self.app.gradio_version,
                )
            )
        shared.headers.update(shared.user_headers)
        shared.flags = protocol_flags(self.app.protocol)

    def _join_headers(self) -> dict[str, str]:
        shared = self._shared
        if not shared.hf_host:
            return _JSON
        # A ZeroGPU Space counts GPU time against the caller whose x-ip-token is forwarded.
        return {
            **_JSON,
            **_zerogpu.zerogpu_headers(shared.root, trusted_hosts=shared.trusted_hosts),
        }

    def _login_failed(self, response: httpx.Response) -> GradioError:
        if response.status_code in (400, 401, 403):
            return AuthenticationError(
                f"login to {self._shared.root} failed: wrong username or password"
            )
        return status_error(response, action="logging in")

    def _timeout_for(self, limit: float) -> httpx.Timeout:
        timeout = self._options.timeout
        return request_timeout(limit if timeout is None else min(timeout, limit))

    def _scope(self, limit: float | None = None) -> AbstractContextManager[None]:
        """The deadline of one operation (a join, an upload, the downloads of a result, a cancel,
        a login, a ``/config`` read): the client's ``timeout``, at most ``limit``. Every read and
        write of the operation is cut to it, however slowly the server drips its answer."""
        timeout = self._options.timeout
        if limit is not None:
            timeout = limit if timeout is None else min(timeout, limit)
        return _deadline.scope(timeout)


class Client(_BaseClient):
    """Synchronous client. Safe to share between threads; use as a context manager."""

    _shared: Shared[httpx.Client, SyncSession]

    def close(self) -> None:
        """Close the connections (also for clients made by ``with_options``)."""
        shared = self._shared
        with shared.lock:
            shared.closed = True
            session, http = shared.session, shared.http
        if session is not None:
            session.close()
        if http is not None:
            http.close()

    def __enter__(self: C) -> C:
        return self

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
        source = cls._copy_source(from_id, token, options)
        new_id = duplicate_space(
            source,
            to_id,
            token=token,
            hardware=hardware,
            secrets=secrets,
            sleep_time=sleep_time,
            private=private,
        )
        return cls(new_id, token=token, **options)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        job = self._submit(endpoint, *args)
        try:
            return job.result()
        except GradioTimeoutError:
            self._cancel_quietly(job)
            raise

    def _submit(self, endpoint: Endpoint[T], *args: Any) -> Job[T]:
        encoded, batch = self._encode_params(endpoint, args)
        http = self._ready()
        plan = self._plan(endpoint)
        with self._scope():
            batch.upload(http, f"{self._base_url()}/upload")
        data = batch.fill(lay_out(plan, encoded))
        session = self._session()
        session.begin_join()
        try:
            event_id = self._join(http, endpoint, plan, data, session.hash)
        except BaseException:
            session.abort_join()
            raise
        assert self._shared.flags is not None
        job: Job[T] = Job(
            endpoint=endpoint.api_name,
            event_id=event_id,
            diffs=self._shared.flags.diffs,
            decode=lambda raw: self._decode(endpoint, plan, raw),
            cancel=lambda: self._cancel(endpoint, plan, event_id, session.hash),
            timeout=self._options.timeout,
        )
        session.register(event_id, job)
        return job

    # -- steps --------------------------------------------------------------------------------------

    def _ready(self) -> httpx.Client:
        shared = self._shared
        if shared.ready and shared.http is not None and not shared.closed:
            return shared.http
        with shared.lock:
            if shared.closed:
                raise RuntimeError("this client is closed")
            if shared.ready and shared.http is not None:
                return shared.http
            resolved = _spaces.resolve(
                shared.src,
                token=shared.token,
                timeout=shared.space_timeout,
                on_stage=shared.on_space_stage,
            )
            self._prepare(resolved)
            http = shared.http or sync_http(
                request_timeout(self._options.timeout), trusted_hosts=shared.trusted_hosts
            )
            # Uploads and downloads go through this client too; the file helpers only use it on
            # the app's own origin, so its headers (a token, the user's) stay with the app.
            http.headers.update(shared.headers)
            shared.http = http
            if shared.auth is not None:
                self._login(http)
            shared.ready = True
            return http

    def _login(self, http: httpx.Client) -> None:
        assert self._shared.auth is not None
        user, password = self._shared.auth
        try:
            with self._scope():
                response = http.post(
                    f"{self._shared.root}/login",
                    data={"username": user, "password": password},
                    timeout=request_timeout(self._options.timeout),
                )
        except httpx.HTTPError as e:
            raise transport_error(e, action="logging in") from None
        if response.status_code != 200:
            raise self._login_failed(response)

    def _session(self) -> SyncSession:
        shared = self._shared
        with shared.lock:
            if shared.session is None or shared.session.hash != shared.session_hash:
                assert shared.flags is not None
                shared.session = SyncSession(shared.session_hash, shared.flags, self._open_stream)
            return shared.session

    def _open_stream(self, session_hash: str) -> AbstractContextManager[httpx.Response]:
        shared = self._shared
        assert shared.http is not None
        return shared.http.stream(
            "GET",
            f"{shared.root}{self.app.api_prefix}/queue/data",
            params={"session_hash": session_hash},
            timeout=stream_timeout(shared.connect_timeout, shared.stream_timeout),
        )

    def _config(self, http: httpx.Client, *, fresh: bool = False) -> dict[str, Any]:
        shared = self._shared
        if shared.config is not None and not fresh:
            return shared.config
        url, timeout = f"{shared.root}/config", request_timeout(self._options.timeout)
        try:
            with self._scope():
                try:
                    response = http.get(url, timeout=timeout)
                except (httpx.NetworkError, httpx.RemoteProtocolError):
                    # A join the app refused may have been its last word on that pooled connection.
                    response = http.get(url, timeout=timeout)
        except httpx.HTTPError as e:
            raise transport_error(e, action="reading the app's /config") from None
        shared.config = config_of(response)
        return shared.config

    def _plan(self, endpoint: Endpoint[Any]) -> Plan:
        plan = Plan.of(endpoint) or self._shared.plans.get(endpoint)
        if plan is not None:
            return plan
        http = self._ready()
        with self._shared.lock:
            plan = self._shared.plans.get(endpoint)
            if plan is None:
                plan = plan_for(self._shared, endpoint, self._config(http))
            return plan

    def _join(
        self,
        http: httpx.Client,
        endpoint: Endpoint[Any],
        plan: Plan,
        data: object,
        session_hash: str,
    ) -> str:
        shared = self._shared
        try:
            with self._scope():
                response = http.post(
                    f"{shared.root}{self.app.api_prefix}/queue/join",
                    content=join_body(plan, data, session_hash),
                    headers=self._join_headers(),
                    timeout=request_timeout(self._options.timeout),
                )
        except httpx.HTTPError as e:
            raise transport_error(
                e, action="joining the queue", endpoint=endpoint.api_name
            ) from None
        if response.status_code == 200:
            return event_id_of(response, endpoint.api_name)
        if is_unknown_endpoint(response):
            try:
                config: dict[str, Any] | None = self._config(http, fresh=True)
            except GradioError:
                config = None
            raise changed_error(config, self.app, endpoint, plan, response)
        raise status_error(response, action="joining the queue", endpoint=endpoint.api_name)

    def _decode(self, endpoint: Endpoint[T], plan: Plan, raw: list[Any]) -> T:
        batch = self._download_batch()
        values = decode_values(endpoint, plan, raw, batch)
        assert self._shared.http is not None
        with self._scope():
            batch.download(self._shared.http)
        return build(endpoint, values)

    def _cancel(
        self, endpoint: Endpoint[Any], plan: Plan, event_id: str, session_hash: str
    ) -> None:
        shared = self._shared
        http = shared.http
        if http is None or shared.closed:
            return
        base = self._base_url()
        timeout = self._timeout_for(CANCEL_TIMEOUT)
        try:
            with self._scope(CANCEL_TIMEOUT):  # /cancel and /reset share one deadline
                response = http.post(
                    f"{base}/cancel",
                    json={
                        "fn_index": plan.fn_index,
                        "session_hash": session_hash,
                        "event_id": event_id,
                    },
                    timeout=timeout,
                )
                # Gradio < 4.29 has no cancel route (404); there /reset alone stops a generator.
                if response.status_code not in (200, 404):
                    raise status_error(
                        response, action="cancelling the job", endpoint=endpoint.api_name
                    )
                http.post(f"{base}/reset", json={"event_id": event_id}, timeout=timeout)
        except httpx.HTTPError as e:
            raise transport_error(
                e, action="cancelling the job", endpoint=endpoint.api_name
            ) from None

    @staticmethod
    def _cancel_quietly(job: Job[Any]) -> None:
        try:
            job.cancel()
        except GradioError:
            pass


class AsyncClient(_BaseClient):
    """Asynchronous client. Safe to share between tasks; use as an async context manager."""

    _shared: Shared[httpx.AsyncClient, AsyncSession]

    async def aclose(self) -> None:
        """Close the connections (also for clients made by ``with_options``)."""
        shared = self._shared
        shared.closed = True
        if shared.session is not None:
            await shared.session.aclose()
        if shared.http is not None:
            await shared.http.aclose()

    async def __aenter__(self: B) -> B:
        return self

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
        import asyncio  # here, not at the top: keeps the sync import path light

        source = cls._copy_source(from_id, token, options)
        new_id = await asyncio.to_thread(
            duplicate_space,
            source,
            to_id,
            token=token,
            hardware=hardware,
            secrets=secrets,
            sleep_time=sleep_time,
            private=private,
        )
        return cls(new_id, token=token, **options)

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        job = await self._submit(endpoint, *args)
        try:
            return await job.result()
        except GradioTimeoutError:
            try:
                await job.cancel()
            except GradioError:
                pass
            raise

    async def _submit(self, endpoint: Endpoint[T], *args: Any) -> AsyncJob[T]:
        encoded, batch = self._encode_params(endpoint, args)
        http = await self._ready()
        plan = await self._plan(endpoint)
        with self._scope():
            await batch.aupload(http, f"{self._base_url()}/upload")
        data = batch.fill(lay_out(plan, encoded))
        session = self._session()
        session.begin_join()
        try:
            event_id = await self._join(http, endpoint, plan, data, session.hash)
        except BaseException:
            session.abort_join()
            raise
        assert self._shared.flags is not None

        async def decode(raw: list[Any]) -> T:
            return await self._decode(endpoint, plan, raw)

        async def cancel() -> None:
            await self._cancel(endpoint, plan, event_id, session.hash)

        def decode_now(raw: list[Any]) -> T:
            batch = self._download_batch()
            values = decode_values(endpoint, plan, raw, batch)
            if batch.files:
                raise NeedsDownload
            return build(endpoint, values)

        job: AsyncJob[T] = AsyncJob(
            endpoint=endpoint.api_name,
            event_id=event_id,
            diffs=self._shared.flags.diffs,
            decode=decode,
            cancel=cancel,
            timeout=self._options.timeout,
            decode_now=decode_now,
        )
        session.register(event_id, job)
        return job

    # -- steps --------------------------------------------------------------------------------------

    def _lock(self) -> asyncio.Lock:
        import asyncio  # here, not at the top: keeps the sync import path light

        shared = self._shared
        if shared.async_lock is None:
            shared.async_lock = asyncio.Lock()
        return shared.async_lock

    async def _ready(self) -> httpx.AsyncClient:
        shared = self._shared
        if shared.ready and shared.http is not None and not shared.closed:
            return shared.http
        async with self._lock():
            if shared.closed:
                raise RuntimeError("this client is closed")
            if shared.ready and shared.http is not None:
                return shared.http
            resolved = await _spaces.aresolve(
                shared.src,
                token=shared.token,
                timeout=shared.space_timeout,
                on_stage=shared.on_space_stage,
            )
            self._prepare(resolved)
            http = shared.http or async_http(
                request_timeout(self._options.timeout), trusted_hosts=shared.trusted_hosts
            )
            # Uploads and downloads go through this client too; the file helpers only use it on
            # the app's own origin, so its headers (a token, the user's) stay with the app.
            http.headers.update(shared.headers)
            shared.http = http
            if shared.auth is not None:
                await self._login(http)
            shared.ready = True
            return http

    async def _login(self, http: httpx.AsyncClient) -> None:
        assert self._shared.auth is not None
        user, password = self._shared.auth
        try:
            with self._scope():
                response = await http.post(
                    f"{self._shared.root}/login",
                    data={"username": user, "password": password},
                    timeout=request_timeout(self._options.timeout),
                )
        except httpx.HTTPError as e:
            raise transport_error(e, action="logging in") from None
        if response.status_code != 200:
            raise self._login_failed(response)

    def _session(self) -> AsyncSession:
        shared = self._shared
        if shared.session is None or shared.session.hash != shared.session_hash:
            assert shared.flags is not None
            shared.session = AsyncSession(shared.session_hash, shared.flags, self._open_stream)
        return shared.session

    def _open_stream(self, session_hash: str) -> AbstractAsyncContextManager[httpx.Response]:
        shared = self._shared
        assert shared.http is not None
        return shared.http.stream(
            "GET",
            f"{shared.root}{self.app.api_prefix}/queue/data",
            params={"session_hash": session_hash},
            timeout=stream_timeout(shared.connect_timeout, shared.stream_timeout),
        )

    async def _config(self, http: httpx.AsyncClient, *, fresh: bool = False) -> dict[str, Any]:
        shared = self._shared
        if shared.config is not None and not fresh:
            return shared.config
        url, timeout = f"{shared.root}/config", request_timeout(self._options.timeout)
        try:
            with self._scope():
                try:
                    response = await http.get(url, timeout=timeout)
                except (httpx.NetworkError, httpx.RemoteProtocolError):
                    # A join the app refused may have been its last word on that pooled connection.
                    response = await http.get(url, timeout=timeout)
        except httpx.HTTPError as e:
            raise transport_error(e, action="reading the app's /config") from None
        shared.config = config_of(response)
        return shared.config

    async def _plan(self, endpoint: Endpoint[Any]) -> Plan:
        plan = Plan.of(endpoint) or self._shared.plans.get(endpoint)
        if plan is not None:
            return plan
        http = await self._ready()
        async with self._lock():
            plan = self._shared.plans.get(endpoint)
            if plan is None:
                plan = plan_for(self._shared, endpoint, await self._config(http))
            return plan

    async def _join(
        self,
        http: httpx.AsyncClient,
        endpoint: Endpoint[Any],
        plan: Plan,
        data: object,
        session_hash: str,
    ) -> str:
        shared = self._shared
        try:
            with self._scope():
                response = await http.post(
                    f"{shared.root}{self.app.api_prefix}/queue/join",
                    content=join_body(plan, data, session_hash),
                    headers=self._join_headers(),
                    timeout=request_timeout(self._options.timeout),
                )
        except httpx.HTTPError as e:
            raise transport_error(
                e, action="joining the queue", endpoint=endpoint.api_name
            ) from None
        if response.status_code == 200:
            return event_id_of(response, endpoint.api_name)
        if is_unknown_endpoint(response):
            try:
                config: dict[str, Any] | None = await self._config(http, fresh=True)
            except GradioError:
                config = None
            raise changed_error(config, self.app, endpoint, plan, response)
        raise status_error(response, action="joining the queue", endpoint=endpoint.api_name)

    async def _decode(self, endpoint: Endpoint[T], plan: Plan, raw: list[Any]) -> T:
        batch = self._download_batch()
        values = decode_values(endpoint, plan, raw, batch)
        assert self._shared.http is not None
        with self._scope():
            await batch.adownload(self._shared.http)
        return build(endpoint, values)

    async def _cancel(
        self, endpoint: Endpoint[Any], plan: Plan, event_id: str, session_hash: str
    ) -> None:
        shared = self._shared
        http = shared.http
        if http is None or shared.closed:
            return
        base = self._base_url()
        timeout = self._timeout_for(CANCEL_TIMEOUT)
        try:
            with self._scope(CANCEL_TIMEOUT):  # /cancel and /reset share one deadline
                response = await http.post(
                    f"{base}/cancel",
                    json={
                        "fn_index": plan.fn_index,
                        "session_hash": session_hash,
                        "event_id": event_id,
                    },
                    timeout=timeout,
                )
                # Gradio < 4.29 has no cancel route (404); there /reset alone stops a generator.
                if response.status_code not in (200, 404):
                    raise status_error(
                        response, action="cancelling the job", endpoint=endpoint.api_name
                    )
                await http.post(f"{base}/reset", json={"event_id": event_id}, timeout=timeout)
        except httpx.HTTPError as e:
            raise transport_error(
                e, action="cancelling the job", endpoint=endpoint.api_name
            ) from None


class DefaultClient(Generic[C]):
    """The lazily created client behind a generated module's top-level functions.

    Nobody holds this client to close it, so it closes itself at interpreter exit (or when the
    module is collected) through ``weakref.finalize``: its connections are shut in order, and a job
    still waiting fails with ``ServerUnavailableError`` instead of being cut off mid-read. Between
    calls it keeps no reader running: a session's stream reader stops whenever no job waits.
    """

    def __init__(self, factory: type[C]) -> None:
        self._factory = factory
        self._client: C | None = None
        self._lock = threading.Lock()

    def get(self) -> C:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    import weakref  # here, not at the top: only the default client needs it

                    created = self._factory()
                    weakref.finalize(self, DefaultClient._close_quietly, created)
                    self._client = created
                client = self._client
        return client

    @staticmethod
    def _close_quietly(client: Client) -> None:
        try:
            client.close()
        except Exception:  # at exit there is nobody left to tell
            pass
