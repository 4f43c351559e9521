"""What changed between the app an SDK was generated from and the app as it is now.

Both sides are built into the generator's model (``build``), so the comparison sees exactly what
the SDK shows its users: method names, parameter names, positions, defaults and types as Python
spells them, outputs, and the wire layout (``fn_index``, ``gr.State`` positions). Types are
compared by the sets of values they admit, which is what tells a narrowed type from a widened one.

Every change is classified:

* **breaking**: the SDK on disk no longer fits the app (a call would fail, or reach another
  function or another slot), or code written against it must change once the SDK is regenerated;
* **compatible**: the app only gained something; every existing call keeps its meaning, and
  regenerating only adds (a new endpoint, a new trailing input with a default, a new choice).

The exit codes of ``gradio-codegen diff`` are part of this contract (``EXIT_*`` below).

An SDK records only a hash of its schema, so the reliable "before" is the snapshot written next to
it (``<name>.schema.json`` beside ``<name>.py``); ``generated_from`` finds it and checks that the
hashes agree. ``read_sdk_header`` reads what a generated module records about its own generation
without importing it.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import json
import os
import re
import shlex
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .build import GENERATOR_NAME, build
from .diagnostics import Diagnostics
from .errors import SourceError
from .model import (
    App,
    Bounded,
    Endpoint,
    FileType,
    ListType,
    LiteralType,
    MappingType,
    Output,
    Parameter,
    Simple,
    Slot,
    TupleType,
    TypedDictType,
    TypeRef,
    UnionType,
    literal,
)
from .schema import Snapshot
from .sources import load
from .text import doc_line

__all__ = [
    "EXIT_BREAKING",
    "EXIT_COMPATIBLE",
    "EXIT_NO_CHANGE",
    "EXIT_TROUBLE",
    "Baseline",
    "Change",
    "Classification",
    "Comparison",
    "Kind",
    "SdkHeader",
    "admits",
    "compare",
    "generated_from",
    "read_sdk_header",
    "relocated",
    "sdk_header",
    "snapshot_beside",
]

#: ``gradio-codegen diff``: nothing changed.
EXIT_NO_CHANGE = 0
#: Only compatible changes: regenerating keeps every existing call working.
EXIT_COMPATIBLE = 1
#: The comparison could not be made (unreadable source, no snapshot): the CLI's "trouble" code.
EXIT_TROUBLE = 2
#: At least one breaking change.
EXIT_BREAKING = 3

JSON_FORMAT = "gradio-codegen-diff"


class Classification(str, enum.Enum):
    BREAKING = "breaking"
    COMPATIBLE = "compatible"


class Kind(str, enum.Enum):
    """What changed. The value is the stable name used in the JSON form."""

    API_PREFIX_CHANGED = "api_prefix_changed"
    PROTOCOL_CHANGED = "protocol_changed"
    GRADIO_VERSION_CHANGED = "gradio_version_changed"
    MAX_FILE_SIZE_CHANGED = "max_file_size_changed"
    ENDPOINT_ADDED = "endpoint_added"
    ENDPOINT_REMOVED = "endpoint_removed"
    ENDPOINT_RENAMED = "endpoint_renamed"
    FN_INDEX_CHANGED = "fn_index_changed"
    METHOD_RENAMED = "method_renamed"
    STREAMING_CHANGED = "streaming_changed"
    DESCRIPTION_CHANGED = "description_changed"
    INPUT_ADDED = "input_added"
    INPUT_REMOVED = "input_removed"
    INPUT_RENAMED = "input_renamed"
    INPUT_MOVED = "input_moved"
    INPUT_NOW_REQUIRED = "input_now_required"
    INPUT_DEFAULT_ADDED = "input_default_added"
    INPUT_DEFAULT_CHANGED = "input_default_changed"
    INPUT_NOW_KEYWORD_ONLY = "input_now_keyword_only"
    INPUT_NOW_POSITIONAL = "input_now_positional"
    INPUT_TYPE_NARROWED = "input_type_narrowed"
    INPUT_TYPE_WIDENED = "input_type_widened"
    INPUT_TYPE_CHANGED = "input_type_changed"
    CHOICE_REMOVED = "choice_removed"
    CHOICE_ADDED = "choice_added"
    STATE_INPUT_ADDED = "state_input_added"
    STATE_INPUT_REMOVED = "state_input_removed"
    STATE_INPUT_MOVED = "state_input_moved"
    OUTPUT_ADDED = "output_added"
    OUTPUT_REMOVED = "output_removed"
    OUTPUT_RENAMED = "output_renamed"
    OUTPUT_MOVED = "output_moved"
    OUTPUT_TYPE_NARROWED = "output_type_narrowed"
    OUTPUT_TYPE_CHANGED = "output_type_changed"
    STATE_OUTPUT_ADDED = "state_output_added"
    STATE_OUTPUT_REMOVED = "state_output_removed"
    STATE_OUTPUT_MOVED = "state_output_moved"
    OTHER = "other"


_B = Classification.BREAKING
_C = Classification.COMPATIBLE


@dataclass(frozen=True)
class Change:
    """One difference. ``endpoint`` is the api name as the app spells it (``"/echo"``), empty for
    app-wide changes; ``item`` names the input, output or choice concerned; ``before``/``after``
    are display strings (Python spellings) where a value changed. ``detail`` is one printable line.
    """

    endpoint: str
    kind: Kind
    classification: Classification
    detail: str
    item: str | None = None
    before: str | None = None
    after: str | None = None

    @property
    def breaking(self) -> bool:
        return self.classification is Classification.BREAKING

    def as_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "kind": self.kind.value,
            "classification": self.classification.value,
            "detail": self.detail,
            "item": self.item,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Comparison:
    old_hash: str
    new_hash: str
    changes: tuple[Change, ...] = ()

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def result(self) -> str:
        """``"unchanged"``, ``"compatible"`` or ``"breaking"``."""
        if not self.changes:
            return "unchanged"
        return "breaking" if self.breaking else "compatible"

    @property
    def exit_code(self) -> int:
        if not self.changes:
            return EXIT_NO_CHANGE
        return EXIT_BREAKING if self.breaking else EXIT_COMPATIBLE

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": JSON_FORMAT,
            "format_version": 1,
            "old_schema_hash": self.old_hash,
            "new_schema_hash": self.new_hash,
            "result": self.result,
            "exit_code": self.exit_code,
            "changes": [c.as_dict() for c in self.changes],
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=True) + "\n"

    def table(self, old_label: str = "the SDK's schema", new_label: str = "the app") -> str:
        """A readable report: a heading, one row per change (breaking first), what to do."""
        old = doc_line(old_label, 120)
        new = doc_line(new_label, 120)
        if not self.changes:
            return f"No change between {old} and {new}: the SDK matches the app.\n"
        n_breaking = len(self.breaking)
        n_compatible = len(self.changes) - n_breaking
        count = f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}"
        lines = [
            f"{count} between {old} ({_short_hash(self.old_hash)}) and {new} "
            f"({_short_hash(self.new_hash)}): {n_breaking} breaking, {n_compatible} compatible",
            "",
        ]
        ordered = sorted(self.changes, key=lambda c: not c.breaking)  # stable: breaking first
        rows = [
            (
                c.classification.value,
                doc_line(c.endpoint, 60) if c.endpoint else "(app)",
                c.kind.value.replace("_", " "),
                c.detail,
            )
            for c in ordered
        ]
        header = ("classification", "endpoint", "change", "detail")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            lines.append("  " + "  ".join(cells).rstrip())
        lines.append("")
        if n_breaking:
            lines.append(
                "Breaking: the SDK no longer fits the app. Regenerate it and update the calls "
                "named above."
            )
        else:
            lines.append(
                "Compatible: every existing call keeps working; regenerate the SDK to use what "
                "was added."
            )
        return "\n".join(lines) + "\n"


def _short_hash(value: str) -> str:
    return value[:19] if value else "no hash"


# -- types as sets of values ------------------------------------------------------------------


def _value_key(value: Any) -> str:
    """A JSON value's identity: ``1``, ``1.0`` and ``true`` are different choices."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True, default=repr)


