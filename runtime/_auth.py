"""Hugging Face tokens: where they come from and the only hosts they may be sent to.

Seam used by the clients (implementation to be completed).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["find_token", "token_headers"]


def find_token(explicit: str | None) -> str | None:
    """The token to use: the explicit one, else ``HF_TOKEN`` / the huggingface_hub login."""
    return explicit


def token_headers(url: str, token: str | None, *, trusted_hosts: Iterable[str] = ()) -> dict[str, str]:
    """Headers that carry ``token`` to ``url`` -- empty unless the host may receive it."""
    return {}
