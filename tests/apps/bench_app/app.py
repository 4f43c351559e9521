"""Benchmark app: a trivial echo that never queues behind itself, and a fast 2000-update generator.

``concurrency_limit=None`` lets every queued call run at once, so the clients, not the app, limit
throughput; both functions are ``async`` so Gradio's worker thread pool is not the bottleneck either.
"""

import asyncio
import os

import gradio as gr


async def echo(text: str) -> str:
    """Return the input unchanged."""
    return text


async def stream(n: float):
    """Yield ``n`` small updates as fast as the server can send them (growing text, like tokens)."""
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        yield text
        await asyncio.sleep(0)


with gr.Blocks() as demo:
    inp = gr.Textbox(label="text")
    out = gr.Textbox(label="output")
    gr.Button("Echo").click(echo, inp, out, api_name="echo", concurrency_limit=None)

    n = gr.Number(label="n", value=2000, precision=0)
    streamed = gr.Textbox(label="streamed")
    gr.Button("Stream").click(stream, n, streamed, api_name="stream", concurrency_limit=None)

if __name__ == "__main__":
    demo.queue(default_concurrency_limit=None, max_size=None)
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
