"""Shared fixtures: real Gradio servers (one per app and version, per test session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servers import ServerPool, available_versions

GRADIO_VERSIONS = available_versions()


@pytest.fixture(scope="session")
def server_pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop_all()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not GRADIO_VERSIONS:
        skip = pytest.mark.skip(reason="no Gradio virtualenvs; run scripts/bootstrap")
        for item in items:
            if "servers" in item.keywords:
                item.add_marker(skip)
