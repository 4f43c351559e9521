"""How long each kind of wait may last.

Gradio's queue stream sends a heartbeat every 15 s, so a stream that stays silent much longer than
that means the server (or the path to it) is gone. That silence limit is separate from the client's
``timeout``, which bounds the wait for a result and is the deadline of each request-shaped
operation (join, upload, downloads, cancel, login, ``/config``; see ``_deadline``). The httpx
timeouts built here still bound each single read and write within that deadline.
"""

from __future__ import annotations

import httpx

__all__ = [
    "HEARTBEAT_INTERVAL",
    "DEFAULT_STREAM_TIMEOUT",
    "CANCEL_TIMEOUT",
    "request_timeout",
    "stream_timeout",
]

HEARTBEAT_INTERVAL = 15.0
DEFAULT_STREAM_TIMEOUT = 3 * HEARTBEAT_INTERVAL  # two missed heartbeats and then some
CANCEL_TIMEOUT = 10.0  # cancelling after a timeout must not become a long wait of its own
_CONNECT = 30.0


def request_timeout(timeout: float | None) -> httpx.Timeout:
    """Timeout of an ordinary request (join, cancel, login, config)."""
    return httpx.Timeout(timeout)


def stream_timeout(timeout: float | None, silence: float) -> httpx.Timeout:
    """Timeout of the queue stream: connecting as for requests, reading bounded by ``silence``."""
    connect = _CONNECT if timeout is None else timeout
    return httpx.Timeout(connect, read=silence)
