"""Every error the runtime raises, under one root.

A user catches ``GradioError`` to handle anything that went wrong talking to a Gradio app, or one of
the subclasses below to act on a specific cause::

    GradioError
    ├── InputError              a call's arguments were rejected before any request was sent
    ├── FileTooLargeError       a file is larger than allowed: an upload (nothing was sent) or a
    │                           result's download (stopped, the partial file deleted)
    ├── AppError                the app's function raised (gr.Error, or any exception)
    │   └── ZeroGPUQuotaError   a ZeroGPU Space refused the call for lack of GPU quota
    ├── JobCancelledError       the job was cancelled before it produced a result
    ├── AuthenticationError     login failed, or a token/cookie was missing or refused
    ├── QueueFullError          the server's queue is full or the caller is rate-limited
    ├── AppChangedError         the app no longer matches the schema the SDK was generated from
    ├── SpaceError              a Hugging Face Space cannot serve calls (missing, paused, broken)
    │   ├── SpaceNotFoundError
    │   ├── SpacePausedError
    │   └── SpaceNotRunningError  build/runtime error, or still starting when the wait ran out
    └── TransportError          the conversation with the server failed
        ├── ServerUnavailableError  could not connect, or the connection dropped
        ├── GradioTimeoutError      a wait ran past its timeout
        ├── ProtocolError           the server sent something this runtime cannot understand
        └── OtherOriginError        a result file is on another origin than the app's; not fetched

Errors carry what a user needs to act on them (the endpoint, the server's message) and never a token.
An error of one endpoint's call names it one way: ``str(e)`` starts with its API name
(``/echo: parameter 'text': expected a str, got 3 (int)``), written by ``GradioError.__str__``
from ``e.endpoint``; no message spells a prefix of its own. The API name, not the Python method:
the caller's traceback already shows the method, and the API name is what the app's API page, its
logs and ``gradio-codegen diff`` call the endpoint.

Every error says whether the app may have run the function: ``may_have_run`` is ``False`` only when
the runtime knows the app never accepted the job (nothing was sent, the connection was refused,
the app or a rate limiter refused the join), so calling again cannot run it twice. It is ``True``
whenever a join may have reached the app -- a connection broken after the request left, a read
timeout, a 5xx from a front end, an event stream lost after the join was accepted -- and for any
error nobody thought about. Retry only on ``may_have_run=False``, unless running twice is harmless.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = [
    "AppChange",
    "GradioError",
    "InputError",
    "FileTooLargeError",
    "AppError",
    "ZeroGPUQuotaError",
    "JobCancelledError",
    "AuthenticationError",
    "QueueFullError",
    "AppChangedError",
    "SpaceError",
    "SpaceNotFoundError",
    "SpacePausedError",
    "SpaceNotRunningError",
    "TransportError",
    "ServerUnavailableError",
    "GradioTimeoutError",
    "ProtocolError",
    "OtherOriginError",
]


class GradioError(Exception):
    """Root of every error raised by ``gradio_codegen.runtime``.

    ``may_have_run``: whether the app may have run (or still be running) the function; ``False``
    only when the runtime knows the app never accepted the job (see the module docstring).
    """

    may_have_run: bool = True

    def __init__(
        self, message: str, *, endpoint: str | None = None, may_have_run: bool | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        if may_have_run is not None:
            self.may_have_run = may_have_run

    def __str__(self) -> str:
        if self.endpoint:
            return f"{self.endpoint}: {self.message}"
        return self.message


class InputError(GradioError, ValueError):
    """An argument does not fit the endpoint's schema; nothing was sent.

    Also a ``ValueError`` so code that validates input generically still catches it.
    """

    may_have_run = False

    def __init__(self, message: str, *, endpoint: str | None = None, parameter: str | None = None):
        super().__init__(message, endpoint=endpoint)
        self.parameter = parameter

    def __str__(self) -> str:
        return _naming(super().__str__(), self.endpoint, self.parameter)


class FileTooLargeError(GradioError):
    """A file is larger than allowed; ``direction`` says which way it was going.

    ``"upload"``: a file argument exceeds the app's ``max_file_size`` (or the app refused it as
    too large); it was not uploaded. ``"download"``: a result file passed the client's
    ``max_download_size``; the download was stopped and the partial file deleted. ``size`` is
    how many bytes it has (or at least had arrived), ``limit`` the bound it passed, and
    ``parameter`` the argument an upload came from.
    """

    def __init__(
        self,
        message: str,
        *,
        size: int,
        limit: int,
        direction: Literal["upload", "download"],
        endpoint: str | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, may_have_run=direction == "download")
        self.size = size
        self.limit = limit
        self.direction = direction
        self.parameter = parameter

    def __str__(self) -> str:
        return _naming(super().__str__(), self.endpoint, self.parameter)


def _naming(text: str, endpoint: str | None, parameter: str | None) -> str:
    """``text`` with the parameter named after the endpoint, unless it already names it."""
    if not parameter or f"'{parameter}'" in text:
        return text
    where = f"parameter '{parameter}': "
    head = f"{endpoint}: "
    if endpoint and text.startswith(head):
        return head + where + text[len(head) :]
    return where + text


class AppError(GradioError):
    """The app's function failed on the server.

    ``message`` is the text of the app's ``gr.Error`` (or a note that the app hides error details when
    a plain exception was raised without ``show_error=True``); ``title``, ``duration`` and ``visible``
    are what the server sent alongside it.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        title: str | None = None,
        duration: float | None = None,
        visible: bool | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint)
        self.title = title
        self.duration = duration
        self.visible = visible


