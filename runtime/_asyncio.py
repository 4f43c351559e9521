"""``asyncio``, loaded the first time an async path uses it.

A program that imports an SDK and calls it synchronously never needs asyncio, and importing it
costs about 20 ms (more than the rest of the runtime on top of httpx); tests/runtime/test_import.py
keeps it off the sync import path. So every module with async code imports this one in its place::

    from .._asyncio import asyncio

and writes ``asyncio.sleep(...)``, ``asyncio.Lock`` and so on as usual: the first such use
imports the real module. Type checkers see the real names.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

__all__ = ["asyncio"]

if TYPE_CHECKING:
    import asyncio as asyncio
else:

    class _OnFirstUse(types.ModuleType):
        """Stands for ``asyncio``: the first name looked up on it imports asyncio and copies its
        names here."""

        def __getattr__(self, name: str) -> Any:
            import asyncio

            self.__dict__.update(vars(asyncio))  # from now on every name is found directly
            return getattr(asyncio, name)

    asyncio = _OnFirstUse("asyncio")
