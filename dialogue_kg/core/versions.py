"""The history index: every statement the archive ever held, with the revisions in which it held.

Timestamp-based intervals (BEAR's third storage strategy) in SQLite, beside the journal
(``DATA_DIR/history.sqlite``). A statement (subject, predicate, object as N-Triples terms) is kept
once; each time it became current it gets an interval ``[start, end)`` of revisions (``end`` NULL
while it is current) and the graph it was asserted in; every assertion and retraction the journal
records (corroborations included) is an event. The change sets' headers and PROV-O descriptions
sit beside them. From these:

- Mat(Q, N): the quads alive at N, bulk-loaded into a fresh in-memory Oxigraph store (the last few
  kept), then Q run on it: the same answers as a replay of the journal to N;
- Diff(N, M): the statements whose intervals begin or end between N and M;
- Ver: a statement's intervals, the revisions in which a query's answer changed, a resource's
  history and blame.

The journal stays the system of record. The index reads it only through its public API
(:meth:`Journal.read_records`, :meth:`Record.added`, :meth:`Record.removed`) and catches up on the
records past its own revision before every answer, in one SQLite transaction with its stored
revision and that record's digest: a crash between a journal append and the index's update leaves
an index that is simply behind, and one whose digest no longer matches the journal (a journal
restored from a copy) is rebuilt. ``dialogue-kg history-index rebuild`` rebuilds it on demand.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from dialogue_kg.config import Settings
from dialogue_kg.core.journal import Journal, Record
from dialogue_kg.core.provenance import changeset_quads
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.errors import Busy, NotFound, UsageError
from dialogue_kg.namespaces import PROV_IRI, RDF_TYPE_IRI, Minter

if TYPE_CHECKING:
    from dialogue_kg.core.archive import Archive

SCHEMA_VERSION = "1"
FILENAME = "history.sqlite"
CACHED_STATES = (
    3  # materialised revisions kept in memory (a cited revision is read page after page)
)
_BATCH = 200  # records ingested per SQLite transaction while catching up

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS statements(
    id INTEGER PRIMARY KEY, s TEXT NOT NULL, p TEXT NOT NULL, o TEXT NOT NULL, open INTEGER);
CREATE UNIQUE INDEX IF NOT EXISTS statements_spo ON statements(s, p, o);
CREATE INDEX IF NOT EXISTS statements_o ON statements(o);
CREATE TABLE IF NOT EXISTS intervals(
    id INTEGER PRIMARY KEY, stmt INTEGER NOT NULL, graph TEXT, start INTEGER NOT NULL,
    "end" INTEGER);
CREATE INDEX IF NOT EXISTS intervals_stmt ON intervals(stmt);
CREATE INDEX IF NOT EXISTS intervals_start ON intervals(start);
CREATE INDEX IF NOT EXISTS intervals_end ON intervals("end") WHERE "end" IS NOT NULL;
CREATE TABLE IF NOT EXISTS events(
    revision INTEGER NOT NULL, stmt INTEGER NOT NULL, asserted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_stmt ON events(stmt);
CREATE TABLE IF NOT EXISTS changesets(
    revision INTEGER PRIMARY KEY, changeset TEXT NOT NULL, digest TEXT NOT NULL,
    utc TEXT NOT NULL, agent TEXT NOT NULL, provenance BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS changesets_agent ON changesets(agent, revision);
CREATE INDEX IF NOT EXISTS changesets_utc ON changesets(utc);
"""

# The quads alive at a revision: an interval's graph is NULL when it is the change set's own.
_QUADS = (
    "SELECT s.s || ' ' || s.p || ' ' || s.o || ' ' || COALESCE(i.graph, c.changeset) || ' .' "
    "FROM intervals i JOIN statements s ON s.id = i.stmt JOIN changesets c ON c.revision = i.start "
)
_ALIVE = _QUADS + 'WHERE i.start <= ?1 AND (i."end" IS NULL OR i."end" > ?1)'

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_PLAIN = (
    ox.NamedNode("http://www.w3.org/2001/XMLSchema#string"),
    ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"),
)
_SCRATCH = ox.NamedNode("urn:dialogue-kg:scratch")
_RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)
_PROV_AGENT = ox.NamedNode(PROV_IRI + "Agent")


