"""The archive: one data directory's journal and the query store derived from it.

Every write goes the same way: validate (SHACL, on the resources touched) → append to the journal
(fsync'd; the system of record) → apply to the store. Readers ask the store. Several processes may
share a data directory: writes are serialised by the journal's file lock, and each process brings
its store up to date from the journal (:meth:`Archive.refresh`) before it reads or writes.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.config import Settings, ontology_dir
from dialogue_kg.core.changeset import (
    ChangeSet,
    InputError,
    Statements,
    check_reserved,
    read_changesets,
)
from dialogue_kg.core.guard import check_for
from dialogue_kg.core.journal import (
    ConflictError,
    Draft,
    Journal,
    JournalError,
    Record,
    check_iri,
    check_line_lengths,
    check_text,
)
from dialogue_kg.core.provenance import changeset_quads
from dialogue_kg.core.store import QuadStore, StoreError, make_store, replica, snapshot
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.core.store.replica import ReplicaStore
from dialogue_kg.core.validation import ValidationError, Validator, Violation, check_engine
from dialogue_kg.namespaces import Minter

__all__ = [
    "Archive",
    "ConflictError",
    "InputError",
    "JournalError",
    "ValidationError",
    "VerifyReport",
]

ONTOLOGY_IRI = "https://w3id.org/dialogue-kg/ontology"
LOADER_AGENT = "dialogue-kg"
GRAPH_DATA_SUFFIXES = {".trig", ".ttl", ".nq", ".nt", ".jsonld", ".rdf"}
RETRIES = 5  # computations of a change set before a conflicting writer is told to try later

Progress = Callable[[int], None]


@dataclass
class VerifyReport:
    """The outcome of :meth:`Archive.verify`."""

    revision: int
    records_checked: int
    store_quads: int
    replay_quads: int
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the chain is intact and the store equals a replay of the journal."""
        return not (self.missing or self.unexpected or self.problems)


