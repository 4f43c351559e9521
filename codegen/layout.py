"""Black's line splitting, for the statements generated modules are made of.

Formatting a generated module with black costs 95 % of generation at scale (black parses the
whole module, then formats it twice when the input was not formatted yet). Generated code is built
from a handful of constructs whose tokens the generator knows exactly, so it can be laid out the
way black would lay it out without parsing anything: this module is a port of black's
``linegen`` splitting (``transform_line``, ``left_hand_split``, ``right_hand_split_with_omits``,
``delimiter_split`` and the helpers they use, stable style, black 24-26) over a token model that
carries just what those functions ask of blib2to3's tree -- each token's type, its parent node's
type and, for annotations, which kind of annotation it belongs to.

Like ``black.format_str``, a statement whose first layout added trailing commas is laid out a
second time with those commas in place, so the result is a fixed point of black. Tests compare
every kind of statement the generator writes with black itself.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

__all__ = [
    "LINE_LENGTH",
    "Leaf",
    "layout",
    "str_width",
]

LINE_LENGTH: Final = 100

# -- tokens (blib2to3's kinds, only those generated code contains) --------------------------------

NAME: Final = 1
NUMBER: Final = 2
STRING: Final = 3
COMMA: Final = 4
DOT: Final = 5
COLON: Final = 6
EQUAL: Final = 7
RARROW: Final = 8
VBAR: Final = 9
MINUS: Final = 10
STAR: Final = 11
AT: Final = 12
ASYNC: Final = 13
AWAIT: Final = 14
LPAR: Final = 20
RPAR: Final = 21
LSQB: Final = 22
RSQB: Final = 23
LBRACE: Final = 24
RBRACE: Final = 25

OPENING_BRACKETS: Final = frozenset({LPAR, LSQB, LBRACE})
CLOSING_BRACKETS: Final = frozenset({RPAR, RSQB, RBRACE})
BRACKETS: Final = OPENING_BRACKETS | CLOSING_BRACKETS
_MATCHING: Final = {LPAR: RPAR, LSQB: RSQB, LBRACE: RBRACE}

# Delimiter priorities, as in black.brackets.
COMMA_PRIORITY: Final = 18
VBAR_PRIORITY: Final = 9
DOT_PRIORITY: Final = 1

# Parent node types (black's ``syms``) that the splitting functions look at.
ARGLIST: Final = "arglist"  # commas between call arguments
TYPEDARGSLIST: Final = "typedargslist"  # commas between parameters; a bare ``*``
TRAILER: Final = "trailer"  # the brackets of a call or a subscript
ATOM: Final = "atom"  # the brackets of a tuple, list, dict, or invisible parentheses
EXPR: Final = "expr"  # ``|`` between union members
FACTOR: Final = "factor"  # a unary minus
OTHER: Final = "other"


class Leaf:
    """One token. ``parent`` is the type of its parent node in black's tree (``None`` once black
    would have detached it, or for a comma black added); ``annotation`` is ``"param"`` or
    ``"return"`` for tokens inside a parameter or return annotation."""

    __slots__ = (
        "type",
        "value",
        "prefix",
        "ws",
        "parent",
        "annotation",
        "comma_parent",
        "invisible",
        "added",
        "bracket_depth",
        "opening_bracket",
    )

    def __init__(
        self,
        type_: int,
        value: str,
        ws: str = "",
        parent: str | None = OTHER,
        *,
        annotation: str | None = None,
        comma_parent: str | None = None,
    ) -> None:
        self.type = type_
        self.value = value
        self.ws = ws  # the whitespace black's ``whitespace()`` puts before it
        self.prefix = ws
        self.parent = parent
        self.annotation = annotation
        self.comma_parent = comma_parent  # opening brackets: the parent type of commas inside
        self.invisible = not value and type_ in BRACKETS  # black's optional parentheses
        self.added = False  # a trailing comma black added
        self.bracket_depth = 0
        self.opening_bracket: Leaf | None = None

    def __str__(self) -> str:
        return self.prefix + self.value

    def twin(self) -> Leaf:
        """A copy as black's ``append_leaves`` makes it: same token as it reads now, no prefix."""
        twin = Leaf(
            self.type,
            self.value,
            self.ws,
            self.parent,
            annotation=self.annotation,
            comma_parent=self.comma_parent,
        )
        twin.prefix = ""
        return twin

    def copy(self) -> Leaf:
        """A copy as black's second pass reads the token back (optional parentheses hidden)."""
        twin = Leaf(
            self.type,
            "" if self.invisible else self.value,
            self.ws,
            self.parent,
            annotation=self.annotation,
            comma_parent=self.comma_parent,
        )
        twin.invisible = self.invisible
        return twin


