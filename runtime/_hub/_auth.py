"""Hugging Face tokens: where they come from, and the header they travel in.

Where a token may go is not decided here but by the credential rules every HTTP client of the
runtime enforces (``_http._credentials``): :func:`token_headers` asks them before it adds one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .._http._credentials import may_receive_token

__all__ = ["find_token", "token_headers", "token_header_name", "redact"]


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
    except ImportError:  # huggingface_hub comes with the "spaces" extra
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


def redact(text: str, token: str | None) -> str:
    """``text`` with every occurrence of ``token`` masked, for messages built from foreign text."""
    if token and len(token) >= 4:
        return text.replace(token, "hf_***")
    return text


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}
