"""The runtime's rooms import each other in one direction only, and no module imports itself back.

Every ``import`` of every runtime module is read from its source (also those inside functions and
under ``TYPE_CHECKING``: a dependency is a dependency). Each module belongs to a group -- a room
(``_http``, ``_hub``, ``_files``, ``_queue``) or a module at the top -- and each group sits on a
layer. A module may import its own room, and groups of lower layers; nothing upward, and nothing
sideways between two rooms of one layer. With that, the graph of modules has no cycle, which the
last test checks outright (importing a package runs its ``__init__`` first, so a module also
depends on the packages it lives in).
"""

from __future__ import annotations

import ast
from pathlib import Path

import gradio_codegen.runtime as rt

ROOT = Path(rt.__file__).resolve().parent
PACKAGE = "gradio_codegen.runtime"

LAYERS: list[set[str]] = [
    {"_errors", "_version", "_asyncio"},  # the root of the error tree, the version, lazy asyncio
    {"_http"},  # clients, deadlines, credential rules, failures, bounded JSON
    {"_hub", "_files"},  # Spaces and tokens; file values and transfers
    {"shapes"},  # value shapes (they know file values)
    {"_spec"},  # what a generated module declares: AppSpec, Endpoint, Param, Output
    {"_queue"},  # the queue protocol: plans, the event stream, jobs
    {"_options"},  # a client's settings and shared state
    {"_steps"},  # the I/O-free steps of a call
    {"_client_core"},  # what the two clients share: every request and answer of a call, no I/O
    {"_client"},  # Client and AsyncClient
    {"_default_client"},  # the client behind a module's functions
    {"testing"},  # test doubles of the clients, for code that calls an SDK (public, not re-exported)
    {"__init__"},  # the public face
]
LAYER = {group: number for number, groups in enumerate(LAYERS) for group in groups}


def _modules() -> dict[str, Path]:
    """Every runtime module by dotted name below the package ("_queue._job", "__init__")."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] == "build":  # the strict editable install's links, not code
            continue
        if len(parts) > 1 and parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _package_of(name: str) -> list[str]:
    """The package a module lives in, as name parts ("" for the runtime package itself)."""
    parts = name.split(".")
    is_package = MODULES[name].name == "__init__.py"
    return parts if is_package and name != "__init__" else parts[:-1]


def _imports(name: str) -> set[str]:
    """The runtime modules ``name`` imports, by their names in ``MODULES``."""
    tree = ast.parse(MODULES[name].read_text(), str(MODULES[name]))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                package = _package_of(name)
                base = package[: len(package) - node.level + 1]
            elif module.startswith(PACKAGE):
                base, module = [], module[len(PACKAGE) :].lstrip(".")
            else:
                continue
            target = [*base, *module.split(".")] if module else base
            for alias in node.names:  # "from . import _messages" names a module
                candidate = ".".join([*target, alias.name])
                found.add(candidate if candidate in MODULES else ".".join(target) or "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    found.add(alias.name[len(PACKAGE) + 1 :])
    return {module for module in found if module in MODULES and module != name}


def _with_packages(module: str) -> set[str]:
    """``module`` and the rooms Python imports on the way to it. (The runtime package itself is
    being imported whenever any of its modules is, so it is no edge here.)"""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _group(module: str) -> str:
    return module.split(".")[0]


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({_group(m) for m in MODULES} - set(LAYER))
    assert unplaced == [], f"put these in LAYERS (tests/runtime/test_structure.py): {unplaced}"


def test_rooms_import_only_their_own_room_and_lower_layers() -> None:
    wrong = []
    for module in MODULES:
        group = _group(module)
        for target in _imports(module):
            other = _group(target)
            if other != group and LAYER[other] >= LAYER[group]:
                wrong.append(f"{module} -> {target}")
    assert wrong == [], "imports that go up or sideways:\n" + "\n".join(wrong)


def test_the_import_graph_has_no_cycle() -> None:
    graph = {m: {p for t in _imports(m) for p in _with_packages(t)} - {m} for m in MODULES}
    for module in MODULES:
        graph[module] |= _with_packages(module) - {module}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + [module]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_the_check_sees_imports_of_every_form() -> None:
    """The reader finds relative, absolute and module imports (so the rules above can fail)."""
    assert "_queue._plan" in _imports("_queue._session")  # from ._plan import ...
    assert "_queue._messages" in _imports("_queue._session")  # from . import _messages as m
    assert "_errors" in _imports("_queue._session")  # from .._errors import ...
    assert "_http._deadline" in _imports("_http._deadline_io")  # from . import _deadline
    assert "_client" in _imports("__init__")
    assert _group("_files._values") == "_files" and "_files._values" in _imports("shapes")
