"""Whether the running app still has the layout an SDK endpoint was generated for.

A call goes to the endpoint by name (``POST {P}/call/{api_name}``), so the wrong function can no
longer run; but behind the same name the app may now take other inputs, in another order, or
return other outputs, and Gradio fills, drops or shifts values silently when it does. Only the
app's ``/config`` shows that: for each slot of the dependency, the component's type and whether it
is a ``gr.State`` (or another slot the API skips), and the choices a Radio or Dropdown offers.

``compare`` sets one endpoint against one ``/config`` (no I/O); ``Layout`` keeps, per connection,
the document the client last read and the endpoints already checked against it, so a warm call
costs no request, and forgets both when something suggests the server restarted, or when the
document could not be compared at all (a ``ProtocolError``: it is read again on the next call).

The check is on by default (``verify="concurrent"``) and compares only what the SDK knows:

* an SDK generated from a schema without ``/config`` (``fn_index=None``: it has only the public
  slots and takes the State positions from the app) is checked on its public slots, and the plan
  handed back places them around the app's State slots;
* a slot without ``component=`` (a schema from before the generator wrote it) is not
  type-checked; counts, State and choices still are;
* Gradio 3 has no route by name: its calls go over a websocket by ``fn_index``. The check runs
  on the ``/config`` the client reads for the endpoint's route anyway (``_client_core.
  _gradio3_inputs``), before the socket opens, so a 3.x call costs no request more and is sent
  with the index the app has now.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import shapes
from .._errors import AppChange, AppChangedError, ProtocolError
from .._spec import STATE, Endpoint, Output, Param, StateSlot
from ._plan import Plan, find_dependency, public_names

__all__ = ["Layout", "ConfigRead", "compare", "changed_error", "COMPATIBLE"]

_Public = TypeVar("_Public", Param, Output)

# Changes that leave every call the SDK can make working as before: a name routes the call, so a
# new position does not matter; a new choice is one more value the app accepts.
COMPATIBLE = frozenset({"fn_index_changed", "choice_added"})


@dataclass(frozen=True, slots=True)
class _Slot:
    """One slot of the app's dependency, as ``/config`` describes it."""

    component: str | None
    hidden: bool  # a gr.State, or another component the API skips: sent as null, not returned
    choices: tuple[object, ...] | None


def _components(config: dict[str, Any]) -> dict[int, dict[str, Any]]:
    found = config.get("components")
    return {
        c["id"]: c
        for c in (found if isinstance(found, list) else [])
        if isinstance(c, dict) and isinstance(c.get("id"), int)
    }


def _choices(props: object) -> tuple[object, ...] | None:
    """The values a choice component offers (Gradio 4+ sends ``[label, value]`` pairs)."""
    raw = props.get("choices") if isinstance(props, dict) else None
    if not isinstance(raw, list):
        return None
    return tuple(c[1] if isinstance(c, list) and len(c) == 2 else c for c in raw)


def _slots(ids: object, components: dict[int, dict[str, Any]]) -> list[_Slot]:
    slots = []
    for component_id in ids if isinstance(ids, list) else []:
        comp = components.get(component_id) if isinstance(component_id, int) else None
        comp = comp or {}
        kind = comp.get("type")
        slots.append(
            _Slot(
                component=kind if isinstance(kind, str) else None,
                hidden=kind == "state" or comp.get("skip_api") is True,
                choices=_choices(comp.get("props")),
            )
        )
    return slots


def _choice_shape(shape: shapes.Shape) -> shapes.Choice | None:
    """The ``Choice`` a parameter's shape is made of, through ``Optional`` and ``List``."""
    if isinstance(shape, shapes.Choice):
        return shape
    if isinstance(shape, shapes.List):
        return _choice_shape(shape.item)
    if isinstance(shape, shapes.Union):
        for option in shape.options:
            found = _choice_shape(option)
            if found is not None:
                return found
    return None


def _offered(value: object, offered: Sequence[object]) -> bool:
    return any(value == o and isinstance(value, str) == isinstance(o, str) for o in offered)