# -- widths ---------------------------------------------------------------------------------------


@functools.cache
def _width_table() -> Sequence[tuple[int, int, int]] | None:
    """black's table of character widths (from its Unicode data), loaded only for a non-ASCII
    line; ``None`` without black, when ``unicodedata`` answers instead."""
    try:
        from black._width_table import WIDTH_TABLE
    except ImportError:
        return None
    return WIDTH_TABLE


def _char_width(char: str) -> int:
    table = _width_table()
    if table is None:
        if unicodedata.combining(char):
            return 0
        return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    codepoint = ord(char)
    highest = len(table) - 1
    lowest = 0
    idx = highest // 2
    while True:
        start_codepoint, end_codepoint, width = table[idx]
        if codepoint < start_codepoint:
            highest = idx - 1
        elif codepoint > end_codepoint:
            lowest = idx + 1
        else:
            return 0 if width < 0 else width
        if highest < lowest:
            break
        idx = (highest + lowest) // 2
    return 1


def str_width(text: str) -> int:
    """Columns ``text`` takes in an editor (East Asian wide characters count twice), as black
    measures them."""
    if text.isascii():
        return len(text)
    return sum(map(_char_width, text))


# -- errors ---------------------------------------------------------------------------------------


class CannotTransform(Exception):
    pass


class CannotSplit(CannotTransform):
    pass


# -- brackets and lines (black.brackets, black.lines) ---------------------------------------------


def _is_vararg(leaf: Leaf) -> bool:
    return leaf.type == STAR and leaf.parent == TYPEDARGSLIST


def _split_before_priority(leaf: Leaf, previous: Leaf | None) -> int:
    if _is_vararg(leaf):
        return 0
    if (
        leaf.type == DOT
        and leaf.parent is not None
        and (previous is None or previous.type in CLOSING_BRACKETS)
    ):
        return DOT_PRIORITY
    if leaf.type == VBAR and leaf.parent is not None:
        return VBAR_PRIORITY
    if leaf.type == STAR and leaf.parent is not None:
        return 4  # black's MATH_PRIORITIES[STAR]; generated code has no other ``*``
    if leaf.type == MINUS and leaf.parent is not None and leaf.parent != FACTOR:
        return 5
    return 0


class BracketTracker:
    __slots__ = ("depth", "bracket_match", "delimiters", "previous", "invisible")

    def __init__(self) -> None:
        self.depth = 0
        self.bracket_match: dict[tuple[int, int], Leaf] = {}
        self.delimiters: dict[int, int] = {}
        self.previous: Leaf | None = None
        self.invisible: list[Leaf] = []

    def mark(self, leaf: Leaf) -> None:
        if (
            self.depth == 0
            and leaf.type in CLOSING_BRACKETS
            and (self.depth, leaf.type) not in self.bracket_match
        ):
            return
        if leaf.type in CLOSING_BRACKETS:
            self.depth -= 1
            try:
                opening = self.bracket_match.pop((self.depth, leaf.type))
            except KeyError as e:
                raise CannotTransform("unmatched closing bracket") from e
            leaf.opening_bracket = opening
            if not leaf.value:
                self.invisible.append(leaf)
        leaf.bracket_depth = self.depth
        if self.depth == 0:
            delim = _split_before_priority(leaf, self.previous)
            if delim and self.previous is not None:
                self.delimiters[id(self.previous)] = delim
            elif leaf.type == COMMA:
                self.delimiters[id(leaf)] = COMMA_PRIORITY
        if leaf.type in OPENING_BRACKETS:
            self.bracket_match[self.depth, _MATCHING[leaf.type]] = leaf
            self.depth += 1
            if not leaf.value:
                self.invisible.append(leaf)
        self.previous = leaf

    def any_open_brackets(self) -> bool:
        return bool(self.bracket_match)

    def max_delimiter_priority(self, exclude: Iterable[int] = ()) -> int:
        excluded = set(exclude)
        return max(v for k, v in self.delimiters.items() if k not in excluded)

    def delimiter_count_with_priority(self, priority: int = 0) -> int:
        if not self.delimiters:
            return 0
        priority = priority or self.max_delimiter_priority()
        return sum(1 for p in self.delimiters.values() if p == priority)


