"""The code generated modules are made of, as small syntax trees that print themselves as black
would print them.

Each node knows its text on one line (``text()``, cached) and its tokens with the facts black's
splitting looks at (``emit()``). A statement that fits on one line is written from its text alone;
only a longer one is tokenised and laid out by ``layout``. Literals are spelled the way black
normalises them (double quotes unless that needs more escapes, lower-case exponents), and docstrings
the way black rewrites them, so the printed module is a fixed point of black.

Only the generator builds these nodes, from values; nothing here evaluates or parses text, and a
string from a schema only ever becomes a string literal or docstring text.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

from .layout import (
    ARGLIST,
    ASYNC,
    AT,
    ATOM,
    AWAIT,
    COLON,
    COMMA,
    DOT,
    EQUAL,
    EXPR,
    FACTOR,
    LBRACE,
    LINE_LENGTH,
    LPAR,
    LSQB,
    MINUS,
    NAME,
    NUMBER,
    OTHER,
    RARROW,
    RBRACE,
    RPAR,
    RSQB,
    STAR,
    STRING,
    TRAILER,
    TYPEDARGSLIST,
    VBAR,
    Leaf,
    layout,
    str_width,
)

__all__ = [
    "Assign",
    "Attr",
    "Await",
    "Call",
    "ClassDef",
    "Const",
    "Decorator",
    "DictExpr",
    "Ellipsis_",
    "Expr",
    "ExprStatement",
    "Field",
    "FunctionDef",
    "Keyword",
    "ListExpr",
    "Name",
    "Param",
    "Return",
    "Statement",
    "Subscript",
    "TupleExpr",
    "Union",
    "docstring",
    "fitted_value",
    "format_statement",
    "number_literal",
    "string_literal",
    "value_expr",
]

_INDENT = "    "

# -- literals, as black normalises them -------------------------------------------------------


def _sub_twice(regex: re.Pattern[str], replacement: str, original: str) -> str:
    return regex.sub(replacement, regex.sub(replacement, original))


@functools.lru_cache(maxsize=8)
def _quote_patterns(new_quote: str, orig_quote: str) -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"(([^\\]|^)(\\\\)*){new_quote}"),
        re.compile(rf"([^\\]|^)\\((?:\\\\)*){new_quote}"),
        re.compile(rf"([^\\]|^)\\((?:\\\\)*){orig_quote}"),
    )


def _prefer_double_quotes(s: str) -> str:
    """black's ``normalize_string_quotes`` for a plain (unprefixed, single-line) literal."""
    if s[0] == '"':
        orig_quote, new_quote = '"', "'"
    else:
        orig_quote, new_quote = "'", '"'
    unescaped_new, escaped_new, escaped_orig = _quote_patterns(new_quote, orig_quote)
    body = s[1:-1]
    new_body = _sub_twice(escaped_new, rf"\1\2{new_quote}", body)
    if body != new_body:
        body = new_body
        s = f"{orig_quote}{body}{orig_quote}"
    new_body = _sub_twice(escaped_orig, rf"\1\2{orig_quote}", new_body)
    new_body = _sub_twice(unescaped_new, rf"\1\\{new_quote}", new_body)
    orig_escapes = body.count("\\")
    new_escapes = new_body.count("\\")
    if new_escapes > orig_escapes:
        return s
    if new_escapes == orig_escapes and orig_quote == '"':
        return s
    return f"{new_quote}{new_body}{new_quote}"


def string_literal(value: str) -> str:
    """``value`` as a string literal: ``repr`` (every character that needs it escaped), quoted
    the way black prefers."""
    text = repr(value)
    if text[0] == '"':  # repr quotes with " only text that has ' and no ": black keeps it
        return text
    if '"' not in text:  # neither quote inside: swapping the quotes needs no escapes
        return f'"{text[1:-1]}"'
    return _prefer_double_quotes(text)


def number_literal(value: int | float) -> str:
    """A finite, non-negative number as black writes it (``1e+100`` is ``1e100``)."""
    text = repr(value).lower()
    if "e" in text:
        before, after = text.split("e")
        sign = ""
        if after.startswith("-"):
            after, sign = after[1:], "-"
        elif after.startswith("+"):
            after = after[1:]
        if "." in before:
            whole, fraction = before.split(".")
            before = f"{whole or 0}.{fraction or 0}"
        return f"{before}e{sign}{after}"
    if "." in text:
        whole, fraction = text.split(".")
        return f"{whole or 0}.{fraction or 0}"
    return text