def _key(t: TypeRef, choices: bool = True) -> Any:
    """A structural identity of a type, without the names the generator chose (TypedDict class
    names depend on what else the app has). ``choices=False`` leaves the choice values out."""
    if isinstance(t, Bounded):
        return ("number", t.name, t.minimum, t.maximum)
    if isinstance(t, Simple):
        return ("simple", t.name)
    if isinstance(t, LiteralType):
        values = frozenset(_value_key(v) for v in t.values) if choices else None
        return ("literal", values, t.custom, t.open)
    if isinstance(t, ListType):
        return ("list", _key(t.item, choices))
    if isinstance(t, TupleType):
        return ("tuple", tuple(_key(i, choices) for i in t.items))
    if isinstance(t, MappingType):
        return ("mapping", _key(t.value, choices))
    if isinstance(t, UnionType):
        return ("union", frozenset(_key(o, choices) for o in t.options))
    if isinstance(t, FileType):
        return ("file", t.output)
    if isinstance(t, TypedDictType):
        d = t.definition
        fields = frozenset(
            (f.key, _key(f.type, choices), f.declared_required(d.output)) for f in d.fields
        )
        return ("object", fields)
    return ("other", type(t).__name__, repr(t))


def _is_any(t: TypeRef) -> bool:
    return isinstance(t, Simple) and not isinstance(t, Bounded) and t.name == "Any"


def _within(wide: Bounded | Simple, narrow: Bounded | Simple) -> bool:
    """Whether ``narrow``'s bounds lie inside ``wide``'s (no bound = unbounded)."""
    w_min = wide.minimum if isinstance(wide, Bounded) else None
    w_max = wide.maximum if isinstance(wide, Bounded) else None
    n_min = narrow.minimum if isinstance(narrow, Bounded) else None
    n_max = narrow.maximum if isinstance(narrow, Bounded) else None
    low_ok = w_min is None or (n_min is not None and n_min >= w_min)
    high_ok = w_max is None or (n_max is not None and n_max <= w_max)
    return low_ok and high_ok


