"""Mapping HTTP failures to the runtime's error tree.

``transport_error`` covers httpx exceptions (nothing answered, the answer broke off, a wait ran out);
``status_error`` covers answers whose status says no. Messages say what was attempted, at which URL,
and what the server said -- never a request header, so a token cannot leak into an error.
``json_body`` reads a JSON answer through ``_json.loads``: bounded, and a ``ProtocolError`` when bad.

Each error's ``may_have_run`` says what the failure proves about the request itself (docs/faults.md
section 1): a connection never made, a 429, or a refusal in Gradio's own words means it was not
acted on (``False``); a connection broken after the request left, a timeout waiting for the answer
or a 5xx from a front end means it may have been (``True``). A step after an accepted join (the
event stream) knows more, and says ``True`` itself.
"""

from __future__ import annotations

import json

import httpx

from .._errors import (
    AuthenticationError,
    GradioError,
    GradioTimeoutError,
    InputError,
    ProtocolError,
    QueueFullError,
    ServerUnavailableError,
    TransportError,
)
from . import _json
from ._retry import is_gradio_queue_full, retry_after

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_GRADIO_REFUSALS = ("Queue is full", "Queue is stopped")  # Gradio's own 503s: the job never ran

__all__ = ["transport_error", "status_error", "server_detail", "json_body"]


def transport_error(
    exc: httpx.HTTPError, *, action: str, endpoint: str | None = None
) -> TransportError:
    """The error for an httpx failure while doing ``action`` (e.g. "joining the queue")."""
    url = _url_of(exc)
    where = f" ({url})" if url else ""
    if isinstance(exc, httpx.TimeoutException):
        not_sent = isinstance(exc, _NOT_SENT)
        return GradioTimeoutError(
            f"timed out {action}{where}: the server did not answer in time "
            "(raise the client's timeout= if it is just slow)"
            + ("" if not_sent else "; the app may have received the request"),
            endpoint=endpoint,
            may_have_run=not not_sent,
        )
    if isinstance(exc, httpx.ConnectError):
        return ServerUnavailableError(
            f"cannot connect to the app while {action}{where}: {exc}; is the server running?",
            endpoint=endpoint,
            may_have_run=False,
        )
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return ServerUnavailableError(
            f"the connection to the app broke off while {action}{where}: {exc}; the app may have "
            "received the request",
            endpoint=endpoint,
        )
    if isinstance(exc, httpx.ProtocolError):
        return ProtocolError(
            f"malformed HTTP from the app while {action}{where}: {exc}", endpoint=endpoint
        )
    return TransportError(
        f"HTTP failure while {action}{where}: {type(exc).__name__}: {exc}", endpoint=endpoint
    )


def _url_of(exc: httpx.HTTPError) -> str:
    try:
        return str(exc.request.url.copy_with(query=None))
    except RuntimeError:  # no request attached
        return ""


def server_detail(response: httpx.Response) -> str:
    """The server's own explanation in a response body, shortened (``detail``/``error`` or text)."""
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    try:
        body = _json.loads(text, what="the app's error answer")
    except ProtocolError:
        detail: object = text.strip()
    else:
        detail = body
        if isinstance(body, dict):
            detail = body.get("detail", body.get("error", body))
            if isinstance(detail, dict):
                detail = detail.get("error", detail)
    out = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    return out if len(out) <= 300 else out[:297] + "..."


def _validation(response: httpx.Response) -> str:
    """Gradio 6 ``validator=`` verdicts (``detail: [{is_valid, message, parameter_name}]``)."""
    try:
        body = _json.loads(response.text, what="the app's validation answer")
    except (ProtocolError, httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list):
        return ""
    parts = []
    for item in detail:
        if isinstance(item, dict) and item.get("is_valid") is False:
            name = item.get("parameter_name")
            message = item.get("message") or "invalid value"
            parts.append(
                f"parameter {name!r}: {message}" if isinstance(name, str) else str(message)
            )
    return "; ".join(parts)


def status_error(
    response: httpx.Response, *, action: str, endpoint: str | None = None
) -> GradioError:
    """The error for a response whose status means failure."""
    code = response.status_code
    detail = server_detail(response)
    said = f": {detail}" if detail else ""
    url = response.request.url.copy_with(query=None)
    if code in (401, 403):
        return AuthenticationError(
            f"the app refused access while {action} (HTTP {code}){said}; "
            "pass auth=(username, password) for a password-protected app, or token= for a private Space",
            endpoint=endpoint,
        )
    if code == 429 or (code == 503 and _gradio_refused(response, detail)):
        wait = retry_after(response)
        reason = "rate-limited this caller" if code == 429 else "cannot take the job now"
        later = f"try again in {wait:g} s" if wait is not None else "try again later"
        return QueueFullError(
            f"the app {reason} (HTTP {code}){said.rstrip('.')}; the job was not run; {later}",
            endpoint=endpoint,
            status_code=code,
            retry_after=wait,
        )
    if code == 422:
        return InputError(
            f"the app rejected the arguments (HTTP 422): {_validation(response) or detail}",
            endpoint=endpoint,
        )
    if code in (502, 503, 504) or code >= 520:
        return ServerUnavailableError(
            f"the app is not reachable behind its proxy while {action} (HTTP {code}, {url}){said}; "
            "the proxy may have passed the request on",
            endpoint=endpoint,
        )
    return TransportError(f"HTTP {code} from {url} while {action}{said}", endpoint=endpoint)


def _gradio_refused(response: httpx.Response, detail: str) -> bool:
    """A 503 in Gradio's own words ("Queue is full." / "Queue is stopped."), not a front end's."""
    try:
        body = response.content
    except httpx.ResponseNotRead:
        body = b""
    return is_gradio_queue_full(response.status_code, body) or detail.startswith(_GRADIO_REFUSALS)


def json_body(response: httpx.Response, *, action: str, endpoint: str | None = None) -> object:
    """The JSON body of a successful response, or ``ProtocolError`` (not JSON, too large, nested
    too deeply)."""
    return _json.loads(response.content, what=f"the app's answer to {action}", endpoint=endpoint)
