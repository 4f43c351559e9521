"""The whole pipeline in one call: snapshot -> model -> source."""

from __future__ import annotations

from .build import build
from .diagnostics import Diagnostics
from .render import render
from .schema import Snapshot

__all__ = ["generate"]


def generate(
    snapshot: Snapshot,
    *,
    diagnostics: Diagnostics,
    class_name: str = "Client",
    include_hidden: bool = False,
    format_code: bool = True,
) -> str:
    """The source of the SDK module for ``snapshot``; problems are added to ``diagnostics``."""
    app = build(
        snapshot, diagnostics=diagnostics, class_name=class_name, include_hidden=include_hidden
    )
    return render(app, format_code=format_code)
