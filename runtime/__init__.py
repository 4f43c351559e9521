"""The runtime every generated SDK imports: Gradio's protocol over httpx, sync and async.

Public face only; the implementation lives in private modules. Importing this package never loads
jinja2, black or click.
"""

from . import _errors, shapes
from ._client import AsyncClient, Client
from ._default_client import DefaultClient
from ._errors import *  # noqa: F403  # the error tree: its names are listed once, in _errors
from ._files._progress import TransferProgress
from ._files._values import FileInput, FileSource, RemoteFile

# The generator (codegen/sources.py) fetches an app under the runtime's own rules (deadlines,
# credentials at every hop, Space resolution): it imports _auth, _deadline, _spaces and _tls (the
# HTTP clients' former name) from here. Private.
from ._http import _clients as _clients
from ._http import _deadline as _deadline
from ._hub import _auth as _auth
from ._hub import _spaces as _spaces
from ._hub._duplicate import duplicate_space
from ._hub._spaces import SpaceStatus
from ._hub._zerogpu import forward_headers
from ._queue._job import AsyncJob, Job, JobStatus, LogMessage, ProgressUnit, Status
from ._spec import STATE, AppSpec, Endpoint, Output, Param, StateSlot
from ._version import __version__ as __version__
from ._version import require

_tls = _clients

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
]
__all__ += _errors.__all__  # GradioError, its tree and AppChange, as _errors lists them
