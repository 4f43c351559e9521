"""Importing the runtime stays cheap for sync use: a fresh process running a generated SDK pays for
the import before its first result, so asyncio and thread pools load only on the paths that use them.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

# Stdlib modules the runtime itself never needs at import time.
DEFERRED = ("asyncio", "concurrent.futures", "secrets")
# Libraries only some calls need: httpcore (with h11 and anyio, ~40 modules) once the first HTTP
# client is built (httpx defers it too), wsproto for a Gradio 3 app's websocket queue.
ON_FIRST_USE = ("httpcore", "h11", "anyio", "wsproto")


@functools.lru_cache(maxsize=None)  # one fresh process per import line, for every test here
def _loaded(imports: str) -> set[str]:
    """Which of ``DEFERRED`` and ``ON_FIRST_USE`` a fresh process has loaded after ``imports``."""
    names = DEFERRED + ON_FIRST_USE
    code = (
        f"import sys\n{imports}\n"
        f"print(__import__('json').dumps([m for m in {names!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_sync_import_loads_no_asyncio_thread_pool_or_secrets() -> None:
    by_httpx = _loaded("import httpx")  # what our dependency loads on its own is out of our hands
    by_runtime = _loaded("import gradio_codegen.runtime") & set(DEFERRED)
    assert by_runtime - by_httpx == set(), (
        "importing gradio_codegen.runtime loads these at module level; import them inside the "
        "functions that use them (see `python -X importtime -c 'import gradio_codegen.runtime'`)"
    )


def test_the_runtime_and_its_clients_load_no_http_stack_before_the_first_call() -> None:
    # The package imports both clients (and through them every module a call to a 4.x+ app uses).
    assert _loaded("import gradio_codegen.runtime") & set(ON_FIRST_USE) == set(), (
        "importing the runtime loads the HTTP connection stack; import the module that needs it "
        "(e.g. _queue._gradio3_calls) inside the function of the call that uses it"
    )


def test_the_check_sees_modules_that_are_loaded() -> None:
    everything = (
        "import asyncio, concurrent.futures, secrets, httpx, wsproto\nhttpx.Client().close()"
    )
    assert _loaded(everything) == set(DEFERRED + ON_FIRST_USE)
