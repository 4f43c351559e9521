"""Snapshot -> ``model.App``: choose the endpoints, name everything, map every type.

Collisions are settled here, once: endpoint methods never shadow what the runtime clients define,
module-level names never shadow each other or the imports, parameters never shadow ``self``.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from typing import Any

from gradio_codegen.runtime import AsyncClient as _RuntimeAsyncClient
from gradio_codegen.runtime import Client as _RuntimeClient
from gradio_codegen.runtime.testing import AsyncFakeClient as _RuntimeAsyncFake
from gradio_codegen.runtime.testing import FakeClient as _RuntimeFake

from .diagnostics import Diagnostics
from .docstrings import output_doc, parameter_doc
from .model import (
    ANY,
    BOOL,
    FLOAT,
    INT,
    NONE,
    STR,
    App,
    Constant,
    Endpoint,
    ListType,
    LiteralType,
    MappingType,
    Output,
    Parameter,
    Provenance,
    Slot,
    TypedDictType,
    TypeRef,
    UnionType,
    literal,
)
from .names import NameScope, camel_name, snake_name
from .schema import EndpointConfig, EndpointInfo, SlotConfig, Snapshot
from .spelling import ERRORS, RUNTIME, SHAPES, TESTING
from .text import doc_block, doc_line
from .typemap import TypeMapper, union

__all__ = [
    "GENERATOR_NAME",
    "LARGE_DEFAULT",
    "build",
    "class_names",
    "generator_version",
    "module_reserved_names",
]

GENERATOR_NAME = "gradio-codegen"
# A default whose literal is longer than a line is written once, as a module constant that every
# signature using it names (docs/DESIGN.md, "Large defaults").
LARGE_DEFAULT = 100

# Names the generated module binds or imports itself.
_MODULE_NAMES = frozenset(
    {
        "APP",
        "Any",
        "ClassVar",
        "FileInput",
        "Literal",
        "Mapping",
        "NamedTuple",
        "NotRequired",
        "ReadOnly",
        "RemoteFile",
        "Sequence",
        "set_default_client",
        "TypedDict",
        "final",
        "sys",
        *ERRORS,
    }
)
# Private names the generated module binds: the runtime's aliases, the default client, the base of
# its fakes' stub methods.
_PRIVATE_NAMES = frozenset({RUNTIME, SHAPES, TESTING, "_default", "_FakeStubs"})
# Tuple methods and attributes a NamedTuple field must not replace.
_TUPLE_NAMES = frozenset(n for n in dir(tuple) if not n.startswith("_"))


def generator_version() -> str:
    try:
        return importlib.metadata.version(GENERATOR_NAME)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _client_attributes() -> set[str]:
    """Every public attribute of the runtime clients and of their fakes (plus what ``__init__``
    sets on instances): the generated clients and fakes inherit them."""
    names = {
        n
        for cls in (_RuntimeClient, _RuntimeAsyncClient, _RuntimeFake, _RuntimeAsyncFake)
        for n in dir(cls)
        if not n.startswith("_")
    }
    return names | {"src", "app"}


def class_names(class_name: str) -> tuple[str, str, str, str]:
    """The module's sync and async clients and their fakes: ``Client``, ``AsyncClient``,
    ``FakeClient``, ``AsyncFakeClient`` (``--class-name Captioner``: ``Captioner``,
    ``AsyncCaptioner``, ``FakeCaptioner``, ``AsyncFakeCaptioner``)."""
    async_name = f"Async{class_name}" if class_name != "Client" else "AsyncClient"
    return class_name, async_name, f"Fake{class_name}", f"AsyncFake{class_name}"


def module_reserved_names(class_name: str, async_class_name: str) -> set[str]:
    return set(_MODULE_NAMES) | _client_attributes() | set(class_names(class_name))


def build(
    snapshot: Snapshot,
    *,
    diagnostics: Diagnostics,
    class_name: str = "Client",
    include_hidden: bool = False,
    regenerate_from: str | None = None,
) -> App:
    """``regenerate_from`` is the source as the user gave it to the command (with any ``--config``
    or ``--src``), named in the module's header; the snapshot's recorded source by default."""
    _, async_class_name, fake_class_name, async_fake_class_name = class_names(class_name)
    module = NameScope(module_reserved_names(class_name, async_class_name))
    private = NameScope(_PRIVATE_NAMES)
    mapper = TypeMapper(module, diagnostics, private)
    defaults = _DefaultConstants(private)
    info = snapshot.info()
    if info.unnamed_endpoints:
        diagnostics.warn(
            f"{len(info.unnamed_endpoints)} unnamed endpoint(s) left out (no api_name)"
        )

    endpoints: list[Endpoint] = []
    for key, ep_info in info.named_endpoints.items():
        where = f"endpoint {key!r}"
        config = snapshot.endpoints.get(key) if snapshot.endpoints is not None else None
        if snapshot.endpoints is not None and config is None:
            diagnostics.warn(
                "not found among the public or hidden endpoints of /config; left out", where
            )
            continue
        if ep_info.api_visibility == "private":
            continue
        hidden = (
            ep_info.show_api is False
            or ep_info.api_visibility == "undocumented"
            or (config is not None and config.visibility == "undocumented")
        )
        if hidden and not include_hidden:
            continue
        if not key.startswith("/") or len(key) < 2:
            diagnostics.warn("the api name is empty or does not start with '/'; left out", where)
            continue
        endpoints.append(
            _endpoint(key, ep_info, config, hidden, module, private, mapper, defaults, diagnostics)
        )

    result_names = [e.result_name for e in endpoints if e.result_name]
    exports = [class_name, async_class_name, fake_class_name, async_fake_class_name, "APP"]
    exports.append("set_default_client")
    exports += [td.name for td in mapper.typed_dicts] + result_names
    for e in endpoints:
        exports += [e.method_name, e.submit_name]
    exports += ERRORS

    options: list[str] = []
    if class_name != "Client":
        options += ["--class-name", class_name]
    if include_hidden:
        options.append("--include-hidden")
    provenance = Provenance(
        source=snapshot.source,
        gradio_version=snapshot.gradio_version,
        schema_hash=snapshot.schema_hash,
        generator=f"{GENERATOR_NAME} {generator_version()}",
        regenerate_from=regenerate_from,
        options=tuple(options),
    )
    return App(
        source=snapshot.source,
        api_prefix=snapshot.api_prefix,
        protocol=snapshot.protocol,
        gradio_version=snapshot.gradio_version,
        max_file_size=snapshot.max_file_size,
        space_id=snapshot.space_id,
        class_name=class_name,
        async_class_name=async_class_name,
        fake_class_name=fake_class_name,
        async_fake_class_name=async_fake_class_name,
        endpoints=endpoints,
        typed_dicts=list(mapper.typed_dicts),
        final_typed_dicts=_union_members(endpoints),
        provenance=provenance,
        exports=exports,
        choice_constants=_used_choice_constants(mapper, endpoints),
        default_constants=list(defaults.constants),
    )


def _used_choice_constants(mapper: TypeMapper, endpoints: list[Endpoint]) -> list[Constant]:
    """The long choice lists some type still names (a default outside the choices widens its
    parameter's list into another one, which may leave the first unused)."""
    types = [p.type for ep in endpoints for p in ep.parameters]
    types += [o.type for ep in endpoints for o in ep.outputs]
    types += [f.type for td in mapper.typed_dicts for f in td.fields]
    used = {t.constant for root in types for t in root.walk() if isinstance(t, LiteralType)}
    return [c for c in mapper.choice_constants if c.name in used]


class _DefaultConstants:
    """The large defaults of a module, each written once however many parameters share it."""

    def __init__(self, names: NameScope) -> None:
        self._names = names
        self._by_value: dict[tuple[str, str, bool], Constant] = {}
        self.constants: list[Constant] = []

    def name_for(self, parameter: Parameter, hint: str) -> str | None:
        """The constant holding ``parameter``'s default, if it is too long to write in place."""
        text = literal(parameter.default)
        if len(text) <= LARGE_DEFAULT:
            return None
        key = (text, parameter.type.annotation(), parameter.default_as_tuple)
        constant = self._by_value.get(key)
        if constant is None:
            name = "_" + snake_name(hint, prefix="value").rstrip("_").upper() + "_DEFAULT"
            constant = Constant(
                self._names.claim(name),
                parameter.default,
                parameter.type,
                parameter.default_as_tuple,
            )
            self._by_value[key] = constant
            self.constants.append(constant)
        return constant.name


def _union_members(endpoints: list[Endpoint]) -> frozenset[str]:
    """Result TypedDicts that are alternatives of a union (Gallery's image or video item): marked
    ``final``, so ``"image" in item`` tells them apart for type checkers."""
    names: set[str] = set()
    for ep in endpoints:
        for o in ep.outputs:
            for t in o.type.walk():
                if isinstance(t, UnionType):
                    members = [x for x in t.options if isinstance(x, TypedDictType)]
                    if len(members) > 1:
                        names |= {m.definition.name for m in members if m.definition.output}
    return frozenset(names)


def _split_slots(
    slots: list[SlotConfig] | None,
    public_count: int,
    what: str,
    where: str,
    diagnostics: Diagnostics,
) -> tuple[list[Slot], list[Mapping[str, Any]], list[str | None]]:
    """Positions of the dependency (``Slot(None)`` where the API skips one, e.g. State), and the
    config props and component type of each public one: the runtime compares those types with
    the app's ``/config`` before it trusts a call's result."""
    no_props: list[Mapping[str, Any]] = [{} for _ in range(public_count)]
    unknown: list[str | None] = [None] * public_count
    plain = [Slot(i) for i in range(public_count)], no_props, unknown
    if slots is None:
        return plain
    public = [s for s in slots if not s.skip_api]
    if len(public) != public_count:
        diagnostics.warn(
            f"/config lists {len(public)} public {what} but the API info {public_count}; "
            "ignoring /config's layout for them",
            where,
        )
        return plain
    positions: list[Slot] = []
    props: list[Mapping[str, Any]] = []
    kinds: list[str | None] = []
    for s in slots:
        if s.skip_api:
            positions.append(Slot(None))
        else:
            positions.append(Slot(len(props)))
            props.append(s.props)
            kinds.append(s.component if s.component != "unknown" else None)
    return positions, props, kinds


def _json_type(value: Any) -> TypeRef:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        return ListType(ANY)
    if isinstance(value, dict):
        return MappingType(ANY)
    return ANY


def _fit_default(
    type_: TypeRef,
    default: Any,
    where: str,
    hint: str,
    mapper: TypeMapper,
    diagnostics: Diagnostics,
) -> TypeRef:
    """Widen ``type_`` so that the schema's default is a valid value of it."""
    if type_.accepts(default):
        return type_
    if default is None:
        return union([type_, NONE])
    if isinstance(type_, LiteralType) and isinstance(default, (str, int, float, bool)):
        values = type_.values + (default,)
        widened: TypeRef = mapper.literal(values, hint=hint, custom=type_.custom)
    else:
        widened = union([type_, _json_type(default)])
    diagnostics.warn(
        f"default {doc_line(repr(default), 60)} does not fit the declared type; widened it", where
    )
    return widened


def _endpoint(
    key: str,
    ep_info: EndpointInfo,
    config: EndpointConfig | None,
    hidden: bool,
    module: NameScope,
    private: NameScope,
    mapper: TypeMapper,
    defaults: _DefaultConstants,
    diagnostics: Diagnostics,
) -> Endpoint:
    where = f"endpoint {key!r}"
    method = module.claim(snake_name(key[1:], prefix="endpoint"), also=("submit_{}", "stub_{}"))
    const = private.claim("_" + method.upper())

    input_slots, input_props, input_kinds = _split_slots(
        config.inputs if config else None, len(ep_info.parameters), "inputs", where, diagnostics
    )
    output_slots, output_props, output_kinds = _split_slots(
        config.outputs if config else None, len(ep_info.returns), "outputs", where, diagnostics
    )

    params_scope = NameScope({"self", "cls", "client"})
    parameters: list[Parameter] = []
    after_default = keyword_only = False
    for i, p in enumerate(ep_info.parameters):
        raw_name = (
            p.parameter_name if isinstance(p.parameter_name, str) and p.parameter_name else p.label
        )
        name = params_scope.claim(snake_name(raw_name, prefix="arg"))
        pwhere = f"{where} parameter {name!r}"
        hint = f"{method} {name}"
        props = input_props[i]
        type_ = mapper.map_value(
            p.type,
            component=p.component if isinstance(p.component, str) else None,
            props=props,
            output=False,
            hint=hint,
            where=pwhere,
        )
        if p.parameter_has_default:
            type_ = _fit_default(type_, p.parameter_default, pwhere, hint, mapper, diagnostics)
            after_default = True
        elif after_default:
            keyword_only = True
        parameter = Parameter(
            name=name,
            type=type_,
            has_default=p.parameter_has_default,
            default=p.parameter_default,
            keyword_only=keyword_only,
            component=input_kinds[i],
        )
        if parameter.has_default:
            parameter.default_constant = defaults.name_for(parameter, hint)
        parameter.doc = parameter_doc(
            name=name,
            label=p.label,
            component=p.component,
            props=props,
            type_=type_,
            has_default=p.parameter_has_default,
            default=p.parameter_default,
            default_name=parameter.default_constant,
        )
        parameters.append(parameter)

    fields_scope = NameScope()
    outputs: list[Output] = []
    several = len(ep_info.returns) > 1
    for i, r in enumerate(ep_info.returns):
        name = snake_name(r.label, prefix="value")
        if several and name in _TUPLE_NAMES:
            name += "_"  # a NamedTuple field must not replace tuple.count / tuple.index
        name = fields_scope.claim(name)
        type_ = mapper.map_value(
            r.type,
            component=r.component if isinstance(r.component, str) else None,
            props=output_props[i],
            output=True,
            hint=f"{method} {name}",
            where=f"{where} output {name!r}",
        )
        outputs.append(
            Output(
                name=name,
                type=type_,
                doc=output_doc(label=r.label, component=r.component),
                component=output_kinds[i],
            )
        )

    result_name = (
        module.claim(camel_name(method, prefix="Endpoint") + "Result") if len(outputs) > 1 else None
    )
    description = doc_block(ep_info.description) if isinstance(ep_info.description, str) else []
    if not any(description):
        description = [f"Call {doc_line(key, 100)}."]
    if config is not None and config.stream:
        description += [
            "",
            f"The app streams this result: iterate ``submit_{method}(...)`` for partial values.",
        ]
    return Endpoint(
        api_name=key,
        method_name=method,
        submit_name=f"submit_{method}",
        stub_name=f"stub_{method}",
        const_name=const,
        fn_index=config.fn_index if config else None,
        stream=config.stream if config else None,
        parameters=parameters,
        outputs=outputs,
        input_slots=input_slots,
        output_slots=output_slots,
        result_name=result_name,
        description=description,
        hidden=hidden,
    )