class ZeroGPUQuotaError(AppError):
    """A ZeroGPU Space refused the call because the caller's GPU quota is used up.

    ``requested`` and ``remaining`` are seconds of GPU time, when the server's message says them.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        title: str | None = None,
        requested: float | None = None,
        remaining: float | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, title=title)
        self.requested = requested
        self.remaining = remaining


class JobCancelledError(GradioError):
    """The job was cancelled, so it has no result."""


class AuthenticationError(GradioError):
    """The server refused our credentials: wrong password, missing login, or an invalid token."""

    may_have_run = False


class QueueFullError(GradioError):
    """The server would not accept the job: its queue is full, or it rate-limited the caller.

    The job never ran (``may_have_run`` is ``False``). ``status_code`` is the answer's status
    (503 for Gradio's "Queue is full", 429 for a rate limit), ``retry_after`` the seconds the
    server asked the caller to wait, when it said (``Retry-After``, or the Hub's ``RateLimit``).
    """

    may_have_run = False

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status_code = status_code
        self.retry_after = retry_after


class AppChange(NamedTuple):
    """One difference between the running app and an SDK endpoint: ``kind`` is named as in
    ``gradio-codegen diff`` (``endpoint_removed``, ``input_added``, ``choice_removed``, ...)."""

    endpoint: str
    kind: str
    detail: str


class AppChangedError(GradioError):
    """The running app no longer matches what the SDK was generated from; regenerate the SDK.

    ``changes`` lists what differs, as far as the runtime can tell from the app's ``/config``
    (empty when it could only see that something did); ``regenerate`` is the command that
    regenerates the SDK, when known. ``may_have_run`` is ``True`` when the change showed only
    once the job was joined (checked alongside the first call, or a result of another shape):
    the endpoint's own function may have run, never another's.
    """

    may_have_run = False

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        changes: tuple[AppChange, ...] = (),
        regenerate: str | None = None,
        may_have_run: bool | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, may_have_run=may_have_run)
        self.changes = changes
        self.regenerate = regenerate


class SpaceError(GradioError):
    """A Hugging Face Space cannot serve calls right now."""

    may_have_run = False

    def __init__(self, message: str, *, space_id: str | None = None, stage: str | None = None):
        super().__init__(message)
        self.space_id = space_id
        self.stage = stage


class SpaceNotFoundError(SpaceError):
    """No such Space, or it is private and the token (if any) cannot see it."""


class SpacePausedError(SpaceError):
    """The Space was paused by its owner; only the owner can restart it."""


class SpaceNotRunningError(SpaceError):
    """The Space failed to build or start, or did not become ready within the wait."""


class TransportError(GradioError):
    """The HTTP conversation with the server failed."""


class ServerUnavailableError(TransportError):
    """The server could not be reached, or it dropped the connection mid-call.

    ``may_have_run`` tells the two apart: ``False`` when no connection was made (the job was not
    sent), ``True`` when the connection broke after a join may have reached the app.
    """


class GradioTimeoutError(TransportError, TimeoutError):
    """A wait ran past its timeout. Also a ``TimeoutError``."""


class ProtocolError(TransportError):
    """The server sent a message this runtime cannot understand."""


class OtherOriginError(TransportError):
    """A result file lives on another origin than the app's (a link the app returned, or a
    redirect), so it was not fetched: the app would choose what the user's machine requests.

    ``origin`` is where it lives (``scheme://host:port``). Create the client with
    ``download_other_origins=True`` to fetch such files (without credentials), or fetch
    ``RemoteFile.url`` yourself if you trust it.
    """

    def __init__(self, message: str, *, origin: str, endpoint: str | None = None) -> None:
        super().__init__(message, endpoint=endpoint)
        self.origin = origin
