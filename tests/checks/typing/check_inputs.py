"""Arguments a user will pass that must type-check: every file form, custom choices, defaults."""

from __future__ import annotations

import io
from pathlib import Path

import all_components_sdk as sdk
from gradio_codegen.runtime import FileSource, RemoteFile


def file_forms(c: sdk.Client, path: str, previous: RemoteFile) -> None:
    c.image(path)
    c.image(Path(path))
    c.image(b"\x89PNG")
    c.image(io.BytesIO(b"\x89PNG"))
    with open(path, "rb") as handle:
        c.image(handle)
    c.image(FileSource(b"\x89PNG", name="tiny.png", mime_type="image/png"))
    c.image(previous)  # a result file goes straight back in
    c.files([path, Path(path), b"raw", previous])
    c.image_slider((path, None))
    c.image_slider(None)


def empty_file_inputs(c: sdk.Client) -> None:
    """What a browser sends for a file input left empty (issue #12)."""
    c.image(None)
    c.simple_image(None)
    c.audio(None)
    c.video(None)
    c.file(None)
    c.files(None)
    c.model3d(None)
    c.upload_button(None)
    c.gallery(None)


def choices_and_custom_values(c: sdk.Client) -> None:
    c.radio("blue")
    c.radio_numbers(1)
    c.radio_numbers(0.5)
    c.checkbox_group([])
    c.dropdowns("small", [], "a value nobody listed", "hi")
    c.dropdowns(single="large", multi=["a", "c"], custom="dog", pairs="lo")


def defaults(c: sdk.Client) -> None:
    c.textbox()
    c.number_int()
    c.slider()
    c.checkbox()
    c.radio()
    c.dropdowns()
    c.dataframe()
    c.chatbot()
    c.multimodal()
    c.plots()


def structures(c: sdk.Client, path: str) -> None:
    c.image_editor({})
    c.image_editor({"background": path, "layers": [Path(path)], "composite": None})
    c.gallery([{"image": path}, {"video": Path(path), "caption": "clip"}])
    c.multimodal({"text": "look"})
    c.dataframe({"headers": ["a"], "data": [[1], ["x"]], "metadata": None})
    c.highlighted_text([{"token": "a"}, {"token": "b", "class_or_confidence": 0.5}])
    c.json([1, "two", {"three": None}])
    c.chatbot([{"role": "user", "content": [{"text": "hi"}]}])


def numbers_widen(c: sdk.Client) -> None:
    c.number_float(2)  # an int is a float for type checkers, and for the runtime
    c.slider(3)
