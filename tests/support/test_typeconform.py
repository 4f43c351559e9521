"""The value-versus-annotation walker used by the component tests must itself catch lies."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, NotRequired, TypedDict

from typeconform import mismatches


class Part(TypedDict):
    text: str
    type: NotRequired[Literal["text"]]


class Pair(NamedTuple):
    name: Literal["a", "b"]
    parts: list[Part]


class Blob:
    pass


def test_fitting_values_pass() -> None:
    assert mismatches(Pair("a", [{"text": "x"}, {"text": "y", "type": "text"}]), Pair) == []
    assert mismatches(3, float) == []  # the numeric tower: an int is a fine float
    assert mismatches(None, str | None) == []
    assert mismatches((Blob(), None), tuple[Blob, Blob | None]) == []
    assert mismatches({"k": [1, 2]}, dict[str, list[int]]) == []
    assert mismatches(object(), Any) == []


def test_each_kind_of_lie_is_reported_with_its_path() -> None:
    make: Any = Pair  # build the wrong value a server could send; the checker must see through it
    problems = mismatches(
        make("c", [{"text": 1}, {"type": "file"}, {"text": "x", "extra": 1}]), Pair
    )
    assert problems == [
        "result.name: expected Literal['a', 'b'], got 'c' (str)",
        "result.parts[0]['text']: expected str, got 1 (int)",
        "result.parts[1]: TypedDict Part requires key 'text', missing in {'type': 'file'} (dict)",
        "result.parts[1]['type']: expected Literal['text'], got 'file' (str)",
        "result.parts[2]: key 'extra' is not declared in TypedDict Part",
    ]


def test_literal_members_keep_their_type() -> None:
    assert mismatches("1", Literal[1]) != []
    assert mismatches(True, Literal[1]) != []
    assert mismatches(True, int) != []
    assert mismatches("path/to/file", Blob) == ["result: expected Blob, got 'path/to/file' (str)"]
    assert mismatches([1], tuple[int]) != []
    assert mismatches((1, 2), tuple[int]) != []
