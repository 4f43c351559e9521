"""The generated SDK's signatures, as mypy --strict and pyright (strict) see them.

The SDK is generated afresh from the Gradio 6 schemas captured in
``tests/fixtures/schemas/gradio6/all_components`` and checked together with the files in
``tests/checks/typing/`` (``assert_type`` on results, arguments that must be accepted, mistakes that must be
flagged). The check files import it as ``all_components_sdk``; the same module, kept current by
``test_examples_are_current``, is ``generated_examples/gradio6/all_components.py``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sdkgen import SCHEMAS, generate, generate_from_fixture

pytestmark = pytest.mark.timeout(600)

TYPING = Path(__file__).resolve().parent / "typing"
SDK_NAME = "all_components_sdk.py"
# The SDKs generated from the Gradio 4 and 5 captures must type-check too (no check files use them).
OTHER_SDKS = {"4": "all_components_sdk_g4.py", "5": "all_components_sdk_g5.py"}
# An SDK with a large default and a long choice list kept in module constants (check_constants.py).
SCALE_SDK = "scale_sdk.py"
BIN = Path(sys.executable).parent
# Kept between runs (git-ignored): re-checking httpx and pydantic every time costs most of the run.
MYPY_CACHE = Path(__file__).resolve().parents[2] / ".mypy_cache" / "typing-tests"
CHECK_FILES = sorted(p.name for p in TYPING.glob("check_*.py"))

# Checks that encode what the types should become; they fail today for the reason given.
EXPECTED_TO_FAIL: dict[str, str] = {}

PYRIGHT_CONFIG = {
    "pythonVersion": "3.11",
    "typeCheckingMode": "strict",
    "enableTypeIgnoreComments": False,  # mypy's ignores must not hide pyright's own findings
    "reportUnnecessaryTypeIgnoreComment": "error",
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("typing")
    generate_from_fixture("all_components", "6", folder / SDK_NAME)
    for major, name in OTHER_SDKS.items():
        generate_from_fixture("all_components", major, folder / name)
    info, config = _scale_schema(folder / "scale")
    generate(info, folder / SCALE_SDK, config=config)
    for name in CHECK_FILES:
        shutil.copy(TYPING / name, folder / name)
    (folder / "pyrightconfig.json").write_text(json.dumps(PYRIGHT_CONFIG))
    return folder


def _scale_schema(out: Path) -> tuple[Path, Path]:
    """The all_components ``/dataframe`` endpoint twice, defaulting to one 300-row table, and its
    ``/dropdowns`` endpoint with 150 choices in the first Dropdown."""
    app = SCHEMAS / "gradio6" / "all_components"
    info = json.loads((app / "info.json").read_text())
    config = json.loads((app / "config.json").read_text())
    table = {
        "headers": ["model", "score"],
        "data": [[f"model-{i}", i / 2] for i in range(300)],
        "metadata": None,
    }
    choices = [f"item-{i:05d}" for i in range(150)]
    named: dict[str, Any] = {}
    dependencies = []
    for i, (api_name, source) in enumerate(
        [("board", "dataframe"), ("other_board", "dataframe"), ("dropdowns", "dropdowns")]
    ):
        endpoint = copy.deepcopy(info["named_endpoints"][f"/{source}"])
        first = endpoint["parameters"][0]
        if source == "dataframe":
            first["parameter_default"] = table
        else:
            first["type"]["enum"] = endpoint["returns"][0]["type"]["enum"] = choices
            first["parameter_default"] = choices[0]
        named[f"/{api_name}"] = endpoint
        dep = next(d for d in config["dependencies"] if d.get("api_name") == source)
        dependencies.append(dict(copy.deepcopy(dep), id=i, api_name=api_name))
    config["dependencies"] = dependencies
    out.mkdir()
    (out / "info.json").write_text(json.dumps({"named_endpoints": named}))
    (out / "config.json").write_text(json.dumps(config))
    return out / "info.json", out / "config.json"


def _by_file(errors: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for file, text in errors:
        grouped.setdefault(Path(file).name, []).append(text)
    return grouped


@pytest.fixture(scope="module")
def mypy_errors(workdir: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(MYPY_CACHE),
            "--no-error-summary",
            "--hide-error-context",
            SDK_NAME,
            *OTHER_SDKS.values(),
            SCALE_SDK,
            *CHECK_FILES,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=540,
    )
    errors = []
    for line in done.stdout.splitlines():
        match = re.match(r"^([^:]+\.py):(\d+): error: (.*)$", line)
        if match:
            errors.append((match[1], f"line {match[2]}: {match[3]}"))
    if done.returncode not in (0, 1) or (done.returncode == 1 and not errors):
        pytest.fail(f"mypy did not run (code {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return _by_file(errors)


@pytest.fixture(scope="module")
def pyright_errors(workdir: Path) -> dict[str, list[str]]:
    done = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=540,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"pyright did not run (code {done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    errors = [
        (d["file"], f"line {d['range']['start']['line'] + 1}: {d['message']} ({d.get('rule', '')})")
        for d in report.get("generalDiagnostics", [])
        if d.get("severity") == "error"
    ]
    return _by_file(errors)


def _cases() -> Iterator[object]:
    for checker in ("mypy", "pyright"):
        for name in [SDK_NAME, *OTHER_SDKS.values(), SCALE_SDK, *CHECK_FILES]:
            marks = []
            if name in EXPECTED_TO_FAIL:
                marks.append(pytest.mark.xfail(strict=True, reason=EXPECTED_TO_FAIL[name]))
            yield pytest.param(
                checker, name, marks=marks, id=f"{checker}-{name.removesuffix('.py')}"
            )


@pytest.mark.parametrize(("checker", "name"), list(_cases()))
def test_type_checks_clean(checker: str, name: str, request: pytest.FixtureRequest) -> None:
    errors: dict[str, list[str]] = request.getfixturevalue(f"{checker}_errors")
    found = errors.get(name, [])
    assert not found, f"{checker} on {name}:\n" + "\n".join(found)


def test_no_check_file_is_left_out() -> None:
    """Every ``tests/checks/typing`` module other than the SDK copy is a check the test runs."""
    modules = {p.name for p in TYPING.glob("*.py")} - {SDK_NAME}
    assert modules == set(CHECK_FILES)
    assert CHECK_FILES, "no check files found"


def test_every_component_both_ways_has_a_round_trip_check() -> None:
    """``check_round_trip.py`` has a function per component that all_components uses both as an
    input and as an output (named after it in lower case); choice components are covered by its
    ``choices_are_the_exception``."""
    info = json.loads((SCHEMAS / "gradio6" / "all_components" / "info.json").read_text())
    endpoints = info["named_endpoints"].values()
    inputs = {p["component"].lower() for e in endpoints for p in e["parameters"]}
    outputs = {r["component"].lower() for e in endpoints for r in e["returns"]}
    checked = set(re.findall(r"^def (\w+)\(", (TYPING / "check_round_trip.py").read_text(), re.M))
    choices = {"radio", "dropdown", "checkboxgroup"}
    both = inputs & outputs
    assert both - choices <= checked, sorted(both - choices - checked)
    assert choices <= both and "choices_are_the_exception" in checked
