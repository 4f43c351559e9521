"""A ZeroGPU stand-in: refuses calls with the text the `spaces` package raises, and reports the
x-ip-token the runtime would forward from inside an event handler.

`/generate` raises what a ZeroGPU Space raises when the caller's quota is used up (title
"ZeroGPU quota exceeded" where the Gradio version has titles). `/forwarded` runs inside an event
handler and returns the headers `zerogpu_headers` picks up from Gradio's request context, using
the checkout's own `runtime/_hub/_zerogpu.py` (linked into a throwaway package: this virtualenv has Gradio,
not gradio_codegen).
"""

import json
import os
import sys
import tempfile
from pathlib import Path

import gradio as gr

QUOTA_TEXT = (
    "You have exceeded your ZeroGPU quota (60s requested vs. 45s left). Try again in 0:12:03. "
    "Authenticate with a Hugging Face token for more quota - https://huggingface.co/settings/tokens"
)


def generate(prompt: str) -> str:
    try:
        raise gr.Error(QUOTA_TEXT, title="ZeroGPU quota exceeded")
    except TypeError:  # Gradio 4: no titles
        raise gr.Error(QUOTA_TEXT)


RUNTIME = Path(__file__).resolve().parents[3] / "runtime"


def _runtime_on_path() -> None:
    if "standin_runtime" in sys.modules:
        return
    root = Path(tempfile.mkdtemp(prefix="zerogpu-runtime-"))
    package = root / "standin_runtime"
    for folder in ("", "_http", "_hub"):
        (package / folder).mkdir(exist_ok=True)
        (package / folder / "__init__.py").write_text("")
    for name in ("_errors.py", "_http/_credentials.py", "_hub/_zerogpu.py"):
        (package / name).symlink_to(RUNTIME / name)
    sys.path.insert(0, str(root))


def forwarded(target: str) -> str:
    _runtime_on_path()
    from standin_runtime._hub._zerogpu import zerogpu_headers

    return json.dumps(zerogpu_headers(target))


with gr.Blocks() as demo:
    prompt = gr.Textbox(label="prompt")
    out = gr.Textbox(label="output")
    gr.Button("Generate").click(generate, prompt, out, api_name="generate")
    target = gr.Textbox(label="target")
    headers = gr.Textbox(label="headers")
    gr.Button("Forwarded").click(forwarded, target, headers, api_name="forwarded")

if __name__ == "__main__":
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