def _compare_slots(
    name: str,
    sdk: Sequence[Param | Output | StateSlot],
    app: list[_Slot],
    what: str,
    positions_known: bool = True,
) -> list[AppChange]:
    """What differs between the SDK's slots and the app's, for ``what`` ``"input"``/``"output"``.

    Without ``positions_known`` (an SDK generated from a schema without ``/config``: it has only
    the public slots, and takes the State positions from the app) only public slots count."""
    changes: list[AppChange] = []
    sdk_public = [s for s in sdk if not isinstance(s, StateSlot)]
    app_public = [s for s in app if not s.hidden]
    sdk_hidden, app_hidden = len(sdk) - len(sdk_public), len(app) - len(app_public)
    plural = "inputs" if what == "input" else "outputs"
    if len(app_public) != len(sdk_public):
        kind = f"{what}_added" if len(app_public) > len(sdk_public) else f"{what}_removed"
        changes.append(
            AppChange(
                name,
                kind,
                f"the app's endpoint has {len(app_public)} public {plural}, "
                f"the SDK {len(sdk_public)}",
            )
        )
    if positions_known and app_hidden != sdk_hidden:
        kind = f"state_{what}_added" if app_hidden > sdk_hidden else f"state_{what}_removed"
        changes.append(
            AppChange(
                name,
                kind,
                f"the app's endpoint has {app_hidden} gr.State (or hidden) {plural}, "
                f"the SDK {sdk_hidden}",
            )
        )
    if changes:
        return changes
    if positions_known and [isinstance(s, StateSlot) for s in sdk] != [s.hidden for s in app]:
        return [
            AppChange(
                name,
                f"state_{what}_moved",
                f"a gr.State {what} sits at another position than in the SDK",
            )
        ]
    for ours, theirs in zip(sdk_public, app_public):
        assert not isinstance(ours, StateSlot)
        if ours.component and theirs.component and ours.component != theirs.component:
            changes.append(
                AppChange(
                    name,
                    f"{what}_type_changed",
                    f"{what} '{ours.name}' is now a {theirs.component}, the SDK has a "
                    f"{ours.component}",
                )
            )
        if what == "output" or not isinstance(ours, Param):
            continue
        choice = _choice_shape(ours.shape)
        if choice is None or theirs.choices is None:
            continue
        removed = [v for v in choice.values if not _offered(v, theirs.choices)]
        added = [v for v in theirs.choices if not _offered(v, choice.values)]
        if removed:
            changes.append(
                AppChange(
                    name,
                    "choice_removed",
                    f"input '{ours.name}' no longer offers {_listed(removed)}",
                )
            )
        if added:
            changes.append(
                AppChange(name, "choice_added", f"input '{ours.name}' also offers {_listed(added)}")
            )
    return changes


def _laid_out(public: Sequence[_Public], app: list[_Slot]) -> tuple[_Public | StateSlot, ...]:
    """The SDK's public slots placed where the app has its public slots, State elsewhere (the
    caller has made sure the counts match)."""
    remaining = iter(public)
    return tuple(STATE if slot.hidden else next(remaining) for slot in app)


