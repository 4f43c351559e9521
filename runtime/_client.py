"""Clients: the sync ``Client`` and async ``AsyncClient`` that generated SDKs subclass.

Signatures are the contract; the protocol implementation is being completed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar

from ._job import AsyncJob, Job
from ._spec import AppSpec, Endpoint

__all__ = ["Client", "AsyncClient", "DefaultClient"]

T = TypeVar("T")
C = TypeVar("C", bound="Client")

Download = Literal["eager", "lazy", "never"]


class _BaseClient:
    app: ClassVar[AppSpec] = AppSpec(src="")

    def __init__(
        self,
        src: str | None = None,
        *,
        token: str | None = None,
        auth: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = 60.0,
        download: Download = "eager",
        download_dir: str | os.PathLike[str] | None = None,
        validate: bool = True,
    ) -> None:
        self.src = src or self.app.src


class Client(_BaseClient):
    """Synchronous client. Safe to share between threads; use as a context manager."""

    def close(self) -> None:
        raise NotImplementedError

    def reset_session(self) -> None:
        raise NotImplementedError

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        return self._submit(endpoint, *args).result()

    def _submit(self, endpoint: Endpoint[T], *args: Any) -> Job[T]:
        raise NotImplementedError


class AsyncClient(_BaseClient):
    """Asynchronous client. Safe to share between tasks; use as an async context manager."""

    async def aclose(self) -> None:
        raise NotImplementedError

    def reset_session(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _predict(self, endpoint: Endpoint[T], *args: Any) -> T:
        job = await self._submit(endpoint, *args)
        return await job.result()

    async def _submit(self, endpoint: Endpoint[T], *args: Any) -> AsyncJob[T]:
        raise NotImplementedError


class DefaultClient(Generic[C]):
    """The lazily created client behind a generated module's top-level functions."""

    def __init__(self, factory: type[C]) -> None:
        self._factory = factory
        self._client: C | None = None
        self._lock = threading.Lock()

    def get(self) -> C:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory()
                client = self._client
        return client
