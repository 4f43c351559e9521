"""Gradio 3's queue conversation and values, free of I/O.

A 3.x app (``AppSpec.protocol == "ws"``) takes a queued call over one websocket per call to
``/queue/join``: it asks ``send_hash`` (answered with the ``fn_index`` and the client's session
hash), may report ``estimation``, asks ``send_data`` (answered with the values), then reports
``process_starts``, ``progress``, ``log`` and one ``process_generating`` per yield (each with the
*full* value, never a diff), and ends with ``process_completed`` (or ``queue_full``). Endpoints
outside the queue are a ``POST /run/<api_name>``. ``Conversation`` answers the app and turns its
messages into the same records the 4.x queue produces, so a job cannot tell the difference.

Values differ from 4.x in three ways, bridged here by the component type of each position (read
from the app's ``/config``, see ``Route``): a State slot is ``null`` both ways (as in 4.x), an
image travels inline as a ``data:`` URL both ways, and other files go as ``is_file`` dicts naming a
path on the server (after ``POST /upload``), coming back the same way to be fetched from
``/file=<path>``. Facts and traces: ``docs/gradio3.md`` and the shared ``protocol/GRADIO3.md``.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
import posixpath
from dataclasses import dataclass
from typing import Any

from .._errors import InputError, ProtocolError, QueueFullError
from .._files._values import FILE_DATA_TYPE, is_file_data
from .._http import _json
from .._http._json import number_or_none
from . import _messages as m
from ._app_errors import clip
from ._plan import Plan, ProtocolFlags

__all__ = [
    "PROTOCOL",
    "FLAGS",
    "Route",
    "Conversation",
    "route_of",
    "run_answer",
    "wire_inputs",
    "image_data_url",
    "decode_data_url",
    "results_from_wire",
]

PROTOCOL = "ws"
"""What ``AppSpec.protocol`` says of a Gradio 3 app."""

FLAGS = ProtocolFlags(PROTOCOL, diffs=False, close_stream=False)
"""Every yield carries the full value; there is no shared stream to close."""

_IMAGE = "image"
_GALLERY = "gallery"
_VIDEO = "video"


@dataclass(frozen=True)
class Route:
    """How one endpoint of a 3.x app is called: through the queue or ``POST /run``, and the
    component type at each input and output position (``""`` where ``/config`` does not say)."""

    fn_index: int
    queued: bool
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


def route_of(config: dict[str, Any], plan: Plan, endpoint: str) -> Route:
    """The route of the endpoint at ``plan.fn_index`` according to the app's ``/config``.

    A dependency takes the queue when the app turned the queue on (``enable_queue``) and the
    dependency did not opt out (``queue: false``), the test Gradio's own 0.x clients apply.
    """
    deps = config.get("dependencies")
    comps = config.get("components")
    if not isinstance(deps, list) or not 0 <= plan.fn_index < len(deps):
        raise ProtocolError(
            f"the app's /config has no dependency {plan.fn_index}; regenerate the SDK",
            endpoint=endpoint,
        )
    dep = deps[plan.fn_index]
    if not isinstance(dep, dict):
        raise ProtocolError(f"the app's /config dependency {plan.fn_index} is not an object")
    types: dict[Any, str] = {}
    for comp in comps if isinstance(comps, list) else []:
        if isinstance(comp, dict) and isinstance(comp.get("type"), str):
            types[comp.get("id")] = comp["type"]

    def kinds(key: str) -> tuple[str, ...]:
        ids = dep.get(key)
        return tuple(types.get(i, "") for i in ids) if isinstance(ids, list) else ()

    return Route(
        fn_index=plan.fn_index,
        queued=config.get("enable_queue") is True and dep.get("queue") is not False,
        inputs=kinds("inputs"),
        outputs=kinds("outputs"),
    )


# -- the conversation -----------------------------------------------------------------------------


def _dumps(value: object) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise InputError(f"an argument cannot be sent as JSON: {e}") from None


class Conversation:
    """One queued call, message by message: what to answer, and what the job learns.

    ``event_id`` is the job's own name for the call (3.x has no event ids); it tags the records
    so they read as any other job's.
    """

    def __init__(
        self,
        *,
        route: Route,
        data: list[Any],
        session_hash: str,
        event_id: str,
        endpoint: str,
    ) -> None:
        self.route = route
        self.endpoint = endpoint
        self.event_id = event_id
        self._hash = _dumps({"fn_index": route.fn_index, "session_hash": session_hash})
        self._run = _dumps({"data": data, "fn_index": route.fn_index, "session_hash": session_hash})
        self._data = _dumps(
            {
                "data": data,
                "event_data": None,
                "fn_index": route.fn_index,
                "session_hash": session_hash,
            }
        )
        self.finished = False

    def run_body(self) -> bytes:
        """The same call as the body of ``POST /run/<name>`` (an endpoint outside the queue)."""
        return self._run.encode()

    def on_text(self, text: str) -> tuple[str | None, m.Message | None]:
        """The answer to one message of the app (or None) and the record for the job (or None).

        Raises ``QueueFullError`` for ``queue_full`` and ``ProtocolError`` for what is not a
        Gradio 3 message. After ``process_completed`` the call is over (``finished``).
        """
        body = _json.loads(text, what="a message on the websocket queue", endpoint=self.endpoint)
        if not isinstance(body, dict) or not isinstance(body.get("msg"), str):
            raise ProtocolError(
                f"the websocket queue sent a message without 'msg': {text[:200]!r}",
                endpoint=self.endpoint,
            )
        kind: str = body["msg"]
        if kind == "send_hash":
            return self._hash, None
        if kind == "send_data":
            return self._data, None
        if kind == "queue_full":
            raise QueueFullError("the app's queue is full; try again later", endpoint=self.endpoint)
        return None, self._record(kind, body)

    def _record(self, kind: str, body: dict[str, Any]) -> m.Message | None:
        event_id = self.event_id
        if kind == "estimation":
            return m.Estimation(
                event_id,
                _int(body.get("rank")),
                _int(body.get("queue_size")),
                number_or_none(body.get("rank_eta")),
            )
        if kind == "process_starts":
            return m.ProcessStarts(event_id, None)
        if kind == "progress":
            units = body.get("progress_data") or []
            if not isinstance(units, list) or not all(isinstance(u, dict) for u in units):
                raise ProtocolError(
                    f"'progress' data is not a list of objects: {str(units)[:200]}",
                    endpoint=self.endpoint,
                )
            return m.Progress(event_id, tuple(units))
        if kind == "log":
            log, level = body.get("log", ""), body.get("level", "info")
            return m.Log(
                event_id,
                clip(log if isinstance(log, str) else repr(log)),
                clip(level if isinstance(level, str) else repr(level), 40),
                None,
            )
        if kind == "process_generating":
            output = body.get("output")
            if body.get("success") is False and isinstance(output, dict):
                self.finished = True
                return m.Completed(event_id, False, output, None)
            data = output.get("data") if isinstance(output, dict) else None
            if not isinstance(data, list):
                raise ProtocolError(
                    "'process_generating' without output data", endpoint=self.endpoint
                )
            return m.Generating(event_id, results_from_wire(self.route, data))
        if kind == "process_completed":
            self.finished = True
            return _completed(event_id, self.route, body, self.endpoint)
        return None  # a message of a later 3.x release: nothing a job needs


def _int(value: object) -> int | None:
    number = number_or_none(value)
    return None if number is None else int(number)


def _completed(event_id: str, route: Route, body: dict[str, Any], endpoint: str) -> m.Completed:
    output = body.get("output")
    if not isinstance(output, dict):
        raise ProtocolError(
            f"'process_completed' output is not an object: {str(output)[:200]}", endpoint=endpoint
        )
    if body.get("success") is not True:
        # gr.Error's text comes repr-quoted ("'Bad input'"), any other exception as null: both
        # are read as 4.x's untitled errors are (app_error strips the quotes, names hidden ones).
        return m.Completed(event_id, False, {"error": output.get("error")}, None)
    data = output.get("data")
    if isinstance(data, list):
        output = {**output, "data": results_from_wire(route, data)}
    return m.Completed(event_id, True, output, None)


# -- POST /run/<name> -------------------------------------------------------------------------------


def run_answer(
    status: int, body: object, route: Route, event_id: str, endpoint: str
) -> m.Completed | None:
    """The record of a ``/run`` answer: a result (200) or the app's error (500 with ``error``);
    None for any other answer, which the caller reports by its HTTP status."""
    if not isinstance(body, dict):
        return None
    if status == 200 and isinstance(body.get("data"), list):
        return _completed(event_id, route, {"success": True, "output": body}, endpoint)
    if status == 500 and "error" in body:
        return m.Completed(event_id, False, {"error": body.get("error")}, None)
    return None


# -- values -------------------------------------------------------------------------------------


def image_data_url(data: bytes, mime_type: str | None) -> str:
    """An image argument as 3.x sends it (gradio_client 0.x does the same for a path)."""
    kind = mime_type if mime_type and mime_type.startswith("image/") else "image/png"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def decode_data_url(url: str, *, max_bytes: int | None, endpoint: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a ``data:...;base64,`` URL; ``ProtocolError`` for anything else
    (a URL of another scheme is never fetched from here) or more than ``max_bytes``."""
    head, sep, payload = url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise ProtocolError(
            f"the app sent an image that is not a base64 data URL: {url[:80]!r}", endpoint=endpoint
        )
    if max_bytes is not None and len(payload) // 4 * 3 > max_bytes + 3:
        raise ProtocolError(
            f"the app sent an inline image of about {len(payload) // 4 * 3:,} bytes, more than "
            f"the {max_bytes:,} a download may have (max_download_size)",
            endpoint=endpoint,
        )
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError("the app sent an image whose base64 is damaged", endpoint=endpoint)
    mime = head[len("data:") : -len(";base64")].split(";", 1)[0] or "application/octet-stream"
    return data, mime


