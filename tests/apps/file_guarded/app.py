"""``file_echo`` behind a password (``auth=("user", "pass")``) with ``max_file_size="64kb"``."""

import importlib.util
import os
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "file_echo", Path(__file__).parent.parent / "file_echo" / "app.py"
)
assert spec is not None and spec.loader is not None
file_echo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(file_echo)

if __name__ == "__main__":
    file_echo.build().launch(
        server_name="127.0.0.1",
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        auth=("user", "pass"),
        max_file_size="64kb",
    )
