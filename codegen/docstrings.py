"""Docstring text for generated functions, composed from what the schema and config say.

Per-parameter help is not in Gradio's schema, so a parameter's line is built from its label, the
component, the component's ``info`` text, choices, slider bounds and default. Every fragment taken
from the schema goes through ``text.doc_line``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Bounded, LiteralType, ListType, TypeRef, literal
from .text import doc_line, shorten

__all__ = ["output_doc", "parameter_doc", "summary"]

_MAX_CHOICES_SHOWN = 12
_CHOICES_SHOWN_FROM_A_CONSTANT = 5  # a taste of a list too long for a Literal


def _label(label: Any, name: str) -> str:
    if not isinstance(label, str) or not label.strip():
        return ""
    if label.strip().lower().replace(" ", "_") == name.rstrip("_"):
        return ""
    return doc_line(label, 80)


def _component(component: Any) -> str:
    return doc_line(component, 40) if isinstance(component, str) and component else ""


def _value(value: Any) -> str:
    try:
        return doc_line(shorten(literal(value), 80))
    except TypeError:
        return "..."


def _choices(type_: TypeRef, props: Mapping[str, Any]) -> str:
    inner = type_.item if isinstance(type_, ListType) else type_
    if not isinstance(inner, LiteralType):
        return ""
    if inner.constant is not None:
        return _many_choices(inner, isinstance(type_, ListType))
    labels: dict[Any, Any] = {}
    raw = props.get("choices")
    if isinstance(raw, list):
        for pair in raw:
            if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], (str, int, float)):
                labels[pair[1]] = pair[0]
    shown = []
    for value in inner.values[:_MAX_CHOICES_SHOWN]:
        text = _value(value)
        label = labels.get(value) if isinstance(value, (str, int, float)) else None
        if isinstance(label, str) and label != value:
            text += f" ({doc_line(label, 40)})"
        shown.append(text)
    if len(inner.values) > _MAX_CHOICES_SHOWN:
        shown.append(f"... ({len(inner.values)} choices)")
    lead = "Any of" if isinstance(type_, ListType) else "One of"
    extra = "; other strings are accepted too" if inner.custom else ""
    return f"{lead}: {', '.join(shown)}{extra}."


def _many_choices(type_: LiteralType, several: bool) -> str:
    """A choice list kept in a module constant: how many, the first few, and where they are."""
    shown = ", ".join(_value(v) for v in type_.values[:_CHOICES_SHOWN_FROM_A_CONSTANT])
    lead = "Any of" if several else "One of"
    extra = "; other strings are accepted too" if type_.custom else ""
    return f"{lead} the {len(type_.values)} choices in ``{type_.constant}`` ({shown}, ...){extra}."


def summary(value: Any) -> str:
    """A few words on a value too large to show: its kind and size."""
    if isinstance(value, dict):
        headers, data = value.get("headers"), value.get("data")
        if isinstance(headers, list) and isinstance(data, list):
            return f"a table of {len(data)} rows and {len(headers)} columns"
        keys = ", ".join(_value(k) for k in list(value)[:4])
        more = ", ..." if len(value) > 4 else ""
        return f"a dict of {len(value)} keys ({keys}{more})"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, str):
        return f"a string of {len(value)} characters"
    return "a value"


def _bounds(props: Mapping[str, Any], type_: TypeRef) -> str:
    low, high, step = props.get("minimum"), props.get("maximum"), props.get("step")
    if isinstance(type_, Bounded) and (low is None or high is None):
        low, high = type_.minimum, type_.maximum  # from the schema's description (no /config)
    numbers = (int, float)
    has_low = isinstance(low, numbers) and not isinstance(low, bool)
    has_high = isinstance(high, numbers) and not isinstance(high, bool)
    if has_low and has_high:
        text = f"Between {_value(low)} and {_value(high)}"
    elif has_low:
        text = f"At least {_value(low)}"
    elif has_high:
        text = f"At most {_value(high)}"
    else:
        return ""
    if isinstance(step, numbers) and not isinstance(step, bool):
        text += f", step {_value(step)}"
    return text + "."


def parameter_doc(
    *,
    name: str,
    label: Any,
    component: Any,
    props: Mapping[str, Any],
    type_: TypeRef,
    has_default: bool,
    default: Any,
    default_name: str | None = None,
) -> str:
    """``"Frequency (Number, Hz of the tone). Defaults to 440."``-style text for one argument;
    a default kept in the module constant ``default_name`` is named and summarised instead."""
    head = _label(label, name)
    kind = _component(component)
    info = props.get("info")
    detail = ", ".join(p for p in (kind, doc_line(info, 120) if isinstance(info, str) else "") if p)
    if head and detail:
        first = f"{head} ({detail})."
    elif head or detail:
        first = f"{head or detail}."
    else:
        first = ""
    parts = [first, _bounds(props, type_), _choices(type_, props)]
    if default_name is not None:
        parts.append(f"Defaults to ``{default_name}``, {summary(default)}.")
    elif has_default:
        parts.append(f"Defaults to {_value(default)}.")
    return " ".join(p for p in parts if p)


def output_doc(*, label: Any, component: Any) -> str:
    """``"Joined (Textbox)."``: outputs have no parameter name, so the label is always shown."""
    head = doc_line(label, 80) if isinstance(label, str) and label.strip() else ""
    kind = _component(component)
    if head and kind:
        return f"{head} ({kind})."
    return f"{head or kind}." if head or kind else ""
