"""Credentials stay where they belong, at every redirect hop (issue #10, item 3).

The app answers each kind of request with a redirect to another origin ("evil", a second stand-in
on another port): before, a Space host answering 307 received ``x-hf-authorization: Bearer hf_...``
at the evil port on ``GET /config`` and ``GET /gradio_api/info`` during generation, and the request
that wakes a sleeping Space followed redirects with the token too. Each test gives the client every
credential it can carry -- the token, the app's login cookie, ZeroGPU's ``x-ip-token``, a user
header -- and then checks what a user would: nothing of them reached the evil origin.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from clirun import run
from gradio_codegen import runtime as rt
from gradio_codegen.runtime._http import _credentials
from gradio_codegen.runtime._http._clients import async_copy, sync_copy, sync_http
from gradio_codegen.runtime._hub._spaces import aresolve, resolve
from hostile_app import PREFIX, Handler, HostileApp, call_route, example_sdk
from hub_standin import HubStandin

pytestmark = pytest.mark.timeout(120)

FLAVOURS = ["sync", "async"]
TEXT_ECHO = example_sdk("text_echo")
FILES_IO = example_sdk("files_io")
TOKEN = "hf_credentialNeverElsewhere0123456789"
IP_TOKEN = "ip-token-of-the-end-user"
USER_HEADER = ("x-user-secret", "the-users-own-header-value")
PASSWORD = "pass-word-never-elsewhere"
COOKIE = "login-cookie-never-elsewhere"
SECRETS = (TOKEN, IP_TOKEN, USER_HEADER[1], PASSWORD, COOKIE)


@pytest.fixture
def evil() -> Iterator[HostileApp]:
    with HostileApp() as running:
        yield running


@pytest.fixture
def app() -> Iterator[HostileApp]:
    with HostileApp() as running:
        # The app's login sets a cookie; every credential below is one the app may have.
        running.routes[("POST", "/login")] = lambda h: h.send_json(
            200, {"success": True}, headers={"set-cookie": f"access-token={COOKIE}; Path=/"}
        )
        yield running


def to(evil: HostileApp, status: int = 307) -> Callable[[Handler], None]:
    """A handler that redirects to the same path and query on the evil origin."""
    return lambda h: h.redirect(f"{evil.url}{h.path}", status)


def leaked(evil: HostileApp) -> list[str]:
    """Every secret that reached the evil origin, in a header or a body."""
    found = []
    for seen in evil.seen:
        blob = json.dumps(seen.headers) + seen.body.decode("utf-8", "replace") + seen.path
        found += [f"{seen.method} {seen.path}: {s}" for s in SECRETS if s in blob]
    return found


def call(
    sdk: ModuleType, flavour: str, url: str, method: str | rt.Endpoint[Any], *args: Any
) -> Any:
    """``method(*args)`` (a method name, or an endpoint the SDK lacks) with every credential a
    client carries, the app trusted with the token."""
    options: dict[str, Any] = {
        "timeout": 30,
        "token": TOKEN,
        "trusted_hosts": [url],
        "auth": ("user", PASSWORD),
        "headers": dict([USER_HEADER]),
    }

    def bound(client: Any) -> Any:
        if isinstance(method, str):
            return getattr(client, method)
        return lambda *a: client._predict(method, *a)

    with rt.forward_headers({"x-ip-token": IP_TOKEN}):
        if flavour == "sync":
            with sdk.Client(url, **options) as client:
                return bound(client)(*args)

        async def go() -> Any:
            async with sdk.AsyncClient(url, **options) as client:
                return await bound(client)(*args)

        return asyncio.run(go())


def call_quietly(sdk: ModuleType, flavour: str, url: str, method: str, *args: Any) -> None:
    try:
        call(sdk, flavour, url, method, *args)
    except rt.GradioError:
        pass  # whether the call fails is not the point; where the credentials went is


def test_the_app_itself_receives_every_credential(app: HostileApp) -> None:
    """The baseline that gives the other tests their meaning: the credentials are in play."""
    assert call(TEXT_ECHO, "sync", app.url, "echo", "hi") == "hi"
    join = app.requests_to(f"{PREFIX}/call/echo")[0].headers
    assert join["x-hf-authorization"] == f"Bearer {TOKEN}" and join["x-ip-token"] == IP_TOKEN
    assert join[USER_HEADER[0]] == USER_HEADER[1] and COOKIE in join["cookie"]


# -- the SDK's requests: redirects are not followed, or followed without credentials --------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("POST", "/login"),
        ("GET", "/config"),
        call_route("/echo"),
        ("GET", f"{PREFIX}/queue/data"),
        ("POST", f"{PREFIX}/upload"),
    ],
    ids=["login", "config", "join", "stream", "upload"],
)
def test_requests_of_a_call(
    app: HostileApp, evil: HostileApp, flavour: str, method: str, route: str
) -> None:
    app.routes[(method, route)] = to(evil)
    if route == "/config":  # read by the layout check, and by an SDK generated without /config
        endpoint = dataclasses.replace(TEXT_ECHO._ECHO, fn_index=None)
        with pytest.raises(rt.GradioError):
            call(TEXT_ECHO, flavour, app.url, endpoint, "hi")
    elif route.endswith("/upload"):
        with pytest.raises(rt.GradioError):
            call(FILES_IO, flavour, app.url, "file_stats", b"file content")
    else:
        with pytest.raises(rt.GradioError):
            call(TEXT_ECHO, flavour, app.url, "echo", "hi")
    assert app.requests_to(route)  # the app was asked, and answered with the redirect
    assert evil.seen == []  # which was not followed


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_cancel(app: HostileApp, evil: HostileApp, flavour: str) -> None:
    app.on_stream = lambda h, session, events: None  # the job never finishes...
    app.routes[("POST", f"{PREFIX}/cancel")] = to(evil)  # ...and its cancel is redirected

    def cancel_after_submitting(sdk_flavour: str) -> None:
        if sdk_flavour == "sync":
            with TEXT_ECHO.Client(app.url, timeout=30, token=TOKEN, trusted_hosts=[app.url]) as c:
                job = c.submit_echo("hi")
                with pytest.raises(rt.TransportError, match="HTTP 307"):
                    job.cancel()
            return

        async def go() -> None:
            async with TEXT_ECHO.AsyncClient(
                app.url, timeout=30, token=TOKEN, trusted_hosts=[app.url]
            ) as c:
                job = await c.submit_echo("hi")
                with pytest.raises(rt.TransportError, match="HTTP 307"):
                    await job.cancel()

        asyncio.run(go())

    cancel_after_submitting(flavour)
    assert app.requests_to(f"{PREFIX}/cancel") and evil.seen == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_download(app: HostileApp, evil: HostileApp, flavour: str) -> None:
    """A result file whose URL redirects to another origin: fetched from there, if at all,
    without anything of the app's."""
    path = "/tmp/gradio/abc/mesh.obj"
    app.answer = lambda fn_index, data: [
        {"path": path, "orig_name": "mesh.obj", "meta": {"_type": "gradio.FileData"}}
    ]
    app.routes[("GET", f"{PREFIX}/file=")] = to(evil)
    evil.files[path] = b"o 1 2 3\n"
    call_quietly(FILES_IO, flavour, app.url, "mesh", 1.0)
    assert app.requests_to(f"{PREFIX}/file={path}")
    assert leaked(evil) == []
    for seen in evil.seen:
        assert not {"cookie", "authorization", "x-hf-authorization", USER_HEADER[0]} & set(
            seen.headers
        )