class Archive:
    """A journal plus its query store; the one object every reader and writer goes through."""

    def __init__(self, settings: Settings, store: QuadStore, journal: Journal) -> None:
        self.settings = settings
        self.minter = Minter(settings.base_iri)
        self.store = store
        self.journal = journal
        self._lock = threading.RLock()
        self._refreshed_at = -1  # journal revision at the last refresh()
        self._validator: Validator | None = None
        self.clock: Callable[[], datetime] = _utcnow  # transaction time (tests fix it)

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        initialise: bool = True,
        progress: Progress | None = None,
        readonly: bool = False,
    ) -> Archive:
        """Open (creating if needed) the archive in ``settings.data_dir``.

        An empty archive is filled with the ontology and graph_data/ when ``initialise`` is true
        and the directory never had a journal (a journal lost from a used directory is a
        JournalError). ``readonly`` opens an existing journal without changing it (``verify``).
        """
        settings = settings or Settings.from_env()
        check_engine(settings.shacl_engine)  # a typo is reported now, not at the first write
        # The replica's record headers spare reading every record of the journal again.
        headers = replica.headers_file(settings.data_path)
        journal = Journal(settings.data_path).open(readonly=readonly, headers=headers)
        minter = Minter(settings.base_iri)
        archive = cls(settings, make_store(settings, minter), journal)
        snapshot.restore(archive.store, journal)  # in memory: start from the last snapshot
        archive._catch_up(progress)
        if initialise and journal.revision == 0 and not readonly:
            archive.initialise()
        if snapshot.due(archive.store, journal):
            with archive.reading():
                snapshot.write(archive.store, journal)
        if settings.store == "disk" and not readonly:
            archive.keep_replica()  # what query workers open: they cannot share a disk store
        return archive

    @classmethod
    def open_current(
        cls,
        settings: Settings | None = None,
        *,
        progress: Progress | None = None,
        initialise: bool = True,
        make: bool = True,
    ) -> Archive:
        """Open the archive to read its current state (the read-only commands, and query
        workers that cannot share the server's store) from the on-disk replica, so that an
        unchanged directory opens without reading the journal whole or loading the store
        (docs/proportion.md). Writes are refused; :meth:`refresh` moves it to the newest
        revision. Falls back to :meth:`open` when there is none yet, or with the remote store,
        then makes the replica for next time when ``make`` (a query worker, under its memory
        cap, does not)."""
        settings = settings or Settings.from_env()
        if settings.store == "remote" or not settings.replica:
            return cls.open(settings, progress=progress, initialise=initialise)
        minter = Minter(settings.base_iri)
        try:
            journal = Journal(settings.data_path).open(
                readonly=True, headers=replica.headers_file(settings.data_path)
            )
        except JournalError:
            journal = None  # no journal yet, or damage: open() initialises or says which
        if journal is not None and journal.revision:
            store = replica.open_current(journal, minter, lambda s, r: _apply_to(s, r, minter))
            if store is not None:
                return cls(settings, store, journal)
        archive = cls.open(settings, progress=progress, initialise=initialise)
        if make:
            archive.keep_replica()
        return archive

    def keep_replica(self) -> None:
        """Make the on-disk replica of the current state when none is at the journal's head:
        a checkpoint of the disk store (milliseconds), or a load of the in-memory store's
        snapshot."""
        if self.settings.store == "remote" or not self.settings.replica:
            return
        if not self.journal.revision or isinstance(self.store, ReplicaStore):
            return
        with self.reading():
            if replica.at_head(self.journal):
                return
            if isinstance(self.store, OxigraphStore) and self.store.path is not None:
                made = replica.make_from_store(self.journal, self.minter, self.store)
            else:
                path = snapshot.current_file(self.store, self.journal)
                made = replica.make(self.journal, self.minter, path) if path else None
            if made is not None:
                made.close()

    def close(self) -> None:
        """Release the store."""
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def validator(self) -> Validator:
        """The SHACL validator (loaded on first use)."""
        if self._validator is None:
            self._validator = Validator(
                ontology_dir() / "shapes.ttl",
                ontology_dir() / "dialogue.ttl",
                engine=self.settings.shacl_engine,
            )
        return self._validator

    @property
    def revision(self) -> int:
        """The current revision (number of change sets)."""
        return self.journal.revision

    @property
    def head(self) -> str | None:
        """Digest of the latest change set: what optimistic-concurrency writers pass back."""
        return self.journal.head

    # -- reading ---------------------------------------------------------------------------------

    def refresh(self) -> int:
        """Apply change sets written by other processes; return how many there were."""
        with self._lock:
            # Called before every request and query: when the journal has not grown since the
            # store was last brought level, skip asking the store for its revision.
            self.journal.refresh()
            if self.journal.revision == self._refreshed_at:
                return 0
            applied = self._level()
            self._refreshed_at = self.journal.revision
            return applied

    def query(self, sparql: str, **kwargs: object):  # noqa: ANN201 - pyoxigraph result types
        """Run a SPARQL query on the current state (SERVICE/LOAD refused unless allowed)."""
        check_for(self.settings, sparql)
        return self.store.query(sparql, **kwargs)  # type: ignore[arg-type]

    @contextlib.contextmanager
    def reading(self) -> Iterator[str | None]:
        """Hold the store still (no commit by this process applies meanwhile) and yield the
        journal head it reflects: what a writer that computes a change from the current state
        passes back as ``expected_head``."""
        with self._lock:
            self._catch_up()
            yield self.journal.head

    def records(self, first: int = 1, last: int | None = None) -> Iterator[Record]:
        """Journal records with their statements."""
        return self.journal.read_records(first, last)

    # -- writing ---------------------------------------------------------------------------------

    def check(
        self, changesets: list[ChangeSet], *, validate: bool | None = None
    ) -> list[Violation]:
        """The SHACL violations the change sets would cause on the current state; writes
        nothing. ``validate`` False (or None with validation off in the settings) checks nothing."""
        with self._lock:
            self._catch_up()
            self._drafts(changesets, LOADER_AGENT)  # what commit refuses before validating
            return self._violations(changesets, validate)

    def commit(
        self,
        changesets: list[ChangeSet],
        *,
        agent: str,
        expected_head: str | None | object = ...,
        validate: bool | None = None,
    ) -> list[Record]:
        """Validate, journal and apply change sets, all or nothing; return their records.

        ``agent`` is a user name or an IRI. Raises ValidationError (nothing written),
        ConflictError (the archive moved on from ``expected_head``) or InputError.
        """
        changesets = _checked(changesets)
        check_reserved(changesets, self.minter)
        agent_iri = agent if agent.startswith(("http://", "https://")) else self.minter.agent(agent)
        check_iri(agent_iri, "agent")
        with self._lock, self.journal.lock():
            self._catch_up()
            if expected_head is not ... and expected_head != self.journal.head:
                raise ConflictError(expected_head, self.journal.head, self.journal.revision)  # type: ignore[arg-type]
            # Drafts first: a statement the journal could not read back is refused before any
            # validator sees it (rudof's reader stops at 16 MiB a line).
            drafts, added = self._drafts(changesets, agent_iri)
            violations = self._violations(changesets, validate)
            if violations:
                raise ValidationError(violations)
            unseen = _unseen(self.store, changesets)
            records = self.journal.append(drafts)
            for record, cs, quads, fresh in zip(records, changesets, added, unseen, strict=True):
                self._apply_written(record, cs, quads, fresh)
            return records

    def commit_computed(
        self,
        compute: Callable[[], list[ChangeSet]],
        *,
        agent: str,
        validate: bool | None = None,
        hold: bool = True,
        retries: int = RETRIES,
    ) -> list[Record]:
        """Commit the change sets ``compute()`` makes from the current state (none: nothing is
        written, ``[]`` returned); when another write lands before they are committed, compute
        them again, up to ``retries`` times (then ConflictError).

        ``hold``: compute while the store is held still (no commit by this process applies
        meanwhile); without it the computation runs unheld and a write landing meanwhile makes it
        run again."""
        for attempt in range(retries):
            with self.reading() as head:
                changesets = compute() if hold else None
            if not hold:
                changesets = compute()
            if not changesets:
                return []
            try:
                return self.commit(changesets, agent=agent, expected_head=head, validate=validate)
            except ConflictError:
                if attempt == retries - 1:
                    raise
        raise AssertionError("unreachable")

    def load(
        self,
        source: str | Path | bytes,
        *,
        agent: str,
        fmt: str | None = None,
        sources: list[str] | None = None,
        comment: str | None = None,
        validate: bool | None = None,
        name: str | None = None,
    ) -> list[Record]:
        """Load RDF (a file or bytes) as change sets: one per named graph, plus loose triples."""
        changesets = read_changesets(
            source,
            self.minter,
            fmt=fmt,
            sources=sources,
            comment=comment,
            name=name,
            max_depth=self.settings.max_nesting,
            max_bytes=self.settings.max_load_bytes,
        )
        return self.commit(changesets, agent=agent, validate=validate)

    def initialise(self) -> list[Record]:
        """Fill an empty archive with the ontology and every file of graph_data/ (in name order),
        as one all-or-nothing batch: a crash mid-way leaves the archive empty, not half-loaded."""
        changesets = read_changesets(
            ontology_dir() / "dialogue.ttl",
            self.minter,
            sources=[ONTOLOGY_IRI],
            comment="Ontology of the archive (ontology/dialogue.ttl)",
        )
        for path in graph_data_files(self.settings.graph_data_path()):
            for cs in read_changesets(path, self.minter, name=f"graph_data/{path.name}"):
                cs.comment = cs.comment or f"Curated record: graph_data/{path.name}"
                changesets.append(cs)
        with self.journal.lock():
            self._catch_up()
            if self.journal.revision:
                return []  # another process initialised it first
            return self.commit(changesets, agent=LOADER_AGENT, expected_head=None)

    # -- integrity -------------------------------------------------------------------------------

    def verify(self, progress: Progress | None = None) -> VerifyReport:
        """Check the hash chain end to end, and that the store equals a replay of the journal."""
        report = VerifyReport(self.revision, 0, 0, 0)
        try:
            scanned = self.journal.verify()
        except JournalError as exc:
            report.problems.append(f"journal: {exc}")
            return report
        report.records_checked = len(scanned.records)
        if len(scanned.records) != self.revision:
            report.problems.append(
                f"journal has {len(scanned.records)} records, this process knows {self.revision}"
            )
        for known, read in zip(self.journal.records, scanned.records, strict=False):
            if known != read:  # headers only: a record's statements take no part in ==
                report.problems.append(
                    f"record {read.revision}: the record headers kept with the on-disk replica "
                    "differ from the journal; `dialogue-kg rebuild` replaces them"
                )
                break
        replay = self.replay(self.revision, progress=progress)
        expected = comparable(replay.sorted_nquads())
        with self._lock:
            actual = comparable(self.store.sorted_nquads())
        report.store_quads, report.replay_quads = len(actual), len(expected)
        report.missing = sorted(expected - actual)
        report.unexpected = sorted(actual - expected)
        return report

    def replay(self, revision: int, progress: Progress | None = None) -> OxigraphStore:
        """A fresh in-memory store holding the state as of ``revision``."""
        store = OxigraphStore(self.minter)
        for record in self.journal.read_records(1, revision):
            _apply_to(store, record, self.minter)
            if progress:
                progress(record.revision)
        return store

    def rebuild(self, progress: Progress | None = None) -> int:
        """Empty the store and replay the whole journal into it; return the revision."""
        with self._lock:
            replica.remove_all(self.journal.directory)  # derived from the journal: made again
            # Read every record again (not from kept headers), so what is written next is the
            # journal's own.
            self.journal.open(readonly=self.journal.readonly)
            self.store.clear()
            for record in self.journal.read_records(1, self.revision):
                _apply_to(self.store, record, self.minter)
                if progress:
                    progress(record.revision)
            snapshot.write(self.store, self.journal)  # a snapshot gone wrong is replaced too
            return self.revision

    # -- internals -------------------------------------------------------------------------------

    def _catch_up(self, progress: Progress | None = None) -> int:
        """Bring the store level with the journal (records from other processes, or at start)."""
        self.journal.refresh()
        return self._level(progress)

    def _level(self, progress: Progress | None = None) -> int:
        """Bring the store level with the records the journal has read; return how many."""
        if isinstance(self.store, ReplicaStore):
            return self._follow_replica()
        return self._apply_pending(progress)

    def _follow_replica(self) -> int:
        """Move to the replica of the journal's head (made from the newest one if needed)."""
        before = self.store.applied_revision()
        if self.journal.revision == before:
            return 0
        newer = replica.open_current(
            self.journal, self.minter, lambda s, r: _apply_to(s, r, self.minter)
        )
        if newer is None:
            raise StoreError(
                "the on-disk replica cannot be brought level with the journal; "
                "`dialogue-kg rebuild` makes it again"
            )
        old, self.store = self.store, newer
        old.close()
        return self.journal.revision - before

    def _violations(self, changesets: list[ChangeSet], validate: bool | None) -> list[Violation]:
        if not (self.settings.validate if validate is None else validate):
            return []
        return self.validator.validate(self.store, changesets)

    def _apply_pending(self, progress: Progress | None = None) -> int:
        """Apply the journal's records the store does not hold yet; return how many."""
        applied = self.store.applied_revision()
        if applied > self.journal.revision:
            raise JournalError(
                f"the store is at revision {applied} but the journal only has "
                f"{self.journal.revision}: the journal lost records. Restore it from a backup "
                "(README: Repairing a journal); only if the store is the one that is wrong, "
                "`dialogue-kg rebuild` makes it a copy of the journal again"
            )
        for record in self.journal.read_after(applied):
            _apply_to(self.store, record, self.minter)
            if progress:
                progress(record.revision)
        return self.journal.revision - applied

    def _drafts(
        self, changesets: list[ChangeSet], agent: str
    ) -> tuple[list[Draft], list[list[ox.Quad] | Statements]]:
        """The journal drafts of change sets about to be written (each named after the revision
        it will have), and the statements each asserts, as they will be applied."""
        now = self.clock().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        drafts: list[Draft] = []
        added_by_cs: list[list[ox.Quad] | Statements] = []
        for i, cs in enumerate(changesets, start=self.journal.revision + 1):
            iri = self.minter.changeset(i)
            draft = Draft(
                changeset=iri,
                agent=agent,
                time=now,
                removed=[f"{t.subject} {t.predicate} {t.object}" for t in cs.removed],
                sources=list(cs.sources),
                comment=cs.comment,
                imported_graph=cs.imported_graph,
            )
            added: list[ox.Quad] | Statements
            if isinstance(cs.added, Statements):
                added = cs.added
                draft.added_lines = added.lines
            else:
                graph = ox.NamedNode(iri)
                added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in cs.added]
                draft.added = [str(q) for q in added]
            check_line_lengths(draft)
            drafts.append(draft)
            added_by_cs.append(added)
        return drafts, added_by_cs

    def _apply_written(
        self, record: Record, cs: ChangeSet, added: list[ox.Quad] | Statements, unseen: bool
    ) -> None:
        """Apply a change set just journaled, from the statements in hand (no re-reading): a
        bulk load none of whose triples the store holds goes in as N-Triples text."""
        removed = [ox.Quad(t.subject, t.predicate, t.object) for t in cs.removed]
        if isinstance(added, Statements):
            if unseen and not removed:
                n_added, n_removed = record.counts()
                provenance = changeset_quads(record, self.minter, n_added, n_removed)
                graph = ox.NamedNode(record.changeset)
                self.store.apply_ntriples(graph, added.ntriples(), provenance, n_added)
                return
            graph = ox.NamedNode(record.changeset)
            added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in added]
        _apply_to(self.store, record, self.minter, added, removed)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _checked(changesets: list[ChangeSet]) -> list[ChangeSet]:
    """The non-empty change sets, once each is known to name its sources (IRIs of documents)
    and to hold text the journal can keep; InputError otherwise, or when none is left."""
    changesets = [cs for cs in changesets if not cs.is_empty()]
    if not changesets:
        raise InputError("nothing to write: the change adds and retracts no statements")
    for cs in changesets:
        if not cs.sources:
            what = f"graph <{cs.imported_graph}>" if cs.imported_graph else "the change"
            raise InputError(
                f"{what} has no source: every change needs the IRI of the document it is "
                "from (--source, or dct:source on the graph in TriG)"
            )
        for src in cs.sources:
            check_iri(src, "source")
            if not src.startswith(("http://", "https://", "urn:")):
                raise InputError(
                    f"source {src!r} is not the IRI of a document: it must begin with "
                    "http://, https:// or urn:"
                )
        if cs.comment is not None:
            check_text(cs.comment, "comment")
        if cs.imported_graph:
            check_iri(cs.imported_graph, "graph")
        if _quotes_a_triple(cs.added):
            raise InputError(
                "the archive records statements, not RDF-star quoted triples (<< … >>): state the "
                "statement itself, or describe it with a resource of its own; nothing was written"
            )
    return changesets


