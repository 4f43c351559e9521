"""The fakes of a generated SDK, as a test of an application uses them: a fake is the SDK's client
(an application function that takes ``sdk.Client`` takes it), its results have the client's types,
and each ``stub_<method>`` takes the endpoint's result type only, so a stub of the wrong type is a
type error under both checkers."""

from __future__ import annotations

from typing import Any, assert_type

import all_components_sdk as sdk
from gradio_codegen.runtime import AsyncJob, Job, RemoteFile
from gradio_codegen.runtime.testing import RecordedCall, remote_file


def caption(client: sdk.Client, path: str) -> str:
    """An application function under test."""
    picture = client.image(path)
    return picture.name if picture is not None else "(no picture)"


def a_test(path: str) -> None:
    fake = sdk.FakeClient()
    fake.stub_image(remote_file(path, name="out.png"))
    assert_type(caption(fake, path), str)
    fake.stub_image(None)
    fake.stub_textbox("x")
    fake.stub_textbox("partial", "whole")  # a stream of outputs, typed each
    fake.stub_textbox(error=sdk.AppError("the model is loading"))
    fake.stub_textbox(error=sdk.ZeroGPUQuotaError("out of quota"))
    fake.stub_textbox(pending=True)
    fake.stub_dropdowns(sdk.DropdownsResult("small", ["a"], "parrot", "lo"))
    fake.stub_chatbot(
        [
            {
                "role": "assistant",
                "metadata": None,
                "content": [{"type": "text", "text": "hi"}],
                "options": None,
            }
        ]
    )
    fake.stub_nothing(sdk.NothingResult(*[None] * 10))
    assert_type(fake.textbox("x"), str | None)
    assert_type(fake.image(path), RemoteFile | None)
    assert_type(fake.submit_textbox("x"), Job[str | None])
    assert_type(fake.calls, list[RecordedCall])
    assert_type(fake.calls[0].arguments, dict[str, Any])
    assert_type(fake.calls_to(fake.textbox), list[dict[str, Any]])
    with fake.as_default() as same:
        assert_type(same, sdk.FakeClient)
        assert_type(sdk.textbox("x"), str | None)
    assert_type(fake.with_options(timeout=5), sdk.FakeClient)


async def an_async_test() -> None:
    fake = sdk.AsyncFakeClient()
    fake.stub_textbox("x")
    assert_type(await fake.textbox("y"), str | None)
    assert_type(await fake.submit_textbox("y"), AsyncJob[str | None])
    client: sdk.AsyncClient = fake
    assert_type(await client.checkbox(True), bool | None)


def wrong_stubs(fake: sdk.FakeClient, path: str) -> None:
    fake.stub_textbox(5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_number_int("7")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_image(path)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_dropdowns(("small", ["a"], "cat", "lo"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_chatbot([{"role": "user", "content": []}])  # type: ignore[typeddict-item]  # pyright: ignore[reportArgumentType]
    fake.stub_textbox(error=ValueError("x"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_textbox(pending="yes")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    fake.stub_nope("x")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    fake.textbox(5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
