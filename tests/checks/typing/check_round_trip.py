"""What comes out goes back in: for every component of all_components that is both an input and
an output, the result of a call is accepted where that component is an input, with no cast (issue
#12). Results are ``T | None``, so a value is first told apart from ``None`` as a user would
(``or``, ``if``), except for file inputs, which take ``None`` themselves (an input left empty).

Results are plain lists and TypedDicts with every key present; argument TypedDicts have read-only
keys (PEP 705), which is what lets a result stand for an argument. The one exception is a choice
component (``choices_are_the_exception``): its result may be a value the app added at run time,
typed ``str``, while the argument keeps the ``Literal`` of the known choices.

``test_typing.py`` checks that every component both ways has a function here, named after it.
"""

from __future__ import annotations

from typing import Any

import all_components_sdk as sdk


def textbox(c: sdk.Client) -> None:
    c.textbox(c.textbox("x") or "")
    c.textarea(c.textarea("two\nlines") or "")


def code(c: sdk.Client) -> None:
    c.code(c.code("x = 1") or "")


def colorpicker(c: sdk.Client) -> None:
    c.color(c.color("#00ff00") or "#000000")


def datetime(c: sdk.Client) -> None:
    c.datetime(c.datetime("2024-05-06 07:08:09") or "now")


def html(c: sdk.Client) -> None:
    c.html(c.html("<b>b</b>") or "")


def markdown(c: sdk.Client) -> None:
    c.markdown(c.markdown("**b**") or "")


def number(c: sdk.Client) -> None:
    whole = c.number_int(7)
    if whole is not None:
        c.number_int(whole)
        c.number_float(whole)
    real = c.number_float(2.5)
    if real is not None:
        c.number_float(real)
    total = c.count(1)
    if total is not None:
        c.count(total)


def slider(c: sdk.Client) -> None:
    level = c.slider(3.5)
    if level is not None:
        c.slider(level)


def checkbox(c: sdk.Client) -> None:
    flag = c.checkbox(True)
    if flag is not None:
        c.checkbox(flag)


def json(c: sdk.Client) -> None:
    data: Any = c.json({"a": 1})
    c.json(data)


def dataframe(c: sdk.Client) -> None:
    table = c.dataframe()
    if table is not None:
        c.dataframe(table)


def highlightedtext(c: sdk.Client) -> None:
    c.highlighted_text(c.highlighted_text([{"token": "a"}]) or [])


def multimodaltextbox(c: sdk.Client) -> None:
    prompt = c.multimodal({"text": "look"})
    if prompt is not None:
        c.multimodal(prompt)


def chatbot(c: sdk.Client) -> None:
    history = c.chat_rich("hi")  # the pattern: one call's history is the next one's input
    c.chatbot(history or [])
    c.chatbot(c.chatbot(history or []) or [])
    if history:
        c.chatbot([*history, {"role": "user", "content": [{"text": "and then?"}]}])


def image(c: sdk.Client, path: str) -> None:
    c.image(c.image(path))  # a file input takes None: no narrowing needed


def simpleimage(c: sdk.Client, path: str) -> None:
    c.simple_image(c.simple_image(path))


def audio(c: sdk.Client, path: str) -> None:
    c.audio(c.audio(path))


def video(c: sdk.Client, path: str) -> None:
    c.video(c.video(path))


def model3d(c: sdk.Client, path: str) -> None:
    c.model3d(c.model3d(path))


def file(c: sdk.Client, path: str) -> None:
    c.file(c.file(path))
    c.files(c.files([path]))
    c.file(c.upload_button(path))  # an UploadButton's result is a File's value


def imageeditor(c: sdk.Client, path: str) -> None:
    editor = c.image_editor({"background": path})
    if editor is not None:
        c.image_editor(editor)


def imageslider(c: sdk.Client, path: str) -> None:
    c.image_slider(c.image_slider((path, path)))


def gallery(c: sdk.Client, path: str) -> None:
    c.gallery(c.gallery([{"image": path}]))


def choices_are_the_exception(c: sdk.Client) -> None:
    """Radio, Dropdown and CheckboxGroup results may hold a choice the app added at run time
    (typed ``str``), which the argument's ``Literal`` does not take; a Dropdown that allows
    custom values takes any string, so its result goes back in."""
    c.radio(c.radio("red") or "red")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.checkbox_group(c.checkbox_group(["apple"]) or [])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    sizes = c.dropdowns()
    c.dropdowns(single=sizes.size_out or "small")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.dropdowns(custom=sizes.animal_out or "cat")
    amount = c.radio_numbers(1)  # choices with a float are typed float both ways: it goes back
    c.radio_numbers(amount or 1)
