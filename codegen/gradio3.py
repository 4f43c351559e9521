"""Gradio 3 apps in the shape the rest of the generator reads (pure: documents in, documents out).

A Gradio 3 app (3.26 to 3.50) describes its API differently from 4, 5 and 6:

* its ``/config`` has no ``protocol`` (calls go through a websocket queue, or ``POST /run/<name>``),
  its ``version`` may end in a newline, and a dependency's ``fn_index`` is its position;
* ``/info?serialize=False`` lists the wire form of each value but no parameter names, no defaults
  and no choices; names come from the component labels, defaults from ``props.value`` and choices
  from ``props.choices`` in ``/config`` (strings, ``[label, value]`` pairs from 3.50 on, and tuples
  written as strings, ``"('Apple', 'apple')"``, before that);
* files, images and galleries travel as 3.x dicts and data URLs rather than ``FileData``.

``convert`` turns such a pair into an ``/info`` and a ``/config`` in the 4.x shape that
``sources.snapshot_from_documents`` and ``build`` already understand: ``parameter_name`` (the label,
made safe later by the usual name rules), ``parameter_has_default``/``parameter_default``, choices as
``enum``, file-like values as ``FileData``, dependencies with ``id`` and an explicit ``queue``, and
``protocol: "ws"``. Which endpoints go through the queue is also returned on its own (``queued``).
Wire facts: ``../docs/gradio3.md``.
"""

from __future__ import annotations

import ast
import copy
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostics
from .errors import SchemaError
from .text import doc_line

__all__ = [
    "INFO_QUERY",
    "OLDEST_SUPPORTED",
    "OLDEST_TESTED",
    "PROTOCOL",
    "Gradio3Documents",
    "check_supported",
    "convert",
    "gradio3_version",
    "is_gradio3",
    "normalize_choices",
]

#: What the snapshot records as the protocol of a Gradio 3 app (gradio_client says "ws" too).
PROTOCOL = "ws"
#: The query that makes ``/info`` describe the wire forms (the default describes the 0.x clients'
#: file-path view: an image as a local path, a Json output as a file).
INFO_QUERY: Mapping[str, str] = {"serialize": "False"}
#: Below this, a 3.x app has no ``/info`` route at all.
OLDEST_SUPPORTED = (3, 26)
#: 3.36.1 and 3.50.2 are tested; 3.26 to 3.35 are expected to behave the same but were not run.
OLDEST_TESTED = (3, 36)

# Components that /info leaves out while the wire still has a slot for them (gradio_client 0.x
# SKIP_COMPONENTS): sent as null, dropped from results.
_SKIPPED = frozenset(
    {
        "state",
        "row",
        "column",
        "tabs",
        "tab",
        "tabitem",
        "box",
        "form",
        "accordion",
        "group",
        "interpretation",
        "dataset",
    }
)
_CHOICE_COMPONENTS = frozenset({"radio", "dropdown", "checkboxgroup"})
# Serializer names (3.36+ ``/info`` and ``/config``) and, for releases without them, component types.
_IMAGE_SERIALIZERS = frozenset({"ImgSerializable"})
_FILE_SERIALIZERS = frozenset({"FileSerializable", "VideoSerializable"})
_GALLERY_SERIALIZERS = frozenset({"GallerySerializable"})
_IMAGE_TYPES = frozenset({"image"})
_FILE_TYPES = frozenset({"file", "uploadbutton", "model3d", "audio", "video"})
_GALLERY_TYPES = frozenset({"gallery"})

_VERSION = re.compile(r"(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?")
_MAX_VERSION_TEXT = 64
_POSITION = re.compile(r"[0-9]{1,6}")  # an unnamed endpoint's key: its fn_index
_MAX_CHOICE_TEXT = 400  # a tuple written as a string longer than this is left as a plain string

