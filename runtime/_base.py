"""What the sync and async clients share: options, per-connection state, and the I/O-free steps of
a call (checking and laying out arguments, reading join answers, decoding results).

A client and the copies ``with_options`` makes of it share one ``_Shared``: the connection pool,
the session (hence server-side ``gr.State``), the login cookies and the ``/config`` cache. Only the
``_Options`` differ between them.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import httpx

from ._errors import AppChangedError, GradioError, InputError, ProtocolError
from ._files._values import DEFAULT_MAX_DOWNLOAD_SIZE
from ._http._failures import json_body, status_error
from ._queue._plan import Plan, ProtocolFlags, describe_change, plan_from_config
from ._files._progress import ProgressOption
from ._hub._spaces import StageCallback
from ._spec import AppSpec, Endpoint, Output, StateSlot
from .shapes import ShapeMismatch

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "Download",
    "RemoteUrls",
    "Options",
    "Shared",
    "USER_AGENT",
    "check_arguments",
    "lay_out",
    "join_body",
    "event_id_of",
    "is_unknown_endpoint",
    "changed_error",
    "config_of",
    "plan_for",
    "decode_values",
    "build",
    "host_list",
]

T = TypeVar("T")
H = TypeVar("H")
S = TypeVar("S")

Download = Literal["eager", "lazy", "never"]
RemoteUrls = Literal["upload", "pass"]
USER_AGENT = "gradio-codegen"
_DOWNLOAD_MODES = ("eager", "lazy", "never")
_REMOTE_URLS = ("upload", "pass")


@dataclass(frozen=True)
class Options:
    """Per-client settings that ``with_options`` may change without touching the connection."""

    timeout: float | None
    download: Download
    download_dir: str | None
    validate: bool
    progress: ProgressOption = None
    remote_urls: RemoteUrls = "upload"
    max_download_size: int | None = DEFAULT_MAX_DOWNLOAD_SIZE
    download_other_origins: bool = False

    def __post_init__(self) -> None:
        if self.timeout is not None and not self.timeout > 0:
            raise ValueError(
                f"timeout must be a positive number of seconds or None, got {self.timeout!r}"
            )
        if self.download not in _DOWNLOAD_MODES:
            raise ValueError(f"download must be one of {_DOWNLOAD_MODES}, got {self.download!r}")
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
        self.async_lock: asyncio.Lock | None = None  # made on first use, in the client's loop
        self.http: H | None = None
        self.ready = False
        self.closed = False
        self.root = ""  # the app's URL, no trailing slash; set once ready
        self.headers: dict[str, str] = {}
        self.hf_host = False  # whether the app's host may receive a Hugging Face token
        self.trusted_hosts = trusted_hosts  # hosts the user allowed the token to go to
        self.flags: ProtocolFlags | None = None
        self.config: dict[str, Any] | None = None
        self.plans: dict[Endpoint[Any], Plan] = {}
        self.session_hash = uuid.uuid4().hex
        self.session: S | None = None

    def reset_session(self) -> None:
        with self.lock:
            self.session_hash = uuid.uuid4().hex
            self.session = None


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


# -- arguments ------------------------------------------------------------------------------------


def check_arguments(endpoint: Endpoint[Any], args: tuple[Any, ...], validate: bool) -> None:
    """Reject a wrong argument count always, and values that do not fit when validating."""
    params = endpoint.params
    name = endpoint.python_name or endpoint.api_name.lstrip("/")
    if len(args) != len(params):
        raise InputError(
            f"{name}() takes {len(params)} argument{'s' if len(params) != 1 else ''} "
            f"({', '.join(p.name for p in params) or 'none'}), got {len(args)}"
        )
    if not validate:
        return
    for param, value in zip(params, args):
        try:
            param.shape.check(value)
        except ShapeMismatch as e:
            raise InputError(
                f"{name}(): parameter '{param.name}'{e.path}: {e.message}",
                endpoint=None,
                parameter=param.name,
            ) from None


def lay_out(plan: Plan, encoded: list[Any]) -> list[Any]:
    """One value per input position of the dependency: ``None`` where a ``gr.State`` sits."""
    values = iter(encoded)
    return [None if isinstance(slot, StateSlot) else next(values) for slot in plan.inputs]


def join_body(plan: Plan, data: object, session_hash: str) -> bytes:
    try:
        return json.dumps(
            {"data": data, "fn_index": plan.fn_index, "session_hash": session_hash},
            allow_nan=False,
            ensure_ascii=False,
        ).encode()
    except (TypeError, ValueError) as e:
        raise InputError(f"an argument cannot be sent as JSON: {e}") from None


def event_id_of(response: httpx.Response, endpoint: str) -> str:
    body = json_body(response, action="joining the queue", endpoint=endpoint)
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if not isinstance(event_id, str) or not event_id:
        raise ProtocolError(
            f"the queue accepted the job but sent no event id: {body!r:.200}", endpoint=endpoint
        )
    return event_id


def is_unknown_endpoint(response: httpx.Response) -> bool:
    """A join refused the way Gradio refuses an endpoint it does not have (404 route / 500 index)."""
    return response.status_code in (404, 500)


def changed_error(
    config: dict[str, Any] | None,
    app: AppSpec,
    endpoint: Endpoint[Any],
    plan: Plan,
    response: httpx.Response,
) -> GradioError:
    """Why a join was refused, after reading the app's current ``/config`` (None if unreadable)."""
    if config is not None:
        change = describe_change(config, endpoint, plan, app.api_prefix)
        if change is not None:
            return AppChangedError(change, endpoint=endpoint.api_name)
    if response.status_code == 404:
        return AppChangedError(
            f"the app has no queue at {response.request.url.copy_with(query=None)} (HTTP 404); "
            "it may have changed Gradio version or moved; regenerate the SDK",
            endpoint=endpoint.api_name,
        )
    return status_error(response, action="joining the queue", endpoint=endpoint.api_name)


