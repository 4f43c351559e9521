"""The two distributions as users get them, built from this checkout.

* ``gradio-codegen-runtime`` (``runtime/pyproject.toml``): ``gradio_codegen.runtime``, what an
  application that uses a generated SDK installs;
* ``gradio-codegen`` (``pyproject.toml``): the generator, which requires exactly that runtime.

Each is built as sdist and wheel (the wheel from the sdist, so the sdist must be complete) and
installed into fresh virtualenvs without the test extras: the runtime alone, the runtime with its
``spaces`` extra, the generator with its runtime, and ``gradio_client`` for comparison. The source
installs from a checkout (``pip install ./runtime .`` and the editable one) are checked too.

The checkout is copied first, so building never writes into the working tree, and every check runs
in a subprocess of a fresh venv, from a temporary folder, with ``-P`` -- nothing from the checkout
or the dev venv can leak in. Dependencies come from the package registry (pip's cache helps).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers import GRADIO_VERSIONS, ServerPool
from sdkgen import SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_DIST = "gradio-codegen-runtime"
GENERATOR_DIST = "gradio-codegen"
#: Package folders of each distribution: checkout folder -> folder in the wheel.
GENERATOR_PACKAGES = {"codegen": "gradio_codegen/codegen", "templates": "gradio_codegen/templates"}
RUNTIME_PACKAGE = "gradio_codegen/runtime"
#: Files in runtime/ that describe the runtime's distribution instead of being part of its package.
RUNTIME_PROJECT_FILES = {"pyproject.toml"}
#: What importing the runtime must never load: the generator's libraries, Gradio itself, and
#: pygments (which httpx loads for its command line when it is installed).
HEAVY = ("black", "jinja2", "pydantic", "pygments", "click", "gradio", "gradio_client")
#: Distributions an application that installs only the runtime must not get.
NOT_FOR_APPLICATIONS = ("black", "jinja2", "pydantic", "pygments", "click", "huggingface-hub")
TEST_ONLY = {"pytest", "hypothesis", "mypy", "pyright", "build", "uvicorn", "starlette"}
INSTALL_TIMEOUT = 600

pytestmark = pytest.mark.timeout(1800)

# Run inside an installed venv; prints what a user would look at, as JSON.
FACTS_SCRIPT = f"""
import importlib.metadata, importlib.resources, importlib.util, json, sys
before = set(sys.modules)
import gradio_codegen.runtime as runtime
heavy = sorted(name for name in {HEAVY!r} if name in sys.modules and name not in before)

def files(package):
    return sorted(p.name for p in importlib.resources.files(package).iterdir() if p.name != "__pycache__")

def version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None

generator = importlib.util.find_spec("gradio_codegen.codegen") is not None
if generator:
    import gradio_codegen.codegen, gradio_codegen.templates