# -- expressions ------------------------------------------------------------------------------


class Expr:
    """An expression. ``emit`` appends its tokens to ``out``, the first with whitespace ``ws``;
    ``annotation`` marks tokens of a parameter or return annotation. Nodes are immutable once
    built, so their text and facts are computed once."""

    __slots__ = ("_text", "_magic", "_comma")

    def __init__(self) -> None:
        self._text: str | None = None
        self._magic: bool | None = None
        self._comma: bool | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def __str__(self) -> str:
        return self.text()

    @property
    def magic(self) -> bool:
        """Whether a bracket inside ends with a trailing comma black keeps exploded."""
        if self._magic is None:
            self._magic = any(c.magic for c in self._children()) or self._explodes()
        return self._magic

    def has_comma(self) -> bool:
        """Whether its tokens include a comma (outside string literals)."""
        if self._comma is None:
            self._comma = self._own_comma() or any(c.has_comma() for c in self._children())
        return self._comma

    @property
    def is_atom(self) -> bool:
        """A parenthesised tuple: black leaves its parentheses as they are."""
        return False

    def _render(self) -> str:
        raise NotImplementedError

    def _children(self) -> Sequence[Expr]:
        return ()

    def _explodes(self) -> bool:
        return False

    def _own_comma(self) -> bool:
        return False

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        raise NotImplementedError


class Name(Expr):
    __slots__ = ("id",)

    def __init__(self, id_: str) -> None:
        super().__init__()
        self.id = id_

    def _render(self) -> str:
        return self.id

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(Leaf(NAME, self.id, ws, annotation=annotation))


class Attr(Expr):
    __slots__ = ("value", "attr")

    def __init__(self, value: Expr, attr: str) -> None:
        super().__init__()
        self.value = value
        self.attr = attr

    def _render(self) -> str:
        return f"{self.value.text()}.{self.attr}"

    def _children(self) -> Sequence[Expr]:
        return (self.value,)

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        self.value.emit(out, ws, annotation)
        out.append(Leaf(DOT, ".", "", TRAILER, annotation=annotation))
        out.append(Leaf(NAME, self.attr, "", TRAILER, annotation=annotation))


