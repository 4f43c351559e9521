"""Pydantic models of the raw documents (``/info``, ``/config``) and of the snapshot file.

A snapshot is everything the generator needs from an app, in one file that can be checked in:
the API info, the parts of ``/config`` that matter (fn_index per endpoint, generators, State
positions, visibility, component props used for typing and docs), the app's protocol facts, its
source and a hash of the schema. Reading raw JSON stops here: later stages see only these models.

Documents are hostile until checked, wherever they come from (an app, a file someone sent):
``parse_document`` turns their text into JSON values only if Python can read them whole and they nest
no deeper than ``MAX_DEPTH`` levels (real Gradio documents nest about 15), so no later stage --
pydantic, the generator's recursion over defaults and types, black, ``ast`` -- ever meets a value
that would exhaust the stack or the parser.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import NotJsonError, SchemaError

__all__ = [
    "MAX_DEPTH",
    "SNAPSHOT_FORMAT",
    "ApiInfo",
    "EndpointConfig",
    "EndpointInfo",
    "ParameterInfo",
    "ReturnInfo",
    "SlotConfig",
    "Snapshot",
    "check_depth",
    "parse_measured",
    "config_endpoints",
    "parse_document",
    "schema_hash",
]

SNAPSHOT_FORMAT: Literal["gradio-codegen-snapshot"] = "gradio-codegen-snapshot"

# Levels of nested objects and arrays a document may have: about three times what real apps use
# (the deepest fixture, all_components under Gradio 4, nests 15), and far below what the
# generated code's literals and annotations can take.
MAX_DEPTH = 48

# Component props that change a type or a docstring; everything else in /config is UI.
KEPT_PROPS = (
    "label",
    "info",
    "choices",
    "allow_custom_value",
    "multiselect",
    "minimum",
    "maximum",
    "step",
    "precision",
    "file_count",
)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ParameterInfo(_Lenient):
    label: Any = None
    parameter_name: Any = None
    parameter_has_default: bool = False
    parameter_default: Any = None
    type: Any = None
    component: Any = None


class ReturnInfo(_Lenient):
    label: Any = None
    type: Any = None
    component: Any = None


class EndpointInfo(_Lenient):
    parameters: list[ParameterInfo] = Field(default_factory=list)
    returns: list[ReturnInfo] = Field(default_factory=list)
    show_api: bool | None = None
    api_visibility: str | None = None
    description: Any = None


class ApiInfo(_Lenient):
    """``GET {api_prefix}/info``, or ``view_api(return_format="dict")``."""

    named_endpoints: dict[str, EndpointInfo]
    unnamed_endpoints: dict[str, Any] = Field(default_factory=dict)


class SlotConfig(BaseModel):
    """One input or output position of a dependency."""

    model_config = ConfigDict(extra="forbid")

    component: str
    # Not part of the API: a gr.State, or a component the server leaves out of /info (a Button
    # updated through gr.update...). Such positions are sent as null and dropped from results.
    skip_api: bool = False
    props: dict[str, Any] = Field(default_factory=dict)


class EndpointConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fn_index: int
    stream: bool
    visibility: Literal["public", "undocumented", "private"]
    inputs: list[SlotConfig]
    outputs: list[SlotConfig]
    # Gradio 3 only: False when a call bypasses the websocket queue (``POST /run/<name>``), as the
    # app's ``enable_queue`` and the dependency's ``queue`` flag decide. Always True for 4.x.
    queue: bool = True


class Snapshot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["gradio-codegen-snapshot"] = SNAPSHOT_FORMAT
    format_version: Literal[1] = 1
    source: str
    space_id: str | None = None
    gradio_version: str | None = None
    api_prefix: str = ""
    protocol: str = "sse_v3"
    max_file_size: int | None = None
    endpoints: dict[str, EndpointConfig] | None = None  # None: captured without /config
    api_info: dict[str, Any]
    schema_hash: str = ""

    def info(self) -> ApiInfo:
        return ApiInfo.model_validate(self.api_info)

    def with_hash(self) -> Snapshot:
        return self.model_copy(update={"schema_hash": schema_hash(self)})

    def to_json(self) -> str:
        data = self.model_dump()
        return json.dumps(data, indent=2, ensure_ascii=True) + "\n"


def parse_document(text: str | bytes, where: str, fix: str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``text``: ``parse_measured`` without the depth."""
    return parse_measured(text, where, fix, max_depth)[0]