def _literal_plain_parts(t: LiteralType) -> list[TypeRef]:
    """What an open or custom choice type admits besides its choices (see ``LiteralType``)."""
    parts: list[TypeRef] = []
    numbers = [v for v in t.values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if t.open and numbers:
        parts.append(Simple("float", "Float"))
    if t.custom or (t.open and any(isinstance(v, str) for v in t.values)):
        parts.append(Simple("str", "Str"))
    return parts


def admits(wide: TypeRef, narrow: TypeRef) -> bool:
    """Whether every value of ``narrow`` is a value of ``wide`` (as a type checker sees them).

    Sound in the direction that matters: when unsure it answers False, so a change is reported as
    narrowed or changed (breaking) rather than widened.
    """
    if _key(wide) == _key(narrow) or _is_any(wide):
        return True
    if isinstance(narrow, UnionType):
        return all(admits(wide, o) for o in narrow.options)
    if isinstance(narrow, LiteralType):
        closed = all(wide.accepts(v) for v in narrow.values)
        return closed and all(admits(wide, p) for p in _literal_plain_parts(narrow))
    if isinstance(wide, UnionType):
        return any(admits(o, narrow) for o in wide.options)
    if isinstance(wide, LiteralType):
        return any(admits(p, narrow) for p in _literal_plain_parts(wide))
    if isinstance(wide, Simple) and isinstance(narrow, Simple):
        if _is_any(narrow):
            return False
        same_kind = wide.name == narrow.name or (wide.name == "float" and narrow.name == "int")
        return same_kind and _within(wide, narrow)
    if isinstance(wide, ListType):
        if isinstance(narrow, ListType):
            return admits(wide.item, narrow.item)
        if isinstance(narrow, TupleType):
            return all(admits(wide.item, i) for i in narrow.items)
        return False
    if isinstance(wide, TupleType) and isinstance(narrow, TupleType):
        return len(wide.items) == len(narrow.items) and all(
            admits(w, n) for w, n in zip(wide.items, narrow.items)
        )
    if isinstance(wide, MappingType):
        if isinstance(narrow, MappingType):
            return admits(wide.value, narrow.value)
        if isinstance(narrow, TypedDictType):
            return all(admits(wide.value, f.type) for f in narrow.definition.fields)
        return False
    if isinstance(wide, TypedDictType) and isinstance(narrow, TypedDictType):
        w, n = wide.definition, narrow.definition
        w_fields = {f.key: f for f in w.fields}
        n_fields = {f.key: f for f in n.fields}
        if any(k not in w_fields for k in n_fields):
            return False  # a key the wider type does not know
        for key, wf in w_fields.items():
            nf = n_fields.get(key)
            if wf.declared_required(w.output) and (
                nf is None or not nf.declared_required(n.output)
            ):
                return False
        return all(admits(w_fields[k].type, nf.type) for k, nf in n_fields.items())
    if isinstance(wide, FileType) and isinstance(narrow, FileType):
        return wide.output == narrow.output
    return False


def _object_difference(old: TypeRef, new: TypeRef) -> str | None:
    """Where two types spelled alike differ: the keys of the first object type whose fields
    changed (``"in Message: 'options' added, 'content' changed"``)."""
    if isinstance(old, TypedDictType) and isinstance(new, TypedDictType):
        o = {f.key: f for f in old.definition.fields}
        n = {f.key: f for f in new.definition.fields}
        notes = [f"{k!r} added" for k in n if k not in o]
        notes += [f"{k!r} removed" for k in o if k not in n]
        notes += [
            f"{k!r} changed"
            for k in o
            if k in n
            and (
                _key(o[k].type) != _key(n[k].type)
                or o[k].declared_required(old.definition.output)
                != n[k].declared_required(new.definition.output)
            )
        ]
        if notes:
            return f"in {old.definition.name}: {', '.join(notes[:6])}"
        return None
    pairs: list[tuple[TypeRef, TypeRef]] = []
    if isinstance(old, (ListType, MappingType, UnionType, TupleType)) and type(old) is type(new):
        pairs = list(zip(old.children(), new.children()))
    for a, b in pairs:
        if _key(a) != _key(b):
            found = _object_difference(a, b)
            if found is not None:
                return found
    return None


def _literals(t: TypeRef) -> list[LiteralType]:
    return [x for x in t.walk() if isinstance(x, LiteralType)]


# -- the comparison ---------------------------------------------------------------------------


def compare(old: Snapshot, new: Snapshot, *, include_hidden: bool = False) -> Comparison:
    """Every change from ``old`` (what an SDK was generated from) to ``new`` (the app now).

    ``include_hidden`` must be what the SDK was generated with: it decides which endpoints the
    SDK has. Where the app is served from (the snapshots' sources) is never a change.
    """
    old_app = build(old, diagnostics=Diagnostics(), include_hidden=include_hidden)
    new_app = build(new, diagnostics=Diagnostics(), include_hidden=include_hidden)
    changes: list[Change] = []
    changes += _app_changes(old, new)
    changes += _endpoint_changes(old_app, new_app, new, layout=_has_layout(old, new))
    if not changes and old.schema_hash != new.schema_hash:
        changes.append(
            Change(
                "",
                Kind.OTHER,
                _C,
                "the schema differs only in what changes no call (labels, help text, endpoints "
                "the SDK leaves out); regenerate to refresh the SDK's docstrings and hash",
            )
        )
    return Comparison(old.schema_hash, new.schema_hash, tuple(changes))


def _has_layout(old: Snapshot, new: Snapshot) -> bool:
    """fn_index and State positions are known only for snapshots captured with ``/config``."""
    return old.endpoints is not None and new.endpoints is not None


def _app_changes(old: Snapshot, new: Snapshot) -> list[Change]:
    changes: list[Change] = []
    if old.api_prefix.rstrip("/") != new.api_prefix.rstrip("/"):
        before, after = old.api_prefix or "/", new.api_prefix or "/"
        changes.append(
            Change(
                "",
                Kind.API_PREFIX_CHANGED,
                _B,
                f"the API moved from {doc_line(before, 40)} to {doc_line(after, 40)} "
                "(every request of the SDK on disk would miss it)",
                before=before,
                after=after,
            )
        )
    if old.protocol != new.protocol:
        changes.append(
            Change(
                "",
                Kind.PROTOCOL_CHANGED,
                _B,
                f"the queue protocol changed from {doc_line(old.protocol, 20)} to "
                f"{doc_line(new.protocol, 20)}",
                before=old.protocol,
                after=new.protocol,
            )
        )
    if old.gradio_version != new.gradio_version:
        before = old.gradio_version or "unknown"
        after = new.gradio_version or "unknown"
        changes.append(
            Change(
                "",
                Kind.GRADIO_VERSION_CHANGED,
                _C,
                f"the app runs Gradio {doc_line(after, 40)} (was {doc_line(before, 40)})",
                before=before,
                after=after,
            )
        )
    if old.max_file_size != new.max_file_size:
        lower = new.max_file_size is not None and (
            old.max_file_size is None or new.max_file_size < old.max_file_size
        )
        before = _size(old.max_file_size)
        after = _size(new.max_file_size)
        changes.append(
            Change(
                "",
                Kind.MAX_FILE_SIZE_CHANGED,
                _B if lower else _C,
                f"the largest file the app accepts is {after} (was {before})"
                + ("; uploads the SDK lets through may now be refused" if lower else ""),
                before=before,
                after=after,
            )
        )
    return changes


def _size(value: int | None) -> str:
    return "unlimited" if value is None else f"{value} bytes"


def _signature(ep: Endpoint) -> str:
    params = ", ".join(f"{p.name}: {p.type.annotation()}" for p in ep.parameters)
    if ep.result_name is not None:
        result = ep.result_name
    else:
        result = ep.outputs[0].annotation() if ep.outputs else "None"
    return doc_line(f"{ep.method_name}({params}) -> {result}", 200)


def _shape_of(ep: Endpoint, layout: bool) -> Any:
    """What a call relies on, without the endpoint's own name: used to spot a renamed endpoint."""
    params = tuple(
        (p.name, _key(p.type), p.has_default, _value_key(p.default) if p.has_default else None)
        for p in ep.parameters
    )
    outputs = tuple((o.name, _key(o.type)) for o in ep.outputs)
    slots = (
        (tuple(s.index for s in ep.input_slots), tuple(s.index for s in ep.output_slots))
        if layout
        else None
    )
    return params, outputs, slots


def _endpoint_changes(old: App, new: App, new_snapshot: Snapshot, *, layout: bool) -> list[Change]:
    old_eps = {e.api_name: e for e in old.endpoints}
    new_eps = {e.api_name: e for e in new.endpoints}
    removed = [k for k in old_eps if k not in new_eps]
    added = [k for k in new_eps if k not in old_eps]

    changes: list[Change] = []
    renamed: dict[str, str] = {}
    for key in removed:
        candidates = [
            a
            for a in added
            if a not in renamed.values()
            and _shape_of(old_eps[key], layout) == _shape_of(new_eps[a], layout)
            and (not layout or old_eps[key].fn_index == new_eps[a].fn_index)
        ]
        if len(candidates) == 1:
            renamed[key] = candidates[0]

    hidden_now = _hidden_in(new_snapshot)
    for key in old_eps:
        if key in renamed:
            target = new_eps[renamed[key]]
            changes.append(
                Change(
                    key,
                    Kind.ENDPOINT_RENAMED,
                    _B,
                    f"{doc_line(key, 60)} is now {doc_line(renamed[key], 60)} "
                    f"(same inputs, outputs and position); its method is now "
                    f"{target.method_name}()",
                    item=old_eps[key].method_name,
                    before=key,
                    after=renamed[key],
                )
            )
        elif key not in new_eps:
            why = (
                "the app hides it from the API docs now (generate with --include-hidden to keep it)"
                if key in hidden_now
                else "the app has no such endpoint any more"
            )
            changes.append(
                Change(
                    key,
                    Kind.ENDPOINT_REMOVED,
                    _B,
                    f"{old_eps[key].method_name}() is gone: {why}",
                    item=old_eps[key].method_name,
                )
            )
        else:
            changes += _one_endpoint(key, old_eps[key], new_eps[key], layout=layout)
    for key in added:
        if key in renamed.values():
            continue
        changes.append(
            Change(
                key,
                Kind.ENDPOINT_ADDED,
                _C,
                f"new endpoint {_signature(new_eps[key])}",
                item=new_eps[key].method_name,
            )
        )
    return changes


def _hidden_in(snapshot: Snapshot) -> set[str]:
    """Endpoints the snapshot knows but hides from the API docs (captured with all endpoints)."""
    hidden = set()
    for key, info in snapshot.info().named_endpoints.items():
        if info.show_api is False or info.api_visibility == "undocumented":
            hidden.add(key)
    for key, config in (snapshot.endpoints or {}).items():
        if config.visibility == "undocumented":
            hidden.add(key)
    return hidden


def _one_endpoint(key: str, old: Endpoint, new: Endpoint, *, layout: bool) -> list[Change]:
    found: list[Change] = []
    if old.method_name != new.method_name:
        found.append(
            _change(
                Kind.METHOD_RENAMED,
                _B,
                f"the method is now {new.method_name}() (was {old.method_name}()): another "
                "endpoint took its name",
                item=old.method_name,
                before=old.method_name,
                after=new.method_name,
            )
        )
    if layout and old.fn_index != new.fn_index:
        found.append(
            _change(
                Kind.FN_INDEX_CHANGED,
                _B,
                f"it moved from fn_index {old.fn_index} to {new.fn_index}: the SDK on disk "
                "would run another function",
                before=str(old.fn_index),
                after=str(new.fn_index),
            )
        )
    if old.stream is not None and new.stream is not None and old.stream != new.stream:
        found.append(
            _change(
                Kind.STREAMING_CHANGED,
                _C,
                "it streams partial results now" if new.stream else "it no longer streams",
                before=str(old.stream),
                after=str(new.stream),
            )
        )
    found += _input_changes(old.parameters, new.parameters)
    found += _output_changes(old.outputs, new.outputs)
    if layout:
        found += _state_changes(old, new)
    if old.description != new.description:
        found.append(_change(Kind.DESCRIPTION_CHANGED, _C, "its description changed"))
    return [dataclasses.replace(c, endpoint=key) for c in found]


def _change(
    kind: Kind,
    classification: Classification,
    detail: str,
    *,
    item: str | None = None,
    before: str | None = None,
    after: str | None = None,
) -> Change:
    """A change of an endpoint not named yet (``_one_endpoint`` fills in the endpoint)."""
    return Change("", kind, classification, detail, item=item, before=before, after=after)


def _position(i: int, total: int) -> str:
    return f"position {i + 1} of {total}"


def _match(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str], dict[str, str]]:
    """Names only in ``old``, names only in ``new``, and renames: an old and a new name that sit
    at the same position where neither name exists on the other side."""
    removed = [n for n in old if n not in new]
    added = [n for n in new if n not in old]
    renames: dict[str, str] = {}
    for i, name in enumerate(old):
        if name in removed and i < len(new) and new[i] in added:
            renames[name] = new[i]
    removed = [n for n in removed if n not in renames]
    added = [n for n in added if n not in renames.values()]
    return removed, added, renames


