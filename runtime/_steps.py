"""The steps of a call that do no I/O: checking and laying out arguments, reading each answer the
app gives, and turning a result's values into what the SDK promises.

``_client._BaseClient`` builds every request of a call; ``Client`` and ``AsyncClient`` send them
and hand the answers to the readers here, so each decision about an answer is written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from ._errors import (
    AppChangedError,
    AuthenticationError,
    GradioError,
    InputError,
    ProtocolError,
)
from ._files._upload import UploadBatch
from ._http._failures import json_body, status_error
from ._queue._plan import Plan, describe_change
from ._spec import AppSpec, Endpoint, Output, StateSlot
from .shapes import ShapeMismatch

__all__ = [
    "Call",
    "JOINING",
    "CANCELLING",
    "LOGGING_IN",
    "READING_CONFIG",
    "check_arguments",
    "encode_arguments",
    "lay_out",
    "join_body",
    "login_checked",
    "config_of",
    "is_unknown_endpoint",
    "event_id_of",
    "changed_error",
    "cancel_checked",
    "decode_values",
    "build",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """A call the queue accepted: what decoding its results and cancelling it need.

    ``by_name``: joined through ``{P}/call/{api_name}``, whose streamed outputs come as full
    values, never as edits of the previous ones.
    """

    endpoint: Endpoint[T]
    plan: Plan
    event_id: str
    session_hash: str
    by_name: bool = False


# What each request is for, as error messages say it ("timed out joining the queue").
JOINING = "joining the queue"
CANCELLING = "cancelling the job"
LOGGING_IN = "logging in"
READING_CONFIG = "reading the app's /config"


# -- arguments ------------------------------------------------------------------------------------


def check_arguments(endpoint: Endpoint[Any], args: tuple[Any, ...], validate: bool) -> None:
    """Reject a wrong argument count always, and values that do not fit when validating."""
    params = endpoint.params
    if len(args) != len(params):
        raise InputError(
            f"takes {len(params)} argument{'s' if len(params) != 1 else ''} "
            f"({', '.join(p.name for p in params) or 'none'}), got {len(args)}",
            endpoint=endpoint.api_name,
        )
    if not validate:
        return
    for param, value in zip(params, args):
        try:
            param.shape.check(value)
        except ShapeMismatch as e:
            raise InputError(
                f"parameter '{param.name}'{e.path}: {e.message}",
                endpoint=endpoint.api_name,
                parameter=param.name,
            ) from None


def encode_arguments(
    endpoint: Endpoint[Any], args: tuple[Any, ...], batch: UploadBatch
) -> list[Any]:
    """The JSON of each argument; its files go to ``batch``, which names the argument in errors."""
    encoded = []
    for param, value in zip(endpoint.params, args):
        batch.parameter = param.name
        encoded.append(param.shape.encode(value, batch))
    batch.parameter = None
    return encoded


def lay_out(plan: Plan, encoded: list[Any]) -> list[Any]:
    """One value per input position of the dependency: ``None`` where a ``gr.State`` sits."""
    values = iter(encoded)
    return [None if isinstance(slot, StateSlot) else next(values) for slot in plan.inputs]


def join_body(plan: Plan | None, data: object, session_hash: str) -> bytes:
    """The body of a join by ``fn_index``, or (``plan`` None) of a call by name."""
    body: dict[str, object] = {"data": data}
    if plan is not None:
        body["fn_index"] = plan.fn_index
    body["session_hash"] = session_hash
    try:
        return json.dumps(body, allow_nan=False, ensure_ascii=False).encode()
    except (TypeError, ValueError) as e:
        raise InputError(f"an argument cannot be sent as JSON: {e}") from None


# -- answers --------------------------------------------------------------------------------------


def login_checked(response: httpx.Response, root: str) -> None:
    """Raise unless the app accepted the login."""
    if response.status_code == 200:
        return
    if response.status_code in (400, 401, 403):
        raise AuthenticationError(f"login to {root} failed: wrong username or password")
    raise status_error(response, action=LOGGING_IN)


def config_of(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise status_error(response, action=READING_CONFIG)
    body = json_body(response, action="reading /config")
    if not isinstance(body, dict):
        raise ProtocolError("the app's /config is not a JSON object")
    return body


def is_unknown_endpoint(response: httpx.Response) -> bool:
    """A join refused the way Gradio refuses an endpoint it does not have (404 route / 500 index);
    ``changed_error`` then says what changed, from the app's current ``/config``."""
    return response.status_code in (404, 500)


def event_id_of(response: httpx.Response, endpoint: str) -> str:
    """The event id of an accepted join; the error of a refused one."""
    if response.status_code != 200:
        raise status_error(response, action=JOINING, endpoint=endpoint)
    body = json_body(response, action=JOINING, endpoint=endpoint)
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if not isinstance(event_id, str) or not event_id:
        raise ProtocolError(
            f"the queue accepted the job but sent no event id: {body!r:.200}", endpoint=endpoint
        )
    return event_id


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
    return status_error(response, action=JOINING, endpoint=endpoint.api_name)


def cancel_checked(response: httpx.Response, endpoint: str) -> None:
    """Raise unless ``/cancel`` worked. Gradio < 4.29 has no cancel route (404): there the
    ``/reset`` that follows alone stops a generator."""
    if response.status_code not in (200, 404):
        raise status_error(response, action=CANCELLING, endpoint=endpoint)


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
            may_have_run=True,
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
