"""Identifiers made from schema text: valid, readable, ASCII, never shadowing what matters."""

from __future__ import annotations

import keyword

import pytest

from gradio_codegen.codegen.names import NameScope, camel_name, is_plain_identifier, snake_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text", "text"),
        ("Image (filepath)", "image_filepath"),
        ("class", "class_"),
        ("def", "def_"),
        ("None", "none"),
        ("True", "true"),
        ("self", "self"),  # a fine snake name; parameters reserve it through their scope
        ("2nd value", "arg_2nd_value"),
        ("naïve input", "naive_input"),
        ("Größe (Ünïcödé 名前)", "grosse_unicode"),
        ("", "arg"),
        ("   ", "arg"),
        ("名前", "arg"),
        ("/weird-name.v2", "weird_name_v2"),
        ("HighlightedText", "highlighted_text"),
        ("HTTPServer", "http_server"),
        ("__init__", "init"),
        ("input", "input_"),
        ("type", "type_"),
        ("match", "match_"),
        ("_", "arg"),
        ("a\x00b", "a_b"),
        ("\ud800lone", "lone"),
        ("print('x'); import os", "print_x_import_os"),
    ],
)
def test_snake_name(text: str, expected: str) -> None:
    assert snake_name(text, prefix="arg") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Message", "Message"),
        ("Checkbox Group", "CheckboxGroup"),
        ("file data", "FileData"),
        ("2 things", "Data2Things"),
        ("", "Data"),
        ("Exception", "Exception_"),
        ("None", "None_"),
        ("ÉtéData", "EteData"),
    ],
)
def test_camel_name(text: str, expected: str) -> None:
    assert camel_name(text, prefix="Data") == expected


def test_non_string_labels_fall_back_to_the_prefix() -> None:
    assert snake_name({"key": "chat"}, prefix="value") == "value"
    assert snake_name(None, prefix="value") == "value"
    assert camel_name(3, prefix="Data") == "Data"


def test_scope_numbers_collisions_and_respects_reserved_names() -> None:
    scope = NameScope({"self", "client"})
    assert scope.claim("value") == "value"
    assert scope.claim("value") == "value_2"
    assert scope.claim("value") == "value_3"
    assert scope.claim("self") == "self_"
    assert scope.claim("self") == "self_2"
    assert scope.claim("class_") == "class_"
    assert scope.claim("class_") == "class_2"
    types = NameScope({"Client"})
    assert types.claim("Client") == "Client_"
    assert types.claim("Client") == "Client2"


def test_scope_companions_are_claimed_together() -> None:
    scope = NameScope()
    assert scope.claim("bar", also=("submit_{}",)) == "bar"
    # "submit_bar" is taken by bar's companion: the endpoint "/submit_bar" must go elsewhere.
    assert scope.claim("submit_bar", also=("submit_{}",)) == "submit_bar_2"
    assert "submit_submit_bar_2" in scope


def test_every_produced_name_is_a_usable_identifier() -> None:
    samples = ["", "0", "class", "None", "ñ", "a b", "😀", "__", "if", "lambda x: 1", "\n", "await"]
    for text in samples:
        for name in (snake_name(text, prefix="arg"), camel_name(text, prefix="Data")):
            assert name.isidentifier() and name.isascii(), name
            assert not keyword.iskeyword(name), name
            assert not name.startswith("_"), name


@pytest.mark.parametrize(
    ("key", "plain"),
    [
        ("path", True),
        ("class", False),
        ("2x", False),
        ("__dunder", False),
        ("ñ", False),
        ("_type", True),
    ],
)
def test_plain_identifier(key: str, plain: bool) -> None:
    assert is_plain_identifier(key) is plain