def _moves(old: Sequence[str], new: Sequence[str], renames: dict[str, str]) -> list[str]:
    """Names (old spelling) whose order among the names both sides share changed."""
    kept_old = [renames.get(n, n) for n in old if n in new or n in renames]
    kept_new = [n for n in new if n in kept_old]
    if kept_old == kept_new:
        return []
    back = {v: k for k, v in renames.items()}
    return [back.get(n, n) for a, n in zip(kept_new, kept_old) if a != n]


def _show(value: Any) -> str:
    """A JSON value (a default, a choice) as Python spells it, on one short printable line."""
    try:
        spelled = literal(value)
    except TypeError:
        spelled = repr(value)
    return doc_line(spelled, 60)


def _spell(t: TypeRef) -> str:
    return doc_line(t.annotation(), 120)


def _input_changes(old: list[Parameter], new: list[Parameter]) -> list[Change]:
    old_names = [p.name for p in old]
    new_names = [p.name for p in new]
    removed, added, renames = _match(old_names, new_names)
    old_by = {p.name: p for p in old}
    new_by = {p.name: p for p in new}
    n_old, n_new = len(old), len(new)
    found: list[Change] = []

    for name in removed:
        found.append(
            _change(
                Kind.INPUT_REMOVED,
                _B,
                f"input '{name}' removed (it was {_position(old_names.index(name), n_old)})",
                item=name,
            )
        )
    last_kept = max(
        (new_names.index(renames.get(n, n)) for n in old_names if n not in removed), default=-1
    )
    for name in added:
        p, i = new_by[name], new_names.index(name)
        if not p.has_default:
            detail = f"new required input '{name}: {_spell(p.type)}' ({_position(i, n_new)})"
            found.append(_change(Kind.INPUT_ADDED, _B, detail, item=name))
        elif i < last_kept:
            detail = (
                f"new input '{name}' inserted at {_position(i, n_new)}: the inputs after it "
                "shift, so positional calls change meaning"
            )
            found.append(_change(Kind.INPUT_ADDED, _B, detail, item=name))
        else:
            detail = (
                f"new input '{name}: {_spell(p.type)} = {_show(p.default)}' "
                f"({_position(i, n_new)})"
            )
            found.append(_change(Kind.INPUT_ADDED, _C, detail, item=name))
    for old_name, new_name in renames.items():
        found.append(
            _change(
                Kind.INPUT_RENAMED,
                _B,
                f"input '{old_name}' is now called '{new_name}' "
                f"({_position(old_names.index(old_name), n_old)}); keyword calls break",
                item=old_name,
                before=old_name,
                after=new_name,
            )
        )
    for name in _moves(old_names, new_names, renames):
        after = renames.get(name, name)
        found.append(
            _change(
                Kind.INPUT_MOVED,
                _B,
                f"input '{after}' moved from position {old_names.index(name) + 1} to "
                f"{new_names.index(after) + 1}",
                item=after,
                before=str(old_names.index(name) + 1),
                after=str(new_names.index(after) + 1),
            )
        )
    for old_name in old_names:
        if old_name not in removed:
            found += _parameter_changes(old_by[old_name], new_by[renames.get(old_name, old_name)])
    return found


