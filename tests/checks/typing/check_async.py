"""The async client mirrors the sync one: same results, awaited; ``submit_*`` gives an ``AsyncJob``."""

from __future__ import annotations

from typing import Literal, assert_type

import all_components_sdk as sdk
from gradio_codegen.runtime import AsyncJob, RemoteFile


async def results(c: sdk.AsyncClient, path: str) -> None:
    assert_type(await c.textbox("x"), str | None)
    assert_type(await c.number_int(7), int | None)
    assert_type(await c.radio("red"), Literal["red", "green", "blue"] | str | None)
    assert_type(await c.image(path), RemoteFile | None)
    assert_type(await c.files([path]), list[RemoteFile] | None)
    assert_type(await c.dropdowns("small", ["a"], "cat", "lo"), sdk.DropdownsResult)
    assert_type(await c.plots(3), sdk.PlotsResult)


async def jobs(c: sdk.AsyncClient) -> None:
    job = await c.submit_textbox("x")
    assert_type(job, AsyncJob[str | None])
    assert_type(await job.result(), str | None)
    plots = await c.submit_plots(3)
    assert_type(await plots.result(), sdk.PlotsResult)


async def context_manager(url: str) -> None:
    async with sdk.AsyncClient(url) as c:
        assert_type(await c.checkbox(True), bool | None)
