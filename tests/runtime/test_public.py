"""The runtime's public face: complete ``__all__``, light imports, reserved client names."""

from __future__ import annotations

import subprocess
import sys
import types

import gradio_codegen.runtime as rt


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(rt).items()
        if not name.startswith("_") and not (isinstance(value, types.ModuleType) and name != "shapes")
    }
    assert set(rt.__all__) == public
    assert len(rt.__all__) == len(set(rt.__all__))


def _loaded_after_import(prelude: str = "") -> list[str]:
    code = (
        f"import sys\n{prelude}\nimport gradio_codegen.runtime\n"
        "print(sorted(m for m in ('jinja2', 'black', 'click', 'gradio', 'gradio_client')"
        " if sys.modules.get(m) is not None))"
    )
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout.strip())  # a printed list of module names


def test_import_loads_no_generator_or_gradio_packages() -> None:
    loaded = _loaded_after_import()
    assert set(loaded) <= {"click"}
    if "click" in loaded:
        # httpx tries to import its own command-line tool (built on click) when click is
        # installed; nothing of the runtime does, as the check with click unimportable shows.
        probe = "import sys, httpx; print('click' in sys.modules)"
        out = subprocess.run([sys.executable, "-P", "-c", probe], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "True"
    assert _loaded_after_import("sys.modules['click'] = None") == []


def test_clients_keep_their_public_attributes_few() -> None:
    sync_public = {n for n in dir(rt.Client) if not n.startswith("_")}
    async_public = {n for n in dir(rt.AsyncClient) if not n.startswith("_")}
    assert sync_public == {"app", "close", "duplicate", "reset_session", "with_options", "session_hash"}
    assert async_public == {"app", "aclose", "duplicate", "reset_session", "with_options", "session_hash"}