class Keyword(Expr):
    """``name=value`` among call arguments."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: Expr) -> None:
        super().__init__()
        self.name = name
        self.value = value

    def _render(self) -> str:
        return f"{self.name}={self.value.text()}"

    def _children(self) -> Sequence[Expr]:
        return (self.value,)

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(Leaf(NAME, self.name, ws, annotation=annotation))
        out.append(Leaf(EQUAL, "=", "", OTHER, annotation=annotation))
        self.value.emit(out, "", annotation)


def _emit_items(
    out: list[Leaf],
    items: Sequence[Expr],
    comma_parent: str,
    trailing: bool,
    annotation: str | None,
) -> None:
    for i, item in enumerate(items):
        item.emit(out, "" if i == 0 else " ", annotation)
        if i < len(items) - 1 or trailing:
            out.append(Leaf(COMMA, ",", "", comma_parent, annotation=annotation))


def _bracket(
    type_: int, value: str, ws: str, parent: str, annotation: str | None, commas: str
) -> Leaf:
    return Leaf(type_, value, ws, parent, annotation=annotation, comma_parent=commas)


class Call(Expr):
    """``func(args)``; ``explode`` writes one argument per line (a magic trailing comma)."""

    __slots__ = ("func", "args", "explode")

    def __init__(self, func: Expr, args: Sequence[Expr] = (), *, explode: bool = False) -> None:
        super().__init__()
        self.func = func
        self.args = tuple(args)
        self.explode = explode and bool(self.args)

    def _render(self) -> str:
        inner = ", ".join(a.text() for a in self.args)
        return f"{self.func.text()}({inner}{',' if self.explode else ''})"

    def _children(self) -> Sequence[Expr]:
        return (self.func, *self.args)

    def _explodes(self) -> bool:
        return self.explode

    def _own_comma(self) -> bool:
        return len(self.args) > 1 or self.explode

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        self.func.emit(out, ws, annotation)
        out.append(_bracket(LPAR, "(", "", TRAILER, annotation, ARGLIST))
        _emit_items(out, self.args, ARGLIST, self.explode, annotation)
        out.append(Leaf(RPAR, ")", "", TRAILER, annotation=annotation))


class Subscript(Expr):
    """``value[items]`` (a generic type)."""

    __slots__ = ("value", "items")

    def __init__(self, value: Expr, items: Sequence[Expr]) -> None:
        super().__init__()
        self.value = value
        self.items = tuple(items)

    def _render(self) -> str:
        return f"{self.value.text()}[{', '.join(i.text() for i in self.items)}]"

    def _children(self) -> Sequence[Expr]:
        return (self.value, *self.items)

    def _own_comma(self) -> bool:
        return len(self.items) > 1

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        self.value.emit(out, ws, annotation)
        out.append(_bracket(LSQB, "[", "", TRAILER, annotation, "subscriptlist"))
        _emit_items(out, self.items, "subscriptlist", False, annotation)
        out.append(Leaf(RSQB, "]", "", TRAILER, annotation=annotation))


class TupleExpr(Expr):
    __slots__ = ("items", "explode")

    def __init__(self, items: Sequence[Expr], *, explode: bool = False) -> None:
        super().__init__()
        self.items = tuple(items)
        self.explode = explode and len(self.items) > 1

    def _render(self) -> str:
        inner = ", ".join(i.text() for i in self.items)
        trailing = "," if len(self.items) == 1 or self.explode else ""
        return f"({inner}{trailing})"

    def _children(self) -> Sequence[Expr]:
        return self.items

    def _explodes(self) -> bool:
        return self.explode

    def _own_comma(self) -> bool:
        return bool(self.items)

    @property
    def is_atom(self) -> bool:
        return True

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(_bracket(LPAR, "(", ws, ATOM, annotation, "testlist_gexp"))
        trailing = len(self.items) == 1 or self.explode
        _emit_items(out, self.items, "testlist_gexp", trailing, annotation)
        out.append(Leaf(RPAR, ")", "", ATOM, annotation=annotation))


class ListExpr(Expr):
    __slots__ = ("items", "explode")

    def __init__(self, items: Sequence[Expr], *, explode: bool = False) -> None:
        super().__init__()
        self.items = tuple(items)
        self.explode = explode and bool(self.items)

    def _render(self) -> str:
        inner = ", ".join(i.text() for i in self.items)
        return f"[{inner}{',' if self.explode else ''}]"

    def _children(self) -> Sequence[Expr]:
        return self.items

    def _explodes(self) -> bool:
        return self.explode

    def _own_comma(self) -> bool:
        return len(self.items) > 1 or self.explode

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(_bracket(LSQB, "[", ws, ATOM, annotation, "listmaker"))
        _emit_items(out, self.items, "listmaker", self.explode, annotation)
        out.append(Leaf(RSQB, "]", "", ATOM, annotation=annotation))


class DictExpr(Expr):
    __slots__ = ("pairs", "explode")

    def __init__(self, pairs: Sequence[tuple[Expr, Expr]], *, explode: bool = False) -> None:
        super().__init__()
        self.pairs = tuple(pairs)
        self.explode = explode and bool(self.pairs)

    def _render(self) -> str:
        inner = ", ".join(f"{k.text()}: {v.text()}" for k, v in self.pairs)
        return f"{{{inner}{',' if self.explode else ''}}}"

    def _children(self) -> Sequence[Expr]:
        return [e for pair in self.pairs for e in pair]

    def _explodes(self) -> bool:
        return self.explode

    def _own_comma(self) -> bool:
        return len(self.pairs) > 1 or self.explode

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(_bracket(LBRACE, "{", ws, ATOM, annotation, "dictsetmaker"))
        for i, (key, value) in enumerate(self.pairs):
            key.emit(out, "" if i == 0 else " ", annotation)
            out.append(Leaf(COLON, ":", "", OTHER, annotation=annotation))
            value.emit(out, " ", annotation)
            if i < len(self.pairs) - 1 or self.explode:
                out.append(Leaf(COMMA, ",", "", "dictsetmaker", annotation=annotation))
        out.append(Leaf(RBRACE, "}", "", ATOM, annotation=annotation))


class Union(Expr):
    """``a | b | c`` (nested unions are flattened)."""

    __slots__ = ("items",)

    def __init__(self, items: Sequence[Expr]) -> None:
        super().__init__()
        flat: list[Expr] = []
        for item in items:
            flat.extend(item.items if isinstance(item, Union) else (item,))
        self.items: tuple[Expr, ...] = tuple(flat)

    def _render(self) -> str:
        return " | ".join(i.text() for i in self.items)

    def _children(self) -> Sequence[Expr]:
        return self.items

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        for i, item in enumerate(self.items):
            if i:
                out.append(Leaf(VBAR, "|", " ", EXPR, annotation=annotation))
            item.emit(out, ws if i == 0 else " ", annotation)


class Ellipsis_(Expr):
    """``...`` (in ``tuple[str, ...]``)."""

    __slots__ = ()

    def _render(self) -> str:
        return "..."

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(Leaf(DOT, ".", ws, ATOM, annotation=annotation))
        out.append(Leaf(DOT, ".", "", ATOM, annotation=annotation))
        out.append(Leaf(DOT, ".", "", ATOM, annotation=annotation))


class Const(Expr):
    """A JSON scalar: a string, a number (negative ones with a unary minus), a bool or None."""

    __slots__ = ("value",)

    def __init__(self, value: str | int | float | bool | None) -> None:
        super().__init__()
        self.value = value

    def _render(self) -> str:
        v = self.value
        if isinstance(v, str):
            return string_literal(v)
        if v is None or isinstance(v, bool):
            return repr(v)
        if v < 0 or (isinstance(v, float) and math.copysign(1.0, v) < 0):
            return "-" + number_literal(-v)
        return number_literal(v)

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        text = self.text()
        if isinstance(self.value, str):
            out.append(Leaf(STRING, text, ws, annotation=annotation))
        elif self.value is None or isinstance(self.value, bool):
            out.append(Leaf(NAME, text, ws, annotation=annotation))
        elif text.startswith("-"):
            out.append(Leaf(MINUS, "-", ws, FACTOR, annotation=annotation))
            out.append(Leaf(NUMBER, text[1:], "", FACTOR, annotation=annotation))
        else:
            out.append(Leaf(NUMBER, text, ws, annotation=annotation))


class Await(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Expr) -> None:
        super().__init__()
        self.value = value

    def _render(self) -> str:
        return f"await {self.value.text()}"

    def _children(self) -> Sequence[Expr]:
        return (self.value,)

    def emit(self, out: list[Leaf], ws: str, annotation: str | None) -> None:
        out.append(Leaf(AWAIT, "await", ws, annotation=annotation))
        self.value.emit(out, " ", annotation)


def value_expr(value: Any, *, sequences_as_tuples: bool = False) -> Expr:
    """A JSON value as an expression. Non-finite floats have no literal: ``float("inf")``.
    ``sequences_as_tuples`` writes arrays as tuples (immutable defaults)."""
    if isinstance(value, float) and not math.isfinite(value):
        return Call(Name("float"), [Const(str(value))])
    if isinstance(value, list):
        items = [value_expr(v, sequences_as_tuples=sequences_as_tuples) for v in value]
        return TupleExpr(items) if sequences_as_tuples else ListExpr(items)
    if isinstance(value, dict):
        return DictExpr(
            [
                (Const(str(k)), value_expr(v, sequences_as_tuples=sequences_as_tuples))
                for k, v in value.items()
            ]
        )
    if value is None or isinstance(value, (str, bool, int, float)):
        return Const(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


# -- statements -------------------------------------------------------------------------------

# Statements of the shapes generated modules repeat most (a def, a return of a call, a constant
# made by a call with one argument per line) are laid out directly, the way black lays them out
# when every part fits its line; anything else goes through ``layout``. Tests check both ways
# give the same text (``FAST_LANES = False`` turns the direct way off).
FAST_LANES = True


def _invisible(out: list[Leaf], ws: str, expr: Expr, annotation: str | None) -> None:
    """``expr`` inside the optional parentheses black puts around a statement's value."""
    out.append(Leaf(LPAR, "", ws, ATOM, annotation=annotation, comma_parent=OTHER))
    expr.emit(out, "", annotation)
    out.append(Leaf(RPAR, "", "", ATOM, annotation=annotation))


