"""One file's upload request body: a multipart head, the file's bytes, a tail.

The body is framed without I/O (``Part``: boundary, headers and an exact Content-Length from the
file's size) and read one chunk at a time (``Body``), so a request never holds more than a chunk.
Its job beyond that is to be sent again safely: the retrying transport (``_http._retry``) may
repeat an upload after part of it went out, so the body starts from its first byte at each
attempt, and a file that ends early (it changed while it was being read) is an ``InputError``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import IO, Any, TypeVar

from .._asyncio import asyncio
from .._errors import InputError
from .._http._retry import Replayable
from ._fetch import ACCEPT_ENCODING, CHUNK_SIZE
from ._inputs import FileArgument
from ._progress import Meter, ProgressOption

__all__ = ["Part", "Body"]

T = TypeVar("T")


class Part:
    """The multipart body of one file's upload: head, the file's ``size`` bytes, tail.

    ``took`` counts each chunk of the file as it is read (a file that ends early changed while it
    was being read: ``InputError``) and reports it to the progress meter; ``restart`` begins the
    count again for another attempt (the meter does not go back: it shows the most ever sent).
    """

    def __init__(
        self, item: FileArgument, size: int, progress: ProgressOption, endpoint: str | None
    ) -> None:
        boundary = os.urandom(16).hex()
        filename = item.name.replace('"', "%22")
        self.head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            f"Content-Type: {item.mime_type or 'application/octet-stream'}\r\n\r\n"
        ).encode("utf-8")
        self.tail = f"\r\n--{boundary}--\r\n".encode("ascii")
        self.headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(self.head) + size + len(self.tail)),
            **ACCEPT_ENCODING,
        }
        self.item = item
        self.size = size
        self.endpoint = endpoint
        self.what = f"uploading {item.name!r}"
        self.meter = Meter(progress, "upload", item.name, size)
        self.sent = 0  # bytes of the file read in this attempt

    def restart(self) -> None:
        self.sent = 0

    def wanted(self) -> int:
        """How many bytes to read next; 0 once the whole file is sent."""
        return min(CHUNK_SIZE, self.size - self.sent)

    def took(self, chunk: bytes) -> bytes:
        if not chunk:
            raise InputError(
                f"{self.item.name!r} changed while it was being uploaded: it ended after "
                f"{self.sent} of {self.size} bytes",
                endpoint=self.endpoint,
                parameter=self.item.parameter,
            )
        self.sent += len(chunk)
        if self.sent > self.meter.done:
            self.meter.advance(self.sent - self.meter.done)
        return chunk


class Body(Replayable):
    """One file's multipart body, read from its start at each attempt.

    The retrying transport (``_http._retry``) may send an upload again after a broken connection
    or a 502/503/504 even when part of it went out -- the same bytes again are safe -- so each
    iteration seeks the source back to where it began: our own file or bytes, or a caller's
    stream that can seek (one that cannot is sent once, as before: ``replayable`` is False).
    ``threaded``: the async sender reads a disk file in a worker thread, not on the loop.
    """

    def __init__(self, part: Part, source: IO[bytes], threaded: bool = False) -> None:
        self.part = part
        self.source = source
        self.threaded = threaded
        self.replayable = source.seekable()
        self.start = source.tell() if self.replayable else 0

    def _rewind(self) -> None:
        if self.replayable:
            self.source.seek(self.start)
        self.part.restart()

    def __iter__(self) -> Iterator[bytes]:
        self._rewind()
        yield self.part.head
        while wanted := self.part.wanted():
            yield self.part.took(self.source.read(wanted))
        yield self.part.tail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        await self._run(self._rewind)
        yield self.part.head
        while wanted := self.part.wanted():
            yield self.part.took(await self._run(self.source.read, wanted))
        yield self.part.tail

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args) if self.threaded else fn(*args)
