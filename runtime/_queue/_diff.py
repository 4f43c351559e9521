"""Streaming diffs: rebuilding an output's full value from the server's edit lists.

After a generator's first yield, diffing protocols (sse_v2 and later) send, per output, a list of
``[action, path, value]`` edits against that output's previous value. Edits are applied by copying
only the containers along the edited path, so every earlier full value a job handed out stays
intact without deep-copying whole values on each update.

Edits come from the app, and a value grows with each of them, so an edit may not nest the value
deeper than ``_json.MAX_DEPTH`` (the bound every JSON document from an app already meets): code
that walks values recursively, here and in shape decoding, can then never run out of stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._errors import ProtocolError
from .._http._json import MAX_DEPTH, deeper_than

__all__ = ["apply_diff"]

_ACTIONS = frozenset({"replace", "append", "add", "delete"})


def apply_diff(value: Any, edits: object) -> Any:
    """The value after applying ``edits`` in order (``value`` itself is never modified)."""
    if not isinstance(edits, list):
        raise ProtocolError(f"a streaming update should be a list of edits, got {edits!r:.200}")
    for edit in edits:
        if not isinstance(edit, list) or len(edit) != 3:
            raise ProtocolError(
                f"a streaming edit should be [action, path, value], got {edit!r:.200}"
            )
        action, path, new = edit
        if action not in _ACTIONS:
            raise ProtocolError(f"unknown streaming edit action {action!r}")
        if not isinstance(path, list):
            raise ProtocolError(f"a streaming edit path should be a list, got {path!r:.200}")
        if len(path) > MAX_DEPTH or (
            action != "delete" and deeper_than(new, MAX_DEPTH - len(path))
        ):
            raise ProtocolError(
                f"a streaming edit {action!r} would nest the value more than {MAX_DEPTH} levels deep"
            )
        try:
            value = _edit(value, path, 0, action, new)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise ProtocolError(
                f"cannot apply streaming edit {action!r} at {path!r}: {type(e).__name__}: {e}"
            ) from None
    return value


def _edit(node: Any, path: Sequence[Any], depth: int, action: str, new: Any) -> Any:
    if depth == len(path):
        if action == "replace":
            return new
        if action == "append":
            return _concat(node, new)
        raise ValueError(f"{action!r} needs a non-empty path")
    key = path[depth]
    copy: Any
    if isinstance(node, list):
        if isinstance(key, bool) or not isinstance(key, int):
            raise TypeError(f"list index must be an integer, got {key!r}")
        copy = list(node)
    elif isinstance(node, dict):
        copy = dict(node)
    else:
        raise TypeError(f"cannot step into {type(node).__name__} with {key!r}")
    if depth + 1 < len(path):
        copy[key] = _edit(copy[key], path, depth + 1, action, new)
    elif action == "replace":
        copy[key] = new
    elif action == "append":
        copy[key] = _concat(copy[key], new)
    elif action == "add":
        if isinstance(copy, list):
            if not -len(copy) <= key <= len(copy):
                raise IndexError(f"insert position {key} outside a list of {len(copy)}")
            copy.insert(key, new)
        else:
            copy[key] = new
    else:  # delete
        del copy[key]
    return copy


def _concat(old: Any, new: Any) -> Any:
    if isinstance(old, str) and isinstance(new, str):
        return old + new
    if isinstance(old, list) and isinstance(new, list):
        return old + new
    raise TypeError(f"cannot append {type(new).__name__} to {type(old).__name__}")
