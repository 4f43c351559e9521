"""The client behind a generated module's top-level functions (``sdk.echo("hi")``).

A module's functions call the app the SDK was generated from unless told otherwise, without any
edit to the generated file:

* by the environment, for a deployment: ``GRADIO_CODEGEN_SRC_<MODULE>`` (see ``source_variable``)
  names the app's URL or Space id, read when the first function call creates the client;
* in code: the module's ``set_default_client(client)`` hands the functions a client the caller
  made, with any options (``token=``, ``auth=``, ``timeout=``, ...); ``None`` goes back.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from ._client import Client
from ._errors import InputError

__all__ = ["DefaultClient", "source_variable"]

C = TypeVar("C", bound=Client)

SOURCE_VARIABLE_PREFIX = "GRADIO_CODEGEN_SRC_"


def source_variable(module: str) -> str:
    """The environment variable that repoints the functions of the SDK imported as ``module``:
    ``myapp.sdks.captioner`` -> ``GRADIO_CODEGEN_SRC_MYAPP_SDKS_CAPTIONER``.

    Named after the module's import name because that is what is unique in a process: two SDKs
    an application imports never share it, whereas the app's title, the class name (``Client`` by
    default) or one variable for all would send every SDK to the same deployment. The prefix
    keeps it clear of the variables Gradio and the application read.
    """
    return SOURCE_VARIABLE_PREFIX + re.sub(r"[^0-9A-Za-z]", "_", module).upper()


def _source_from_env(variable: str) -> str | None:
    """The variable's source, or None when it is unset or blank. A source carrying a login
    (``https://user:secret@host``) is refused without showing it: the value may be a secret, and
    a login belongs in ``auth=``, which sends it only where it should go."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    try:
        has_login = "@" in (urlsplit(value).netloc if "://" in value else value.split("/", 1)[0])
    except ValueError:
        has_login = False  # Client() says what is wrong with it, on first use
    if has_login:
        raise InputError(
            f"{variable} holds a URL with a user name or password; its value is not shown. Set it "
            "to the app's URL or Space id alone, and pass the login in code: "
            "set_default_client(Client(src, auth=(user, password))). A Hugging Face token comes "
            "from HF_TOKEN."
        )
    return value


class DefaultClient(Generic[C]):
    """The lazily created client behind a generated module's top-level functions.

    The client it creates is its own: nobody else holds it to close it, so it closes itself at
    interpreter exit (or when the module is collected) through ``weakref.finalize``: its
    connections are shut in order, and a job still waiting fails with ``ServerUnavailableError``
    instead of being cut off mid-read. Between calls it keeps no reader running: a session's
    stream reader stops whenever no job waits. A client given with ``use`` stays the caller's to
    close.
    """

    def __init__(self, factory: type[C]) -> None:
        self._factory = factory
        self._client: C | None = None
        self._own: C | None = None  # the client this object created, hence closes
        self._closer: weakref.finalize[[Client], DefaultClient[C]] | None = None  # closes _own
        self._lock = threading.Lock()
        # A generated module passes its Client class, whose __module__ is the module's name.
        module = factory.__module__ if isinstance(factory, type) else None
        self.variable = source_variable(module) if module else None

    def get(self) -> C:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._own = self._create()
                client = self._client
        return client

    def use(self, client: C | None) -> None:
        """From now on the module's functions call ``client``; ``None``: a client made as at
        first (from the environment variable, else the SDK's source). A client this object made
        before is closed; jobs already running on it fail with ``ServerUnavailableError``."""
        expected = self._factory if isinstance(self._factory, type) else Client
        if client is not None and not isinstance(client, expected):
            raise TypeError(
                f"set_default_client() takes this SDK's {expected.__name__} (or a subclass, "
                f"such as its FakeClient) or None, got {type(client).__name__}"
            )
        with self._lock:
            if client is not None and client is self._own:
                self._client = client  # its own client back: still its own to close
                return
            closer, self._closer, self._own = self._closer, None, None
            self._client = client
        if closer is not None:
            closer()  # closes the replaced client now, and lets go of it

    def _create(self) -> C:
        source = _source_from_env(self.variable) if self.variable else None
        created = self._factory() if source is None else self._factory(source)
        self._closer = weakref.finalize(self, DefaultClient._close_quietly, created)
        return created

    @staticmethod
    def _close_quietly(client: Client) -> None:
        try:
            client.close()
        except Exception:  # at exit there is nobody left to tell
            pass
