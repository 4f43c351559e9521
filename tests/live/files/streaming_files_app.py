"""A generator that yields images and one that yields files, for the download tests: each update
is a new file on the server, and the final result repeats the last update's file."""

import os
import tempfile
import time

import gradio as gr
from PIL import Image


def frames(n: float):
    for i in range(int(n)):
        time.sleep(0.05)
        yield Image.new("RGB", (16, 16), (60 * i % 256, 90, 200))


def reports(n: float):
    folder = tempfile.mkdtemp()
    for i in range(int(n)):
        path = os.path.join(folder, f"report_{i}.txt")
        with open(path, "w") as f:
            f.write(f"report {i}\n")
        time.sleep(0.05)
        yield path


def one_file(text: str) -> str:
    path = os.path.join(tempfile.mkdtemp(), "note.txt")
    with open(path, "w") as f:
        f.write(text)
    return path


with gr.Blocks() as demo:
    n = gr.Number(label="n", value=3, precision=0)
    image = gr.Image(label="Frame", type="pil")
    gr.Button("Frames").click(frames, n, image, api_name="frames")
    report = gr.File(label="Report")
    gr.Button("Reports").click(reports, n, report, api_name="reports")
    text = gr.Textbox(label="Text")
    note = gr.File(label="Note")
    gr.Button("Note").click(one_file, text, note, api_name="one_file")

if __name__ == "__main__":
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
