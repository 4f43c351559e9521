"""The generator: a Gradio app's API schema in, a typed Python module out.

The pipeline is visible in the module names: ``sources`` fetches or reads the raw documents,
``schema`` validates them and defines the snapshot, ``build`` turns a snapshot into the
intermediate ``model`` (names from ``names``, types from ``typemap``), ``render`` writes the module
through the templates, its statements laid out as black would (``syntax``, ``layout``), and checks
that it parses; ``output`` writes it to ``-o FILE`` without destroying anything. Around it,
``compare`` tells what changed between the snapshot an SDK was made from and the app now (breaking
or compatible), and ``project`` reads ``[tool.gradio-codegen]`` and syncs and checks every SDK it
lists; ``cli`` drives it all.
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
