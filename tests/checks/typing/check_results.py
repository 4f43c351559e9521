"""What a type checker infers for results of the generated all_components SDK (Gradio 6 schema).

Never run: mypy --strict and pyright check it (tests/test_typing.py). ``assert_type`` fails the check
when the inferred type differs from the one written here, i.e. from what the value really is on the
wire (see tests/fixtures/schemas/README.md and tests/test_all_components.py). Every output may be
``None`` (a function that returns ``None``, ``gr.update(visible=False)``), and a choice component's
output may hold a value outside its choices.
"""

from __future__ import annotations

import os
from typing import Any, Literal, assert_type

import all_components_sdk as sdk
from gradio_codegen.runtime import Job, RemoteFile


def scalars(c: sdk.Client) -> None:
    assert_type(c.textbox("x"), str | None)
    assert_type(c.textbox(), str | None)
    assert_type(c.textarea("two\nlines"), str | None)
    assert_type(c.number_int(7), int | None)
    assert_type(c.number_float(2.25), float | None)
    assert_type(c.slider(3.5), float | None)
    assert_type(c.checkbox(False), bool | None)
    assert_type(c.color("#00ff00"), str | None)
    assert_type(c.datetime("2024-05-06 07:08:09"), str | None)
    assert_type(c.code("x = 1"), str | None)
    assert_type(c.html("<i>i</i>"), str | None)
    assert_type(c.markdown("**b**"), str | None)
    assert_type(c.json({"a": 1}), Any)
    assert_type(c.tick(), float | None)
    assert_type(c.count(2), int | None)


def choices(c: sdk.Client) -> None:
    assert_type(c.radio("green"), Literal["red", "green", "blue"] | str | None)
    assert_type(c.checkbox_group(["apple"]), list[Literal["apple", "pear", "plum"] | str] | None)
    amount = c.radio_numbers(0.5)
    assert amount is None or isinstance(amount, (int, float))
    result = c.dropdowns("large", ["b"], "parrot", "hi")
    assert_type(result, sdk.DropdownsResult)
    assert_type(result.size_out, Literal["small", "medium", "large"] | str | None)
    assert_type(result.letters_out, list[Literal["a", "b", "c"] | str] | None)
    assert_type(result.level_name_out, Literal["lo", "hi"] | str | None)
    size, letters, animal, level = result
    assert_type(size, Literal["small", "medium", "large"] | str | None)
    assert_type(letters, list[Literal["a", "b", "c"] | str] | None)
    assert_type(level, Literal["lo", "hi"] | str | None)
    any_text: str | None = animal  # a custom value is any string
    assert any_text


def files(c: sdk.Client, path: str) -> None:
    for one in (
        c.image(path),
        c.simple_image(path),
        c.audio(path),
        c.video(path),
        c.file(path),
        c.model3d(path),
    ):
        assert_type(one, RemoteFile | None)
    assert_type(c.files([path]), list[RemoteFile] | None)
    assert_type(c.upload_button(path), RemoteFile | None)
    assert_type(c.download_button("notes"), RemoteFile | None)
    image = c.image(path)
    if image is not None:
        assert_type(os.fspath(image), str)
    pair = c.image_slider((path, path))
    if pair is not None:
        before, after = pair
        assert_type(before, RemoteFile | None)
        assert_type(after, RemoteFile | None)


def structures(c: sdk.Client, path: str) -> None:
    editor = c.image_editor({"background": path, "layers": [path]})
    assert_type(editor, sdk.EditorData | None)
    assert editor is not None
    assert_type(editor["layers"], list[RemoteFile])
    album = c.gallery([{"image": path, "caption": "first"}])
    assert album is not None
    assert_type(album[0], sdk.GalleryImage | sdk.GalleryVideo)
    annotated = c.annotated_image(6)
    assert annotated is not None
    assert_type(annotated["image"], RemoteFile)
    assert_type(annotated["annotations"][0]["label"], str)
    prompt = c.multimodal({"text": "look", "files": [path]})
    assert prompt is not None
    assert_type(prompt["text"], str)
    table = c.dataframe({"headers": ["name", "value"], "data": [["x", 1]]})
    assert table is not None
    assert_type(table["data"], list[list[Any]])
    label = c.label("phrase")
    assert_type(label, sdk.LabelData | None)
    assert label is not None
    assert_type(label["label"], str | int | float | None)
    spans = c.highlighted_text([{"token": "Hello ", "class_or_confidence": None}])
    assert spans is not None
    assert_type(spans[0]["token"], str)
    plots = c.plots(3)
    assert_type(plots, sdk.PlotsResult)
    assert plots.figure is not None
    assert_type(plots.figure["type"], Literal["altair", "bokeh", "plotly", "matplotlib"])
    assert_type(plots.figure["plot"], str)
    assert_type(plots.line, sdk.NativePlotData | None)
    assert plots.bars is not None
    assert_type(plots.bars["mark"], str)
    assert_type(plots.bars["data"], list[list[Any]])
    assert_type(plots.bars["datatypes"], dict[str, str])


def chat(c: sdk.Client, path: str) -> None:
    history = c.chat_rich("yo")
    assert history is not None
    first = history[0]
    assert_type(first["role"], str)
    assert_type(first["content"], list[sdk.TextMessage | sdk.FileMessage | sdk.ComponentMessage])
    echoed = c.chatbot(
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "hi"}, {"type": "file", "file": path}],
            }
        ]
    )
    assert_type(echoed, list[sdk.Message] | None)


def jobs(c: sdk.Client) -> None:
    job = c.submit_textbox("x")
    assert_type(job, Job[str | None])
    assert_type(job.result(), str | None)
    assert_type(c.submit_dropdowns("small", [], "cat", "lo").result(), sdk.DropdownsResult)
    assert_type(c.submit_files([]).result(), list[RemoteFile] | None)


def module_functions(path: str) -> None:
    assert_type(sdk.textbox("x"), str | None)
    assert_type(sdk.radio("red"), Literal["red", "green", "blue"] | str | None)
    assert_type(sdk.image(path), RemoteFile | None)
    assert_type(sdk.submit_plots(3), Job[sdk.PlotsResult])
