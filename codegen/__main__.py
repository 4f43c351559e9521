"""``python -m gradio_codegen.codegen``: the same as the ``gradio-codegen`` command."""

from .cli import main

main()