def _fits(line: str) -> bool:
    return str_width(line) <= LINE_LENGTH


class Statement:
    """One logical line of a module."""

    def text(self) -> str:
        raise NotImplementedError

    @property
    def magic(self) -> bool:
        return False

    def emit(self, out: list[Leaf]) -> None:
        raise NotImplementedError

    def direct_lines(self, depth: int) -> list[str] | None:
        """The lines black gives a statement that does not fit one line, when its shape is one
        laid out directly; ``None`` otherwise."""
        return None


def format_statement(statement: Statement, depth: int = 0) -> str:
    """The statement as black prints it at indentation ``depth`` (lines joined by newlines)."""
    if not statement.magic:
        flat = _INDENT * depth + statement.text()
        if _fits(flat):
            return flat
    if FAST_LANES:
        lines = statement.direct_lines(depth)
        if lines is not None:
            return "\n".join(lines)
    leaves: list[Leaf] = []
    statement.emit(leaves)
    return "\n".join(layout(leaves, depth))


def _exploded(item: Expr) -> tuple[str, str, list[tuple[str, Expr]], str] | None:
    """An element that is a bracket exploded by its own magic trailing comma: its opening text,
    closing text, elements (with the text before each: a dict key) and their comma's parent."""
    if isinstance(item, (ListExpr, TupleExpr)) and item.explode:
        opener, closer = ("[", "]") if isinstance(item, ListExpr) else ("(", ")")
        commas = "listmaker" if isinstance(item, ListExpr) else "testlist_gexp"
        return opener, closer, [("", i) for i in item.items], commas
    if isinstance(item, DictExpr) and item.explode:
        return "{", "}", [(f"{k.text()}: ", v) for k, v in item.pairs], "dictsetmaker"
    if isinstance(item, Call) and item.explode and _is_dotted(item.func):
        return f"{item.func.text()}(", ")", [("", a) for a in item.args], ARGLIST
    return None


