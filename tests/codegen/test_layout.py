"""Generated modules are laid out exactly as black lays them out, without running black.

Generation prints every statement itself (``codegen/syntax.py``, ``codegen/layout.py``), so each
test here formats the output with black and compares: black must find nothing to change. The
direct layouts of the commonest statement shapes are also compared with the general one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import black
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradio_codegen.codegen import syntax
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.schema import Snapshot
from gradio_codegen.codegen.sources import snapshot_from_documents
from gradio_codegen.codegen.syntax import number_literal, string_literal
from gradio_codegen.codegen.typemap import MAX_LITERAL_CHOICES
from thoroughness import examples

MODE = black.Mode(line_length=100)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
STR = {"type": "string"}


@contextmanager
def general_layout_only() -> Iterator[None]:
    syntax.FAST_LANES = False
    try:
        yield
    finally:
        syntax.FAST_LANES = True


def snapshot(endpoints: dict[str, Any], **kw: Any) -> Snapshot:
    info = {"named_endpoints": endpoints, "unnamed_endpoints": {}}
    return snapshot_from_documents(info, None, source="http://127.0.0.1:7860")


def assert_black_stable(snap: Snapshot, **kw: Any) -> str:
    """Generate, and check black would write the same, and so would the general layout alone."""
    source = generate(snap, diagnostics=Diagnostics(), **kw)
    assert black.format_str(source, mode=MODE) == source
    with general_layout_only():
        assert generate(snap, diagnostics=Diagnostics(), **kw) == source
    return source


def param(name: str, schema: Any = STR, *, default: Any = ..., component: str = "Textbox") -> Any:
    p = {"label": name, "parameter_name": name, "type": schema, "component": component}
    if default is not ...:
        p.update(parameter_has_default=True, parameter_default=default)
    return p


def ret(label: str, schema: Any = STR) -> Any:
    return {"label": label, "type": schema, "component": "Textbox"}


def enum(values: list[Any]) -> Any:
    return {"type": "string", "enum": values}


CASES: dict[str, dict[str, Any]] = {
    "long choices in a signature": {
        "/pick": {
            "parameters": [param("choice", enum([f"option number {i}" for i in range(40)]))],
            "returns": [ret("out", enum([f"option number {i}" for i in range(40)]))],
        }
    },
    "keyword-only parameters, one per line": {
        "/kw": {
            "parameters": [
                param("first_parameter_with_a_long_name", default="a default value"),
                param("second_parameter_with_a_long_name"),
                param("third_parameter_with_a_long_name", default="another default"),
            ],
            "returns": [ret("x")],
        }
    },
    "a lone parameter too long for the def line": {
        "/" + "lone_" * 12: {"parameters": [param("value_" * 8)], "returns": [ret("x")]},
    },
    "no parameters and a long result": {
        "/results": {
            "parameters": [],
            "returns": [ret(f"output {i}", enum(["a" * 30, "b" * 30])) for i in range(3)],
        }
    },
    "quotes, backslashes and wide characters": {
        "/text": {
            "parameters": [
                param("both", enum(['it\'s "quoted"', "back\\slash", "名前" * 30, "😀"])),
                param("edge", default='"starts with a quote'),
            ],
            "returns": [ret("ends with a backslash \\")],
            "description": '"Quoted" description\nwith a line ending in a backslash \\\nand "',
        }
    },
    "numbers as black writes them": {
        "/numbers": {
            "parameters": [
                param("big", {"type": "number"}, default=1e100),
                param("tiny", {"type": "number"}, default=1.5e-07),
                param("negative_zero", {"type": "number"}, default=-0.0),
                param("infinite", {"type": "number"}, default=math.inf),
                param("choices", enum([-1, 2**70, -(2**70)])),
            ],
            "returns": [ret("x")],
        }
    },
    "keys that are not identifiers": {
        "/odd": {
            "parameters": [],
            "returns": [
                ret(
                    "odd",
                    {
                        "type": "object",
                        "title": "Odd",
                        "properties": {"class": STR, "two words": STR, "x" * 90: STR},
                        "required": ["class"],
                    },
                )
            ],
        }
    },
    "a fake's stub: long result, long endpoint name": {
        "/"
        + "stub_me_"
        * 10: {
            "parameters": [param("x")],
            "returns": [ret("out", enum([f"result number {i}" for i in range(12)]))],
        }
    },
    "a large default and many choices": {
        f"/table_{i}": {
            "parameters": [
                param(
                    "rows",
                    {"type": "array", "items": {}},
                    default=[[j, "x" * 20] for j in range(40)],
                ),
                param("pick", enum([f"item {j}" for j in range(MAX_LITERAL_CHOICES + 1)])),
                param(
                    "nested", {"type": "object"}, default={"a": {"b": ["c" * 30] * 5}, "d": None}
                ),
            ],
            "returns": [ret("x")],
        }
        for i in range(2)
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_statements_are_laid_out_as_black_would(case: str) -> None:
    assert_black_stable(snapshot(CASES[case]))


def test_a_long_class_name_is_laid_out_as_black_would() -> None:
    source = assert_black_stable(
        snapshot(CASES["keyword-only parameters, one per line"]), class_name="A" * 70
    )
    assert f"class {'A' * 70}(_rt.Client):" in source


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("gradio6/*/info.json")), ids=lambda p: p.parent.name
)
def test_fixture_modules_are_black_stable(path: Path) -> None:
    config = json.loads((path.parent / "config.json").read_text())
    snap = snapshot_from_documents(json.loads(path.read_text()), config, source="http://h:1")
    assert_black_stable(snap)


words = st.text(st.sampled_from("abcdefgh_ "), min_size=1, max_size=40)
odd_text = st.text(st.sampled_from("aé名😀\"'\\ x"), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**25),
    st.floats(allow_nan=False),
    words,
    odd_text,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(words, inner, max_size=5)),
    max_leaves=25,
)
leaf_schemas = st.one_of(
    st.sampled_from([{"type": t} for t in ("string", "integer", "number", "boolean")]),
    st.builds(
        enum,
        st.lists(st.one_of(words, odd_text, st.integers(-99, 10**12)), min_size=1, max_size=25),
    ),
    st.just({"properties": {"path": STR, "meta": {"default": {"_type": "gradio.FileData"}}}}),
)
schemas = st.recursive(
    leaf_schemas,
    lambda inner: st.one_of(
        st.builds(lambda i: {"type": "array", "items": i}, inner),
        st.builds(lambda o: {"anyOf": o}, st.lists(inner, min_size=1, max_size=4)),
        st.builds(
            lambda t, p, r: {"type": "object", "title": t, "properties": p, "required": r},
            words,
            st.dictionaries(st.one_of(words, odd_text), inner, min_size=1, max_size=6),
            st.lists(words, max_size=3),
        ),
    ),
    max_leaves=8,
)


@st.composite
def endpoints(draw: st.DrawFn) -> dict[str, Any]:
    result = {}
    for name in draw(st.lists(words, min_size=1, max_size=3, unique=True)):
        params = []
        for _ in range(draw(st.integers(0, 8))):
            p = param(
                draw(words),
                draw(schemas),
                component=draw(st.sampled_from(["Textbox", "Dropdown", "Slider"])),
            )
            if draw(st.booleans()):
                p.update(parameter_has_default=True, parameter_default=draw(values))
            params.append(p)
        result["/" + name] = {
            "parameters": params,
            "returns": [ret(draw(words), draw(schemas)) for _ in range(draw(st.integers(0, 4)))],
            "description": draw(odd_text),
        }
    return result


@pytest.mark.timeout(900)  # black formats every example; generous for a shared machine
@settings(max_examples=examples(40), deadline=None, suppress_health_check=list(HealthCheck))
@given(endpoints())
def test_any_module_is_laid_out_as_black_would(endpoints: dict[str, Any]) -> None:
    assert_black_stable(snapshot(endpoints))


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_string_literals_are_quoted_as_black_quotes_them(text: str) -> None:
    assert (
        black.format_str(f"x = {string_literal(text)}\n", mode=MODE)
        == f"x = {string_literal(text)}\n"
    )


@settings(max_examples=examples(300), deadline=None)
@given(
    st.one_of(st.integers(0, 10**30), st.floats(min_value=0, allow_infinity=False, allow_nan=False))
)
def test_numbers_are_written_as_black_writes_them(number: int | float) -> None:
    line = f"x = {number_literal(number)}\n"
    assert black.format_str(line, mode=MODE) == line
    assert eval(number_literal(number)) == number  # noqa: S307 -- a number literal, checked above
