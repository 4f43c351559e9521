"""The package as users get it: a wheel (built from the sdist) installed into a fresh virtualenv
without the test extras, and the two source installs (`pip install .`, plain `pip install -e .`).

The checkout is copied first, so building never writes into the working tree, and every check runs
in a subprocess of the fresh venv, from a temporary folder, with ``-P`` -- nothing from the checkout
or the dev venv can leak in. Dependencies come from the package registry (pip's cache helps).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = {
    "codegen": "gradio_codegen/codegen",
    "runtime": "gradio_codegen/runtime",
    "templates": "gradio_codegen/templates",
}
HEAVY = ("jinja2", "black", "click", "gradio", "gradio_client")
INSTALL_TIMEOUT = 600

pytestmark = pytest.mark.timeout(1200)

# Run inside an installed venv; prints what a user would look at, as JSON.
FACTS_SCRIPT = f"""
import importlib.metadata, importlib.resources, importlib.util, json, sys
# The runtime's own dependencies first: httpx, for one, loads click for its CLI when click is there.
import httpx, pydantic, huggingface_hub
before = set(sys.modules)
import gradio_codegen.runtime as runtime
heavy = sorted(name for name in {HEAVY!r} if name in sys.modules and name not in before)
import gradio_codegen.codegen, gradio_codegen.templates

def files(package):
    return sorted(p.name for p in importlib.resources.files(package).iterdir() if p.name != "__pycache__")

