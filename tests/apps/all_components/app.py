"""Every value component of issue #5, as an input and an output where that makes sense.

Mostly echo endpoints (component -> same component) so a client's round trip shows how a value
travels both ways; producers for output-only components (AnnotatedImage, Label, plots,
DownloadButton) and a rich Chatbot history (a file message and a metadata title); and three
endpoints that send what their schema does not announce (empty outputs, `gr.update`, a Dropdown
value off its choices). Small synthetic data only. Runs unchanged on Gradio 4.44.1, 5.50.0 and
6.31.0: `GR_MAJOR` switches drop `ImageSlider` on 4 and pick the Chatbot messages format. Prints a
marker line once `launch()` has returned, so a schema capture never reads a half-built `/info`.
"""
import json
import os
import tempfile

import gradio as gr
import numpy as np
import pandas as pd
from gradio._simple_templates import SimpleImage  # not exported as gr.SimpleImage on 4/5/6
from gradio.components.plot import PlotData
from PIL import Image

GR_MAJOR = int(gr.__version__.split(".")[0])
CHAT_KW = {} if GR_MAJOR >= 6 else {"type": "messages"}  # 6.x only has the messages format
LAUNCHED_MARKER = "all_components: launch() returned"


def _png(name: str, color: tuple[int, int, int], size: int = 8) -> str:
    path = os.path.join(tempfile.mkdtemp(), name)
    Image.new("RGB", (size, size), color).save(path)
    return path


