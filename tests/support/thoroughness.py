"""How many examples a property test draws.

The whole suite (``scripts/test``, which CI runs) draws the full count. A bare ``pytest
tests/codegen tests/runtime`` is the inner loop a developer runs after every edit, so it draws a
tenth: the properties are the same, only fewer random schemas are tried, and the full count still
runs before anything lands. (A fifth kept the inner loop at 56-59 s on a 2-core machine, a tenth at
about 53 s, with the property tests still drawing 3,000 schemas between them.) Set ``GRADIO_CODEGEN_THOROUGH=1`` to draw the full count anywhere.
"""

from __future__ import annotations

import os

THOROUGH = os.environ.get("GRADIO_CODEGEN_THOROUGH", "") == "1"


def examples(full: int) -> int:
    """``full`` in a thorough run, a tenth of it (at least 10) in the inner loop."""
    return full if THOROUGH else max(10, full // 10)
