"""Shared fixtures. The suite is laid out by layer:

* ``codegen/``  the generator, from schema files (fast);
* ``runtime/``  the runtime against ``httpx.MockTransport`` and small local servers (fast);
* ``live/``     real Gradio servers, one virtualenv per version (marked ``servers``);
* ``checks/``   slow whole-product checks: type checkers over generated code, the wheels;
* ``support/``  the helpers the others import (on ``sys.path``).

``pytest tests/codegen tests/runtime`` is the inner loop.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import huggingface_hub.constants as hf_constants
import pytest

from hub_standin import HubStandin
from servers import GRADIO_VERSIONS, ServerPool

# pytest caches each test module's assertion rewrite as bytecode, unless bytecode is off
# (PYTHONDONTWRITEBYTECODE, set on some machines and containers). Without that cache every xdist
# worker rewrites all test modules again: 6 s of CPU a worker instead of 2.4 s, most of the
# inner loop's overhead on a small machine. The cache lives in __pycache__, which git ignores.
sys.dont_write_bytecode = False


@pytest.fixture(scope="session")
def server_pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop_all()


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStandin]:
    """A Hugging Face Hub stand-in on 127.0.0.1, which huggingface_hub is pointed at
    (``HF_ENDPOINT``); no saved login or offline flag of the machine leaks into the test."""
    standin = HubStandin().start()
    monkeypatch.setenv("HF_ENDPOINT", standin.url)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)  # read once, at import
    yield standin
    standin.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not GRADIO_VERSIONS:
        skip = pytest.mark.skip(reason="no Gradio virtualenvs; run scripts/bootstrap")
        for item in items:
            if "servers" in item.keywords:
                item.add_marker(skip)
