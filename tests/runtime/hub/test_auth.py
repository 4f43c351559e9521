"""Hugging Face tokens: found where users put them, sent only to Hugging Face, never shown."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import huggingface_hub.constants as hf_constants
import pytest

from gradio_codegen.runtime import GradioError
from gradio_codegen.runtime._http._credentials import may_receive_token, trust_space_host
from gradio_codegen.runtime._hub._auth import find_token, token_header_name, token_headers
from gradio_codegen.runtime._hub._duplicate import duplicate_space
from gradio_codegen.runtime._hub._spaces import resolve
from hub_standin import HubStandin, free_port

SECRET = "hf_secretNeverShown9876543210zyxw"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://huggingface.co/api/spaces/a/b", True),
        ("https://acme-echo.hf.space", True),
        ("https://ACME-echo.HF.space:443/x", True),
        ("https://hf.space", True),
        ("https://hf.co/api/spaces/a/b", True),
        ("https://hf.co.evil.com", False),
        ("http://acme-echo.hf.space", False),  # never in clear text
        ("https://evil-hf.space", False),
        ("https://hf.space.evil.com", False),
        ("https://huggingface.co.evil.com", False),
        ("https://huggingface.co@evil.com/", False),  # user-info trick
        ("https://huggingface.co:443@evil.com/", False),
        ("https://huggingface.co%2f@evil.com/", False),
        ("https://evil.com#@huggingface.co", False),
        ("https://evil.com?@huggingface.co", False),
        ("https://evil.com/.hf.space", False),
        ("https://huggingface%2eco/", False),
        ("https://evil.com/?u=https://x.hf.space", False),
        ("http://127.0.0.1:7860", False),
        ("not a url", False),
        ("", False),
    ],
)
def test_only_hugging_face_hosts_may_receive_the_token(url: str, allowed: bool) -> None:
    assert may_receive_token(url) is allowed
    assert bool(token_headers(url, SECRET)) is allowed


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.com\\@huggingface.co/",
        "https://evil.com#@huggingface.co",
        "https://huggingface.co%2f@evil.com/",
        "https://[::1]@x.hf.space/",
        "https://x.hf.space./config",
        "https://HF.CO:443/api",
    ],
)
def test_the_decision_is_about_the_host_httpx_connects_to(url: str) -> None:
    """URL-parser tricks: where the policy and httpx could read a URL differently, the token may
    go only if the host httpx would actually connect to is a Hugging Face host."""
    host = httpx.URL(url).host.rstrip(".")
    on_hf = any(
        host == d or host.endswith("." + d) for d in ("huggingface.co", "hf.co", "hf.space")
    )
    assert may_receive_token(url) is on_hf


def test_the_configured_hub_and_named_hosts_may_receive_it(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    assert may_receive_token(f"http://127.0.0.1:{port}/api/x")
    assert not may_receive_token(f"http://127.0.0.1:{port + 1}")  # same host, other port
    other = f"http://127.0.0.1:{free_port()}"
    assert not may_receive_token(other)
    assert may_receive_token(other, trusted_hosts=[other])
    assert may_receive_token(other, trusted_hosts=[other.removeprefix("http://")])
    assert may_receive_token(other, trusted_hosts=["127.0.0.1"])  # a bare host: any port
    assert not may_receive_token(other, trusted_hosts=["https://127.0.0.1"])  # other scheme


def test_a_host_the_hub_named_may_receive_it() -> None:
    host = f"http://127.0.0.1:{free_port()}"
    assert not may_receive_token(host)
    trust_space_host(host + "/")
    assert may_receive_token(host + "/gradio_api/queue/join")


@pytest.mark.parametrize(
    ("version", "header"),
    [
        ("4.44.1", "authorization"),
        ("5.50.0", "x-hf-authorization"),
        ("6.31.0", "x-hf-authorization"),
        (None, "x-hf-authorization"),
    ],
)
def test_the_header_follows_the_gradio_version(version: str | None, header: str) -> None:
    assert token_header_name(version) == header
    assert token_headers("https://a-b.hf.space", SECRET, gradio_version=version) == {
        header: f"Bearer {SECRET}"
    }
    assert token_headers("https://a-b.hf.space", None, gradio_version=version) == {}


def test_where_the_token_comes_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", raising=False)
    monkeypatch.setenv("HF_TOKEN", "hf_fromEnvironment")
    assert find_token("hf_explicit ") == "hf_explicit"
    assert find_token(None) == "hf_fromEnvironment"
    assert find_token("") == "hf_fromEnvironment"
    assert find_token(False) is None
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    assert find_token(None) is None
    assert find_token("hf_explicit") == "hf_explicit"


def test_the_huggingface_hub_login_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import huggingface_hub

    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_DISABLE_IMPLICIT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_savedLogin")
    assert find_token(None) == "hf_savedLogin"


# --- the token never shows up in errors, reprs or logs ----------------------------------------


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[HubStandin]:
    standin = HubStandin().start()
    monkeypatch.setenv("HF_ENDPOINT", standin.url)
    monkeypatch.setenv("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    yield standin
    standin.stop()


def _texts(error: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield repr(current.args)
        yield repr(vars(current))
        current = current.__cause__ or current.__context__


def test_no_error_text_contains_the_token(
    hub: HubStandin, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hub.add_space("acme/secret", "http://127.0.0.1:9", private=True)
    hub.add_space("acme/paused", "http://127.0.0.1:9", stages=["PAUSED"])
    hub.add_space("acme/slow", "http://127.0.0.1:9", stages=["BUILDING"])
    failures: list[GradioError] = []
    caplog.set_level("DEBUG")
    attempts = [
        lambda: resolve("acme/secret", token=SECRET, timeout=5),
        lambda: resolve("acme/missing", token=SECRET, timeout=5),
        lambda: resolve("acme/paused", token=SECRET, timeout=5),
        lambda: resolve("acme/slow", token=SECRET, timeout=0.2, poll_interval=0.05),
        lambda: duplicate_space("acme/secret", token=SECRET),
        lambda: duplicate_space("acme/missing", "me/copy", token=SECRET),
    ]
    for attempt in attempts:
        with pytest.raises(GradioError) as caught:
            attempt()
        failures.append(caught.value)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(GradioError) as caught:
        resolve("acme/secret", token=SECRET, timeout=5)
    failures.append(caught.value)

    assert len(failures) == 7
    for failure in failures:
        # No link to the HTTP library's exception either: its request object holds the headers.
        assert failure.__cause__ is None and failure.__context__ is None, repr(failure)
        for text in _texts(failure):
            assert SECRET not in text, text
    assert SECRET not in caplog.text
