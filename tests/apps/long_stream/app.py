"""Long and cancellable generators: 1000 fast updates, and a ticker whose progress another endpoint
reports (so a test can see whether a cancelled generator really stopped on the server)."""
import os
import time

import gradio as gr

TICKS = {"n": 0}


def long_text(n: float):
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        yield text


def long_list(n: float):
    items = []
    for i in range(int(n)):
        items.append(i)
        yield items


def ticker(seconds: float):
    TICKS["n"] = 0
    for i in range(int(seconds * 20)):
        TICKS["n"] = i + 1
        time.sleep(0.05)
        yield i + 1


def ticks() -> float:
    return TICKS["n"]


with gr.Blocks() as demo:
    n = gr.Number(label="n", value=1000, precision=0)
    text = gr.Textbox(label="text")
    gr.Button("Text").click(long_text, n, text, api_name="long_text")
    items = gr.JSON(label="items")
    gr.Button("List").click(long_list, n, items, api_name="long_list")
    seconds = gr.Number(label="seconds", value=30)
    tick = gr.Number(label="tick")
    gr.Button("Tick").click(ticker, seconds, tick, api_name="ticker")
    count = gr.Number(label="count")
    gr.Button("Ticks").click(ticks, None, count, api_name="ticks", concurrency_limit=None)

if __name__ == "__main__":
    demo.launch(server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