def _parameter_changes(old: Parameter, new: Parameter) -> list[Change]:
    name = new.name
    found: list[Change] = []
    before = _show(old.default) if old.has_default else None
    after = _show(new.default) if new.has_default else None
    if old.has_default and not new.has_default:
        detail = f"input '{name}' has no default any more (was {before})"
        found.append(_change(Kind.INPUT_NOW_REQUIRED, _B, detail, item=name, before=before))
    elif new.has_default and not old.has_default:
        detail = f"input '{name}' may be left out now (default {after})"
        found.append(_change(Kind.INPUT_DEFAULT_ADDED, _C, detail, item=name, after=after))
    elif old.has_default and _value_key(old.default) != _value_key(new.default):
        detail = (
            f"the default of input '{name}' is {after} (was {before}); calls that leave it out "
            "send the new value"
        )
        found.append(
            _change(Kind.INPUT_DEFAULT_CHANGED, _C, detail, item=name, before=before, after=after)
        )
    if new.keyword_only and not old.keyword_only:
        detail = f"input '{name}' must be passed by keyword now (an earlier input gained a default)"
        found.append(_change(Kind.INPUT_NOW_KEYWORD_ONLY, _B, detail, item=name))
    elif old.keyword_only and not new.keyword_only:
        detail = f"input '{name}' may be passed by position now"
        found.append(_change(Kind.INPUT_NOW_POSITIONAL, _C, detail, item=name))
    found += _type_changes(name, "input", old.type, new.type)
    return found