# -- waking a sleeping Space ---------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_waking_a_space(hub: HubStandin, app: HostileApp, evil: HostileApp, flavour: str) -> None:
    app.routes[("GET", "/")] = to(evil)
    hub.add_space("acme/drowsy", app.url, stages=["SLEEPING", "RUNNING"], sdk_version="6.31.0")
    if flavour == "sync":
        resolved = resolve("acme/drowsy", token=TOKEN, timeout=30, poll_interval=0.05)
    else:
        resolved = asyncio.run(aresolve("acme/drowsy", token=TOKEN, timeout=30, poll_interval=0.05))
    assert resolved.url == app.url
    visit = app.requests_to("/")[0].headers
    assert visit["x-hf-authorization"] == f"Bearer {TOKEN}"  # the Space's own host: yes
    assert evil.seen == []  # where it redirected: not even asked


# -- the generator -------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/config", f"{PREFIX}/info"])
def test_generating_from_a_space_id(
    hub: HubStandin, app: HostileApp, evil: HostileApp, route: str
) -> None:
    """The reported attack: the Space's host redirects ``/config`` or ``/info`` to another port."""
    app.routes[("GET", route)] = to(evil)
    hub.add_space("acme/echo", app.url, sdk_version="6.31.0")
    run("acme/echo", "--token", TOKEN, "--timeout", "30")
    assert app.requests_to(route)[0].headers["x-hf-authorization"] == f"Bearer {TOKEN}"
    assert evil.requests_to(route)  # the redirect was followed...
    assert leaked(evil) == []  # ...without the token


@pytest.mark.parametrize("route", ["/config", f"{PREFIX}/info"])
def test_generating_with_a_login(app: HostileApp, evil: HostileApp, route: str) -> None:
    app.routes[("GET", route)] = to(evil)
    run(app.url, "--auth", f"user:{PASSWORD}", "--timeout", "30")
    assert COOKIE in app.requests_to(route)[0].headers["cookie"]
    assert evil.requests_to(route) and leaked(evil) == []


def test_generating_never_resends_the_password(app: HostileApp, evil: HostileApp) -> None:
    app.routes[("POST", "/login")] = to(evil)
    code, _, stderr = run(app.url, "--auth", f"user:{PASSWORD}", "--timeout", "30")
    assert code == 2 and "login to" in stderr and PASSWORD not in stderr
    assert evil.seen == []


