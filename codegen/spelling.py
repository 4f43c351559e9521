"""How generated code refers to what it imports: the module aliases, and the record of imports.

Every name a generated module imports is recorded at the moment a piece of code spells it (an
annotation writing ``Literal[...]`` records ``Literal``), the way betterproto's typing compiler
does, so the header's imports are exactly what the body uses and cannot drift from it.
"""

from __future__ import annotations

__all__ = ["ERRORS", "RUNTIME", "SHAPES", "TESTING", "Imports"]

# The runtime package and its shapes module, as the generated module binds them.
RUNTIME = "_rt"
SHAPES = "_s"
# The runtime's test doubles, which the module's fakes build on.
TESTING = "_testing"

# Where each importable name comes from, in the order the header lists them.
_TYPING = ("Any", "ClassVar", "Literal", "NamedTuple", "NotRequired", "TypedDict", "final")
_ABC = ("Mapping", "Sequence")
_RUNTIME_NAMES = ("FileInput", "RemoteFile")
# The runtime's errors, imported by every module and listed in its ``__all__``: an application
# catches them from the SDK it calls (``from my_sdk import AppError``). They are the runtime's
# own classes, so ``except my_sdk.AppError`` also catches the AppError of any other SDK.
ERRORS = (
    "AppChangedError",
    "AppError",
    "AuthenticationError",
    "FileTooLargeError",
    "GradioError",
    "GradioTimeoutError",
    "InputError",
    "JobCancelledError",
    "OtherOriginError",
    "ProtocolError",
    "QueueFullError",
    "ServerUnavailableError",
    "SpaceError",
    "SpaceNotFoundError",
    "SpaceNotRunningError",
    "SpacePausedError",
    "TransportError",
    "ZeroGPUQuotaError",
)
# Names that ``typing`` gained after Python 3.10, with the version that has them. Before it they
# come from typing_extensions, and so does TypedDict: only typing_extensions' TypedDict knows its
# NotRequired and ReadOnly keys there. typing_extensions is the runtime's own dependency for the
# Pythons that need it (runtime/pyproject.toml).
_BACKPORTED = {"NotRequired": (3, 11), "ReadOnly": (3, 13)}
_BACKPORTS = ("NotRequired", "ReadOnly", "TypedDict")


class Imports:
    """The names a module uses from ``typing``, ``collections.abc`` and the runtime package."""

    def __init__(self) -> None:
        self._names: set[str] = set()

    def use(self, name: str) -> str:
        """Record that the code uses ``name`` and return it, to be spelled in place."""
        if (
            name not in _TYPING
            and name not in _ABC
            and name not in _RUNTIME_NAMES
            and name not in _BACKPORTED
        ):
            raise ValueError(f"{name!r} is not a name generated modules import")
        self._names.add(name)
        return name

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def discard(self, name: str) -> None:
        self._names.discard(name)

    @property
    def backport_version(self) -> tuple[int, int] | None:
        """The first Python whose ``typing`` has every backported name the module uses."""
        used = [version for name, version in _BACKPORTED.items() if name in self._names]
        return max(used) if used else None

    @property
    def backported(self) -> list[str]:
        """Names imported from ``typing_extensions`` before ``backport_version`` (and from
        ``typing`` after): those the module uses, and TypedDict with them."""
        if self.backport_version is None:
            return []
        return [n for n in _BACKPORTS if n in self._names or n == "TypedDict"]

    @property
    def typing(self) -> list[str]:
        backported = set(self.backported)
        return [n for n in _TYPING if n in self._names and n not in backported]

    @property
    def abc(self) -> list[str]:
        return [n for n in _ABC if n in self._names]

    @property
    def runtime(self) -> list[str]:
        """What the module imports from the runtime by name: the errors, and the file types its
        annotations use."""
        return sorted(ERRORS + tuple(n for n in _RUNTIME_NAMES if n in self._names))