_NULLABLE_STR = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
# Gradio 4's FileData, as its /info spells it: the marker ``typemap.is_file_schema`` recognises.
_FILE_DATA: Mapping[str, Any] = {
    "properties": {
        "path": {"title": "Path", "type": "string"},
        "url": {**_NULLABLE_STR, "title": "Url"},
        "size": {
            "anyOf": [{"type": "integer"}, {"type": "null"}],
            "default": None,
            "title": "Size",
        },
        "orig_name": {**_NULLABLE_STR, "title": "Orig Name"},
        "mime_type": {**_NULLABLE_STR, "title": "Mime Type"},
        "is_stream": {"default": False, "title": "Is Stream", "type": "boolean"},
        "meta": {"default": {"_type": "gradio.FileData"}, "title": "Meta", "type": "object"},
    },
    "required": ["path"],
    "title": "FileData",
    "type": "object",
}
_GALLERY_DATA: Mapping[str, Any] = {
    "$defs": {
        "FileData": _FILE_DATA,
        "GalleryImage": {
            "properties": {
                "image": {"$ref": "#/$defs/FileData"},
                "caption": {**_NULLABLE_STR, "title": "Caption"},
            },
            "required": ["image"],
            "title": "GalleryImage",
            "type": "object",
        },
    },
    "items": {"$ref": "#/$defs/GalleryImage"},
    "title": "GalleryData",
    "type": "array",
}
_FILE_LIST: Mapping[str, Any] = {
    "$defs": {"FileData": _FILE_DATA},
    "items": {"$ref": "#/$defs/FileData"},
    "title": "ListFiles",
    "type": "array",
}


@dataclass(frozen=True)
class Gradio3Documents:
    """A Gradio 3 app's API as 4.x-shaped documents.

    ``info`` and ``config`` go to ``snapshot_from_documents`` unchanged. ``queued`` maps each api
    name (``"/echo"``) to whether a call goes through the websocket queue (``True``) or
    ``POST /run/<name>`` (``False``); the same flag is ``dependencies[i]["queue"]`` in ``config``.
    """

    info: dict[str, Any]
    config: dict[str, Any]
    version: tuple[int, int, int]
    queued: Mapping[str, bool] = field(default_factory=dict)


# -- detection and versions -----------------------------------------------------------------


def _parse_version(raw: Any) -> tuple[int, int, int] | None:
    if not isinstance(raw, str) or len(raw) > _MAX_VERSION_TEXT:
        return None
    match = _VERSION.match(raw.strip())
    if match is None:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0)


def is_gradio3(config: Any) -> bool:
    """Whether ``config`` is the ``/config`` of a Gradio 3 (or older) app: Gradio 4.0 added
    ``protocol``; a config without it whose version is not 4 or later is taken as 3.x."""
    if not isinstance(config, Mapping) or "protocol" in config:
        return False
    version = _parse_version(config.get("version"))
    return version is None or version[0] < 4


def gradio3_version(config: Mapping[str, Any]) -> tuple[int, int, int]:
    """The release a 3.x ``/config`` reports (``"3.36.1\\n"`` -> ``(3, 36, 1)``)."""
    version = _parse_version(config.get("version"))
    if version is None:
        raise SchemaError(
            "the /config has neither a 'protocol' nor a readable 'version', so the Gradio release "
            "cannot be told; gradio-codegen supports Gradio "
            f"{_dotted(OLDEST_SUPPORTED)} and later"
        )
    return version


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def check_supported(version: tuple[int, int, int], diagnostics: Diagnostics) -> None:
    """Refuse releases without ``/info``; warn about the untested ones."""
    if version[:2] < OLDEST_SUPPORTED:
        raise SchemaError(
            f"the app runs Gradio {_dotted(version)}, which has no /info route to read an API "
            f"from; gradio-codegen supports Gradio {_dotted(OLDEST_SUPPORTED)} and later "
            f"(tested: 3.36.1 and 3.50.2); upgrade the app's Gradio"
        )
    if version[0] == 3 and version[:2] < OLDEST_TESTED:
        diagnostics.warn(
            f"Gradio {_dotted(version)} is supported on a best-effort basis (the releases from "
            f"{_dotted(OLDEST_TESTED)} on are tested); check the generated client against the app"
        )


