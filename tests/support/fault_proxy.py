"""A fault-injecting HTTP/1.1 proxy on 127.0.0.1, between a client and a real server.

Real apps sit behind front ends that reset connections, answer 503/429 for the app, hold answers
back and drop long event streams. This proxy does each of those on demand, per request, so a test
can say exactly which request fails and how, then count (on the server side) what the app did.

It is HTTP-aware only as far as that needs: it reads each request head and frames each body
(``content-length`` or chunked), so it sees request boundaries on keep-alive connections; it frames
each answer the same way, and splits ``text/event-stream`` answers into their events, so it can cut
a stream after N of them. Everything else passes byte for byte (the ``Host`` header included, so a
Gradio app names the proxy's address as its ``root``). Standard library only; one asyncio loop in a
daemon thread; the public methods are plain synchronous calls, safe from any thread::

    with FaultProxy(server.url) as proxy:
        proxy.add(respond(503, headers={"retry-after": "1"}), method="POST", path=r"/upload$", times=2)
        proxy.add(drop_stream(after_events=3), path=r"/queue/data$")
        client = sdk.Client(proxy.url)
        ...
        assert [x.status for x in proxy.exchanges(path="/upload")] == [503, 503, 200]

Faults (each applies to ``times`` matching requests, then the rule is spent):

* ``respond(status, headers, body)``: answer instead of the app, which never sees the request;
  ``forward=True``: the app gets the request and answers, and the client gets the substitute (a
  gateway that gave up after the app had accepted the work);
* ``reset_after_head()``: the request head arrived, then the connection is reset (RST); nothing
  reaches the app;
* ``reset_after_request()``: the whole request is forwarded and the app's answer read (it is in the
  log), but the client's connection is reset instead of answered;
* ``delay_response(seconds)``: the app's answer is held back that long before its first byte;
* ``half_open(forward=True)``: the connection stays open and silent (the request forwarded to the
  app, or not) until the client gives up or the proxy stops: a front end that accepted and hung;
* ``drop_stream(after_events, counting=b"...")``: an event stream is relayed for N events (only
  events containing ``counting`` count, if given) and then cut, by reset or by a plain close;
  the proxy also closes its connection to the app, as a front end losing its client does.

``refuse()`` / ``accept()`` close and reopen the listening socket on the same port, so new
connections are refused by the kernel (a true ECONNREFUSED) while open ones continue.

Unlike most front ends, it does not watch the client's side while it relays an answer: a client
that closes a quiet event stream is noticed (and the app's side closed) only when the next event
fails to go out. Tests of what the app does when a client leaves should close through the proxy's
own faults, or talk to the app directly.

Bounded: request and answer heads at most ``MAX_HEAD`` bytes, chunk-size lines ``MAX_LINE`` bytes,
every connection to the app opened within ``CONNECT_TIMEOUT``, every held connection released after
``hold_limit`` seconds or at ``stop()``, which aborts every connection still open.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

__all__ = [
    "FaultProxy",
    "Fault",
    "Rule",
    "Exchange",
    "respond",
    "reset_after_head",
    "reset_after_request",
    "delay_response",
    "half_open",
    "drop_stream",
]

MAX_HEAD = 64 * 1024
MAX_LINE = 1024
CONNECT_TIMEOUT = 10.0
CHUNK = 64 * 1024
KEEP = 4096  # bytes of each body kept in the log

Kind = Literal["respond", "reset_after_head", "reset_after_request", "delay", "half_open", "drop"]


@dataclass(frozen=True)
class Fault:
    """What to do to one request; build it with the functions below."""

    kind: Kind
    status: int = 503
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    forward: bool = False
    seconds: float = 0.0
    after_events: int = 0
    counting: bytes | None = None
    how: Literal["reset", "close"] = "reset"

    @property
    def name(self) -> str:
        if self.kind == "respond":
            return f"respond {self.status}" + (" after forwarding" if self.forward else "")
        if self.kind == "delay":
            return f"delay {self.seconds:g} s"
        if self.kind == "half_open":
            return "half-open" + (" after forwarding" if self.forward else "")
        if self.kind == "drop":
            return f"drop stream after {self.after_events} events ({self.how})"
        return self.kind.replace("_", " ")


def respond(
    status: int,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str = b"",
    forward: bool = False,
) -> Fault:
    """Answer ``status`` instead of the app (``forward=True``: after the app has answered)."""
    data = body.encode() if isinstance(body, str) else body
    return Fault(
        "respond", status=status, headers=tuple((headers or {}).items()), body=data, forward=forward
    )


def reset_after_head() -> Fault:
    """Reset the connection once the request head is in; the app never sees the request."""
    return Fault("reset_after_head")


def reset_after_request() -> Fault:
    """Forward the whole request, read the app's answer, and reset the client's connection."""
    return Fault("reset_after_request")


def delay_response(seconds: float) -> Fault:
    """Hold the app's answer back ``seconds`` before its first byte reaches the client."""
    return Fault("delay", seconds=seconds)


