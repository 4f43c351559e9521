"""Which origin may receive which credential, decided for the first request and again at every
redirect hop.

A Hugging Face token is a credential for the user's whole account, so it goes only where Hugging
Face answers:

* ``huggingface.co``, ``hf.co`` and their subdomains, and ``*.hf.space`` (the hosts of Spaces),
  over https;
* the host of ``HF_ENDPOINT`` when it is set (a private Hub or a test stand-in);
* a host the Hub itself named as the host of a Space id this process resolved
  (:func:`trust_space_host`, called by the Space resolver) -- the Hub vouches for it;
* hosts the user named explicitly (``trusted_hosts``).

Any other URL gets no token, even when one is configured: a generated SDK pointed at
``http://my-server`` must not leak ``HF_TOKEN`` to it. ZeroGPU's ``x-ip-token`` follows the same
rule.

Every HTTP client the runtime builds runs :func:`hop_guard` before each request and each redirect
hop: a hop to another origin keeps only plain headers, and a token only where the policy above
allows it and never from https down to http. Cookies, the app's login and the user's own headers
stay with the origin the request was made to; a request with a body (a login, an upload, a join)
is never re-sent to another origin at all.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpx

__all__ = ["RedirectRefused", "hop_guard", "may_receive_token", "trust_space_host"]

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


def trust_space_host(url: str) -> None:
    """Record that the Hub named ``url`` as a Space's host, so the Space's token may go there."""
    origin = _origin(url)
    if origin is not None:
        with _space_hosts_lock:
            _space_hosts.add(origin)


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