def parse_measured(
    text: str | bytes, where: str, fix: str, max_depth: int = MAX_DEPTH
) -> tuple[Any, int]:
    """The JSON value of ``text`` and how deep it nests (``where`` names it in errors, ``fix``
    says what to do).

    Raises ``SchemaError`` (``NotJsonError`` for what is not JSON at all) for numbers Python
    refuses to read (integers of thousands of digits) and for nesting deeper than ``max_depth``.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise NotJsonError(
            f"{where} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}); {fix}"
        ) from None
    except RecursionError:
        raise SchemaError(
            f"{where} nests objects or arrays deeper than {max_depth} levels, which no Gradio "
            f"app does; {fix}"
        ) from None
    except UnicodeDecodeError:
        raise NotJsonError(f"{where} is not UTF-8 text; {fix}") from None
    except ValueError as e:  # e.g. an integer longer than Python converts (4300 digits)
        raise SchemaError(f"{where} holds a value Python cannot read ({e}); {fix}") from None
    return value, check_depth(value, where, fix, max_depth)


def check_depth(value: Any, where: str, fix: str = "", max_depth: int = MAX_DEPTH) -> int:
    """How deep ``value`` nests (a scalar is 0); ``SchemaError`` past ``max_depth``. Walked
    without recursion, so the check itself cannot overflow."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            hint = f"; {fix}" if fix else ""
            raise SchemaError(
                f"{where} nests objects or arrays deeper than {max_depth} levels, which no "
                f"Gradio app does{hint}"
            )
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def schema_hash(snapshot: Snapshot) -> str:
    """A hash of what the generated code depends on (not the source, not the hash itself)."""
    data = snapshot.model_dump(exclude={"source", "space_id", "schema_hash"})
    # The queue flag enters the hash only where it says something (a 3.x endpoint outside the
    # queue), so the hashes of every snapshot written before the flag existed stay the same.
    for endpoint in (data.get("endpoints") or {}).values():
        if endpoint.get("queue") is True:
            del endpoint["queue"]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode("ascii")).hexdigest()


def strip_info(info: dict[str, Any]) -> dict[str, Any]:
    """The API info without what varies between captures (``code_snippets`` embed the URL)."""
    out = dict(info)
    named = info.get("named_endpoints")
    if isinstance(named, dict):
        out["named_endpoints"] = {
            k: (
                {kk: vv for kk, vv in v.items() if kk != "code_snippets"}
                if isinstance(v, dict)
                else v
            )
            for k, v in named.items()
        }
    return out


def _visibility(dep: dict[str, Any]) -> Literal["public", "undocumented", "private"] | None:
    """Gradio 6 says it outright; 4/5 spell private as ``api_name: false`` and hidden as
    ``show_api: false``; a dependency without a backend function can never be called."""
    if dep.get("backend_fn") is False:
        return "private"
    visibility = dep.get("api_visibility")
    if visibility == "public":
        return "public"
    if visibility == "undocumented":
        return "undocumented"
    if visibility == "private":
        return "private"
    if dep.get("api_name") is False:
        return "private"
    if dep.get("show_api") is False:
        return "undocumented"
    return "public"


def config_endpoints(config: dict[str, Any], api_names: set[str]) -> dict[str, EndpointConfig]:
    """The endpoints of ``/config`` named in ``api_names`` (``"/x"``), first match wins like
    gradio_client; raises ``ValueError`` when the document is not a Gradio config."""
    deps = config.get("dependencies")
    comps = config.get("components")
    if not isinstance(deps, list) or not isinstance(comps, list):
        raise ValueError("it has no 'dependencies' and 'components' lists")
    components: dict[Any, dict[str, Any]] = {c.get("id"): c for c in comps if isinstance(c, dict)}

    def slot(component_id: Any) -> SlotConfig:
        comp = components.get(component_id, {})
        kind = str(comp.get("type", "unknown"))
        props = comp.get("props") if isinstance(comp.get("props"), dict) else {}
        assert isinstance(props, dict)
        kept = {k: props[k] for k in KEPT_PROPS if props.get(k) is not None}
        skip = kind == "state" or comp.get("skip_api") is True
        return SlotConfig(component=kind, skip_api=skip, props=kept)

    websocket = config.get("protocol") == "ws"  # Gradio 3, converted by codegen/gradio3.py
    found: dict[str, EndpointConfig] = {}
    for position, dep in enumerate(deps):
        if not isinstance(dep, dict):
            continue
        name = dep.get("api_name")
        if not isinstance(name, str) or not name:
            continue
        key = "/" + name
        if key in found or key not in api_names:
            continue
        visibility = _visibility(dep)
        if visibility is None or visibility == "private":
            continue
        types = dep.get("types") if isinstance(dep.get("types"), dict) else {}
        assert isinstance(types, dict)
        fn_index = dep.get("id", position)
        inputs = dep.get("inputs") if isinstance(dep.get("inputs"), list) else []
        outputs = dep.get("outputs") if isinstance(dep.get("outputs"), list) else []
        assert isinstance(inputs, list) and isinstance(outputs, list)
        found[key] = EndpointConfig(
            fn_index=fn_index if isinstance(fn_index, int) else position,
            stream=types.get("generator") is True,
            visibility=visibility,
            inputs=[slot(i) for i in inputs],
            outputs=[slot(o) for o in outputs],
            queue=not (websocket and dep.get("queue") is False),
        )
    return found
