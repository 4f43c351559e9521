"""Python identifiers made from whatever a schema says.

Labels and api names are free Unicode text (``"class"``, ``"2nd value"``, ``"naïve input"``,
``""``). Every name the generated module defines goes through here so that it is a valid, readable,
ASCII identifier that shadows nothing the module itself relies on. Collisions are resolved by a
``NameScope``, never by the templates.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "BUILTIN_NAMES",
    "NameScope",
    "camel_name",
    "is_plain_identifier",
    "snake_name",
]

# Names added to ``builtins`` in some supported Python version but maybe not in the running one:
# listing them keeps the output identical whichever interpreter runs the generator.
_BUILTINS_ACROSS_VERSIONS = frozenset(
    {
        "aiter",
        "anext",
        "BaseExceptionGroup",
        "EncodingWarning",
        "ExceptionGroup",
        "PythonFinalizationError",
    }
)
BUILTIN_NAMES = (
    frozenset(n for n in dir(builtins) if not n.startswith("_")) | _BUILTINS_ACROSS_VERSIONS
)

_WORD_BREAK = re.compile(r"[^0-9A-Za-z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


# Letters NFKD does not decompose into ASCII but that have a well-known spelling.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
    }
)


def _ascii_words(text: str) -> list[str]:
    """Split free text into ASCII words: accents dropped (NFKD), everything else a separator."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    words: list[str] = []
    for chunk in _WORD_BREAK.split(ascii_text):
        words.extend(w for w in _CAMEL_BOUNDARY.split(chunk) if w)
    return words


def _needs_suffix(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in BUILTIN_NAMES


def snake_name(text: object, *, prefix: str) -> str:
    """A lower_snake_case identifier for ``text``; ``prefix`` is used when nothing usable is left.

    ``"2nd value"`` -> ``f"{prefix}_2nd_value"``; ``"class"`` -> ``"class_"``; ``""`` -> ``prefix``.
    """
    words = _ascii_words(text) if isinstance(text, str) else []
    name = "_".join(w.lower() for w in words)
    if not name:
        name = prefix
    elif name[0].isdigit():
        name = f"{prefix}_{name}"
    if _needs_suffix(name):
        name += "_"
    return name


def camel_name(text: object, *, prefix: str) -> str:
    """A CamelCase identifier for ``text`` (type names); ``prefix`` is used when nothing is left."""
    words = _ascii_words(text) if isinstance(text, str) else []
    name = "".join(w[:1].upper() + w[1:] for w in words)
    if not name:
        name = prefix
    elif name[0].isdigit():
        name = prefix + name
    if _needs_suffix(name):
        name += "_"
    return name


def is_plain_identifier(text: str) -> bool:
    """Whether ``text`` can be written as a name in source without any change or special meaning."""
    return (
        text.isidentifier()
        and text.isascii()
        and not keyword.iskeyword(text)
        and not text.startswith("__")
    )


class NameScope:
    """A set of names that must stay distinct.

    A name that collides with a reserved one (the runtime's ``close``, ``self``) gets a trailing
    ``_`` (``close_``); a name claimed earlier in the scope gets a number (``value``, ``value_2``).
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._reserved: set[str] = set(reserved)
        self._taken: set[str] = set(self._reserved)

    def __contains__(self, name: object) -> bool:
        return name in self._taken

    def claim(self, name: str, *, also: Iterable[str] = ()) -> str:
        """Take ``name`` (or its first free variant) and return it.

        ``also`` lists companion names derived from a candidate by formatting (e.g. ``"submit_{}"``);
        a candidate is only free when its companions are free too, and they are taken with it.
        """
        companions = tuple(also)

        def free(candidate: str) -> bool:
            return candidate not in self._taken and all(
                c.format(candidate) not in self._taken for c in companions
            )

        candidate = name
        if not free(candidate) and (
            name in self._reserved or any(c.format(name) in self._reserved for c in companions)
        ):
            candidate = name + "_"
        separator = "" if name[:1].isupper() else "_"
        base = name.rstrip("_") or name
        n = 1
        while not free(candidate):
            n += 1
            candidate = f"{base}{separator}{n}"
        self._taken.add(candidate)
        self._taken.update(c.format(candidate) for c in companions)
        return candidate