@dataclass
class Event:
    """One change set's assertion or retraction of one statement."""

    revision: int
    changeset: str
    agent: str
    time: str
    asserted: bool
    statement: str


@dataclass
class ResourceChange:
    """The statements about one resource that one change set asserted and retracted."""

    revision: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class Span:
    """Revisions ``first``..``last`` (inclusive; ``last`` None: up to now) with one answer."""

    first: int
    last: int | None
    answer: object


def utc_text(when: datetime) -> str:
    """A datetime as the index keeps transaction times (UTC, microseconds, ``Z``)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date or date-time (UTC unless it says otherwise), or an HTTP date
    (RFC 7231, as ``Accept-Datetime`` carries); a ValueError names what was expected."""
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise UsageError(
                f"{text!r} is not a date-time: give 2024-05-01, 2024-05-01T12:00:00Z or an HTTP "
                "date such as 'Wed, 01 May 2024 12:00:00 GMT'"
            ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _record_utc(record: Record) -> str:
    try:
        return utc_text(parse_datetime(record.time))
    except ValueError:
        return record.time


def answer_of(result: object) -> object:
    """A query result in a comparable form: a bool (ASK), a sorted list of N-Triples lines
    (CONSTRUCT/DESCRIBE) or a sorted list of rows, each a tuple of terms as text (SELECT)."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return sorted(f"{t} ." for t in result)
    names = [v.value for v in result.variables]  # type: ignore[attr-defined]
    rows = [tuple("" if s[n] is None else str(s[n]) for n in names) for s in result]  # type: ignore[attr-defined]
    return sorted(rows)


class HistoryIndex:
    """The history index of one journal; thread-safe, shared by the threads of a process."""

    def __init__(self, journal: Journal, minter: Minter, path: Path | None = None) -> None:
        self.journal = journal
        self.minter = minter
        self.path = path
        self._lock = threading.RLock()
        self._states: OrderedDict[int, OxigraphStore] = OrderedDict()
        self._building = threading.Lock()
        self.build_wait = 30.0  # seconds to wait for another state's build (the query time limit)
        self._scratch = ox.Store()
        self._canonical: dict[str, str] = {}
        self._db = self._connect()

    @classmethod
    def for_journal(cls, journal: Journal, minter: Minter) -> HistoryIndex:
        """The index kept beside ``journal`` (in memory when the journal is opened read-only)."""
        path = None if journal.readonly else journal.directory / FILENAME
        return cls(journal, minter, path)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            str(self.path) if self.path else ":memory:",
            timeout=60,
            check_same_thread=False,
            isolation_level=None,
        )
        if self.path:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        version = self._meta(db, "schema")
        if version not in (None, SCHEMA_VERSION):
            db.close()
            if self.path:
                self.path.unlink()
            return self._connect()
        if version is None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # -- keeping level with the journal ---------------------------------------------------------

    @property
    def revision(self) -> int:
        """The last journal revision the index holds."""
        with self._lock:
            return int(self._meta(self._db, "revision") or 0)

    def sync(self) -> int:
        """Take in the journal's records past the index's revision; return how many. An index
        that does not match the journal (its revision's digest differs, or it is ahead) is
        rebuilt first."""
        with self._lock:
            target = self.journal.revision
            if target and self.revision == target:
                # Level already (the common case): no write lock is taken.
                if self._meta(self._db, "digest") == self.journal.records[target - 1].digest:
                    return 0
            done = 0
            while True:
                self._db.execute("BEGIN IMMEDIATE")  # one process writes at a time
                try:
                    have = self._checked_revision()
                    if have >= target:
                        self._db.execute("COMMIT")
                        return done
                    last = min(target, have + _BATCH)
                    for record in self.journal.read_records(have + 1, last):
                        self._ingest(record)
                    head = self.journal.records[last - 1].digest
                    self._db.executemany(
                        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                        [("revision", str(last)), ("digest", head)],
                    )
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                done += last - have

    def rebuild(self) -> int:
        """Empty the index and take in the whole journal; return the revision reached."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._clear()
            self._db.execute("COMMIT")
            self._states.clear()
            self.sync()
            return self.revision

    def _checked_revision(self) -> int:
        """The index's revision, after emptying it if it does not belong to this journal."""
        have = int(self._meta(self._db, "revision") or 0)
        digest = self._meta(self._db, "digest")
        records = self.journal.records
        if have and (have > len(records) or records[have - 1].digest != digest):
            self._clear()
            self._states.clear()
            return 0
        return have

    def _clear(self) -> None:
        for table in ("statements", "intervals", "events", "changesets"):
            self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        self._db.execute("DELETE FROM meta WHERE key IN ('revision', 'digest')")

    def _statement(self, key: tuple[str, str, str]) -> tuple[int, int | None]:
        row = self._db.execute(
            "SELECT id, open FROM statements WHERE s = ? AND p = ? AND o = ?", key
        ).fetchone()
        if row is not None:
            return row[0], row[1]
        cur = self._db.execute("INSERT INTO statements(s, p, o) VALUES (?, ?, ?)", key)
        return cur.lastrowid, None  # type: ignore[return-value]

    def _term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
        """A term as N-Triples text in the form the store gives back: Oxigraph keeps typed
        literals as values ("21.100"^^xsd:decimal reads back as "21.1"), so the index keeps
        them that way too, and statements equal in the store are equal here."""
        if not isinstance(term, ox.Literal) or term.datatype in _PLAIN:
            return str(term)
        text = str(term)
        found = self._canonical.get(text)
        if found is None:
            quad = ox.Quad(_SCRATCH, _SCRATCH, term)
            self._scratch.add(quad)
            found = str(next(iter(self._scratch.quads_for_pattern(None, None, None))).object)
            self._scratch.clear()
            if len(self._canonical) > 100_000:
                self._canonical.clear()
            self._canonical[text] = found
        return found

    def _key(self, statement: ox.Triple | ox.Quad) -> tuple[str, str, str]:
        return str(statement.subject), str(statement.predicate), self._term(statement.object)

    def _ingest(self, record: Record) -> None:
        """One record, with the store's rules: retractions first, then assertions; a statement
        already current is corroborated (its interval and graph unchanged)."""
        n = record.revision
        db = self._db
        events: list[tuple[int, int, int]] = []
        removed, added = record.removed(), record.added()
        for q in removed:
            sid, open_ = self._statement(self._key(q))
            if open_ is not None:
                db.execute('UPDATE intervals SET "end" = ? WHERE id = ?', (n, open_))
                db.execute("UPDATE statements SET open = NULL WHERE id = ?", (sid,))
            events.append((n, sid, 0))
        for q in added:
            sid, open_ = self._statement(self._key(q))
            if open_ is None:
                graph = str(q.graph_name)
                cur = db.execute(
                    "INSERT INTO intervals(stmt, graph, start) VALUES (?, ?, ?)",
                    (sid, None if graph == f"<{record.changeset}>" else graph, n),
                )
                db.execute("UPDATE statements SET open = ? WHERE id = ?", (cur.lastrowid, sid))
            events.append((n, sid, 1))
        db.executemany("INSERT INTO events VALUES (?, ?, ?)", events)
        provenance = ox.serialize(
            changeset_quads(record, self.minter, len(added), len(removed)),
            format=ox.RdfFormat.N_QUADS,
        )
        db.execute(
            "INSERT OR REPLACE INTO changesets VALUES (?, ?, ?, ?, ?, ?)",
            (
                n,
                f"<{record.changeset}>",
                record.digest,
                _record_utc(record),
                record.agent,
                provenance,
            ),
        )

    # -- Mat: a revision's state ------------------------------------------------------------------

    def check(self, revision: int) -> int:
        """``revision`` if the journal has it, else a ValueError saying which it has."""
        if not 0 <= revision <= self.journal.revision:
            raise NotFound(
                f"no revision {revision}: the archive has revisions 0 to {self.journal.revision}"
            )
        return revision

    def quads_at(self, revision: int) -> bytes:
        """Every quad of the archive at ``revision`` (statements and change-set descriptions),
        as N-Quads."""
        self.check(revision)
        self.sync()
        with self._lock:
            lines = [row[0] for row in self._db.execute(_ALIVE, (revision,))]
            prov = [
                row[0]
                for row in self._db.execute(
                    "SELECT provenance FROM changesets WHERE revision <= ? ORDER BY revision",
                    (revision,),
                )
            ]
        data = "\n".join(lines).encode() + b"\n" if lines else b""
        return data + b"".join(prov)

    def state(self, revision: int) -> OxigraphStore:
        """A queryable in-memory store holding the archive as it stood at ``revision`` (the same
        quads as a replay of the journal to it). The last few are kept; treat them as read-only."""
        self.check(revision)
        self.sync()
        store = self._cached(revision)
        if store is not None:
            return store
        # One state is built at a time in a process: a state takes about the memory and the
        # time of a load of the archive, and parallel builds (pages as of many revisions asked
        # at once) would multiply both. A second asker of the same revision waits and takes it.
        if not self._building.acquire(timeout=self.build_wait):
            raise Busy(
                f"the archive as of another revision is being put together and took longer than "
                f"{self.build_wait:g} s; try again shortly"
            )
        try:
            store = self._cached(revision)
            if store is not None:
                return store
            store = OxigraphStore(self.minter)
            data = self.quads_at(revision)
            if data:
                # Every line was written by pyoxigraph from parsed terms: lenient parsing only
                # skips checking again what is known to be valid.
                store.store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
            with self._lock:
                self._states[revision] = store
                while len(self._states) > CACHED_STATES:
                    self._states.popitem(last=False)
        finally:
            self._building.release()
        return store

    def _cached(self, revision: int) -> OxigraphStore | None:
        with self._lock:
            store = self._states.get(revision)
            if store is not None:
                self._states.move_to_end(revision)
            return store

    def revision_at(self, when: datetime) -> int:
        """The last revision written at or before ``when`` (0 if none was)."""
        self.sync()
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(revision) FROM changesets WHERE utc <= ?", (utc_text(when),)
            ).fetchone()
        return int(row[0] or 0)

    def times(self, revisions: Iterable[int]) -> dict[int, str]:
        """The transaction time (UTC, as the index keeps it) of each revision given."""
        wanted = sorted(set(revisions))
        out: dict[int, str] = {}
        with self._lock:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for rev, utc in self._db.execute(
                    f"SELECT revision, utc FROM changesets WHERE revision IN ({marks})",  # noqa: S608
                    chunk,
                ):
                    out[rev] = utc
        return out

    # -- Diff --------------------------------------------------------------------------------------

    def diff(self, old: int, new: int) -> tuple[list[str], list[str]]:
        """Statements (N-Triples lines, graphs left out) current at ``new`` but not at ``old``,
        and the reverse, each sorted."""
        self.check(old)
        self.check(new)
        self.sync()
        low, high = sorted((old, new))
        alive = (
            "EXISTS(SELECT 1 FROM intervals j WHERE j.stmt = s.id AND j.start <= {r} "
            'AND (j."end" IS NULL OR j."end" > {r}))'
        )
        sql = (
            "SELECT s.s || ' ' || s.p || ' ' || s.o || ' .', "
            + alive.format(r="?1")
            + ", "
            + alive.format(r="?2")
            + " FROM statements s WHERE s.id IN (SELECT stmt FROM intervals WHERE start > ?1 AND "
            'start <= ?2 UNION SELECT stmt FROM intervals WHERE "end" > ?1 AND "end" <= ?2)'
        )
        gained, lost = [], []
        with self._lock:
            for line, at_low, at_high in self._db.execute(sql, (low, high)):
                if at_high and not at_low:
                    gained.append(line)
                elif at_low and not at_high:
                    lost.append(line)
        if old > new:
            gained, lost = lost, gained
        return sorted(gained), sorted(lost)

    # -- Ver ---------------------------------------------------------------------------------------

    @staticmethod
    def statement(line: str) -> ox.Triple:
        """A statement given as an N-Triples line (as :class:`Event` and diffs give it)."""
        return next(iter(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES)))

    def versions(self, statement: ox.Triple | ox.Quad) -> list[tuple[int, int | None]]:
        """The intervals ``(first, last)`` of revisions in which ``statement`` was current
        (``last`` None: it still is), oldest first."""
        self.sync()
        with self._lock:
            rows = self._db.execute(
                'SELECT i.start, i."end" FROM intervals i JOIN statements s ON s.id = i.stmt '
                "WHERE s.s = ? AND s.p = ? AND s.o = ? ORDER BY i.start",
                self._key(statement),
            ).fetchall()
        return [(start, None if end is None else end - 1) for start, end in rows]

    def blame(self, statement: ox.Triple | ox.Quad) -> list[Event]:
        """Who asserted (and retracted) ``statement`` and when: every journal event about it,
        corroborations included, oldest first."""
        return self._events("s.s = ? AND s.p = ? AND s.o = ?", self._key(statement))

    def blame_about(self, iri: str, predicate: str | None = None) -> list[Event]:
        """:meth:`blame` for every statement whose subject is ``iri`` (and whose predicate is
        ``predicate``, if given), grouped by statement, in the order they were first asserted."""
        if predicate is None:
            return self._events("s.s = ?", (f"<{iri}>",))
        return self._events("s.s = ? AND s.p = ?", (f"<{iri}>", f"<{predicate}>"))

    def _events(self, where: str, args: tuple[str, ...]) -> list[Event]:
        self.sync()
        with self._lock:
            rows = self._db.execute(
                "SELECT e.revision, e.asserted, c.changeset, c.agent, "
                "s.s || ' ' || s.p || ' ' || s.o || ' .' FROM events e "
                "JOIN statements s ON s.id = e.stmt JOIN changesets c ON c.revision = e.revision "
                f"WHERE {where} ORDER BY s.id, e.rowid",  # noqa: S608 - fixed clauses
                args,
            ).fetchall()
        records = self.journal.records
        return [
            Event(rev, cs[1:-1], agent, records[rev - 1].time, bool(a), text)
            for rev, a, cs, agent, text in rows
        ]

    def resource_changes(self, iri: str) -> list[ResourceChange]:
        """Every revision that asserted or retracted a statement with ``iri`` as subject or
        object, with those statements (N-Triples lines, in journal order), oldest first."""
        self.sync()
        node = f"<{iri}>"
        with self._lock:
            rows = self._db.execute(
                "SELECT e.revision, e.asserted, s.s || ' ' || s.p || ' ' || s.o || ' .' "
                "FROM events e JOIN statements s ON s.id = e.stmt "
                "WHERE e.stmt IN (SELECT id FROM statements WHERE s = ?1 UNION "
                "SELECT id FROM statements WHERE o = ?1) ORDER BY e.revision, e.rowid",
                (node,),
            ).fetchall()
        out: list[ResourceChange] = []
        for rev, asserted, line in rows:
            if not out or out[-1].revision != rev:
                out.append(ResourceChange(rev))
            (out[-1].added if asserted else out[-1].removed).append(line)
        return out

    def retracted(self, iri: str) -> bool:
        """True when a statement with ``iri`` as subject or object was ever retracted."""
        self.sync()
        node = f"<{iri}>"
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM events e WHERE e.asserted = 0 AND e.stmt IN (SELECT id FROM "
                "statements WHERE s = ?1 UNION SELECT id FROM statements WHERE o = ?1) LIMIT 1",
                (node,),
            ).fetchone()
        return row is not None

    def size_at(self, revision: int) -> int:
        """How many statements the state at ``revision`` holds: what building it costs."""
        with self._lock:
            ended = self._db.execute(
                'SELECT COUNT(*) FROM intervals WHERE "end" <= ?', (revision,)
            ).fetchone()[0]
            return self._begun_by(revision) - int(ended)

    def changes_between(self, old: int, new: int) -> int:
        """How many intervals begin or end between two revisions: what moving a store from one
        state to the other costs (an upper bound on the statements that differ)."""
        low, high = sorted((old, new))
        with self._lock:
            ended = self._db.execute(
                'SELECT COUNT(*) FROM intervals WHERE "end" > ? AND "end" <= ?', (low, high)
            ).fetchone()[0]
            return self._begun_by(high) - self._begun_by(low) + int(ended)

    def _begun_by(self, revision: int) -> int:
        # Intervals are written in revision order with ids from 1 (a rebuild empties the table
        # first), so the last id begun by a revision counts them in one index lookup where a
        # COUNT would read a million rows at 1M. Ended intervals are few and counted.
        row = self._db.execute(
            "SELECT id FROM intervals WHERE start <= ? ORDER BY start DESC, id DESC LIMIT 1",
            (revision,),
        ).fetchone()
        return int(row[0]) if row else 0

    def moves(self, old: int, new: int) -> tuple[list[ox.Quad], bytes]:
        """What turns the state at ``old`` into the state at ``new``, in either direction: the
        quads to remove first, then the quads to add (N-Quads). Only the intervals that begin or
        end between the two are read, so the cost follows the changes, not the archive."""
        self.check(old)
        self.check(new)
        self.sync()
        return self._moves(old, new)

    def _moves(self, old: int, new: int) -> tuple[list[ox.Quad], bytes]:
        low, high = sorted((old, new))
        window = (
            "WHERE i.id IN (SELECT id FROM intervals WHERE start > ?1 AND start <= ?2 UNION ALL "
            'SELECT id FROM intervals WHERE "end" > ?1 AND "end" <= ?2) '
        )
        alive = '(i.start <= {r} AND (i."end" IS NULL OR i."end" > {r}))'
        sql = _QUADS.replace(
            "SELECT ", f"SELECT {alive.format(r='?3')}, {alive.format(r='?4')}, ", 1
        )
        removed, added = [], []
        with self._lock:
            for was, is_, line in self._db.execute(sql + window, (low, high, old, new)):
                if was and not is_:
                    removed.append(line)
                elif is_ and not was:
                    added.append(line)
            blobs = self._db.execute(
                "SELECT agent, provenance FROM changesets WHERE revision > ? AND revision <= ? "
                "ORDER BY revision",
                (low, high),
            ).fetchall()
            # A change set's description is about the change set, but for one statement: its
            # agent is a prov:Agent, which an earlier change set by that agent also says.
            kept: set[str] = set()
            if new < old:
                for agent in {agent for agent, _ in blobs}:
                    if self._db.execute(
                        "SELECT 1 FROM changesets WHERE agent = ? AND revision <= ? LIMIT 1",
                        (agent, new),
                    ).fetchone():
                        kept.add(agent)
        prov = b"".join(blob for _, blob in blobs)
        gone_quads = list(ox.parse("\n".join(removed).encode(), format=ox.RdfFormat.N_QUADS))
        if new > old:
            return gone_quads, ("\n".join(added) + "\n").encode() + prov if added else prov
        for quad in ox.parse(prov, format=ox.RdfFormat.N_QUADS):
            if not (
                quad.predicate == _RDF_TYPE
                and quad.object == _PROV_AGENT
                and quad.subject.value in kept
            ):
                gone_quads.append(quad)
        return gone_quads, ("\n".join(added) + "\n").encode() if added else b""

    def move(self, store: ox.Store, old: int, new: int) -> None:
        """Turn ``store``, holding the state at ``old``, into the state at ``new`` (see
        :meth:`moves`; the caller has checked both revisions, and the index is level with
        them). A failure part way leaves it between the two: drop it then."""
        removed, added = self._moves(old, new)
        for quad in removed:
            store.remove(quad)
        if added:
            # Every line was written by pyoxigraph from parsed terms (see :meth:`state`).
            store.load(added, format=ox.RdfFormat.N_QUADS, lenient=True)

    def answer_versions(self, sparql: str, first: int = 0, last: int | None = None) -> list[Span]:
        """Ver(Q): the runs of revisions ``first``..``last`` over which the query's answer stayed
        the same, each with that answer (see :func:`answer_of`). One store is carried forward
        revision by revision (:meth:`move`), not rebuilt or replayed."""
        self.sync()
        last = self.journal.revision if last is None else last
        self.check(first)
        self.check(last)
        store = OxigraphStore(self.minter)
        data = self.quads_at(first)
        if data:
            store.store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
        spans = [Span(first, first, answer_of(store.query(sparql)))]
        for rev in range(first + 1, last + 1):
            self.move(store.store, rev - 1, rev)
            found = answer_of(store.query(sparql))
            if found == spans[-1].answer:
                spans[-1].last = rev
            else:
                spans.append(Span(rev, rev, found))
        if last == self.journal.revision:
            spans[-1].last = None
        return spans

    def answer_diff(self, sparql: str, old: int, new: int) -> tuple[object, object]:
        """Diff(Q, old, new): what the query's answer gained and lost from ``old`` to ``new``
        (rows or statements as lists, counted with their repeats; for ASK, the two booleans)."""
        before = answer_of(self.state(old).query(sparql))
        after = answer_of(self.state(new).query(sparql))
        if isinstance(before, bool):
            return after, before
        a, b = Counter(after), Counter(before)  # type: ignore[arg-type]
        return sorted((a - b).elements()), sorted((b - a).elements())

    # -- audit -------------------------------------------------------------------------------------

    def revisions(
        self,
        *,
        agent: str | None = None,
        since: str | None = None,
        until: str | None = None,
        about: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[int]:
        """Revisions newest first, filtered by agent IRI, transaction time (prefix comparison of
        ``since``/``until`` with the journal's time) and a resource the change touched."""
        self.sync()
        where, args = [], []
        if agent:
            where.append("agent = ?")
            args.append(agent)
        if about:
            where.append(
                "revision IN (SELECT e.revision FROM events e WHERE e.stmt IN (SELECT id FROM "
                "statements WHERE s = ? UNION SELECT id FROM statements WHERE o = ?))"
            )
            args += [f"<{about}>", f"<{about}>"]
        sql = "SELECT revision FROM changesets"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY revision DESC"
        out: list[int] = []
        skipped = 0
        records = self.journal.records
        with self._lock:
            for (rev,) in self._db.execute(sql, args):
                time = records[rev - 1].time
                if since and time[: len(since)] < since:
                    continue
                if until and time[: len(until)] > until:
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                out.append(rev)
                if len(out) >= limit:
                    break
        return out

    def size(self) -> int:
        """Bytes the index takes on disk (0 in memory)."""
        if not self.path:
            return 0
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))