def _quotes_a_triple(added: Iterable[ox.Triple]) -> bool:
    """True when a statement has a quoted triple as subject or object (validation, the pages and
    the provenance checks know only IRIs, blank nodes and literals)."""
    if isinstance(added, Statements) and b"<<" not in added.ntriples():
        return False
    return any(isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple) for t in added)


def _unseen(store: QuadStore, changesets: list[ChangeSet]) -> list[bool]:
    """For each change set of a batch: True when it is a bulk load (:class:`Statements`) none of
    whose triples the store or an earlier change set of the batch holds, so that applying it
    needs no statement-by-statement check (the store keeps one copy of each triple)."""
    flags = [False] * len(changesets)
    if not any(isinstance(cs.added, Statements) for cs in changesets):
        return flags
    seen = store.data_keys(sum(len(cs.added) for cs in changesets))
    if seen is None:
        return flags
    last = len(changesets) - 1
    for i, cs in enumerate(changesets):
        bulk = isinstance(cs.added, Statements) and not cs.removed
        if i == last and not seen:
            flags[i] = bulk
            break
        if isinstance(cs.added, Statements):
            keys = cs.added.keys()
        else:
            keys = set(ox.serialize(list(cs.added), format=ox.RdfFormat.N_TRIPLES).split(b" .\n"))
            keys.discard(b"")
        flags[i] = bulk and seen.isdisjoint(keys)
        seen.update(keys)
    return flags