def _is_one_sequence_between(
    opening: Leaf, closing: Leaf, leaves: Sequence[Leaf], brackets: tuple[int, int] = (LPAR, RPAR)
) -> bool:
    if (opening.type, closing.type) != brackets:
        return False
    depth = closing.bracket_depth + 1
    opening_index = -1
    left, right = 0, len(leaves) - 1
    while left <= right:
        if leaves[left] is opening:
            opening_index = left
            break
        if leaves[right] is opening:
            opening_index = right
            break
        left += 1
        right -= 1
    if opening_index == -1:
        return False
    commas = 0
    for leaf in leaves[opening_index + 1 :]:
        if leaf is closing:
            break
        if leaf.bracket_depth == depth and leaf.type == COMMA:
            commas += 1
            if leaf.parent in (ARGLIST, TYPEDARGSLIST):
                commas += 1
                break
    return commas < 2


class Line:
    __slots__ = (
        "depth",
        "leaves",
        "bracket_tracker",
        "inside_brackets",
        "should_split_rhs",
        "magic_trailing_comma",
    )

    def __init__(self, depth: int = 0, inside_brackets: bool = False) -> None:
        self.depth = depth
        self.leaves: list[Leaf] = []
        self.bracket_tracker = BracketTracker()
        self.inside_brackets = inside_brackets
        self.should_split_rhs = False
        self.magic_trailing_comma: Leaf | None = None

    def append(self, leaf: Leaf, preformatted: bool = False, track_bracket: bool = False) -> None:
        if not (leaf.type in BRACKETS or leaf.value.strip()):
            return
        if self.leaves and not preformatted:
            leaf.prefix = leaf.ws
        if self.inside_brackets or not preformatted or track_bracket:
            self.bracket_tracker.mark(leaf)
            if self.has_magic_trailing_comma(leaf):
                self.magic_trailing_comma = leaf
        self.leaves.append(leaf)

    def append_safe(self, leaf: Leaf, preformatted: bool = False) -> None:
        self.append(leaf, preformatted=preformatted)

    def has_magic_trailing_comma(self, closing: Leaf) -> bool:
        if not (closing.type in CLOSING_BRACKETS and self.leaves and self.leaves[-1].type == COMMA):
            return False
        if closing.type == RBRACE:
            return True
        if closing.type == RSQB:
            if (
                closing.parent == TRAILER
                and closing.opening_bracket is not None
                and _is_one_sequence_between(
                    closing.opening_bracket, closing, self.leaves, brackets=(LSQB, RSQB)
                )
            ):
                return False
            return True
        if closing.opening_bracket is not None and not _is_one_sequence_between(
            closing.opening_bracket, closing, self.leaves
        ):
            return True
        return False

    @property
    def is_def(self) -> bool:
        if not self.leaves:
            return False
        first = self.leaves[0]
        second = self.leaves[1] if len(self.leaves) > 1 else None
        return (first.type == NAME and first.value == "def") or (
            first.type == ASYNC
            and second is not None
            and second.type == NAME
            and second.value == "def"
        )

    @property
    def is_chained_assignment(self) -> bool:
        return [leaf.type for leaf in self.leaves].count(EQUAL) > 1

    def enumerate_with_length(self, is_reversed: bool = False) -> Iterator[tuple[int, Leaf, int]]:
        indexed: Iterable[tuple[int, Leaf]]
        if is_reversed:
            indexed = ((i, self.leaves[i]) for i in range(len(self.leaves) - 1, -1, -1))
        else:
            indexed = enumerate(self.leaves)
        for index, leaf in indexed:
            yield index, leaf, len(leaf.prefix) + len(leaf.value)

    def clone(self) -> Line:
        line = Line(self.depth, self.inside_brackets)
        line.should_split_rhs = self.should_split_rhs
        line.magic_trailing_comma = self.magic_trailing_comma
        return line

    def __str__(self) -> str:
        if not self.leaves:
            return "\n"
        first = self.leaves[0]
        res = f"{first.prefix}{'    ' * self.depth}{first.value}"
        res += "".join(str(leaf) for leaf in self.leaves[1:])
        return res + "\n"

    def __bool__(self) -> bool:
        return bool(self.leaves)