class Snapshot:
    """The archive as it stood at one revision, queried like the archive itself (the same guard
    on SERVICE and nesting): what the SPARQL endpoint answers ``?revision=N`` from."""

    def __init__(self, archive: Archive, revision: int) -> None:
        self.archive, self.revision = archive, revision
        self.settings = archive.settings
        self.store = index_for(archive).state(revision)

    def query(self, sparql: str, **kwargs: object):  # noqa: ANN201 - pyoxigraph result types
        """Run a SPARQL query on the state at this revision (SERVICE/LOAD refused unless
        allowed)."""
        from dialogue_kg.core.guard import check_for

        check_for(self.settings, sparql)
        return self.store.query(sparql, **kwargs)  # type: ignore[arg-type]


def open_for_history(settings: Settings) -> Archive:
    """The archive of ``settings`` with its journal read but its query store left empty: for
    commands that read the past (history, diff, blame, versions, a query as of a revision, or a
    query on an in-memory archive, whose current state the index also holds), so that they cost
    an index lookup, not a replay of the journal. A directory without a journal is initialised."""
    from dialogue_kg.core.archive import Archive
    from dialogue_kg.core.store import replica
    from dialogue_kg.core.store.oxigraph import OxigraphStore as Store

    journal = Journal(settings.data_path).open(headers=replica.headers_file(settings.data_path))
    if journal.revision == 0:
        return Archive.open(settings)
    return Archive(settings, Store(Minter(settings.base_iri)), journal)


_INDEXES: weakref.WeakKeyDictionary[Archive, tuple[int, HistoryIndex]] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(archive: Archive) -> HistoryIndex:
    """The history index of an open archive (opened once per archive object and process: a
    SQLite connection must not be used across a fork, so a forked query worker opens its own),
    level with its journal."""
    pid = os.getpid()
    with _INDEXES_LOCK:
        kept = _INDEXES.get(archive)
        if kept is None or kept[0] != pid:
            kept = _INDEXES[archive] = (
                pid,
                HistoryIndex.for_journal(archive.journal, archive.minter),
            )
            kept[1].build_wait = archive.settings.query_timeout
    index = kept[1]
    index.sync()
    return index
