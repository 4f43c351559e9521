"""Image arguments of a Gradio 3 app (inline data URLs) beside file arguments (uploads), on the
scripted stand-in: a file passed only as images is never uploaded; the same file passed as an
image and as a file argument goes both ways, in one call."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from gradio3_standin import Gradio3Standin

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
IMAGE_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
BOTH: rt.Endpoint[str | None] = rt.Endpoint(
    "/echo",
    fn_index=0,
    inputs=(
        rt.Param("picture", s.Optional(s.File())),
        rt.Param("attachment", s.Optional(s.File())),
    ),
    outputs=(rt.Output("output", s.Str()),),
    python_name="echo",
)


def standin(second: str) -> Gradio3Standin:
    """An app whose /echo takes an image and a ``second`` component (``file`` or ``image``),
    outside the queue, answering a fixed text."""
    app = Gradio3Standin(queue=False)
    app.config["components"] = [
        {"id": 1, "type": "image", "props": {}},
        {"id": 2, "type": second, "props": {}},
        {"id": 3, "type": "textbox", "props": {}},
    ]
    app.config["dependencies"][0].update(inputs=[1, 2], outputs=[3])
    app.run_answer = (200, {"data": ["ok"]})
    return app


def call(app: Gradio3Standin, *args: Any) -> tuple[Any, ...]:
    class Legacy(rt.Client):
        pass

    Legacy.app = rt.AppSpec(src=app.url, protocol="ws", gradio_version="3.50.2")
    with Legacy(timeout=30) as client:
        assert client._predict(BOTH, *args) == "ok"
    (sent,) = app.received
    return tuple(sent["data"])


def test_one_file_as_an_image_and_as_a_file_goes_inline_and_uploaded(tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    with standin("file") as app:
        image, attachment = call(app, picture, picture)
    assert image == IMAGE_URL
    assert attachment == {
        "name": "/tmp/gradio/standin/upload-1",
        "data": None,
        "is_file": True,
        "orig_name": "dot.png",
    }
    (upload,) = app.uploads
    assert PNG in upload and b'filename="dot.png"' in upload


def test_one_file_as_two_images_is_not_uploaded(tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    with standin("image") as app:
        assert call(app, picture, picture) == (IMAGE_URL, IMAGE_URL)
    assert app.uploads == []
    assert "POST /upload HTTP/1.1" not in app.seen
