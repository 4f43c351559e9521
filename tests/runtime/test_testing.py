"""The fakes every generated SDK carries (``FakeClient``, ``AsyncFakeClient``), through the
checked-in example SDKs: what a test of an application sees, with the network cut and no thread
started. The README's example of testing an application function is run here too."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import gradio_codegen.runtime as rt
from gradio_codegen.runtime.testing import NotStubbedError, RecordedCall, remote_file
from hostile_app import example_sdk

ROOT = Path(__file__).resolve().parents[2]

text_echo = example_sdk("text_echo")
streaming = example_sdk("streaming")
files_io = example_sdk("files_io")
components = example_sdk("all_components")


@pytest.fixture(autouse=True)
def no_network_and_no_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test here fails if a fake opens a connection or starts a thread."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a fake tried to connect")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    before = set(threading.enumerate())
    yield
    assert set(threading.enumerate()) <= before, "a fake started a thread"


# -- answers --------------------------------------------------------------------------------------


def test_a_stubbed_result_comes_back_and_the_call_is_recorded_by_parameter_name() -> None:
    fake = text_echo.FakeClient()
    fake.stub_concat("a-b")
    assert fake.concat("a", "b", sep="-") == "a-b"
    assert fake.concat("x", "y") == "a-b"  # the stub holds until it is set again
    assert fake.calls == [
        RecordedCall("concat", {"a": "a", "b": "b", "sep": "-"}),
        RecordedCall("concat", {"a": "x", "b": "y", "sep": " "}),  # defaults are recorded too
    ]
    assert (
        fake.calls_to(fake.concat) == fake.calls_to("concat") == [c.arguments for c in fake.calls]
    )
    assert fake.calls_to(fake.echo) == []
    fake.stub_concat(None)  # an output the app leaves empty
    assert fake.concat("a", "b") is None


def test_the_fake_is_the_sdks_client_with_the_same_signatures() -> None:
    fake = text_echo.FakeClient()
    assert isinstance(fake, text_echo.Client) and isinstance(fake, rt.Client)
    assert isinstance(text_echo.AsyncFakeClient(), text_echo.AsyncClient)
    assert text_echo.FakeClient.concat is text_echo.Client.concat
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'b'"):
        fake.concat("a")  # type: ignore[call-arg]


def test_arguments_are_checked_as_a_live_call_checks_them(tmp_path: Path) -> None:
    fake = components.FakeClient()
    fake.stub_textbox("x")
    fake.stub_radio("red")
    fake.stub_image(None)
    with pytest.raises(rt.InputError, match="parameter 'value': expected a str, got 5"):
        fake.textbox(5)  # type: ignore[arg-type]
    with pytest.raises(rt.InputError, match="not one of the choices"):
        fake.radio("purple")  # type: ignore[arg-type]
    with pytest.raises(rt.InputError, match="no such file"):
        fake.image(str(tmp_path / "missing.png"))
    assert fake.calls == []  # refused before it reached the app: not a call it received
    picture = tmp_path / "p.png"
    picture.write_bytes(b"\x89PNG")
    fake.image(picture)
    fake.image(None)  # a file input left empty, as a browser sends it
    assert fake.calls_to(fake.image) == [{"value": picture}, {"value": None}]
    assert fake.with_options(validate=False).textbox(5) == "x"  # type: ignore[arg-type]


def test_a_file_over_the_apps_limit_is_refused_as_live(tmp_path: Path) -> None:
    class SmallUploads(files_io.FakeClient):
        app = dataclasses.replace(files_io.APP, max_file_size=4)

    fake = SmallUploads()
    fake.stub_bundle([])
    big = tmp_path / "big.txt"
    big.write_bytes(b"12345")
    with pytest.raises(rt.FileTooLargeError) as caught:
        fake.bundle([big])
    assert (caught.value.direction, caught.value.size, caught.value.limit) == ("upload", 5, 4)


def test_a_stream_is_iterated_in_order_and_its_last_output_is_the_result() -> None:
    fake = streaming.FakeClient()
    fake.stub_count("1", "1 2", "1 2 3")
    job = fake.submit_count(3)
    assert job.done() and job.status().code is rt.Status.FINISHED
    assert list(job) == ["1", "1 2", "1 2 3"]
    assert job.outputs() == ["1", "1 2", "1 2 3"]
    assert job.result() == "1 2 3"
    assert fake.count(3) == "1 2 3"
    seen: list[object] = []
    job.add_done_callback(seen.append)
    assert seen == [job]


def test_a_result_of_several_outputs_is_the_sdks_named_tuple() -> None:
    fake = streaming.FakeClient()
    result = streaming.TwoOutputsResult(*([None] * len(streaming.TwoOutputsResult._fields)))
    fake.stub_two_outputs(result)
    assert fake.two_outputs() is result


def test_a_stub_no_live_app_could_answer_is_refused() -> None:
    fake = text_echo.FakeClient()
    with pytest.raises(ValueError, match=r"echo\(\) does not stream"):
        fake.stub_echo("a", "b")
    with pytest.raises(ValueError, match=r"needs what echo\(\) returns"):
        fake.stub_echo()
    with pytest.raises(ValueError, match="not both"):
        fake.stub_echo(error=rt.AppError("x"), pending=True)
    with pytest.raises(ValueError, match="raised by the call itself"):
        streaming.FakeClient().stub_count("1", error=rt.QueueFullError("full"))
    with pytest.raises(TypeError, match="ValueError"):
        fake.stub_echo(error=ValueError("x"))  # type: ignore[arg-type]


def test_an_unstubbed_call_names_the_stub_to_set() -> None:
    fake = text_echo.FakeClient()
    with pytest.raises(NotStubbedError, match=r"call stub_echo\(\.\.\.\) on the fake first"):
        fake.echo("hi")
    assert fake.calls == [RecordedCall("echo", {"text": "hi"})]
    with pytest.raises(ValueError, match="its methods: concat, echo"):
        fake.calls_to("ech")


# -- errors ---------------------------------------------------------------------------------------


def test_the_apps_error_ends_the_job_and_is_raised_by_its_result() -> None:
    fake = text_echo.FakeClient()
    error = rt.ZeroGPUQuotaError("You have exceeded your GPU quota", requested=60, remaining=5)
    fake.stub_echo(error=error)
    job = fake.submit_echo("hi")  # the job exists: the app accepted the call, then failed
    assert job.status().code is rt.Status.FAILED and job.status().success is False
    with pytest.raises(rt.AppError) as caught:
        job.result()
    assert caught.value is error and str(error) == "/echo: You have exceeded your GPU quota"
    with pytest.raises(rt.ZeroGPUQuotaError):
        fake.echo("hi")


def test_an_error_after_streamed_outputs_comes_after_them() -> None:
    fake = streaming.FakeClient()
    fake.stub_count("1", "1 2", error=rt.ServerUnavailableError("the stream broke"))
    job = fake.submit_count()
    seen = []
    with pytest.raises(rt.ServerUnavailableError, match="the stream broke"):
        for output in job:
            seen.append(output)
    assert seen == ["1", "1 2"]


def test_an_error_the_app_gives_before_a_job_exists_is_raised_by_the_call() -> None:
    fake = text_echo.FakeClient()
    fake.stub_echo(error=rt.QueueFullError("the queue is full", status_code=429))
    with pytest.raises(rt.QueueFullError, match="the queue is full"):
        fake.submit_echo("hi")
    assert fake.calls_to(fake.echo) == [{"text": "hi"}]


def test_a_job_the_app_cancelled_says_so() -> None:
    fake = text_echo.FakeClient()
    fake.stub_echo(error=rt.JobCancelledError("stopped by the app"))
    job = fake.submit_echo("hi")
    assert job.status().code is rt.Status.CANCELLED
    with pytest.raises(rt.JobCancelledError, match="stopped by the app"):
        job.result()
    assert list(job) == []


# -- pending jobs -----------------------------------------------------------------------------------


def test_a_pending_job_runs_until_cancelled_and_waiting_for_it_ends_at_once() -> None:
    fake = streaming.FakeClient()
    fake.stub_count("1", pending=True)
    job = fake.submit_count()
    assert not job.done() and job.status().code is rt.Status.STREAMING
    assert job.outputs() == ["1"]
    with pytest.raises(rt.GradioTimeoutError):
        job.result()
    assert job.cancel() and job.status().code is rt.Status.CANCELLED
    assert not job.cancel()
    with pytest.raises(rt.JobCancelledError):
        job.result()
    assert list(job) == ["1"]  # what streamed before the cancel, then the end


def test_a_call_to_an_app_that_never_answers_times_out_and_cancels_its_job() -> None:
    fake = text_echo.FakeClient()
    fake.stub_echo(pending=True)
    with pytest.raises(rt.GradioTimeoutError):
        fake.echo("hi")
    job = fake.submit_echo("hi")
    assert job.status().code is rt.Status.PROCESSING


# -- sharing, module functions, files -------------------------------------------------------------


def test_copies_made_with_with_options_share_stubs_and_calls() -> None:
    fake = text_echo.FakeClient()
    copy = fake.with_options(timeout=5)
    fake.stub_echo("from the original")
    assert copy.echo("a") == "from the original"
    copy.stub_echo("from the copy")
    assert fake.echo("b") == "from the copy"
    assert (
        [c.arguments for c in fake.calls]
        == [{"text": "a"}, {"text": "b"}]
        == [c.arguments for c in copy.calls]
    )
    assert text_echo.FakeClient().calls == []  # another fake has its own


def test_the_modules_functions_call_the_fake_inside_as_default() -> None:
    fake = text_echo.FakeClient()
    fake.stub_echo("faked")
    with fake.as_default() as same:
        assert same is fake
        assert text_echo.echo("hi") == "faked"
        assert text_echo.submit_echo("again").result() == "faked"
    assert fake.calls_to(fake.echo) == [{"text": "hi"}, {"text": "again"}]
    assert text_echo._default._client is None  # the module's own client, untouched


def test_a_stubbed_file_result_reads_and_goes_back_in(tmp_path: Path) -> None:
    source = tmp_path / "mesh.obj"
    source.write_bytes(b"v 0 0 0\n")
    fake = files_io.FakeClient()
    fake.stub_mesh(remote_file(source, name="cube.obj"))
    mesh = fake.mesh()
    assert mesh is not None and mesh.name == "cube.obj" and mesh.read_bytes() == b"v 0 0 0\n"
    copy = mesh.download(tmp_path / "copies")
    assert copy.read_bytes() == b"v 0 0 0\n"
    fake.stub_bundle([])
    fake.bundle([mesh])  # a result file is a valid file argument
    with pytest.raises(ValueError, match="existing file"):
        remote_file(tmp_path / "nothing.obj")


# -- async --------------------------------------------------------------------------------------


def test_the_async_fake_answers_as_the_sync_one() -> None:
    async def scenario() -> None:
        fake = streaming.AsyncFakeClient()
        fake.stub_count("1", "1 2")
        assert await fake.count(2) == "1 2"
        job = await fake.submit_count(2)
        assert [output async for output in job] == ["1", "1 2"]
        assert job.outputs() == ["1", "1 2"] and job.status().code is rt.Status.FINISHED
        fake.stub_count(error=rt.AppError("no"))
        with pytest.raises(rt.AppError, match="no"):
            await fake.count()
        fake.stub_count(pending=True)
        with pytest.raises(rt.GradioTimeoutError):
            await fake.count()
        pending = await fake.submit_count()
        assert await pending.cancel() and pending.status().code is rt.Status.CANCELLED
        with pytest.raises(rt.InputError):
            await fake.count("three")  # type: ignore[arg-type]
        assert (
            fake.calls_to(fake.count)
            == [{"n": 2, "delay": 0.05}] * 2 + [{"n": 5, "delay": 0.05}] * 3
        )

    asyncio.run(scenario())


# -- the README's example --------------------------------------------------------------------------


def _readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Testing code that uses an SDK", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readmes_example_runs_as_written(tmp_path: Path) -> None:
    """The application function and its tests, as the README shows them, pass under pytest."""
    application, tests = _readme_blocks()[:2]
    (tmp_path / "text_echo_sdk.py").write_text(
        (ROOT / "generated_examples" / "gradio6" / "text_echo.py").read_text()
    )
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "greeting.py").write_text(application)
    (tmp_path / "test_greeting.py").write_text(tests)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_greeting.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        # The README's tests need no plugin; loading hypothesis's alone takes seconds.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b[2-9] passed\b", done.stdout), done.stdout