def _is_dotted(func: Expr) -> bool:
    return isinstance(func, Name) or (isinstance(func, Attr) and _is_dotted(func.value))


def _element_lines(item: Expr, depth: int, comma_parent: str, before: str = "") -> list[str]:
    """One element of a bracket exploded by its magic trailing comma, with its comma; ``before``
    is a dict key's text. black lays each such element out on its own: on one line if it fits,
    opened, one element per line, and closed if it is itself such a bracket."""
    indent = _INDENT * depth
    flat = f"{indent}{before}{item.text()},"
    if not item.magic and _fits(flat):
        return [flat]
    prefix, inner = before, item
    if isinstance(item, Keyword) and not before:
        prefix, inner = f"{item.name}=", item.value
    exploded = _exploded(inner)
    if exploded is not None and _fits(f"{indent}{prefix}{exploded[0]}"):
        opener, closer, elements, commas = exploded
        lines = [f"{indent}{prefix}{opener}"]
        for key, element in elements:
            lines += _element_lines(element, depth + 1, commas, key)
        lines.append(f"{indent}{closer},")
        return lines
    leaves: list[Leaf] = []
    if before:  # a dict item: its key, then the value
        key = before[: -len(": ")]
        leaves.append(Leaf(STRING, key, ""))
        leaves.append(Leaf(COLON, ":", "", OTHER))
        item.emit(leaves, " ", None)
    else:
        item.emit(leaves, "", None)
    leaves.append(Leaf(COMMA, ",", "", comma_parent))
    return layout(leaves, depth, inside_brackets=True)


def fitted_value(value: Any, width: int, depth: int = 0, *, tuples: bool = False) -> Expr:
    """A JSON value written to fit ``width`` columns after its indentation at ``depth``: every
    array or object whose text does not fit its line is written one element per line (with a
    magic trailing comma, so black keeps it that way). ``tuples`` writes the outer array as a
    tuple."""
    flat = value_expr(value)
    if tuples and isinstance(flat, ListExpr):
        flat = TupleExpr(flat.items)
    return _fit(flat, width, depth)