def _type_changes(name: str, side: str, old: TypeRef, new: TypeRef) -> list[Change]:
    """Changes of one input's or output's type: choices one by one where only they differ, else
    how the sets of values relate."""
    if _key(old) == _key(new):
        return []
    output = side == "output"
    what = f"{side} '{name}'"
    old_lits, new_lits = _literals(old), _literals(new)
    if old_lits and len(old_lits) == len(new_lits) and _key(old, False) == _key(new, False):
        found: list[Change] = []
        for o, n in zip(old_lits, new_lits):
            was = {_value_key(v): v for v in o.values}
            now = {_value_key(v): v for v in n.values}
            for k, v in was.items():
                if k not in now:
                    # Still accepted (a custom value) or an output (open): nothing breaks.
                    cls = _C if output or n.accepts(v) else _B
                    detail = f"{what} no longer offers {_show(v)}"
                    found.append(
                        _change(Kind.CHOICE_REMOVED, cls, detail, item=name, before=_show(v))
                    )
            for k, v in now.items():
                if k not in was:
                    detail = f"{what} also offers {_show(v)}"
                    found.append(_change(Kind.CHOICE_ADDED, _C, detail, item=name, after=_show(v)))
        return found
    wider = admits(new, old)
    narrower = admits(old, new)
    if wider and narrower:
        return []  # spelled differently, the same values
    before, after = _spell(old), _spell(new)
    spelled = f"{before} -> {after}"
    if before == after:
        spelled = doc_line(_object_difference(old, new) or f"{before} (its structure changed)", 160)
    if output and narrower:
        kind, cls, detail = Kind.OUTPUT_TYPE_NARROWED, _C, f"{what} is narrower: {spelled}"
    elif output:
        kind, cls = Kind.OUTPUT_TYPE_CHANGED, _B
        detail = f"{what} may hold values the SDK does not expect: {spelled}"
    elif wider:
        kind, cls, detail = Kind.INPUT_TYPE_WIDENED, _C, f"{what} accepts more: {spelled}"
    elif narrower:
        kind, cls, detail = Kind.INPUT_TYPE_NARROWED, _B, f"{what} accepts less: {spelled}"
    else:
        kind, cls, detail = Kind.INPUT_TYPE_CHANGED, _B, f"{what} takes another type: {spelled}"
    return [_change(kind, cls, detail, item=name, before=before, after=after)]


