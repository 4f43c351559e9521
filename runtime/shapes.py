"""Value shapes: how each endpoint parameter and output is checked, encoded and decoded.

A generated SDK describes every value with a small tree of shapes (``Str()``, ``Choice(...)``,
``List(File())``...). The same tree serves three purposes, so they never disagree:

* ``check`` rejects a wrong argument on the client, before any request, naming the parameter;
* ``encode`` turns the Python argument into the JSON the server expects, handing every file to the
  client's upload context (uploads happen later, all together);
* ``decode`` turns the server's JSON into the declared Python value, handing every file to the
  client's download context.

Shapes are plain data: a generated module builds them from literals only.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping as MappingABC
from typing import Any as AnyType
from typing import Protocol

from ._files import FileSource, RemoteFile

__all__ = [
    "Shape",
    "Any",
    "Json",
    "Str",
    "Int",
    "Float",
    "Bool",
    "Null",
    "Choice",
    "List",
    "Tuple",
    "Object",
    "Mapping",
    "Union",
    "Optional",
    "File",
    "EncodeContext",
    "DecodeContext",
    "ShapeMismatch",
    "is_file_data",
]


class ShapeMismatch(Exception):
    """A value does not fit a shape; ``path`` says where inside the value (``[0]['image']``)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def at(self, step: str) -> ShapeMismatch:
        return ShapeMismatch(self.message, step + self.path)


class EncodeContext(Protocol):
    """What a shape needs from the client while encoding arguments."""

    def file(self, value: object) -> object:
        """Accept a file argument for upload; return what stands for it in the payload."""
        ...


class DecodeContext(Protocol):
    """What a shape needs from the client while decoding results."""

    def file(self, data: dict[str, AnyType]) -> object:
        """Turn a FileData dict sent by the server into the SDK's file object."""
        ...


def is_file_data(value: object) -> bool:
    """Whether a JSON value is a Gradio FileData (by its ``meta._type`` marker, never by ``path``)."""
    if not isinstance(value, dict):
        return False
    meta = value.get("meta")
    return isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


class Shape:
    """Base of all shapes. Subclasses override what differs from "pass the JSON through"."""

    def check(self, value: object) -> None:
        """Raise ``ShapeMismatch`` when ``value`` cannot be sent as this shape."""

    def encode(self, value: object, ctx: EncodeContext) -> object:
        return value

    def decode(self, value: object, ctx: DecodeContext) -> object:
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


