"""``codegen.compare``: every kind of app change, classified, from real captured schemas edited
the way an app author's edit would change them."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen.codegen.compare import (
    EXIT_BREAKING,
    EXIT_COMPATIBLE,
    EXIT_NO_CHANGE,
    Change,
    Classification,
    Comparison,
    Kind,
    compare,
    generated_from,
    read_sdk_header,
    relocated,
    snapshot_beside,
)
from gradio_codegen.codegen.errors import SourceError
from gradio_codegen.codegen.schema import Snapshot
from gradio_codegen.codegen.sources import snapshot_from_documents

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
EXAMPLES = ROOT / "generated_examples"

Docs = tuple[dict[str, Any], dict[str, Any]]  # (info, config)


def documents(major: int, app: str, info: str = "info.json") -> Docs:
    folder = SCHEMAS / f"gradio{major}" / app
    return (
        json.loads((folder / info).read_text()),
        json.loads((folder / "config.json").read_text()),
    )


def snap(docs: Docs, source: str = "http://127.0.0.1:7860") -> Snapshot:
    info, config = docs
    return snapshot_from_documents(info, config, source=source)


def edited(docs: Docs, edit: Callable[[dict[str, Any], dict[str, Any]], None]) -> Snapshot:
    info, config = copy.deepcopy(docs)
    edit(info, config)
    return snap((info, config))


def dependency(config: dict[str, Any], api_name: str) -> dict[str, Any]:
    return next(d for d in config["dependencies"] if d["api_name"] == api_name)


def add_component(config: dict[str, Any], kind: str, **props: Any) -> int:
    new_id = max(c["id"] for c in config["components"]) + 1
    config["components"].append({"id": new_id, "type": kind, "props": props})
    return new_id


def textbox_param(name: str, default: Any = None, has_default: bool = False) -> dict[str, Any]:
    return {
        "label": name,
        "parameter_name": name,
        "parameter_has_default": has_default,
        "parameter_default": default,
        "type": {"type": "string"},
        "component": "Textbox",
    }


def only(result: Comparison, kind: Kind) -> Change:
    found = [c for c in result.changes if c.kind is kind]
    assert len(found) == 1, result.table()
    return found[0]


def kinds(result: Comparison) -> list[tuple[str, Kind, Classification]]:
    return [(c.endpoint, c.kind, c.classification) for c in result.changes]


B, C = Classification.BREAKING, Classification.COMPATIBLE


@pytest.fixture
def echo6() -> Docs:
    return documents(6, "text_echo")


@pytest.fixture
def multi6() -> Docs:
    return documents(6, "multi_endpoints")


# -- no change --------------------------------------------------------------------------------


@pytest.mark.parametrize("major", [4, 5, 6])
@pytest.mark.parametrize("app", ["text_echo", "all_components", "state_counter"])
def test_the_unchanged_app_has_no_change(major: int, app: str) -> None:
    docs = documents(major, app)
    result = compare(snap(docs), snap(docs))
    assert result.changes == () and result.exit_code == EXIT_NO_CHANGE == 0
    assert result.result == "unchanged"
    assert "No change" in result.table()


def test_where_the_app_is_served_from_is_no_change(echo6: Docs) -> None:
    """Another host, port, or a trailing slash: the same schema is the same app."""
    here = snap(echo6, "http://127.0.0.1:7860/")
    there = snap(echo6, "https://staging.example.org:8443")
    assert here.schema_hash == there.schema_hash
    assert compare(here, there).changes == ()


# -- endpoints --------------------------------------------------------------------------------


def test_swapped_listeners_move_both_fn_indexes(multi6: Docs) -> None:
    def swap(info: dict[str, Any], config: dict[str, Any]) -> None:
        add, sub = dependency(config, "add"), dependency(config, "subtract")
        add["id"], sub["id"] = sub["id"], add["id"]

    result = compare(snap(multi6), edited(multi6, swap))
    assert sorted(kinds(result)) == [
        ("/add", Kind.FN_INDEX_CHANGED, B),
        ("/subtract", Kind.FN_INDEX_CHANGED, B),
    ]
    add = next(c for c in result.changes if c.endpoint == "/add")
    assert (add.before, add.after) == ("0", "1")
    assert "would run another function" in add.detail
    assert result.exit_code == EXIT_BREAKING == 3


def test_an_endpoint_removed_and_another_shifted_into_its_fn_index(multi6: Docs) -> None:
    def remove_add(info: dict[str, Any], config: dict[str, Any]) -> None:
        del info["named_endpoints"]["/add"]
        config["dependencies"] = [d for d in config["dependencies"] if d["api_name"] != "add"]
        for d in config["dependencies"]:
            d["id"] -= 1

    result = compare(snap(multi6), edited(multi6, remove_add))
    assert only(result, Kind.ENDPOINT_REMOVED).endpoint == "/add"
    # Every later listener shifts down by one; /subtract now sits where /add was.
    shifted = {
        c.endpoint: (c.before, c.after) for c in result.changes if c.kind is Kind.FN_INDEX_CHANGED
    }
    assert shifted == {
        "/subtract": ("1", "0"),
        "/multiply": ("2", "1"),
        "/fast_max": ("5", "4"),
        "/sleepy": ("6", "5"),
    }
    assert all(c.breaking for c in result.changes)


def test_a_renamed_endpoint_is_one_change(echo6: Docs) -> None:
    def rename(info: dict[str, Any], config: dict[str, Any]) -> None:
        named = info["named_endpoints"]
        named["/shout"] = named.pop("/echo")
        dependency(config, "echo")["api_name"] = "shout"

    result = compare(snap(echo6), edited(echo6, rename))
    change = only(result, Kind.ENDPOINT_RENAMED)
    assert len(result.changes) == 1 and change.breaking
    assert (change.endpoint, change.before, change.after) == ("/echo", "/echo", "/shout")
    assert "shout()" in change.detail


def test_gradio_renaming_interface_endpoints_is_caught_as_a_rename() -> None:
    """Gradio 6 names an Interface's endpoint after its function: /predict became /greet."""
    result = compare(snap(documents(5, "interface_app")), snap(documents(6, "interface_app")))
    assert (only(result, Kind.ENDPOINT_RENAMED).after) == "/greet"
    assert only(result, Kind.GRADIO_VERSION_CHANGED).classification is C