def _line_to_string(line: Line) -> str:
    return str(line).strip("\n")


def _is_line_short_enough(line: Line, line_str: str = "") -> bool:
    if not line_str:
        line_str = _line_to_string(line)
    return str_width(line_str) <= LINE_LENGTH


def _can_be_split(line: Line) -> bool:
    leaves = line.leaves
    if len(leaves) < 2:
        return False
    if leaves[0].type == STRING and leaves[1].type == DOT:
        call_count = dot_count = 0
        next_leaf = leaves[-1]
        for leaf in leaves[-2::-1]:
            if leaf.type in OPENING_BRACKETS:
                if next_leaf.type not in CLOSING_BRACKETS:
                    return False
                call_count += 1
            elif leaf.type == DOT:
                dot_count += 1
            elif leaf.type == NAME:
                if not (next_leaf.type == DOT or next_leaf.type in OPENING_BRACKETS):
                    return False
            elif leaf.type not in CLOSING_BRACKETS:
                return False
            if dot_count > 1 and call_count > 1:
                return False
            next_leaf = leaf
    return True


class _RHSResult:
    __slots__ = ("head", "body", "tail", "opening_bracket", "closing_bracket")

    def __init__(
        self, head: Line, body: Line, tail: Line, opening_bracket: Leaf, closing_bracket: Leaf
    ) -> None:
        self.head = head
        self.body = body
        self.tail = tail
        self.opening_bracket = opening_bracket
        self.closing_bracket = closing_bracket


def _can_omit_invisible_parens(rhs: _RHSResult) -> bool:
    line = rhs.body
    bt = line.bracket_tracker
    if not bt.delimiters:
        return True
    max_priority = bt.max_delimiter_priority()
    delimiter_count = bt.delimiter_count_with_priority(max_priority)
    if delimiter_count > 1:
        return False
    if max_priority == DOT_PRIORITY:
        return True
    first = line.leaves[0]
    second = line.leaves[1]
    if first.type in OPENING_BRACKETS and second.type not in CLOSING_BRACKETS:
        if _can_omit_opening_paren(line, first=first):
            return True
    penultimate = line.leaves[-2]
    last = line.leaves[-1]
    if (
        last.type == RPAR
        or last.type == RBRACE
        or (last.type == RSQB and last.parent is not None and last.parent != TRAILER)
    ):
        if penultimate.type in OPENING_BRACKETS:
            return False
        if _can_omit_closing_paren(line, last=last):
            return True
    return False


def _can_omit_opening_paren(line: Line, *, first: Leaf) -> bool:
    remainder = False
    length = 4 * line.depth
    index = -1
    for index, leaf, leaf_length in line.enumerate_with_length():
        if leaf.type in CLOSING_BRACKETS and leaf.opening_bracket is first:
            remainder = True
        if remainder:
            length += leaf_length
            if length > LINE_LENGTH:
                break
            if leaf.type in OPENING_BRACKETS:
                remainder = False
    else:
        if len(line.leaves) == index + 1:
            return True
    return False


def _can_omit_closing_paren(line: Line, *, last: Leaf) -> bool:
    length = 4 * line.depth
    seen_other_brackets = False
    for _index, leaf, leaf_length in line.enumerate_with_length():
        length += leaf_length
        if leaf is last.opening_bracket:
            if seen_other_brackets or length <= LINE_LENGTH:
                return True
        elif leaf.type in OPENING_BRACKETS:
            seen_other_brackets = True
    return False


# -- splits (black.linegen) -----------------------------------------------------------------------

_HEAD, _BODY, _TAIL = 0, 1, 2


def _leaves_inside_matching_brackets(leaves: Sequence[Leaf]) -> set[int]:
    start = next((i for i, leaf in enumerate(leaves) if leaf.type in OPENING_BRACKETS), None)
    if start is None:
        return set()
    ids: set[int] = set()
    stack: list[tuple[int, list[int]]] = []
    for leaf in leaves[start:]:
        if leaf.type in OPENING_BRACKETS:
            stack.append((_MATCHING[leaf.type], [id(leaf)]))
        elif leaf.type in CLOSING_BRACKETS:
            if stack and leaf.type == stack[-1][0]:
                _, level = stack.pop()
                level.append(id(leaf))
                ids.update(level)
            else:
                break
        elif stack:
            stack[-1][1].append(id(leaf))
    return ids


