"""TLS costs nothing for http apps, and https is still verified (never silently unverified)."""

from __future__ import annotations

import ssl

import httpx
import pytest

from gradio_codegen.runtime import _tls


def test_http_transport_trusts_no_ca_and_https_goes_to_the_verifying_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with _tls.sync_http(httpx.Timeout(5)) as client:
        plain = client._transport_for_url(httpx.URL("http://127.0.0.1:7860/config"))
        secure = client._transport_for_url(httpx.URL("https://example.hf.space/config"))
        assert isinstance(secure, _tls._LazyTLS) and plain is not secure
        context = plain._pool._ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] == 0  # TLS through it fails closed
    verified = _tls.verified_context()
    assert verified.verify_mode is ssl.CERT_REQUIRED and verified.cert_store_stats()["x509_ca"] > 0
    assert _tls.verified_context() is verified  # built once per process


def test_proxies_from_the_environment_keep_httpx_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    with _tls.sync_http(httpx.Timeout(5)) as client:
        transport = client._transport_for_url(httpx.URL("https://example.hf.space/config"))
        assert not isinstance(transport, _tls._LazyTLS)