def _legacy_file(value: dict[str, Any]) -> dict[str, Any]:
    """A 4.x FileData (what uploads and earlier results give) as the 3.x dict the app reads."""
    path = value.get("path")
    return {
        "name": path,
        "data": None,
        "is_file": True,
        "orig_name": value.get("orig_name") or (posixpath.basename(path) if path else None),
    }


def _to_legacy(value: Any) -> Any:
    if is_file_data(value):
        return _legacy_file(value)
    if isinstance(value, list):
        return [_to_legacy(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_legacy(v) for k, v in value.items()}
    return value


def wire_inputs(route: Route, data: list[Any]) -> list[Any]:
    """Laid-out values (uploads done) as a 3.x app reads them: every FileData an ``is_file``
    dict. Images are data URLs already (inlined before uploading)."""
    return [_to_legacy(v) for v in data]


def _file_data(value: dict[str, Any]) -> Any:
    """A 3.x file dict as 4.x's FileData; a dict that names no file is left as it is."""
    name = value.get("name")
    if not isinstance(name, str):
        return value
    inline = value.get("data")
    data: dict[str, Any] = {"path": name}
    if value.get("is_file") is False and isinstance(inline, str) and inline.startswith("data:"):
        data = {"path": posixpath.basename(name) or "file", "url": inline}
    orig = value.get("orig_name")
    data["orig_name"] = orig if isinstance(orig, str) and orig else posixpath.basename(name)
    size = value.get("size")
    if isinstance(size, int) and not isinstance(size, bool):
        data["size"] = size
    data["meta"] = {"_type": FILE_DATA_TYPE}
    return data


def _from_legacy(value: Any) -> Any:
    if isinstance(value, dict) and "is_file" in value:
        return _file_data(value)
    if isinstance(value, list):
        return [_from_legacy(v) for v in value]
    return value


def _image(value: Any) -> Any:
    """An inline image result as a FileData whose ``url`` holds the data; the client's 3.x
    download batch decodes it instead of fetching anything."""
    if isinstance(value, str) and value.startswith("data:"):
        mime = value[5:].split(";", 1)[0].split(",", 1)[0]
        extension = mimetypes.guess_extension(mime) or ".png"
        return {
            "path": f"image{extension}",
            "url": value,
            "orig_name": f"image{extension}",
            "mime_type": mime or None,
            "meta": {"_type": FILE_DATA_TYPE},
        }
    return _from_legacy(value)


def _gallery(value: Any) -> Any:
    """``[[file, caption], ...]`` as 4.x's ``[{"image": FileData, "caption": ...}, ...]``."""
    if not isinstance(value, list):
        return value
    items = []
    for item in value:
        if isinstance(item, list) and len(item) == 2:
            image, caption = item
            items.append({"image": _image(image), "caption": caption})
        else:
            items.append({"image": _image(item), "caption": None})
    return items


def _video(value: Any) -> Any:
    """A Video result, ``[video, subtitles]`` on the wire, as the video's FileData: the SDK types a
    Video as one file on every Gradio, and gradio_client 0.x drops the subtitles the same way."""
    if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list):
        value = value[0]
    return _from_legacy(value)


def results_from_wire(route: Route, data: list[Any]) -> list[Any]:
    """A result's values as the SDK's shapes read them (4.x's FileData and GalleryData)."""
    out = []
    for position, value in enumerate(data):
        kind = route.outputs[position] if position < len(route.outputs) else ""
        if kind == _IMAGE:
            out.append(_image(value))
        elif kind == _GALLERY:
            out.append(_gallery(value))
        elif kind == _VIDEO:
            out.append(_video(value))
        else:
            out.append(_from_legacy(value))
    return out
