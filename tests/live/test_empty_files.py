"""A file input left empty reaches the app as ``None``, on real Gradio 4, 5 and 6.

A browser submits ``null`` for an Image, Audio, Video, File, Model3D, UploadButton, Gallery or
ImageSlider the person left empty, and so does ``gradio_client``; the SDK types those parameters
``X | None`` (docs/DESIGN.md, "Empty inputs"). Here the SDK generated from the running
``tests/apps/all_components`` sends ``None`` to each such input, and the app's echo function shows
what it received: every component's ``preprocess`` must hand the function ``None`` (an error, or a
value, would come back otherwise). Inputs a browser always fills keep refusing ``None`` before
any request.
"""

from __future__ import annotations

import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import gradio_codegen.runtime as rt
from sdkgen import generate, import_module
from servers import GRADIO_VERSIONS

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]

APP = "all_components"

# The echo endpoints of all_components whose input holds files, and the Gradio majors that have
# them (ImageSlider came with Gradio 5).
FILE_INPUTS = {
    "image": "456",
    "simple_image": "456",
    "audio": "456",
    "video": "456",
    "file": "456",
    "files": "456",
    "model3d": "456",
    "upload_button": "456",
    "gallery": "456",
    "image_slider": "56",
}
# Inputs holding files that a browser submits a value for even when empty: an ImageEditor its empty
# layers, a MultimodalTextbox its empty text and files, a Chatbot its empty history.
FILLED_BY_BROWSER = {"image_editor", "multimodal", "chatbot"}
# What the app answers once its function got None: its output component's postprocess of None.
# Gallery's is an empty gallery; every other one's is None.
EMPTY_RESULT: dict[str, Any] = {"gallery": []}


@pytest.fixture(scope="module", params=[m for m in ("4", "5", "6") if m in GRADIO_VERSIONS])
def sdk(
    request: pytest.FixtureRequest, server_pool: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, ModuleType, Any]:
    major: str = request.param
    server = server_pool.get(APP, major)
    folder: Path = tmp_path_factory.mktemp(f"empty-g{major}")
    module = import_module(
        generate(server.url, folder / f"{APP}_empty_g{major}.py"), f"{APP}_empty_g{major}_sdk"
    )
    with module.Client(server.url, timeout=120) as client:
        yield major, module, client


@pytest.mark.parametrize("name", sorted(FILE_INPUTS))
def test_none_for_an_empty_file_input_reaches_the_app_as_none(
    sdk: tuple[str, ModuleType, Any], name: str
) -> None:
    major, module, client = sdk
    if major not in FILE_INPUTS[name]:
        pytest.skip(f"no {name} on Gradio {major}")
    hints = typing.get_type_hints(getattr(module.Client, name))
    assert type(None) in typing.get_args(hints["value"]), hints["value"]
    assert getattr(client, name)(None) == EMPTY_RESULT.get(name)
    job = getattr(client, f"submit_{name}")(None)
    assert job.result() == EMPTY_RESULT.get(name)
    assert job.status().code is rt.Status.FINISHED


def test_every_input_that_holds_files_is_covered(sdk: tuple[str, ModuleType, Any]) -> None:
    """An input of all_components whose value holds files is either above or one the browser
    always fills: a new one must be placed in one of the two."""
    major, module, _ = sdk
    endpoints = [v for v in vars(module).values() if isinstance(v, rt.Endpoint)]
    holding_files = {
        e.python_name for e in endpoints if any("File()" in repr(p.shape) for p in e.params)
    }
    expected = {n for n, majors in FILE_INPUTS.items() if major in majors} | FILLED_BY_BROWSER
    assert holding_files == expected


@pytest.mark.parametrize("name", ["textbox", *sorted(FILLED_BY_BROWSER)])
def test_inputs_a_browser_always_fills_refuse_none_before_any_request(
    sdk: tuple[str, ModuleType, Any], name: str
) -> None:
    _, _, client = sdk
    with pytest.raises(rt.InputError, match="parameter 'value'"):
        getattr(client, name)(None)
