"""A TCP proxy on 127.0.0.1 that delays every byte by a fixed time each way.

It stands in for a Space across the internet, where round trips, not bytes, dominate: each chunk is
forwarded ``delay`` seconds after it arrived (order kept, bandwidth untouched), and a new connection's
first request bytes wait one extra round trip, as a TCP handshake would make them. Bounded: it stops
by itself after ``--max-seconds`` and refuses connections past ``--max-connections``.

    python benchmarks/latency_proxy.py --target 127.0.0.1:7860 --delay-ms 50
    -> prints "READY <port>" once listening; stop it by its pid (or wait for --max-seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time

CHUNK = 64 * 1024
QUEUE_CHUNKS = 256  # back-pressure: at most this many chunks in flight per direction


class Proxy:
    def __init__(
        self, target_host: str, target_port: int, delay: float, max_connections: int
    ) -> None:
        self.target_host = target_host
        self.target_port = target_port
        self.delay = delay
        self.connections_left = max_connections
        self.tasks: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.connections_left <= 0:
            writer.close()
            return
        self.connections_left -= 1
        # SYN / SYN-ACK take one round trip before the client can send, then its bytes need the
        # one-way delay: nothing reaches the app earlier than three one-way delays after connect.
        handshake_done = time.monotonic() + 3 * self.delay
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(self.target_host, self.target_port), 10
            )
        except (OSError, asyncio.TimeoutError):
            writer.close()
            return
        await asyncio.gather(
            self.pump(reader, up_writer, not_before=handshake_done),
            self.pump(up_reader, writer, not_before=0.0),
            return_exceptions=True,
        )
        for w in (writer, up_writer):
            with contextlib.suppress(Exception):
                w.close()

    async def pump(
        self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, *, not_before: float
    ) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(QUEUE_CHUNKS)

        async def read() -> None:
            try:
                while data := await src.read(CHUNK):
                    await queue.put((max(time.monotonic() + self.delay, not_before), data))
            finally:
                await queue.put((time.monotonic() + self.delay, b""))

        async def write() -> None:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    with contextlib.suppress(Exception):
                        dst.write_eof()
                    return
                dst.write(data)
                await dst.drain()

        reader_task = asyncio.ensure_future(read())
        try:
            await write()
        finally:
            reader_task.cancel()
            with contextlib.suppress(BaseException):
                await reader_task


async def serve(
    target: str, delay: float, port: int, max_seconds: float, max_connections: int
) -> None:
    host, _, target_port = target.rpartition(":")
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("the proxy only forwards to 127.0.0.1")
    proxy = Proxy(host, int(target_port), delay, max_connections)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", port)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(server.serve_forever(), max_seconds)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--target", required=True, help="127.0.0.1:PORT of the app")
    p.add_argument("--delay-ms", type=float, default=50.0, help="added latency each way")
    p.add_argument("--port", type=int, default=0, help="listen port (0: any free one)")
    p.add_argument("--max-seconds", type=float, default=1800.0)
    p.add_argument("--max-connections", type=int, default=20000)
    opts = p.parse_args()
    asyncio.run(
        serve(opts.target, opts.delay_ms / 1000, opts.port, opts.max_seconds, opts.max_connections)
    )


if __name__ == "__main__":
    main()
