"""Problems found while generating, kept as values so the CLI can print each one once.

An odd component or schema never stops generation: it becomes a ``WARNING`` and a looser type.
``ERROR`` is for what makes the output unusable.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["Diagnostic", "Diagnostics", "Level"]


class Level(enum.Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    message: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{self.level.value}: {place}{self.message}"


@dataclass
class Diagnostics:
    """An ordered, duplicate-free list of diagnostics."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False, compare=False)

    def warn(self, message: str, where: str = "") -> None:
        self._add(Diagnostic(Level.WARNING, message, where))

    def error(self, message: str, where: str = "") -> None:
        self._add(Diagnostic(Level.ERROR, message, where))

    def _add(self, item: Diagnostic) -> None:
        if (
            item not in self._seen
        ):  # a set: a schema of thousands of endpoints warns thousands of times
            self._seen.add(item)
            self.items.append(item)

    @property
    def has_errors(self) -> bool:
        return any(d.level is Level.ERROR for d in self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)
