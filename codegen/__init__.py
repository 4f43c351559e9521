"""The generator: a Gradio app's API schema in, a typed Python module out.

The pipeline is visible in the module names: ``sources`` fetches or reads the raw documents,
``schema`` validates them and defines the snapshot, ``build`` turns a snapshot into the
intermediate ``model`` (names from ``names``, types from ``typemap``), ``render`` writes the module
through the templates, formats it with black and checks that it parses; ``cli`` drives it all.
"""

from .diagnostics import Diagnostic, Diagnostics, Level
from .errors import CodegenError, OutputError, SchemaError, SourceError
from .pipeline import generate
from .schema import Snapshot
from .sources import Credentials, load, snapshot_from_documents

__all__ = [
    "generate",
    "load",
    "snapshot_from_documents",
    "Snapshot",
    "Credentials",
    "Diagnostics",
    "Diagnostic",
    "Level",
    "CodegenError",
    "SourceError",
    "SchemaError",
    "OutputError",
]