def test_look_alike_endpoints_at_other_positions_are_not_a_rename(multi6: Docs) -> None:
    """/subtract removed and /divide added elsewhere: same signature, but not the same listener."""

    def replace(info: dict[str, Any], config: dict[str, Any]) -> None:
        named = info["named_endpoints"]
        named["/divide"] = named.pop("/subtract")
        sub = dependency(config, "subtract")
        sub["api_name"] = "divide"
        sub["id"] = 99

    result = compare(snap(multi6), edited(multi6, replace))
    assert only(result, Kind.ENDPOINT_REMOVED).endpoint == "/subtract"
    assert only(result, Kind.ENDPOINT_ADDED).endpoint == "/divide"


def test_a_new_endpoint_is_compatible(echo6: Docs) -> None:
    def add_endpoint(info: dict[str, Any], config: dict[str, Any]) -> None:
        named = info["named_endpoints"]
        named["/shout"] = copy.deepcopy(named["/echo"])
        dep = copy.deepcopy(dependency(config, "echo"))
        dep.update(id=2, api_name="shout")
        config["dependencies"].append(dep)

    result = compare(snap(echo6), edited(echo6, add_endpoint))
    change = only(result, Kind.ENDPOINT_ADDED)
    assert len(result.changes) == 1 and change.classification is C
    assert "shout(text: str) -> str | None" in change.detail
    assert result.exit_code == EXIT_COMPATIBLE == 1 and result.result == "compatible"


def test_an_endpoint_hidden_from_the_docs_counts_as_removed_and_says_why() -> None:
    docs = documents(6, "multi_endpoints", info="info_all_endpoints.json")

    def hide(info: dict[str, Any], config: dict[str, Any]) -> None:
        info["named_endpoints"]["/add"]["api_visibility"] = "undocumented"
        dependency(config, "add")["api_visibility"] = "undocumented"

    result = compare(snap(docs), edited(docs, hide))
    assert "--include-hidden" in only(result, Kind.ENDPOINT_REMOVED).detail
    # An SDK generated with --include-hidden still has it: no call changes, only its hash.
    kept = compare(snap(docs), edited(docs, hide), include_hidden=True)
    assert [c.kind for c in kept.changes] == [Kind.OTHER]