def _text_file(name: str, text: str) -> str:
    path = os.path.join(tempfile.mkdtemp(), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def echo(value):
    return value


def dropdowns(single, multi, custom, pairs):
    return single, multi, custom, pairs


def annotate(size: float):
    side = max(4, int(size))
    mask = np.zeros((side, side), dtype=np.float32)
    mask[: side // 2, : side // 2] = 1.0
    return _png("scene.png", (10, 120, 200), side), [((0, 0, side // 2, side // 2), "box"), (mask, "mask")]


def spans(tokens):
    # Gradio's own preprocess hands over dicts its postprocess cannot read back: pass tuples.
    return [(t["token"], t["class_or_confidence"]) if isinstance(t, dict) else tuple(t) for t in tokens or []]


def classify(text: str) -> dict:
    n = max(1, len(text))
    return {"long": min(1.0, n / 20), "short": max(0.0, 1 - n / 20)}


def chat_rich(message: str) -> list:
    return [
        {"role": "user", "content": message},
        {"role": "assistant", "content": "Let me think.", "metadata": {"title": "Plan"}},
        {"role": "assistant", "content": {"path": _png("reply.png", (200, 30, 30))}},
        {"role": "assistant", "content": f"You said: {message}"},
    ]


def plots(n: float):
    k = max(2, int(n))
    df = pd.DataFrame({"x": list(range(k)), "y": [i * i for i in range(k)], "group": ["a", "b"] * (k // 2) + ["a"] * (k % 2)})
    figure = {"data": [{"type": "scatter", "x": df["x"].tolist(), "y": df["y"].tolist()}], "layout": {}}
    return PlotData(type="plotly", plot=json.dumps(figure)), df, df, df


def download(name: str) -> str:
    return _text_file(f"{name or 'notes'}.txt", f"hello from {name}\n")


def count(step: float, total: int):
    total = total + int(step)
    return total, total


def tick() -> float:
    return 1.0


def nothing():
    """Every output left empty: what a function returns when it has nothing to show."""
    return (None,) * 10


def updates():
    """Property updates instead of values: one with a new value, one that only hides its output."""
    return gr.update(value="changed", visible=True), gr.update(visible=False)


def off_the_list() -> str:
    """A Dropdown output given a value outside its choices (apps that change choices at run time)."""
    return "xl"


with gr.Blocks() as demo:
    def pair(api_name, make_in, make_out=None, fn=echo):
        """One echo-style endpoint: a fresh input component, a fresh output component, a button."""
        inp = make_in()
        out = (make_out or make_in)()
        gr.Button(api_name).click(fn, inp, out, api_name=api_name)

    pair("textbox", lambda: gr.Textbox(label="Text", value="hello"))
    pair("textarea", lambda: gr.TextArea(label="Long text"))
    pair("number_int", lambda: gr.Number(label="Whole number", value=3, precision=0))
    pair("number_float", lambda: gr.Number(label="Real number", value=1.5))
    pair("slider", lambda: gr.Slider(0, 10, value=2.5, step=0.5, label="Level"))
    pair("checkbox", lambda: gr.Checkbox(label="Enabled", value=True))
    pair("checkbox_group", lambda: gr.CheckboxGroup([("Apple", "apple"), ("Pear", "pear"), "plum"], label="Fruits"))
    pair("radio", lambda: gr.Radio(["red", "green", "blue"], value="red", label="Color name"))
    pair("radio_numbers", lambda: gr.Radio([("one", 1), ("two", 2), ("half", 0.5)], value=1, label="Amount"))

    dd_in = [
        gr.Dropdown(["small", "medium", "large"], value="medium", label="Size"),
        gr.Dropdown(["a", "b", "c"], value=["a"], multiselect=True, label="Letters"),
        gr.Dropdown(["cat", "dog"], value="cat", allow_custom_value=True, label="Animal"),
        gr.Dropdown([("Low", "lo"), ("High", "hi")], value="lo", label="Level name"),
    ]
    dd_out = [
        gr.Dropdown(["small", "medium", "large"], label="Size out"),
        gr.Dropdown(["a", "b", "c"], multiselect=True, label="Letters out"),
        gr.Dropdown(["cat", "dog"], allow_custom_value=True, label="Animal out"),
        gr.Dropdown([("Low", "lo"), ("High", "hi")], label="Level name out"),
    ]
    gr.Button("dropdowns").click(dropdowns, dd_in, dd_out, api_name="dropdowns")

    pair("color", lambda: gr.ColorPicker(label="Color", value="#ff8800"))
    pair("datetime", lambda: gr.DateTime(label="When", value="2024-01-02 03:04:05"))
    pair("image", lambda: gr.Image(type="filepath", label="Picture"))
    pair("image_editor", lambda: gr.ImageEditor(type="filepath", label="Sketch"))
    if GR_MAJOR >= 5:
        pair("image_slider", lambda: gr.ImageSlider(type="filepath", label="Before/after"))
    pair("simple_image", lambda: SimpleImage(label="Simple picture"))
    pair("audio", lambda: gr.Audio(type="filepath", label="Sound"))
    pair("video", lambda: gr.Video(label="Clip"))
    pair("file", lambda: gr.File(label="Document", type="filepath"))
    pair("files", lambda: gr.File(label="Documents", file_count="multiple", type="filepath"))
    pair("model3d", lambda: gr.Model3D(label="Mesh"))
    pair("gallery", lambda: gr.Gallery(label="Album"))
    pair(
        "annotated_image",
        lambda: gr.Number(label="Side", value=8, precision=0),
        lambda: gr.AnnotatedImage(label="Annotated"),
        annotate,
    )
    pair("chatbot", lambda: gr.Chatbot(label="History", **CHAT_KW))
    pair("chat_rich", lambda: gr.Textbox(label="Message", value="hi"), lambda: gr.Chatbot(label="Rich history", **CHAT_KW), chat_rich)
    pair("multimodal", lambda: gr.MultimodalTextbox(label="Prompt"))
    pair("json", lambda: gr.JSON(label="Data"))
    pair("dataframe", lambda: gr.Dataframe(headers=["name", "value"], datatype=["str", "number"], value=[["a", 1]], label="Table"))
    pair("label", lambda: gr.Textbox(label="Phrase", value="short"), lambda: gr.Label(label="Class"), classify)
    pair("highlighted_text", lambda: gr.HighlightedText(label="Spans", interactive=True), fn=spans)
    pair("code", lambda: gr.Code(language="python", label="Snippet", value="print(1)"))
    pair("html", lambda: gr.HTML(label="Markup", value="<b>bold</b>"))
    pair("markdown", lambda: gr.Markdown(label="Notes", value="# Title"))

    n_points = gr.Number(label="Points", value=4, precision=0)
    plot_outs = [
        gr.Plot(label="Figure"),
        gr.LinePlot(x="x", y="y", label="Line"),
        gr.BarPlot(x="x", y="y", label="Bars"),
        gr.ScatterPlot(x="x", y="y", color="group", label="Scatter"),
    ]
    gr.Button("plots").click(plots, n_points, plot_outs, api_name="plots")

    pair("download_button", lambda: gr.Textbox(label="File name", value="notes"), lambda: gr.DownloadButton(label="Download"), download)
    pair("upload_button", lambda: gr.UploadButton(label="Upload", type="filepath"), lambda: gr.File(label="Uploaded"))

    step = gr.Number(label="Step", value=1)
    total = gr.State(0)
    shown = gr.Number(label="Total", precision=0)
    gr.Button("count").click(count, [step, total], [shown, total], api_name="count")

    empty_outs = [
        gr.Textbox(label="No text"),
        gr.Number(label="No number"),
        gr.Checkbox(label="No flag"),
        gr.Dropdown(["x", "y"], label="No choice"),
        gr.Image(label="No image"),
        gr.File(label="No file"),
        gr.Gallery(label="No album"),
        gr.Chatbot(label="No chat", **CHAT_KW),
        gr.Label(label="No label"),
        gr.Dataframe(label="No table"),
    ]
    gr.Button("nothing").click(nothing, None, empty_outs, api_name="nothing")
    gr.Button("updates").click(
        updates, None, [gr.Textbox(label="Updated text"), gr.Number(label="Hidden number")], api_name="updates"
    )
    pair("off_the_list", lambda: gr.Textbox(label="Ignored"), lambda: gr.Dropdown(["small", "medium", "large"], label="Extra size"), lambda _: off_the_list())

    timer = gr.Timer(1.0, active=False)
    ticks = gr.Number(label="Ticks")
    timer.tick(tick, None, ticks, api_name="tick")

if __name__ == "__main__":
    demo.launch(
        server_name="127.0.0.1",
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        prevent_thread_lock=True,
    )
    print(LAUNCHED_MARKER, flush=True)
    demo.block_thread()
