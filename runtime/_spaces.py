"""Hugging Face Spaces: turning a Space id into the URL of its running app.

Seam used by the clients and the generator (implementation to be completed): ``resolve`` /
``aresolve`` take what the user gave (URL, Space id, huggingface.co/spaces URL) and return where
the app answers, waiting for a building or sleeping Space up to ``timeout`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Resolved", "resolve", "aresolve", "is_space_id"]


@dataclass(frozen=True)
class Resolved:
    url: str  # the app's root, without a trailing slash
    space_id: str | None = None


def is_space_id(src: str) -> bool:
    parts = src.split("/")
    return len(parts) == 2 and "://" not in src and all(parts)


def resolve(src: str, *, token: str | None = None, timeout: float | None = 300.0) -> Resolved:
    if is_space_id(src):
        raise NotImplementedError("Space ids are not supported yet")
    return Resolved(src.rstrip("/"))


async def aresolve(src: str, *, token: str | None = None, timeout: float | None = 300.0) -> Resolved:
    return resolve(src, token=token, timeout=timeout)