# -- inputs -----------------------------------------------------------------------------------


def _add_input(position: int | None, *, has_default: bool) -> Callable[..., None]:
    def edit(info: dict[str, Any], config: dict[str, Any]) -> None:
        new_id = add_component(config, "textbox", label="suffix")
        dep = dependency(config, "concat")
        params = info["named_endpoints"]["/concat"]["parameters"]
        param = textbox_param("suffix", "!" if has_default else None, has_default)
        at = len(params) if position is None else position
        params.insert(at, param)
        dep["inputs"].insert(at, new_id)

    return edit


def test_an_input_added_at_the_end_with_a_default_is_compatible(echo6: Docs) -> None:
    result = compare(snap(echo6), edited(echo6, _add_input(None, has_default=True)))
    change = only(result, Kind.INPUT_ADDED)
    assert len(result.changes) == 1 and change.classification is C
    assert (change.endpoint, change.item) == ("/concat", "suffix")
    assert "'suffix: str = '!''" in change.detail and "position 4 of 4" in change.detail


def test_a_required_input_added_is_breaking(echo6: Docs) -> None:
    result = compare(snap(echo6), edited(echo6, _add_input(None, has_default=False)))
    change = only(result, Kind.INPUT_ADDED)
    assert change.breaking and "new required input 'suffix: str'" in change.detail


def test_an_input_with_a_default_inserted_before_others_is_breaking(echo6: Docs) -> None:
    """concat(a, b, sep=" ") -> concat(a, suffix="!", b, ...): concat("x", "y") changes meaning."""
    result = compare(snap(echo6), edited(echo6, _add_input(1, has_default=True)))
    change = only(result, Kind.INPUT_ADDED)
    assert change.breaking and "positional calls change meaning" in change.detail
    # b now follows a parameter with a default, so the SDK makes it (and what follows it)
    # keyword-only: concat("x", "y", "-") stops working too.
    keyword_only = [c.item for c in result.changes if c.kind is Kind.INPUT_NOW_KEYWORD_ONLY]
    assert keyword_only == ["b", "sep"]


def test_an_input_removed_is_breaking(echo6: Docs) -> None:
    def remove_sep(info: dict[str, Any], config: dict[str, Any]) -> None:
        info["named_endpoints"]["/concat"]["parameters"].pop()
        dependency(config, "concat")["inputs"].pop()

    result = compare(snap(echo6), edited(echo6, remove_sep))
    change = only(result, Kind.INPUT_REMOVED)
    assert len(result.changes) == 1 and change.breaking and change.item == "sep"
    assert "position 3 of 3" in change.detail


def test_renamed_and_reordered_inputs(echo6: Docs) -> None:
    def rename_b(info: dict[str, Any], config: dict[str, Any]) -> None:
        param = info["named_endpoints"]["/concat"]["parameters"][1]
        param["parameter_name"] = param["label"] = "second"

    change = only(compare(snap(echo6), edited(echo6, rename_b)), Kind.INPUT_RENAMED)
    assert change.breaking and (change.before, change.after) == ("b", "second")

    def swap_a_b(info: dict[str, Any], config: dict[str, Any]) -> None:
        params = info["named_endpoints"]["/concat"]["parameters"]
        params[0], params[1] = params[1], params[0]
        inputs = dependency(config, "concat")["inputs"]
        inputs[0], inputs[1] = inputs[1], inputs[0]

    result = compare(snap(echo6), edited(echo6, swap_a_b))
    assert sorted(c.item or "" for c in result.changes if c.kind is Kind.INPUT_MOVED) == ["a", "b"]
    assert all(c.breaking for c in result.changes)


