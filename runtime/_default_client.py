"""The client behind a generated module's top-level functions (``sdk.echo("hi")``)."""

from __future__ import annotations

import threading
import weakref
from typing import Generic, TypeVar

from ._client import Client

__all__ = ["DefaultClient"]

C = TypeVar("C", bound=Client)


class DefaultClient(Generic[C]):
    """The lazily created client behind a generated module's top-level functions.

    Nobody holds this client to close it, so it closes itself at interpreter exit (or when the
    module is collected) through ``weakref.finalize``: its connections are shut in order, and a job
    still waiting fails with ``ServerUnavailableError`` instead of being cut off mid-read. Between
    calls it keeps no reader running: a session's stream reader stops whenever no job waits.
    """

    def __init__(self, factory: type[C]) -> None:
        self._factory = factory
        self._client: C | None = None
        self._lock = threading.Lock()

    def get(self) -> C:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    created = self._factory()
                    weakref.finalize(self, DefaultClient._close_quietly, created)
                    self._client = created
                client = self._client
        return client

    @staticmethod
    def _close_quietly(client: Client) -> None:
        try:
            client.close()
        except Exception:  # at exit there is nobody left to tell
            pass
