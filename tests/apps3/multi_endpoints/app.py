"""Gradio 3.x copy of tests/apps/multi_endpoints/app.py.

Only change: 3.x event listeners take neither show_api nor api_description (TypeError at start), so
/hidden_divide is an ordinary endpoint here and /subtract has no description. The rest (explicit
names, no name, api_name=False, queue=False, a front-end-only cancel) is as in the original.
"""
import os
import time

import gradio as gr

HIDDEN: dict = {}  # 3.x cannot hide an endpoint from /info
DESC: dict = {}  # nor describe one


def add(a: float, b: float) -> float:
    """Add two numbers.

    Args:
        a: first addend
        b: second addend
    """
    return a + b


def subtract(a: float, b: float) -> float:
    return a - b


def multiply(a: float, b: float) -> float:
    return a * b


def secret(a: float, b: float) -> float:
    return a ** b


def hidden_divide(a: float, b: float) -> float:
    return a / b


def fast_max(a: float, b: float) -> float:
    return max(a, b)


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return f"slept {seconds}"


with gr.Blocks() as demo:
    a = gr.Number(label="a", value=1)
    b = gr.Number(label="b", value=2)
    out = gr.Number(label="result")
    gr.Button("add").click(add, [a, b], out, api_name="add")
    gr.Button("sub").click(subtract, [a, b], out, api_name="subtract", **DESC)
    gr.Button("mul").click(multiply, [a, b], out)  # no api_name -> function name
    gr.Button("pow").click(secret, [a, b], out, api_name=False)  # private / not callable
    gr.Button("div").click(hidden_divide, [a, b], out, api_name="hidden_divide", **HIDDEN)
    gr.Button("max").click(fast_max, [a, b], out, api_name="fast_max", queue=False)
    secs = gr.Number(label="seconds", value=5)
    status = gr.Textbox(label="status")
    sleep_event = gr.Button("sleep").click(sleepy, secs, status, api_name="sleepy")
    gr.Button("stop").click(None, None, None, cancels=[sleep_event])  # front-end only cancel

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
