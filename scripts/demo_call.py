"""Step 3 of scripts/demo: run the text_echo app under Gradio 6 on 127.0.0.1, call it through a
freshly generated SDK, and stop the server by its process id whatever happens.

Usage: python -P scripts/demo_call.py SDK_FILE
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "support"))
from servers import start_server  # noqa: E402  (the test harness: standard library only)


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, f"cannot import {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(sdk_path: Path) -> int:
    sdk = load(sdk_path)
    server = start_server("text_echo", "6")
    print(f"server: {server.url} (pid {server.process.pid})")
    try:
        with sdk.Client(server.url) as client:
            started = time.perf_counter()
            echoed = client.echo("hello from a typed client")
            first = time.perf_counter() - started
            print(
                f"client.echo('hello from a typed client') -> {echoed!r}  ({first * 1000:.0f} ms)"
            )
            started = time.perf_counter()
            client.echo("again")
            print(
                f"client.echo('again') on the warm connection: "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            joined = client.concat("typed", "fast", sep=" & ")
            print(f"client.concat('typed', 'fast', sep=' & ') -> {joined!r}")
            job = client.submit_echo("via a job")
            print(f"client.submit_echo('via a job').result() -> {job.result()!r}")
        ok = echoed == "hello from a typed client" and joined == "typed & fast"
        if not ok:
            print("demo: error: the app answered something else than expected", file=sys.stderr)
        return 0 if ok else 1
    except NotImplementedError as e:
        print(
            f"demo: the runtime client cannot call apps yet (NotImplementedError: {e})",
            file=sys.stderr,
        )
        return 2
    except Exception as e:  # the demo reports any failure plainly, then stops the server
        print(f"demo: error: calling the app failed: {type(e).__name__}: {e}", file=sys.stderr)
        print(f"server log (last lines):\n{server.log()[-1500:]}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        print(f"server: stopped (pid {server.process.pid})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
