"""Collections a user already holds must be accepted: parameters that only read a collection should
take any ``Sequence`` of the item type (``list`` is invariant, so ``list[str]`` is not a
``list[FileInput]`` and ``list[Literal["apple"]]`` is not a ``list[Literal["apple", "pear", "plum"]]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import all_components_sdk as sdk


def from_variables(c: sdk.Client, paths: list[str], folder: Path) -> None:
    c.files(paths)
    c.files(sorted(folder.glob("*.txt")))
    c.files(tuple(paths))
    picked: list[Literal["apple"]] = ["apple"]
    c.checkbox_group(picked)
