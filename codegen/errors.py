"""Why generation could not start or finish. The CLI prints the message and exits with 1.

Every message says what was wrong and what to do about it.
"""

from __future__ import annotations

__all__ = ["CodegenError", "OutputError", "SchemaError", "SourceError"]


class CodegenError(Exception):
    """Root of the generator's errors."""


class SourceError(CodegenError):
    """The source could not be read: unreachable URL, not a Gradio app, login needed, no such file."""


class SchemaError(CodegenError):
    """A schema file is not valid JSON, or not an API info / snapshot document."""


class OutputError(CodegenError):
    """The generated module could not be written."""
