"""Where a schema comes from: a running app (URL or Space id), or a file on disk.

Every path ends in a ``Snapshot``. A live app is asked for ``/config`` (always at the root) and
``{api_prefix}/info``; a file is either a snapshot written by ``gradio-codegen snapshot`` or the
raw API info (as served, or as ``view_api(return_format="dict")`` returns it), optionally with the
app's ``/config`` saved next to it.

A live app is hostile until checked: it is asked through the runtime's HTTP client (so ``timeout``
is a deadline for the whole fetch, however slowly it answers, and credentials are decided again at
every redirect hop), each answer may be at most ``MAX_DOCUMENT_BYTES``, and every document, from
the app or from a file, is parsed by ``schema.parse_document`` (bounded nesting).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from gradio_codegen.runtime import GradioError, _auth, _deadline, _spaces, _tls

from . import gradio3
from .diagnostics import Diagnostics
from .errors import NotJsonError, SchemaError, SourceError
from .schema import (
    MAX_DEPTH,
    SNAPSHOT_FORMAT,
    ApiInfo,
    Snapshot,
    check_depth,
    config_endpoints,
    parse_document,
    parse_measured,
    strip_info,
)

__all__ = ["Credentials", "MAX_DOCUMENT_BYTES", "load", "snapshot_from_documents"]

# The largest /config or /info answer read from an app: real ones are kilobytes to a few MiB.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Credentials:
    """How to get in: a Hugging Face token and/or the app's own login (``launch(auth=...)``)."""

    token: str | None = None
    auth: tuple[str, str] | None = None


def load(
    src: str,
    *,
    diagnostics: Diagnostics,
    credentials: Credentials = Credentials(),
    config_path: str | None = None,
    source: str | None = None,
    include_hidden: bool = False,
    timeout: float = 30.0,
) -> Snapshot:
    """Read ``src`` (a file, an http(s) URL or a Space id) into a snapshot.

    ``source`` overrides the app location recorded in the snapshot (the URL a generated client
    connects to by default).
    """
    if os.path.exists(src) or src.endswith(".json"):
        return _load_file(src, diagnostics=diagnostics, config_path=config_path, source=source)
    if config_path is not None:
        raise SourceError("--config only applies when SRC is an API info file")
    # A Space may first need ``timeout`` seconds to start; then the app's answers (login and both
    # documents) share one deadline of ``timeout``, however slowly it drips them.
    url, space_id = _resolve(src, credentials.token, timeout)
    with _deadline.scope(timeout):
        config, info = _fetch(
            url,
            credentials=credentials,
            include_hidden=include_hidden,
            timeout=timeout,
            diagnostics=diagnostics,
        )
    recorded = source or (space_id if space_id is not None else url)
    return snapshot_from_documents(
        info, config, source=recorded, space_id=space_id, depth_checked=True
    )


def snapshot_from_documents(
    info: Any,
    config: Any | None,
    *,
    source: str,
    space_id: str | None = None,
    where: str = "API info",
    depth_checked: bool = False,
) -> Snapshot:
    """Bundle a raw ``/info`` document and (optionally) ``/config`` into a snapshot.

    ``depth_checked``: the caller parsed both documents with their nesting bounded to
    ``MAX_DEPTH`` already, so they are not walked again (a large schema takes a while to walk).
    """
    if not isinstance(info, dict):
        raise SchemaError(f"{where} is not a JSON object with 'named_endpoints'")
    if not depth_checked:
        check_depth(info, where)
        if config is not None:
            check_depth(config, "the /config document")
    try:
        api = ApiInfo.model_validate(info)
    except ValidationError as e:
        raise SchemaError(
            f"{where} does not look like Gradio API info: {_first_error(e)}"
        ) from None
    endpoints = None
    meta: dict[str, Any] = {}
    if config is not None:
        if not isinstance(config, dict):
            raise SchemaError("the /config document is not a JSON object")
        try:
            endpoints = config_endpoints(config, set(api.named_endpoints))
        except ValueError as e:
            raise SchemaError(f"the /config document is not a Gradio config: {e}") from None
        version = config.get("version")
        max_size = config.get("max_file_size")
        meta = {
            "gradio_version": version if isinstance(version, str) else None,
            "api_prefix": _prefix(config),
            "protocol": (
                config.get("protocol") if isinstance(config.get("protocol"), str) else "sse_v3"
            ),
            "max_file_size": (
                max_size if isinstance(max_size, int) and not isinstance(max_size, bool) else None
            ),
        }
    snapshot = Snapshot(
        source=source,
        space_id=space_id,
        endpoints=endpoints,
        api_info=strip_info(info),
        **meta,
    )
    return snapshot.with_hash()


