"""Schema text made safe to show: inside docstrings, or as one line of prose.

Nothing from a schema reaches generated code except through ``repr`` (string literals) or these
functions (docstrings). They escape what could end the docstring or change its meaning
(backslashes, triple quotes), every character that is not printable (control characters, NUL,
lone surrogates, line separators other than ``\\n``), and cut text that is too long to be useful.
"""

from __future__ import annotations

__all__ = ["doc_line", "doc_block", "shorten"]

_LINE_LIMIT = 300
_BLOCK_LIMIT = 2000


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _escape_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape(text: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == '"' and (i + 1 == len(text) or text[i + 1] == '"'):
            # Two quotes side by side (or one touching the closing quotes) could end the docstring.
            out.append('\\"')
        else:
            out.append(_escape_char(ch))
    return "".join(out)


def doc_line(text: object, limit: int = _LINE_LIMIT) -> str:
    """One line of docstring text: whitespace runs (newlines included) become single spaces."""
    value = text if isinstance(text, str) else repr(text)
    return _escape(shorten(" ".join(value.split()), limit))


def doc_block(text: object, limit: int = _BLOCK_LIMIT) -> list[str]:
    """Docstring lines for free text that may span lines (an endpoint description)."""
    value = text if isinstance(text, str) else repr(text)
    value = shorten(value.replace("\r\n", "\n").replace("\r", "\n").strip(), limit)
    lines = [line.expandtabs(4).rstrip() for line in value.split("\n")]
    return [_escape(line) for line in lines]