def _ensure_trailing_comma(leaves: list[Leaf], original: Line, opening_bracket: Leaf) -> bool:
    if not leaves or not original.is_def or opening_bracket.value != "(":
        return False
    if any(leaf.type == COMMA and leaf.annotation is None for leaf in leaves):
        return False
    with_parent = next((leaf for leaf in leaves if leaf.parent is not None), None)
    if with_parent is None:
        return True
    # (black also declines inside PEP 604 unions of a parenthesized annotation: generated
    # parameter lists never start with one, and a return annotation is caught here first.)
    return with_parent.annotation != "return"


def _should_split_line(line: Line, opening_bracket: Leaf) -> bool:
    if not (opening_bracket.parent is not None and opening_bracket.value in "[{("):
        return False
    exclude = set()
    trailing_comma = False
    try:
        last_leaf = line.leaves[-1]
        if last_leaf.type == COMMA:
            trailing_comma = True
            exclude.add(id(last_leaf))
        max_priority = line.bracket_tracker.max_delimiter_priority(exclude=exclude)
    except (IndexError, ValueError):
        return False
    return max_priority == COMMA_PRIORITY and (trailing_comma or opening_bracket.parent == ATOM)


def _bracket_split_build_line(
    leaves: list[Leaf], original: Line, opening_bracket: Leaf, *, component: int
) -> Line:
    result = Line(original.depth)
    if component == _BODY:
        result.inside_brackets = True
        result.depth += 1
        if _ensure_trailing_comma(leaves, original, opening_bracket):
            for i in range(len(leaves) - 1, -1, -1):
                if leaves[i].type != COMMA:
                    comma = Leaf(COMMA, ",", "", None)
                    comma.added = True
                    leaves.insert(i + 1, comma)
                break
    track: set[int] = set()
    if component == _HEAD:
        track = _leaves_inside_matching_brackets(leaves)
    for leaf in leaves:
        result.append(leaf, preformatted=True, track_bracket=id(leaf) in track)
    if component == _BODY and _should_split_line(result, opening_bracket):
        result.should_split_rhs = True
    return result


def _bracket_split_succeeded_or_raise(head: Line, body: Line, tail: Line) -> None:
    tail_len = len(str(tail).strip())
    if not body:
        if tail_len == 0:
            raise CannotSplit("Splitting brackets produced the same line")
        if tail_len < 3:
            raise CannotSplit("Splitting brackets on an empty body is not worth it")


def _ensure_visible(leaf: Leaf) -> None:
    if leaf.type == LPAR:
        leaf.value = "("
    elif leaf.type == RPAR:
        leaf.value = ")"


def _left_hand_split(line: Line, features: frozenset[str]) -> Iterator[Line]:
    for leaf_type in (LPAR, LSQB):
        tail_leaves: list[Leaf] = []
        body_leaves: list[Leaf] = []
        head_leaves: list[Leaf] = []
        current = head_leaves
        matching: Leaf | None = None
        for leaf in line.leaves:
            if (
                current is body_leaves
                and leaf.type in CLOSING_BRACKETS
                and leaf.opening_bracket is matching
                and matching is not None
            ):
                _ensure_visible(leaf)
                _ensure_visible(matching)
                current = tail_leaves if body_leaves else head_leaves
            current.append(leaf)
            if current is head_leaves and leaf.type == leaf_type:
                matching = leaf
                current = body_leaves
        if matching is not None and tail_leaves:
            break
    if matching is None or not tail_leaves:
        raise CannotSplit("No brackets found")
    head = _bracket_split_build_line(head_leaves, line, matching, component=_HEAD)
    body = _bracket_split_build_line(body_leaves, line, matching, component=_BODY)
    tail = _bracket_split_build_line(tail_leaves, line, matching, component=_TAIL)
    _bracket_split_succeeded_or_raise(head, body, tail)
    for result in (head, body, tail):
        if result:
            yield result


