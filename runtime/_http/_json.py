"""Parsing JSON an app sent: bounded in size and nesting, and every failure a ``ProtocolError``.

``json.loads`` on untrusted text can fail in ways no caller expects: ``RecursionError`` for deeply
nested arrays, ``ValueError`` for a number of more than 4300 digits (Python's int-digits limit),
and a value nested just below the interpreter's recursion limit parses fine but later overflows
the stack in any recursive code that walks it (shape decoding, streaming diffs). Every JSON
document the runtime reads from an app goes through ``loads``, which refuses documents larger than
``MAX_BYTES`` or nested deeper than ``MAX_DEPTH`` (real Gradio answers stay far below both) with a
``ProtocolError`` naming what was being read.

An optional field of what an app sent is read leniently instead, by one reader per kind
(``string_or_none``, ``number_or_none``): anything else than the kind -- a bool, a NaN, a number
too large for a float -- is as good as absent.
"""

from __future__ import annotations

import json
import math

from .._errors import ProtocolError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "loads", "deeper_than", "string_or_none", "number_or_none"]

MAX_BYTES = 64 * 2**20
"""The largest JSON document read from an app. Queue messages are bounded earlier, by the event
stream's own limit (``_sse.MAX_EVENT_BYTES``)."""

MAX_DEPTH = 160
"""How deeply lists and objects may nest. Gradio's deepest documents (a ``/config`` layout tree,
nested chat messages) stay under 40 levels; recursive code over a value of ``MAX_DEPTH`` levels
uses a few hundred frames at most, well inside Python's default recursion limit of 1000."""

_EXCERPT = 200


def loads(data: bytes | str, *, what: str, endpoint: str | None = None) -> object:
    """The value of the JSON document ``data``; ``what`` names it in errors ("the answer to ...").

    Raises ``ProtocolError`` when ``data`` is larger than ``MAX_BYTES``, is not JSON, holds a
    number Python will not convert, or nests deeper than ``MAX_DEPTH``.
    """
    if len(data) > MAX_BYTES:
        raise ProtocolError(
            f"{what} is {len(data):,} bytes, more than the {MAX_BYTES:,} this runtime reads as JSON "
            "from an app",
            endpoint=endpoint,
        )
    try:
        value = json.loads(data)
    except RecursionError:
        raise _too_deep(what, endpoint) from None
    except ValueError as e:  # JSONDecodeError, bad UTF-8, a number past the int-digits limit
        reason = str(e)
        if len(reason) > _EXCERPT:
            reason = reason[: _EXCERPT - 3] + "..."
        raise ProtocolError(
            f"{what} is not JSON this runtime can read ({reason}): {_excerpt(data)!r}",
            endpoint=endpoint,
        ) from None
    if _may_nest(data) and deeper_than(value, MAX_DEPTH):
        raise _too_deep(what, endpoint)
    return value


def deeper_than(value: object, limit: int) -> bool:
    """Whether lists and dicts in ``value`` nest more than ``limit`` levels (a scalar is level 0).

    Walks level by level without recursion, and stops as soon as the limit is passed.
    """
    level: list[list[object] | dict[object, object]] = (
        [value] if isinstance(value, (list, dict)) else []
    )
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: list[list[object] | dict[object, object]] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below += [c for c in children if isinstance(c, (list, dict))]
        level = below
    return False


def _may_nest(data: bytes | str) -> bool:
    """False when ``data`` has too few brackets to nest past the limit: most messages, checked at
    C speed so that only large documents pay for the walk."""
    if isinstance(data, bytes):
        return data.count(b"[") + data.count(b"{") > MAX_DEPTH
    return data.count("[") + data.count("{") > MAX_DEPTH


def _too_deep(what: str, endpoint: str | None) -> ProtocolError:
    return ProtocolError(
        f"{what} nests lists or objects more than {MAX_DEPTH} levels deep; no Gradio app sends "
        "that, so it was refused",
        endpoint=endpoint,
    )


def _excerpt(data: bytes | str) -> str:
    head = data[: _EXCERPT * 4]
    text = head.decode("utf-8", errors="replace") if isinstance(head, bytes) else head
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def string_or_none(value: object) -> str | None:
    """An optional text field of what an app sent: the string, or None for anything else."""
    return value if isinstance(value, str) else None


def number_or_none(value: object) -> float | None:
    """An optional number field: a finite float, or None for anything else (a bool, NaN, an
    infinity, an integer too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        return None
    return number if math.isfinite(number) else None