print(json.dumps({{
    "runtime_file": runtime.__file__,
    "runtime_version_attr": runtime.__version__,
    "heavy_after_runtime_import": heavy,
    "templates": files("gradio_codegen.templates") if generator else None,
    "py_typed": {{pkg: importlib.resources.files(pkg).joinpath("py.typed").is_file()
                 for pkg in ("gradio_codegen.runtime",) + (("gradio_codegen.codegen",) if generator else ())}},
    "versions": {{dist: version(dist) for dist in ({RUNTIME_DIST!r}, {GENERATOR_DIST!r})}},
    "installed": sorted(d.metadata["Name"].lower().replace("_", "-")
                        for d in importlib.metadata.distributions()),
    "pytest_installed": importlib.util.find_spec("pytest") is not None,
}}))
"""

# Distributions and bytes in the venv's site-packages: the figures bench_footprint.py reports.
FOOTPRINT_SCRIPT = """
import importlib.metadata, json, os, sysconfig
site = sysconfig.get_paths()["purelib"]
size = sum(os.lstat(os.path.join(d, f)).st_size for d, _, fs in os.walk(site) for f in fs)
names = {d.metadata["Name"].lower().replace("_", "-") for d in importlib.metadata.distributions()}
print(json.dumps({"distributions": sorted(names), "bytes": size}))
"""


def run(
    cmd: list[str | Path],
    *,
    cwd: Path,
    timeout: float = INSTALL_TIMEOUT,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    clean["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def last_json(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def source_files(tree: Path, folder: str) -> set[str]:
    """Files of a package folder, relative to it, without bytecode or local build output."""
    base = tree / folder
    return {
        str(p.relative_to(base))
        for p in base.rglob("*")
        if p.is_file()
        and p.suffix != ".pyc"
        and not {"__pycache__", "build"} & set(p.relative_to(base).parts)
        and not any(part.endswith(".egg-info") for part in p.relative_to(base).parts)
    }


def runtime_package_files(tree: Path) -> set[str]:
    return source_files(tree, "runtime") - RUNTIME_PROJECT_FILES


def new_venv(path: Path) -> Path:
    run([sys.executable, "-m", "venv", path], cwd=path.parent, timeout=120)
    return path / "bin" / "python"


def facts(python: Path, cwd: Path) -> dict[str, object]:
    return last_json(run([python, "-P", "-c", FACTS_SCRIPT], cwd=cwd, timeout=120))


def footprint(python: Path, cwd: Path) -> dict[str, object]:
    return last_json(run([python, "-P", "-c", FOOTPRINT_SCRIPT], cwd=cwd, timeout=120))


def pip_install(python: Path, *requirements: str | Path) -> None:
    run([python, "-m", "pip", "install", *requirements], cwd=python.parent)


# --- the version: written once, in runtime/_version.py ------------------------------------------


def runtime_version(tree: Path) -> str:
    """``__version__`` of runtime/_version.py, read without importing it."""
    module = ast.parse((tree / "runtime" / "_version.py").read_text())
    for node in module.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "__version__":
            assert isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
            return str(ast.literal_eval(node.value))
    raise AssertionError("runtime/_version.py has no __version__")


def pyproject(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text())


def test_both_distributions_take_their_version_from_the_runtime() -> None:
    """Lockstep: the generator's version and its runtime pin are the runtime's own version."""
    version = runtime_version(ROOT)
    runtime_project = pyproject(ROOT / "runtime" / "pyproject.toml")
    generator_project = pyproject(ROOT / "pyproject.toml")
    assert runtime_project["project"]["dynamic"] == ["version"]  # type: ignore[index]
    assert runtime_project["tool"]["setuptools"]["dynamic"]["version"] == {  # type: ignore[index]
        "attr": "gradio_codegen.runtime._version.__version__"
    }
    assert generator_project["project"]["version"] == version, (  # type: ignore[index]
        "pyproject.toml's version must be runtime/_version.py's __version__ (both distributions "
        "are released together)"
    )
    pins = [
        r
        for r in generator_project["project"]["dependencies"]  # type: ignore[index]
        if r.startswith(RUNTIME_DIST)
    ]
    assert pins == [
        f"{RUNTIME_DIST}[spaces]=={version}"
    ], f"pyproject.toml must require exactly {RUNTIME_DIST}[spaces]=={version}, got {pins}"


# --- require(): what a generated module runs at import ----------------------------------------


@pytest.mark.parametrize(
    "older, newer",
    [
        ("0.1.0", "0.2.0"),
        ("0.9.0", "0.10.0"),
        ("1.2", "1.2.1"),
        ("1.0.dev1", "1.0a1"),
        ("1.0a1", "1.0a2"),
        ("1.0a2", "1.0b1"),
        ("1.0b1", "1.0rc1"),
        ("1.0rc1", "1.0"),
        ("1.0", "1.0.post1"),
        ("1.0.post1.dev1", "1.0.post1"),
        ("1.0.dev1", "1.0.dev2"),
    ],
)
def test_version_order_is_pips(older: str, newer: str) -> None:
    from gradio_codegen.runtime._version import version_key

    assert version_key(older) < version_key(newer)


def test_trailing_zeros_do_not_count() -> None:
    from gradio_codegen.runtime._version import version_key

    assert version_key("1.0") == version_key("1.0.0") == version_key("1")


@pytest.mark.parametrize("bad", ["", "v1.0", "1.0-beta", "1..0", "latest", "1.0 ", "9" * 100])
def test_require_refuses_what_is_not_a_version(bad: str) -> None:
    import gradio_codegen.runtime as rt

    with pytest.raises(ValueError, match="is not a version of gradio-codegen-runtime"):
        rt.require(bad)


def test_require_accepts_this_runtime_and_older_ones() -> None:
    import gradio_codegen.runtime as rt

    rt.require(rt.__version__, "my_sdk")
    rt.require("0.0.1", "my_sdk")


def test_require_names_both_versions_and_the_upgrade() -> None:
    import gradio_codegen.runtime as rt

    with pytest.raises(ImportError) as caught:
        rt.require("999.0.0", "my_sdk")
    message = str(caught.value)
    assert message.startswith(f"my_sdk was generated for {RUNTIME_DIST} 999.0.0 or newer")
    assert f"but {rt.__version__} is installed" in message
    assert f'pip install --upgrade "{RUNTIME_DIST}>=999.0.0"' in message
    assert caught.value.name == "my_sdk"


# --- building ------------------------------------------------------------------------------------


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
        ".ruff_cache",
        ".hypothesis",
        ".gradio",
    )
    shutil.copytree(ROOT, dest, ignore=skip, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def dists(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """sdist and wheel of each distribution; `build` makes each wheel from its sdist."""
    try:
        import build  # noqa: F401  (only to fail with a clear message)
    except ImportError:
        pytest.fail("the dev venv lacks `build` (pyproject's test extra); run scripts/bootstrap")
    built: dict[str, dict[str, Path]] = {}
    for name, project in (("runtime", source / "runtime"), ("generator", source)):
        out = tmp_path_factory.mktemp(f"dist-{name}")
        run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, project], cwd=out)
        wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
        assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
        built[name] = {"wheel": wheels[0], "sdist": sdists[0]}
    return built


def wheel_contents(wheel: Path) -> tuple[set[str], str, str]:
    """Files outside .dist-info, and the METADATA and entry points (or "") of a wheel."""
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        (dist_info,) = {n.split("/", 1)[0] for n in names if ".dist-info/" in n}
        metadata = whl.read(f"{dist_info}/METADATA").decode()
        entry_points = f"{dist_info}/entry_points.txt"
        entries = whl.read(entry_points).decode() if entry_points in names else ""
    return {n for n in names if not n.startswith(f"{dist_info}/")}, metadata, entries


def requires_dist(metadata: str) -> list[str]:
    prefix = "Requires-Dist: "
    return [line[len(prefix) :] for line in metadata.splitlines() if line.startswith(prefix)]


def metadata_field(metadata: str, field: str) -> str:
    prefix = f"{field}: "
    (value,) = [line[len(prefix) :] for line in metadata.splitlines() if line.startswith(prefix)]
    return value


def requirement_name(requirement: str) -> str:
    name = requirement.split(";")[0].strip()
    for stop in "[<>=!~ (":
        name = name.split(stop)[0]
    return name.lower().replace("_", "-")


def test_runtime_wheel_holds_every_runtime_module_and_nothing_else(
    source: Path, dists: dict[str, dict[str, Path]]
) -> None:
    files, _, entry_points = wheel_contents(dists["runtime"]["wheel"])
    expected = {f"{RUNTIME_PACKAGE}/{f}" for f in runtime_package_files(source)}
    missing = sorted(expected - files)
    folders = sorted(
        {str(Path(m).parent).replace("/", ".") for m in missing} - {"gradio_codegen.runtime"}
    )
    assert not missing, f"files of runtime/ missing from the {RUNTIME_DIST} wheel: {missing}" + (
        f"; add {folders} to `packages` in runtime/pyproject.toml" if folders else ""
    )
    assert (
        files == expected
    ), f"files in the runtime wheel that are not runtime/'s: {sorted(files - expected)}"
    assert entry_points == ""


def test_generator_wheel_holds_the_generator_and_not_the_runtime(
    source: Path, dists: dict[str, dict[str, Path]]
) -> None:
    files, _, entry_points = wheel_contents(dists["generator"]["wheel"])
    expected = {
        f"{package}/{f}"
        for folder, package in GENERATOR_PACKAGES.items()
        for f in source_files(source, folder)
    }
    assert (
        not expected - files
    ), f"generator files missing from its wheel: {sorted(expected - files)}"
    assert files == expected, f"unexpected files in the generator wheel: {sorted(files - expected)}"
    runtime_files, _, _ = wheel_contents(dists["runtime"]["wheel"])
    assert not files & runtime_files, "both wheels would install the same files"
    assert "gradio-codegen = gradio_codegen.codegen.cli:main" in entry_points


def test_wheel_metadata_pins_the_runtime_and_keeps_the_runtime_light(
    source: Path, dists: dict[str, dict[str, Path]]
) -> None:
    version = runtime_version(source)
    _, runtime_meta, _ = wheel_contents(dists["runtime"]["wheel"])
    _, generator_meta, _ = wheel_contents(dists["generator"]["wheel"])
    assert metadata_field(runtime_meta, "Name") == RUNTIME_DIST
    assert metadata_field(runtime_meta, "Version") == version
    assert metadata_field(generator_meta, "Version") == version

    generator_requires = requires_dist(generator_meta)
    assert f"{RUNTIME_DIST}[spaces]=={version}" in generator_requires, generator_requires
    leaked = [
        r
        for r in generator_requires
        if requirement_name(r) in TEST_ONLY and 'extra == "test"' not in r
    ]
    assert not leaked, f"test tools required by a plain install: {leaked}"

    runtime_requires = requires_dist(runtime_meta)
    plain = {requirement_name(r) for r in runtime_requires if "extra ==" not in r}
    # wsproto speaks Gradio 3's websocket queue over the client's own connection (docs/gradio3.md).
    assert plain == {"httpx", "typing-extensions", "wsproto"}, runtime_requires
    # Generated modules import typing_extensions before Python 3.11, and only there.
    (backports,) = [r for r in runtime_requires if requirement_name(r) == "typing-extensions"]
    assert backports.endswith('; python_version < "3.11"'), backports
    spaces = [r for r in runtime_requires if 'extra == "spaces"' in r]
    assert [requirement_name(r) for r in spaces] == ["huggingface-hub"], runtime_requires


def test_sdists_have_what_the_wheels_are_built_from(
    source: Path, dists: dict[str, dict[str, Path]]
) -> None:
    def members(sdist: Path) -> set[str]:
        with tarfile.open(sdist) as tar:
            return {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}

    runtime = members(dists["runtime"]["sdist"])
    needed = {"pyproject.toml"} | runtime_package_files(source)
    assert needed <= runtime, f"missing from the runtime sdist: {sorted(needed - runtime)}"

    generator = members(dists["generator"]["sdist"])
    needed = {"pyproject.toml", "README.md", "codegen/py.typed"} | {
        f"templates/{f}" for f in source_files(source, "templates")
    }
    assert needed <= generator, f"missing from the generator sdist: {sorted(needed - generator)}"
    assert not {
        n for n in generator if n.startswith("runtime/")
    }, "the runtime is the other sdist's"


# --- installing the wheels -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def runtime_python(
    dists: dict[str, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """What an application installs: the runtime wheel alone, no extras."""
    python = new_venv(tmp_path_factory.mktemp("runtime-alone") / "venv")
    pip_install(python, dists["runtime"]["wheel"])
    return python


@pytest.fixture(scope="module")
def spaces_python(
    dists: dict[str, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The runtime with its Spaces extra."""
    python = new_venv(tmp_path_factory.mktemp("runtime-spaces") / "venv")
    pip_install(python, f"{dists['runtime']['wheel']}[spaces]")
    return python


