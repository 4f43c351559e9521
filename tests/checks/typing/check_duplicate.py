"""``duplicate`` keeps full static typing although its keywords are written once (``SpaceCopy``
and the constructor's ``ClientOptions``): the Hub's and the client's keywords are accepted with
their types, and the generated class comes back; a misspelt keyword or a wrong type is flagged."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_type

import all_components_sdk as sdk
from gradio_codegen.runtime import SpaceStatus, duplicate_space


def accepted(on_stage: Callable[[SpaceStatus], None]) -> None:
    copy = sdk.Client.duplicate(
        "acme/app",
        "copy",
        token="hf_x",
        hardware="t4-small",
        secrets={"API_KEY": "s3cret"},
        sleep_time=3600,
        private=False,
        timeout=30,
        download="lazy",
        on_space_stage=on_stage,
    )
    assert_type(copy, sdk.Client)
    assert_type(duplicate_space("acme/app", hardware="cpu-upgrade", private=True), str)


async def accepted_async() -> None:
    assert_type(await sdk.AsyncClient.duplicate(to_id="copy", verify="before"), sdk.AsyncClient)


def rejected() -> None:
    sdk.Client.duplicate(hardwre="t4-small")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    sdk.Client.duplicate(timeuot=5)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    sdk.Client.duplicate(sleep_time="1h")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    sdk.Client.duplicate(private="yes")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    sdk.Client.duplicate(download="sometimes")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    duplicate_space("acme/app", secrets=["API_KEY"])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    duplicate_space("acme/app", timeuot=5)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


async def rejected_async() -> None:
    await sdk.AsyncClient.duplicate(hardwre="t4-small")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