def half_open(*, forward: bool = True) -> Fault:
    """Never answer; keep the connection open (the request forwarded to the app or not)."""
    return Fault("half_open", forward=forward)


def drop_stream(
    after_events: int, *, counting: bytes | None = None, how: Literal["reset", "close"] = "reset"
) -> Fault:
    """Relay ``after_events`` events of an event stream (those containing ``counting``, if given,
    are the ones counted; the others pass), then cut it: ``"reset"`` (RST) or ``"close"`` (FIN
    without the end of the chunked body)."""
    return Fault("drop", after_events=after_events, counting=counting, how=how)


@dataclass
class Rule:
    """A fault bound to the requests it matches: ``method`` (any if None) and ``path`` (a regular
    expression searched in the path without its query; any if None), for ``times`` requests
    (every one if None)."""

    fault: Fault
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    applied: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.applied >= self.times:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class Exchange:
    """One request as the proxy handled it, and what came of it."""

    connection: int
    method: str
    target: str  # path with query, as the client sent it
    headers: dict[str, str]
    started: float  # time.monotonic()
    fault: str | None = None
    body: bytes = b""  # the first KEEP bytes of the request body
    forwarded: bool = False  # the whole request reached the app
    upstream_status: int | None = None  # what the app answered, if it did
    upstream_body: bytes = b""  # the first KEEP bytes of the app's answer (not of event streams)
    status: int | None = None  # what the client got (None: no answer, the connection was cut)
    events: list[bytes] = field(default_factory=list)  # event-stream events relayed to the client
    ended: float | None = None
    outcome: str = ""  # "answered", "reset", "closed", "held", "client gone", "app gone", ...

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class _Cut(Exception):
    """This connection is finished (by a fault or a peer); close both sides."""