def _apply_to(
    store: QuadStore,
    record: Record,
    minter: Minter,
    added: list[ox.Quad] | None = None,
    removed: list[ox.Quad] | None = None,
) -> None:
    """Apply one journal record to a store (statements plus its PROV-O description)."""
    added = record.added() if added is None else added
    removed = record.removed() if removed is None else removed
    graph = ox.NamedNode(record.changeset)
    store.apply(graph, added, removed, changeset_quads(record, minter, len(added), len(removed)))


_DATETIME = re.compile(
    r'"(\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?"'
    r"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>"
)


def comparable(nquads: Iterable[str]) -> set[str]:
    """N-Quads lines with xsd:dateTime literals in canonical form (no trailing zeros in the
    fraction of a second): remote engines such as Virtuoso return their own lexical form of the
    same value (``.100000`` comes back as ``.100``), which is not a difference in the data."""

    def canonical(match: re.Match[str]) -> str:
        whole, fraction, zone = match.group(1), (match.group(2) or "").rstrip("0"), match.group(3)
        fraction = f".{fraction}" if fraction else ""
        return f'"{whole}{fraction}{zone or ""}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'

    return {_DATETIME.sub(canonical, line) if "dateTime" in line else line for line in nquads}


def graph_data_files(folder: Path) -> list[Path]:
    """The curated data files of a folder, in load order (by name)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in GRAPH_DATA_SUFFIXES)
