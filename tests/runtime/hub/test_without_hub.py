"""The runtime installed alone (no ``spaces`` extra, so no huggingface_hub): calls that need the
Hub fail before any request, with the pip command that adds it."""

from __future__ import annotations

import sys

import pytest

from gradio_codegen.runtime import GradioError
from hostile_app import example_sdk
from hub_standin import HubStandin

EXTRA = 'pip install "gradio-codegen-runtime[spaces]"'


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of huggingface_hub fail, as in a venv with the runtime alone."""
    for name in [
        m for m in sys.modules if m == "huggingface_hub" or m.startswith("huggingface_hub.")
    ]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)


def test_a_space_id_names_the_extra_and_asks_nothing(no_hub: None, hub: HubStandin) -> None:
    sdk = example_sdk("text_echo")
    with sdk.Client("acme/echo", timeout=10) as client:
        with pytest.raises(GradioError) as caught:
            client.echo("hi")
    message = str(caught.value)
    assert "Resolving a Space id needs huggingface_hub" in message
    assert message.endswith(EXTRA)
    assert hub.seen == []


def test_duplicating_names_the_extra_and_keeps_the_token_out(no_hub: None, hub: HubStandin) -> None:
    sdk = example_sdk("text_echo")
    token = "hf_secret_never_shown_123"
    with pytest.raises(GradioError) as caught:
        sdk.Client.duplicate("acme/echo", token=token)
    message = str(caught.value)
    assert "Duplicating a Space needs huggingface_hub" in message
    assert message.endswith(EXTRA)
    assert token not in message and token not in repr(caught.value)
    assert hub.seen == []
