"""Streaming diffs are applied exactly as the server meant them, without touching earlier values."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gradio_codegen.runtime import ProtocolError
from gradio_codegen.runtime._queue._diff import apply_diff
from gradio_codegen.runtime._http._json import MAX_DEPTH, deeper_than


def test_append_to_text_at_root() -> None:
    assert apply_diff("0 ", [["append", [], "1 "]]) == "0 1 "


def test_replace_at_root_and_several_edits_in_order() -> None:
    assert apply_diff("step 0", [["replace", [], "step 1"], ["append", [], "!"]]) == "step 1!"


def test_chatbot_content_part_append_from_a_real_trace() -> None:
    history = [
        {
            "role": "user",
            "metadata": None,
            "content": [{"text": "hi", "type": "text"}],
            "options": None,
        },
        {
            "role": "assistant",
            "metadata": None,
            "content": [{"text": "Hello", "type": "text"}],
            "options": None,
        },
    ]
    before = copy.deepcopy(history)
    after = apply_diff(history, [["append", [1, "content", 0, "text"], " there"]])
    assert after[1]["content"][0]["text"] == "Hello there"
    assert history == before  # the earlier value a job handed out is intact
    assert after[0] is history[0]  # untouched branches are shared, not copied


def test_add_inserts_into_lists_and_sets_dict_keys() -> None:
    assert apply_diff([1, 3], [["add", [1], 2]]) == [1, 2, 3]
    assert apply_diff([1], [["add", [1], 2]]) == [1, 2]
    assert apply_diff({"a": 1}, [["add", ["b"], 2]]) == {"a": 1, "b": 2}


def test_delete_from_lists_and_dicts() -> None:
    assert apply_diff([1, 2, 3], [["delete", [0], None]]) == [2, 3]
    assert apply_diff({"a": {"b": 1, "c": 2}}, [["delete", ["a", "b"], None]]) == {"a": {"c": 2}}


def test_append_to_a_nested_list() -> None:
    value = {"items": [{"i": 0}]}
    assert apply_diff(value, [["append", ["items"], [{"i": 1}]]]) == {"items": [{"i": 0}, {"i": 1}]}
    assert value == {"items": [{"i": 0}]}


@pytest.mark.parametrize(
    "value, edits",
    [
        ("x", [["explode", [], 1]]),
        ("x", [["append", [], 1]]),
        ([1], [["replace", [5], 0]]),
        ({"a": 1}, [["replace", ["b", "c"], 0]]),
        ([1], [["replace", ["0"], 0]]),
        ("text", [["replace", [0], "t"]]),
        ([1], [["add", [9], 0]]),
        ("x", [["delete", [], None]]),
        ("x", "not a list"),
        ("x", [["append", []]]),
        ("x", [["append", "not a path", "y"]]),
    ],
)
def test_malformed_edits_raise_protocol_error(value: Any, edits: Any) -> None:
    with pytest.raises(ProtocolError):
        apply_diff(value, edits)


def test_edits_cannot_nest_a_value_past_the_json_depth_limit() -> None:
    """Each edit may add nesting; together they must not build a value that recursive code
    (shape decoding, this module) cannot walk."""
    value: Any = [[]]
    with pytest.raises(ProtocolError, match=f"more than {MAX_DEPTH} levels deep"):
        for k in range(1, 10 * MAX_DEPTH):
            value = apply_diff(value, [["replace", [0] * k, [[]]]])  # one level deeper each time
    assert deeper_than(value, MAX_DEPTH - 2) and not deeper_than(value, MAX_DEPTH)


def test_an_edit_path_or_value_past_the_depth_limit_is_refused() -> None:
    with pytest.raises(ProtocolError):
        apply_diff([], [["replace", [0] * (MAX_DEPTH + 1), 1]])
    too_deep: Any = []
    for _ in range(MAX_DEPTH):
        too_deep = [too_deep]
    with pytest.raises(ProtocolError):
        apply_diff([], [["replace", [], too_deep]])
    assert apply_diff([], [["replace", [], too_deep[0]]]) == too_deep[0]  # at the limit: fine
