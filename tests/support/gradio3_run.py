"""Run a fixture app under Gradio 3.x with the queue switched on.

    GRADIO_SERVER_PORT=7861 <g3 venv>/bin/python gradio3_run.py path/to/app.py [--no-queue] [args...]

Gradio 3.x queues an app only when the app calls ``demo.queue()`` (a Hugging Face Space turns the
queue on by itself). The fixture apps never call it, yet their generator and ``gr.Progress``
endpoints refuse to launch without it, and a queued app is what the websocket transport talks to.
So this runner wraps ``gr.Blocks.launch`` to call ``self.queue()`` first, then runs the app file
unchanged as ``__main__``. With ``--no-queue`` the app runs as written (queue off: every call goes
through ``POST /run/<api_name>``). Other arguments reach the app in ``sys.argv``.

It is started by ``servers.start_server`` with the Gradio 3 venv's own Python, so it may import
only what that venv has (Gradio 3 and the standard library), never this project.
"""

import runpy
import sys

import gradio as gr

args = sys.argv[1:]
queue = "--no-queue" not in args
args = [a for a in args if a != "--no-queue"]
if not args:
    sys.exit("usage: gradio3_run.py APP.py [--no-queue] [args...]")

if queue:
    _launch = gr.Blocks.launch

    def _launch_with_queue(self, *launch_args, **launch_kwargs):
        self.queue()
        return _launch(self, *launch_args, **launch_kwargs)

    gr.Blocks.launch = _launch_with_queue

sys.argv = args
runpy.run_path(args[0], run_name="__main__")
