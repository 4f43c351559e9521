"""Results equal what gradio_client returns, on real Gradio 4, 5 and 6 servers, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gradio_codegen import runtime as rt
from servers import GRADIO_VERSIONS
from runtime_support import client_classes, config_of, endpoint, plain, reference_results

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]

Calls = list[tuple[str, list[Any]]]


def calls_for(app: str, major: str) -> Calls:
    chat = "/reply" if major == "6" else "/chat"
    return {
        "text_echo": [("/echo", ["hello"]), ("/concat", ["a", "b", "-"]), ("/echo", ["ünïcödé 名前 ✓"])],
        "scalar_inputs": [("/summarize", ["t", 3, 5.5, True, "green", "b", ["apple", "pear"], ["x", "z"]])],
        "multi_endpoints": [
            ("/add", [1, 2]),
            ("/subtract", [5, 3]),
            ("/multiply", [2, 4]),
            ("/hidden_divide", [1, 4]),
            ("/fast_max", [3, 9]),  # queue=False
        ],
        "state_counter": [("/increment", [2]), ("/increment", [3]), ("/history", [])],
        "streaming": [
            ("/count", [5, 0.01]),
            ("/grow_list", [4]),
            ("/stream_chat", ["hi"]),
            ("/two_outputs", [3]),
        ],
        "progress_errors": [
            ("/notify", ["x"]),
            ("/slow", [2]),
            ("/fail", ["x"]),
            ("/crash", ["x"]),
            ("/fail_midstream", [3]),
        ],
        "chat_interface": [(chat, ["hello", "You are terse.", 0.5]), (chat, ["again", "Be brief.", 0.25])],
        "interface_app": [("/greet" if major == "6" else "/predict", ["Ada", 3, True, "plain"])],
        "weird_labels": [
            ("/weird-name.v2", ["k", 2, "café", "p3", "fast", 1]),
            ("/class", ["Größe", 0.5, "naïve", "x", "fast", None]),
        ],
        # /json_path is left out: gradio_client mistakes its plain {"path": ...} dict for a file
        # and fails (PROTOCOL.md 6.3); test_plain_dict_with_a_path_is_not_a_file checks ours.
        "complex_outputs": [
            ("/analyze", ["hello wonderful world"]),
            ("/chat_once", ["hi"]),
            ("/shift", ["#ff0000", "2023-11-14 22:13:20", 2]),
            ("/table_sum", [{"headers": ["name", "value"], "data": [["a", 1], ["b", 2]], "metadata": None}]),
        ],
    }[app]


def record_sync(client: rt.Client, eps: dict[str, rt.Endpoint[Any]], calls: Calls) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for api_name, args in calls:
        job = client._submit(eps[api_name], *args)
        try:
            out.append({"result": plain(job.result()), "outputs": plain(job.outputs())})
        except rt.AppError as e:
            out.append({"error": e.message, "outputs": plain(job.outputs())})
    return out


async def record_async(
    client: rt.AsyncClient, eps: dict[str, rt.Endpoint[Any]], calls: Calls
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for api_name, args in calls:
        job = await client._submit(eps[api_name], *args)
        try:
            result = plain(await job.result())
            outputs = plain(job.outputs())
            assert [plain(v) async for v in job] == outputs
            out.append({"result": result, "outputs": outputs})
        except rt.AppError as e:
            out.append({"error": e.message, "outputs": plain(job.outputs())})
    return out


def assert_matches(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], calls: Calls, streams: set[str]) -> None:
    for (api_name, args), mine, ref in zip(calls, ours, theirs, strict=True):
        where = f"{api_name}{tuple(args)}"
        if "error" in ref:
            assert "error" in mine, (where, mine, ref)
            assert ref["type"] == "AppError", (where, ref)
            if api_name in ("/fail", "/fail_midstream"):  # gr.Error: the app's own words, unwrapped
                assert mine["error"] in ref["error"], (where, mine, ref)
                assert "'" not in mine["error"], where
            continue
        assert "error" not in mine, (where, mine)
        assert mine["result"] == ref["result"], (where, mine["result"], ref["result"])
        if api_name in streams:
            assert mine["outputs"] == ref["outputs"], (where, mine["outputs"], ref["outputs"])


APPS = [
    "text_echo",
    "scalar_inputs",
    "multi_endpoints",
    "state_counter",
    "streaming",
    "progress_errors",
    "chat_interface",
    "interface_app",
    "weird_labels",
    "complex_outputs",
]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
@pytest.mark.parametrize("app", APPS)
def test_same_results_as_gradio_client(server_pool: Any, app: str, major: str) -> None:
    server = server_pool.get(app, major)
    calls = calls_for(app, major)
    config = config_of(server)
    eps = {name: endpoint(config, name) for name, _ in calls}
    streams = {name for name, ep in eps.items() if ep.stream}
    theirs = reference_results(server, calls)
    sync_client, async_client = client_classes(server)
    with sync_client(timeout=60) as client:
        ours = record_sync(client, eps, calls)
    assert_matches(ours, theirs, calls, streams)

    async def run_async() -> list[dict[str, Any]]:
        async with async_client(timeout=60) as client:
            return await record_async(client, eps, calls)

    assert_matches(asyncio.run(run_async()), theirs, calls, streams)
    if app == "progress_errors":
        fail = next(o for (name, _), o in zip(calls, ours) if name == "/fail")
        assert fail["error"] == "Bad input: x"  # no quotes on Gradio 4, no prefix anywhere
        crash = next(o for (name, _), o in zip(calls, ours) if name == "/crash")
        assert "show_error=True" in crash["error"]
        midstream = next(o for (name, _), o in zip(calls, ours) if name == "/fail_midstream")
        assert midstream["outputs"] == ["0", "1", "2"]


@pytest.mark.parametrize("major", GRADIO_VERSIONS)
def test_plain_dict_with_a_path_is_not_a_file(server_pool: Any, major: str) -> None:
    """A JSON output shaped like {"path": ...} stays data: files are told by their FileData marker."""
    server = server_pool.get("complex_outputs", major)
    sync_client, _ = client_classes(server)
    with sync_client(timeout=60) as client:
        result = client._predict(endpoint(config_of(server), "/json_path"), "readme")
    assert result == {"path": "docs/readme.txt", "kind": "just data"}
