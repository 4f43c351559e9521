"""Where an endpoint's values sit on the wire, and what changed when the app no longer matches.

A generated ``Endpoint`` normally carries its ``fn_index`` and every input/output position (State
included), so a call needs nothing else. A schema captured without ``/config`` lacks both; then the
positions are read once from ``/config``. The same document explains an ``AppChangedError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import AppChangedError, ProtocolError
from .._spec import STATE, Endpoint, Output, Param, StateSlot

__all__ = [
    "Plan",
    "ProtocolFlags",
    "protocol_flags",
    "plan_from_config",
    "describe_change",
    "find_dependency",
    "public_names",
]


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a call needs to lay out its payload and read its result."""

    fn_index: int
    inputs: tuple[Param | StateSlot, ...]
    outputs: tuple[Output | StateSlot, ...]

    @classmethod
    def of(cls, endpoint: Endpoint[Any]) -> Plan | None:
        if endpoint.fn_index is None:
            return None
        return cls(endpoint.fn_index, endpoint.inputs, endpoint.outputs)


@dataclass(frozen=True, slots=True)
class ProtocolFlags:
    """How a queue protocol differs: diffs after the first yield; ``close_stream`` ends a stream."""

    name: str
    diffs: bool
    close_stream: bool


_PROTOCOLS = {
    "sse_v1": ProtocolFlags("sse_v1", diffs=False, close_stream=False),
    "sse_v2": ProtocolFlags("sse_v2", diffs=True, close_stream=False),
    "sse_v2.1": ProtocolFlags("sse_v2.1", diffs=True, close_stream=False),
    "sse_v3": ProtocolFlags("sse_v3", diffs=True, close_stream=True),
}


def protocol_flags(protocol: str) -> ProtocolFlags:
    flags = _PROTOCOLS.get(protocol)
    if flags is None:
        raise ProtocolError(
            f"the app speaks queue protocol {protocol!r}, which this runtime does not support "
            f"(supported: {', '.join(_PROTOCOLS)}, i.e. Gradio 4.0 and later); upgrade the app's Gradio"
        )
    return flags


def _dependencies(config: dict[str, Any]) -> list[dict[str, Any]]:
    deps = config.get("dependencies")
    if not isinstance(deps, list):
        raise ProtocolError("the app's /config has no dependency list")
    return [d if isinstance(d, dict) else {} for d in deps]


def find_dependency(config: dict[str, Any], api_name: str) -> tuple[int, dict[str, Any]] | None:
    """The ``fn_index`` and entry of the endpoint called ``api_name`` (``"/echo"``), if any."""
    for position, dep in enumerate(_dependencies(config)):
        name = dep.get("api_name")
        if not isinstance(name, str) or dep.get("api_visibility") == "private":
            continue
        if "/" + name == api_name:
            fn_index = dep.get("id", position)
            return (fn_index if isinstance(fn_index, int) else position), dep
    return None


def public_names(config: dict[str, Any]) -> list[str]:
    names = []
    for dep in _dependencies(config):
        name = dep.get("api_name")
        if (
            isinstance(name, str)
            and dep.get("api_visibility", "public") == "public"
            and dep.get("show_api", True)
        ):
            names.append("/" + name)
    return names


def _state_ids(config: dict[str, Any]) -> tuple[set[int], set[int]]:
    """Component ids that are State (hidden inputs) and ids skipped in results (State, layout)."""
    state: set[int] = set()
    skipped: set[int] = set()
    components = config.get("components")
    for comp in components if isinstance(components, list) else []:
        if not isinstance(comp, dict) or not isinstance(comp.get("id"), int):
            continue
        if comp.get("type") == "state":
            state.add(comp["id"])
            skipped.add(comp["id"])
        elif comp.get("skip_api"):
            skipped.add(comp["id"])
    return state, skipped


def plan_from_config(config: dict[str, Any], endpoint: Endpoint[Any]) -> Plan:
    """The plan of ``endpoint`` according to the app's ``/config`` (State positions included)."""
    found = find_dependency(config, endpoint.api_name)
    if found is None:
        raise AppChangedError(_missing(config, endpoint.api_name), endpoint=endpoint.api_name)
    fn_index, dep = found
    state, skipped = _state_ids(config)
    input_ids = [i for i in dep.get("inputs") or [] if isinstance(i, int)]
    output_ids = [i for i in dep.get("outputs") or [] if isinstance(i, int)]
    params = list(endpoint.params)
    outputs = list(endpoint.public_outputs)
    n_in = sum(1 for i in input_ids if i not in state)
    n_out = sum(1 for i in output_ids if i not in skipped)
    if n_in != len(params) or n_out != len(outputs):
        raise AppChangedError(
            f"the app's endpoint takes {n_in} inputs and returns {n_out} outputs, "
            f"but this SDK expects {len(params)} and {len(outputs)}; regenerate the SDK",
            endpoint=endpoint.api_name,
        )
    p, o = iter(params), iter(outputs)
    return Plan(
        fn_index,
        tuple(STATE if i in state else next(p) for i in input_ids),
        tuple(STATE if i in skipped else next(o) for i in output_ids),
    )


def _missing(config: dict[str, Any], api_name: str) -> str:
    names = public_names(config)
    shown = ", ".join(names[:15]) + (", ..." if len(names) > 15 else "")
    return f"the app has no endpoint {api_name} any more (it has: {shown or 'none'}); regenerate the SDK"


def describe_change(
    config: dict[str, Any], endpoint: Endpoint[Any], plan: Plan, api_prefix: str
) -> str | None:
    """What differs between the running app and the SDK's view of ``endpoint``; None if nothing."""
    prefix = config.get("api_prefix") or ""
    version = config.get("version")
    if isinstance(prefix, str) and prefix.rstrip("/") != api_prefix.rstrip("/"):
        return (
            f"the app's API moved from {api_prefix or '/'!r} to {prefix or '/'!r}"
            f"{f' (it now runs Gradio {version})' if isinstance(version, str) else ''}; regenerate the SDK"
        )
    found = find_dependency(config, endpoint.api_name)
    if found is None:
        return _missing(config, endpoint.api_name)
    fn_index, dep = found
    changes = []
    if fn_index != plan.fn_index:
        changes.append(f"its fn_index is {fn_index}, the SDK has {plan.fn_index}")
    n_in = len(dep.get("inputs") or [])
    n_out = len(dep.get("outputs") or [])
    if n_in != len(plan.inputs):
        changes.append(f"it takes {n_in} inputs (State included), the SDK sends {len(plan.inputs)}")
    if n_out != len(plan.outputs):
        changes.append(f"it returns {n_out} outputs, the SDK expects {len(plan.outputs)}")
    if not changes:
        return None
    return (
        f"the app's endpoint {endpoint.api_name} changed: "
        + "; ".join(changes)
        + "; regenerate the SDK"
    )
