"""The golden record: generated_examples/ is what the generator writes today, and it type-checks.

Regenerate with ``scripts/regen-examples`` after changing the generator.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "generated_examples"
BIN = Path(sys.executable).parent
MAJORS = ("gradio3", "gradio4", "gradio5", "gradio6")


def _modules() -> list[Path]:
    return sorted(EXAMPLES.glob("gradio*/*.py"))


def test_examples_are_current() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "regen-examples"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"run scripts/regen-examples:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_are_what_black_would_write(path: Path) -> None:
    """Generation lays code out itself; black, run over the result, must find nothing to change."""
    import black

    source = path.read_text()
    assert black.format_str(source, mode=black.Mode(line_length=100)) == source


def test_every_fixture_app_has_an_example() -> None:
    expected = set()
    for root in (ROOT / "tests" / "fixtures" / "schemas",):
        expected |= {
            f"{p.parent.parent.name}/{p.parent.name}" for p in root.glob("gradio[0-9]/*/info.json")
        }
        # Gradio 3 (3.50.2) captures keep /info?serialize=False as info_raw.json.
        expected |= {
            f"gradio3/{p.parent.name.replace('.', '_')}"
            for p in root.glob("gradio3/*/info_raw.json")
        }
    present = {f"{p.parent.name}/{p.stem}" for p in _modules()}
    assert expected and expected == present
    for module in _modules():
        snapshot = json.loads(module.with_suffix("").with_suffix(".schema.json").read_text())
        assert snapshot["format"] == "gradio-codegen-snapshot"
        assert snapshot["schema_hash"] in module.read_text()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("major", MAJORS)
def test_mypy_strict_is_clean(major: str) -> None:
    # One run per major: the same app name in two folders would be a duplicate module to mypy.
    done = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", str(EXAMPLES / major)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


@pytest.mark.timeout(600)
def test_pyright_strict_is_clean(tmp_path: Path) -> None:
    config = {"include": [str(EXAMPLES)], "typeCheckingMode": "strict", "pythonVersion": "3.11"}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    done = subprocess.run(
        [
            str(BIN / "pyright"),
            "--pythonpath",
            sys.executable,
            "-p",
            str(tmp_path / "pyrightconfig.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors" in done.stdout


def _import(path: Path) -> ModuleType:
    name = f"golden_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.parametrize("path", _modules(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_import_and_describe_their_app(path: Path) -> None:
    import gradio_codegen.runtime as rt

    module = _import(path)
    snapshot = json.loads(path.with_suffix("").with_suffix(".schema.json").read_text())
    assert module.APP.src == snapshot["source"]
    assert module.APP.gradio_version == snapshot["gradio_version"]
    assert module.Client.app is module.APP and module.AsyncClient.app is module.APP
    assert all(hasattr(module, name) for name in module.__all__)
    endpoints = [v for v in vars(module).values() if isinstance(v, rt.Endpoint)]
    for endpoint in endpoints:
        config = snapshot["endpoints"][endpoint.api_name]
        assert endpoint.fn_index == config["fn_index"]
        assert endpoint.stream == config["stream"]
        assert [s is rt.STATE for s in endpoint.inputs] == [s["skip_api"] for s in config["inputs"]]
        assert [s is rt.STATE for s in endpoint.outputs] == [
            s["skip_api"] for s in config["outputs"]
        ]
        public = snapshot["api_info"]["named_endpoints"][endpoint.api_name]
        assert len(endpoint.params) == len(public["parameters"])
        assert len(endpoint.public_outputs) == len(public["returns"])


USER_CODE = """
from typing import assert_type

import complex_outputs
import files_io
import scalar_inputs
import text_echo
from gradio_codegen.runtime import AsyncJob, FileSource, Job, RemoteFile


def sync_calls() -> None:
    client = text_echo.Client("http://127.0.0.1:7860", timeout=10)
    assert_type(client.concat("a", "b", sep="-"), str | None)
    assert_type(text_echo.echo("hi"), str | None)
    assert_type(client.submit_echo("hi"), Job[str | None])
    analysis = complex_outputs.analyze("great")
    assert_type(analysis, complex_outputs.AnalyzeResult)
    assert_type(analysis.sentiment, complex_outputs.LabelData | None)
    assert analysis.highlighted is not None
    assert_type(analysis.highlighted[0]["token"], str)
    stats = files_io.file_stats(FileSource(b"data", name="a.txt")).stats_file
    assert_type(stats, RemoteFile | None)
    assert_type(files_io.bundle(["a.txt", b"raw"]), list[RemoteFile] | None)
    scalar_inputs.summarize("t", radio="green", multi=["pear"])


async def async_calls() -> None:
    client = text_echo.AsyncClient()
    assert_type(await client.echo("hi"), str | None)
    assert_type(await client.submit_concat("a", "b"), AsyncJob[str | None])


def mistakes() -> None:
    scalar_inputs.summarize("t", radio="purple")  # E: not a choice
    text_echo.concat("a")  # E: missing argument
    text_echo.echo(text=3)  # E: not a str
"""


@pytest.mark.timeout(600)
def test_user_code_is_type_checked_against_generated_signatures(tmp_path: Path) -> None:
    """What the SDK is for: mypy sees result types, and flags wrong choices, types and arity."""
    user = tmp_path / "user_code.py"
    user.write_text(USER_CODE)
    done = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(user),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(EXAMPLES / "gradio6")},
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    expected_lines = [i for i, line in enumerate(USER_CODE.splitlines(), start=1) if "# E:" in line]
    assert sorted({int(e.split(":")[1]) for e in errors}) == expected_lines, done.stdout
    assert any("'purple'" in e and "summarize" in e for e in errors), done.stdout
