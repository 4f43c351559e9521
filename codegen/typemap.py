"""Component + JSON schema -> ``TypeRef``: the one place that decides how a value is typed.

Gradio describes every value twice: the component name (``Dropdown``, ``Image``) and the JSON
schema of its wire format. The schema decides the structure; the component and its config props
refine it (an integer ``Number``, a ``Dropdown`` that accepts custom values, an opaque ``JSON``).
Anything unexpected becomes ``Any`` plus a warning, never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .diagnostics import Diagnostics
from .model import (
    ANY,
    BOOL,
    Bounded,
    FLOAT,
    INT,
    JSON,
    NONE,
    STR,
    Constant,
    Field,
    Simple,
    FileType,
    ListType,
    LiteralType,
    MappingType,
    TupleType,
    TypedDictDef,
    TypedDictType,
    TypeRef,
    UnionType,
)
from .names import NameScope, camel_name
from .text import doc_line

__all__ = ["MAX_LITERAL_CHOICES", "TypeMapper", "is_file_schema"]

_FILE_MARKER = "gradio.FileData"
_MAX_DEPTH = 32
# A choice list longer than this is not spelled as a ``Literal``: its values go into one module
# constant that the runtime shape checks arguments against, and annotations use their plain
# type. A hover, a signature or a type error lists every value of a Literal, and past a hundred
# that is a wall of text rather than help (docs/DESIGN.md, "Long choice lists").
MAX_LITERAL_CHOICES = 100

# Components whose value is arbitrary JSON whatever the schema says.
_OPAQUE_COMPONENTS = frozenset({"json", "browserstate"})
_CHOICE_COMPONENTS = frozenset({"dropdown", "radio", "checkboxgroup"})
# Native plots announce "any valid json"; what they send is always these four keys (4/5/6).
_NATIVE_PLOTS = frozenset({"lineplot", "barplot", "scatterplot"})
_NATIVE_PLOT_FIELDS = (
    Field("columns", ListType(STR), required=True, present=True),
    Field("data", ListType(ListType(ANY)), required=True, present=True),
    Field("datatypes", MappingType(STR), required=True, present=True),
    Field("mark", STR, required=True, present=True),
)
_BOUNDED_COMPONENTS = frozenset({"slider", "number"})
# What a browser submits for an input the person left empty is null for a file or a list of files
# (Image, Audio, File, Model3D, SimpleImage, UploadButton, DownloadButton, and custom components
# whose value is a file), and for these, whose value holds files: Video (a VideoData on Gradio 4
# and 5), Gallery and ImageSlider. So such an argument may be None, as gradio_client sends it.
# Other components submit a value even when empty (an ImageEditor its empty layers, a Chatbot [],
# a Textbox ""), so None stays refused there (docs/DESIGN.md, "Empty inputs").
_EMPTY_IS_NULL = frozenset({"video", "gallery", "imageslider"})
# Gradio's Slider schema: "numeric value between 0 and 10" (the only place bounds are without /config).
_BOUNDS_TEXT = re.compile(
    r"between\s+(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s+and\s+(-?\d+(?:\.\d+)?(?:e-?\d+)?)\b"
)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _bounds(schema: Any, kind: str, props: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """A Slider's or Number's bounds: config props first, else the Slider schema's description."""
    low, high = _number(props.get("minimum")), _number(props.get("maximum"))
    if low is None and high is None and kind == "slider" and isinstance(schema, dict):
        text = schema.get("description")
        match = _BOUNDS_TEXT.search(text) if isinstance(text, str) else None
        if match:
            low, high = _number(float(match[1])), _number(float(match[2]))
            if low is not None and float(low).is_integer():
                low = int(low)
            if high is not None and float(high).is_integer():
                high = int(high)
    if low is not None and high is not None and low > high:
        return None, None
    return low, high