def _prefix(config: dict[str, Any]) -> str:
    prefix = config.get("api_prefix")
    if not isinstance(prefix, str) or not prefix.strip("/"):
        return ""
    return "/" + prefix.strip("/")


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    place = ".".join(str(p) for p in first["loc"]) or "top level"
    return f"{place}: {first['msg']}"


# -- files ------------------------------------------------------------------------------------


def _read_json(path: str, what: str) -> tuple[Any, int]:
    """The JSON in ``path`` and how deep it nests (at most one level more than a document may:
    a snapshot wraps the app's API info in an object)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise SourceError(f"{what} {path!r} does not exist") from None
    except IsADirectoryError:
        raise SourceError(f"{what} {path!r} is a directory; pass a .json file") from None
    except UnicodeDecodeError:
        raise SchemaError(
            f"{what} {path!r} is not UTF-8 text; pass the JSON the app served"
        ) from None
    except OSError as e:
        raise SourceError(f"cannot read {what} {path!r}: {e.strerror}") from None
    return parse_measured(
        text, f"{what} {path!r}", "save the app's /info (or a snapshot) again", MAX_DEPTH + 1
    )


def _within_a_document(depth: int, where: str) -> None:
    """A raw document read with a snapshot's allowance of one extra level must not use it."""
    if depth > MAX_DEPTH:
        raise SchemaError(
            f"{where} nests objects or arrays deeper than {MAX_DEPTH} levels, which no Gradio app "
            "does; save the app's /info (or a snapshot) again"
        )


def _load_file(
    src: str, *, diagnostics: Diagnostics, config_path: str | None, source: str | None
) -> Snapshot:
    data, depth = _read_json(src, "schema file")
    if isinstance(data, dict) and data.get("format") == SNAPSHOT_FORMAT:
        if config_path is not None:
            raise SourceError(
                "--config does not apply to a snapshot file (it already holds the config)"
            )
        try:
            snapshot = Snapshot.model_validate(data)
        except ValidationError as e:
            raise SchemaError(
                f"snapshot {src!r} is damaged: {_first_error(e)}; write it again"
            ) from None
        try:
            snapshot.info()
        except ValidationError as e:
            raise SchemaError(
                f"snapshot {src!r} holds invalid API info: {_first_error(e)}"
            ) from None
        if snapshot.schema_hash != snapshot.with_hash().schema_hash:
            diagnostics.warn(
                f"snapshot {src!r} was edited after it was written (its schema hash differs)"
            )
        if source is not None:
            snapshot = snapshot.model_copy(update={"source": source})
        return snapshot.with_hash()
    if not isinstance(data, dict) or "named_endpoints" not in data:
        raise SchemaError(
            f"{src!r} is neither a gradio-codegen snapshot nor Gradio API info "
            "(expected an object with 'named_endpoints', as served by {api_prefix}/info)"
        )
    _within_a_document(depth, repr(src))
    config = None
    if config_path is not None:
        config, config_depth = _read_json(config_path, "config file")
        _within_a_document(config_depth, f"config file {config_path!r}")
    if _is_gradio3_config(config):
        _refuse_client_side_info(data, repr(src))
        docs = gradio3.convert(config, data, diagnostics=diagnostics)
        data, config = docs.info, docs.config
    recorded = source
    if recorded is None and isinstance(config, dict) and isinstance(config.get("root"), str):
        recorded = config["root"].rstrip("/")
    snapshot = snapshot_from_documents(
        data, config, source=recorded or "", where=repr(src), depth_checked=True
    )
    if config is None:
        diagnostics.warn(
            "no /config given: fn_index is looked up on first call and whether endpoints stream is "
            "unknown; pass --config CONFIG.json or generate from the URL or a snapshot"
        )
    if not recorded:
        diagnostics.warn(
            "the file does not say where the app runs; pass --src URL (clients then need a URL)"
        )
    return snapshot


def _is_gradio3_config(config: Any) -> bool:
    """A Gradio config (dependencies and components) of a 3.x app; anything else is left to the
    4.x path, which says what is wrong with it."""
    return (
        isinstance(config, dict)
        and "dependencies" in config
        and "components" in config
        and gradio3.is_gradio3(config)
    )


# What Gradio 3's ``/info`` (without ``?serialize=False``) says of values the 0.x clients turn into
# local files: the wire form is something else (a data URL, a file dict, plain JSON).
_CLIENT_SIDE_WORDS = ("filepath on your computer", "filepath to json file", "path to directory")


def _refuse_client_side_info(info: dict[str, Any], where: str) -> None:
    """A 3.x ``/info`` saved without ``?serialize=False`` describes the 0.x clients' file paths,
    not the wire: typed from it, an image argument would be a path string the app cannot read."""
    named = info.get("named_endpoints")
    for entry in named.values() if isinstance(named, dict) else []:
        if not isinstance(entry, dict):
            continue
        values = [*_list(entry.get("parameters")), *_list(entry.get("returns"))]
        for value in values:
            python_type = value.get("python_type") if isinstance(value, dict) else None
            text = python_type.get("description") if isinstance(python_type, dict) else None
            if isinstance(text, str) and any(w in text.lower() for w in _CLIENT_SIDE_WORDS):
                raise SchemaError(
                    f"{where} is a Gradio 3 /info read without ?serialize=False (it describes "
                    "values as local file paths); save the app's /info?serialize=False instead"
                )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- live apps --------------------------------------------------------------------------------


