"""The error family: every expected error derives from DialogueKGError and carries its status,
its kind and, for a parse error, the line and column as fields."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from dialogue_kg.core.changeset import InputError, read_changesets
from dialogue_kg.core.guard import QueryRefused
from dialogue_kg.core.journal import ConflictError, JournalError
from dialogue_kg.core.limits import ShapeError
from dialogue_kg.core.store.base import QueryTimeout, StoreError
from dialogue_kg.core.validation import ValidationError
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.namespaces import Minter
from dialogue_kg.protocol.protocol import ProtocolError
from dialogue_kg.protocol.workers import QueryFailed
from dialogue_kg.write.accounts import AccountError
from dialogue_kg.write.bulk import BulkError
from dialogue_kg.write.recording.values import Unresolved

from .conftest import DATA

FAMILY = [
    (InputError("bad"), 400, "input"),
    (ShapeError("deep"), 400, "shape"),
    (BulkError("no rows"), 400, "bulk"),
    (AccountError("weak"), 400, "account"),
    (Unresolved("x", []), 400, "unresolved"),
    (ProtocolError(415, "media type"), 415, "protocol"),
    (QueryFailed("syntax", "query syntax error", 400), 400, "syntax"),
    (QueryRefused("SERVICE"), 403, "refused"),
    (ConflictError("a", "b", 3), 409, "conflict"),
    (ValidationError([]), 422, "validation"),
    (StoreError("cannot"), 500, "store"),
    (JournalError("corrupt"), 500, "journal"),
    (QueryTimeout("too long"), 503, "timeout"),
]


@pytest.mark.parametrize(("error", "status", "kind"), FAMILY, ids=lambda e: type(e).__name__)
def test_every_expected_error_is_in_the_family(error, status, kind) -> None:
    assert isinstance(error, DialogueKGError)
    assert (error.status, error.kind) == (status, kind)
    assert error.details()["kind"] == kind


@pytest.mark.parametrize(("error", "status", "kind"), FAMILY, ids=lambda e: type(e).__name__)
def test_errors_cross_a_process_boundary_whole(error, status, kind) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert again.details() == error.details()


def test_a_syntax_error_carries_line_and_column_as_fields() -> None:
    with pytest.raises(InputError) as caught:
        read_changesets(DATA / "malformed.ttl", Minter())
    assert caught.value.line == 3 and caught.value.column is not None
    assert f"line 3, column {caught.value.column}" in str(caught.value)
    assert caught.value.details()["line"] == 3


BUILTIN_ERRORS = {"Exception", "ValueError", "LookupError", "RuntimeError", "KeyError", "OSError"}


def test_no_public_error_class_outside_the_family() -> None:
    """A new public error class on a built-in exception alone would escape the one web handler
    and show as a bug on the command line: it must join the family."""
    package = Path(__file__).resolve().parent.parent / "dialogue_kg"
    outside = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                not isinstance(node, ast.ClassDef)
                or node.name == "DialogueKGError"
                or node.name.startswith("_")
            ):
                continue
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            if bases & BUILTIN_ERRORS and "DialogueKGError" not in bases:
                outside.append(f"{path.relative_to(package)}: {node.name}")
    assert outside == []
