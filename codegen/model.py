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
from .syntax import (
    Attr,
    Call,
    Const,
    DictExpr,
    Expr,
    Keyword,
    Name,
    Subscript,
    TupleExpr,
    Union,
    value_expr,
)

__all__ = [
    "App",
    "Constant",
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
]


def literal(value: Any) -> str:
    """A JSON value as ``repr`` shows it (docstrings, messages; code spells values with
    ``syntax.value_expr``). Non-finite floats are spelled ``float('inf')``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (str, bool, int, float)):
        return repr(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _use(imports: Imports | None, name: str) -> Name:
    return Name(imports.use(name) if imports is not None else name)


def _shape(name: str, *args: Expr) -> Call:
    return Call(Attr(Name(SHAPES), name), args)


class TypeRef:
    """A value type of the generated SDK."""

    def spell(self, imports: Imports | None = None) -> Expr:
        """The type as an annotation; every imported name it spells is recorded in ``imports``
        (``None`` for text that is not code, such as a docstring)."""
        raise NotImplementedError

    def annotation(self, imports: Imports | None = None) -> str:
        return self.spell(imports).text()

    def shape_expr(self) -> Expr:
        """The runtime shape that checks, encodes and decodes a value of this type."""
        raise NotImplementedError

    def shape(self) -> str:
        return self.shape_expr().text()

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

    def spell(self, imports: Imports | None = None) -> Expr:
        return _use(imports, self.name) if self.name == "Any" else Name(self.name)

    def shape_expr(self) -> Expr:
        return _shape(self.shape_name)

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

    def shape_expr(self) -> Expr:
        args = []
        if self.minimum is not None:
            args.append(Keyword("minimum", value_expr(self.minimum)))
        if self.maximum is not None:
            args.append(Keyword("maximum", value_expr(self.maximum)))
        return _shape(self.shape_name, *args)

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


def plain_kinds(values: tuple[Any, ...]) -> list[str]:
    """The plain types of JSON scalars, in a fixed order (``None`` last; ``int`` folded into
    ``float`` when both occur, as a type checker accepts an int for a float)."""
    seen = {type(v) for v in values}
    kinds = [k for t, k in ((str, "str"), (bool, "bool")) if t in seen]
    if float in seen:
        kinds.append("float")
    elif int in seen:
        kinds.append("int")
    if type(None) in seen:
        kinds.append("None")
    return kinds or ["None"]


@dataclass(frozen=True)
class LiteralType(TypeRef):
    """One of fixed choices; ``custom`` also admits any string (``allow_custom_value``).

    ``open`` marks a choice component's *output*: the server does not hold outputs to the choices
    (an app may change them at run time), so the plain type of the choices is admitted too.
    """

    values: tuple[Any, ...]
    custom: bool = False
    open: bool = False
    # The module constant holding choices too many to spell as a ``Literal`` (see
    # ``typemap.MAX_LITERAL_CHOICES``): annotations then use the plain types of the choices, and
    # the runtime shape still checks every value against the constant.
    constant: str | None = None

    def spell(self, imports: Imports | None = None) -> Expr:
        if self.constant is not None:
            return self._plain_types()
        literals = [v for v in self.values if _literal_able(v)]
        parts: list[Expr] = []
        if literals:
            parts.append(Subscript(_use(imports, "Literal"), [Const(v) for v in literals]))
        numbers = [
            v for v in self.values if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        # Literal cannot hold floats: widen to the plain type for those choices.
        if any(isinstance(v, float) for v in numbers) or (self.open and numbers):
            parts.append(Name("float"))
        if self.custom or (self.open and any(isinstance(v, str) for v in self.values)):
            parts.append(Name("str"))
        if not parts:
            return _use(imports, "Any")
        return parts[0] if len(parts) == 1 else Union(parts)

    def _plain_types(self) -> Expr:
        kinds = plain_kinds(self.values)
        if self.custom and "str" not in kinds:
            kinds.insert(len(kinds) - ("None" in kinds), "str")
        names: list[Expr] = [Name(k) for k in kinds]
        return names[0] if len(names) == 1 else Union(names)

    def shape_expr(self) -> Expr:
        values: Expr
        if self.constant is not None:
            values = Name(self.constant)
        else:
            values = TupleExpr([value_expr(v) for v in self.values])
        if self.custom:
            return _shape("Choice", values, Keyword("custom", Const(True)))
        return _shape("Choice", values)

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

    def spell(self, imports: Imports | None = None) -> Expr:
        outer = _use(imports, "Sequence") if self.input else Name("list")
        return Subscript(outer, [self.item.spell(imports)])

    def shape_expr(self) -> Expr:
        return _shape("List", self.item.shape_expr())

    def children(self) -> tuple[TypeRef, ...]:
        return (self.item,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list) and all(self.item.accepts(v) for v in value)


@dataclass(frozen=True)
class TupleType(TypeRef):
    items: tuple[TypeRef, ...]

    def spell(self, imports: Imports | None = None) -> Expr:
        return Subscript(Name("tuple"), [i.spell(imports) for i in self.items])

    def shape_expr(self) -> Expr:
        return _shape("Tuple", *(i.shape_expr() for i in self.items))

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

    def spell(self, imports: Imports | None = None) -> Expr:
        outer = _use(imports, "Mapping") if self.input else Name("dict")
        return Subscript(outer, [Name("str"), self.value.spell(imports)])

    def shape_expr(self) -> Expr:
        return _shape("Mapping", self.value.shape_expr())

    def children(self) -> tuple[TypeRef, ...]:
        return (self.value,)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict) and all(self.value.accepts(v) for v in value.values())


@dataclass(frozen=True)
class UnionType(TypeRef):
    """Several alternatives; a ``None`` alternative is spelled last (``X | None``)."""

    options: tuple[TypeRef, ...]

    def spell(self, imports: Imports | None = None) -> Expr:
        return Union([o.spell(imports) for o in self.options])

    def shape_expr(self) -> Expr:
        if len(self.options) == 2 and self.options[1] == NONE:
            return _shape("Optional", self.options[0].shape_expr())
        return _shape("Union", *(o.shape_expr() for o in self.options))

    def children(self) -> tuple[TypeRef, ...]:
        return self.options

    def accepts(self, value: Any) -> bool:
        return any(o.accepts(value) for o in self.options)


@dataclass(frozen=True)
class FileType(TypeRef):
    """A Gradio FileData: ``FileInput`` in arguments, ``RemoteFile`` in results."""

    output: bool

    def spell(self, imports: Imports | None = None) -> Expr:
        return _use(imports, "RemoteFile" if self.output else "FileInput")

    def shape_expr(self) -> Expr:
        return _shape("File")

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

    def field_annotation(self, f: Field, imports: Imports | None = None) -> Expr:
        """A key's annotation. The keys of an argument TypedDict are ``ReadOnly`` (PEP 705): the
        SDK only reads its arguments, and a read-only key also accepts a narrower value and a key
        that is always there, so what a call returned (``list[Message]``) goes back in as an
        argument (``Sequence[MessageInput]``) without a cast."""
        annotation = f.type.spell(imports)
        if not self.output:
            annotation = Subscript(_use(imports, "ReadOnly"), [annotation])
        if not f.declared_required(self.output):
            # Outermost, where the TypedDict of Python 3.11 and 3.12 looks for it.
            annotation = Subscript(_use(imports, "NotRequired"), [annotation])
        return annotation

    def shape_expression(self) -> Expr:
        fields = DictExpr([(Const(f.key), f.type.shape_expr()) for f in self.fields])
        required = [Const(f.key) for f in self.fields if f.required]
        if not required:
            return _shape("Object", fields)
        return _shape("Object", fields, Keyword("required", TupleExpr(required)))


@dataclass(frozen=True)
class TypedDictType(TypeRef):
    definition: TypedDictDef

    def spell(self, imports: Imports | None = None) -> Expr:
        return Name(self.definition.name)

    def shape_expr(self) -> Expr:
        return Name(self.definition.shape_name)

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


@dataclass(frozen=True)
class Constant:
    """A value written once at module level and named where it is used: the choices of a long
    choice list, or a large default (each deduplicated across the module)."""

    name: str
    value: Any  # a JSON value; choices as a tuple
    type: TypeRef | None = None  # a default's declared type (its annotation); None for choices
    as_tuple: bool = False  # a list default of a Sequence parameter, spelled as a tuple


@dataclass
class Parameter:
    name: str
    type: TypeRef
    has_default: bool
    default: Any
    keyword_only: bool = False
    doc: str = ""  # escaped docstring text
    default_constant: str | None = None  # the module constant holding a large default
    component: str | None = None  # its component's type as /config spells it ("textbox")

    @property
    def default_as_tuple(self) -> bool:
        """A list default of a ``Sequence`` parameter is spelled as a tuple: no mutable default."""
        options = self.type.options if isinstance(self.type, UnionType) else (self.type,)
        return isinstance(self.default, list) and any(
            isinstance(o, ListType) and o.input for o in options
        )

    def default_expr(self) -> Expr:
        if self.default_constant is not None:
            return Name(self.default_constant)
        return self.inline_default()

    def inline_default(self) -> Expr:
        if self.default_as_tuple:
            return TupleExpr([value_expr(v) for v in self.default])
        return value_expr(self.default)

    @property
    def default_literal(self) -> str:
        """The default as code (what ``inspect`` shows)."""
        return self.default_expr().text()


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
    component: str | None = None  # its component's type as /config spells it ("textbox")

    def spell(self, imports: Imports | None = None) -> Expr:
        inner = self.type.spell(imports)
        return inner if admits_none(self.type) else Union([inner, Name("None")])

    def annotation(self, imports: Imports | None = None) -> str:
        return self.spell(imports).text()


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
    stub_name: str  # the fakes' method that sets what this endpoint answers
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

    def result_annotation(self, imports: Imports | None = None) -> Expr:
        if self.result_name is not None:
            return Name(self.result_name)
        if not self.outputs:
            return Name("None")
        return self.outputs[0].spell(imports)


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
    fake_class_name: str
    async_fake_class_name: str
    endpoints: list[Endpoint]
    typed_dicts: list[TypedDictDef]
    provenance: Provenance
    exports: list[str]
    final_typed_dicts: frozenset[str] = frozenset()  # names of TypedDicts marked ``@final``
    choice_constants: list[Constant] = field(default_factory=list)  # long choice lists
    default_constants: list[Constant] = field(default_factory=list)  # large defaults