def _resolve(src: str, token: str | None, timeout: float) -> tuple[str, str | None]:
    """The app's URL (and Space id) for a URL, a Space id or a Space page URL."""
    try:
        resolved = _spaces.resolve(src, token=token, timeout=timeout)
    except NotImplementedError:
        raise SourceError(
            f"Space ids are not supported by this version yet; pass the Space's app URL instead "
            f"(for {src!r}: https://<owner>-<name>.hf.space)"
        ) from None
    except GradioError as e:  # the runtime's errors say what went wrong and what to do
        hint = (
            ""
            if _spaces.is_space_id(src) or "://" in src
            else " SRC may also be a schema file (.json)."
        )
        raise SourceError(f"{e}{hint}") from None
    return resolved.url.rstrip("/"), resolved.space_id


def _fetch(
    url: str,
    *,
    credentials: Credentials,
    include_hidden: bool,
    timeout: float,
    diagnostics: Diagnostics,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The app's ``/config`` and API info, a Gradio 3 app's already in the 4.x shape."""
    headers = _auth.token_headers(url, _auth.find_token(credentials.token))
    # Redirects are followed (an app behind a proxy may move /config), but every hop is checked:
    # a hop to another origin keeps no login cookie, and the token only where tokens may go.
    http_client = _tls.sync_http(httpx.Timeout(timeout), headers=headers, follow_redirects=True)
    try:
        with http_client as http:
            if credentials.auth is not None:
                _login(http, url, credentials.auth)
            config = _get_json(http, url + "/config", url)
            if "dependencies" not in config or "components" not in config:
                raise SourceError(f"{url} is not a Gradio app: its /config has no dependencies")
            if gradio3.is_gradio3(config):
                # Checked before asking for /info, so a 3.20 app fails with the version it runs
                # rather than with a missing route.
                gradio3.check_supported(gradio3.gradio3_version(config), diagnostics)
                info = _get_json(http, f"{url}/info", url, params=dict(gradio3.INFO_QUERY))
                docs = gradio3.convert(config, info, diagnostics=diagnostics)
                return docs.config, docs.info
            prefix = _prefix(config)
            params = {"all_endpoints": "true"} if include_hidden else None
            info = _get_json(http, f"{url}{prefix}/info", url, params=params)
    except httpx.TimeoutException:
        raise SourceError(
            f"{url} did not answer within {timeout:g} s; check the app is running"
        ) from None
    except httpx.HTTPError as e:
        raise SourceError(
            f"cannot reach {url} ({type(e).__name__}: {e}); check the URL and that the app is running"
        ) from None
    return config, info


def _login(http: httpx.Client, url: str, auth: tuple[str, str]) -> None:
    # The password is in the body: never re-sent anywhere by a redirect.
    response = http.post(
        url + "/login",
        data={"username": auth[0], "password": auth[1]},
        follow_redirects=False,
    )
    if response.status_code != 200:
        raise SourceError(
            f"login to {url} failed (HTTP {response.status_code}); check --auth USER:PASS"
        )


def _get_json(
    http: httpx.Client, target: str, url: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    path = target[len(url) :] or "/"
    with http.stream("GET", target, params=params) as response:
        if response.status_code == 401:
            raise SourceError(f"{url} needs a login ({path} answered 401); pass --auth USER:PASS")
        if response.status_code == 404:
            raise SourceError(f"{url} is not a Gradio app: {path} answered 404 Not Found")
        if response.status_code != 200:
            raise SourceError(
                f"{url}{path} answered HTTP {response.status_code}; is it a Gradio app?"
            )
        body = _read_bounded(response, f"{url}{path}")
    try:
        data = parse_document(body, f"{url}{path}", "is it a Gradio app?")
    except NotJsonError:
        kind = response.headers.get("content-type", "unknown content")
        raise SourceError(f"{url} is not a Gradio app: {path} returned {kind}, not JSON") from None
    if not isinstance(data, dict):
        raise SourceError(f"{url} is not a Gradio app: {path} returned JSON that is not an object")
    return data


def _read_bounded(response: httpx.Response, where: str) -> bytes:
    """The body, or ``SourceError`` as soon as it grows past ``MAX_DOCUMENT_BYTES``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
        raise SourceError(_too_large(where))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise SourceError(_too_large(where))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(where: str) -> str:
    limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
    return f"{where} answered more than {limit} MiB, which no Gradio app's API description is"
