"""Value shapes: how each endpoint parameter and output is checked, encoded and decoded.

A generated SDK describes every value with a small tree of shapes (``Str()``, ``Choice(...)``,
``List(File())``...). The same tree serves three purposes, so they never disagree:

* ``check`` rejects a wrong argument on the client, before any request, naming the parameter;
* ``encode`` turns the Python argument into the JSON the server expects, handing every file to the
  client's upload context (uploads happen later, all together);
* ``decode`` turns the server's JSON into the declared Python value, handing every file to the
  client's download context.

A result is the app's word, so ``decode`` checks it against the declared type as it goes and raises
``ShapeMismatch`` (the client turns it into a ``ProtocolError`` naming the output) rather than hand
back something the signature does not promise: an ``int`` where a ``str`` is declared, a bare
string where a file belongs (which a later call would read as a *local* path and upload). It keeps
the leniency real Gradio apps need: ``None`` wherever a value may be empty, a choice outside the
declared list (apps change choices at run time; the plain type of the choices is still checked),
an integral float for an ``int``, FileData without ``meta`` from Gradio 4, and unknown keys in
objects. ``fits`` answers the same question without decoding, so a ``Union`` picks its alternative
before any file is handed to the download context.

Shapes are plain data: a generated module builds them from literals only.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Mapping as MappingABC
from typing import Any as AnyType
from typing import Protocol

from ._files._values import FileSource, RemoteFile, is_file_data

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


def _describe(value: object) -> str:
    text = repr(value) if not isinstance(value, (dict, list)) else _short_repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _short_repr(value: dict[object, object] | list[object]) -> str:
    """The start of a container's repr, without walking all of a value the server may have made
    huge or absurdly deep."""
    if isinstance(value, list):
        head = ", ".join(_scalar_repr(v) for v in value[:5])
        return f"[{head}{', ...' if len(value) > 5 else ''}]"
    items = list(value.items())[:5]
    head = ", ".join(f"{_scalar_repr(k)}: {_scalar_repr(v)}" for k, v in items)
    return f"{{{head}{', ...' if len(value) > 5 else ''}}}"


def _scalar_repr(value: object) -> str:
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list):
        return "[...]"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def file_data_problem(value: dict[str, AnyType]) -> str | None:
    """What makes a FileData unusable (``path``/``url`` not strings, or neither given), or None."""
    for key in ("path", "url"):
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"its {key!r} is a {type(value[key]).__name__}, not a string"
    if not (value.get("path") or value.get("url")):
        return "it has neither a path nor a url"
    return None


def _is_legacy_file_data(value: object) -> bool:
    """Gradio 4's FileData without ``meta``: a dict with a string ``path`` and a ``url`` key."""
    return isinstance(value, dict) and isinstance(value.get("path"), str) and "url" in value


class Shape:
    """Base of all shapes. Subclasses override what differs from "pass the JSON through"."""

    def check(self, value: object) -> None:
        """Raise ``ShapeMismatch`` when ``value`` cannot be sent as this shape."""

    def encode(self, value: object, ctx: EncodeContext) -> object:
        return value

    def decode(self, value: object, ctx: DecodeContext) -> object:
        """The declared Python value of a result; ``ShapeMismatch`` when it does not fit."""
        return value

    def fits(self, value: object, strict: bool = False) -> bool:
        """Whether ``decode`` would accept ``value`` (no side effects). ``strict`` refuses the
        lenient forms (``None`` for a value that cannot be empty, an int for a float...), so a
        ``Union`` first looks for an exact fit."""
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


def _decode_file(value: dict[str, AnyType], ctx: DecodeContext) -> object:
    problem = file_data_problem(value)
    if problem is not None:
        raise ShapeMismatch(f"the server sent a file that cannot be fetched: {problem}")
    return ctx.file(value)


def _mismatch(expected: str, value: object) -> ShapeMismatch:
    return ShapeMismatch(f"expected {expected}, got {_describe(value)}")


def _decode_loose(value: object, ctx: DecodeContext) -> object:
    """Decode a value whose schema says nothing precise: FileData anywhere becomes a file."""
    if is_file_data(value):
        assert isinstance(value, dict)
        return _decode_file(value, ctx)
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


def _empty(value: object, strict: bool) -> bool:
    """``None`` stands for an empty output wherever a value may be (leniently) empty."""
    return value is None and not strict


class _Scalar(Shape):
    """A shape whose results are checked by ``fits`` and returned as they are."""

    def expected(self) -> str:
        """What a result of this shape is, for an error message (``"a str"``)."""
        return "a value"

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        if not self.fits(value):
            raise _mismatch(self.expected(), value)
        return value


class Str(_Scalar):
    def expected(self) -> str:
        return "a str"

    def check(self, value: object) -> None:
        if not isinstance(value, str):
            raise ShapeMismatch(f"expected a str, got {_describe(value)}")

    def fits(self, value: object, strict: bool = False) -> bool:
        return isinstance(value, str) or _empty(value, strict)


