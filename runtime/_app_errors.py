"""Turning a failed job's ``process_completed`` payload into the error a user can act on."""

from __future__ import annotations

import ast
from typing import Any

from . import _zerogpu
from ._errors import AppError

__all__ = ["app_error", "HIDDEN_ERROR"]

HIDDEN_ERROR = (
    "the app raised an error but does not share its details with clients; "
    "the app's owner can launch it with show_error=True to send the message"
)


def app_error(output: dict[str, Any], *, endpoint: str, title: str | None = None) -> AppError:
    """The error for a job that failed on the server.

    ``output`` is the failure payload (``{"error": text|null, "title", "duration", "visible"}``);
    ``title`` is the message-level title (Gradio 5/6) used when the payload has none.
    """
    error = output.get("error")
    title = _opt_str(output.get("title")) or title
    if error is None:
        message = HIDDEN_ERROR
    else:
        message = str(error)
        if "title" not in output:
            # Gradio 4 sends gr.Error's text as the repr of a str ("'Bad input'"); 5/6 send it as is
            # and add a title, so only a title-less payload is unwrapped.
            message = _unquote(message)
    quota = _zerogpu.quota_error(message, endpoint=endpoint, title=title)
    if quota is not None:
        return quota
    duration = output.get("duration")
    visible = output.get("visible")
    return AppError(
        message,
        endpoint=endpoint,
        title=title,
        duration=float(duration) if isinstance(duration, (int, float)) else None,
        visible=visible if isinstance(visible, bool) else None,
    )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        if isinstance(value, str):
            return value
    return text
