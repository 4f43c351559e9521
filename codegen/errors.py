"""Why generation could not start or finish. The CLI prints the message on one line and exits
with 2 (trouble; see the CLI's exit codes).

Every message says what was wrong and what to do about it.
"""

from __future__ import annotations

__all__ = ["CodegenError", "NotJsonError", "OutputError", "SchemaError", "SourceError"]


class CodegenError(Exception):
    """Root of the generator's errors."""


class SourceError(CodegenError):
    """The source could not be read: unreachable URL, not a Gradio app, login needed, no such file."""


class SchemaError(CodegenError):
    """A schema document is not valid JSON, not an API info / snapshot document, or unsafe to
    read (nested too deep, numbers too long)."""


class NotJsonError(SchemaError):
    """A document is not JSON text at all (an HTML page where /config should be, say)."""


class OutputError(CodegenError):
    """The output could not be written, or writing it would destroy something (a device, the
    input, a read-only file, a symlink)."""
