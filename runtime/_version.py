"""The runtime's version, and the check a generated module runs against it when it is imported.

The version is set here: ``runtime/pyproject.toml`` reads it for ``gradio-codegen-runtime``, and
``gradio-codegen`` (the generator) is released with the same version and requires exactly this
runtime; the root ``pyproject.toml`` repeats it for that, because setuptools cannot derive a
dependency from a file, and ``tests/checks/test_packaging.py`` fails when the three differ.

A generated module calls :func:`require` with the version of the runtime it was generated
against, so an application that upgraded its SDK but not its runtime fails at import with a
message naming both versions and the pip command, instead of failing later, in the middle of a
call, on something the older runtime lacks. This runs at the import of every SDK: it imports
nothing beyond ``re``.
"""

from __future__ import annotations

import re
from typing import Final

__version__: Final[str] = "0.1.0"

DISTRIBUTION: Final[str] = "gradio-codegen-runtime"

# The subset of PEP 440 that releases of this project use: 1.2.3, 1.2.3rc1, 1.2.3.post1, 1.2.3.dev1.
_VERSION = re.compile(
    r"(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?:(?P<pre_kind>a|b|rc)(?P<pre>[0-9]+))?"
    r"(?:\.post(?P<post>[0-9]+))?"
    r"(?:\.dev(?P<dev>[0-9]+))?"
)
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}
_MAX_VERSION_CHARS = 64

_Key = tuple[tuple[int, ...], tuple[int, int], int, float]


def version_key(version: str) -> _Key:
    """A sort key that orders versions as pip does (1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0.post1)."""
    match = _VERSION.fullmatch(version) if len(version) <= _MAX_VERSION_CHARS else None
    if match is None:
        raise ValueError(
            f"{version[:_MAX_VERSION_CHARS]!r} is not a version of {DISTRIBUTION} "
            "(expected something like '1.2.3', '1.2.3rc1' or '1.2.3.dev1')"
        )
    release = tuple(int(part) for part in match["release"].split("."))
    while len(release) > 1 and release[-1] == 0:  # 1.0 == 1.0.0
        release = release[:-1]
    if match["pre_kind"]:
        pre = (_PRE_RANK[match["pre_kind"]], int(match["pre"]))
    elif match["dev"] is not None and match["post"] is None:
        pre = (-1, 0)  # 1.0.dev1 comes before 1.0a1
    else:
        pre = (len(_PRE_RANK), 0)  # a final release comes after its pre-releases
    post = int(match["post"]) if match["post"] is not None else -1
    dev = float(match["dev"]) if match["dev"] is not None else float("inf")
    return release, pre, post, dev


def require(version: str, module: str | None = None) -> None:
    """Raise ``ImportError`` when this runtime is older than ``version``.

    Generated modules call this right after importing the runtime, passing their own
    ``__name__`` as ``module`` so the message names the SDK that needs the newer runtime.
    A newer runtime is accepted: it keeps what older generated modules rely on.
    """
    if version_key(__version__) >= version_key(version):
        return
    sdk = module or "This module"
    raise ImportError(
        f"{sdk} was generated for {DISTRIBUTION} {version} or newer, but {__version__} is "
        f'installed. Upgrade it: pip install --upgrade "{DISTRIBUTION}>={version}" '
        f"(or regenerate {module or 'the module'} with gradio-codegen {__version__}).",
        name=module,
    )
