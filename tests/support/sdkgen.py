"""Generate an SDK with the real ``gradio-codegen`` command and import it, as a user would."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
CLI = Path(sys.executable).parent / "gradio-codegen"


def generate(
    src: str | Path, out: Path, *, config: Path | None = None, timeout: float = 120
) -> Path:
    """Run ``gradio-codegen generate SRC -o OUT`` and fail with its output if it does not succeed."""
    command = [str(CLI), "generate", str(src), "-o", str(out)]
    if config is not None:
        command += ["--config", str(config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not out.exists():
        raise AssertionError(
            f"{' '.join(command)} failed with code {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return out


def generate_from_fixture(app: str, major: str, out: Path) -> Path:
    """An SDK from the schemas captured in ``tests/fixtures/schemas/gradio<major>/<app>``."""
    folder = SCHEMAS / f"gradio{major}" / app
    return generate(folder / "info.json", out, config=folder / "config.json")


def import_module(path: Path, name: str) -> ModuleType:
    """Import a generated file under ``name`` (registered in ``sys.modules`` so its types resolve)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
