"""One app, changed in one way per ``VARIANT``: what an SDK generated from ``control`` meets when
the app changes under it (issue #11; docs/app-changes.md has the table of what Gradio does).

Every function returns its own name and the arguments it received, so a result says which
function ran with what, and appends its name to ``ran.log`` in the server's working directory,
so a test can prove that no other function ran. Endpoints are in listener order, so ``fn_index``
is the position.
"""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr

V = os.environ.get("VARIANT", "control")
RAN = Path("ran.log")


def ran(name: str, *args: object) -> str:
    with RAN.open("a") as log:
        log.write(name + "\n")
    return f"{name}({', '.join(map(repr, args))})"


def first(text: str) -> str:
    return ran("first", text)


def first2(text: str) -> tuple[str, str]:
    return ran("first", text), "extra"


def second(text: str) -> str:
    return ran("second", text)


def pick(choice: str, n: float) -> str:
    return ran("pick", choice, n)


def concat(a: str, b: str) -> str:
    return ran("concat", a, b)


def concat3(a: str, b: str, c: str) -> str:
    return ran("concat3", a, b, c)


def concat_b(b: str) -> str:
    return ran("concat_b", b)


def concat_sb(a: str, s: str) -> str:
    return ran("concat_sb", a, s)


def concat_state(a: str, s: str, b: str) -> str:
    return ran("concat_state", a, s, b)


def count(step: float, total: float) -> tuple[str, float]:
    total = (total or 0) + step
    return ran("count", step, total), total


with gr.Blocks() as demo:
    text, out, out2 = gr.Textbox(label="text"), gr.Textbox(label="out"), gr.Textbox(label="out2")
    state, total = gr.State("STATE-VALUE"), gr.State(0)

    def listener_first() -> None:  # fn 0 in the control
        if V == "removed_shift":
            return
        name = "primary" if V == "renamed" else "first"
        if V == "output_added":
            gr.Button().click(first2, text, [out, out2], api_name=name)
        else:
            gr.Button().click(first, text, out, api_name=name)

    def listener_second() -> None:  # fn 1
        gr.Button().click(second, text, out, api_name="second")

    if V == "swapped":
        listener_second()
        listener_first()
    else:
        listener_first()
        listener_second()

    choices = ["a", "b"] if V == "choice_removed" else ["a", "b", "c"]
    radio = gr.Radio(choices, label="choice", value="a")
    n = gr.Number(label="n", value=1)
    gr.Button().click(pick, [radio, n], out, api_name="pick")  # fn 2

    a, b = gr.Textbox(label="a"), gr.Textbox(label="b")
    c_default, c_required = gr.Textbox(label="c", value="C-DEFAULT"), gr.Textbox(label="c")
    fn, inputs = {
        "input_added_default": (concat3, [a, b, c_default]),
        "input_added_required": (concat3, [a, b, c_required]),
        "input_removed": (concat_b, [b]),
        "state_replaces": (concat_sb, [a, state]),
        "state_inserted": (concat_state, [a, state, b]),
    }.get(V, (concat, [a, b]))
    gr.Button().click(fn, inputs, out, api_name="concat")  # fn 3

    step = gr.Number(label="step", value=1)
    gr.Button().click(count, [step, total], [out, total], api_name="count")  # fn 4

# Gradio 4 checks that it can reach itself with one HEAD request of 3 s and exits when that fails,
# which a loaded machine can make it do; ask a few times before giving up.
_networking = getattr(gr, "networking", None)
_url_ok = getattr(_networking, "url_ok", None)
if _url_ok is not None:

    def _patient_url_ok(url: str) -> bool:
        return any(_url_ok(url) for _ in range(10))

    _networking.url_ok = _patient_url_ok

if __name__ == "__main__":
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
