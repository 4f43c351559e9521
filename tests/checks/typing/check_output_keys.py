"""Results are pydantic dumps: every key of an output object is on the wire, ``null`` when unset
(seen on 4/5/6 for Gallery ``caption``, ImageEditor ``id``, Chatbot ``metadata``/``options``/
``alt_text``/``type``, Label, HighlightedText, MultimodalTextbox ``files``, Dataframe ``metadata``).
So output TypedDicts can declare every key as present, which lets users index results directly and
tell the parts of a message apart by their ``type`` (``final`` TypedDicts also narrow with ``in``).
"""

from __future__ import annotations

from typing import Any, Literal, assert_type

import all_components_sdk as sdk
from gradio_codegen.runtime import RemoteFile


def keys_are_present(c: sdk.Client, path: str) -> None:
    editor = c.image_editor({})
    assert editor is not None
    assert_type(editor["background"], RemoteFile | None)
    assert_type(editor["layers"], list[RemoteFile])
    assert_type(editor["id"], str | None)
    prompt = c.multimodal({"text": "look"})
    assert prompt is not None
    assert_type(prompt["files"], list[RemoteFile])
    label = c.label("phrase")
    assert label is not None
    assert_type(label["label"], str | int | float | None)
    assert_type(label["confidences"], list[sdk.LabelConfidence] | None)
    spans = c.highlighted_text([{"token": "a"}])
    assert spans is not None
    assert_type(spans[0]["class_or_confidence"], str | float | None)
    table = c.dataframe()
    assert table is not None
    assert_type(table["metadata"], dict[str, list[Any] | None] | None)


def chat_parts_tell_themselves_apart(c: sdk.Client) -> None:
    history = c.chat_rich("yo")
    assert history is not None
    message = history[0]
    assert_type(message["metadata"], sdk.MetadataDict | None)
    assert_type(message["options"], list[sdk.OptionDict] | None)
    for part in message["content"]:
        if part["type"] == "text":
            assert_type(part["text"], str)
        elif part["type"] == "file":
            assert_type(part["file"], RemoteFile)
            assert_type(part["alt_text"], str | None)
        else:
            assert_type(part["type"], Literal["component"])


def gallery_items_narrow(c: sdk.Client, path: str) -> None:
    for item in c.gallery([{"image": path}]) or []:
        assert_type(item["caption"], str | None)
        if "image" in item:
            assert_type(item["image"], RemoteFile)
        else:
            assert_type(item["video"], RemoteFile)
