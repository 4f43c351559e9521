"""The keywords of ``duplicate``: what the Hub gives the copy is spelled once (``SpaceCopy``) and
the client options it passes on are the constructor's; a misspelt one asks the Hub nothing.

The copy itself, made through the Hub stand-in and called, is in ``tests/live/spaces`` and
``tests/live/test_client_options.py``; that type checkers reject a wrong keyword or type is in
``tests/checks/typing/check_duplicate.py``."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from gradio_codegen.runtime._hub._duplicate import duplicate_space
from gradio_codegen.runtime._options import ClientOptions, Configured
from hostile_app import example_sdk
from hub_standin import OWNER, VALID_TOKEN, HubStandin


def test_the_options_passed_on_are_the_constructors_keywords() -> None:
    keywords = {
        name: str(p.annotation)
        for name, p in inspect.signature(Configured.__init__).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    typed = {name: ref.__forward_arg__ for name, ref in ClientOptions.__annotations__.items()}
    assert typed == keywords


def test_a_misspelt_keyword_is_refused_before_the_hub_is_asked(hub: HubStandin) -> None:
    hub.add_space("acme/echo", "http://127.0.0.1:9")
    sdk = example_sdk("text_echo")
    with pytest.raises(TypeError, match="unexpected keyword argument 'hardwre'"):
        duplicate_space("acme/echo", token=VALID_TOKEN, hardwre="t4-small")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"Client.duplicate\(\): .*'hardwre'"):
        sdk.Client.duplicate("acme/echo", token=VALID_TOKEN, hardwre="t4-small")
    with pytest.raises(TypeError, match=r"AsyncClient.duplicate\(\): .*'timeuot'"):
        asyncio.run(sdk.AsyncClient.duplicate("acme/echo", token=VALID_TOKEN, timeuot=5))
    assert hub.seen == []


def test_the_copy_gets_the_hub_keywords_and_the_client_the_rest(hub: HubStandin) -> None:
    hub.add_space("acme/echo", "http://127.0.0.1:9")
    sdk = example_sdk("text_echo")
    client = sdk.Client.duplicate(
        "acme/echo",
        "copy",
        token=VALID_TOKEN,
        hardware="t4-small",
        secrets={"API_KEY": "s3cret"},
        sleep_time=3600,
        private=False,
        timeout=7.5,
        download="never",
    )
    with client:
        assert type(client) is sdk.Client and client.src == f"{OWNER}/copy"
        assert client._options.timeout == 7.5 and client._options.download == "never"
        assert client._shared.token == VALID_TOKEN
    copy = hub.spaces[f"{OWNER}/copy"]
    assert copy.private is False and copy.duplicated_with == {
        "repository": f"{OWNER}/copy",
        "visibility": "public",
        "hardware": "t4-small",
        "sleepTimeSeconds": 3600,
        "secrets": [{"key": "API_KEY", "value": "s3cret"}],
    }
    assert sdk.Client.duplicate("acme/echo", "private-copy", token=VALID_TOKEN).src.endswith(
        "/private-copy"
    )
    assert hub.spaces[f"{OWNER}/private-copy"].private is True  # unless private=False
