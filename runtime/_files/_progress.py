"""Progress of file transfers: a callback for applications, a terminal bar for people.

``progress=True`` shows a tqdm bar (tqdm ships with huggingface_hub, hence with the runtime's
``spaces`` extra) for transfers of at least ``BAR_THRESHOLD`` bytes, or of unknown size; small files
would only flicker. Without tqdm it warns once and transfers run without bars. A callable receives a
``TransferProgress`` after every chunk, for every file, possibly from a worker thread.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Union

__all__ = [
    "TransferProgress",
    "ProgressCallback",
    "ProgressOption",
    "Meter",
    "BAR_THRESHOLD",
    "human_size",
]

BAR_THRESHOLD = 4 * 1024 * 1024


@dataclass(frozen=True)
class TransferProgress:
    """Where one file's transfer stands. ``total`` is ``None`` when the size is not known."""

    direction: Literal["upload", "download"]
    name: str
    done: int
    total: int | None

    @property
    def finished(self) -> bool:
        return self.total is not None and self.done >= self.total


ProgressCallback = Callable[[TransferProgress], None]
ProgressOption = Union[bool, ProgressCallback, None]


def human_size(n: int) -> str:
    """``n`` bytes for a message: ``"512 bytes"``, ``"70.0 KiB"``, ``"1.0 GiB"``."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024:
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


_warned_no_tqdm = False


def _warn_no_tqdm(exc: ImportError) -> None:
    """Say once per process that ``progress=True`` shows nothing: the runtime alone does not
    install tqdm, and a bar silently missing on every transfer would look like a hang. A warning,
    not a print, so an application can filter it or turn it into an error."""
    global _warned_no_tqdm
    if _warned_no_tqdm:
        return
    _warned_no_tqdm = True
    warnings.warn(
        f"progress=True asked for progress bars, but tqdm is not installed ({exc}); transfers "
        'run without bars. Install it with: pip install "gradio-codegen-runtime[spaces]" '
        "(or pip install tqdm), or pass progress= a function to report progress yourself.",
        RuntimeWarning,
        stacklevel=2,
    )


def _new_bar(direction: str, name: str, total: int | None) -> Any:
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError as exc:  # tqdm comes with the "spaces" extra (through huggingface_hub)
        _warn_no_tqdm(exc)
        return None
    verb = "Uploading" if direction == "upload" else "Downloading"
    return tqdm(
        total=total,
        desc=f"{verb} {name}",
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        leave=False,
    )


class Meter:
    """Reports one file's transfer to whatever ``progress`` asked for; does nothing when it is off."""

    def __init__(
        self,
        progress: ProgressOption,
        direction: Literal["upload", "download"],
        name: str,
        total: int | None,
    ) -> None:
        self.direction: Literal["upload", "download"] = direction
        self.name = name
        self.total = total
        self.done = 0
        self._callback = progress if callable(progress) else None
        show_bar = progress is True and (total is None or total >= BAR_THRESHOLD)
        self._bar = _new_bar(direction, name, total) if show_bar else None

    def advance(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        if self._callback is not None:
            self._callback(TransferProgress(self.direction, self.name, self.done, self.total))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
