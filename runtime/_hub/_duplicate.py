"""Copying a Space to the caller's account, to run it privately or on other hardware.

A busy public Space rate-limits its callers and a paused one cannot be called at all; a copy is the
caller's own. ``duplicate_space`` asks the Hub (through huggingface_hub) for the copy and returns its
id, which any generated ``Client(space_id)`` accepts: the copy builds first, and the client waits
for it like for any building Space.

huggingface_hub 1.x+ duplicates with ``HfApi.duplicate_repo(..., repo_type="space")``; older
releases had ``HfApi.duplicate_space``. Both are supported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from .._errors import (
    AuthenticationError,
    GradioError,
    GradioTimeoutError,
    InputError,
    ServerUnavailableError,
    SpaceNotFoundError,
)
from ._auth import find_token, redact
from ._spaces import hub_endpoint, is_space_id, needs_spaces_extra, space_id_from_url

if TYPE_CHECKING:
    from typing_extensions import Unpack  # known to type checkers on every Python (typeshed)

__all__ = ["duplicate_space", "SpaceCopy", "split_copy_options"]

T = TypeVar("T")

DUPLICATE_TIMEOUT = 120.0  # huggingface_hub's own requests here have no timeout


class SpaceCopy(TypedDict, total=False):
    """What the Hub gives the copy, as keywords of ``duplicate_space`` and of the clients'
    ``duplicate``: written here once, so the three signatures cannot drift apart."""

    hardware: str | None  # e.g. "t4-small"; None: the Hub's default
    secrets: Mapping[str, str] | None  # the copy's environment secrets
    sleep_time: int | None  # seconds idle before the copy sleeps (paid hardware only)
    private: bool  # True unless passed


def split_copy_options(options: Mapping[str, Any]) -> tuple[SpaceCopy, dict[str, Any]]:
    """``options`` parted into what the Hub gives the copy and the rest (for the caller to check:
    a keyword in neither is a mistake)."""
    names = SpaceCopy.__optional_keys__
    copy = {k: v for k, v in options.items() if k in names}
    return cast(SpaceCopy, copy), {k: v for k, v in options.items() if k not in names}


def duplicate_space(
    from_id: str,
    to_id: str | None = None,
    *,
    token: str | None = None,
    exist_ok: bool = True,
    timeout: float | None = DUPLICATE_TIMEOUT,
    **copy: Unpack[SpaceCopy],
) -> str:
    """Duplicate Space ``from_id`` and return the copy's id (``owner/name``).

    ``to_id`` defaults to the same name under the token's account (``name`` alone also works).
    ``hardware`` (e.g. ``"t4-small"``), ``secrets`` (environment secrets of the copy),
    ``sleep_time`` (seconds of inactivity before it sleeps; paid hardware only) and ``private``
    (default True) are passed to the Hub. With ``exist_ok`` (the default) an existing Space of
    that id is reused, as is.

    Raises ``AuthenticationError`` without a usable token, ``SpaceNotFoundError`` when the source
    is not visible, ``ServerUnavailableError`` when the Hub fails.
    """
    copy, unknown = split_copy_options(copy)
    if unknown:  # refused as Python refuses a keyword a signature lacks
        name = next(iter(unknown))
        raise TypeError(f"duplicate_space() got an unexpected keyword argument {name!r}")
    hardware, sleep_time = copy.get("hardware"), copy.get("sleep_time")
    private = copy.get("private", True)
    source = space_id_from_url(from_id) or from_id.strip()
    if not is_space_id(source):
        raise InputError(f"{from_id!r} is not a Space id (owner/name) or a Space URL.")
    if to_id is not None and not (is_space_id(to_id) or (to_id and "/" not in to_id)):
        raise InputError(f"{to_id!r} is not a Space id (owner/name) or a Space name.")
    found = find_token(token)
    if found is None:
        raise AuthenticationError(
            "Duplicating a Space needs a Hugging Face token with write access: pass token=, set "
            "HF_TOKEN, or run `hf auth login`."
        )
    secret_list = [{"key": k, "value": v} for k, v in (copy.get("secrets") or {}).items()] or None
    try:
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError
    except ImportError as exc:  # huggingface_hub comes with the "spaces" extra
        raise needs_spaces_extra("Duplicating a Space", exc) from None
    api = HfApi(endpoint=hub_endpoint())

    def run() -> Any:
        # exist_ok is handled here, from the 409: some huggingface_hub releases read the new URL
        # from the 409 reply's body, which does not carry one.
        if hasattr(api, "duplicate_repo"):
            return api.duplicate_repo(
                source,
                to_id,
                repo_type="space",
                private=private,
                token=found,
                exist_ok=False,
                space_hardware=hardware,  # type: ignore[arg-type]  # a plain str is accepted
                space_sleep_time=sleep_time,
                space_secrets=secret_list,
            )
        legacy = getattr(api, "duplicate_space")  # huggingface_hub < 1.0
        return legacy(
            source,
            to_id,
            private=private,
            token=found,
            exist_ok=False,
            hardware=hardware,
            sleep_time=sleep_time,
            secrets=secret_list,
        )

    def existing_id() -> str:
        name = source.split("/")[1] if to_id is None else to_id.rsplit("/", 1)[-1]
        if to_id is not None and "/" in to_id:
            return to_id
        return f"{api.whoami(token=found)['name']}/{name}"

    # Errors are built inside ``except`` and raised after it, so they keep no link (__context__)
    # to huggingface_hub's exception, whose request object holds the token.
    failure: GradioError | None = None
    url: Any = None
    try:
        try:
            url = _with_deadline(run, timeout)
        except HfHubHTTPError as exc:
            if not (exist_ok and getattr(exc.response, "status_code", None) == 409):
                raise
            url = None
        if url is None:
            return _with_deadline(existing_id, timeout)
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        said = redact(str(getattr(exc, "server_message", None) or ""), found)
        failure = _hub_error(source, to_id, status, said)
    except GradioError as exc:
        failure = exc
    except ValueError as exc:  # huggingface_hub refused an argument before any request
        failure = InputError(f"Cannot duplicate Space {source}: {redact(str(exc), found)}")
    except Exception as exc:
        failure = ServerUnavailableError(
            f"Could not reach the Hugging Face Hub to duplicate Space {source}: "
            f"{type(exc).__name__}: {redact(str(exc), found)}"
        )
    if failure is not None:
        raise failure
    new_id = getattr(url, "repo_id", None) or space_id_from_url(str(url))
    if not new_id:
        raise ServerUnavailableError(f"The Hub's answer did not name the copy of {source}: {url!s}")
    return str(new_id)


def _hub_error(source: str, to_id: str | None, status: int | None, said: str) -> GradioError:
    detail = f" (HTTP {status}{': ' + said if said else ''})"
    if status in (401, 403):
        return AuthenticationError(
            f"The Hub refused to duplicate Space {source}{detail}: the token needs write access."
        )
    if status == 404:
        return SpaceNotFoundError(
            f"Space {source} was not found{detail}; check the id and that the token can see it.",
            space_id=source,
        )
    if status == 409:
        return InputError(
            f"A Space named {to_id or source.split('/')[1]} already exists{detail}; pass "
            "exist_ok=True to reuse it or choose another to_id."
        )
    return ServerUnavailableError(f"Duplicating Space {source} failed{detail}.")


def _with_deadline(fn: Callable[[], T], timeout: float | None) -> T:
    """Run ``fn`` in a daemon thread and wait at most ``timeout`` seconds for it."""
    if timeout is None:
        return fn()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:  # handed over to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=target, name="duplicate-space", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise GradioTimeoutError(f"The Hub did not answer within {timeout:g}s.")
    if failure:
        raise failure[0]
    return outcome[0]
