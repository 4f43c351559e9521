"""What the layout check can tell from an app's /config: ``compare`` on edited copies of the
captured ``text_echo`` /config, with no server.

The clients' side (``verify``) is in ``tests/runtime/test_verify.py``; the same changes against real
Gradio 4, 5 and 6 servers in ``tests/live/test_app_changes.py``.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from gradio_codegen.runtime._queue._layout import compare
from hostile_app import example_sdk

pytestmark = pytest.mark.timeout(60)

sdk = example_sdk("text_echo")
ECHO, CONCAT = sdk._ECHO, sdk._CONCAT
CONFIG = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures/schemas/gradio6/text_echo/config.json"
    ).read_text()
)


def edited(**changes: Any) -> dict[str, Any]:
    """The captured /config with dependency ``concat`` (fn 1: a, b, sep -> joined) edited."""
    config = copy.deepcopy(CONFIG)
    dep = config["dependencies"][1]
    for key, value in changes.items():
        dep[key] = value
    return config


def add_component(config: dict[str, Any], kind: str, **props: Any) -> int:
    new_id = max(c["id"] for c in config["components"]) + 1
    config["components"].append({"id": new_id, "type": kind, "props": props})
    return new_id


def kinds(config: dict[str, Any], endpoint: rt.Endpoint[Any] = CONCAT) -> list[str]:
    return [c.kind for c in compare(config, endpoint, "/gradio_api")[1]]


# -- compare: what the runtime can tell from /config ---------------------------------------------


def test_an_unchanged_endpoint_passes_with_its_fn_index() -> None:
    plan, changes = compare(CONFIG, CONCAT, "/gradio_api")
    assert changes == ()
    assert plan is not None and plan.fn_index == 1


def test_endpoints_swapped_only_move_the_fn_index() -> None:
    config = copy.deepcopy(CONFIG)
    config["dependencies"].reverse()
    for position, dep in enumerate(config["dependencies"]):
        dep["id"] = position
    plan, changes = compare(config, ECHO, "/gradio_api")
    assert plan is not None and plan.fn_index == 1
    assert [c.kind for c in changes] == ["fn_index_changed"]


def test_a_removed_or_renamed_endpoint_names_what_the_app_has() -> None:
    config = edited(api_name="join")
    plan, changes = compare(config, CONCAT, "/gradio_api")
    assert plan is None
    assert [c.kind for c in changes] == ["endpoint_removed"]
    assert "/echo, /join" in changes[0].detail


def test_an_input_added_or_removed_is_told_by_its_count() -> None:
    config = edited()
    extra = add_component(config, "textbox")
    config["dependencies"][1]["inputs"] = [4, 5, 6, extra]
    assert kinds(config) == ["input_added"]
    assert kinds(edited(inputs=[5, 6])) == ["input_removed"]


def test_a_state_inserted_or_replacing_an_input_is_told_apart() -> None:
    config = edited()
    state = add_component(config, "state")
    config["dependencies"][1]["inputs"] = [4, state, 5, 6]
    assert kinds(config) == ["state_input_added"]
    config["dependencies"][1]["inputs"] = [4, state, 6]
    assert kinds(config) == ["input_removed", "state_input_added"]


def test_a_component_of_another_type_in_a_slot_is_a_type_change() -> None:
    config = edited()
    number = add_component(config, "number")
    config["dependencies"][1]["inputs"] = [4, number, 6]
    config["dependencies"][1]["outputs"] = [number]
    plan, changes = compare(config, CONCAT, "/gradio_api")
    assert [(c.kind, c.detail) for c in changes] == [
        ("input_type_changed", "input 'b' is now a number, the SDK has a textbox"),
        ("output_type_changed", "output 'joined' is now a number, the SDK has a textbox"),
    ]


def test_choices_removed_break_and_choices_added_do_not() -> None:
    pick = rt.Endpoint(
        "/concat",
        fn_index=1,
        inputs=(
            rt.Param("a", s.Optional(s.Choice(("x", "y", "z"))), component="radio"),
            rt.Param("b", s.List(s.Choice((1, 2))), component="dropdown"),
            rt.Param("sep", s.Str(), component="textbox"),
        ),
        outputs=(rt.Output("joined", s.Str(), component="textbox"),),
    )
    config = edited()
    radio = add_component(config, "radio", choices=[["X", "x"], ["Y", "y"]])
    dropdown = add_component(config, "dropdown", choices=[["one", 1], ["two", 2.0], ["3", 3]])
    config["dependencies"][1]["inputs"] = [radio, dropdown, 6]
    plan, changes = compare(config, pick, "/gradio_api")
    assert [(c.kind, c.detail) for c in changes] == [
        ("choice_removed", "input 'a' no longer offers 'z'"),
        ("choice_added", "input 'b' also offers 3"),
    ]


def test_an_output_added_and_a_moved_api() -> None:
    config = edited(outputs=[7, 2])
    assert kinds(config) == ["output_added"]
    moved = copy.deepcopy(CONFIG)
    moved["api_prefix"] = "/api/v2"
    assert kinds(moved) == ["api_prefix_changed"]


# -- SDKs that know less: older snapshots, without fn_index, State positions or component types --

STATE_CONFIG = json.loads(
    (
        Path(__file__).resolve().parents[2] / "fixtures/schemas/gradio6/state_counter/config.json"
    ).read_text()
)
INCREMENT = example_sdk("state_counter")._INCREMENT


def test_an_sdk_without_component_types_is_checked_by_counts_and_state_only() -> None:
    """A schema captured before the generator wrote ``component=``: types cannot be compared, so
    they are not; every other difference still is."""
    plain = rt.Endpoint(
        "/concat",
        fn_index=1,
        inputs=tuple(rt.Param(p.name, p.shape) for p in CONCAT.params),
        outputs=tuple(rt.Output(o.name, o.shape) for o in CONCAT.public_outputs),
    )
    config = edited()
    number = add_component(config, "number")
    config["dependencies"][1]["inputs"] = [4, number, 6]
    assert kinds(config, plain) == []  # a textbox became a number: the SDK cannot tell
    assert kinds(edited(inputs=[5, 6]), plain) == ["input_removed"]


def test_an_sdk_without_fn_index_takes_the_state_positions_from_the_app() -> None:
    """A schema captured without /config has only public slots (``fn_index=None``): the plan the
    check hands back places them around the app's State slots, and only public slots count."""
    public_only = rt.Endpoint(
        "/increment",
        fn_index=None,
        inputs=tuple(INCREMENT.params),
        outputs=tuple(INCREMENT.public_outputs),
    )
    plan, changes = compare(STATE_CONFIG, public_only, "/gradio_api")
    assert changes == ()
    assert plan is not None
    assert (plan.fn_index, plan.inputs, plan.outputs) == (0, INCREMENT.inputs, INCREMENT.outputs)
    config = copy.deepcopy(STATE_CONFIG)
    config["dependencies"][0]["inputs"] = config["dependencies"][0]["inputs"][1:]
    assert kinds(config, public_only) == ["input_removed"]


