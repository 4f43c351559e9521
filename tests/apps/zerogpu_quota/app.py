"""A ZeroGPU stand-in: refuses calls with the text the `spaces` package raises, and reports the
x-ip-token the runtime would forward from inside an event handler.

`/generate` raises what a ZeroGPU Space raises when the caller's quota is used up (title
"ZeroGPU quota exceeded" where the Gradio version has titles). `/forwarded` runs inside an event
handler and returns the headers `zerogpu_headers` picks up from Gradio's request context; it needs
the runtime's `_zerogpu` module on the path (env ZEROGPU_RUNTIME_DIR), which the tests provide.
"""

import json
import os
import sys

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


def forwarded(target: str) -> str:
    runtime_dir = os.environ.get("ZEROGPU_RUNTIME_DIR")
    if not runtime_dir:
        return "{}"
    if runtime_dir not in sys.path:
        sys.path.insert(0, runtime_dir)
    from standin_runtime._zerogpu import zerogpu_headers

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
