"""What a generated SDK knows about its app, recorded at generation time.

A generated module builds one ``AppSpec`` and one ``Endpoint`` per endpoint from plain literals.
Carrying this knowledge in the module is what lets the first call go straight to the queue, with no
``/config`` or ``/info`` round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Final, Generic, TypeVar

from .shapes import Shape

__all__ = ["AppSpec", "Endpoint", "Param", "Output", "STATE", "StateSlot"]

T = TypeVar("T")


@dataclass(frozen=True)
class AppSpec:
    """The app an SDK was generated from.

    ``src`` is what the user pointed the generator at (a URL or a Space id); a client built without
    an explicit source connects there. The remaining fields describe how that app speaks.
    """

    src: str
    api_prefix: str = ""
    protocol: str = "sse_v3"
    gradio_version: str | None = None
    max_file_size: int | None = None
    space_id: str | None = None


class StateSlot:
    """Marks an input or output position held by a ``gr.State``: hidden from users, sent as null."""

    _instance: StateSlot | None = None

    def __new__(cls) -> StateSlot:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "STATE"


STATE: Final = StateSlot()


@dataclass(frozen=True)
class Param:
    """One public input of an endpoint: its Python name (used in error messages) and shape.

    ``component`` is its component's type as the app's ``/config`` spells it (``"textbox"``), so
    the layout check can tell a slot that now holds another component; ``None`` when unknown.
    """

    name: str
    shape: Shape
    component: str | None = None


@dataclass(frozen=True)
class Output:
    """One public output of an endpoint (``component`` as for ``Param``)."""

    name: str
    shape: Shape
    component: str | None = None


@dataclass(frozen=True, eq=False)
class Endpoint(Generic[T]):
    """One callable endpoint of the app.

    ``inputs`` and ``outputs`` list every position of the server-side dependency in order, with
    ``STATE`` where a ``gr.State`` sits. ``result`` builds the typed result from the public output
    values (a ``NamedTuple`` class for several outputs); ``None`` means the single output's value, or
    ``None`` when there is no output. ``fn_index`` is ``None`` when the schema came without
    ``/config``: the runtime then looks it up once, on first use. ``stream`` is ``None`` when it is
    not known whether the endpoint is a generator. ``python_name`` is the generated method's name,
    which the test doubles' messages use (errors of a call name ``api_name``, see ``_errors``).
    """

    api_name: str
    fn_index: int | None
    inputs: tuple[Param | StateSlot, ...] = ()
    outputs: tuple[Output | StateSlot, ...] = ()
    result: Callable[..., T] | None = None
    stream: bool | None = False
    description: str = field(default="", compare=False)
    python_name: str | None = field(default=None, compare=False)

    @property
    def params(self) -> tuple[Param, ...]:
        """The public inputs, in call order."""
        return tuple(p for p in self.inputs if isinstance(p, Param))

    @property
    def public_outputs(self) -> tuple[Output, ...]:
        return tuple(o for o in self.outputs if isinstance(o, Output))

    def build_result(self, values: list[Any]) -> T:
        """Turn the decoded public output values into the endpoint's typed result."""
        if self.result is not None:
            return self.result(*values)
        if not values:
            return None  # type: ignore[return-value]
        return values[0]  # type: ignore[no-any-return]
