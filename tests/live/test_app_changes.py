"""A stale SDK never calls the wrong function (issue #11), on real Gradio 4, 5 and 6 servers.

The SDK is generated from ``tests/apps/app_changes`` as it is (``VARIANT=control``); each test
points it at the same app changed in one way (one server per variant and major, started once and
reused) and asserts the right result or ``AppChangedError`` with the right ``changes``. Every
function of the app appends its name to ``ran.log`` in the server's folder, which proves which
functions ran: never another endpoint's, and with ``verify="before"`` not even the changed one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.codegen.diagnostics import Diagnostics
from gradio_codegen.codegen.pipeline import generate
from gradio_codegen.codegen.sources import load
from servers import GRADIO_VERSIONS, GradioServer, start_server

pytestmark = [pytest.mark.servers, pytest.mark.timeout(600)]

APP = "app_changes"


class Variants:
    """The app's variants under one Gradio major, each started on first use."""

    def __init__(self, major: str) -> None:
        self.major = major
        self.servers: dict[str, GradioServer] = {}

    def get(self, variant: str) -> GradioServer:
        server = self.servers.get(variant)
        if server is None or not server.alive():
            server = start_server(APP, self.major, env={"VARIANT": variant})
            self.servers[variant] = server
        return server

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="module", params=GRADIO_VERSIONS)
def variants(request: pytest.FixtureRequest) -> Iterator[Variants]:
    found = Variants(request.param)
    yield found
    found.stop()


@pytest.fixture(scope="module")
def sdk(variants: Variants, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The SDK generated from the control app, as a user would generate it."""
    control = variants.get("control")
    snapshot = load(control.url, diagnostics=Diagnostics())
    path = tmp_path_factory.mktemp("sdk") / f"app_changes_g{variants.major}.py"
    path.write_text(generate(snapshot, diagnostics=Diagnostics()))
    name = path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Ran:
    """The functions the app ran since the last look (from its ``ran.log``)."""

    def __init__(self, server: GradioServer) -> None:
        self.log = Path(server.workdir) / "ran.log"
        self.seen = self._lines()

    def _lines(self) -> list[str]:
        return self.log.read_text().split() if self.log.exists() else []

    def since(self) -> list[str]:
        lines = self._lines()
        new, self.seen = lines[len(self.seen) :], lines
        return new


def client(sdk: ModuleType, server: GradioServer, verify: str = "concurrent") -> Any:
    return sdk.Client(server.url, timeout=60, verify=verify)


def changed(
    sdk: ModuleType, server: GradioServer, method: str, *args: Any, verify: str = "concurrent"
) -> rt.AppChangedError:
    with client(sdk, server, verify) as c:
        with pytest.raises(rt.AppChangedError) as caught:
            getattr(c, method)(*args)
    return caught.value


def whole(result: str | None) -> str:
    """A result with the numbers as written (gr.Number hands the function 2.0 for 2)."""
    return (result or "").replace(".0", "")


def kinds(error: rt.AppChangedError) -> list[str]:
    return [c.kind for c in error.changes]


def test_the_unchanged_app_answers_every_endpoint(sdk: ModuleType, variants: Variants) -> None:
    server = variants.get("control")
    ran = Ran(server)
    with client(sdk, server) as c:
        assert c.first("hello") == "first('hello')"
        assert c.second("hello") == "second('hello')"
        assert whole(c.pick("c", 2)) == "pick('c', 2)"
        assert c.concat("A", "B") == "concat('A', 'B')"
        assert whole(c.count(2)) == "count(2, 2)"
        assert whole(c.count(3)) == "count(3, 5)"  # gr.State lives in the client's session
    assert ran.since() == ["first", "second", "pick", "concat", "count", "count"]


def test_swapped_listeners_still_reach_the_named_function(
    sdk: ModuleType, variants: Variants
) -> None:
    server = variants.get("swapped")
    ran = Ran(server)
    with client(sdk, server) as c:
        assert c.first("hello") == "first('hello')"
        assert c.second("hello") == "second('hello')"
    assert ran.since() == ["first", "second"]


def test_a_removed_endpoint_raises_and_the_one_shifted_into_its_place_does_not_run(
    sdk: ModuleType, variants: Variants
) -> None:
    server = variants.get("removed_shift")
    ran = Ran(server)
    error = changed(sdk, server, "first", "hello")
    assert kinds(error) == ["endpoint_removed"] and error.endpoint == "/first"
    assert "/second" in str(error) and "gradio-codegen" in str(error)
    assert ran.since() == []  # /second now sits at /first's fn_index: it did not run
    with client(sdk, server) as c:
        assert whole(c.pick("c", 2)) == "pick('c', 2)"  # shifted down one: found by name
        assert c.concat("A", "B") == "concat('A', 'B')"
    assert ran.since() == ["pick", "concat"]


def test_a_renamed_endpoint_raises_naming_the_new_name(sdk: ModuleType, variants: Variants) -> None:
    server = variants.get("renamed")
    ran = Ran(server)
    error = changed(sdk, server, "first", "hello")
    assert kinds(error) == ["endpoint_removed"]
    assert "/primary" in str(error)
    assert ran.since() == []


@pytest.mark.parametrize(
    "variant, expected",
    [
        ("input_added_default", ["input_added"]),
        ("input_added_required", ["input_added"]),
        ("input_removed", ["input_removed"]),
        ("state_inserted", ["state_input_added"]),
        ("state_replaces", ["input_removed", "state_input_added"]),
    ],
)
def test_a_changed_input_layout_raises_before_any_result(
    sdk: ModuleType, variants: Variants, variant: str, expected: list[str]
) -> None:
    server = variants.get(variant)
    ran = Ran(server)
    # Checked first, the changed function never runs.
    error = changed(sdk, server, "concat", "A", "B", verify="before")
    assert kinds(error) == expected and error.endpoint == "/concat"
    assert ran.since() == []
    # Checked alongside, only the changed endpoint's own function may have started.
    error = changed(sdk, server, "concat", "A", "B")
    assert kinds(error) == expected
    assert set(ran.since()) <= {"concat3", "concat_b", "concat_sb", "concat_state"}
    with client(sdk, server) as c:
        assert c.first("x") == "first('x')"  # the unchanged endpoints still work
    assert set(ran.log.read_text().split()) <= {
        "first",
        "concat3",
        "concat_b",
        "concat_sb",
        "concat_state",
    }


def test_a_removed_choice_raises(sdk: ModuleType, variants: Variants) -> None:
    server = variants.get("choice_removed")
    ran = Ran(server)
    error = changed(sdk, server, "pick", "a", 1, verify="before")
    assert [(c.kind, c.detail) for c in error.changes] == [
        ("choice_removed", "input 'choice' no longer offers 'c'")
    ]
    assert ran.since() == []


def test_an_added_output_raises(sdk: ModuleType, variants: Variants) -> None:
    server = variants.get("output_added")
    ran = Ran(server)
    error = changed(sdk, server, "first", "hello")
    assert kinds(error) == ["output_added"]
    assert set(ran.since()) <= {"first"}


def test_the_async_client_raises_alike(sdk: ModuleType, variants: Variants) -> None:
    import asyncio

    server = variants.get("swapped")
    ran = Ran(server)

    async def main() -> str | None:
        async with sdk.AsyncClient(server.url, timeout=60, verify="concurrent") as c:
            return await c.first("async")  # type: ignore[no-any-return]

    assert asyncio.run(main()) == "first('async')"
    assert ran.since() == ["first"]
