"""ZeroGPU Spaces: forwarding the caller's ``x-ip-token`` and recognising quota errors.

A ZeroGPU Space charges GPU time to whoever the ``x-ip-token`` header names. When a Gradio app calls
another Space from inside an event handler, forwarding the header of the app's own incoming request
charges the end user instead of the calling app. Two ways to get that:

* automatic: if the process already runs Gradio (``gradio`` is in ``sys.modules``), the request of
  the current event handler is read from Gradio's own context, as gradio_client does. The runtime
  never imports gradio to find out;
* explicit, for any framework: ``with forward_headers(request): sdk.predict(...)``, where
  ``request`` is a ``gr.Request``, any object with ``.headers``, or a mapping of headers.

The header is sent only to hosts that may receive a Hugging Face token (a Space); see ``_http._credentials``.

Quota refusals reach clients as app errors whose text comes from the ``spaces`` package, e.g.
``You have exceeded your ZeroGPU quota (60s requested vs. 45s left). Try again in 0:12:03.``
(older releases: ``GPU quota``, ``free GPU``/``Pro GPU``; the oldest put ``left`` first), titled
``ZeroGPU quota exceeded`` where Gradio sends titles. :func:`quota_error` turns those into
``ZeroGPUQuotaError`` with the seconds requested and left.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .._errors import ZeroGPUQuotaError
from .._http._credentials import may_receive_token

__all__ = ["quota_error", "forward_headers", "zerogpu_headers", "IP_TOKEN_HEADER"]

IP_TOKEN_HEADER = "x-ip-token"
QUOTA_TITLE = "ZeroGPU quota exceeded"

_forwarded: ContextVar[str | None] = ContextVar("gradio_codegen_x_ip_token", default=None)

_NUMBER = r"(\d+(?:\.\d+)?)\s*s"
_REQUESTED_FIRST = re.compile(_NUMBER + r"\s+requested\s+vs\.?\s+" + _NUMBER + r"\s+left", re.I)
_LEFT_FIRST = re.compile(_NUMBER + r"\s+left\s+vs\.?\s+" + _NUMBER + r"\s+requested", re.I)
_QUOTA_TEXT = re.compile(
    r"exceeded your (?:(?:free|pro)\s+)?(?:zero)?gpu (?:quota|runs limit)"
    r"|exceeded your runs limit"
    r"|space app has reached its gpu limit",
    re.I,
)


def quota_error(
    message: str, *, endpoint: str | None, title: str | None = None
) -> ZeroGPUQuotaError | None:
    """The specific error when an app error's text is a ZeroGPU quota refusal, else ``None``."""
    text = message.strip().strip("'\"").strip()
    is_quota = (
        bool(_QUOTA_TEXT.search(text)) or (title or "").strip().lower() == QUOTA_TITLE.lower()
    )
    if not is_quota:
        return None
    requested: float | None = None
    remaining: float | None = None
    if match := _REQUESTED_FIRST.search(text):
        requested, remaining = float(match[1]), float(match[2])
    elif match := _LEFT_FIRST.search(text):
        remaining, requested = float(match[1]), float(match[2])
    return ZeroGPUQuotaError(
        text, endpoint=endpoint, title=title, requested=requested, remaining=remaining
    )


@contextmanager
def forward_headers(request: Any) -> Iterator[None]:
    """Forward the ``x-ip-token`` of ``request`` on calls made inside this block.

    ``request`` is a ``gr.Request`` (or anything with ``.headers``) or a mapping of headers; without
    the header this does nothing. Works in threads and tasks alike (a context variable).
    """
    value = _header_of(request)
    reset = _forwarded.set(value) if value else None
    try:
        yield
    finally:
        if reset is not None:
            _forwarded.reset(reset)


def zerogpu_headers(url: str, *, trusted_hosts: Iterable[str] = ()) -> dict[str, str]:
    """The ``x-ip-token`` to add to a join request to ``url``, or nothing.

    Taken from :func:`forward_headers` if active, else from the Gradio request being handled in this
    context, if any; sent only to hosts that may receive a Hugging Face token.
    """
    value = _forwarded.get() or _header_of(_gradio_request())
    if not value or not may_receive_token(url, trusted_hosts=trusted_hosts):
        return {}
    return {IP_TOKEN_HEADER: value}


def _header_of(request: Any) -> str | None:
    if request is None:
        return None
    headers = request if isinstance(request, Mapping) else getattr(request, "headers", None)
    if headers is None:
        return None
    try:
        value = headers.get(IP_TOKEN_HEADER)
        if value is None and isinstance(headers, Mapping):
            value = next((v for k, v in headers.items() if str(k).lower() == IP_TOKEN_HEADER), None)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _gradio_request() -> Any:
    """The request Gradio is handling in this context, read only if Gradio is already loaded."""
    context = sys.modules.get("gradio.context")
    local = getattr(context, "LocalContext", None)
    var = getattr(local, "request", None)
    if not isinstance(var, ContextVar):
        return None
    return var.get(None)
