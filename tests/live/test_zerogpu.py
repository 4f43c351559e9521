"""ZeroGPU against real Gradio servers: the quota text maps to ZeroGPUQuotaError, and a handler's
caller's x-ip-token is picked up on its own."""

from __future__ import annotations

import json

import httpx
import pytest

from gradio_codegen.runtime import ZeroGPUQuotaError
from gradio_codegen.runtime._hub._zerogpu import quota_error
from servers import GradioServer, ServerPool, available_versions
from wire import CallFailed, call

SPACE = "https://owner-target.hf.space"


@pytest.fixture(params=available_versions())
def zerogpu_app(request: pytest.FixtureRequest, server_pool: ServerPool) -> GradioServer:
    return server_pool.get("zerogpu_quota", request.param)


@pytest.mark.servers
@pytest.mark.timeout(180)
def test_the_server_quota_text_maps_to_the_quota_error(zerogpu_app: GradioServer) -> None:
    with httpx.Client(timeout=30) as http:
        with pytest.raises(CallFailed) as failed:
            call(http, zerogpu_app.url, zerogpu_app.api_prefix, "/generate", ["a cat"])
    output = failed.value.output
    error = quota_error(output["error"], endpoint="/generate", title=output.get("title"))
    assert isinstance(error, ZeroGPUQuotaError)
    assert (error.requested, error.remaining) == (60, 45)
    assert error.message.startswith("You have exceeded your ZeroGPU quota")


@pytest.mark.servers
@pytest.mark.timeout(180)
def test_the_ip_token_of_the_handled_request_is_picked_up(zerogpu_app: GradioServer) -> None:
    """Inside a real Gradio handler, the runtime finds the caller's x-ip-token on its own."""
    with httpx.Client(timeout=30, headers={"x-ip-token": "end-user-ip-token"}) as http:
        to_space = call(http, zerogpu_app.url, zerogpu_app.api_prefix, "/forwarded", [SPACE])
        to_other = call(
            http, zerogpu_app.url, zerogpu_app.api_prefix, "/forwarded", ["http://example.com"]
        )
    with httpx.Client(timeout=30) as http:
        without = call(http, zerogpu_app.url, zerogpu_app.api_prefix, "/forwarded", [SPACE])
    assert json.loads(to_space[0]) == {"x-ip-token": "end-user-ip-token"}
    assert json.loads(to_other[0]) == {}
    assert json.loads(without[0]) == {}