def _first_right_hand_split(line: Line, omit: Iterable[int] = ()) -> _RHSResult:
    omitted = set(omit)
    tail_leaves: list[Leaf] = []
    body_leaves: list[Leaf] = []
    head_leaves: list[Leaf] = []
    current = tail_leaves
    opening_bracket: Leaf | None = None
    closing_bracket: Leaf | None = None
    for leaf in reversed(line.leaves):
        if current is body_leaves and leaf is opening_bracket:
            current = head_leaves if body_leaves else tail_leaves
        current.append(leaf)
        if current is tail_leaves and leaf.type in CLOSING_BRACKETS and id(leaf) not in omitted:
            opening_bracket = leaf.opening_bracket
            closing_bracket = leaf
            current = body_leaves
    if not (opening_bracket and closing_bracket and head_leaves):
        raise CannotSplit("No brackets found")
    tail_leaves.reverse()
    body_leaves.reverse()
    head_leaves.reverse()
    head = _bracket_split_build_line(head_leaves, line, opening_bracket, component=_HEAD)
    body = _bracket_split_build_line(body_leaves, line, opening_bracket, component=_BODY)
    tail = _bracket_split_build_line(tail_leaves, line, opening_bracket, component=_TAIL)
    _bracket_split_succeeded_or_raise(head, body, tail)
    return _RHSResult(head, body, tail, opening_bracket, closing_bracket)


def _prefer_split_rhs_oop_over_rhs(rhs_oop: _RHSResult, rhs: _RHSResult) -> bool:
    if not (len(rhs.head.leaves) >= 2 and rhs.head.leaves[-2].type == EQUAL):
        return True
    if not any(leaf.type in BRACKETS for leaf in rhs.head.leaves[:-1]):
        return True
    if str_width(_line_to_string(rhs.head)) > LINE_LENGTH - 1:
        return True
    if rhs.head.magic_trailing_comma is not None:
        return True
    rhs_head_equal_count = [leaf.type for leaf in rhs.head.leaves].count(EQUAL)
    rhs_oop_head_equal_count = [leaf.type for leaf in rhs_oop.head.leaves].count(EQUAL)
    if rhs_head_equal_count > 1 and rhs_head_equal_count > rhs_oop_head_equal_count:
        return False
    has_closing_bracket_after_assign = False
    for leaf in reversed(rhs_oop.head.leaves):
        if leaf.type == EQUAL:
            break
        if leaf.type in CLOSING_BRACKETS:
            has_closing_bracket_after_assign = True
            break
    return has_closing_bracket_after_assign or (
        any(leaf.type == EQUAL for leaf in rhs_oop.head.leaves)
        and _is_line_short_enough(rhs_oop.head)
    )


def _maybe_split_omitting_optional_parens(
    rhs: _RHSResult, line: Line, features: frozenset[str], omit: Iterable[int] = ()
) -> Iterator[Line]:
    if (
        "force_optional_parentheses" not in features
        and rhs.opening_bracket.type == LPAR
        and not rhs.opening_bracket.value
        and rhs.closing_bracket.type == RPAR
        and not rhs.closing_bracket.value
        and _can_omit_invisible_parens(rhs)
    ):
        omitted = {id(rhs.closing_bracket), *omit}
        try:
            rhs_oop = _first_right_hand_split(line, omit=omitted)
            if _prefer_split_rhs_oop_over_rhs(rhs_oop, rhs):
                yield from _maybe_split_omitting_optional_parens(
                    rhs_oop, line, features, omit=omitted
                )
                return
        except CannotSplit as e:
            if line.is_chained_assignment:
                pass
            elif not _can_be_split(rhs.body) and not _is_line_short_enough(rhs.body):
                raise CannotSplit("Splitting failed, body still too long") from e
    _ensure_visible(rhs.opening_bracket)
    _ensure_visible(rhs.closing_bracket)
    for result in (rhs.head, rhs.body, rhs.tail):
        if result:
            yield result


def _right_hand_split(
    line: Line, features: frozenset[str], omit: Iterable[int] = ()
) -> Iterator[Line]:
    rhs = _first_right_hand_split(line, omit=omit)
    yield from _maybe_split_omitting_optional_parens(rhs, line, features, omit=omit)


