"""Turning a failed job's ``process_completed`` payload into the error a user can act on.

The text comes from the app, so it is cut to ``MAX_MESSAGE_CHARS`` (saying so at its end): an error
message or a log line is for people to read, and a megabyte of it helps nobody.
"""

from __future__ import annotations

import ast
from typing import Any

from .._errors import AppError
from .._http._json import number_or_none, string_or_none
from .._hub import _zerogpu

__all__ = ["app_error", "clip", "HIDDEN_ERROR", "MAX_MESSAGE_CHARS"]

MAX_MESSAGE_CHARS = 4096
"""The most characters of an app's error, log or unexpected-error message that are kept."""

_MAX_TITLE_CHARS = 200
_MAX_UNQUOTED = 16 * MAX_MESSAGE_CHARS  # longer texts are no Gradio 4 repr worth parsing

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
    title = string_or_none(output.get("title")) or title
    if title is not None:
        title = clip(title, _MAX_TITLE_CHARS)
    if error is None:
        message = HIDDEN_ERROR
    else:
        message = str(error)
        if "title" not in output and len(message) <= _MAX_UNQUOTED:
            # Gradio 4 sends gr.Error's text as the repr of a str ("'Bad input'"); 5/6 send it as is
            # and add a title, so only a title-less payload is unwrapped.
            message = _unquote(message)
        message = clip(message)
    quota = _zerogpu.quota_error(message, endpoint=endpoint, title=title)
    if quota is not None:
        return quota
    duration = output.get("duration")
    visible = output.get("visible")
    return AppError(
        message,
        endpoint=endpoint,
        title=title,
        duration=number_or_none(duration),
        visible=visible if isinstance(visible, bool) else None,
    )


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text``, or its first ``limit`` characters and a note of how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... (message cut at {limit:,} characters of {len(text):,})"


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        if isinstance(value, str):
            return value
    return text