def _listed(values: list[object]) -> str:
    shown = ", ".join(repr(v)[:80] for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def compare(
    config: dict[str, Any], endpoint: Endpoint[Any], api_prefix: str
) -> tuple[Plan | None, tuple[AppChange, ...]]:
    """The endpoint's plan as the running app has it (None when it has no such endpoint) and
    every difference from what the SDK was generated for."""
    name = endpoint.api_name
    prefix = config.get("api_prefix") or ""
    if isinstance(prefix, str) and prefix.rstrip("/") != api_prefix.rstrip("/"):
        return None, (
            AppChange(
                name,
                "api_prefix_changed",
                f"the app's API moved from {api_prefix or '/'!r} to {prefix[:100] or '/'!r}",
            ),
        )
    found = find_dependency(config, name)
    if found is None:
        names = public_names(config)
        shown = ", ".join(n[:100] for n in names[:15]) + (", ..." if len(names) > 15 else "")
        return None, (
            AppChange(
                name,
                "endpoint_removed",
                f"the app has no endpoint {name} any more (removed or renamed; it has: "
                f"{shown or 'none'})",
            ),
        )
    fn_index, dep = found
    components = _components(config)
    inputs, outputs = _slots(dep.get("inputs"), components), _slots(dep.get("outputs"), components)
    known = endpoint.fn_index is not None  # else the SDK has public slots only (see Plan.of)
    changes = _compare_slots(name, endpoint.inputs, inputs, "input", known)
    changes += _compare_slots(name, endpoint.outputs, outputs, "output", known)
    if not known and not changes:
        laid_in = _laid_out(endpoint.params, inputs)
        return Plan(fn_index, laid_in, _laid_out(endpoint.public_outputs, outputs)), ()
    if endpoint.fn_index is not None and fn_index != endpoint.fn_index:
        changes.insert(
            0,
            AppChange(
                name,
                "fn_index_changed",
                f"its fn_index is {fn_index}, the SDK has {endpoint.fn_index}",
            ),
        )
    return Plan(fn_index, endpoint.inputs, endpoint.outputs), tuple(changes)


def changed_error(
    endpoint: Endpoint[Any], changes: tuple[AppChange, ...], regenerate: str | None
) -> AppChangedError:
    """The error for a call whose endpoint changed: what changed, and how to regenerate."""
    said = "; ".join(c.detail for c in changes if c.kind not in COMPATIBLE) or "it changed"
    how = f"regenerate the SDK: {regenerate}" if regenerate else "regenerate the SDK"
    return AppChangedError(
        f"the app changed: {said}; {how}",
        endpoint=endpoint.api_name,
        changes=changes,
        regenerate=regenerate,
    )


class ConfigRead:
    """A ``/config`` read running in another thread, for the sync client's first call to wait on
    (``concurrent.futures`` would cost every sync program its import)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._config: dict[str, Any] | None = None
        self._error: BaseException | None = None

    @classmethod
    def start(cls, read: Callable[[], dict[str, Any]]) -> ConfigRead:
        """Run ``read`` in a daemon thread, so the first call can join meanwhile."""
        check = cls()

        def run() -> None:
            try:
                config = read()
            except BaseException as e:  # handed to whoever waits for the check
                check.set_exception(e)
            else:
                check.set_result(config)

        threading.Thread(target=run, name="gradio-layout", daemon=True).start()
        return check

    def set_result(self, config: dict[str, Any]) -> None:
        self._config = config
        self._done.set()

    def set_exception(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def result(self) -> dict[str, Any]:
        """The document, or the read's error; the read has its own deadline, so this ends."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._config is not None
        return self._config


class Layout:
    """What one connection knows of the running app's layout.

    ``config`` is the ``/config`` last read, ``plans`` the endpoints found unchanged in it (with
    the ``fn_index`` the app gives them now, which a cancel needs), ``by_name`` whether the app
    has the ``{P}/call/{api_name}`` route (Gradio 4.16 and some proxies lack it), and ``pending``
    the read in flight for a first call. The client guards it with its lock.
    """

    def __init__(self) -> None:
        self.config: dict[str, Any] | None = None
        self.plans: dict[Endpoint[Any], Plan] = {}
        self.by_name = True
        self.pending: Any = None

    def forget(self) -> None:
        """Check again on the next call: the server may have restarted with another app."""
        self.config = None
        self.plans.clear()

    def adopt(self, config: dict[str, Any]) -> None:
        if config is not self.config:
            self.config = config
            self.plans.clear()

    def fn_index(self, endpoint: Endpoint[Any]) -> int | None:
        """The fn_index the adopted document gives the endpoint's name (None: no such name)."""
        found = find_dependency(self.config, endpoint.api_name) if self.config else None
        return found[0] if found is not None else None

    def verify(
        self, endpoint: Endpoint[Any], api_prefix: str, regenerate: str | None
    ) -> tuple[Plan | None, AppChangedError | None]:
        """The endpoint's plan if it is unchanged in the adopted document, else its error (and
        the plan the app has for it, if it has one, for cancelling a job already joined)."""
        assert self.config is not None
        known = self.plans.get(endpoint)
        if known is not None:
            return known, None
        try:
            plan, changes = compare(self.config, endpoint, api_prefix)
        except ProtocolError:
            self.forget()  # a document that cannot be compared is not kept: read it again next time
            raise
        if plan is not None and all(c.kind in COMPATIBLE for c in changes):
            self.plans[endpoint] = plan
            return plan, None
        return plan, changed_error(endpoint, changes, regenerate)