def _resolve(schema: Any, defs: Mapping[str, Any]) -> Any:
    """Follow one local ``$ref`` (``#/$defs/X`` or ``#/definitions/X``); None if it dangles."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if not isinstance(ref, str):
        return schema
    for prefix in ("#/$defs/", "#/definitions/"):
        if ref.startswith(prefix):
            return defs.get(ref[len(prefix) :])
    return None


def is_file_schema(schema: Any, defs: Mapping[str, Any] | None = None) -> bool:
    """A FileData by structure: ``path`` plus a ``meta`` whose ``_type`` const or default is
    ``"gradio.FileData"`` (the same test gradio_client applies)."""
    defs = defs or {}
    if not isinstance(schema, dict):
        return False
    props = schema.get("properties")
    if not isinstance(props, dict) or "path" not in props or "meta" not in props:
        return False
    meta = _resolve(props["meta"], defs)
    if not isinstance(meta, dict):
        return False
    default = meta.get("default")
    if isinstance(default, dict) and default.get("_type") == _FILE_MARKER:
        return True
    meta_props = meta.get("properties")
    if isinstance(meta_props, dict):
        marker = meta_props.get("_type")
        if isinstance(marker, dict) and _FILE_MARKER in (
            marker.get("const"),
            marker.get("default"),
        ):
            return True
    return False


def _dedupe(options: list[TypeRef]) -> list[TypeRef]:
    seen: dict[TypeRef, None] = {}  # ordered, and as equal-means-duplicate as a list scan
    for option in options:
        for inner in option.options if isinstance(option, UnionType) else (option,):
            seen.setdefault(inner, None)
    return list(seen)


def union(options: list[TypeRef]) -> TypeRef:
    """The union of ``options``: flattened, duplicate-free, ``None`` last, ``Any`` absorbing."""
    flat = _dedupe(options)
    if any(o in (ANY, JSON) for o in flat):
        return ANY
    if not flat:
        return ANY
    nullable = NONE in flat
    rest = [o for o in flat if o != NONE]
    if nullable and not rest:
        return NONE
    if nullable:
        rest.append(NONE)
    return rest[0] if len(rest) == 1 else UnionType(tuple(rest))


class TypeMapper:
    """Maps values of one app; owns the TypedDicts it creates, in definition order.

    ``type_names`` is the module's scope for public names and ``private_names`` its scope for
    private constants, so a TypedDict or its shape constant never takes a name already in use.
    Identical structures share one TypedDict.
    """

    def __init__(
        self, type_names: NameScope, diagnostics: Diagnostics, private_names: NameScope
    ) -> None:
        self._type_names = type_names
        self._shape_names = private_names
        self._diagnostics = diagnostics
        self._by_structure: dict[tuple[str, tuple[Field, ...], bool], TypedDictDef] = {}
        self.typed_dicts: list[TypedDictDef] = []
        self._choice_constants: dict[tuple[tuple[type, ...], tuple[Any, ...]], Constant] = {}
        self.choice_constants: list[Constant] = []

    # -- components -------------------------------------------------------------------------

    def map_value(
        self,
        schema: Any,
        *,
        component: str | None,
        props: Mapping[str, Any],
        output: bool,
        hint: str,
        where: str,
    ) -> TypeRef:
        """The type of one endpoint parameter (``output=False``) or output (``output=True``).

        ``hint`` names a TypedDict when the schema gives no title.
        """
        kind = (component or "").lower()
        if kind in _OPAQUE_COMPONENTS:
            return JSON
        defs = schema.get("$defs", {}) if isinstance(schema, dict) else {}
        if not isinstance(defs, dict):
            defs = {}
        mapped = _SchemaWalk(self, defs, output=output, hint=hint, where=where).map(schema)
        mapped = self._refine(mapped, kind, props, output)
        if kind in _NATIVE_PLOTS and output and mapped == ANY:
            return self.typed_dict(
                "Native Plot Data",
                _NATIVE_PLOT_FIELDS,
                "What a LinePlot, BarPlot or ScatterPlot shows: its table and how to draw it.",
                output=True,
            )
        if kind in _BOUNDED_COMPONENTS and not output and mapped in (INT, FLOAT):
            low, high = _bounds(schema, kind, props)
            if low is not None or high is not None:
                assert isinstance(mapped, Simple)
                return Bounded(mapped.name, mapped.shape_name, low, high)
        if not output and (kind in _EMPTY_IS_NULL or _is_files(mapped)):
            return union([mapped, NONE])
        return mapped

    def _refine(
        self, mapped: TypeRef, kind: str, props: Mapping[str, Any], output: bool
    ) -> TypeRef:
        if kind == "number" and mapped == FLOAT and props.get("precision") == 0:
            return INT
        if kind in _CHOICE_COMPONENTS:
            custom = props.get("allow_custom_value") is True
            if isinstance(mapped, LiteralType):
                return LiteralType(mapped.values, custom, output, mapped.constant)
            if isinstance(mapped, ListType) and isinstance(mapped.item, LiteralType):
                values = mapped.item.values
                item = LiteralType(values, custom, output, mapped.item.constant)
                return ListType(item, input=mapped.input)
        return mapped

    # -- choices ----------------------------------------------------------------------------

    def literal(self, values: tuple[Any, ...], *, hint: str, custom: bool = False) -> LiteralType:
        """One of ``values``; more than ``MAX_LITERAL_CHOICES`` are kept in a module constant
        (one per distinct list, named after the first value it types)."""
        if len(values) <= MAX_LITERAL_CHOICES:
            return LiteralType(values, custom)
        key = (tuple(map(type, values)), values)
        constant = self._choice_constants.get(key)
        if constant is None:
            name = self._shape_names.claim(
                "_" + _upper_snake(camel_name(hint, prefix="Value")) + "_CHOICES"
            )
            constant = Constant(name, values)
            self._choice_constants[key] = constant
            self.choice_constants.append(constant)
        return LiteralType(values, custom, constant=constant.name)

    # -- typed dicts ------------------------------------------------------------------------

    def typed_dict(
        self, title: str, fields: tuple[Field, ...], doc: str, *, output: bool
    ) -> TypedDictType:
        key = (title, fields, output)
        existing = self._by_structure.get(key)
        if existing is None:
            name = self._type_names.claim(camel_name(title, prefix="Data"))
            shape_name = "_" + _upper_snake(name) + "_SHAPE"
            shape_name = self._shape_names.claim(shape_name)
            existing = TypedDictDef(
                name=name,
                shape_name=shape_name,
                fields=fields,
                doc=doc_line(doc, 200),
                output=output,
            )
            self._by_structure[key] = existing
            self.typed_dicts.append(existing)
        return TypedDictType(existing)

    def warn(self, message: str, where: str) -> None:
        self._diagnostics.warn(message, where)


def _upper_snake(camel: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(camel):
        if ch.isupper() and i and (camel[i - 1].islower() or camel[i - 1].isdigit()):
            out.append("_")
        out.append(ch.upper())
    return "".join(out)


class _SchemaWalk:
    """One walk over a JSON schema (with its ``$defs``), guarding against cycles and depth."""

    def __init__(
        self, mapper: TypeMapper, defs: Mapping[str, Any], *, output: bool, hint: str, where: str
    ):
        self.mapper = mapper
        self.defs = defs
        self.output = output
        self.hint = hint
        self.where = where
        self._refs: list[str] = []

    def map(self, schema: Any, title_hint: str | None = None, depth: int = 0) -> TypeRef:
        if depth > _MAX_DEPTH:
            self.mapper.warn("schema nested too deeply; typed as Any", self.where)
            return ANY
        if schema is True or schema == {}:
            return ANY
        if not isinstance(schema, dict):
            self.mapper.warn(
                f"schema is not an object ({type(schema).__name__}); typed as Any", self.where
            )
            return ANY
        ref = schema.get("$ref")
        if ref is not None:
            return self._map_ref(ref, depth)
        if is_file_schema(schema, self.defs):
            return FileType(output=self.output)
        if "const" in schema:
            return self._choices([schema["const"]])
        if "enum" in schema:
            enum = schema["enum"]
            if isinstance(enum, list) and enum:
                return self._choices(enum)
            self.mapper.warn("enum without values; typed as Any", self.where)
            return ANY
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = schema[key]
                if not isinstance(options, list) or not options:
                    self.mapper.warn(f"{key} without alternatives; typed as Any", self.where)
                    return ANY
                return union([self.map(o, None, depth + 1) for o in options])
        if "allOf" in schema:
            parts = schema["allOf"]
            if isinstance(parts, list) and len(parts) == 1:
                return self.map(parts[0], title_hint, depth + 1)
            self.mapper.warn("allOf with several parts is not supported; typed as Any", self.where)
            return ANY
        kind = schema.get("type")
        if isinstance(kind, list):
            return union([self._map_type(t, schema, title_hint, depth) for t in kind])
        if kind is None or kind == {}:
            if isinstance(schema.get("properties"), dict):
                return self._map_type("object", schema, title_hint, depth)
            if "items" in schema or "prefixItems" in schema:
                return self._map_type("array", schema, title_hint, depth)
            return ANY
        return self._map_type(kind, schema, title_hint, depth)

    def _map_ref(self, ref: Any, depth: int) -> TypeRef:
        if not isinstance(ref, str):
            self.mapper.warn("$ref is not a string; typed as Any", self.where)
            return ANY
        if ref in self._refs:
            self.mapper.warn(f"recursive schema {ref!r}; typed as Any", self.where)
            return ANY
        target = _resolve({"$ref": ref}, self.defs)
        if target is None:
            self.mapper.warn(f"unresolved $ref {ref!r}; typed as Any", self.where)
            return ANY
        self._refs.append(ref)
        try:
            return self.map(target, ref.rsplit("/", 1)[-1], depth + 1)
        finally:
            self._refs.pop()

    def _choices(self, values: list[Any]) -> TypeRef:
        if all(type(v) is str for v in values):
            choices = tuple(dict.fromkeys(values))
        else:
            plain: dict[tuple[type, Any], Any] = {}  # equal and of the same type: the same
            for v in values:
                if v is None or isinstance(v, (str, int, float, bool)):
                    plain.setdefault((type(v), v), v)
                else:
                    self.mapper.warn("a choice is not a plain value; typed as Any", self.where)
                    return ANY
            choices = tuple(plain.values())
        if choices == (None,):
            return NONE
        return self.mapper.literal(choices, hint=self.hint)

    def _map_type(
        self, kind: Any, schema: dict[str, Any], title_hint: str | None, depth: int
    ) -> TypeRef:
        if kind == "string":
            return STR
        if kind == "integer":
            return INT
        if kind == "number":
            return FLOAT
        if kind == "boolean":
            return BOOL
        if kind == "null":
            return NONE
        if kind == "array":
            return self._array(schema, depth)
        if kind == "object":
            return self._object(schema, title_hint, depth)
        if kind == {}:
            return ANY
        self.mapper.warn(f"unknown schema type {str(kind)[:40]!r}; typed as Any", self.where)
        return ANY

    def _array(self, schema: dict[str, Any], depth: int) -> TypeRef:
        prefix = schema.get("prefixItems")
        items = schema.get("items")
        sequence = not self.output
        if isinstance(prefix, list) and prefix:
            return TupleType(tuple(self.map(i, None, depth + 1) for i in prefix))
        if isinstance(items, list):
            if not items:
                return ListType(ANY, input=sequence)
            return TupleType(tuple(self.map(i, None, depth + 1) for i in items))
        if items is None:
            return ListType(ANY, input=sequence)
        return ListType(self.map(items, None, depth + 1), input=sequence)

    def _object(self, schema: dict[str, Any], title_hint: str | None, depth: int) -> TypeRef:
        props = schema.get("properties")
        if not isinstance(props, dict) or not props:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return MappingType(self.map(extra, None, depth + 1), input=not self.output)
            return MappingType(ANY, input=not self.output)
        required_raw = schema.get("required", [])
        required = set(required_raw) if isinstance(required_raw, list) else set()
        fields: list[Field] = []
        for key, sub in props.items():
            ftype = self.map(sub, None, depth + 1)
            present = key in required or _always_dumped(sub)
            fields.append(
                Field(key=str(key), type=ftype, required=key in required, present=present)
            )
        title = schema.get("title")
        if not isinstance(title, str) or not title.strip():
            title = title_hint or self.hint
        # An argument TypedDict that reads the same as the result one is that one.
        as_output = self.output or not _differs_from_output(fields)
        if not as_output:
            title = f"{title} Input"
        description = schema.get("description")
        doc = description if isinstance(description, str) else ""
        return self.mapper.typed_dict(title, tuple(fields), doc, output=as_output)


def _is_files(type_: TypeRef) -> bool:
    """A file, a list of files, or a choice between those."""
    if isinstance(type_, UnionType):
        return all(_is_files(o) for o in type_.options)
    if isinstance(type_, ListType):
        return isinstance(type_.item, FileType)
    return isinstance(type_, FileType)


def _always_dumped(schema: Any) -> bool:
    """Whether an optional key is always in a result: pydantic dumps every field, and a field that
    is not required has a default (in the schema) or a default factory (a list or dict field, no
    default shown). Other optional keys belong to Gradio's plain TypedDicts (Chatbot's
    ``MetadataDict``, ``OptionDict``) and may be absent."""
    if not isinstance(schema, dict):
        return False
    return "default" in schema or schema.get("type") in ("array", "object")


def _differs_from_output(fields: list[Field]) -> bool:
    """Whether an argument TypedDict reads differently from the result one of the same schema (then
    it is its own ``...Input`` class): keys optional in arguments but always in results, files,
    collections, or such a TypedDict inside."""
    if any(f.present and not f.required for f in fields):
        return True
    return any(
        isinstance(t, (FileType, ListType, MappingType))
        or (isinstance(t, TypedDictType) and not t.definition.output)
        for f in fields
        for t in f.type.walk()
    )