def _output_changes(old: list[Output], new: list[Output]) -> list[Change]:
    old_names = [o.name for o in old]
    new_names = [o.name for o in new]
    removed, added, renames = _match(old_names, new_names)
    old_by = {o.name: o for o in old}
    new_by = {o.name: o for o in new}
    several = len(old) > 1 or len(new) > 1
    found: list[Change] = []
    for name in removed:
        detail = f"output '{name}' removed (it was {_position(old_names.index(name), len(old))})"
        found.append(_change(Kind.OUTPUT_REMOVED, _B, detail, item=name))
    for name in added:
        detail = (
            f"new output '{name}' ({_position(new_names.index(name), len(new))}): the result "
            "changes shape"
        )
        found.append(_change(Kind.OUTPUT_ADDED, _B, detail, item=name))
    for old_name, new_name in renames.items():
        if several:
            cls, detail = _B, f"result field '{old_name}' is now '{new_name}'"
        else:
            cls, detail = _C, f"the output is labelled '{new_name}' now (was '{old_name}')"
        found.append(
            _change(
                Kind.OUTPUT_RENAMED, cls, detail, item=old_name, before=old_name, after=new_name
            )
        )
    for name in _moves(old_names, new_names, renames):
        after = renames.get(name, name)
        found.append(
            _change(
                Kind.OUTPUT_MOVED,
                _B,
                f"output '{after}' moved from position {old_names.index(name) + 1} to "
                f"{new_names.index(after) + 1}",
                item=after,
                before=str(old_names.index(name) + 1),
                after=str(new_names.index(after) + 1),
            )
        )
    for old_name in old_names:
        if old_name not in removed:
            n = new_by[renames.get(old_name, old_name)]
            found += _type_changes(n.name, "output", old_by[old_name].type, n.type)
    return found


_STATE_KINDS = {
    "input": (Kind.STATE_INPUT_ADDED, Kind.STATE_INPUT_REMOVED, Kind.STATE_INPUT_MOVED),
    "output": (Kind.STATE_OUTPUT_ADDED, Kind.STATE_OUTPUT_REMOVED, Kind.STATE_OUTPUT_MOVED),
}


def _state_changes(old: Endpoint, new: Endpoint) -> list[Change]:
    """Positions the API skips (``gr.State``, or a component left out of ``/info``): the SDK sends
    null there and drops them from results, so they must stay where the SDK has them."""
    old_in = [p.name for p in old.parameters]
    new_in = [p.name for p in new.parameters]
    old_out = [o.name for o in old.outputs]
    new_out = [o.name for o in new.outputs]
    found: list[Change] = []
    for side, before, after in (
        ("input", _slot_names(old.input_slots, old_in), _slot_names(new.input_slots, new_in)),
        ("output", _slot_names(old.output_slots, old_out), _slot_names(new.output_slots, new_out)),
    ):
        shared = {n for n in before if n is not None} & {n for n in after if n is not None}
        if _anchors(before, shared) == _anchors(after, shared):
            continue
        added_kind, removed_kind, moved_kind = _STATE_KINDS[side]
        n_before, n_after = before.count(None), after.count(None)
        where = _state_positions(after)
        if n_after > n_before:
            effect = (
                "would send a value into it" if side == "input" else "would read it as a result"
            )
            detail = (
                f"a {side} the API skips (gr.State) now sits at {where}; the SDK on disk {effect}"
            )
            found.append(_change(added_kind, _B, detail))
        elif n_after < n_before:
            detail = (
                f"{n_before - n_after} {side}(s) the API skips (gr.State) removed; the SDK on disk "
                f"would misplace the {side}s after it"
            )
            found.append(_change(removed_kind, _B, detail))
        else:
            detail = (
                f"the {side}s the API skips (gr.State) moved to {where}; the SDK on disk would "
                f"misplace {side}s"
            )
            found.append(_change(moved_kind, _B, detail))
    return found


def _slot_names(slots: Sequence[Slot], names: list[str]) -> list[str | None]:
    return [names[s.index] if s.index is not None else None for s in slots]


def _anchors(names: list[str | None], shared: set[str]) -> list[str | None]:
    """For each skipped position, the next public name both sides share (None at the end)."""
    out: list[str | None] = []
    for i, name in enumerate(names):
        if name is None:
            out.append(next((n for n in names[i + 1 :] if n in shared), None))
    return sorted(out, key=lambda n: (n is None, n or ""))


def _state_positions(names: list[str | None]) -> str:
    positions = [str(i + 1) for i, n in enumerate(names) if n is None]
    word = "position" if len(positions) == 1 else "positions"
    return f"{word} {', '.join(positions)} of {len(names)}"


# -- what an SDK was generated from -----------------------------------------------------------

_HEADER_LIMIT = 16 * 1024
_MODULE_LIMIT = 64 * 1024 * 1024
_HASH_LINE = re.compile(r"^Schema hash: (sha256:[0-9a-f]{64})$", re.MULTILINE)
_COMMAND_LINE = re.compile(
    rf"^    {re.escape(GENERATOR_NAME)} (?P<command>.*) -o <this file>$", re.MULTILINE
)
_CLASS_OPTION = re.compile(r" --class-name ([A-Za-z_][A-Za-z0-9_]*)(?= |$)")


@dataclass(frozen=True)
class SdkHeader:
    """What a generated module records about its generation.

    ``command`` is the "Regenerate with" source as the user typed it (docstring-escaped),
    without the options the generator appends; ``src``/``space_id`` are the ``APP`` values.
    """

    schema_hash: str
    command: str
    class_name: str = "Client"
    include_hidden: bool = False
    src: str | None = None
    space_id: str | None = None


