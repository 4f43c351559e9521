"""ZeroGPU: quota refusals become ZeroGPUQuotaError; x-ip-token is forwarded only to Spaces."""

from __future__ import annotations

import sys
import threading
import types
from contextvars import ContextVar

import pytest

from gradio_codegen.runtime import AppError, ZeroGPUQuotaError
from gradio_codegen.runtime._hub._zerogpu import forward_headers, quota_error, zerogpu_headers

SPACE = "https://owner-target.hf.space"


@pytest.mark.parametrize(
    ("message", "requested", "remaining"),
    [
        # spaces >= 0.30 (api call, anonymous)
        (
            "You have exceeded your ZeroGPU quota (60s requested vs. 45s left). Try again in "
            "0:12:03. Authenticate with a Hugging Face token for more quota - "
            "https://huggingface.co/settings/tokens",
            60,
            45,
        ),
        ("You have exceeded your free ZeroGPU quota (120s requested vs. 0s left).", 120, 0),
        ("You have exceeded your Pro GPU quota (90s requested vs. 12s left).", 90, 12),
        ("You have exceeded your GPU quota (60s requested vs. 45s left).", 60, 45),
        # Gradio 4 wraps gr.Error text in quotes
        ("'You have exceeded your GPU quota (30s requested vs. 29s left).'", 30, 29),
        # the oldest wording put what is left first
        ("You have exceeded your GPU quota (42s left vs. 60s requested). Sign-up on HF", 60, 42),
        ("You have exceeded your ZeroGPU runs limit. ", None, None),
        ("You have exceeded your runs limit.", None, None),
        ("Space app has reached its GPU limit. Try re-running outside of examples", None, None),
    ],
)
def test_quota_messages_become_quota_errors(
    message: str, requested: float | None, remaining: float | None
) -> None:
    error = quota_error(message, endpoint="/generate", title=None)
    assert isinstance(error, ZeroGPUQuotaError) and isinstance(error, AppError)
    assert (error.requested, error.remaining) == (requested, remaining)
    assert error.endpoint == "/generate"
    assert "quota" in str(error).lower() or "limit" in str(error).lower()
    assert not str(error).startswith("/generate: '")  # the quotes Gradio 4 adds are gone


@pytest.mark.parametrize(
    "message",
    [
        "Bad input: x",
        "No GPU was available after 60s. Retry later",
        "The requested GPU duration (300s) is larger than the maximum allowed",
        "Expired ZeroGPU proxy token",
        "",
    ],
)
def test_other_errors_are_not_quota_errors(message: str) -> None:
    assert quota_error(message, endpoint="/x", title="Error") is None


def test_the_quota_title_alone_is_enough() -> None:
    error = quota_error("something new", endpoint=None, title="ZeroGPU quota exceeded")
    assert isinstance(error, ZeroGPUQuotaError)
    assert error.requested is None and error.title == "ZeroGPU quota exceeded"


def test_forward_headers_applies_inside_the_block_only() -> None:
    class Request:  # what gr.Request offers: .headers with .get
        headers = {"x-ip-token": "ip-token-1", "host": "app"}

    assert zerogpu_headers(SPACE) == {}
    with forward_headers(Request()):
        assert zerogpu_headers(SPACE) == {"x-ip-token": "ip-token-1"}
        assert zerogpu_headers("http://example.com") == {}  # never to a non-Hugging Face host
        assert zerogpu_headers("http://127.0.0.1:9", trusted_hosts=["127.0.0.1:9"]) == {
            "x-ip-token": "ip-token-1"
        }
    assert zerogpu_headers(SPACE) == {}
    with forward_headers({"X-IP-Token": "ip-token-2"}):  # a plain mapping, any case
        assert zerogpu_headers(SPACE) == {"x-ip-token": "ip-token-2"}
    with forward_headers(None):
        assert zerogpu_headers(SPACE) == {}


def test_forwarding_is_per_thread() -> None:
    seen: list[dict[str, str]] = []
    with forward_headers({"x-ip-token": "mine"}):
        worker = threading.Thread(target=lambda: seen.append(zerogpu_headers(SPACE)))
        worker.start()
        worker.join()
        assert zerogpu_headers(SPACE) == {"x-ip-token": "mine"}
    assert seen == [{}]


def test_gradio_is_never_imported() -> None:
    assert zerogpu_headers(SPACE) == {}
    assert "gradio" not in sys.modules and "gradio.context" not in sys.modules


def test_auto_detection_reads_an_already_loaded_gradio_context(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a module already in sys.modules is read (here a stand-in with Gradio's shape)."""
    var: ContextVar[object] = ContextVar("request")
    context = types.ModuleType("gradio.context")
    context.LocalContext = types.SimpleNamespace(request=var)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gradio.context", context)
    assert zerogpu_headers(SPACE) == {}  # no request being handled: var unset
    token = var.set(types.SimpleNamespace(headers={"x-ip-token": "from-gradio"}))
    try:
        assert zerogpu_headers(SPACE) == {"x-ip-token": "from-gradio"}
        with forward_headers({"x-ip-token": "explicit"}):  # the explicit one wins
            assert zerogpu_headers(SPACE) == {"x-ip-token": "explicit"}
    finally:
        var.reset(token)