# -- choices ----------------------------------------------------------------------------------


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _tuple_text(text: str) -> tuple[Any, Any] | None:
    """``"('Apple', 'apple')"`` -> ``("Apple", "apple")``: how Gradio 3.36-3.49 write a
    ``(label, value)`` choice. Only a parenthesised pair of literal strings or numbers counts; the
    text is parsed, never evaluated."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")) or len(text) > _MAX_CHOICE_TEXT:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in the text warn, they are no error
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    node = tree.body
    if not isinstance(node, ast.Tuple) or len(node.elts) != 2:
        return None
    parts = []
    for element in node.elts:
        if not isinstance(element, ast.Constant) or not _plain(element.value):
            return None
        parts.append(element.value)
    return parts[0], parts[1]


def normalize_choices(raw: Any) -> list[list[Any]] | None:
    """A 3.x ``props.choices`` as ``[label, value]`` pairs (the 4.x form), or None when a choice
    is neither a plain value, a pair, nor a pair written as a string."""
    if not isinstance(raw, list):
        return None
    pairs: list[list[Any]] = []
    for choice in raw:
        if isinstance(choice, list) and len(choice) == 2 and all(_plain(c) for c in choice):
            pairs.append([choice[0], choice[1]])
        elif isinstance(choice, str):
            pair = _tuple_text(choice)
            pairs.append([pair[0], pair[1]] if pair else [choice, choice])
        elif _plain(choice):
            pairs.append([str(choice), choice])
        else:
            return None
    return pairs


def _with_enum(schema: Any, values: list[Any]) -> Any:
    """The wire schema of a choice component with its values as ``enum`` (on the items of a list)."""
    if not isinstance(schema, dict) or not values:
        return schema
    if schema.get("type") == "array":
        items = schema.get("items")
        return {**schema, "items": {**(items if isinstance(items, dict) else {}), "enum": values}}
    return {**schema, "enum": values}


# -- values -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _type(component: Mapping[str, Any]) -> str:
    """A component's type in lower case (``""`` when it is not a string)."""
    return _text(component.get("type")).lower()