def test_defaults_gained_lost_and_changed(echo6: Docs) -> None:
    def defaults(info: dict[str, Any], config: dict[str, Any]) -> None:
        params = info["named_endpoints"]["/concat"]["parameters"]
        params[2].update(parameter_has_default=False, parameter_default=None)  # sep: required
        params[1].update(parameter_has_default=True, parameter_default="")  # b: optional

    result = compare(snap(echo6), edited(echo6, defaults))
    required = only(result, Kind.INPUT_NOW_REQUIRED)
    assert required.breaking and required.item == "sep" and required.before == "' '"
    gained = only(result, Kind.INPUT_DEFAULT_ADDED)
    assert gained.classification is C and gained.item == "b"

    def new_default(info: dict[str, Any], config: dict[str, Any]) -> None:
        info["named_endpoints"]["/concat"]["parameters"][2]["parameter_default"] = "-"

    change = only(compare(snap(echo6), edited(echo6, new_default)), Kind.INPUT_DEFAULT_CHANGED)
    assert change.classification is C and (change.before, change.after) == ("' '", "'-'")


# -- choices and types ------------------------------------------------------------------------


@pytest.fixture
def scalars6() -> Docs:
    return documents(6, "scalar_inputs")


def _summarize_param(info: dict[str, Any], label: str) -> dict[str, Any]:
    params = info["named_endpoints"]["/summarize"]["parameters"]
    found: dict[str, Any] = next(p for p in params if p["label"] == label)
    return found


def test_a_choice_removed_is_breaking_and_a_choice_added_compatible(scalars6: Docs) -> None:
    def no_blue(info: dict[str, Any], config: dict[str, Any]) -> None:
        _summarize_param(info, "Radio")["type"]["enum"].remove("blue")

    change = only(compare(snap(scalars6), edited(scalars6, no_blue)), Kind.CHOICE_REMOVED)
    assert change.breaking and change.item == "radio" and change.before == "'blue'"

    def yellow(info: dict[str, Any], config: dict[str, Any]) -> None:
        _summarize_param(info, "Radio")["type"]["enum"].append("yellow")
        _summarize_param(info, "Multi")["type"]["items"]["enum"].append("plum")

    result = compare(snap(scalars6), edited(scalars6, yellow))
    assert sorted((c.item, c.after) for c in result.changes) == [
        ("multi", "'plum'"),
        ("radio", "'yellow'"),
    ]
    assert {c.kind for c in result.changes} == {Kind.CHOICE_ADDED}
    assert result.exit_code == EXIT_COMPATIBLE


def test_a_choice_removed_from_a_dropdown_that_takes_any_value_breaks_nothing(
    scalars6: Docs,
) -> None:
    def custom(info: dict[str, Any], config: dict[str, Any]) -> None:
        for c in config["components"]:
            if c.get("props", {}).get("label") == "Dropdown":
                c["props"]["allow_custom_value"] = True

    def custom_without_c(info: dict[str, Any], config: dict[str, Any]) -> None:
        custom(info, config)
        _summarize_param(info, "Dropdown")["type"]["enum"].remove("c")

    before = edited(scalars6, custom)
    change = only(compare(before, edited(scalars6, custom_without_c)), Kind.CHOICE_REMOVED)
    assert change.classification is C
    # Taking away "any value" is a narrowing.
    narrowed = only(compare(before, snap(scalars6)), Kind.INPUT_TYPE_NARROWED)
    assert narrowed.breaking and narrowed.item == "dropdown"


def _bounds(minimum: float, maximum: float) -> Callable[..., None]:
    def edit(info: dict[str, Any], config: dict[str, Any]) -> None:
        for c in config["components"]:
            if c["type"] == "slider":
                c["props"].update(minimum=minimum, maximum=maximum)

    return edit


