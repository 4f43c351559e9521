"""What a client's heartbeat connection does for an app: ``unload`` handlers and State cleanup.

A session's ``gr.State`` lives on the server until Gradio deletes it; ``demo.unload`` handlers run
when Gradio decides the session's client has gone. Both are written down in the runs file (the
same format as ``app.py``, see ``tests/support/counts.py``), keyed by the session hash:

* ``remember(text) -> str``: appends ``text`` to the session's State and returns everything kept
  so far, joined with ``+`` (so a test sees whether the State survived);
* ``unload``: records ``{"fn": "unload", "key": <session hash>}``;
* the State's ``delete_callback``: records ``{"fn": "state", "what": "deleted"}`` with the
  value deleted (Gradio keeps a closed session's State for an hour, one second when the server
  runs with ``GRADIO_IS_E2E_TEST=1``).

Gradio 4.44 and later (``demo.unload`` and ``delete_callback`` are missing from 4.16).
"""

from __future__ import annotations

import os

import gradio as gr
from app import record  # the counting app next to this file


def remember(text: str, kept: list[str], request: gr.Request) -> tuple[str, list[str]]:
    kept = [*(kept or []), text]
    record("remember", request.session_hash or "", "start", kept=kept)
    return "+".join(kept), kept


def on_unload(request: gr.Request) -> None:
    record("unload", request.session_hash or "", "start")


def on_state_deleted(value: object) -> None:
    record("state", "", "deleted", value=value)


with gr.Blocks() as demo:
    kept = gr.State([], delete_callback=on_state_deleted)
    text = gr.Textbox(label="text")
    out = gr.Textbox(label="kept")
    gr.Button("remember").click(remember, [text, kept], [out, kept], api_name="remember")
    demo.unload(on_unload)

if __name__ == "__main__":
    demo.queue(default_concurrency_limit=None, max_size=None)
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
