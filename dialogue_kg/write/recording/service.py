"""Saving a form: build the change set, check it (SHACL, duplicates, stale edit), and write it
as one change set — or say, field by field, why not. Nothing is written while anything is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.history import Change
from dialogue_kg.core.journal import Record
from dialogue_kg.write.recording.build import Draft, Problem, build
from dialogue_kg.write.recording.checks import (
    Duplicate,
    changes_since,
    likely_duplicates,
    problems_from,
)
from dialogue_kg.write.recording.fields import FormSpec
from dialogue_kg.write.recording.values import FormData


@dataclass
class Outcome:
    """What became of a submitted form."""

    status: str  # saved | invalid | duplicates | conflict | unchanged (ready: checked, unsaved)
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
    checked: list[Outcome] = []

    def compute() -> list[ChangeSet]:
        # Built and checked against the state as it is now; a write landing before the commit
        # makes the archive run this again against the new state.
        checked[:] = [_check(archive, spec, data, iri, opened_at, confirm_duplicates)]
        ready = checked[0].status == "ready"
        return [checked[0].draft.changeset] if ready else []

    records = archive.commit_computed(compute, agent=agent, validate=False, hold=False)
    if records:
        return Outcome("saved", checked[0].draft, records=records)
    return checked[0]


def _check(
    archive: Archive,
    spec: FormSpec,
    data: FormData,
    iri: str | None,
    opened_at: int | None,
    confirm_duplicates: bool,
) -> Outcome:
    """The form built on the current state and checked: "ready" to write, or why not."""
    draft = build(archive, spec, data, iri)
    if draft.changeset.is_empty():
        return Outcome("unchanged", draft, draft.problems)
    problems = list(draft.problems)
    problems.extend(problems_from(draft, archive.check([draft.changeset])))
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
    return Outcome("ready", draft)
