"""Duplicating a Space through the Hub stand-in, then reaching the copy like any Space."""

from __future__ import annotations


import httpx
import pytest

from gradio_codegen.runtime import AuthenticationError, InputError, SpaceNotFoundError
from gradio_codegen.runtime._hub._auth import token_headers
from gradio_codegen.runtime._hub._duplicate import duplicate_space
from gradio_codegen.runtime._hub._spaces import resolve
from hub_standin import OWNER, VALID_TOKEN, HubStandin
from servers import GradioServer, ServerPool


@pytest.mark.servers
def test_a_duplicate_is_private_and_callable_once_built(
    hub: HubStandin, server_pool: ServerPool
) -> None:
    app: GradioServer = server_pool.get("text_echo", "5")
    hub.add_space("acme/echo", app.url, sdk_version="5.50.0")

    new_id = duplicate_space(
        "https://huggingface.co/spaces/acme/echo",
        token=VALID_TOKEN,
        hardware="t4-small",
        secrets={"API_KEY": "s3cret"},
        sleep_time=3600,
    )
    assert new_id == f"{OWNER}/echo"  # the token's account, the source's name
    copy = hub.spaces[new_id]
    assert copy.private and copy.duplicated_with == {
        "repository": new_id,
        "visibility": "private",
        "hardware": "t4-small",
        "sleepTimeSeconds": 3600,
        "secrets": [{"key": "API_KEY", "value": "s3cret"}],
    }

    stages: list[str] = []
    resolved = resolve(
        new_id,
        token=VALID_TOKEN,
        timeout=30,
        on_stage=lambda s: stages.append(s.stage),
        poll_interval=0.05,
    )
    assert stages == ["BUILDING", "BUILDING"]
    headers = token_headers(resolved.url, VALID_TOKEN, gradio_version=resolved.gradio_version)
    reply = httpx.get(f"{resolved.url}/config", headers=headers, timeout=30)
    assert reply.status_code == 200 and reply.json()["version"].startswith("5.")


def test_an_existing_copy_is_reused_or_refused(hub: HubStandin) -> None:
    hub.add_space("acme/echo", "http://127.0.0.1:9")
    hub.add_space("me/mine", "http://127.0.0.1:9")
    assert duplicate_space("acme/echo", "me/mine", token=VALID_TOKEN) == "me/mine"
    with pytest.raises(InputError, match="already exists"):
        duplicate_space("acme/echo", "me/mine", token=VALID_TOKEN, exist_ok=False)
    assert (
        duplicate_space("acme/echo", "public-copy", token=VALID_TOKEN, private=False)
        == f"{OWNER}/public-copy"
    )
    assert hub.spaces[f"{OWNER}/public-copy"].private is False


def test_duplicating_needs_a_working_token(hub: HubStandin) -> None:
    hub.add_space("acme/echo", "http://127.0.0.1:9")
    with pytest.raises(AuthenticationError, match="needs a Hugging Face token"):
        duplicate_space("acme/echo")
    assert hub.seen == []  # refused before asking the Hub
    with pytest.raises(AuthenticationError, match="write access"):
        duplicate_space("acme/echo", "me/copy", token="hf_notAValidToken00000000000")
    with pytest.raises(SpaceNotFoundError):
        duplicate_space("acme/missing", "me/copy", token=VALID_TOKEN)
    with pytest.raises(InputError):
        duplicate_space("not a space", token=VALID_TOKEN)
