"""Running the ``gradio-codegen`` command in process, on the captured fixture schemas."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from gradio_codegen.codegen.cli import main

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"


def fixture(major: int, app: str) -> tuple[str, str]:
    """The captured ``info.json`` and ``config.json`` of a fixture app under Gradio ``major``."""
    folder = SCHEMAS / f"gradio{major}" / app
    return str(folder / "info.json"), str(folder / "config.json")


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``gradio-codegen ARGS``."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def without_command(module: str) -> str:
    """The module without its header's "Regenerate with" command, which names the source given."""
    return re.sub(r"(?m)^    gradio-codegen .* -o <this file>$", "", module)
