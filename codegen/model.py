"""The typed model the templates render: app -> endpoints -> parameters/outputs -> type references.

The model holds values: names (safe identifiers made by ``names``), the schema's own strings and
JSON values, and docstring text escaped by ``text``. Code is written only when it is spelled: each
``TypeRef`` spells itself twice, as a Python annotation (recording the imports it uses) and as the
runtime shape expression that checks, encodes and decodes the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .spelling import SHAPES, Imports

__all__ = [
    "App",
    "Endpoint",
    "Field",
    "FileType",
    "ListType",
    "LiteralType",
    "MappingType",
    "Output",
    "Parameter",
    "Bounded",
    "Simple",
    "admits_none",
    "Provenance",
    "TupleType",
    "TypeRef",
    "TypedDictDef",
    "TypedDictType",
    "UnionType",
    "literal",
    "tuple_source",
]


def literal(value: Any) -> str:
    """A JSON value as Python source (``repr`` of plain data only: str, int, float, bool, None,
    list, dict). Non-finite floats have no literal and are spelled ``float("inf")``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (str, bool, int, float)):
        return repr(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def tuple_source(items: list[str]) -> str:
    """A tuple display of already-spelled items (the trailing comma only where Python needs it)."""
    if len(items) == 1:
        return f"({items[0]},)"
    return "(" + ", ".join(items) + ")"


def _use(imports: Imports | None, name: str) -> str:
    return imports.use(name) if imports is not None else name


class TypeRef:
    """A value type of the generated SDK."""

    def annotation(self, imports: Imports | None = None) -> str:
        """The type as an annotation; every imported name it spells is recorded in ``imports``
        (``None`` for text that is not code, such as a docstring)."""
        raise NotImplementedError

    def shape(self) -> str:
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        """Whether a type checker would accept the JSON ``value`` (a default) for this type."""
        raise NotImplementedError

    def children(self) -> tuple[TypeRef, ...]:
        return ()

    def walk(self) -> Iterator[TypeRef]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Simple(TypeRef):
    """A type spelled by one name: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Any``."""

    name: str
    shape_name: str

    def annotation(self, imports: Imports | None = None) -> str:
        return _use(imports, self.name) if self.name == "Any" else self.name

    def shape(self) -> str:
        return f"{SHAPES}.{self.shape_name}()"

    def accepts(self, value: Any) -> bool:
        if self.name == "Any":
            return True
        if self.name == "None":
            return value is None
        if self.name == "bool":
            return isinstance(value, bool)
        if isinstance(value, bool):
            return False
        if self.name == "int":
            return isinstance(value, int)
        if self.name == "float":
            return isinstance(value, (int, float))
        if self.name == "str":
            return isinstance(value, str)
        return False


@dataclass(frozen=True)
class Bounded(Simple):
    """An ``int`` or ``float`` with bounds (a Slider, a Number with minimum/maximum)."""

    minimum: float | None = None
    maximum: float | None = None

    def shape(self) -> str:
        args = []
        if self.minimum is not None:
            args.append(f"minimum={literal(self.minimum)}")
        if self.maximum is not None:
            args.append(f"maximum={literal(self.maximum)}")
        return f"{SHAPES}.{self.shape_name}({', '.join(args)})"

    def accepts(self, value: Any) -> bool:
        if not super().accepts(value):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum


STR = Simple("str", "Str")
INT = Simple("int", "Int")
FLOAT = Simple("float", "Float")
BOOL = Simple("bool", "Bool")
NONE = Simple("None", "Null")
ANY = Simple("Any", "Any")
JSON = Simple("Any", "Json")


def _literal_able(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, bool))


