"""Counting app: every function writes down each run, so a test can prove how often the app
really ran a call (not how often the client thinks it asked).

Each run appends JSON lines to the file named by ``COUNTED_RUNS_FILE`` (default
``counted_runs.jsonl`` in the server's working directory): ``{"fn", "key", "what", ...}`` where
``what`` is ``start``, ``end``, ``yield`` (with ``i``), ``closed`` (a generator Gradio closed before
it finished) or ``error``. ``key`` is the caller's ``key`` argument, so one call's runs can be told
from another's. ``tests/support/counts.py`` reads the file.

Endpoints (every function works on Gradio 4.16 to 6):

* ``/plain(key, seconds) -> key``: sleeps ``seconds``, then returns; any number run at once;
* ``/one_at_a_time(key, seconds) -> key``: the same with ``concurrency_limit=1``, so later calls
  wait in Gradio's queue (a queued job, not yet started);
* ``/slow_stream(key, n, seconds) -> str``: a generator yielding ``n`` times, ``seconds`` apart,
  the text growing by ``"<i> "`` each time;
* ``/take_file(file, key) -> file``: records the file's size and returns the same file.

``COUNTED_MAX_SIZE`` sets the queue's ``max_size`` (default: unlimited), to see Gradio refuse joins;
``/queue_limit(size) -> str`` sets it while the app runs (0: unlimited), so a test can fill the
queue of a server that other tests share and then give it back. It records nothing.
"""

from __future__ import annotations

import json
import os
import time

import gradio as gr

RUNS_FILE = os.environ.get("COUNTED_RUNS_FILE", "counted_runs.jsonl")


def record(fn: str, key: str, what: str, **detail: object) -> None:
    """Append one line in a single write (O_APPEND), so lines of concurrent runs never mix."""
    line = json.dumps({"fn": fn, "key": key, "what": what, "t": time.time(), **detail}) + "\n"
    fd = os.open(RUNS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def plain(key: str, seconds: float) -> str:
    record("plain", key, "start")
    time.sleep(float(seconds or 0))
    record("plain", key, "end")
    return key


def one_at_a_time(key: str, seconds: float) -> str:
    record("one_at_a_time", key, "start")
    time.sleep(float(seconds or 0))
    record("one_at_a_time", key, "end")
    return key


def slow_stream(key: str, n: float, seconds: float):
    record("slow_stream", key, "start")
    text = ""
    try:
        for i in range(int(n)):
            if seconds:
                time.sleep(float(seconds))
            text += f"{i} "
            record("slow_stream", key, "yield", i=i)
            yield text
    except GeneratorExit:  # Gradio closed the generator: the client was gone, or it cancelled
        record("slow_stream", key, "closed")
        raise
    record("slow_stream", key, "end")


def take_file(file: str, key: str) -> str:
    size = os.path.getsize(file)
    record("take_file", key, "start", size=size)
    record("take_file", key, "end")
    return file


def queue_limit(size: float) -> str:
    # Gradio 4, 5 and 6 read their queue's max_size at every join.
    demo._queue.max_size = int(size or 0) or None
    return str(demo._queue.max_size)


with gr.Blocks() as demo:
    key = gr.Textbox(label="key")
    seconds = gr.Number(label="seconds", value=0)
    n = gr.Number(label="n", value=3, precision=0)
    out = gr.Textbox(label="output")
    file_in = gr.File(label="file", type="filepath")
    file_out = gr.File(label="same file")
    gr.Button("plain").click(plain, [key, seconds], out, api_name="plain", concurrency_limit=None)
    gr.Button("one").click(
        one_at_a_time, [key, seconds], out, api_name="one_at_a_time", concurrency_limit=1
    )
    gr.Button("stream").click(
        slow_stream, [key, n, seconds], out, api_name="slow_stream", concurrency_limit=None
    )
    gr.Button("file").click(
        take_file, [file_in, key], file_out, api_name="take_file", concurrency_limit=None
    )
    size = gr.Number(label="max size", value=0, precision=0)
    gr.Button("limit").click(queue_limit, size, out, api_name="queue_limit", concurrency_limit=None)

if __name__ == "__main__":
    max_size = os.environ.get("COUNTED_MAX_SIZE")
    demo.queue(default_concurrency_limit=None, max_size=int(max_size) if max_size else None)
    demo.launch(
        server_name="127.0.0.1", server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    )