class FaultProxy:
    """The proxy; start it with ``with FaultProxy(url) as proxy`` (or ``start()`` / ``stop()``)."""

    def __init__(
        self, target: str, *, host: str = "127.0.0.1", port: int = 0, hold_limit: float = 300.0
    ) -> None:
        parts = urlsplit(target if "//" in target else f"http://{target}")
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"target must be http://host:port, not {target!r}")
        self.target_host, self.target_port = parts.hostname, parts.port
        self.host, self.port = host, port
        self.hold_limit = hold_limit
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._rules: list[Rule] = []
        self._log: list[Exchange] = []
        self._connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping: asyncio.Event | None = None

    # -- life --------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> FaultProxy:
        if self._thread is not None:
            raise RuntimeError("the proxy is already running")
        ready: list[BaseException | None] = []
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._listen())
                ready.append(None)
            except BaseException as e:  # report to start(), which raises it
                ready.append(e)
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not started.wait(30) or ready[0] is not None:
            raise RuntimeError(f"the fault proxy did not start: {ready[0] if ready else 'timeout'}")
        return self

    def stop(self) -> None:
        """Stop listening and abort every connection still open (held ones included)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        self._thread = self._loop = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refuse(self) -> None:
        """Stop listening: new connections are refused; open ones go on."""
        self._call(self._close_listener())

    def accept(self) -> None:
        """Listen again on the same port."""
        self._call(self._listen())

    @contextlib.contextmanager
    def refusing(self) -> Iterator[None]:
        self.refuse()
        try:
            yield
        finally:
            self.accept()

    # -- rules and log -------------------------------------------------------------------------------

    def add(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
    ) -> Rule:
        """Apply ``fault`` to the next ``times`` requests that match (rules are tried in order)."""
        if path is not None:
            re.compile(path)
        rule = Rule(fault, method, path, times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget every rule (what is already being done to a request goes on)."""
        with self._lock:
            self._rules.clear()

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        with self._lock:
            return self._connections

    def exchanges(self, *, method: str | None = None, path: str | None = None) -> list[Exchange]:
        """The requests handled so far, oldest first; ``path`` is searched like a rule's."""
        with self._lock:
            log = list(self._log)
        return [
            x
            for x in log
            if (method is None or x.method == method.upper())
            and (path is None or re.search(path, x.path))
        ]

    def settled(self, timeout: float = 20.0) -> list[Exchange]:
        """The log once every exchange in it has ended.

        The proxy records an exchange's outcome just after relaying its last byte, so a client
        that has its whole answer can look at the log a moment before the outcome is there.
        """
        return self.wait_for(lambda log: all(x.ended is not None for x in log), timeout)

    def wait_for(
        self, predicate: Callable[[list[Exchange]], bool], timeout: float = 60.0
    ) -> list[Exchange]:
        """Wait until ``predicate(log)`` holds (checked after every change); the log, or
        ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self._log)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"the proxy's log did not reach the condition in {timeout} s"
                    )
                self._changed.wait(left)
            return list(self._log)

    def _take_rule(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.applied += 1
                    return rule.fault
        return None

    def _record(self, exchange: Exchange) -> None:
        with self._changed:
            self._log.append(exchange)
            self._changed.notify_all()

    def _update(self, exchange: Exchange, **changes: object) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(exchange, name, value)
            self._changed.notify_all()

    # -- the loop's side -----------------------------------------------------------------------------

    def _call(self, coro: object) -> None:
        if self._loop is None:
            raise RuntimeError("the proxy is not running")
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    async def _listen(self) -> None:
        if self._stopping is None:
            self._stopping = asyncio.Event()
        if self._server is not None:
            return
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, limit=MAX_HEAD, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close_listener(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()  # stops accepting; does not touch open connections

    async def _shutdown(self) -> None:
        await self._close_listener()
        if self._stopping is not None:
            self._stopping.set()
        for writer in list(self._writers):
            writer.transport.abort()
        await asyncio.sleep(0)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        with self._lock:
            self._connections += 1
            number = self._connections
        _no_delay(client_w)
        self._writers.add(client_w)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                head = await _read_head(client_r)
                if head is None:
                    return
                upstream = await self._exchange(number, head, client_r, client_w, upstream)
        except (_Cut, ConnectionError, asyncio.IncompleteReadError, OSError):
            return
        except asyncio.LimitOverrunError:
            with contextlib.suppress(Exception):
                client_w.write(_answer(431, b"request head too large"))
                await client_w.drain()
        finally:
            self._writers.discard(client_w)
            client_w.close()
            if upstream is not None:
                self._writers.discard(upstream[1])
                upstream[1].close()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.target_host, self.target_port, limit=MAX_HEAD),
                CONNECT_TIMEOUT,
            )
        except (OSError, asyncio.TimeoutError) as e:
            raise _Cut(f"cannot reach the app: {e}") from e
        _no_delay(writer)
        self._writers.add(writer)
        return reader, writer

    async def _exchange(
        self,
        number: int,
        head: bytes,
        client_r: asyncio.StreamReader,
        client_w: asyncio.StreamWriter,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """Handle one request; returns the connection to the app to reuse (or None)."""
        method, target, headers = _parse_request(head)
        path = target.split("?", 1)[0]
        fault = self._take_rule(method, path)
        x = Exchange(
            number, method, target, headers, time.monotonic(), fault.name if fault else None
        )
        self._record(x)
        kind = fault.kind if fault else None
        client_close = "close" in headers.get("connection", "").lower()

        if kind == "reset_after_head":
            self._update(x, outcome="reset", ended=time.monotonic())
            _reset(client_w)
            raise _Cut()
        if fault is not None and not fault.forward and kind in ("respond", "half_open"):
            body = await _relay_body(client_r, None, headers, keep=True)
            self._update(x, body=body)
            if kind == "half_open":
                await self._hold(x, client_r)
                raise _Cut()
            await self._substitute(x, client_w, fault)
            if client_close:
                raise _Cut()
            return upstream

        # forward the request
        if upstream is None or upstream[0].at_eof():
            if upstream is not None:
                upstream[1].close()
                self._writers.discard(upstream[1])
            upstream = await self._open_upstream()
        up_r, up_w = upstream
        up_w.write(head)
        body = await _relay_body(client_r, up_w, headers, keep=True)
        await up_w.drain()
        self._update(x, body=body, forwarded=True)

        status, resp_head, resp_headers = await self._read_answer(up_r, x)
        self._update(x, upstream_status=status)
        is_stream = resp_headers.get("content-type", "").startswith("text/event-stream")
        no_body = method == "HEAD" or status in (204, 304)
        up_close = "close" in resp_headers.get("connection", "").lower() or not (
            no_body or "content-length" in resp_headers or _chunked(resp_headers)
        )

        if fault is not None and kind in ("reset_after_request", "respond", "half_open"):
            if is_stream and kind == "half_open":  # the app streams on into a front end that hung
                await self._hold(x, client_r, drain=(up_r, resp_headers))
                raise _Cut()
            if is_stream or no_body:
                up_w.close()
                upstream = None
            else:
                kept = await _relay_body(up_r, None, resp_headers, keep=True, until_close=up_close)
                self._update(x, upstream_body=kept)
                if up_close:
                    up_w.close()
                    upstream = None
            if kind == "reset_after_request":
                self._update(x, outcome="reset", ended=time.monotonic())
                _reset(client_w)
                raise _Cut()
            if kind == "half_open":
                await self._hold(x, client_r)
                raise _Cut()
            await self._substitute(x, client_w, fault)
            if client_close:
                raise _Cut()
            return upstream

        if kind == "delay":
            await asyncio.sleep(fault.seconds if fault else 0)
        client_w.write(resp_head)
        self._update(x, status=status)
        if is_stream and not no_body:
            await self._relay_stream(
                x, up_r, client_w, resp_headers, fault if kind == "drop" else None
            )
        elif not no_body:
            kept = await _relay_body(up_r, client_w, resp_headers, keep=True, until_close=up_close)
            self._update(x, upstream_body=kept)
        await client_w.drain()
        self._update(x, outcome="answered", ended=time.monotonic())
        if up_close or client_close:
            raise _Cut()
        return upstream

    async def _read_answer(
        self, up_r: asyncio.StreamReader, x: Exchange
    ) -> tuple[int, bytes, dict[str, str]]:
        while True:  # skip interim (1xx) answers
            head = await _read_head(up_r)
            if head is None:
                self._update(x, outcome="app gone", ended=time.monotonic())
                raise _Cut()
            status, headers = _parse_response(head)
            if status >= 200:
                return status, head, headers

    async def _substitute(self, x: Exchange, client_w: asyncio.StreamWriter, fault: Fault) -> None:
        client_w.write(_answer(fault.status, fault.body, dict(fault.headers)))
        await client_w.drain()
        self._update(x, status=fault.status, outcome="answered", ended=time.monotonic())

    async def _hold(
        self,
        x: Exchange,
        client_r: asyncio.StreamReader,
        drain: tuple[asyncio.StreamReader, dict[str, str]] | None = None,
    ) -> None:
        """Keep the connection open and silent until the client leaves, the proxy stops or the
        hold limit passes; ``drain``: meanwhile read (and drop) what the app keeps sending."""
        self._update(x, outcome="held")
        assert self._stopping is not None
        gone = asyncio.ensure_future(client_r.read(1))
        stopping = asyncio.ensure_future(self._stopping.wait())
        tasks = [gone, stopping]
        if drain is not None:
            tasks.append(
                asyncio.ensure_future(_relay_body(drain[0], None, drain[1], until_close=True))
            )
        try:
            await asyncio.wait(
                [gone, stopping], timeout=self.hold_limit, return_when="FIRST_COMPLETED"
            )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self._update(x, outcome="held, then client gone" if gone.done() else "held, then released")
        self._update(x, ended=time.monotonic())

    async def _relay_stream(
        self,
        x: Exchange,
        up_r: asyncio.StreamReader,
        client_w: asyncio.StreamWriter,
        headers: dict[str, str],
        drop: Fault | None,
    ) -> None:
        """Relay an event stream event by event (re-chunked one event a chunk when chunked)."""
        chunked = _chunked(headers)
        pending = b""
        counted = 0
        if drop is not None and drop.after_events <= 0:
            self._cut_stream(x, client_w, drop)
        async for data in _body_chunks(up_r, headers, until_close=not chunked):
            pending += data
            while True:
                end = _event_end(pending)
                if end is None:
                    break
                event, pending = pending[:end], pending[end:]
                client_w.write(_frame(event) if chunked else event)
                await client_w.drain()
                with self._changed:
                    x.events.append(event)
                    self._changed.notify_all()
                if drop is not None and (drop.counting is None or drop.counting in event):
                    counted += 1
                    if counted >= drop.after_events:
                        self._cut_stream(x, client_w, drop)
        if pending:
            client_w.write(_frame(pending) if chunked else pending)
        if chunked:
            client_w.write(b"0\r\n\r\n")

    def _cut_stream(self, x: Exchange, client_w: asyncio.StreamWriter, drop: Fault) -> None:
        self._update(
            x, outcome="reset" if drop.how == "reset" else "closed", ended=time.monotonic()
        )
        if drop.how == "reset":
            _reset(client_w)
        else:
            client_w.close()
        raise _Cut()


# -- HTTP framing -------------------------------------------------------------------------------------


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    """A request or answer head, or None when the peer closed before sending one."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise


def _parse_headers(lines: list[bytes]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        if b":" in line:
            name, _, value = line.partition(b":")
            key = name.strip().decode("latin-1").lower()
            text = value.strip().decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _parse_request(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    parts = lines[0].decode("latin-1").split(" ")
    if len(parts) != 3:
        raise _Cut(f"not an HTTP request line: {lines[0][:100]!r}")
    return parts[0].upper(), parts[1], _parse_headers(lines[1:])


def _parse_response(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise _Cut(f"not an HTTP status line: {lines[0][:100]!r}")
    return int(parts[1]), _parse_headers(lines[1:])


def _chunked(headers: dict[str, str]) -> bool:
    return "chunked" in headers.get("transfer-encoding", "").lower()


async def _body_chunks(
    reader: asyncio.StreamReader,
    headers: dict[str, str],
    *,
    until_close: bool = False,
    raw: bool = False,
) -> AsyncIterator[bytes]:
    """The body's data (``raw=True``: its bytes as framed on the wire, chunk lines included)."""
    if _chunked(headers):
        while True:
            line = await reader.readuntil(b"\r\n")
            if len(line) > MAX_LINE:
                raise _Cut("chunk-size line too long")
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                trailer = b""
                while (t := await reader.readuntil(b"\r\n")) != b"\r\n":
                    trailer += t
                if raw:
                    yield line + trailer + b"\r\n"
                return
            data = await reader.readexactly(size)
            crlf = await reader.readexactly(2)
            yield (line + data + crlf) if raw else data
    elif "content-length" in headers:
        left = int(headers["content-length"])
        while left > 0:
            data = await reader.read(min(CHUNK, left))
            if not data:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(data)
            yield data
    elif until_close:
        while data := await reader.read(CHUNK):
            yield data


async def _relay_body(
    src: asyncio.StreamReader,
    dst: asyncio.StreamWriter | None,
    headers: dict[str, str],
    *,
    keep: bool = False,
    until_close: bool = False,
) -> bytes:
    """Copy one body as framed (or read and discard it when ``dst`` is None); returns its first
    ``KEEP`` bytes of data when ``keep``."""
    kept = b""
    if _chunked(headers):
        async for framed in _body_chunks(src, headers, raw=True):
            if dst is not None:
                dst.write(framed)
                await dst.drain()
            if keep and len(kept) < KEEP:
                kept += _unframe(framed)
        return kept[:KEEP]
    async for data in _body_chunks(src, headers, until_close=until_close):
        if dst is not None:
            dst.write(data)
            await dst.drain()
        if keep and len(kept) < KEEP:
            kept += data[: KEEP - len(kept)]
    return kept


def _unframe(framed: bytes) -> bytes:
    """The data of one raw chunk (``size\\r\\ndata\\r\\n``); empty for the last one."""
    line, _, rest = framed.partition(b"\r\n")
    size = int(line.split(b";", 1)[0].strip() or b"0", 16)
    return rest[:size]


def _event_end(buffer: bytes) -> int | None:
    """Where the first complete event-stream event in ``buffer`` ends (after its blank line)."""
    ends = [i + len(sep) for sep in (b"\n\n", b"\r\n\r\n", b"\r\r") if (i := buffer.find(sep)) >= 0]
    return min(ends) if ends else None


def _frame(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    names = {k.lower() for k in (headers or {})}
    if "content-type" not in names:
        lines.append("content-type: text/plain; charset=utf-8")
    lines.append(f"content-length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


_REASONS = {
    200: "OK",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST (SO_LINGER 0) instead of a FIN: what a crashed or cut connection sends."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _no_delay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