class _Number(_Scalar):
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
    def expected(self) -> str:
        return "an int"

    def fits(self, value: object, strict: bool = False) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        return not strict and ((isinstance(value, float) and value.is_integer()) or value is None)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        value = super().decode(value, ctx)
        return int(value) if isinstance(value, float) else value

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
    def expected(self) -> str:
        return "a number"

    def fits(self, value: object, strict: bool = False) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, float):
            return True
        return not strict and (isinstance(value, int) or value is None)

    def check(self, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ShapeMismatch(f"expected a number, got {_describe(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ShapeMismatch(f"expected a finite number, got {value!r}")
        self._check_bounds(value)


class Bool(_Scalar):
    def expected(self) -> str:
        return "a bool"

    def check(self, value: object) -> None:
        if not isinstance(value, bool):
            raise ShapeMismatch(f"expected a bool, got {_describe(value)}")

    def fits(self, value: object, strict: bool = False) -> bool:
        return isinstance(value, bool) or _empty(value, strict)


class Null(_Scalar):
    def expected(self) -> str:
        return "None"

    def check(self, value: object) -> None:
        if value is not None:
            raise ShapeMismatch(f"expected None, got {_describe(value)}")

    def fits(self, value: object, strict: bool = False) -> bool:
        return value is None


def _plain_kind(value: object) -> str:
    """The plain type a choice belongs to: numbers are one kind whatever their Python type."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


class Choice(_Scalar):
    """One of a fixed set of values (Radio, Dropdown); ``custom`` also admits any other string.

    A result may be outside the set (an app can change its choices at run time, and the SDK
    declares such outputs with the plain type too), but never of another kind than the choices.
    """

    def __init__(self, values: tuple[object, ...], custom: bool = False) -> None:
        self.values = tuple(values)
        self.custom = custom

    def _is_choice(self, value: object) -> bool:
        for choice in self.values:
            if value == choice and type(value) is type(choice):
                return True
            if (
                isinstance(choice, float)
                and isinstance(value, int)
                and not isinstance(value, bool)
                and value == choice
            ):
                return True
        return self.custom and isinstance(value, str)

    def expected(self) -> str:
        kinds = sorted({_plain_kind(v) for v in self.values} | ({"str"} if self.custom else set()))
        return "a choice (" + " or ".join(kinds) + ")"

    def fits(self, value: object, strict: bool = False) -> bool:
        if self._is_choice(value):
            return True
        if strict:
            return False
        kind = _plain_kind(value)
        return value is None or any(_plain_kind(v) == kind for v in self.values)

    def check(self, value: object) -> None:
        if self._is_choice(value):
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

    def fits(self, value: object, strict: bool = False) -> bool:
        if isinstance(value, list):
            return all(self.item.fits(v, strict) for v in value)
        return _empty(value, strict)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        if not isinstance(value, list):
            raise _mismatch("a list", value)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(self.item.decode(v, ctx))
            except ShapeMismatch as e:
                raise e.at(f"[{i}]") from None
        return out

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

    def fits(self, value: object, strict: bool = False) -> bool:
        if isinstance(value, list) and len(value) == len(self.items):
            return all(s.fits(v, strict) for s, v in zip(self.items, value))
        return _empty(value, strict)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != len(self.items):
            raise _mismatch(f"a list of {len(self.items)} items", value)
        out = []
        for i, (shape, v) in enumerate(zip(self.items, value)):
            try:
                out.append(shape.decode(v, ctx))
            except ShapeMismatch as e:
                raise e.at(f"[{i}]") from None
        return tuple(out)

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

    def _missing(self, value: dict[str, AnyType]) -> str | None:
        """A required key the result lacks and that cannot stand in as null, if any."""
        for key in self.required:
            if key not in value and not _admits_none(self.fields.get(key, Any())):
                return key
        return None

    def fits(self, value: object, strict: bool = False) -> bool:
        if not isinstance(value, dict):
            return _empty(value, strict)
        if self._missing(value) is not None:
            return False
        if strict and self.fields and value and not any(k in value for k in self.fields):
            return False  # an exact fit shares a key with the declared ones
        return all(self.fields[k].fits(v, strict) for k, v in value.items() if k in self.fields)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _mismatch("a dict", value)
        missing = self._missing(value)
        if missing is not None:
            raise ShapeMismatch(f"missing key {missing!r} in {_describe(value)}")
        decoded = {}
        for k, v in value.items():
            try:
                decoded[k] = (
                    self.fields[k].decode(v, ctx) if k in self.fields else _decode_loose(v, ctx)
                )
            except ShapeMismatch as e:
                raise e.at(f"[{k!r}]") from None
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

    def fits(self, value: object, strict: bool = False) -> bool:
        if isinstance(value, dict):
            return all(self.value.fits(v, strict) for v in value.values())
        return _empty(value, strict)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _mismatch("a dict", value)
        decoded = {}
        for k, v in value.items():
            try:
                decoded[k] = self.value.decode(v, ctx)
            except ShapeMismatch as e:
                raise e.at(f"[{k!r}]") from None
        return decoded

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

    def _pick(self, value: object, strict: bool) -> Shape | None:
        if is_file_data(value):  # a file is a file, whatever else a dict could be
            for option in self.options:
                if isinstance(option, File):
                    return option
        for option in self.options:
            if option.fits(value, strict=True):
                return option
        if strict:
            return None
        for option in self.options:
            if option.fits(value):
                return option
        return None

    def fits(self, value: object, strict: bool = False) -> bool:
        return self._pick(value, strict) is not None

    def decode(self, value: object, ctx: DecodeContext) -> object:
        if value is None:
            return None
        option = self._pick(value, strict=False)
        if option is None:
            raise ShapeMismatch(
                f"expected one of {self!r}, got {_describe(value)}"
                if len(repr(self)) <= 200
                else f"no alternative fits {_describe(value)}"
            )
        return option.decode(value, ctx)

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

    def fits(self, value: object, strict: bool = False) -> bool:
        return is_file_data(value) or _is_legacy_file_data(value) or _empty(value, strict)

    def decode(self, value: object, ctx: DecodeContext) -> object:
        """A ``RemoteFile`` (through ``ctx``), or ``None``; never the value itself: a string here
        would pass for a local path when the result is given to another call."""
        if value is None:
            return None
        if not (is_file_data(value) or _is_legacy_file_data(value)):
            raise _mismatch("a file (Gradio FileData)", value)
        assert isinstance(value, dict)
        return _decode_file(value, ctx)
