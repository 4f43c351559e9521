"""The typed model the templates render: app -> endpoints -> parameters/outputs -> type references.

Every string in here that came from a schema is either a safe identifier (made by ``names``), a
Python literal (made by ``repr``) or escaped docstring text (made by ``text``). Each ``TypeRef``
spells itself twice: as a Python annotation and as the runtime shape expression that checks,
encodes and decodes the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

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


class TypeRef:
    """A value type of the generated SDK."""

    def annotation(self) -> str:
        raise NotImplementedError

    def shape(self) -> str:
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        """Whether a type checker would accept the JSON ``value`` (a default) for this type."""
        raise NotImplementedError

    def typing_names(self) -> set[str]:
        """Names this annotation needs from ``typing`` or the runtime."""
        return set()

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

    def annotation(self) -> str:
        return self.name

    def shape(self) -> str:
        return f"_s.{self.shape_name}()"

    def typing_names(self) -> set[str]:
        return {"Any"} if self.name == "Any" else set()

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
        return f"_s.{self.shape_name}({', '.join(args)})"

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

    def annotation(self) -> str:
        literals = [v for v in self.values if _literal_able(v)]
        parts: list[str] = []
        if literals:
            parts.append("Literal[" + ", ".join(literal(v) for v in literals) + "]")
        numbers = [
            v for v in self.values if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        # Literal cannot hold floats: widen to the plain type for those choices.
        if any(isinstance(v, float) for v in numbers) or (self.open and numbers):
            parts.append("float")
        if self.custom or (self.open and any(isinstance(v, str) for v in self.values)):
            parts.append("str")
        return " | ".join(parts) if parts else "Any"

    def shape(self) -> str:
        values = tuple_source([literal(v) for v in self.values])
        if self.custom:
            return f"_s.Choice({values}, custom=True)"
        return f"_s.Choice({values})"

    def typing_names(self) -> set[str]:
        if any(_literal_able(v) for v in self.values):
            return {"Literal"}
        return set() if self.custom or self.values else {"Any"}

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

    def annotation(self) -> str:
        return f"{'Sequence' if self.input else 'list'}[{self.item.annotation()}]"

    def typing_names(self) -> set[str]:
        return {"Sequence"} if self.input else set()

    def shape(self) -> str:
        return f"_s.List({self.item.shape()})"

    def children(self) -> tuple[TypeRef, ...]:
        return (self.item,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list) and all(self.item.accepts(v) for v in value)


@dataclass(frozen=True)
class TupleType(TypeRef):
    items: tuple[TypeRef, ...]

    def annotation(self) -> str:
        return "tuple[" + ", ".join(i.annotation() for i in self.items) + "]"

    def shape(self) -> str:
        return "_s.Tuple(" + ", ".join(i.shape() for i in self.items) + ")"

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

    def annotation(self) -> str:
        return f"{'Mapping' if self.input else 'dict'}[str, {self.value.annotation()}]"

    def typing_names(self) -> set[str]:
        return {"Mapping"} if self.input else set()

    def shape(self) -> str:
        return f"_s.Mapping({self.value.shape()})"

    def children(self) -> tuple[TypeRef, ...]:
        return (self.value,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.value.accepts(v) for v in value.values())


@dataclass(frozen=True)
class UnionType(TypeRef):
    """Several alternatives; a ``None`` alternative is spelled last (``X | None``)."""

    options: tuple[TypeRef, ...]

    def annotation(self) -> str:
        return " | ".join(o.annotation() for o in self.options)

    def shape(self) -> str:
        if len(self.options) == 2 and self.options[1] == NONE:
            return f"_s.Optional({self.options[0].shape()})"
        return "_s.Union(" + ", ".join(o.shape() for o in self.options) + ")"

    def children(self) -> tuple[TypeRef, ...]:
        return self.options

    def accepts(self, value: Any) -> bool:
        return any(o.accepts(value) for o in self.options)


@dataclass(frozen=True)
class FileType(TypeRef):
    """A Gradio FileData: ``FileInput`` in arguments, ``RemoteFile`` in results."""

    output: bool

    def annotation(self) -> str:
        return "RemoteFile" if self.output else "FileInput"

    def shape(self) -> str:
        return "_s.File()"

    def typing_names(self) -> set[str]:
        return {self.annotation()}

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

    @property
    def class_syntax(self) -> bool:
        """Class syntax needs every key to be a plain identifier; otherwise the functional form."""
        from .names import is_plain_identifier

        return all(is_plain_identifier(f.key) for f in self.fields)

    def field_annotation(self, f: Field) -> str:
        inner = f.type.annotation()
        return inner if f.declared_required(self.output) else f"NotRequired[{inner}]"

    def shape_expression(self) -> str:
        fields = "{" + ", ".join(f"{literal(f.key)}: {f.type.shape()}" for f in self.fields) + "}"
        required = [literal(f.key) for f in self.fields if f.required]
        if not required:
            return f"_s.Object({fields})"
        return f"_s.Object({fields}, required={tuple_source(required)})"

    def typing_names(self) -> set[str]:
        names = {"TypedDict"}
        if any(not f.declared_required(self.output) for f in self.fields):
            names.add("NotRequired")
        for f in self.fields:
            for t in f.type.walk():
                names |= t.typing_names()
        return names


@dataclass(frozen=True)
class TypedDictType(TypeRef):
    definition: TypedDictDef

    def annotation(self) -> str:
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
    label: str = ""  # a Python literal: the output's label as the app names it
    doc: str = ""

    def annotation(self) -> str:
        inner = self.type.annotation()
        return inner if admits_none(self.type) else f"{inner} | None"


@dataclass
class Slot:
    """One position of the server-side dependency: a public parameter/output, or one the API skips
    (a ``gr.State``, rendered as ``_rt.STATE``)."""

    index: int | None  # into Endpoint.parameters / Endpoint.outputs; None where the API skips it


@dataclass
class Endpoint:
    api_name: str  # a Python literal, e.g. "'/predict'"
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

    @property
    def result_annotation(self) -> str:
        if self.result_name is not None:
            return self.result_name
        if not self.outputs:
            return "None"
        return self.outputs[0].annotation()

    @property
    def has_keyword_only(self) -> bool:
        return any(p.keyword_only for p in self.parameters)


@dataclass
class App:
    source: str
    api_prefix: str
    protocol: str
    gradio_version: str | None
    max_file_size: int | None
    space_id: str | None
    schema_hash: str
    generator_version: str
    class_name: str
    async_class_name: str
    endpoints: list[Endpoint]
    typed_dicts: list[TypedDictDef]
    banner: list[str]  # escaped docstring lines
    exports: list[str]
    final_typed_dicts: frozenset[str] = frozenset()  # names of TypedDicts marked ``@final``

    def typing_names(self) -> set[str]:
        names: set[str] = set()
        for td in self.typed_dicts:
            names |= td.typing_names()
        for ep in self.endpoints:
            for p in ep.parameters:
                for t in p.type.walk():
                    names |= t.typing_names()
            for o in ep.outputs:
                for t in o.type.walk():
                    names |= t.typing_names()
            if ep.result_name is not None:
                names.add("NamedTuple")
        if self.final_typed_dicts:
            names.add("final")
        return names
