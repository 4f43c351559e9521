"""ZeroGPU Spaces: forwarding the caller's ``x-ip-token`` and recognising quota errors.

Seam used by the clients (implementation to be completed).
"""

from __future__ import annotations

from ._errors import ZeroGPUQuotaError

__all__ = ["quota_error"]


def quota_error(message: str, *, endpoint: str | None, title: str | None) -> ZeroGPUQuotaError | None:
    """The specific error when an app error's text is a ZeroGPU quota refusal, else ``None``."""
    return None
