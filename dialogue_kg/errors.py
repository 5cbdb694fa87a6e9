"""The one family of the archive's expected errors.

Every error a user can cause (bad input, a refused query, a conflict, broken shapes …) derives
from :class:`DialogueKGError`, which carries what an edge needs to answer it: an HTTP ``status``,
a stable ``kind`` a script can branch on, and where known the ``line`` and ``column`` of the
input. The web app maps the family to HTTP in one error handler, the command line to a one-line
message in one place; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import Any


class DialogueKGError(Exception):
    """An expected failure: ``status`` to answer with, ``kind`` naming why, ``line``/``column``
    of the input when the error has a place."""

    status: int = 400
    kind: str = "error"
    retry_after: int | None = None  # seconds a client should wait before asking again

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        kind: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        if kind is not None:
            self.kind = kind
        self.line, self.column = line, column

    def details(self) -> dict[str, Any]:
        """The error as JSON fields: ``error`` (the message), ``kind``, and ``line``/``column``
        when known; subclasses add their own structured fields."""
        body: dict[str, Any] = {"error": str(self), "kind": self.kind}
        if self.line is not None:
            body["line"] = self.line
        if self.column is not None:
            body["column"] = self.column
        return body

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable across the query workers' process boundary with every field kept.
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


def _rebuild(cls: type[DialogueKGError], message: str, state: dict[str, Any]) -> DialogueKGError:
    """Recreate a pickled error without calling a subclass's own ``__init__``."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class UsageError(DialogueKGError, ValueError):
    """An argument the archive cannot use: a malformed date, an unknown format name."""

    kind = "usage"


class NotFound(DialogueKGError, ValueError):
    """Something asked for by name or number that the archive does not have (a revision)."""

    status, kind = 404, "not-found"


class Busy(DialogueKGError):
    """The archive is doing the same costly work for someone else and did not finish in time:
    asking again shortly will do (503 with Retry-After)."""

    status, kind, retry_after = 503, "busy", 5
