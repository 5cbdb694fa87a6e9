"""The audit trail: recent change sets filtered by archivist, date and resource (lookups in the
history index), and the archive's integrity status (``verify``), cached per revision because
checking replays the whole journal."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from dialogue_kg.core.archive import Archive, VerifyReport
from dialogue_kg.core.journal import Record
from dialogue_kg.core.terms import statement_text
from dialogue_kg.core.versions import index_for
from dialogue_kg.errors import UsageError


@dataclass
class Entry:
    """One change set in the audit trail (statements omitted; counts given)."""

    revision: int
    changeset: str
    agent: str
    archivist: str
    time: str
    sources: list[str]
    comment: str | None
    added: int
    removed: int
    digest: str

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(vars(self))


@dataclass
class Filters:
    """What to list: ``archivist`` (user name or agent IRI), ``since``/``until`` (dates or
    date-times, inclusive, compared on the transaction time), ``resource`` (an IRI)."""

    archivist: str | None = None
    since: str | None = None
    until: str | None = None
    resource: str | None = None
    limit: int = 100
    offset: int = 0


def _entry(archive: Archive, record: Record) -> Entry:
    name = archive.minter.agent_name(record.agent) or record.agent
    return Entry(
        revision=record.revision,
        changeset=record.changeset,
        agent=record.agent,
        archivist=name,
        time=record.time,
        sources=list(record.sources),
        comment=record.comment,
        added=record.n_added,
        removed=record.n_removed,
        digest=record.digest,
    )


def _check_date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    value = value.strip()
    if not (len(value) >= 4 and value[:4].isdigit()):
        raise UsageError(f"{name}={value!r}: give a date like 2024-05-01")
    return value


def changes(archive: Archive, filters: Filters | None = None) -> list[Entry]:
    """Change sets matching ``filters``, newest first."""
    f = filters or Filters()
    since, until = _check_date(f.since, "since"), _check_date(f.until, "until")
    agent = None
    if f.archivist:
        agent = (
            f.archivist
            if f.archivist.startswith(("http://", "https://"))
            else archive.minter.agent(f.archivist)
        )
    records = archive.journal.records
    found = index_for(archive).revisions(
        agent=agent, since=since, until=until, about=f.resource, limit=f.limit, offset=f.offset
    )
    return [_entry(archive, records[n - 1]) for n in found]


def since_head(archive: Archive, head: str | None, subjects: set[str]) -> list[dict[str, object]]:
    """The change sets written after the one whose digest is ``head`` (all of them if it is
    unknown), each with the statements about ``subjects`` it added and removed: what a writer
    refused with a conflict needs to see."""
    records = archive.journal.records
    start = next((r.revision for r in records if r.digest == head), 0)
    out: list[dict[str, object]] = []
    for record in archive.records(start + 1):
        entry = _entry(archive, record).as_dict()
        entry.update(
            added_about=[statement_text(q) for q in record.added() if q.subject.value in subjects],
            removed_about=[
                statement_text(q) for q in record.removed() if q.subject.value in subjects
            ],
        )
        out.append(entry)
    return out


@dataclass
class Integrity:
    """The outcome of ``verify`` at one revision, and when it was checked."""

    revision: int
    ok: bool
    checked_at: float
    seconds: float
    records_checked: int
    store_quads: int
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return dict(vars(self))


def _summary(report: VerifyReport, started: float, took: float) -> Integrity:
    problems = list(report.problems)
    if report.missing:
        problems.append(f"{len(report.missing)} statements missing from the store")
    if report.unexpected:
        problems.append(f"{len(report.unexpected)} unexpected statements in the store")
    return Integrity(
        report.revision,
        report.ok,
        started,
        round(took, 3),
        report.records_checked,
        report.store_quads,
        problems,
    )


class IntegrityCache:
    """``Archive.verify`` run at most once per revision (it replays the journal)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: Integrity | None = None

    def status(self, archive: Archive, *, refresh: bool = False) -> Integrity:
        """The integrity status at the archive's current revision (checked if not yet)."""
        with self._lock:
            last = self._last
            if refresh or last is None or last.revision != archive.revision:
                started = time.time()
                report = archive.verify()
                last = self._last = _summary(report, started, time.time() - started)
            return last