def hostile_configs() -> list[Any]:
    """/config documents of the wrong shape, each field where compare looks replaced by junk."""
    junk: list[Any] = [None, "x", 7, -1, 1.5, True, [], {}, [None], [[1]], {"id": "1"}, ["a"] * 3]
    configs: list[Any] = [{"api_prefix": "/gradio_api", "dependencies": j} for j in junk]
    for j in junk:
        configs.append({**copy.deepcopy(CONFIG), "components": j})
        configs.append({**copy.deepcopy(CONFIG), "api_prefix": j})
        for key in ("api_name", "id", "inputs", "outputs", "api_visibility"):
            configs.append(edited(**{key: j}))
        wrong = copy.deepcopy(CONFIG)
        for component in wrong["components"]:
            component["type"], component["props"] = j, {"choices": j}
        configs.append(wrong)
    return configs


def test_a_config_of_the_wrong_shape_is_a_protocol_error_or_a_change_never_a_crash() -> None:
    """Whatever an app puts where compare looks, the answer is the endpoint's plan, the changes
    it found, or a ``ProtocolError`` -- never a TypeError, KeyError or a wrong plan."""
    outcomes = set()
    for config in hostile_configs():
        for endpoint in (ECHO, CONCAT, INCREMENT):
            try:
                plan, changes = compare(config, endpoint, "/gradio_api")
            except rt.ProtocolError as e:
                assert "/config" in str(e)
                outcomes.add("protocol")
                continue
            assert all(c.endpoint == endpoint.api_name for c in changes)
            if plan is not None and not changes:  # passed: then it is the SDK's own layout
                assert (plan.inputs, plan.outputs) == (endpoint.inputs, endpoint.outputs)
            outcomes.add("changed" if changes else "passed")
    assert outcomes == {"protocol", "changed", "passed"}


def test_a_config_with_twenty_thousand_endpoints_is_compared_quickly() -> None:
    """Size is bounded where the document is read (``_json.MAX_BYTES``); what is read is compared
    in one pass, so even a huge app costs the check little."""
    config = copy.deepcopy(CONFIG)
    config["dependencies"] = [
        {"id": i + 2, "api_name": f"fn{i}", "inputs": [4], "outputs": [2]} for i in range(20_000)
    ] + config["dependencies"]
    began = time.monotonic()
    plan, changes = compare(config, CONCAT, "/gradio_api")
    assert time.monotonic() - began < 5
    assert plan is not None and plan.fn_index == 1 and changes == ()  # its "id" is still 1
