"""How generated code refers to what it imports: the module aliases, and the record of imports.

Every name a generated module imports is recorded at the moment a piece of code spells it (an
annotation writing ``Literal[...]`` records ``Literal``), the way betterproto's typing compiler
does, so the header's imports are exactly what the body uses and cannot drift from it.
"""

from __future__ import annotations

__all__ = ["RUNTIME", "SHAPES", "Imports"]

# The runtime package and its shapes module, as the generated module binds them.
RUNTIME = "_rt"
SHAPES = "_s"

# Where each importable name comes from, in the order the header lists them.
_TYPING = ("Any", "ClassVar", "Literal", "NamedTuple", "NotRequired", "TypedDict", "final")
_ABC = ("Mapping", "Sequence")
_RUNTIME_NAMES = ("FileInput", "RemoteFile")
# NotRequired is typing's from Python 3.11; before, TypedDict must come with it from
# typing_extensions (a dependency of pydantic, so always installed with the runtime).
_BACKPORTED = ("NotRequired", "TypedDict")


class Imports:
    """The names a module uses from ``typing``, ``collections.abc`` and the runtime package."""

    def __init__(self) -> None:
        self._names: set[str] = set()

    def use(self, name: str) -> str:
        """Record that the code uses ``name`` and return it, to be spelled in place."""
        if name not in _TYPING and name not in _ABC and name not in _RUNTIME_NAMES:
            raise ValueError(f"{name!r} is not a name generated modules import")
        self._names.add(name)
        return name

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def discard(self, name: str) -> None:
        self._names.discard(name)

    @property
    def backported(self) -> list[str]:
        """Names imported from ``typing_extensions`` before Python 3.11 (and ``typing`` after)."""
        return list(_BACKPORTED) if "NotRequired" in self._names else []

    @property
    def typing(self) -> list[str]:
        backported = set(self.backported)
        return [n for n in _TYPING if n in self._names and n not in backported]

    @property
    def abc(self) -> list[str]:
        return [n for n in _ABC if n in self._names]

    @property
    def runtime(self) -> list[str]:
        return [n for n in _RUNTIME_NAMES if n in self._names]
