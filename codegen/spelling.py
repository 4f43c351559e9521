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
# NotRequired is typing's from Python 3.11; before, TypedDict must come with it from
# typing_extensions (whose TypedDict knows NotRequired keys there). ReadOnly is typing's from
# 3.13 and typing_extensions' before; typing's own TypedDict of 3.11 and 3.12 takes it, and sees
# NotRequired as long as it is the outer one (``NotRequired[ReadOnly[X]]``), so a module that
# uses ReadOnly keeps typing's TypedDict there (``typing.is_typeddict`` holds). typing_extensions
# is the runtime's own dependency for the Pythons that need it (runtime/pyproject.toml).
_BACKPORTED = ("NotRequired", "TypedDict")
_READ_ONLY = "ReadOnly"


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
            and name != _READ_ONLY
        ):
            raise ValueError(f"{name!r} is not a name generated modules import")
        self._names.add(name)
        return name

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def discard(self, name: str) -> None:
        self._names.discard(name)

    @property
    def backported(self) -> list[str]:
        """Names imported from ``typing_extensions`` before Python 3.11 (and ``typing`` after):
        NotRequired if the module uses it, and TypedDict with it or with ReadOnly."""
        if "NotRequired" in self._names:
            return list(_BACKPORTED)
        return ["TypedDict"] if _READ_ONLY in self._names else []

    @property
    def read_only(self) -> bool:
        """Whether the module imports ``ReadOnly`` (from ``typing_extensions`` before 3.13)."""
        return _READ_ONLY in self._names

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
