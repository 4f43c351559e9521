"""TLS costs nothing for http apps, and https is still verified (never silently unverified)."""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import pytest

from gradio_codegen.runtime._http import _clients as _tls
from gradio_codegen.runtime._http import _retry


def test_http_transport_trusts_no_ca_and_https_goes_to_the_verifying_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    with _tls.sync_http(httpx.Timeout(5)) as client:
        plain = inner(client._transport_for_url(httpx.URL("http://127.0.0.1:7860/config")))
        secure = inner(client._transport_for_url(httpx.URL("https://example.hf.space/config")))
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
        transport = inner(client._transport_for_url(httpx.URL("https://example.hf.space/config")))
        assert not isinstance(transport, _tls._LazyTLS)


# -- deadlines hold in every client, proxied or not --------------------------------------------


def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def inner(transport: object) -> Any:
    """The transport under the retrying wrapper every client transport has."""
    assert isinstance(transport, (_retry.RetryTransport, _retry.AsyncRetryTransport)), transport
    return transport.inner


def _backends(client: httpx.Client | httpx.AsyncClient) -> list[object]:
    transports = [inner(t) for t in [client._transport, *client._mounts.values()]]  # type: ignore[union-attr]
    return [t._pool._network_backend for t in transports if hasattr(t, "_pool")]  # type: ignore[union-attr]


@pytest.mark.parametrize("proxy", [None, "http://127.0.0.1:3128"])
def test_every_transport_enforces_deadlines(
    monkeypatch: pytest.MonkeyPatch, proxy: str | None
) -> None:
    from gradio_codegen.runtime._http._deadline_io import AsyncDeadlineBackend, DeadlineBackend

    _no_proxies(monkeypatch)
    if proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
        monkeypatch.setenv("HTTP_PROXY", proxy)
    with _tls.sync_http(httpx.Timeout(5)) as client:
        backends = _backends(client)
        assert backends and all(isinstance(b, DeadlineBackend) for b in backends)
    client_a = _tls.async_http(httpx.Timeout(5))
    backends = _backends(client_a)
    assert backends and all(isinstance(b, AsyncDeadlineBackend) for b in backends)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_dripping_proxy_cannot_hold_an_operation(
    monkeypatch: pytest.MonkeyPatch, flavour: str
) -> None:
    """With HTTP_PROXY set, httpx builds the proxy transports itself; a drip through the proxy is
    still cut at the deadline. (The stand-in app answers proxied requests as its own.)"""
    import asyncio
    import json
    import time

    from gradio_codegen import runtime as rt
    from hostile_app import PREFIX, Handler, HostileApp, example_sdk

    sdk = example_sdk("text_echo")

    def drip(h: Handler) -> None:
        body = json.dumps({"event_id": "e" * 200}).encode()
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        h.drip(body, 0.1)

    _no_proxies(monkeypatch)
    with HostileApp() as proxy:
        proxy.routes[("POST", f"{PREFIX}/call/echo")] = drip
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        app_url = "http://gradio-app.invalid:7860"  # reachable only through the proxy
        _tls.verified_context()  # built once per process; not part of the operation's deadline
        started = time.monotonic()
        with pytest.raises(rt.GradioTimeoutError):
            if flavour == "sync":
                with sdk.Client(app_url, timeout=1.5) as client:
                    client.echo("hi")
            else:

                async def go() -> None:
                    async with sdk.AsyncClient(app_url, timeout=1.5) as client:
                        await client.echo("hi")

                asyncio.run(go())
        elapsed = time.monotonic() - started
        assert proxy.requests_to(f"{PREFIX}/call/echo")  # the join did go through the proxy
        assert elapsed <= 1.5 * 1.1 + 0.5, elapsed
