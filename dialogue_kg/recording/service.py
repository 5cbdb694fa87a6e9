"""Saving a form: build the change set, check it (SHACL, duplicates, stale edit), and write it
as one change set — or say, field by field, why not. Nothing is written while anything is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..archive import Archive, ConflictError
from ..history import Change
from ..journal import Record
from .build import Draft, Problem, build
from .checks import Duplicate, changes_since, likely_duplicates, problems_from
from .fields import FormSpec
from .values import FormData

ATTEMPTS = 5  # rebuilds when another write lands between checking and writing


@dataclass
class Outcome:
    """What became of a submitted form."""

    status: str  # saved | invalid | duplicates | conflict | unchanged
    draft: Draft
    problems: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    @property
    def iri(self) -> str:
        """The record the form created or corrected."""
        return self.draft.iri

    @property
    def saved(self) -> bool:
        """True when the change set was written."""
        return self.status == "saved"

    def by_key(self) -> dict[str, list[Problem]]:
        """Problems grouped by the form key they belong to ("" for the form as a whole)."""
        out: dict[str, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.key, []).append(p)
        return out


def record(
    archive: Archive,
    spec: FormSpec,
    data: FormData,
    *,
    agent: str,
    iri: str | None = None,
    opened_at: int | None = None,
    confirm_duplicates: bool = False,
) -> Outcome:
    """Save a submitted form as one change set by ``agent``, or return why it cannot be saved.

    ``iri`` is the record being corrected and ``opened_at`` the revision its form showed: a
    record changed since then is refused (the changes are returned), never overwritten.
    """
    for _ in range(ATTEMPTS):
        archive.refresh()
        head = archive.head
        draft = build(archive, spec, data, iri)
        if draft.changeset.is_empty():
            return Outcome("unchanged", draft, draft.problems)
        problems = list(draft.problems)
        if archive.settings.validate:
            violations = archive.validator.validate(archive.store, [draft.changeset])
            problems.extend(problems_from(draft, violations))
        if not draft.source and not any(p.key == "source" for p in problems):
            problems.append(Problem("source", "missing-source"))
        if problems:
            return Outcome("invalid", draft, problems)
        if iri is not None and opened_at is not None:
            conflicts = changes_since(archive, iri, opened_at)
            if conflicts:
                return Outcome("conflict", draft, conflicts=conflicts)
        if not confirm_duplicates:
            duplicates = likely_duplicates(archive, draft.created)
            if duplicates:
                return Outcome("duplicates", draft, duplicates=duplicates)
        try:
            records = archive.commit(
                [draft.changeset], agent=agent, expected_head=head, validate=False
            )
        except ConflictError:
            continue  # someone else wrote meanwhile: check again against the new state
        return Outcome("saved", draft, records=records)
    raise ConflictError(None, archive.head, archive.revision)
