"""The whole pipeline in one place: snapshot -> model -> source.

Every caller goes through here -- the CLI, ``scripts/regen-examples``, the tests and the
benchmarks -- so the golden record is made exactly the way users' SDKs are.
"""

from __future__ import annotations

from typing import NamedTuple

from .build import build
from .diagnostics import Diagnostics
from .model import App
from .render import render
from .schema import Snapshot

__all__ = ["Generated", "generate", "generate_module", "model"]


class Generated(NamedTuple):
    app: App  # the model the module was rendered from
    source: str  # the module


def model(
    snapshot: Snapshot,
    *,
    diagnostics: Diagnostics,
    class_name: str = "Client",
    include_hidden: bool = False,
    regenerate_from: str | None = None,
) -> App:
    """The model of the module for ``snapshot`` (what ``inspect`` shows); problems are added to
    ``diagnostics``. ``regenerate_from`` is the source as the user gave it to the command, named
    in the module's banner (the snapshot's recorded source by default)."""
    return build(
        snapshot,
        diagnostics=diagnostics,
        class_name=class_name,
        include_hidden=include_hidden,
        regenerate_from=regenerate_from,
    )


def generate_module(
    snapshot: Snapshot,
    *,
    diagnostics: Diagnostics,
    class_name: str = "Client",
    include_hidden: bool = False,
    regenerate_from: str | None = None,
    format_code: bool = True,
) -> Generated:
    """The SDK module for ``snapshot`` with the model it came from."""
    app = model(
        snapshot,
        diagnostics=diagnostics,
        class_name=class_name,
        include_hidden=include_hidden,
        regenerate_from=regenerate_from,
    )
    return Generated(app, render(app, format_code=format_code))


def generate(
    snapshot: Snapshot,
    *,
    diagnostics: Diagnostics,
    class_name: str = "Client",
    include_hidden: bool = False,
    regenerate_from: str | None = None,
    format_code: bool = True,
) -> str:
    """The source of the SDK module for ``snapshot``; problems are added to ``diagnostics``."""
    return generate_module(
        snapshot,
        diagnostics=diagnostics,
        class_name=class_name,
        include_hidden=include_hidden,
        regenerate_from=regenerate_from,
        format_code=format_code,
    ).source