def config_of(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise status_error(response, action="reading the app's /config")
    body = json_body(response, action="reading /config")
    if not isinstance(body, dict):
        raise ProtocolError("the app's /config is not a JSON object")
    return body


def plan_for(shared: Shared[Any, Any], endpoint: Endpoint[Any], config: dict[str, Any]) -> Plan:
    plan = plan_from_config(config, endpoint)
    shared.plans[endpoint] = plan
    return plan


# -- results --------------------------------------------------------------------------------------


def _unwrap(value: object) -> object:
    """An output sent as ``gr.update(value=...)`` stands for its value."""
    if isinstance(value, dict) and value.get("__type__") == "update":
        return value.get("value")
    return value


def decode_values(endpoint: Endpoint[Any], plan: Plan, raw: list[Any], ctx: Any) -> list[Any]:
    """The public output values of a result, decoded with ``ctx`` (a download batch).

    Each value is checked against its declared shape: one that does not fit is a ``ProtocolError``
    naming the output and where inside it, never a value of another type than the SDK promises.
    """
    if len(raw) != len(plan.outputs):
        raise AppChangedError(
            f"the app returned {len(raw)} values, the SDK expects {len(plan.outputs)} "
            "(State included); regenerate the SDK",
            endpoint=endpoint.api_name,
        )
    values = []
    for slot, value in zip(plan.outputs, raw):
        if not isinstance(slot, Output):
            continue
        try:
            values.append(slot.shape.decode(_unwrap(value), ctx))
        except ShapeMismatch as e:
            raise ProtocolError(
                f"output '{slot.name}'{e.path}: {e.message}; the app sent a value of another "
                "type than the SDK declares (if the app changed, regenerate the SDK)",
                endpoint=endpoint.api_name,
            ) from None
        except GradioError as e:
            if e.endpoint is None:
                e.endpoint = endpoint.api_name
            raise
        except Exception as e:  # RecursionError on absurd nesting, and the like
            raise ProtocolError(
                f"cannot decode output '{slot.name}': {type(e).__name__}: {str(e)[:200]}",
                endpoint=endpoint.api_name,
            ) from None
    return values


def build(endpoint: Endpoint[T], values: list[Any]) -> T:
    try:
        return endpoint.build_result(values)
    except TypeError as e:
        raise ProtocolError(f"cannot build the result: {e}", endpoint=endpoint.api_name) from None