@dataclass(frozen=True)
class LiteralType(TypeRef):
    """One of fixed choices; ``custom`` also admits any string (``allow_custom_value``).

    ``open`` marks a choice component's *output*: the server does not hold outputs to the choices
    (an app may change them at run time), so the plain type of the choices is admitted too.
    """

    values: tuple[Any, ...]
    custom: bool = False
    open: bool = False

    def annotation(self, imports: Imports | None = None) -> str:
        literals = [v for v in self.values if _literal_able(v)]
        parts: list[str] = []
        if literals:
            parts.append(_use(imports, "Literal") + "[" + ", ".join(literal(v) for v in literals) + "]")
        numbers = [
            v for v in self.values if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        # Literal cannot hold floats: widen to the plain type for those choices.
        if any(isinstance(v, float) for v in numbers) or (self.open and numbers):
            parts.append("float")
        if self.custom or (self.open and any(isinstance(v, str) for v in self.values)):
            parts.append("str")
        return " | ".join(parts) if parts else _use(imports, "Any")

    def shape(self) -> str:
        values = tuple_source([literal(v) for v in self.values])
        if self.custom:
            return f"{SHAPES}.Choice({values}, custom=True)"
        return f"{SHAPES}.Choice({values})"

    def accepts(self, value: Any) -> bool:
        if self.custom and isinstance(value, str):
            return True
        return any(value == v and type(value) is type(v) for v in self.values)


@dataclass(frozen=True)
class ListType(TypeRef):
    """A JSON array: ``Sequence[...]`` as an argument (any list, tuple, or narrower items), a
    ``list[...]`` in results."""

    item: TypeRef
    input: bool = False

    def annotation(self, imports: Imports | None = None) -> str:
        outer = _use(imports, "Sequence") if self.input else "list"
        return f"{outer}[{self.item.annotation(imports)}]"

    def shape(self) -> str:
        return f"{SHAPES}.List({self.item.shape()})"

    def children(self) -> tuple[TypeRef, ...]:
        return (self.item,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list) and all(self.item.accepts(v) for v in value)


@dataclass(frozen=True)
class TupleType(TypeRef):
    items: tuple[TypeRef, ...]

    def annotation(self, imports: Imports | None = None) -> str:
        return "tuple[" + ", ".join(i.annotation(imports) for i in self.items) + "]"

    def shape(self) -> str:
        return f"{SHAPES}.Tuple(" + ", ".join(i.shape() for i in self.items) + ")"

    def children(self) -> tuple[TypeRef, ...]:
        return self.items

    def accepts(self, value: Any) -> bool:
        # A JSON default is a list, which a type checker never accepts for a tuple.
        return False


@dataclass(frozen=True)
class MappingType(TypeRef):
    """A JSON object with arbitrary keys: ``Mapping[str, ...]`` as an argument, ``dict`` in results."""

    value: TypeRef
    input: bool = False

    def annotation(self, imports: Imports | None = None) -> str:
        outer = _use(imports, "Mapping") if self.input else "dict"
        return f"{outer}[str, {self.value.annotation(imports)}]"

    def shape(self) -> str:
        return f"{SHAPES}.Mapping({self.value.shape()})"

    def children(self) -> tuple[TypeRef, ...]:
        return (self.value,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.value.accepts(v) for v in value.values())


@dataclass(frozen=True)
class UnionType(TypeRef):
    """Several alternatives; a ``None`` alternative is spelled last (``X | None``)."""

    options: tuple[TypeRef, ...]

    def annotation(self, imports: Imports | None = None) -> str:
        return " | ".join(o.annotation(imports) for o in self.options)

    def shape(self) -> str:
        if len(self.options) == 2 and self.options[1] == NONE:
            return f"{SHAPES}.Optional({self.options[0].shape()})"
        return f"{SHAPES}.Union(" + ", ".join(o.shape() for o in self.options) + ")"

    def children(self) -> tuple[TypeRef, ...]:
        return self.options

    def accepts(self, value: Any) -> bool:
        return any(o.accepts(value) for o in self.options)


@dataclass(frozen=True)
class FileType(TypeRef):
    """A Gradio FileData: ``FileInput`` in arguments, ``RemoteFile`` in results."""

    output: bool

    def annotation(self, imports: Imports | None = None) -> str:
        return _use(imports, "RemoteFile" if self.output else "FileInput")

    def shape(self) -> str:
        return f"{SHAPES}.File()"

    def accepts(self, value: Any) -> bool:
        return not self.output and isinstance(value, str)


@dataclass(frozen=True)
class Field:
    key: str  # the JSON key, exactly as the server spells it
    type: TypeRef
    required: bool  # in arguments
    # Always in results: required, or with a default (pydantic dumps every such field).
    # Keys of Gradio's plain TypedDicts (Chatbot's MetadataDict) have neither and may be absent.
    present: bool = False

    def declared_required(self, output: bool) -> bool:
        return self.required or (output and self.present)


@dataclass(frozen=True)
class TypedDictDef:
    """A JSON object with known keys, rendered as a ``TypedDict`` plus a private shape constant."""

    name: str
    shape_name: str
    fields: tuple[Field, ...]
    doc: str = ""
    # Results are pydantic dumps: every field with a default is on the wire (null when unset), so
    # an output TypedDict declares it present; arguments may leave out the optional ones.
    output: bool = False

    def field_annotation(self, f: Field, imports: Imports | None = None) -> str:
        inner = f.type.annotation(imports)
        if f.declared_required(self.output):
            return inner
        return f"{_use(imports, 'NotRequired')}[{inner}]"

    def shape_expression(self) -> str:
        fields = "{" + ", ".join(f"{literal(f.key)}: {f.type.shape()}" for f in self.fields) + "}"
        required = [literal(f.key) for f in self.fields if f.required]
        if not required:
            return f"{SHAPES}.Object({fields})"
        return f"{SHAPES}.Object({fields}, required={tuple_source(required)})"


@dataclass(frozen=True)
class TypedDictType(TypeRef):
    definition: TypedDictDef

    def annotation(self, imports: Imports | None = None) -> str:
        return self.definition.name

    def shape(self) -> str:
        return self.definition.shape_name

    def children(self) -> tuple[TypeRef, ...]:
        return tuple(f.type for f in self.definition.fields)

    def accepts(self, value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        fields = {f.key: f for f in self.definition.fields}
        if any(k not in fields for k in value):
            return False
        if any(f.required and f.key not in value for f in fields.values()):
            return False
        return all(fields[k].type.accepts(v) for k, v in value.items())


@dataclass
class Parameter:
    name: str
    type: TypeRef
    has_default: bool
    default: Any
    keyword_only: bool = False
    doc: str = ""  # escaped docstring text

    @property
    def default_literal(self) -> str:
        """A list default of a ``Sequence`` parameter is spelled as a tuple: no mutable default."""
        options = self.type.options if isinstance(self.type, UnionType) else (self.type,)
        if isinstance(self.default, list) and any(
            isinstance(o, ListType) and o.input for o in options
        ):
            return tuple_source([literal(v) for v in self.default]) if self.default else "()"
        return literal(self.default)


def admits_none(type_: TypeRef) -> bool:
    if isinstance(type_, Simple):
        return type_.name in ("None", "Any")
    return isinstance(type_, UnionType) and any(admits_none(o) for o in type_.options)


@dataclass
class Output:
    """One public output. Its annotation admits ``None`` whatever the schema says: a function that
    returns ``None`` and ``gr.update(visible=False)`` both leave the output null on the wire."""

    name: str
    type: TypeRef
    doc: str = ""

    def annotation(self, imports: Imports | None = None) -> str:
        inner = self.type.annotation(imports)
        return inner if admits_none(self.type) else f"{inner} | None"


@dataclass
class Slot:
    """One position of the server-side dependency: a public parameter/output, or one the API skips
    (a ``gr.State``, rendered as ``_rt.STATE``)."""

    index: int | None  # into Endpoint.parameters / Endpoint.outputs; None where the API skips it


@dataclass
class Endpoint:
    api_name: str  # as the app names it, e.g. "/predict"
    method_name: str
    submit_name: str
    const_name: str
    fn_index: int | None
    stream: bool | None
    parameters: list[Parameter]
    outputs: list[Output]
    input_slots: list[Slot]
    output_slots: list[Slot]
    result_name: str | None  # the NamedTuple for several outputs
    description: list[str] = field(default_factory=list)  # escaped docstring lines
    hidden: bool = False

    def result_annotation(self, imports: Imports | None = None) -> str:
        if self.result_name is not None:
            return self.result_name
        if not self.outputs:
            return "None"
        return self.outputs[0].annotation(imports)


@dataclass(frozen=True)
class Provenance:
    """Where the module came from and how to make it again: the facts its banner states."""

    source: str
    gradio_version: str | None
    schema_hash: str
    generator: str  # the generator's name and version, e.g. "gradio-codegen 0.1.0"
    regenerate_from: str | None  # the source as the user gave it to the command, if known
    options: tuple[str, ...]  # the command-line options that shaped the module


@dataclass
class App:
    source: str
    api_prefix: str
    protocol: str
    gradio_version: str | None
    max_file_size: int | None
    space_id: str | None
    class_name: str
    async_class_name: str
    endpoints: list[Endpoint]
    typed_dicts: list[TypedDictDef]
    provenance: Provenance
    exports: list[str]
    final_typed_dicts: frozenset[str] = frozenset()  # names of TypedDicts marked ``@final``
