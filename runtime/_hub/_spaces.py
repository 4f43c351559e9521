"""Hugging Face Spaces: turning what the user gave into the URL of a running app.

``resolve`` / ``aresolve`` accept a URL, a Space id (``owner/name``) or a Space page URL
(``https://huggingface.co/spaces/owner/name``). A Space id is looked up on the Hub at call time (the
SDK stores the id, not the host, so it keeps working when the Space moves), through huggingface_hub
against ``HF_ENDPOINT`` read at call time (huggingface_hub itself reads it once, at import).

The Space's runtime stage decides what happens:

* ``RUNNING`` (also while a new version builds or starts next to it): done;
* ``BUILDING``, ``APP_STARTING`` and other passing stages: polled until running, each stage reported
  through ``logging`` and the ``on_stage`` callback, for at most ``timeout`` seconds;
* ``SLEEPING`` / ``STOPPED``: woken by one request to the Space's host (what a visitor's browser
  does; the Hub's restart route is for owners only), then polled like a starting Space;
* ``PAUSED``: :class:`SpacePausedError`; ``BUILD_ERROR``, ``RUNTIME_ERROR``, ``CONFIG_ERROR``,
  ``NO_APP_FILE``, ``DELETING``: :class:`SpaceNotRunningError` saying what to do;
* no such Space (or private and not visible with the token): :class:`SpaceNotFoundError`.

The host the Hub names for a Space is registered with ``_http._credentials.trust_space_host``:
the Space's token may go there, because the Hub vouched for it.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit, urlunsplit

import httpx

from .._asyncio import asyncio
from .._errors import (
    GradioError,
    InputError,
    ServerUnavailableError,
    SpaceNotFoundError,
    SpaceNotRunningError,
    SpacePausedError,
)
from .._http._clients import async_http, sync_http
from .._http._credentials import trust_space_host
from .._http._deadline import scope
from ._auth import find_token, redact, token_headers

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "Resolved",
    "SpaceStatus",
    "SpaceWait",
    "resolve",
    "aresolve",
    "is_space_id",
    "space_id_from_url",
    "needs_spaces_extra",
    "hub_endpoint",
]

logger = logging.getLogger("gradio_codegen.runtime.spaces")

POLL_INTERVAL = 2.0  # seconds between runtime checks while a Space builds or starts
HUB_REQUEST_TIMEOUT = 20.0  # one Hub API request
WAKE_REQUEST_TIMEOUT = 10.0  # the request that wakes a sleeping Space

RUNNING_STAGES = frozenset({"RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"})
ASLEEP_STAGES = frozenset({"SLEEPING", "STOPPED"})
_BROKEN_STAGES = {
    "BUILD_ERROR": "its build failed; see the build logs on the Space page",
    "RUNTIME_ERROR": "its app crashed; see the container logs on the Space page",
    "CONFIG_ERROR": "its configuration (the README front matter) is invalid",
    "NO_APP_FILE": "it has no app file to run",
    "DELETING": "it is being deleted",
}

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SPACE_ID = re.compile(rf"^{_NAME}/{_NAME}$")
_HF_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})

StageCallback = Callable[["SpaceStatus"], None]


class SpaceWait(TypedDict, total=False):
    """How ``resolve`` waits for a Space, all optional."""

    token: str | None  # asks the Hub with (default: HF_TOKEN or the saved login)
    timeout: float | None  # seconds the Space may take to run (default 300; None: no limit)
    on_stage: StageCallback | None  # told each stage seen while waiting
    poll_interval: float | None  # seconds between checks (default POLL_INTERVAL)


@dataclass(frozen=True)
class Resolved:
    """Where the app answers. ``url`` is its root, without a trailing slash.

    ``space_id`` is set when the source was a Space; ``gradio_version`` when the Hub said which
    Gradio the Space runs (its ``sdk_version``), which picks the header a token travels in.
    """

    url: str
    space_id: str | None = None
    gradio_version: str | None = None
    private: bool | None = None


@dataclass(frozen=True)
class SpaceStatus:
    """One observation of a Space while waiting for it: shown to ``on_stage`` callbacks."""

    space_id: str
    stage: str
    elapsed: float
    timeout: float | None

    def describe(self) -> str:
        left = (
            ""
            if self.timeout is None
            else f", waiting up to {self.timeout - self.elapsed:.0f}s more"
        )
        return f"Space {self.space_id} is {self.stage}{left}"


SPACES_EXTRA_INSTALL = 'pip install "gradio-codegen-runtime[spaces]"'


def needs_spaces_extra(what: str, exc: ImportError) -> GradioError:
    """The error for a Hub feature used without huggingface_hub: the runtime alone installs only
    httpx, so the message names the extra that brings it rather than the bare package."""
    return GradioError(
        f"{what} needs huggingface_hub, which is not installed ({exc}). Install the runtime's "
        f"Space support: {SPACES_EXTRA_INSTALL}"
    )


def is_space_id(src: str) -> bool:
    """``owner/name``, as the Hub spells Space ids (not a URL, not a path)."""
    return bool(_SPACE_ID.match(src.strip()))


def hub_endpoint() -> str:
    """The Hub to ask, from ``HF_ENDPOINT`` at call time (default ``https://huggingface.co``)."""
    return (os.environ.get("HF_ENDPOINT") or "").strip().rstrip("/") or "https://huggingface.co"


def space_id_from_url(url: str) -> str | None:
    """``owner/name`` from a Space page URL on the Hub (``.../spaces/owner/name[/...]``), else None."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    hub = urlsplit(hub_endpoint())
    on_hub = host in _HF_HOSTS or (host == (hub.hostname or "").lower() and port == hub.port)
    segments = [s for s in parts.path.split("/") if s]
    if on_hub and len(segments) >= 3 and segments[0] == "spaces":
        candidate = f"{segments[1]}/{segments[2]}"
        if is_space_id(candidate):
            return candidate
    return None


def resolve(src: str, **wait: Unpack[SpaceWait]) -> Resolved:
    """Where the app named by ``src`` answers, waiting for a Space to run (see ``SpaceWait``)."""
    waiter = _Waiter.of(src, wait)
    while waiter.resolved is None:
        wait_more = waiter.after(_ask_hub(waiter))
        if wait_more.wake is not None:
            _wake(wait_more.wake, waiter)
        if wait_more.sleep:
            time.sleep(wait_more.sleep)
    return waiter.resolved


async def aresolve(src: str, **wait: Unpack[SpaceWait]) -> Resolved:
    """Async :func:`resolve`: Hub requests run in a worker thread (huggingface_hub is sync)."""
    waiter = _Waiter.of(src, wait)
    while waiter.resolved is None:
        wait_more = waiter.after(await asyncio.to_thread(_ask_hub, waiter))
        if wait_more.wake is not None:
            await _awake(wait_more.wake, waiter)
        if wait_more.sleep:
            await asyncio.sleep(wait_more.sleep)
    return waiter.resolved


# --- what the user gave ------------------------------------------------------------------------


def _classify(src: str) -> tuple[str, str]:
    """("space", id) or ("url", normalised URL)."""
    text = src.strip() if isinstance(src, str) else ""
    if not text:
        raise InputError("No app given: pass a URL (http://host:port) or a Space id (owner/name).")
    if is_space_id(text):
        return "space", text
    if "://" not in text:
        host = text.split("/", 1)[0].lower()
        if host in _HF_HOSTS or host.endswith(".hf.space"):
            text = "https://" + text
        elif re.match(r"^[\w.-]+:\d+(/|$)", text) or host == "localhost":
            text = "http://" + text
        else:
            raise InputError(
                f"{src!r} is neither a URL nor a Space id: pass http(s)://host[:port][/path], "
                "owner/name, or https://huggingface.co/spaces/owner/name."
            )
    space_id = space_id_from_url(text)
    if space_id is not None:
        return "space", space_id
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise InputError(f"{src!r} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InputError(f"{src!r} is not an http(s) URL of a Gradio app.")
    path = parts.path.rstrip("/")
    return "url", urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


# --- the waiting logic, free of I/O so the sync and async paths share it ------------------------


@dataclass(frozen=True)
class _SpaceInfo:
    stage: str | None
    host: str | None
    private: bool | None
    gradio_version: str | None


@dataclass(frozen=True)
class _Wait:
    sleep: float
    wake: str | None = None  # the host to send one waking request to first


class _Waiter:
    """Waiting for a Space, free of I/O: each answer of the Hub (or its failure) in, what to do
    next out; ``resolved`` once the Space runs."""

    def __init__(
        self,
        space_id: str,
        token: str | None,
        timeout: float | None,
        on_stage: StageCallback | None,
        poll_interval: float | None,
    ) -> None:
        if timeout is not None and timeout < 0:
            raise InputError(f"timeout must be >= 0 or None, not {timeout!r}")
        self.space_id = space_id
        self.token = token
        self.timeout = timeout
        self.on_stage = on_stage
        self.poll_interval = POLL_INTERVAL if poll_interval is None else max(poll_interval, 0.0)
        self.started = time.monotonic()
        self.last_stage: str | None = None
        self.woken = False
        self.gradio_version: str | None = None
        self.resolved: Resolved | None = None

    @classmethod
    def of(cls, src: str, wait: SpaceWait) -> _Waiter:
        """The waiter for ``src``: already resolved when ``src`` is a URL."""
        kind, value = _classify(src)
        waiter = cls(
            value,
            find_token(wait.get("token")) if kind == "space" else None,
            wait.get("timeout", 300.0),
            wait.get("on_stage"),
            wait.get("poll_interval"),
        )
        if kind == "url":
            waiter.resolved = Resolved(value)
        return waiter

    def after(self, answer: _SpaceInfo | ServerUnavailableError) -> _Wait:
        """What to do after the Hub's ``answer`` (``resolved`` is set once the Space runs)."""
        if isinstance(answer, ServerUnavailableError):
            return self.after_hub_failure(answer)
        action = self.next(answer)
        if isinstance(action, Resolved):
            self.resolved = action
            return _Wait(sleep=0.0)  # no more waiting
        return action

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        return None if self.timeout is None else self.timeout - self.elapsed()

    def request_timeout(self) -> float:
        remaining = self.remaining()
        limit = HUB_REQUEST_TIMEOUT if remaining is None else min(HUB_REQUEST_TIMEOUT, remaining)
        return max(limit, 1.0)

    def next(self, info: _SpaceInfo) -> Resolved | _Wait:
        stage = (info.stage or "RUNNING").upper()  # no runtime in the answer: assume it serves
        if info.host:
            trust_space_host(info.host)  # the Hub named it: the Space's token may go there
        self.gradio_version = info.gradio_version
        if stage in RUNNING_STAGES:
            return self._running(info)
        if stage == "PAUSED":
            raise SpacePausedError(
                f"Space {self.space_id} is paused by its owner; only the owner can restart it. "
                "To use it anyway, duplicate it to your account (duplicate_space) and call the copy.",
                space_id=self.space_id,
                stage=stage,
            )
        if stage in _BROKEN_STAGES:
            raise SpaceNotRunningError(
                f"Space {self.space_id} is not running ({stage}): {_BROKEN_STAGES[stage]}. "
                "If you own it, fix it and restart it from the Space's settings; otherwise tell its "
                "owner (the Space page's Community tab) or duplicate it and fix the copy.",
                space_id=self.space_id,
                stage=stage,
            )
        wake = None
        if stage in ASLEEP_STAGES and not self.woken:
            self.woken = True
            wake = info.host
        self._report(stage)
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            raise SpaceNotRunningError(
                f"Space {self.space_id} was still {stage} after {self.timeout:g}s. It may need more "
                "time to build or start: try again with a larger timeout.",
                space_id=self.space_id,
                stage=stage,
            )
        sleep = self.poll_interval if remaining is None else min(self.poll_interval, remaining)
        return _Wait(sleep=sleep, wake=wake)

    def after_hub_failure(self, error: ServerUnavailableError) -> _Wait:
        """A Hub request failed: fatal at first, tolerated while already waiting for the Space."""
        remaining = self.remaining()
        if self.last_stage is None or (remaining is not None and remaining <= 0):
            raise error
        logger.info("Space %s: the Hub did not answer (%s); retrying", self.space_id, error)
        sleep = self.poll_interval if remaining is None else min(self.poll_interval, remaining)
        return _Wait(sleep=sleep)

    def _running(self, info: _SpaceInfo) -> Resolved:
        if not info.host:
            raise SpaceNotRunningError(
                f"The Hub did not say where Space {self.space_id} runs (no host); is it a Gradio "
                "Space? Pass its URL instead.",
                space_id=self.space_id,
                stage=info.stage,
            )
        url = info.host.strip().rstrip("/")
        if self.last_stage is not None:
            logger.info("Space %s is running after %.1fs", self.space_id, self.elapsed())
        return Resolved(url, self.space_id, info.gradio_version, info.private)

    def _report(self, stage: str) -> None:
        status = SpaceStatus(self.space_id, stage, self.elapsed(), self.timeout)
        if stage != self.last_stage:
            verb = "waking it" if stage in ASLEEP_STAGES else "waiting"
            logger.info("%s; %s", status.describe(), verb)
        self.last_stage = stage
        if self.on_stage is not None:
            self.on_stage(status)


# --- I/O: the Hub and the Space's host ----------------------------------------------------------


def _ask_hub(waiter: _Waiter) -> _SpaceInfo | ServerUnavailableError:
    """The Hub's word on the Space, or why it gave none (which ``_Waiter.after`` judges)."""
    try:
        return _space_info(waiter.space_id, waiter.token, waiter.request_timeout())
    except ServerUnavailableError as exc:
        return exc


def _space_info(space_id: str, token: str | None, request_timeout: float) -> _SpaceInfo:
    try:
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
    except ImportError as exc:  # huggingface_hub comes with the "spaces" extra
        raise needs_spaces_extra("Resolving a Space id", exc) from None
    endpoint = hub_endpoint()
    api = HfApi(endpoint=endpoint)
    # Errors are built inside ``except`` but raised after it, so they carry no link (__context__)
    # to the Hub's exception, whose request object holds the token.
    failure: GradioError | None = None
    try:
        info = api.space_info(space_id, token=token or False, timeout=request_timeout)
    except OfflineModeIsEnabled:
        failure = ServerUnavailableError(
            f"Cannot look up Space {space_id}: HF_HUB_OFFLINE is set. Unset it, or pass the "
            "Space's URL (https://<subdomain>.hf.space) instead of its id."
        )
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        said = redact(str(getattr(exc, "server_message", None) or ""), token)
        failure = _hub_error(space_id, status, said, token is not None, endpoint)
    except Exception as exc:  # connection failures, from whichever HTTP library the Hub uses
        failure = ServerUnavailableError(
            f"Could not reach the Hugging Face Hub at {endpoint} to look up Space {space_id}: "
            f"{type(exc).__name__}: {redact(str(exc), token)}"
        )
    if failure is not None:
        raise failure
    runtime = getattr(info, "runtime", None)
    stage = getattr(runtime, "stage", None)
    card = getattr(info, "card_data", None) or getattr(info, "cardData", None)
    version = getattr(card, "sdk_version", None) if card is not None else None
    if version is None and isinstance(card, dict):
        version = card.get("sdk_version")
    host = info.host or (f"https://{info.subdomain}.hf.space" if info.subdomain else None)
    return _SpaceInfo(
        stage=str(getattr(stage, "value", stage)) if stage is not None else None,
        host=host,
        private=info.private,
        gradio_version=str(version) if version else None,
    )


def _hub_error(
    space_id: str, status: int | None, server_message: str, had_token: bool, endpoint: str
) -> GradioError:
    detail = f" (the Hub said: {server_message})" if server_message else ""
    if status in (401, 403, 404):
        hint = (
            "the token given cannot see it (check it has read access)"
            if had_token
            else "if it is private, pass token= or set HF_TOKEN / run `hf auth login`"
        )
        return SpaceNotFoundError(
            f"Space {space_id} was not found on {endpoint} (HTTP {status}){detail}. Check the id; "
            f"{hint}.",
            space_id=space_id,
        )
    return ServerUnavailableError(
        f"The Hugging Face Hub at {endpoint} failed to describe Space {space_id} "
        f"(HTTP {status}){detail}. Try again later."
    )


def _wake_headers(host: str, waiter: _Waiter) -> dict[str, str]:
    return token_headers(host, waiter.token, gradio_version=waiter.gradio_version)


def _wake(host: str, waiter: _Waiter) -> None:
    """One GET to the Space's host: the Hub starts a sleeping Space when it is visited.

    The request carries the Space's token, so it follows no redirect (the visit is what wakes the
    Space, not where it leads), and it runs under its own deadline: a host that drips its answer
    cannot hold the wait for the Space.
    """
    logger.info("Space %s is asleep; waking it at %s", waiter.space_id, host)
    limit = _wake_timeout(waiter)
    try:
        with scope(limit), sync_http(httpx.Timeout(limit)) as client:
            client.get(host, headers=_wake_headers(host, waiter))
    except httpx.HTTPError as exc:  # the answer does not matter; the Hub's stage does
        logger.debug("waking %s: %s", waiter.space_id, type(exc).__name__)


async def _awake(host: str, waiter: _Waiter) -> None:
    logger.info("Space %s is asleep; waking it at %s", waiter.space_id, host)
    limit = _wake_timeout(waiter)
    try:
        with scope(limit):
            async with async_http(httpx.Timeout(limit)) as client:
                await client.get(host, headers=_wake_headers(host, waiter))
    except httpx.HTTPError as exc:
        logger.debug("waking %s: %s", waiter.space_id, type(exc).__name__)


def _wake_timeout(waiter: _Waiter) -> float:
    remaining = waiter.remaining()
    return max(
        0.5, WAKE_REQUEST_TIMEOUT if remaining is None else min(WAKE_REQUEST_TIMEOUT, remaining)
    )