def test_a_narrowed_type_is_breaking_and_a_widened_one_compatible(scalars6: Docs) -> None:
    result = compare(snap(scalars6), edited(scalars6, _bounds(2, 8)))
    narrowed = only(result, Kind.INPUT_TYPE_NARROWED)
    assert narrowed.breaking and narrowed.item == "slider"
    widened = only(
        compare(snap(scalars6), edited(scalars6, _bounds(-5, 100))), Kind.INPUT_TYPE_WIDENED
    )
    assert widened.classification is C

    def text_to_number(info: dict[str, Any], config: dict[str, Any]) -> None:
        _summarize_param(info, "Text")["type"] = {"type": "number"}

    changed = only(
        compare(snap(scalars6), edited(scalars6, text_to_number)), Kind.INPUT_TYPE_CHANGED
    )
    assert changed.breaking and (changed.before, changed.after) == ("str", "float")

    def int_to_float(info: dict[str, Any], config: dict[str, Any]) -> None:
        _summarize_param(info, "Number")["type"] = {"type": "number"}
        for c in config["components"]:
            if c.get("props", {}).get("label") == "Number":
                c["props"].pop("precision", None)

    assert (
        only(
            compare(snap(scalars6), edited(scalars6, int_to_float)), Kind.INPUT_TYPE_WIDENED
        ).before
        == "int"
    )


# -- outputs and State ------------------------------------------------------------------------


def test_an_output_added_or_removed_is_breaking(echo6: Docs) -> None:
    def add_output(info: dict[str, Any], config: dict[str, Any]) -> None:
        new_id = add_component(config, "textbox", label="length")
        info["named_endpoints"]["/concat"]["returns"].append(
            {"label": "length", "type": {"type": "string"}, "component": "Textbox"}
        )
        dependency(config, "concat")["outputs"].append(new_id)

    result = compare(snap(echo6), edited(echo6, add_output))
    change = only(result, Kind.OUTPUT_ADDED)
    assert len(result.changes) == 1 and change.breaking and change.item == "length"
    assert compare(edited(echo6, add_output), snap(echo6)).changes[0].kind is Kind.OUTPUT_REMOVED


def test_output_types(echo6: Docs) -> None:
    def number_output(info: dict[str, Any], config: dict[str, Any]) -> None:
        info["named_endpoints"]["/echo"]["returns"][0]["type"] = {"type": "number"}

    change = only(compare(snap(echo6), edited(echo6, number_output)), Kind.OUTPUT_TYPE_CHANGED)
    assert change.breaking and (change.before, change.after) == ("str", "float")

    def json_output(info: dict[str, Any], config: dict[str, Any]) -> None:
        ret = info["named_endpoints"]["/echo"]["returns"][0]
        ret.update(type={"type": {}, "description": "any valid json"}, component="Json")

    # Anything -> str: every value the app sends now is one the SDK already took.
    narrowed = only(compare(edited(echo6, json_output), snap(echo6)), Kind.OUTPUT_TYPE_NARROWED)
    assert narrowed.classification is C


def test_a_state_inserted_is_breaking(echo6: Docs) -> None:
    """A gr.State put before 'b': public inputs are unchanged, the wire layout is not."""

    def insert_state(info: dict[str, Any], config: dict[str, Any]) -> None:
        state = add_component(config, "state")
        dependency(config, "concat")["inputs"].insert(1, state)

    result = compare(snap(echo6), edited(echo6, insert_state))
    change = only(result, Kind.STATE_INPUT_ADDED)
    assert len(result.changes) == 1 and change.breaking and change.endpoint == "/concat"
    assert "position 2 of 4" in change.detail

    def state_output(info: dict[str, Any], config: dict[str, Any]) -> None:
        dependency(config, "echo")["outputs"].insert(0, add_component(config, "state"))

    assert only(compare(snap(echo6), edited(echo6, state_output)), Kind.STATE_OUTPUT_ADDED).breaking


def test_a_state_removed_or_moved_is_breaking() -> None:
    docs = documents(6, "state_counter")  # /increment(step, count=State, history=State)

    def drop_history(info: dict[str, Any], config: dict[str, Any]) -> None:
        dependency(config, "increment")["inputs"].pop()

    assert only(compare(snap(docs), edited(docs, drop_history)), Kind.STATE_INPUT_REMOVED).breaking

    def state_first(info: dict[str, Any], config: dict[str, Any]) -> None:
        inputs = dependency(config, "increment")["inputs"]
        inputs.insert(0, inputs.pop())

    assert only(compare(snap(docs), edited(docs, state_first)), Kind.STATE_INPUT_MOVED).breaking


