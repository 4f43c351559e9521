"""The runtime every generated SDK imports: Gradio's protocol over httpx, sync and async.

Public face only; the implementation lives in private modules. Importing this package never loads
jinja2, black or click.
"""

from . import shapes
from ._errors import (
    AppChangedError,
    AppError,
    AuthenticationError,
    FileTooLargeError,
    GradioError,
    GradioTimeoutError,
    InputError,
    JobCancelledError,
    ProtocolError,
    QueueFullError,
    ServerUnavailableError,
    SpaceError,
    SpaceNotFoundError,
    SpaceNotRunningError,
    SpacePausedError,
    TransportError,
    ZeroGPUQuotaError,
)
from ._client import AsyncClient, Client, DefaultClient
from ._duplicate import duplicate_space
from ._files import FileInput, FileSource, RemoteFile
from ._job import AsyncJob, Job, JobStatus, LogMessage, ProgressUnit, Status
from ._progress import TransferProgress
from ._spaces import SpaceStatus
from ._spec import STATE, AppSpec, Endpoint, Output, Param, StateSlot
from ._version import __version__ as __version__, require
from ._zerogpu import forward_headers

__all__ = [
    "shapes",
    "Client",
    "AsyncClient",
    "DefaultClient",
    "Job",
    "AsyncJob",
    "JobStatus",
    "Status",
    "ProgressUnit",
    "LogMessage",
    "AppSpec",
    "Endpoint",
    "Param",
    "Output",
    "STATE",
    "StateSlot",
    "FileInput",
    "FileSource",
    "RemoteFile",
    "TransferProgress",
    "SpaceStatus",
    "duplicate_space",
    "forward_headers",
    "require",
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
]