def read_sdk_header(path: str) -> SdkHeader | None:
    """The header of the generated module at ``path``; None when it is not a generated module.

    Reads the file as text and never imports it; anything but a regular file (a pipe would block,
    a device never end) is not a module.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with open(fd, encoding="utf-8", closefd=False) as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            text = f.read(_MODULE_LIMIT + 1)
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)
    return sdk_header(text)


def sdk_header(text: str) -> SdkHeader | None:
    """The header of a generated module's ``text`` (read by the caller); None when it is not
    one."""
    if len(text) > _MODULE_LIMIT:
        return None
    head = text[:_HEADER_LIMIT]
    if f"Generated by {GENERATOR_NAME} " not in head:
        return None
    hash_match = _HASH_LINE.search(head)
    command_match = _COMMAND_LINE.search(head)
    if hash_match is None or command_match is None:
        return None
    command = command_match["command"]
    include_hidden = command.endswith(" --include-hidden")
    if include_hidden:
        command = command[: -len(" --include-hidden")]
    class_name = "Client"
    option = _CLASS_OPTION.search(command)
    if option is not None and command.endswith(option.group(0)):
        class_name = option[1]
        command = command[: option.start()]
    src, space_id = _app_location(text)
    return SdkHeader(
        schema_hash=hash_match[1],
        command=command,
        class_name=class_name,
        include_hidden=include_hidden,
        src=src,
        space_id=space_id,
    )


def _app_location(text: str) -> tuple[str | None, str | None]:
    """``src`` and ``space_id`` of the module's ``APP = _rt.AppSpec(...)``, read from its syntax."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None, None
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "APP"
            and isinstance(node.value, ast.Call)
        ):
            continue
        found: dict[str, str | None] = {"src": None, "space_id": None}
        for kw in node.value.keywords:
            if kw.arg in found and isinstance(kw.value, ast.Constant):
                value = kw.value.value
                found[kw.arg] = value if isinstance(value, str) else None
        return found["src"], found["space_id"]
    return None, None


def relocated(snapshot: Snapshot, header: SdkHeader) -> Snapshot:
    """``snapshot`` as if it had been captured where the SDK ``header`` says its app is.

    ``--check`` compares meaning, not location: rendering the fresh snapshot with the module's own
    recorded ``src``/``space_id`` (and ``regenerate_from=header.command``) reproduces the module
    byte for byte when only the app's address differs, and still differs on any real change.
    Where the app is served from is outside the schema hash, so the hash is unchanged.
    """
    if header.src is None:
        return snapshot
    return snapshot.model_copy(update={"source": header.src, "space_id": header.space_id})


def snapshot_beside(sdk_path: str) -> str:
    """Where the snapshot of an SDK lives by convention: ``app.schema.json`` beside ``app.py``."""
    stem, _ = os.path.splitext(sdk_path)
    return stem + ".schema.json"


@dataclass(frozen=True)
class Baseline:
    """The "before" side of a diff: the snapshot, where it came from, and the SDK's header (when
    an SDK was given)."""

    snapshot: Snapshot
    snapshot_path: str
    header: SdkHeader | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def generated_from(path: str, *, snapshot_path: str | None = None) -> Baseline:
    """What the SDK or snapshot at ``path`` was generated from.

    A snapshot file is read as is. For a generated module the snapshot is ``snapshot_path`` (as a
    project configuration names it) or the one beside it; its schema hash must be the one the
    module records, or it is not what the module was generated from. Raises ``SourceError`` with
    what to do when there is no usable snapshot.
    """
    diagnostics = Diagnostics()
    if not os.path.exists(path):
        raise SourceError(f"{path!r} does not exist; pass the SDK or the snapshot it was made from")
    if not path.endswith(".py"):
        return Baseline(load(path, diagnostics=diagnostics), path, None, diagnostics)
    header = read_sdk_header(path)
    if header is None:
        raise SourceError(
            f"{path!r} is not a module written by {GENERATOR_NAME} (no 'Schema hash' header); "
            "pass the SDK or the snapshot it was generated from"
        )
    where = snapshot_path or snapshot_beside(path)
    if not os.path.exists(where):
        raise SourceError(
            f"no snapshot of the schema {path!r} was generated from: looked for {where!r}. "
            f"An SDK records only its schema's hash ({_short_hash(header.schema_hash)}...); "
            f"write the snapshot with `{GENERATOR_NAME} snapshot SRC -o {shlex.quote(where)}` "
            "from the app version the SDK was made from, or regenerate both"
        )
    snapshot = load(where, diagnostics=diagnostics)
    if snapshot.schema_hash != header.schema_hash:
        raise SourceError(
            f"snapshot {where!r} is not what {path!r} was generated from: it hashes to "
            f"{_short_hash(snapshot.schema_hash)}..., the SDK records "
            f"{_short_hash(header.schema_hash)}...; regenerate the SDK from the snapshot, or "
            "write the snapshot again from the app the SDK was made from"
        )
    return Baseline(snapshot, where, header, diagnostics)