# -- the app as a whole ------------------------------------------------------------------------


def test_app_wide_changes() -> None:
    info, config = documents(6, "text_echo")
    old = snap((info, config))
    moved = old.model_copy(update={"api_prefix": "/api"}).with_hash()
    assert only(compare(old, moved), Kind.API_PREFIX_CHANGED).breaking
    limited = old.model_copy(update={"max_file_size": 1000}).with_hash()
    assert only(compare(old, limited), Kind.MAX_FILE_SIZE_CHANGED).breaking
    assert only(compare(limited, old), Kind.MAX_FILE_SIZE_CHANGED).classification is C


def test_a_schema_change_the_sdk_does_not_show_is_still_reported(echo6: Docs) -> None:
    """Only a label's help text changed: no call changes, but the SDK's docstrings and hash do."""

    def help_text(info: dict[str, Any], config: dict[str, Any]) -> None:
        for c in config["components"]:
            if c["id"] == 1:
                c["props"]["info"] = "what to echo"

    result = compare(snap(echo6), edited(echo6, help_text))
    assert [c.kind for c in result.changes] == [Kind.OTHER]
    assert result.exit_code == EXIT_COMPATIBLE


# -- reports ----------------------------------------------------------------------------------


def test_json_form_is_the_data(echo6: Docs) -> None:
    result = compare(snap(echo6), edited(echo6, _add_input(None, has_default=False)))
    data = json.loads(result.to_json())
    assert data["format"] == "gradio-codegen-diff" and data["result"] == "breaking"
    assert data["exit_code"] == 3 and data["old_schema_hash"].startswith("sha256:")
    assert data["changes"] == [
        {
            "endpoint": "/concat",
            "kind": "input_added",
            "classification": "breaking",
            "detail": "new required input 'suffix: str' (position 4 of 4)",
            "item": "suffix",
            "before": None,
            "after": None,
        }
    ]


def test_table_lists_breaking_first_with_a_summary(echo6: Docs) -> None:
    def both(info: dict[str, Any], config: dict[str, Any]) -> None:
        named = info["named_endpoints"]
        named["/shout"] = copy.deepcopy(named["/echo"])
        dep = copy.deepcopy(dependency(config, "echo"))
        dep.update(id=2, api_name="shout")
        config["dependencies"].append(dep)
        named["/concat"]["parameters"].pop()
        dependency(config, "concat")["inputs"].pop()

    text = compare(snap(echo6), edited(echo6, both)).table("sdk.schema.json", "the app")
    lines = text.splitlines()
    assert lines[0].startswith("2 changes between sdk.schema.json (sha256:")
    assert lines[0].endswith("1 breaking, 1 compatible")
    rows = [line.split() for line in lines[3:5]]
    assert rows[0][:4] == ["breaking", "/concat", "input", "removed"]
    assert rows[1][:4] == ["compatible", "/shout", "endpoint", "added"]
    assert lines[-1].startswith("Breaking: the SDK no longer fits the app.")


def test_hostile_names_and_choices_print_as_one_safe_line(scalars6: Docs) -> None:
    evil = "red\x1b[2J\nrm -rf ~\u2028"

    def poison(info: dict[str, Any], config: dict[str, Any]) -> None:
        _summarize_param(info, "Radio")["type"]["enum"].append(evil)
        named = info["named_endpoints"]
        named["/x\x1b]0;owned\x07\n"] = named.pop("/summarize")
        config["dependencies"][0]["api_name"] = "x\x1b]0;owned\x07\n"

    result = compare(snap(scalars6), edited(scalars6, poison))
    text = result.table()
    assert "\x1b" not in text and "\x07" not in text and "\u2028" not in text
    assert all(line.isprintable() for line in text.splitlines())
    assert json.loads(result.to_json())["changes"][0]["endpoint"] == "/summarize"


# -- what an SDK was generated from -----------------------------------------------------------


