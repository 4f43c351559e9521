"""Deadlines: a client's ``timeout`` bounds a whole operation, not each read.

httpx timeouts bound every single network read and write, so a server that sends one byte just
before each read would time out holds a call forever. An operation (a join, an upload, a download,
a cancel, a login, a ``/config`` read) therefore runs inside ``scope(seconds)``: the deadline is kept
in a context variable, so it follows the operation into worker threads started with
``contextvars.copy_context`` and into asyncio tasks, and every read and write made through the
runtime's HTTP clients is cut to the time that is left.

Nested scopes keep the earlier deadline. ``scope(None)`` adds no limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["scope", "remaining", "current"]

_deadline: ContextVar[float | None] = ContextVar("gradio_codegen_deadline", default=None)


def current() -> float | None:
    """The deadline in force (a ``time.monotonic()`` value), or ``None``."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left before the deadline in force (may be negative), or ``None`` without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


@contextmanager
def scope(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now (``None``: no new limit)."""
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(deadline if outer is None else min(outer, deadline))
    try:
        yield
    finally:
        _deadline.reset(token)