def test_a_hop_to_an_origin_allowed_the_token_keeps_only_the_token(
    hub: HubStandin, app: HostileApp, evil: HostileApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule is the host policy at every hop, not "strip everything": the token may follow to
    another origin the policy allows (here the configured Hub), the login cookie may not."""
    monkeypatch.setenv("HF_ENDPOINT", evil.url)
    app.routes[("GET", "/config")] = to(evil)
    _credentials.trust_space_host(app.url)  # as the resolver does for a Space's host
    run(app.url, "--auth", f"user:{PASSWORD}", "--token", TOKEN, "--timeout", "30")
    hop = evil.requests_to("/config")[0].headers
    assert hop["x-hf-authorization"] == f"Bearer {TOKEN}" and "cookie" not in hop


# -- the rule itself, where a real server cannot play the part -----------------------------------


def _chain(chain: dict[str, str], sent: list[httpx.Request]) -> httpx.MockTransport:
    """A transport that redirects each URL of ``chain`` to the next and records every request."""

    def handler(req: httpx.Request) -> httpx.Response:
        sent.append(req)
        target = chain.get(str(req.url))
        if target is None:
            return httpx.Response(200, json={})
        return httpx.Response(307, headers={"location": target})

    return httpx.MockTransport(handler)


def _hops(start: str, chain: dict[str, str], **request: Any) -> list[httpx.Request]:
    """The requests a runtime client sends for ``start`` through ``chain`` (URL -> redirect
    target). https origins with trusted certificates cannot be served on 127.0.0.1, so here the
    transport is a mock; the client, its hooks and httpx's redirect handling are the real ones."""
    sent: list[httpx.Request] = []
    client = sync_http(httpx.Timeout(5), follow_redirects=True, trusted_hosts=["myhost"])
    client._transport = _chain(chain, sent)  # type: ignore[attr-defined]
    client._mounts = {}  # type: ignore[attr-defined]
    with client:
        client.cookies.set("access-token", COOKIE, domain="myhost")
        method = request.pop("method", "GET")
        try:
            client.request(method, start, **request)
        except _credentials.RedirectRefused:
            pass
    return sent


def test_https_to_http_never_carries_the_token_even_to_a_trusted_host() -> None:
    headers = {"x-hf-authorization": f"Bearer {TOKEN}", USER_HEADER[0]: USER_HEADER[1]}
    first, hop = _hops(
        "https://myhost/config", {"https://myhost/config": "http://myhost/config"}, headers=headers
    )
    assert first.headers["x-hf-authorization"] == f"Bearer {TOKEN}"
    assert not {"x-hf-authorization", "cookie", USER_HEADER[0]} & set(hop.headers)


def test_https_hops_between_allowed_hosts_keep_the_token_only() -> None:
    headers = {"x-hf-authorization": f"Bearer {TOKEN}", USER_HEADER[0]: USER_HEADER[1]}
    sent = _hops(
        "https://myhost/config",
        {
            "https://myhost/config": "https://acme-echo.hf.space/config",
            "https://acme-echo.hf.space/config": "https://evil.example/config",
        },
        headers=headers,
    )
    assert [str(r.url) for r in sent][1:] == [
        "https://acme-echo.hf.space/config",
        "https://evil.example/config",
    ]
    to_space, to_evil = sent[1].headers, sent[2].headers
    assert to_space["x-hf-authorization"] == f"Bearer {TOKEN}"
    assert not {"cookie", USER_HEADER[0]} & set(to_space)
    assert not {"x-hf-authorization", "cookie", USER_HEADER[0]} & set(to_evil)


def test_a_body_is_never_resent_to_another_origin() -> None:
    sent = _hops(
        "https://myhost/login",
        {"https://myhost/login": "https://evil.example/login"},
        method="POST",
        data={"username": "user", "password": PASSWORD},
    )
    assert [str(r.url) for r in sent] == ["https://myhost/login"]


CHAIN = {"https://myhost/file": "https://mirror.example/file"}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_copy_of_a_closed_client_keeps_its_host_policy(flavour: str) -> None:
    """A lazy download after the app's client was closed goes through a copy of it: the copy
    decides every hop by the same host policy (its trusted_hosts) as the original."""
    original = sync_http(httpx.Timeout(5), trusted_hosts=["mirror.example"])
    original.headers["x-hf-authorization"] = f"Bearer {TOKEN}"
    original.close()
    sent: list[httpx.Request] = []
    if flavour == "sync":
        copy = sync_copy(original)
        copy._transport = _chain(CHAIN, sent)  # type: ignore[attr-defined]
        copy._mounts = {}  # type: ignore[attr-defined]
        with copy:
            copy.get("https://myhost/file", follow_redirects=True)
    else:

        async def fetch() -> None:
            copy = async_copy(original)
            copy._transport = _chain(CHAIN, sent)  # type: ignore[attr-defined]
            copy._mounts = {}  # type: ignore[attr-defined]
            async with copy:
                await copy.get("https://myhost/file", follow_redirects=True)

        asyncio.run(fetch())
    assert [str(r.url) for r in sent] == ["https://myhost/file", "https://mirror.example/file"]
    assert sent[1].headers["x-hf-authorization"] == f"Bearer {TOKEN}"  # a trusted host's hop
