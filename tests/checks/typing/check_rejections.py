"""Mistakes a type checker must flag. Each line carries the ignore that silences the expected error:
mypy (``warn_unused_ignores`` in strict mode) and pyright (``reportUnnecessaryTypeIgnoreComment``)
both report an ignore that silences nothing, so a type that accepts the mistake fails the check."""

from __future__ import annotations

import all_components_sdk as sdk


def wrong_choices(c: sdk.Client) -> None:
    c.radio("purple")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.checkbox_group(["kiwi"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    c.dropdowns("huge")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.dropdowns(pairs="Low")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.dropdowns(multi=["z"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]


def wrong_types(c: sdk.Client) -> None:
    c.textbox(5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.number_int("7")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.number_int(2.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.checkbox("yes")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.image(42)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    # c.files("notes.txt") type-checks: a str is a Sequence[str], and list parameters are Sequences
    # so that list[str] and tuples are accepted. The runtime refuses it (InputError, before any request).
    c.textarea()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    c.multimodal({"files": []})  # type: ignore[typeddict-item]  # pyright: ignore[reportArgumentType]
    c.gallery([{"caption": "no image"}])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]


def none_where_a_browser_never_sends_it(c: sdk.Client) -> None:
    c.textbox(None)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.chatbot(None)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.image_editor(None)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.multimodal(None)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    c.files([None])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]


def wrong_use_of_results(c: sdk.Client) -> None:
    c.textbox("x").nope  # type: ignore[union-attr]  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownMemberType]
    c.dropdowns().size  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    label = c.label("x")
    assert label is not None
    label["nope"]  # type: ignore[typeddict-item]  # pyright: ignore[reportGeneralTypeIssues]
    _n: str = c.number_int(1)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