print(json.dumps({{
    "runtime_file": runtime.__file__,
    "heavy_after_runtime_import": heavy,
    "templates": files("gradio_codegen.templates"),
    "py_typed": {{pkg: importlib.resources.files(pkg).joinpath("py.typed").is_file()
                 for pkg in ("gradio_codegen.runtime", "gradio_codegen.codegen")}},
    "version": importlib.metadata.version("gradio-codegen"),
    "pytest_installed": importlib.util.find_spec("pytest") is not None,
}}))
"""


def run(
    cmd: list[str | Path], *, cwd: Path, timeout: float = INSTALL_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def source_files(tree: Path, folder: str) -> set[str]:
    return {
        str(p.relative_to(tree / folder))
        for p in (tree / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def new_venv(path: Path) -> Path:
    run([sys.executable, "-m", "venv", path], cwd=path.parent, timeout=120)
    return path / "bin" / "python"


def facts(python: Path, cwd: Path) -> dict[str, object]:
    out = run([python, "-P", "-c", FACTS_SCRIPT], cwd=cwd, timeout=120).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout without venvs, build output, caches or VCS data."""
    dest = tmp_path_factory.mktemp("src") / "gradio-codegen"
    skip = shutil.ignore_patterns(
        ".venvs",
        ".venv",
        ".git",
        "build",
        "dist",
        ".work",
        "__pycache__",
        "*.pyc",
        "*.egg-info",
        ".pytest_cache",
        ".mypy_cache",
        ".hypothesis",
        ".gradio",
    )
    shutil.copytree(ROOT, dest, ignore=skip, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def dists(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sdist and wheel; `build` makes the wheel from the sdist, so the sdist must be complete."""
    out = tmp_path_factory.mktemp("dist")
    try:
        import build  # noqa: F401  (only to fail with a clear message)
    except ImportError:
        pytest.fail("the dev venv lacks `build` (pyproject's test extra); run scripts/bootstrap")
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], cwd=out)
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.fixture(scope="module")
def wheel_python(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel (no extras) and its declared dependencies."""
    python = new_venv(tmp_path_factory.mktemp("wheel") / "venv")
    run([python, "-m", "pip", "install", dists["wheel"]], cwd=python.parent)
    return python


@pytest.fixture(scope="module")
def source_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One fresh venv for the source installs; each test installs what it checks (pip replaces)."""
    yield new_venv(tmp_path_factory.mktemp("from-source") / "venv")


def project_version(tree: Path) -> str:
    return str(tomllib.loads((tree / "pyproject.toml").read_text())["project"]["version"])


def test_wheel_holds_the_package_and_nothing_else(source: Path, dists: dict[str, Path]) -> None:
    version = project_version(source)
    with zipfile.ZipFile(dists["wheel"]) as whl:
        names = set(whl.namelist())
        dist_info = f"gradio_codegen-{version}.dist-info/"
        stray = sorted(n for n in names if not n.startswith(("gradio_codegen/", dist_info)))
        assert not stray, f"files outside the gradio_codegen package in the wheel: {stray}"
        for folder, package in PACKAGE_DIRS.items():
            missing = {f"{package}/{f}" for f in source_files(source, folder)} - names
            assert (
                not missing
            ), f"source files of {folder}/ missing from the wheel: {sorted(missing)}"
        metadata = whl.read(dist_info + "METADATA").decode()
        entry_points = whl.read(dist_info + "entry_points.txt").decode()
    assert "gradio-codegen = gradio_codegen.codegen.cli:main" in entry_points
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    test_only = {"pytest", "hypothesis", "mypy", "pyright", "build", "uvicorn", "starlette"}
    leaked = [
        r
        for r in requires
        if r.split()[1].split(";")[0].split(">")[0].split("=")[0].lower() in test_only
        and 'extra == "test"' not in r
    ]
    assert not leaked, f"test tools required by a plain install: {leaked}"


def test_sdist_has_what_the_wheel_is_built_from(source: Path, dists: dict[str, Path]) -> None:
    import tarfile

    with tarfile.open(dists["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for needed in ("pyproject.toml", "README.md", "runtime/py.typed", "codegen/py.typed"):
        assert needed in names, f"{needed} missing from the sdist"
    templates = {f"templates/{f}" for f in source_files(source, "templates")}
    assert templates <= names, f"templates missing from the sdist: {sorted(templates - names)}"


def test_wheel_install_without_extras_imports_runtime_alone(
    source: Path, wheel_python: Path, tmp_path: Path
) -> None:
    got = facts(wheel_python, tmp_path)
    assert got["pytest_installed"] is False, "the plain install pulled in the test extra"
    assert str(wheel_python.parent.parent) in str(got["runtime_file"]), got["runtime_file"]
    assert got["heavy_after_runtime_import"] == [], (
        f"importing gradio_codegen.runtime loaded {got['heavy_after_runtime_import']}; generated SDKs "
        "must only pull in the runtime's own dependencies"
    )
    assert got["version"] == project_version(source)
    assert got["py_typed"] == {"gradio_codegen.runtime": True, "gradio_codegen.codegen": True}


def test_wheel_install_ships_the_templates(
    source: Path, wheel_python: Path, tmp_path: Path
) -> None:
    expected = sorted(f for f in source_files(source, "templates") if "/" not in f)
    if not any(f.endswith(".jinja") for f in expected):
        pytest.skip("templates/ has no .jinja files yet")
    assert facts(wheel_python, tmp_path)["templates"] == expected


def require_cli(source: Path) -> None:
    if not (source / "codegen" / "cli.py").exists():
        pytest.skip("codegen/cli.py does not exist yet (the console script points at it)")


def test_console_script_help(source: Path, wheel_python: Path, tmp_path: Path) -> None:
    require_cli(source)
    out = run([wheel_python.parent / "gradio-codegen", "--help"], cwd=tmp_path, timeout=60).stdout
    assert "Usage:" in out and "gradio-codegen" in out, out


def test_module_entry_help(source: Path, wheel_python: Path, tmp_path: Path) -> None:
    require_cli(source)
    assert (
        source / "codegen" / "__main__.py"
    ).exists(), "`python -m gradio_codegen.codegen` needs codegen/__main__.py calling cli.main()"
    out = run(
        [wheel_python, "-P", "-m", "gradio_codegen.codegen", "--help"], cwd=tmp_path, timeout=60
    ).stdout
    assert "Usage:" in out, out


def test_pip_install_from_source(source: Path, source_venv: Path, tmp_path: Path) -> None:
    run([source_venv, "-m", "pip", "install", source], cwd=tmp_path)
    got = facts(source_venv, tmp_path)
    assert str(source_venv.parent.parent) in str(got["runtime_file"]), got["runtime_file"]
    assert got["heavy_after_runtime_import"] == []
    assert got["py_typed"] == {"gradio_codegen.runtime": True, "gradio_codegen.codegen": True}
    assert got["templates"] == sorted(f for f in source_files(source, "templates") if "/" not in f)


def test_plain_editable_install(source: Path, source_venv: Path, tmp_path: Path) -> None:
    """The non-strict editable mode maps the package-dir folders through an import hook."""
    run([source_venv, "-m", "pip", "install", "-e", source], cwd=tmp_path)
    got = facts(source_venv, tmp_path)
    assert Path(str(got["runtime_file"])) == source / "runtime" / "__init__.py"
    assert got["heavy_after_runtime_import"] == []
    assert got["templates"] == sorted(f for f in source_files(source, "templates") if "/" not in f)