def _generate_trailers_to_omit(line: Line) -> Iterator[set[int]]:
    omit: set[int] = set()
    if not line.magic_trailing_comma:
        yield omit
    length = 4 * line.depth
    opening_bracket: Leaf | None = None
    closing_bracket: Leaf | None = None
    inner_brackets: set[int] = set()
    for index, leaf, leaf_length in line.enumerate_with_length(is_reversed=True):
        length += leaf_length
        if length > LINE_LENGTH:
            break
        if opening_bracket:
            if leaf is opening_bracket:
                opening_bracket = None
            elif leaf.type in CLOSING_BRACKETS:
                prev = line.leaves[index - 1] if index > 0 else None
                if (
                    prev
                    and prev.type == COMMA
                    and leaf.opening_bracket is not None
                    and not _is_one_sequence_between(leaf.opening_bracket, leaf, line.leaves)
                ):
                    break
                inner_brackets.add(id(leaf))
        elif leaf.type in CLOSING_BRACKETS:
            prev = line.leaves[index - 1] if index > 0 else None
            if prev and prev.type in OPENING_BRACKETS:
                inner_brackets.add(id(leaf))
                continue
            if closing_bracket:
                omit.add(id(closing_bracket))
                omit.update(inner_brackets)
                inner_brackets.clear()
                yield omit
            if (
                prev
                and prev.type == COMMA
                and leaf.opening_bracket is not None
                and not _is_one_sequence_between(leaf.opening_bracket, leaf, line.leaves)
            ):
                break
            if leaf.value:
                opening_bracket = leaf.opening_bracket
                closing_bracket = leaf


def _right_hand_split_with_omits(line: Line, features: frozenset[str]) -> Iterator[Line]:
    first_lines: list[Line] | None = None
    prefix_lengths: dict[int, int] = {}
    current = 4 * line.depth
    for leaf in line.leaves:
        prefix_lengths[id(leaf)] = current
        current += len(leaf.prefix) + len(leaf.value)
    for omit in _generate_trailers_to_omit(line):
        if omit:
            target: Leaf | None = None
            for leaf in reversed(line.leaves):
                if leaf.type in CLOSING_BRACKETS and id(leaf) not in omit:
                    target = leaf.opening_bracket
                    break
            if (
                target is not None
                and target.value
                and prefix_lengths.get(id(target), 0) > LINE_LENGTH
            ):
                continue
        lines = list(_right_hand_split(line, features, omit=omit))
        if first_lines is None and not omit:
            first_lines = lines
        if _is_line_short_enough(lines[0]):
            yield from lines
            return
    if first_lines is not None:
        yield from first_lines
    else:
        yield from _right_hand_split(line, features)


def _can_add_trailing_comma(leaf: Leaf, features: frozenset[str]) -> bool:
    if _is_vararg(leaf):
        # Needs TRAILING_COMMA_IN_DEF, which black grants only when every target version has
        # it; with the versions it infers for generated code (py33 and later) it never does.
        return "trailing_comma_in_def" in features
    return True


def _delimiter_split(line: Line, features: frozenset[str]) -> Iterator[Line]:
    if not line.leaves:
        raise CannotSplit("Line empty")
    last_leaf = line.leaves[-1]
    bt = line.bracket_tracker
    try:
        delimiter = bt.max_delimiter_priority(exclude={id(last_leaf)})
    except ValueError:
        raise CannotSplit("No delimiters found") from None
    if delimiter == DOT_PRIORITY and bt.delimiter_count_with_priority(delimiter) == 1:
        raise CannotSplit("Splitting a single attribute from its owner looks wrong")

    current = Line(line.depth, line.inside_brackets)
    lowest_depth = sys.maxsize
    trailing_comma_safe = True

    for leaf in line.leaves:
        current.append(leaf, preformatted=True)
        lowest_depth = min(lowest_depth, leaf.bracket_depth)
        if trailing_comma_safe and leaf.bracket_depth == lowest_depth:
            trailing_comma_safe = _can_add_trailing_comma(leaf, features)
        if bt.delimiters.get(id(leaf)) == delimiter:
            current.leaves[0].prefix = ""
            yield current
            current = Line(line.depth, line.inside_brackets)
    if current:
        if trailing_comma_safe and delimiter == COMMA_PRIORITY and current.leaves[-1].type != COMMA:
            comma = Leaf(COMMA, ",", "", None)
            comma.added = True
            current.append(comma)
        current.leaves[0].prefix = ""
        yield current


_Transform = Callable[[Line, frozenset[str]], Iterator[Line]]


