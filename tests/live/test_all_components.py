"""Every component of ``tests/apps/all_components`` through a generated SDK, on real Gradio 4, 5 and 6.

For each version the SDK is generated from the running app with the ``gradio-codegen`` command, each
endpoint is called with a small real value, and the result is checked two ways: it must be an instance
of the return type the SDK declares (walked recursively by ``typeconform``: NamedTuple fields, TypedDict
keys, Literal members, list items, ``RemoteFile``), and it must carry what was sent (the echo came
back, the file downloaded has the bytes uploaded).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import struct
import typing
import wave
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from servers import GRADIO_VERSIONS
from sdkgen import generate, import_module
from typeconform import mismatches

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]

APP = "all_components"


# -- input files ----------------------------------------------------------------------------------


def _png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (255, 0, 0)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Files:
    png: Path
    png2: Path
    wav: Path
    mp4: Path
    txt: Path
    obj: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    d = tmp_path_factory.mktemp("inputs")
    (d / "red.png").write_bytes(_png())
    (d / "blue.png").write_bytes(_png(rgb=(0, 0, 255)))
    with wave.open(str(d / "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x10" * 800)
    (d / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not a real video")
    (d / "notes.txt").write_text("some notes\n")
    (d / "triangle.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    return Files(
        d / "red.png",
        d / "blue.png",
        d / "tone.wav",
        d / "clip.mp4",
        d / "notes.txt",
        d / "triangle.obj",
    )


def content(f: object) -> bytes:
    """The bytes of a downloaded result file."""
    return Path(os.fspath(f)).read_bytes()  # type: ignore[call-overload]


# -- the endpoints and what a user checks -----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    args: Callable[[Files, str], tuple[Any, ...]]
    expect: Callable[[Any, Files, str], None]
    majors: frozenset[str] = field(default_factory=lambda: frozenset({"4", "5", "6"}))


def echo(value: object) -> Case:
    def expect(result: Any, f: Files, major: str) -> None:
        assert result == value

    return Case(lambda f, m: (value,), expect)


def same_file(name: str) -> Case:
    def expect(result: Any, f: Files, major: str) -> None:
        assert content(result) == getattr(f, name).read_bytes()

    return Case(lambda f, m: (str(getattr(f, name)),), expect)


def _chat_history(f: Files, major: str) -> list[dict[str, Any]]:
    if major == "6":
        return [
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
            {"role": "user", "content": [{"type": "file", "file": str(f.png)}]},
        ]
    return [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": {"file": str(f.png)}},
    ]


def _text_of(message: dict[str, Any], major: str) -> Any:
    parts = message["content"]
    return parts[0]["text"] if major == "6" else parts


def _expect_chatbot(result: Any, f: Files, major: str) -> None:
    assert [m["role"] for m in result] == ["user", "assistant", "user"]
    assert [_text_of(m, major) for m in result[:2]] == ["hi", "hello"]
    file_part = result[2]["content"][0] if major == "6" else result[2]["content"]
    assert content(file_part["file"]) == f.png.read_bytes()


def _expect_chat_rich(result: Any, f: Files, major: str) -> None:
    assert [m["role"] for m in result] == ["user", "assistant", "assistant", "assistant"]
    assert _text_of(result[0], major) == "yo"
    assert result[1]["metadata"]["title"] == "Plan"
    file_part = result[2]["content"][0] if major == "6" else result[2]["content"]
    assert content(file_part["file"]).startswith(b"\x89PNG")
    assert _text_of(result[3], major) == "You said: yo"


def _expect_dropdowns(result: Any, f: Files, major: str) -> None:
    assert tuple(result) == ("large", ["b", "c"], "parrot", "hi")
    assert result.animal_out == "parrot"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG"), data[:16]
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _expect_png(result: Any, sent: Path) -> None:
    # Gradio 4 re-encodes uploaded images; 5 and 6 hand back the same bytes.
    assert _png_size(content(result)) == _png_size(sent.read_bytes())


def _json_value(major: str) -> dict[str, Any]:
    # A "path" key in JSON *input* makes the Gradio 4 server look for a file and fail (its own
    # preprocessing treats any dict with a string "path" as a file); 5 and 6 pass it through.
    value: dict[str, Any] = {"a": [1, 2.5, None, True], "nested": {"k": "v"}}
    return value if major == "4" else {**value, "path": "not/a/file.txt"}


def _expect_equal(result: Any, expected: Any) -> None:
    assert result == expected


def _expect_editor(result: Any, f: Files, major: str) -> None:
    # The editor re-encodes images (RGB becomes RGBA): compare what survives, the size.
    assert _png_size(content(result["background"])) == (4, 3)
    assert [_png_size(content(layer)) for layer in result["layers"]] == [(4, 3)]
    assert _png_size(content(result["composite"])) == (4, 3)


def _expect_slider(result: Any, f: Files, major: str) -> None:
    assert [content(x) for x in result] == [f.png.read_bytes(), f.png2.read_bytes()]


def _video_args(f: Files, major: str) -> tuple[Any, ...]:
    return (str(f.mp4),) if major == "6" else ({"video": str(f.mp4), "subtitles": None},)


def _expect_video(result: Any, f: Files, major: str) -> None:
    clip = result if major == "6" else result["video"]
    assert content(clip) == f.mp4.read_bytes()


def _expect_files(result: Any, f: Files, major: str) -> None:
    assert [content(x) for x in result] == [f.txt.read_bytes(), f.obj.read_bytes()]


def _expect_gallery(result: Any, f: Files, major: str) -> None:
    assert [content(item["image"]) for item in result] == [f.png.read_bytes(), f.png2.read_bytes()]
    assert [item.get("caption") for item in result] == ["first", None]


def _expect_annotated(result: Any, f: Files, major: str) -> None:
    assert content(result["image"]).startswith(b"\x89PNG")
    assert [a["label"] for a in result["annotations"]] == ["box", "mask"]
    assert all(content(a["image"]).startswith(b"\x89PNG") for a in result["annotations"])


def _expect_multimodal(result: Any, f: Files, major: str) -> None:
    assert result["text"] == "look"
    assert [content(x) for x in result["files"]] == [f.png.read_bytes()]


def _expect_dataframe(result: Any, f: Files, major: str) -> None:
    assert result["headers"] == ["name", "value"]
    assert result["data"] == [["x", 1], ["y", 2.5]]


def _expect_label(result: Any, f: Files, major: str) -> None:
    assert result["label"] == "long"
    assert {c["label"] for c in result["confidences"]} == {"long", "short"}


def _expect_plots(result: Any, f: Files, major: str) -> None:
    figure, line, bars, scatter = result
    assert figure["type"] == "plotly" and '"scatter"' in figure["plot"]
    assert [line["mark"], bars["mark"], scatter["mark"]] == ["line", "bar", "point"]
    assert line["data"] == [[0, 0, "a"], [1, 1, "b"], [2, 4, "a"]]


def _expect_download(result: Any, f: Files, major: str) -> None:
    assert content(result) == b"hello from report\n"
    assert result.name == "report.txt"


SPANS = [
    {"token": "Hello ", "class_or_confidence": None},
    {"token": "world", "class_or_confidence": "noun"},
]
TABLE = {"headers": ["name", "value"], "data": [["x", 1], ["y", 2.5]], "metadata": None}

CASES: dict[str, Case] = {
    "textbox": echo("x"),
    "textarea": echo("two\nlines"),
    "number_int": echo(7),
    "number_float": echo(2.25),
    "slider": echo(3.5),
    "checkbox": echo(False),
    "checkbox_group": echo(["apple", "plum"]),
    "radio": echo("green"),
    "radio_numbers": echo(0.5),
    "dropdowns": Case(lambda f, m: ("large", ["b", "c"], "parrot", "hi"), _expect_dropdowns),
    "color": echo("#00ff00"),
    "datetime": echo("2024-05-06 07:08:09"),
    "image": Case(lambda f, m: (str(f.png),), lambda r, f, m: _expect_png(r, f.png)),
    "image_editor": Case(
        lambda f, m: (
            {"background": str(f.png), "layers": [str(f.png2)], "composite": str(f.png)},
        ),
        _expect_editor,
    ),
    "image_slider": Case(
        lambda f, m: ((str(f.png), str(f.png2)),), _expect_slider, frozenset({"5", "6"})
    ),
    "simple_image": same_file("png"),
    "audio": same_file("wav"),
    "video": Case(_video_args, _expect_video),
    "file": same_file("txt"),
    "files": Case(lambda f, m: ([str(f.txt), str(f.obj)],), _expect_files),
    "model3d": same_file("obj"),
    "gallery": Case(
        lambda f, m: (
            [{"image": str(f.png), "caption": "first"}, {"image": str(f.png2), "caption": None}],
        ),
        _expect_gallery,
    ),
    "annotated_image": Case(lambda f, m: (6,), _expect_annotated),
    "chatbot": Case(lambda f, m: (_chat_history(f, m),), _expect_chatbot),
    "chat_rich": Case(lambda f, m: ("yo",), _expect_chat_rich),
    "multimodal": Case(lambda f, m: ({"text": "look", "files": [str(f.png)]},), _expect_multimodal),
    "json": Case(lambda f, m: (_json_value(m),), lambda r, f, m: _expect_equal(r, _json_value(m))),
    "dataframe": Case(lambda f, m: (TABLE,), _expect_dataframe),
    "label": Case(lambda f, m: ("a longer phrase here",), _expect_label),
    "highlighted_text": echo(SPANS),
    "code": echo("x = 1"),
    "html": echo("<i>i</i>"),
    "markdown": echo("**b**"),
    "plots": Case(lambda f, m: (3,), _expect_plots),
    "download_button": Case(lambda f, m: ("report",), _expect_download),
    "upload_button": same_file("txt"),
    "tick": Case(lambda f, m: (), lambda r, f, m: None),
    # Values the schema does not announce but real apps send (see tests/fixtures/schemas/README.md).
    "nothing": Case(lambda f, m: (), lambda r, f, m: _expect_nothing(r, m)),
    "updates": Case(lambda f, m: (), lambda r, f, m: None),
    "off_the_list": Case(lambda f, m: ("q",), lambda r, f, m: _expect_equal(r, "xl")),
}


def _expect_nothing(result: Any, major: str) -> None:
    text, number, flag, choice, image, file, album, chat, label, table = result
    assert (text, number, flag, choice, image, file, album, chat) == (
        None,
        None,
        False,
        None,
        None,
        None,
        [],
        [],
    )
    assert table["data"] == ([["", "", ""]] if major == "4" else [])


# -- one SDK per Gradio version --------------------------------------------------------------------


@dataclass
class Sdk:
    major: str
    module: ModuleType
    client: Any
    client_download_dir: Path

    def declared_return(self, name: str) -> Any:
        """The return annotation as written (``test_type_hints_resolve`` covers ``get_type_hints``)."""
        return inspect.get_annotations(getattr(type(self.client), name))["return"]


@pytest.fixture(scope="module", params=[m for m in ("4", "5", "6") if m in GRADIO_VERSIONS])
def sdk(
    request: pytest.FixtureRequest, server_pool: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    major: str = request.param
    server = server_pool.get(APP, major)
    folder = tmp_path_factory.mktemp(f"sdk-g{major}")
    module = import_module(
        generate(server.url, folder / f"{APP}_g{major}.py"), f"{APP}_g{major}_sdk"
    )
    client = module.Client(server.url, download_dir=folder / "downloads")
    yield Sdk(major, module, client, folder / "downloads")
    client.close()


def test_type_hints_resolve(sdk: Sdk) -> None:
    """``typing.get_type_hints`` works on every public method, as pydantic, typer and IDEs call it."""
    failures = []
    for name, value in vars(type(sdk.client)).items():
        if callable(value) and not name.startswith("_"):
            try:
                typing.get_type_hints(value, include_extras=True)
            except Exception as e:  # noqa: BLE001 - collect every failure
                failures.append(f"{name}: {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures)


def test_every_endpoint_is_covered(sdk: Sdk) -> None:
    """The table above must follow the app: a new endpoint without a case fails here."""
    endpoints = {
        name
        for name, value in vars(type(sdk.client)).items()
        if callable(value) and not name.startswith(("_", "submit_"))
    }
    assert endpoints - {"count"} == {n for n, c in CASES.items() if sdk.major in c.majors}


# Results that do not fit the declared type today (all three versions); each reason is the lie.
KNOWN_MISMATCHES: dict[str, str] = {}


def _case_params() -> list[Any]:
    return [
        pytest.param(
            name,
            marks=(
                [pytest.mark.xfail(strict=True, reason=KNOWN_MISMATCHES[name])]
                if name in KNOWN_MISMATCHES
                else []
            ),
        )
        for name in sorted(CASES)
    ]


@pytest.mark.parametrize("name", _case_params())
def test_result_is_an_instance_of_the_declared_type(sdk: Sdk, files: Files, name: str) -> None:
    case = CASES[name]
    if sdk.major not in case.majors:
        assert not hasattr(sdk.client, name), f"{name} should not exist on Gradio {sdk.major}"
        pytest.skip(f"no such component on Gradio {sdk.major}")
    declared = sdk.declared_return(name)
    result = getattr(sdk.client, name)(*case.args(files, sdk.major))
    problems = mismatches(result, declared, f"{name}()", vars(sdk.module))
    assert (
        not problems
    ), f"Gradio {sdk.major}: result does not match the declared type:\n" + "\n".join(problems)
    case.expect(result, files, sdk.major)


def test_state_is_hidden_and_kept_per_client(sdk: Sdk) -> None:
    """``/count`` has a gr.State input and output: the SDK takes only ``step`` and returns the total."""
    declared = sdk.declared_return("count")
    first = sdk.client.count(2)
    second = sdk.client.count(3)
    assert not mismatches(first, declared, "count()", vars(sdk.module))
    assert (first, second) == (2, 5)


def test_async_results_match_the_declared_types(sdk: Sdk, files: Files) -> None:
    """The async client decodes like the sync one: same declared types, same values."""
    names = ["textbox", "dropdowns", "image", "files", "gallery", "chat_rich", "plots", "dataframe"]
    url = sdk.client.src

    async def scenario() -> list[str]:
        problems: list[str] = []
        async with sdk.module.AsyncClient(url, download_dir=sdk.client_download_dir) as c:
            for name in names:
                case = CASES[name]
                result = await getattr(c, name)(*case.args(files, sdk.major))
                declared = inspect.get_annotations(getattr(type(c), name))["return"]
                problems += mismatches(result, declared, f"async {name}()", vars(sdk.module))
                case.expect(result, files, sdk.major)
        return problems

    problems = asyncio.run(scenario())
    assert not problems, "\n".join(problems)