@pytest.fixture(scope="module")
def wheel_python(
    dists: dict[str, dict[str, Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The generator wheel (no extras); pip takes the runtime it pins from the wheel beside it."""
    python = new_venv(tmp_path_factory.mktemp("generator") / "venv")
    pip_install(python, dists["generator"]["wheel"], dists["runtime"]["wheel"])
    return python


def test_runtime_alone_imports_without_the_generators_libraries(
    source: Path, runtime_python: Path, tmp_path: Path
) -> None:
    got = facts(runtime_python, tmp_path)
    assert str(runtime_python.parent.parent) in str(got["runtime_file"]), got["runtime_file"]
    assert got["heavy_after_runtime_import"] == [], (
        f"importing gradio_codegen.runtime loaded {got['heavy_after_runtime_import']}; generated SDKs "
        "must only pull in the runtime's own dependencies"
    )
    installed = set(got["installed"])  # type: ignore[arg-type]
    assert not installed & set(NOT_FOR_APPLICATIONS), sorted(installed & set(NOT_FOR_APPLICATIONS))
    assert GENERATOR_DIST not in installed and got["pytest_installed"] is False
    version = runtime_version(source)
    assert got["versions"] == {RUNTIME_DIST: version, GENERATOR_DIST: None}
    assert got["runtime_version_attr"] == version
    assert got["py_typed"] == {"gradio_codegen.runtime": True}


def test_runtime_with_spaces_imports_without_the_generators_libraries(
    spaces_python: Path, tmp_path: Path
) -> None:
    got = facts(spaces_python, tmp_path)
    assert "huggingface-hub" in got["installed"]  # type: ignore[operator]
    # huggingface_hub requires click, and httpx imports click for its own command line when it
    # can (tests/runtime/test_public.py shows the runtime itself never does); nothing else heavy.
    assert set(got["heavy_after_runtime_import"]) <= {"click"}, got  # type: ignore[arg-type]


def test_runtime_footprint_is_at_most_gradio_clients(
    runtime_python: Path, spaces_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The issue's target, measured as bench_footprint.py does: a fresh venv per install."""
    gradio_client = new_venv(tmp_path_factory.mktemp("gradio-client") / "venv")
    pip_install(gradio_client, "gradio_client")
    where = tmp_path_factory.mktemp("footprints")
    theirs = footprint(gradio_client, where)
    alone = footprint(runtime_python, where)
    assert len(alone["distributions"]) <= len(theirs["distributions"]), (alone, theirs)  # type: ignore[arg-type]
    assert alone["bytes"] <= theirs["bytes"], (alone, theirs)  # type: ignore[operator]
    # With the extra, the runtime gets what gradio_client itself depends on, and nothing more
    # but wsproto (Gradio 3's websocket queue, which gradio_client 1.x and 2.x no longer speak).
    spaces = footprint(spaces_python, where)
    beyond = set(spaces["distributions"]) - set(theirs["distributions"])  # type: ignore[arg-type]
    assert beyond == {RUNTIME_DIST, "wsproto"}, sorted(beyond)


def newest_gradio() -> str:
    """The newest Gradio major with a test-server venv and a text_echo fixture schema."""
    for major in ("6", "5", "4"):
        if major in GRADIO_VERSIONS and (SCHEMAS / f"gradio{major}" / "text_echo").is_dir():
            return major
    pytest.skip("no Gradio 4/5/6 virtualenv; run scripts/bootstrap")


@pytest.fixture(scope="module")
def text_echo_sdk(wheel_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SDK generated by the generator wheel's CLI from the text_echo fixture schema."""
    folder = SCHEMAS / f"gradio{newest_gradio()}" / "text_echo"
    out = tmp_path_factory.mktemp("sdk") / "text_echo_sdk.py"
    cli = wheel_python.parent / "gradio-codegen"
    run(
        [cli, "generate", folder / "info.json", "--config", folder / "config.json", "-o", out],
        cwd=out.parent,
        timeout=120,
    )
    return out


@pytest.mark.servers
def test_runtime_alone_calls_a_real_gradio_app_through_a_generated_sdk(
    runtime_python: Path, text_echo_sdk: Path, server_pool: ServerPool
) -> None:
    server = server_pool.get("text_echo", newest_gradio())
    script = text_echo_sdk.parent / "call_it.py"
    script.write_text(
        "import json, sys\n"
        "import text_echo_sdk as app\n"
        f"with app.Client({server.url!r}, timeout=60) as client:\n"
        "    result = [client.echo('héllo'), client.concat('a', 'b', sep='-')]\n"
        "print(json.dumps({'result': result, 'loaded': sorted(m for m in "
        f"{HEAVY!r} if m in sys.modules)}}))\n"
    )
    got = last_json(run([runtime_python, script], cwd=script.parent, timeout=180))
    assert got == {"result": ["héllo", "a-b"], "loaded": []}


def test_runtime_alone_says_what_space_ids_need(runtime_python: Path, text_echo_sdk: Path) -> None:
    """Without the spaces extra a Space id fails with the runtime's typed error, before any request."""
    script = text_echo_sdk.parent / "call_a_space.py"
    script.write_text(
        "import json\n"
        "import gradio_codegen.runtime as rt\n"
        "import text_echo_sdk as app\n"
        "try:\n"
        "    app.Client('someone/some-space', timeout=30).echo('hi')\n"
        "except Exception as e:\n"
        "    print(json.dumps({'gradio_error': isinstance(e, rt.GradioError), 'message': str(e)}))\n"
    )
    # Should the runtime ever reach for the Hub itself, it finds a closed port, not the internet.
    got = last_json(
        run(
            [runtime_python, script],
            cwd=script.parent,
            timeout=120,
            env={"HF_ENDPOINT": "http://127.0.0.1:9", "HF_TOKEN": ""},
        )
    )
    assert got["gradio_error"] is True, got
    assert "huggingface_hub" in str(got["message"]), got


def test_an_sdk_for_a_newer_runtime_fails_at_import_saying_what_to_upgrade(
    runtime_python: Path, tmp_path: Path
) -> None:
    """What the generated module's first runtime call does with an older runtime installed."""
    sdk = tmp_path / "future_sdk.py"
    sdk.write_text(
        "import gradio_codegen.runtime as _rt\n"
        '_rt.require("99.0.0", __name__)\n'
        "raise SystemExit('require() let an older runtime through')\n"
    )
    done = run([runtime_python, "-c", "import future_sdk"], cwd=tmp_path, timeout=60, check=False)
    assert done.returncode == 1, done
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"ImportError: future_sdk was generated for {RUNTIME_DIST} 99.0.0"), last
    assert f'pip install --upgrade "{RUNTIME_DIST}>=99.0.0"' in last, last


def test_generator_wheel_installs_its_runtime_and_ships_the_templates(
    source: Path, wheel_python: Path, tmp_path: Path
) -> None:
    got = facts(wheel_python, tmp_path)
    assert got["pytest_installed"] is False, "the plain install pulled in the test extra"
    assert str(wheel_python.parent.parent) in str(got["runtime_file"]), got["runtime_file"]
    # The generator's libraries are installed here: the runtime still must not load them.
    assert set(got["heavy_after_runtime_import"]) <= {"click"}, got  # type: ignore[arg-type]
    version = runtime_version(source)
    assert got["versions"] == {RUNTIME_DIST: version, GENERATOR_DIST: version}
    assert got["py_typed"] == {"gradio_codegen.runtime": True, "gradio_codegen.codegen": True}
    expected = sorted(f for f in source_files(source, "templates") if "/" not in f)
    assert got["templates"] == expected


def test_console_script_help(wheel_python: Path, tmp_path: Path) -> None:
    out = run([wheel_python.parent / "gradio-codegen", "--help"], cwd=tmp_path, timeout=60).stdout
    assert "Usage:" in out and "gradio-codegen" in out, out


def test_module_entry_help(wheel_python: Path, tmp_path: Path) -> None:
    out = run(
        [wheel_python, "-P", "-m", "gradio_codegen.codegen", "--help"], cwd=tmp_path, timeout=60
    ).stdout
    assert "Usage:" in out, out


# --- installing from a checkout (README: "Installing from a checkout") -------------------------


@pytest.fixture(scope="module")
def source_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One fresh venv for the source installs; each test installs what it checks (pip replaces)."""
    yield new_venv(tmp_path_factory.mktemp("from-source") / "venv")


def test_pip_install_from_a_checkout(source: Path, source_venv: Path, tmp_path: Path) -> None:
    """``pip install ./runtime .``: pip takes the pinned runtime from the folder beside it."""
    run([source_venv, "-m", "pip", "install", source / "runtime", source], cwd=tmp_path)
    got = facts(source_venv, tmp_path)
    assert str(source_venv.parent.parent) in str(got["runtime_file"]), got["runtime_file"]
    assert set(got["heavy_after_runtime_import"]) <= {"click"}, got  # type: ignore[arg-type]
    assert got["py_typed"] == {"gradio_codegen.runtime": True, "gradio_codegen.codegen": True}
    assert got["templates"] == sorted(f for f in source_files(source, "templates") if "/" not in f)


def test_plain_editable_install_from_a_checkout(
    source: Path, source_venv: Path, tmp_path: Path
) -> None:
    """The non-strict editable mode maps the package-dir folders through an import hook."""
    run([source_venv, "-m", "pip", "install", "-e", source / "runtime", "-e", source], cwd=tmp_path)
    got = facts(source_venv, tmp_path)
    assert Path(str(got["runtime_file"])) == source / "runtime" / "__init__.py"
    assert set(got["heavy_after_runtime_import"]) <= {"click"}, got  # type: ignore[arg-type]
    assert got["templates"] == sorted(f for f in source_files(source, "templates") if "/" not in f)