def _run_transformer(
    line: Line, transform: _Transform, features: frozenset[str], line_str: str
) -> list[Line]:
    optional_parens = [b for b in line.bracket_tracker.invisible if b.bracket_depth == 0]
    result: list[Line] = []
    for transformed in transform(line, features):
        if _line_to_string(transformed) == line_str:
            raise CannotTransform("Line transformer returned an unchanged result")
        result.extend(_transform_line(transformed, features))
    if (
        "force_optional_parentheses" in features
        or transform is not _right_hand_split_with_omits
        or not line.bracket_tracker.invisible
        or any(bracket.value for bracket in optional_parens)
        or _is_line_short_enough(result[0])
        or any(leaf.parent is None for leaf in line.leaves)
    ):
        return result
    # black's second opinion: the same split with every optional pair of parentheses kept. Its
    # copy of the line takes the leaves' places in the tree, so the originals lose their parent.
    line_copy = line.clone()
    for old in line.leaves:
        twin = old.twin()
        old.parent = None
        line_copy.append(twin)
    second_opinion = _run_transformer(
        line_copy, transform, features | {"force_optional_parentheses"}, line_str
    )
    if all(_is_line_short_enough(ln) for ln in second_opinion):
        result = second_opinion
    return result


def _should_split_funcdef_with_rhs(line: Line) -> bool:
    """A magic trailing comma in the return annotation: black splits the def at its right."""
    return_type: list[Leaf] = []
    in_return_type = False
    for leaf in line.leaves:
        if leaf.type == COLON:
            in_return_type = False
        if in_return_type:
            return_type.append(leaf)
        if leaf.type == RARROW:
            in_return_type = True
    result = Line(line.depth)
    track = _leaves_inside_matching_brackets(return_type)
    for leaf in return_type:
        result.append(leaf, preformatted=True, track_bracket=id(leaf) in track)
    return result.magic_trailing_comma is not None


def _transform_line(line: Line, features: frozenset[str]) -> list[Line]:
    line_str = _line_to_string(line)
    transformers: list[_Transform]
    if (
        not line.should_split_rhs
        and not line.magic_trailing_comma
        and _is_line_short_enough(line, line_str)
    ):
        return [line]
    if line.is_def and not _should_split_funcdef_with_rhs(line):
        transformers = [_left_hand_split]
    elif line.inside_brackets:
        transformers = [_delimiter_split, _right_hand_split_with_omits]
    else:
        transformers = [_right_hand_split_with_omits]
    for transform in transformers:
        try:
            return _run_transformer(line, transform, features, line_str)
        except CannotTransform:
            continue
    return [line]


# -- the entry point ------------------------------------------------------------------------------


def _fresh_line(leaves: Sequence[Leaf], depth: int, inside_brackets: bool = False) -> Line:
    """A statement's line as black's line generator builds it: whitespace and brackets fresh."""
    line = Line(depth, inside_brackets)
    for leaf in leaves:
        leaf.prefix = leaf.ws
        leaf.value = "" if leaf.invisible else leaf.value
        line.append(leaf)
    if line.leaves:
        line.leaves[0].prefix = ""
    return line


def _reparsed(lines: Sequence[Line]) -> list[Leaf]:
    """The leaves of a first layout as black reads them back on its second pass: added commas
    are commas of the enclosing bracket, parentheses it showed are optional again."""
    leaves: list[Leaf] = []
    stack: list[Leaf] = []
    for line in lines:
        for leaf in line.leaves:
            twin = leaf.copy()
            if leaf.added:
                enclosing = stack[-1] if stack else None
                twin.parent = enclosing.comma_parent if enclosing is not None else OTHER
                twin.annotation = enclosing.annotation if enclosing is not None else None
            if twin.type in OPENING_BRACKETS:
                stack.append(twin)
            elif twin.type in CLOSING_BRACKETS and stack:
                stack.pop()
            leaves.append(twin)
    return leaves


def layout(leaves: Sequence[Leaf], depth: int = 0, *, inside_brackets: bool = False) -> list[str]:
    """The physical lines (indentation included) black gives the statement made of ``leaves``
    at indentation ``depth``; ``inside_brackets`` for one element of an exploded bracket (its
    trailing comma included), which black lays out on its own."""
    line = _fresh_line(leaves, depth, inside_brackets)
    flat = _line_to_string(line)
    if not line.magic_trailing_comma and str_width(flat) <= LINE_LENGTH:
        return [flat]
    features: frozenset[str] = frozenset()
    first = _transform_line(line, features)
    if not any(leaf.added for ln in first for leaf in ln.leaves):
        return [_line_to_string(ln) for ln in first]
    second = _transform_line(_fresh_line(_reparsed(first), depth, inside_brackets), features)
    return [_line_to_string(ln) for ln in second]
