"""Running the transfers of one call side by side: every file of a call's upload or of a result's
download at once, up to a limit, so one slow file does not hold the others.

Both runners let every transfer end before raising the first failure, so none is still writing
when the caller cleans up (a scratch folder, a partial file). Sync transfers run in worker threads,
each in a copy of the caller's context: the operation's deadline goes along.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from .._asyncio import asyncio

__all__ = ["run_all", "arun_all"]

T = TypeVar("T")


def run_all(transfer: Callable[[T], None], items: Sequence[T], limit: int) -> None:
    """``transfer(item)`` for every item, at most ``limit`` at a time."""
    if not items:
        return
    if len(items) == 1:
        transfer(items[0])
        return
    from concurrent.futures import (
        ThreadPoolExecutor,  # only here: tests/runtime/test_import.py
    )

    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, transfer, i) for i in items]
        for future in futures:
            future.result()


async def arun_all(
    transfer: Callable[[T], Awaitable[None]], items: Sequence[T], limit: int
) -> None:
    """``await transfer(item)`` for every item, at most ``limit`` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> None:
        async with gate:
            await transfer(item)

    outcomes = await asyncio.gather(*(one(item) for item in items), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
