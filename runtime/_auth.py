"""Hugging Face tokens: where they come from and the only hosts they may be sent to.

A token is a credential for the user's whole Hugging Face account, so it goes only where Hugging
Face answers:

* ``huggingface.co``, ``hf.co`` and their subdomains, and ``*.hf.space`` (the hosts of Spaces),
  over https;
* the host of ``HF_ENDPOINT`` when it is set (a private Hub or a test stand-in);
* a host the Hub itself named as the host of a Space id this process resolved
  (:func:`trust_space_host`, called by the Space resolver) -- the Hub vouches for it;
* hosts the user named explicitly (``trusted_hosts``).

Any other URL gets no token, even when one is configured: a generated SDK pointed at
``http://my-server`` must not leak ``HF_TOKEN`` to it.

The same decision is made again at every redirect hop (:func:`hop_guard`, run by every client the
runtime builds): a hop to another origin keeps only plain headers, and a token (or ZeroGPU's
``x-ip-token``) only where the policy above allows it and never from https down to http. Cookies,
the app's login and the user's own headers stay with the origin the request was made to; a request
with a body (a login, an upload, a join) is never re-sent to another origin at all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

__all__ = [
    "RedirectRefused",
    "hop_guard",
    "find_token",
    "token_headers",
    "token_header_name",
    "may_receive_token",
    "trust_space_host",
    "is_hf_space_host",
    "redact",
]

_HF_DOMAINS = ("huggingface.co", "hf.co", "hf.space")
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Headers that say nothing about who is asking; every other one is someone's credential or
# choice for the origin it was meant for.
_PLAIN_HEADERS = frozenset(
    {
        "host",
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "connection",
        "content-length",
        "content-type",
        "range",
        "transfer-encoding",
        "user-agent",
    }
)
# Headers that carry a Hugging Face token or ZeroGPU's x-ip-token: they may go where tokens may.
_TOKEN_HEADERS = frozenset({"authorization", "x-hf-authorization", "x-ip-token"})
_FIRST_ORIGIN = "gradio_codegen.first_origin"  # request extension, shared by every hop's request

_space_hosts: set[tuple[str, str, int]] = set()
_space_hosts_lock = threading.Lock()


def find_token(explicit: str | bool | None) -> str | None:
    """The token to use: the explicit one, else ``HF_TOKEN`` / the huggingface_hub login.

    ``False`` means "no token at all" (as in huggingface_hub); an empty string counts as not given.
    ``HF_HUB_DISABLE_IMPLICIT_TOKEN=1`` stops the implicit lookup, as it does for huggingface_hub.
    """
    if explicit is False:
        return None
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    if _truthy(os.environ.get("HF_HUB_DISABLE_IMPLICIT_TOKEN")):
        return None
    from_env = (
        os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or ""
    ).strip()
    if from_env:
        return from_env
    # Imported only here: most SDK users never need it, and it costs a few hundred milliseconds.
    try:
        from huggingface_hub import get_token
    except ImportError:  # pragma: no cover - huggingface_hub is a dependency
        return None
    try:
        saved = get_token()
    except Exception:  # a broken login file must not stop calls to a public app
        return None
    return saved.strip() if saved and saved.strip() else None


def token_header_name(gradio_version: str | None) -> str:
    """Gradio 4 clients sent the token as ``authorization``; 5 and 6 as ``x-hf-authorization``.

    The Spaces front end reads it; Gradio 5+ apps reserve ``authorization`` for their own use.
    """
    if gradio_version and gradio_version.strip().split(".")[0] in {"0", "1", "2", "3", "4"}:
        return "authorization"
    return "x-hf-authorization"


def token_headers(
    url: str,
    token: str | None,
    *,
    trusted_hosts: Iterable[str] = (),
    gradio_version: str | None = None,
) -> dict[str, str]:
    """Headers that carry ``token`` to the app at ``url`` -- empty unless the host may receive it."""
    if not token or not may_receive_token(url, trusted_hosts=trusted_hosts):
        return {}
    return {token_header_name(gradio_version): f"Bearer {token}"}


def may_receive_token(url: str, *, trusted_hosts: Iterable[str] = ()) -> bool:
    """Whether a Hugging Face token may be sent to ``url`` (see the module docstring)."""
    origin = _origin(url)
    if origin is None:
        return False
    scheme, host, _ = origin
    if scheme == "https" and _is_hf_domain(host):
        return True
    hub = _origin(os.environ.get("HF_ENDPOINT", "").strip())
    if hub is not None and hub == origin:
        return True
    with _space_hosts_lock:
        if origin in _space_hosts:
            return True
    return any(_matches(origin, entry) for entry in trusted_hosts)


class RedirectRefused(httpx.RequestError):
    """A redirect would have re-sent a request body (a password, a file, a job) to another
    origin; the request stops there instead."""


def hop_guard(request: httpx.Request, *, trusted_hosts: Iterable[str] = ()) -> None:
    """Strip from ``request`` what may not go to its origin, when it is a redirect hop away from
    the origin the first request went to (a request hook: it runs before every request and hop).

    Only plain headers pass; token headers (``authorization``, ``x-hf-authorization``,
    ``x-ip-token``) pass where :func:`may_receive_token` allows them, unless the chain started on
    https and the hop is plain http. A hop that would carry a body raises ``RedirectRefused``.
    """
    origin = _url_origin(request.url)
    if _FIRST_ORIGIN not in request.extensions:  # the request as made, not a hop
        request.extensions[_FIRST_ORIGIN] = origin
        return
    first = request.extensions[_FIRST_ORIGIN]
    if origin is not None and origin == first:
        return
    if request.method not in ("GET", "HEAD"):
        raise RedirectRefused(
            f"refused to follow a redirect that would re-send this {request.method} request's "
            f"body to another origin ({request.url.copy_with(query=None)})",
            request=request,
        )
    downgrade = (
        first is not None and first[0] == "https" and (origin is None or origin[0] != "https")
    )
    keep_token = not downgrade and may_receive_token(str(request.url), trusted_hosts=trusted_hosts)
    for name in list(request.headers.keys()):
        if name in _PLAIN_HEADERS or (keep_token and name in _TOKEN_HEADERS):
            continue
        del request.headers[name]


def trust_space_host(url: str) -> None:
    """Record that the Hub named ``url`` as a Space's host, so the Space's token may go there."""
    origin = _origin(url)
    if origin is not None:
        with _space_hosts_lock:
            _space_hosts.add(origin)


def is_hf_space_host(url: str) -> bool:
    """Whether ``url`` is on ``*.hf.space``, where Spaces answer."""
    origin = _origin(url)
    return origin is not None and (origin[1] == "hf.space" or origin[1].endswith(".hf.space"))


def redact(text: str, token: str | None) -> str:
    """``text`` with every occurrence of ``token`` masked, for messages built from foreign text."""
    if token and len(token) >= 4:
        return text.replace(token, "hf_***")
    return text


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host.lower().rstrip("."), port or _DEFAULT_PORTS[scheme]


def _url_origin(url: httpx.URL) -> tuple[str, str, int] | None:
    """``_origin`` of a URL httpx has already parsed (cheap: this runs before every request)."""
    scheme = url.scheme
    if scheme not in _DEFAULT_PORTS or not url.host:
        return None
    return scheme, url.host.lower().rstrip("."), url.port or _DEFAULT_PORTS[scheme]


def _is_hf_domain(host: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in _HF_DOMAINS)


def _matches(origin: tuple[str, str, int], entry: str) -> bool:
    """``entry`` is an origin (``https://host:port``), ``host:port``, or a bare host (any port)."""
    entry = entry.strip().lower()
    if not entry:
        return False
    if "://" in entry:
        return _origin(entry) == origin
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and host and not host.endswith(":"):
        return origin[1] == host.strip("[]") and origin[2] == int(port)
    return origin[1] == entry.strip("[]").rstrip(".")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