def _fit(flat: Expr, width: int, depth: int) -> Expr:
    if str_width(flat.text()) <= width:
        return flat
    room = LINE_LENGTH - len(_INDENT) * (depth + 1) - 1  # an element's line, with its comma
    if isinstance(flat, ListExpr):
        return ListExpr([_fit(i, room, depth + 1) for i in flat.items], explode=True)
    if isinstance(flat, TupleExpr):
        return TupleExpr([_fit(i, room, depth + 1) for i in flat.items], explode=True)
    if isinstance(flat, DictExpr):
        pairs = [(k, _fit(v, room - str_width(k.text()) - 2, depth + 1)) for k, v in flat.pairs]
        return DictExpr(pairs, explode=True)
    return flat


class Assign(Statement):
    """``target = value`` or ``target: annotation = value``."""

    def __init__(self, target: str, value: Expr, annotation: Expr | None = None) -> None:
        self.target = target
        self.value = value
        self.annotation = annotation

    def text(self) -> str:
        ann = f": {self.annotation.text()}" if self.annotation is not None else ""
        return f"{self.target}{ann} = {self.value.text()}"

    @property
    def magic(self) -> bool:
        return self.value.magic or (self.annotation is not None and self.annotation.magic)

    def emit(self, out: list[Leaf]) -> None:
        out.append(Leaf(NAME, self.target, ""))
        if self.annotation is not None:
            out.append(Leaf(COLON, ":", "", OTHER))
            _invisible(out, " ", self.annotation, None)
        out.append(Leaf(EQUAL, "=", " ", OTHER))
        if self.value.is_atom:
            self.value.emit(out, " ", None)
        else:
            _invisible(out, " ", self.value, None)

    def direct_lines(self, depth: int) -> list[str] | None:
        # ``NAME[: ann] = f(a, b, c,)``, ``= [a, b,]``, ``= {k: v,}`` or ``= (a, b,)``: black
        # drops the optional parentheses, opens the bracket on the first line and lays out one
        # element per line.
        exploded = _exploded(self.value)
        if exploded is None or (self.annotation is not None and self.annotation.magic):
            return None
        opener, closer, elements, commas = exploded
        indent = _INDENT * depth
        ann = f": {self.annotation.text()}" if self.annotation is not None else ""
        head = f"{indent}{self.target}{ann} = {opener}"
        if not _fits(head):
            return None  # black splits a long head further (at the annotation, say)
        lines = [head]
        for key, element in elements:
            lines += _element_lines(element, depth + 1, commas, key)
        lines.append(indent + closer)
        return lines


class Field(Statement):
    """``name: annotation`` in a class body."""

    def __init__(self, name: str, annotation: Expr) -> None:
        self.name = name
        self.annotation = annotation

    def text(self) -> str:
        return f"{self.name}: {self.annotation.text()}"

    @property
    def magic(self) -> bool:
        return self.annotation.magic

    def emit(self, out: list[Leaf]) -> None:
        out.append(Leaf(NAME, self.name, ""))
        out.append(Leaf(COLON, ":", "", OTHER))
        _invisible(out, " ", self.annotation, None)


def _is_plain_callee(func: Expr) -> bool:
    """``a.b`` or ``a.b().c``: at most one place black could split the callee itself."""
    if not isinstance(func, Attr):
        return False
    owner = func.value
    if isinstance(owner, Name):
        return True
    return (
        isinstance(owner, Call)
        and not owner.args
        and isinstance(owner.func, Attr)
        and isinstance(owner.func.value, Name)
    )


class Return(Statement):
    def __init__(self, value: Expr) -> None:
        self.value = value

    def text(self) -> str:
        return f"return {self.value.text()}"

    @property
    def magic(self) -> bool:
        return self.value.magic

    def emit(self, out: list[Leaf]) -> None:
        out.append(Leaf(NAME, "return", ""))
        _invisible(out, " ", self.value, None)

    def direct_lines(self, depth: int, keyword: str = "return ") -> list[str] | None:
        # ``return [await ]a.b(x, y)``: black splits at the call's parentheses and hugs the
        # arguments on one line, or puts one per line with a trailing comma.
        value = self.value
        if isinstance(value, Await):
            value, keyword = value.value, keyword + "await "
        if not isinstance(value, Call) or not value.args or value.magic:
            return None
        if not _is_plain_callee(value.func):
            return None
        indent = _INDENT * depth
        inner = indent + _INDENT
        head = f"{indent}{keyword}{value.func.text()}("
        if not _fits(head):
            return None
        hugged = inner + ", ".join(a.text() for a in value.args)
        if _fits(hugged):
            return [head, hugged, indent + ")"]
        lines = [head]
        for arg in value.args:
            line = f"{inner}{arg.text()},"
            if not _fits(line):
                return None
            lines.append(line)
        lines.append(indent + ")")
        return lines