def _kind(component: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    """``"image"``, ``"file"``, ``"gallery"`` or ``""``, by serializer first, then by type."""
    serializer = _text(entry.get("serializer")) or _text(component.get("serializer")) or None
    kind = _type(component)
    if serializer in _IMAGE_SERIALIZERS or (serializer is None and kind in _IMAGE_TYPES):
        return "image"
    if serializer in _FILE_SERIALIZERS or (serializer is None and kind in _FILE_TYPES):
        return "file"
    if serializer in _GALLERY_SERIALIZERS or (serializer is None and kind in _GALLERY_TYPES):
        return "gallery"
    return ""


def _wire_schema(
    schema: Any, component: Mapping[str, Any], entry: Mapping[str, Any], choices: list[Any] | None
) -> Any:
    """The 4.x-shaped schema of one value: files as FileData, choices as enum, the rest as is."""
    kind = _kind(component, entry)
    if kind == "image" and isinstance(schema, dict) and schema.get("type") == "string":
        return copy.deepcopy(dict(_FILE_DATA))  # a data URL on the wire, a file for the caller
    if kind == "file" and isinstance(schema, dict):
        multiple = schema.get("type") == "array"
        return copy.deepcopy(dict(_FILE_LIST if multiple else _FILE_DATA))
    if kind == "gallery" and isinstance(schema, dict) and schema.get("type") == "array":
        return copy.deepcopy(dict(_GALLERY_DATA))
    if choices is not None:
        return _with_enum(schema, choices)
    return schema


def _default(component: Mapping[str, Any], entry: Mapping[str, Any]) -> tuple[bool, Any]:
    """(has a default, the default): ``props.value`` unless it is null (the component starts
    empty, so the argument is required) or a file (a server-side file is no client default)."""
    props = component.get("props")
    if not isinstance(props, Mapping) or props.get("value") is None:
        return False, None
    if _kind(component, entry):
        return False, None
    return True, props["value"]


# -- the conversion ---------------------------------------------------------------------------


@dataclass
class _Components:
    by_id: dict[int, Mapping[str, Any]]

    def get(self, component_id: Any) -> Mapping[str, Any] | None:
        if isinstance(component_id, bool) or not isinstance(component_id, int):
            return None
        return self.by_id.get(component_id)

    def skipped(self, component_id: Any) -> bool:
        component = self.get(component_id)
        return component is not None and _type(component) in _SKIPPED


def _components(config: Mapping[str, Any]) -> _Components:
    found: dict[int, Mapping[str, Any]] = {}
    for component in config.get("components", []):
        if isinstance(component, Mapping):
            cid = component.get("id")
            if isinstance(cid, int) and not isinstance(cid, bool) and cid not in found:
                found[cid] = component
    return _Components(found)


def _ids(value: Any) -> list[int] | None:
    if not isinstance(value, list):
        return None
    if any(isinstance(v, bool) or not isinstance(v, int) for v in value):
        return None
    return list(value)


def _convert_config(
    config: Mapping[str, Any], version: tuple[int, int, int], comps: _Components
) -> dict[str, Any]:
    queue_on = config.get("enable_queue") is True
    dependencies: list[dict[str, Any]] = []
    for position, dep in enumerate(config.get("dependencies", [])):
        if not isinstance(dep, Mapping):
            dependencies.append(
                {
                    "id": position,
                    "api_name": False,
                    "inputs": [],
                    "outputs": [],
                    "backend_fn": False,
                    "types": {"generator": False, "continuous": False},
                    "queue": False,
                }
            )
            continue
        inputs, outputs = _ids(dep.get("inputs")), _ids(dep.get("outputs"))
        api_name = dep.get("api_name")
        name: str | bool | None = None  # None: unnamed; False: private (api_name=False)
        if isinstance(api_name, str) and api_name:
            name = api_name
        elif api_name is False:
            name = False
        types = dep.get("types") if isinstance(dep.get("types"), Mapping) else {}
        assert isinstance(types, Mapping)
        dependencies.append(
            {
                "id": position,  # 3.x has no id: fn_index is the position
                "api_name": name,
                "inputs": inputs or [],
                "outputs": outputs or [],
                "backend_fn": (
                    dep.get("backend_fn") is not False
                    and inputs is not None
                    and outputs is not None
                ),
                "types": {
                    "generator": types.get("generator") is True,
                    "continuous": types.get("continuous") is True,
                },
                "queue": queue_on and dep.get("queue") is not False,
            }
        )
    components = []
    for cid, component in comps.by_id.items():
        kind = _type(component) or "unknown"
        props = component.get("props") if isinstance(component.get("props"), Mapping) else {}
        assert isinstance(props, Mapping)
        kept = dict(props)
        if "choices" in kept:
            kept["choices"] = normalize_choices(kept["choices"])
        entry: dict[str, Any] = {"id": cid, "type": kind, "props": kept}
        if kind in _SKIPPED:
            entry["skip_api"] = True
        components.append(entry)
    out: dict[str, Any] = {
        "version": _dotted(version),
        "protocol": PROTOCOL,
        "mode": config.get("mode") if isinstance(config.get("mode"), str) else None,
        "enable_queue": queue_on,
        "show_api": config.get("show_api") is not False,
        "dependencies": dependencies,
        "components": components,
    }
    return out


def _find_dependency(deps: list[dict[str, Any]], key: str, *, named: bool) -> dict[str, Any] | None:
    if named:
        name = key[1:] if key.startswith("/") else None
        return next((d for d in deps if name and d.get("api_name") == name), None)
    if _POSITION.fullmatch(key) and int(key) < len(deps):
        return deps[int(key)]
    return None


def _convert_endpoint(
    key: str,
    entry: Any,
    dep: dict[str, Any] | None,
    comps: _Components,
    diagnostics: Diagnostics,
) -> dict[str, Any]:
    where = f"endpoint {key!r}"
    entry = entry if isinstance(entry, Mapping) else {}
    params = [p if isinstance(p, Mapping) else {} for p in _list(entry.get("parameters"))]
    returns = [r if isinstance(r, Mapping) else {} for r in _list(entry.get("returns"))]
    inputs = [i for i in dep["inputs"] if not comps.skipped(i)] if dep is not None else []
    outputs = [o for o in dep["outputs"] if not comps.skipped(o)] if dep is not None else []
    if dep is None:
        diagnostics.warn("no dependency of /config has this api name; names only", where)
    elif len(inputs) != len(params) or len(outputs) != len(returns):
        diagnostics.warn(
            f"/config lists {len(inputs)} inputs and {len(outputs)} outputs but /info "
            f"{len(params)} and {len(returns)}; names only, no defaults or choices",
            where,
        )
        inputs, outputs = [], []

    def one(
        value: Mapping[str, Any], position: int, ids: list[int], *, output: bool
    ) -> dict[str, Any]:
        component_id = ids[position] if position < len(ids) else None
        component = comps.get(component_id) or {}
        props = component.get("props") if isinstance(component.get("props"), Mapping) else {}
        assert isinstance(props, Mapping)
        label = value.get("label")
        if not isinstance(label, str) or not label.strip():
            label = props.get("label") if isinstance(props.get("label"), str) else None
        number = component_id if component_id is not None else position
        fallback = f"{'value' if output else 'parameter'}_{number}"  # Gradio's own fallback
        label = label if isinstance(label, str) and label.strip() else fallback
        choices = None
        if _type(component) in _CHOICE_COMPONENTS:
            pairs = normalize_choices(props.get("choices"))
            if pairs is None and props.get("choices") is not None:
                diagnostics.warn(
                    f"the choices of {doc_line(label, 60)!r} are not plain values; left open", where
                )
            choices = [pair[1] for pair in pairs] if pairs else None
        converted: dict[str, Any] = {
            "label": label,
            "type": _wire_schema(value.get("type"), component, value, choices),
            "component": value.get("component"),
        }
        if not output:
            has_default, default = _default(component, value) if component else (False, None)
            converted = {
                "label": label,
                "parameter_name": label,
                "parameter_has_default": has_default,
                "parameter_default": default,
                **{k: v for k, v in converted.items() if k != "label"},
            }
        if isinstance(value.get("serializer"), str):
            converted["serializer"] = value["serializer"]
        return converted

    return {
        "parameters": [one(p, i, inputs, output=False) for i, p in enumerate(params)],
        "returns": [one(r, i, outputs, output=True) for i, r in enumerate(returns)],
    }


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def convert(config: Any, info: Any, *, diagnostics: Diagnostics) -> Gradio3Documents:
    """A 3.x ``/config`` and ``/info?serialize=False`` as 4.x-shaped documents (see the module
    docstring). Raises ``SchemaError`` for a release without ``/info`` or documents that are not a
    Gradio 3 config and API info; oddities of single endpoints become warnings. The result shares
    values (schemas, defaults, props) with the input documents: treat both as read-only."""
    if not isinstance(config, Mapping) or not is_gradio3(config):
        raise SchemaError("the /config document is not the config of a Gradio 3 app")
    version = gradio3_version(config)
    check_supported(version, diagnostics)
    if not isinstance(config.get("dependencies"), list) or not isinstance(
        config.get("components"), list
    ):
        raise SchemaError("the /config document has no 'dependencies' and 'components' lists")
    if not isinstance(info, Mapping) or not isinstance(info.get("named_endpoints"), Mapping):
        raise SchemaError(
            "the API info is not a JSON object with 'named_endpoints' "
            "(read it from /info?serialize=False)"
        )
    comps = _components(config)
    new_config = _convert_config(config, version, comps)
    deps: list[dict[str, Any]] = new_config["dependencies"]
    named: dict[str, Any] = {}
    queued: dict[str, bool] = {}
    for key, entry in info["named_endpoints"].items():
        if not isinstance(key, str):
            continue
        dep = _find_dependency(deps, key, named=True)
        named[key] = _convert_endpoint(key, entry, dep, comps, diagnostics)
        if dep is not None:
            queued[key] = bool(dep["queue"])
    unnamed_raw = info.get("unnamed_endpoints")
    unnamed: dict[str, Any] = {}
    if isinstance(unnamed_raw, Mapping):
        for key, entry in unnamed_raw.items():
            if isinstance(key, str):
                dep = _find_dependency(deps, key, named=False)
                unnamed[key] = _convert_endpoint(key, entry, dep, comps, Diagnostics())
    return Gradio3Documents(
        info={"named_endpoints": named, "unnamed_endpoints": unnamed},
        config=new_config,
        version=version,
        queued=queued,
    )
