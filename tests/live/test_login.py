"""Gradio's own password login (``launch(auth=...)``) through the client, right and wrong."""

from __future__ import annotations

from typing import ClassVar

import pytest

from gradio_codegen import runtime as rt
from gradio_codegen.runtime import shapes as s
from servers import ServerPool

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]

WHOAMI: rt.Endpoint[str] = rt.Endpoint(
    "/whoami",
    fn_index=None,
    inputs=(rt.Param("text", s.Str()),),
    outputs=(rt.Output("output", s.Str()),),
)


@pytest.mark.parametrize("major", ["4", "6"])
def test_the_right_password_logs_in_and_a_wrong_one_is_refused(
    server_pool: ServerPool, major: str
) -> None:
    server = server_pool.get("auth_app", major)

    class Client(rt.Client):
        app: ClassVar[rt.AppSpec] = rt.AppSpec(src=server.url, api_prefix=server.api_prefix)

        def whoami(self, text: str) -> str:
            return self._predict(WHOAMI, text)

    with Client(auth=("user", "pass")) as client:
        assert client.whoami("hi") == "user: hi"
    with Client(auth=("user", "Pw-n0t-th1s")) as client:
        with pytest.raises(rt.AuthenticationError) as caught:
            client.whoami("hi")
    assert "Pw-n0t-th1s" not in str(caught.value) and "Pw-n0t-th1s" not in repr(
        caught.value
    )  # the password is not repeated back
    with Client() as client:  # no login at all
        with pytest.raises(rt.AuthenticationError):
            client.whoami("hi")
