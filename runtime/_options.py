"""A client's settings, and the state it shares with the copies ``with_options`` makes of it.

``Configured`` is the constructor both clients share: it checks every option (so a bad one
raises there, before any I/O) into the client's ``Options``, which ``with_options`` may change
without touching the connection, and a ``Shared``: the connection-level state -- the HTTP client,
the session (hence server-side ``gr.State``), the login cookies, the ``/config`` cache and what
was learnt about the app when its source was resolved.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Literal, TypedDict, TypeVar

from ._asyncio import asyncio
from ._errors import InputError
from ._files._progress import ProgressOption
from ._files._values import DEFAULT_MAX_DOWNLOAD_SIZE, DOWNLOAD_MODES, DownloadMode
from ._http._credentials import may_receive_token
from ._http._retry import DEFAULT_MAX_RETRIES
from ._http._timeouts import DEFAULT_STREAM_TIMEOUT
from ._hub import _auth
from ._hub._spaces import Resolved, SpaceStatus, StageCallback
from ._queue import _gradio3 as gradio3
from ._queue._layout import Layout
from ._queue._plan import Plan, ProtocolFlags, protocol_flags
from ._spec import AppSpec, Endpoint

__all__ = [
    "ClientOptions",
    "Configured",
    "Options",
    "Shared",
    "RemoteUrls",
    "Verify",
    "USER_AGENT",
    "host_list",
]

H = TypeVar("H")
S = TypeVar("S")
B = TypeVar("B", bound="Configured")

RemoteUrls = Literal["upload", "pass"]
Verify = Literal["concurrent", "before", "off"]
USER_AGENT = "gradio-codegen"
_REMOTE_URLS = ("upload", "pass")
_VERIFY = ("concurrent", "before", "off")


@dataclass(frozen=True)
class Options:
    """Per-client settings that ``with_options`` may change without touching the connection."""

    timeout: float | None
    download: DownloadMode
    download_dir: str | None
    validate: bool
    progress: ProgressOption = None
    remote_urls: RemoteUrls = "upload"
    max_download_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE
    download_other_origins: bool = False
    verify: Verify = "concurrent"
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_queue_full: bool = False

    def __post_init__(self) -> None:
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(
                f"timeout must be a positive number of seconds or None, got {self.timeout!r}"
            )
        if self.download not in DOWNLOAD_MODES:
            raise ValueError(f"download must be one of {DOWNLOAD_MODES}, got {self.download!r}")
        if self.remote_urls not in _REMOTE_URLS:
            raise ValueError(f"remote_urls must be one of {_REMOTE_URLS}, got {self.remote_urls!r}")
        if not (
            self.progress is None or isinstance(self.progress, bool) or callable(self.progress)
        ):
            raise ValueError(
                "progress must be True (terminal bars), False/None, or a function taking a "
                f"TransferProgress; got {type(self.progress).__name__}"
            )
        size = self.max_download_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
            raise ValueError(
                "max_download_size must be a positive number of bytes or None (no limit), "
                f"got {size!r}"
            )
        if not isinstance(self.download_other_origins, bool):
            raise ValueError(
                f"download_other_origins must be True or False, got {self.download_other_origins!r}"
            )
        if self.verify not in _VERIFY:
            raise ValueError(f"verify must be one of {_VERIFY}, got {self.verify!r}")
        retries = self.max_retries
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 100:
            raise ValueError(f"max_retries must be a whole number from 0 to 100, got {retries!r}")
        if not isinstance(self.retry_queue_full, bool):
            raise ValueError(
                f"retry_queue_full must be True or False, got {self.retry_queue_full!r}"
            )


class Shared(Generic[H, S]):
    """Connection-level state; ``H`` is the httpx client type, ``S`` the session type."""

    def __init__(
        self,
        *,
        src: str,
        token: str | None,
        auth: tuple[str, str] | None,
        headers: dict[str, str],
        stream_timeout: float,
        connect_timeout: float | None,
        trusted_hosts: tuple[str, ...] = (),
        space_timeout: float | None = 300.0,
        on_space_stage: StageCallback | None = None,
    ) -> None:
        self.src = src
        self.token = token
        self.auth = auth
        self.user_headers = headers
        self.stream_timeout = stream_timeout
        self.connect_timeout = connect_timeout
        self.space_timeout = space_timeout
        self.on_space_stage = on_space_stage
        self.lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None  # made on first use, in the client's loop
        self.http: H | None = None
        self.ready = False
        self.closed = False
        self.root = ""  # the app's URL, no trailing slash; set once resolved
        self.headers: dict[str, str] = {}
        self.hf_host = False  # whether the app's host may receive a Hugging Face token
        self.trusted_hosts = trusted_hosts  # hosts the user allowed the token to go to
        self.flags: ProtocolFlags | None = None
        self.config: dict[str, Any] | None = None
        self.plans: dict[Endpoint[Any], Plan] = {}
        self.layout = Layout()  # the app's layout as last checked (``verify``)
        self.session_hash = uuid.uuid4().hex
        self.session: S | None = None

    def async_lock(self) -> asyncio.Lock:
        """The lock an ``AsyncClient`` holds while it connects or reads ``/config`` (awaiting);
        ``lock`` guards the rest, which no call awaits under."""
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        return self._async_lock

    def reset_session(self) -> None:
        with self.lock:
            self.session_hash = uuid.uuid4().hex
            self.session = None
            self.layout.forget()
            self.config = None

    def settle(self, resolved: Resolved, app: AppSpec) -> None:
        """Record where the app answers and the headers it gets, once its source is resolved.

        A token is looked up only for a host that may receive one, so local apps never pay for
        the lookup; a Space's host needs no ``trusted_hosts`` entry: the resolver registered that
        exact origin (scheme, host and port) as trusted when the Hub named it.
        """
        root = resolved.url.rstrip("/")
        self.root = root
        self.headers = {"user-agent": USER_AGENT}
        self.hf_host = may_receive_token(root, trusted_hosts=self.trusted_hosts)
        if self.hf_host:
            self.headers.update(
                _auth.token_headers(
                    root,
                    _auth.find_token(self.token),
                    trusted_hosts=self.trusted_hosts,
                    gradio_version=resolved.gradio_version or app.gradio_version,
                )
            )
        self.headers.update(self.user_headers)
        self.flags = (
            gradio3.FLAGS if app.protocol == gradio3.PROTOCOL else protocol_flags(app.protocol)
        )


def host_list(hosts: Iterable[str]) -> tuple[str, ...]:
    """``trusted_hosts`` as a tuple, checked: one string alone counts as one host, not letters."""
    entries = (hosts,) if isinstance(hosts, str) else tuple(hosts)
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            raise InputError(
                "trusted_hosts must be host names: 'https://host:port', 'host:port' or 'host'; "
                f"got {entry!r}"
            )
    return entries


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()  # "not passed" to ``with_options``, where ``None`` is a value


class ClientOptions(TypedDict, total=False):
    """The constructor's keyword options, typed for a method that passes them on to it
    (``Client.duplicate``); each is explained in ``Configured.__init__``, whose keywords a test
    keeps equal to these."""

    token: str | None
    auth: tuple[str, str] | None
    headers: Mapping[str, str] | None
    timeout: float | None
    download: DownloadMode
    download_dir: str | os.PathLike[str] | None
    validate: bool
    stream_timeout: float
    progress: ProgressOption
    remote_urls: RemoteUrls
    max_download_size: int | None
    download_other_origins: bool
    verify: Verify
    max_retries: int
    retry_queue_full: bool
    trusted_hosts: Iterable[str]
    space_timeout: float | None
    on_space_stage: Callable[[SpaceStatus], None] | None


class Configured:
    """Construction and settings, shared by ``Client`` and ``AsyncClient``."""

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
        download: DownloadMode = "eager",
        download_dir: str | os.PathLike[str] | None = None,
        validate: bool = True,
        stream_timeout: float = DEFAULT_STREAM_TIMEOUT,
        progress: ProgressOption = None,
        remote_urls: RemoteUrls = "upload",
        max_download_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE,
        download_other_origins: bool = False,
        verify: Verify = "concurrent",
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_queue_full: bool = False,
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
        download_dir: where downloaded files go, kept there. Default: a temporary folder of
            this client's (shared by its ``with_options`` copies), deleted with every file in it
            when the client closes; paths a result handed out stay valid until then.
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
        verify: make sure a call reaches the endpoint the SDK was generated for, with the inputs
            and outputs it expects, or raise ``AppChangedError`` before any result is returned.
            ``"concurrent"`` (the default): calls go by name, and the first call of a session
            reads the app's ``/config`` alongside (no extra wait), holding its result until the
            layout matched;
            ``"before"``: the same, but the check comes first, so a changed endpoint's function
            never runs (one round trip more); ``"off"``: calls join by ``fn_index`` unchecked.
        max_retries: how often a request is sent again after a failure that proves it safe (a
            connection refused, a 429; for requests that can be repeated -- reads, uploads,
            cancels -- also a broken connection or a 502/503/504), waiting with backoff and the
            server's ``Retry-After`` inside ``timeout``. A join the app may have accepted is never
            sent again (errors say so in ``may_have_run``). 0 turns retries off.
        retry_queue_full: also retry a join Gradio refused with "Queue is full" (it never ran);
            off by default, since retrying competes with everyone else for a busy app.
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
            verify=verify,
            max_retries=max_retries,
            retry_queue_full=retry_queue_full,
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
        download: DownloadMode = _UNSET,
        download_dir: str | os.PathLike[str] | None = _UNSET,
        validate: bool = _UNSET,
        progress: ProgressOption = _UNSET,
        remote_urls: RemoteUrls = _UNSET,
        max_download_size: int | None = _UNSET,
        download_other_origins: bool = _UNSET,
        verify: Verify = _UNSET,
        max_retries: int = _UNSET,
        retry_queue_full: bool = _UNSET,
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
            "verify": verify,
            "max_retries": max_retries,
            "retry_queue_full": retry_queue_full,
        }
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._options = dataclasses.replace(
            self._options, **{k: v for k, v in changes.items() if v is not _UNSET}
        )
        return clone

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.src!r})"