def _decode_loose(value: object, ctx: DecodeContext) -> object:
    """Decode a value whose schema says nothing precise: FileData anywhere becomes a file."""
    if is_file_data(value):
        assert isinstance(value, dict)
        return ctx.file(value)
    if isinstance(value, list):
        return [_decode_loose(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: _decode_loose(v, ctx) for k, v in value.items()}
    return value


class Any(Shape):
    """No precise schema: anything JSON-like goes through; FileData in results becomes a file."""

    def decode(self, value: object, ctx: DecodeContext) -> object:
        return _decode_loose(value, ctx)


class Json(Shape):
    """A JSON component's value: opaque data, passed through untouched in both directions."""


class Str(Shape):
    def check(self, value: object) -> None:
        if not isinstance(value, str):
            raise ShapeMismatch(f"expected a str, got {_describe(value)}")


class _Number(Shape):
    """A number with optional bounds (a Slider's minimum and maximum)."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def _check_bounds(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise ShapeMismatch(f"{value!r} must be between {low!r} and {high!r}")
            if low is not None:
                raise ShapeMismatch(f"{value!r} must be at least {low!r}")
            raise ShapeMismatch(f"{value!r} must be at most {high!r}")

    def __repr__(self) -> str:
        bounds = [
            f"{k}={v!r}"
            for k, v in (("minimum", self.minimum), ("maximum", self.maximum))
            if v is not None
        ]
        return f"{type(self).__name__}({', '.join(bounds)})"


class Int(_Number):
    def check(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            if not (isinstance(value, float) and value.is_integer()):
                raise ShapeMismatch(f"expected an int, got {_describe(value)}")
        self._check_bounds(value)

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class Float(_Number):
    def check(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ShapeMismatch(f"expected a number, got {_describe(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ShapeMismatch(f"expected a finite number, got {value!r}")
        self._check_bounds(value)


class Bool(Shape):
    def check(self, value: object) -> None:
        if not isinstance(value, bool):
            raise ShapeMismatch(f"expected a bool, got {_describe(value)}")


class Null(Shape):
    def check(self, value: object) -> None:
        if value is not None:
            raise ShapeMismatch(f"expected None, got {_describe(value)}")


class Choice(Shape):
    """One of a fixed set of values (Radio, Dropdown); ``custom`` also admits any other string."""

    def __init__(self, values: tuple[object, ...], custom: bool = False) -> None:
        self.values = tuple(values)
        self.custom = custom

    def check(self, value: object) -> None:
        for choice in self.values:
            if value == choice and type(value) is type(choice):
                return
            if isinstance(choice, float) and isinstance(value, int) and value == choice:
                return
        if self.custom and isinstance(value, str):
            return
        shown = ", ".join(repr(v) for v in self.values[:20])
        if len(self.values) > 20:
            shown += f", ... ({len(self.values)} choices)"
        raise ShapeMismatch(f"{_describe(value)} is not one of the choices: {shown}")

    def __repr__(self) -> str:
        return f"Choice({self.values!r}, custom={self.custom!r})"


class List(Shape):
    def __init__(self, item: Shape) -> None:
        self.item = item

    def check(self, value: object) -> None:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
            raise ShapeMismatch(f"expected a list, got {_describe(value)}")
        for i, v in enumerate(value):
            try:
                self.item.check(v)
            except ShapeMismatch as e:
                raise e.at(f"[{i}]") from None

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
            return value  # unchecked (validate=False): the server decides
        return [self.item.encode(v, ctx) for v in value]

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if not isinstance(value, list):
            return _decode_loose(value, ctx)
        return [self.item.decode(v, ctx) for v in value]

    def __repr__(self) -> str:
        return f"List({self.item!r})"


class Tuple(Shape):
    """A fixed-length JSON array with a shape per position (sent as a list, returned as a tuple)."""

    def __init__(self, *items: Shape) -> None:
        self.items = items

    def check(self, value: object) -> None:
        if not isinstance(value, (list, tuple)) or len(value) != len(self.items):
            raise ShapeMismatch(
                f"expected a sequence of {len(self.items)} items, got {_describe(value)}"
            )
        for i, (shape, v) in enumerate(zip(self.items, value)):
            try:
                shape.check(v)
            except ShapeMismatch as e:
                raise e.at(f"[{i}]") from None

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if not isinstance(value, (list, tuple)) or len(value) != len(self.items):
            return value  # unchecked (validate=False): the server decides
        return [s.encode(v, ctx) for s, v in zip(self.items, value)]

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if not isinstance(value, list) or len(value) != len(self.items):
            return _decode_loose(value, ctx)
        return tuple(s.decode(v, ctx) for s, v in zip(self.items, value))

    def __repr__(self) -> str:
        return f"Tuple({', '.join(repr(i) for i in self.items)})"


class Object(Shape):
    """A JSON object with known keys (a TypedDict in the generated SDK)."""

    def __init__(
        self, fields: dict[str, Shape], required: tuple[str, ...] = (), extra: bool = True
    ) -> None:
        self.fields = dict(fields)
        self.required = tuple(required)
        self.extra = extra

    def check(self, value: object) -> None:
        if not isinstance(value, MappingABC):
            raise ShapeMismatch(f"expected a dict, got {_describe(value)}")
        for key in self.required:
            if key not in value:
                raise ShapeMismatch(f"missing key {key!r}")
        for key, v in value.items():
            shape = self.fields.get(key)
            if shape is None:
                if not self.extra:
                    raise ShapeMismatch(
                        f"unexpected key {key!r}; known keys: {sorted(self.fields)}"
                    )
                continue
            try:
                shape.check(v)
            except ShapeMismatch as e:
                raise e.at(f"[{key!r}]") from None

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if not isinstance(value, MappingABC):
            return value  # unchecked (validate=False): the server decides
        return {
            k: (self.fields[k].encode(v, ctx) if k in self.fields else v) for k, v in value.items()
        }

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if not isinstance(value, dict):
            return _decode_loose(value, ctx)
        decoded = {
            k: (self.fields[k].decode(v, ctx) if k in self.fields else _decode_loose(v, ctx))
            for k, v in value.items()
        }
        # A result declares every key present; one the server left out that may be null is null
        # (Gradio sends ``{}`` for an empty Label, whose keys both default to null).
        for key, shape in self.fields.items():
            if key not in decoded and _admits_none(shape):
                decoded[key] = None
        return decoded

    def __repr__(self) -> str:
        return f"Object({self.fields!r}, required={self.required!r}, extra={self.extra!r})"


class Mapping(Shape):
    """A JSON object with arbitrary string keys and one shape for every value."""

    def __init__(self, value: Shape) -> None:
        self.value = value

    def check(self, value: object) -> None:
        if not isinstance(value, MappingABC):
            raise ShapeMismatch(f"expected a dict, got {_describe(value)}")
        for k, v in value.items():
            if not isinstance(k, str):
                raise ShapeMismatch(f"expected str keys, got {_describe(k)}")
            try:
                self.value.check(v)
            except ShapeMismatch as e:
                raise e.at(f"[{k!r}]") from None

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if not isinstance(value, MappingABC):
            return value  # unchecked (validate=False): the server decides
        return {k: self.value.encode(v, ctx) for k, v in value.items()}

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if not isinstance(value, dict):
            return _decode_loose(value, ctx)
        return {k: self.value.decode(v, ctx) for k, v in value.items()}

    def __repr__(self) -> str:
        return f"Mapping({self.value!r})"


class Union(Shape):
    """Any of several shapes; the first that fits is used."""

    def __init__(self, *options: Shape) -> None:
        self.options = options

    def _first_fit(self, value: object) -> Shape | None:
        for option in self.options:
            try:
                option.check(value)
            except ShapeMismatch:
                continue
            return option
        return None

    def check(self, value: object) -> None:
        if self._first_fit(value) is None:
            errors = []
            for option in self.options:
                try:
                    option.check(value)
                except ShapeMismatch as e:
                    errors.append(f"{e.path or ''} {e.message}".strip())
            raise ShapeMismatch("no alternative fits: " + "; ".join(errors))

    def encode(self, value: object, ctx: EncodeContext) -> object:
        option = self._first_fit(value)
        return value if option is None else option.encode(value, ctx)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        for option in self.options:
            if isinstance(option, File) and is_file_data(value):
                return option.decode(value, ctx)
        for option in self.options:
            if isinstance(option, Null):
                continue
            if isinstance(option, Object) and isinstance(value, dict):
                if all(k in value for k in option.required) and any(
                    k in value for k in option.fields
                ):
                    return option.decode(value, ctx)
                continue
            if isinstance(option, (List, Tuple)) and isinstance(value, list):
                return option.decode(value, ctx)
        return _decode_loose(value, ctx)

    def __repr__(self) -> str:
        return f"Union({', '.join(repr(o) for o in self.options)})"


def _admits_none(shape: Shape) -> bool:
    if isinstance(shape, (Null, Any, Json)):
        return True
    return isinstance(shape, Union) and any(_admits_none(o) for o in shape.options)


def Optional(inner: Shape) -> Union:  # noqa: N802 - reads like the typing construct it mirrors
    """``inner`` or ``None``."""
    return Union(inner, Null())


class File(Shape):
    """A Gradio FileData: a local path, bytes, file object or URL in; a downloaded file out."""

    def check(self, value: object) -> None:
        if isinstance(
            value, (str, bytes, bytearray, memoryview, os.PathLike, FileSource, RemoteFile)
        ):
            return
        if is_file_data(value):
            return
        if isinstance(value, io.TextIOBase):
            raise ShapeMismatch("the file is open in text mode; open it in binary mode ('rb')")
        if callable(getattr(value, "read", None)):
            return
        raise ShapeMismatch(
            "expected a file: a local path (str or os.PathLike), an http(s) URL, bytes, "
            f"or a binary file object; got {_describe(value)}"
        )

    def encode(self, value: object, ctx: EncodeContext) -> object:
        if value is None:
            return None  # unchecked (validate=False): null is an empty component to Gradio
        return ctx.file(value)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if is_file_data(value):
            assert isinstance(value, dict)
            return ctx.file(value)
        if isinstance(value, dict) and isinstance(value.get("path"), str) and "url" in value:
            return ctx.file(value)
        return _decode_loose(value, ctx)