def test_an_sdk_is_compared_through_the_snapshot_beside_it(tmp_path: Path) -> None:
    sdk = tmp_path / "text_echo.py"
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.py", sdk)
    shutil.copy(EXAMPLES / "gradio6" / "text_echo.schema.json", tmp_path / "text_echo.schema.json")
    assert snapshot_beside(str(sdk)) == str(tmp_path / "text_echo.schema.json")

    baseline = generated_from(str(sdk))
    assert baseline.header is not None
    assert baseline.header.schema_hash == baseline.snapshot.schema_hash
    assert baseline.header.src == "http://127.0.0.1:17861"
    assert compare(baseline.snapshot, snap(documents(6, "text_echo"))).changes == ()

    (tmp_path / "text_echo.schema.json").unlink()
    with pytest.raises(SourceError, match="no snapshot .* looked for .*text_echo.schema.json"):
        generated_from(str(sdk))

    other = EXAMPLES / "gradio5" / "text_echo.schema.json"
    shutil.copy(other, tmp_path / "text_echo.schema.json")
    with pytest.raises(SourceError, match="is not what .* was generated from"):
        generated_from(str(sdk))
    # Named explicitly (as a project configuration does), the snapshot is checked the same way.
    with pytest.raises(SourceError, match="is not what"):
        generated_from(str(sdk), snapshot_path=str(other))


def test_a_snapshot_file_is_its_own_baseline() -> None:
    path = EXAMPLES / "gradio6" / "text_echo.schema.json"
    baseline = generated_from(str(path))
    assert baseline.header is None and baseline.snapshot.gradio_version == "6.31.0"


def test_files_that_are_not_baselines(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        generated_from(str(tmp_path / "gone.schema.json"))
    plain = tmp_path / "plain.py"
    plain.write_text("print('hello')\n")
    with pytest.raises(SourceError, match="not a module written by gradio-codegen"):
        generated_from(str(plain))


def test_sdk_header_records_options_and_location(tmp_path: Path) -> None:
    from clirun import run

    folder = SCHEMAS / "gradio6" / "multi_endpoints"
    out = tmp_path / "calc.py"
    code, _, err = run(
        str(folder / "info_all_endpoints.json"),
        "--config",
        str(folder / "config.json"),
        "--src",
        "http://10.0.0.5:7860",
        "--class-name",
        "Calc",
        "--include-hidden",
        "-o",
        str(out),
    )
    assert code == 0, err
    header = read_sdk_header(str(out))
    assert header is not None
    assert header.class_name == "Calc" and header.include_hidden
    assert header.src == "http://10.0.0.5:7860" and header.space_id is None
    assert header.command.endswith("--src http://10.0.0.5:7860")
    assert read_sdk_header(str(folder / "config.json")) is None


def test_the_same_schema_served_elsewhere_renders_to_the_same_module(tmp_path: Path) -> None:
    """What ``--check`` needs: generated from one address, checked against another (or the same
    URL with a trailing slash), the module is up to date; a real change still shows."""
    from clirun import run

    from gradio_codegen.codegen.diagnostics import Diagnostics
    from gradio_codegen.codegen.pipeline import generate

    info, config = (
        SCHEMAS / "gradio6" / "text_echo" / "info.json",
        SCHEMAS / "gradio6" / "text_echo" / "config.json",
    )
    out = tmp_path / "sdk.py"
    code, _, err = run(
        str(info), "--config", str(config), "--src", "http://127.0.0.1:7860/", "-o", str(out)
    )
    assert code == 0, err
    header = read_sdk_header(str(out))
    assert header is not None

    def regenerated(fresh: Snapshot) -> str:
        return generate(
            relocated(fresh, header),
            diagnostics=Diagnostics(),
            class_name=header.class_name,
            include_hidden=header.include_hidden,
            regenerate_from=header.command,
        )

    elsewhere = snap(documents(6, "text_echo"), source="https://staging.example.org:8443")
    assert regenerated(elsewhere) == out.read_text()

    def remove_sep(info: dict[str, Any], config: dict[str, Any]) -> None:
        info["named_endpoints"]["/concat"]["parameters"].pop()
        dependency(config, "concat")["inputs"].pop()

    changed = edited(documents(6, "text_echo"), remove_sep)
    assert regenerated(changed) != out.read_text()
