"""Does a value returned at run time match the type the SDK declared for it?

Static checkers trust the annotations; this walks them against real values, the way a reader of the
signature would expect them to hold: NamedTuple fields, TypedDict keys (required, optional, unknown),
``Literal`` members (type included: ``1`` is not ``"1"``), list/tuple items, mapping values, unions,
and plain classes such as ``RemoteFile``. It returns every mismatch with its path instead of stopping
at the first, so one run lists all the ways a declared type lies.
"""

from __future__ import annotations

import collections.abc as cabc
import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

__all__ = ["mismatches", "describe"]

_MAX_DEPTH = 40
_WRAPPERS = tuple(
    w
    for w in (getattr(typing, n, None) for n in ("Required", "NotRequired", "ReadOnly"))
    if w is not None
)


def describe(value: object) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def _name(annotation: object) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")


def mismatches(
    value: object, annotation: object, path: str = "result", namespace: dict[str, Any] | None = None
) -> list[str]:
    """Every place where ``value`` does not fit ``annotation``; empty when it fits."""
    return _Walk(namespace or {}).check(value, annotation, path, 0)


class _Walk:
    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def check(self, value: object, ann: object, path: str, depth: int) -> list[str]:
        if depth > _MAX_DEPTH:
            return []
        ann = self._resolve(ann)
        if ann is Any or ann is object:
            return []
        if ann is None or ann is type(None):
            return [] if value is None else [f"{path}: expected None, got {describe(value)}"]
        origin = get_origin(ann)
        args = get_args(ann)
        if origin is typing.Annotated:
            return self.check(value, args[0], path, depth + 1)
        if origin in _WRAPPERS:
            return self.check(value, args[0], path, depth + 1)
        if origin is Literal:
            if any(type(value) is type(a) and value == a for a in args):
                return []
            return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
        if origin is Union or origin is types.UnionType:
            for option in args:
                if not self.check(value, option, path, depth + 1):
                    return []
            return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
        if origin is not None:
            return self._generic(value, origin, args, ann, path, depth)
        if isinstance(ann, type):
            return self._class(value, ann, path, depth)
        if isinstance(ann, typing.TypeVar):
            return []
        supertype = getattr(ann, "__supertype__", None)  # NewType
        if supertype is not None:
            return self.check(value, supertype, path, depth + 1)
        return [f"{path}: cannot check against {ann!r}"]

    def _resolve(self, ann: object) -> object:
        if isinstance(ann, str):
            ann = typing.ForwardRef(ann)
        if isinstance(ann, typing.ForwardRef):
            return eval(
                ann.__forward_arg__, self.namespace
            )  # noqa: S307 - annotations of our own generated module
        return ann

    def _generic(
        self, value: object, origin: Any, args: tuple[Any, ...], ann: object, path: str, depth: int
    ) -> list[str]:
        if origin is list or origin is cabc.MutableSequence:
            if not isinstance(value, list):
                return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
            return self._items(value, args[0] if args else Any, path, depth)
        if origin is cabc.Sequence:
            if isinstance(value, (str, bytes)) or not isinstance(value, cabc.Sequence):
                return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
            return self._items(value, args[0] if args else Any, path, depth)
        if origin is tuple:
            if not isinstance(value, tuple):
                return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
            if len(args) == 2 and args[1] is Ellipsis:
                return self._items(value, args[0], path, depth)
            if len(args) != len(value):
                return [f"{path}: expected {len(args)} items ({_name(ann)}), got {describe(value)}"]
            out: list[str] = []
            for i, (item, item_ann) in enumerate(zip(value, args)):
                out += self.check(item, item_ann, f"{path}[{i}]", depth + 1)
            return out
        if origin in (dict, cabc.Mapping, cabc.MutableMapping):
            if not isinstance(value, dict):
                return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
            key_ann, value_ann = args if args else (Any, Any)
            out = []
            for k, v in value.items():
                out += self.check(k, key_ann, f"{path} key {k!r}", depth + 1)
                out += self.check(v, value_ann, f"{path}[{k!r}]", depth + 1)
            return out
        if isinstance(origin, type):
            if not isinstance(value, origin):
                return [f"{path}: expected {_name(ann)}, got {describe(value)}"]
            return []
        return [f"{path}: cannot check against {ann!r}"]

    def _items(
        self, value: cabc.Sequence[object], item_ann: object, path: str, depth: int
    ) -> list[str]:
        out: list[str] = []
        for i, item in enumerate(value):
            out += self.check(item, item_ann, f"{path}[{i}]", depth + 1)
        return out

    def _class(self, value: object, cls: type, path: str, depth: int) -> list[str]:
        if typing.is_typeddict(cls):
            return self._typed_dict(value, cls, path, depth)
        if issubclass(cls, tuple) and hasattr(cls, "_fields"):
            if not isinstance(value, cls):
                return [f"{path}: expected NamedTuple {cls.__qualname__}, got {describe(value)}"]
            hints = self._hints(cls)
            out: list[str] = []
            for field in cls._fields:
                out += self.check(
                    getattr(value, field), hints.get(field, Any), f"{path}.{field}", depth + 1
                )
            return out
        if cls is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)  # numeric tower
        elif cls is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, cls)
        return [] if ok else [f"{path}: expected {cls.__qualname__}, got {describe(value)}"]

    def _typed_dict(self, value: object, cls: type, path: str, depth: int) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path}: expected TypedDict {cls.__qualname__}, got {describe(value)}"]
        hints = self._hints(cls)
        required = set(getattr(cls, "__required_keys__", frozenset()))
        for (
            key,
            hint,
        ) in hints.items():  # string annotations hide NotRequired from __required_keys__
            if get_origin(hint) is getattr(typing, "NotRequired", None):
                required.discard(key)
            elif get_origin(hint) is getattr(typing, "Required", None):
                required.add(key)
        out: list[str] = []
        for key in sorted(required - value.keys()):
            out.append(
                f"{path}: TypedDict {cls.__qualname__} requires key {key!r}, missing in {describe(value)}"
            )
        for key, item in value.items():
            if key not in hints:
                out.append(f"{path}: key {key!r} is not declared in TypedDict {cls.__qualname__}")
                continue
            out += self.check(item, hints[key], f"{path}[{key!r}]", depth + 1)
        return out

    def _hints(self, cls: type) -> dict[str, Any]:
        import sys

        module = sys.modules.get(cls.__module__)
        namespace = {**self.namespace, **(vars(module) if module else {})}
        return typing.get_type_hints(cls, globalns=namespace, include_extras=True)