class ExprStatement(Statement):
    """A call on a line of its own: ``self._stub(_ECHO, outputs, error, pending)``."""

    def __init__(self, value: Call) -> None:
        self.value = value

    def text(self) -> str:
        return self.value.text()

    @property
    def magic(self) -> bool:
        return self.value.magic

    def emit(self, out: list[Leaf]) -> None:
        self.value.emit(out, "", None)

    def direct_lines(self, depth: int) -> list[str] | None:
        # black splits the call at its parentheses: the arguments hugged on one line, or one per
        # line with a trailing comma.
        return Return(self.value).direct_lines(depth, keyword="")


class Param:
    """One parameter: ``name: annotation = default``; ``Param.STAR`` is the bare ``*``, and a
    name starting with ``*`` (``Param("*outputs", ann)``) collects the extra positional ones."""

    STAR: Param

    def __init__(
        self, name: str, annotation: Expr | None = None, default: Expr | None = None
    ) -> None:
        self.name = name
        self.annotation = annotation
        self.default = default
        self._text: str | None = None

    def text(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def _render(self) -> str:
        if self.name == "*":
            return "*"
        if self.annotation is None:
            return self.name if self.default is None else f"{self.name}={self.default.text()}"
        text = f"{self.name}: {self.annotation.text()}"
        return text if self.default is None else f"{text} = {self.default.text()}"

    @property
    def magic(self) -> bool:
        return (self.annotation is not None and self.annotation.magic) or (
            self.default is not None and self.default.magic
        )

    def emit(self, out: list[Leaf], ws: str) -> None:
        if self.name.startswith("*"):
            out.append(Leaf(STAR, "*", ws, TYPEDARGSLIST))
            if self.name == "*":
                return
            out.append(Leaf(NAME, self.name[1:], ""))
        else:
            out.append(Leaf(NAME, self.name, ws))
        if self.annotation is not None:
            out.append(Leaf(COLON, ":", "", OTHER))
            if isinstance(self.annotation, Union):  # black parenthesises a long union
                _invisible(out, " ", self.annotation, "param")
            else:
                self.annotation.emit(out, " ", "param")
        if self.default is not None:
            spaced = self.annotation is not None
            out.append(Leaf(EQUAL, "=", " " if spaced else "", OTHER))
            self.default.emit(out, " " if spaced else "", None)


Param.STAR = Param("*")


class FunctionDef(Statement):
    """A ``def`` (or ``async def``) line, up to its colon."""

    def __init__(
        self, name: str, params: Sequence[Param], returns: Expr, *, is_async: bool = False
    ) -> None:
        self.name = name
        self.params = tuple(params)
        self.returns = returns
        self.is_async = is_async

    def text(self) -> str:
        params = ", ".join(p.text() for p in self.params)
        prefix = "async def" if self.is_async else "def"
        return f"{prefix} {self.name}({params}) -> {self.returns.text()}:"

    @property
    def magic(self) -> bool:
        return self.returns.magic or any(p.magic for p in self.params)

    def emit(self, out: list[Leaf]) -> None:
        if self.is_async:
            out.append(Leaf(ASYNC, "async", ""))
        out.append(Leaf(NAME, "def", " " if self.is_async else ""))
        out.append(Leaf(NAME, self.name, " "))
        out.append(_bracket(LPAR, "(", "", "parameters", None, TYPEDARGSLIST))
        for i, param in enumerate(self.params):
            param.emit(out, "" if i == 0 else " ")
            if i < len(self.params) - 1:
                out.append(Leaf(COMMA, ",", "", TYPEDARGSLIST))
        out.append(Leaf(RPAR, ")", "", "parameters"))
        out.append(Leaf(RARROW, "->", " ", OTHER))
        _invisible(out, " ", self.returns, "return")
        out.append(Leaf(COLON, ":", "", OTHER))

    def direct_lines(self, depth: int) -> list[str] | None:
        # black splits a def at its parameter list: the parameters on one line if they fit
        # (a lone parameter with a trailing comma), else one per line with a trailing comma
        # (none after keyword-only parameters: black keeps the code valid for Python 3.5).
        params = self.params
        if not params or self.magic:
            return None
        indent = _INDENT * depth
        inner = indent + _INDENT
        head = f"{indent}{'async def' if self.is_async else 'def'} {self.name}("
        tail = f"{indent}) -> {self.returns.text()}:"
        if not (_fits(head) and _fits(tail)):
            return None
        texts = [p.text() for p in params]
        if len(params) == 1:
            default = params[0].default
            lone = texts[0] if default is not None and default.has_comma() else texts[0] + ","
            return [head, inner + lone, tail] if _fits(inner + lone) else None
        hugged = inner + ", ".join(texts)
        if _fits(hugged):
            return [head, hugged, tail]
        star = any(p.name.startswith("*") for p in params)
        lines = [head]
        for i, text in enumerate(texts):
            line = inner + text + ("," if i < len(texts) - 1 or not star else "")
            if not _fits(line):
                return None
            lines.append(line)
        lines.append(tail)
        return lines


class ClassDef(Statement):
    """A ``class Name(Base):`` line."""

    def __init__(self, name: str, bases: Sequence[Expr]) -> None:
        self.name = name
        self.bases = tuple(bases)

    def text(self) -> str:
        return f"class {self.name}({', '.join(b.text() for b in self.bases)}):"

    def emit(self, out: list[Leaf]) -> None:
        out.append(Leaf(NAME, "class", ""))
        out.append(Leaf(NAME, self.name, " "))
        out.append(_bracket(LPAR, "(", "", "classdef", None, ARGLIST))
        _emit_items(out, self.bases, ARGLIST, False, None)
        out.append(Leaf(RPAR, ")", "", "classdef"))
        out.append(Leaf(COLON, ":", "", OTHER))


class Decorator(Statement):
    def __init__(self, name: str) -> None:
        self.name = name

    def text(self) -> str:
        return f"@{self.name}"

    def emit(self, out: list[Leaf]) -> None:
        out.append(Leaf(AT, "@", ""))
        out.append(Leaf(NAME, self.name, ""))


# -- docstrings -------------------------------------------------------------------------------


def docstring(lines: Sequence[str], depth: int, *, closing_on_own_line: bool = True) -> str:
    """A docstring of already-escaped text lines, indented for ``depth``, as black rewrites it:
    lines stripped of trailing spaces and re-indented, a space between the text and a quote
    character that would touch the surrounding quotes. A docstring of several lines closes on a
    line of its own, or (``closing_on_own_line=False``) after its last line if that fits."""
    indent = _INDENT * depth
    if len(lines) == 1:
        text = lines[0].strip()
        if text[:1] == '"':
            text = " " + text
        if text[-1:] == '"' or _odd_backslashes(text):
            text += " "
        return f'{indent}"""{text}"""'
    rest = [line.rstrip() for line in lines[1:]]
    common = min((len(line) - len(line.lstrip()) for line in rest if line), default=0)
    if any(line.endswith("\\") for line in [lines[0].rstrip(), *rest[:-1]]) or (
        closing_on_own_line and rest[-1].endswith("\\")
    ):
        # black leaves alone a docstring with a backslash at the end of a line
        raw = [lines[0].strip()] + [indent + line[common:] if line else "" for line in rest]
        return _close(indent, raw, closing_on_own_line)
    first = lines[0].strip()
    if first[:1] == '"':
        first = " " + first
    body = [first] + [indent + line[common:] if line else "" for line in rest]
    if not closing_on_own_line:
        trailing_backslash = False
        if body[-1][-1:] == '"':
            body[-1] += " "
        elif _odd_backslashes(body[-1]):
            body[-1] += " "
            trailing_backslash = True
        if len(body[-1]) + 3 > LINE_LENGTH and not trailing_backslash:
            closing_on_own_line = True
    return _close(indent, body, closing_on_own_line)


def _close(indent: str, body: list[str], own_line: bool) -> str:
    if own_line:
        return f'{indent}"""' + "\n".join(body) + f'\n{indent}"""'
    return f'{indent}"""' + "\n".join(body) + '"""'


def _odd_backslashes(text: str) -> bool:
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1
