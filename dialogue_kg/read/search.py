"""Full-text search over the archive: names, alternative names and summaries in every language.

The index is SQLite FTS5 in the data directory (``search.sqlite3``), derived from the store like
the store is from the journal: it records the revision and journal digest it reflects, and each
search first catches up with the change sets written since (re-reading, from the store, the
resources they touched), or rebuilds when the file is missing, stale beyond use, or from another
journal. Text is folded the same way when indexed and when asked for: Serbian Cyrillic to Latin,
then case and diacritics away (``Приштина``, ``Priština`` and ``pristina`` are one word;
``đ``, which Unicode does not decompose, is ``dj``). An exact name or alternative name ranks
first, then a name that starts with the query, then FTS5's bm25 with names weighted above
summaries.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dialogue_kg.core.archive import Archive
from dialogue_kg.labels import labels, local_name, pick
from dialogue_kg.namespaces import DCT_IRI as DCT
from dialogue_kg.namespaces import DKG_IRI as DKG
from dialogue_kg.namespaces import SKOS_IRI as SKOS
from dialogue_kg.read.describe import DESCRIPTION_PROPERTIES, LABEL_PROPERTIES, RDF_TYPE
from dialogue_kg.serbian import to_latin

NAME_PROPERTIES = (*LABEL_PROPERTIES, DCT + "title")
ALT_PROPERTIES = (SKOS + "altLabel", SKOS + "hiddenLabel", DCT + "alternative")
SUMMARY_PROPERTIES = (*DESCRIPTION_PROPERTIES, DCT + "abstract", DCT + "description")
INDEXED = frozenset((*NAME_PROPERTIES, *ALT_PROPERTIES, *SUMMARY_PROPERTIES, RDF_TYPE))
# Records about another resource (a name as someone uses it, a figure a source claims, a role
# held, a document that reports it, a provision whose label repeats its agreement's name): their
# name closeness counts half, and among equals they come after the resources themselves.
SECONDARY_KINDS = frozenset(
    DKG + k for k in ("NameUsage", "Claim", "RoleHolding", "Source", "Provision")
)
SECONDARY_WEIGHT = 0.5
FILENAME = "search.sqlite3"
SCHEMA_VERSION = "2"
# Past this many statements to catch up with, re-reading everything is quicker than the subjects.
REBUILD_ABOVE = 50_000
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
CANDIDATES = 150
# A query matching more resources than this ranks only the first this many in the index's order
# (stored primary kinds first, shortest names first): bm25 costs about a microsecond a match, and
# a word that common is ranked by how closely a name fits it anyway.
RANKED = 2_000
_WEIGHTS = (10.0, 6.0, 1.0)  # bm25 weights of the name, alt and summary columns

_EXTRA = str.maketrans({"đ": "dj", "Đ": "Dj", "ß": "ss", "æ": "ae", "Æ": "Ae", "ø": "o",
                        "Ø": "O", "ł": "l", "Ł": "L", "ı": "i", "œ": "oe", "Œ": "Oe"})  # fmt: skip
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """``text`` as search compares it: Latin script, no diacritics, lower case."""
    if text.isascii():
        return text.casefold()
    text = to_latin(text).translate(_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def terms(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


def key(text: str) -> str:
    """A name reduced to its folded words: what an exact match compares."""
    return " ".join(terms(text))


@dataclass
class Hit:
    """One resource found: its label in the reader's language, kind, summary, and why."""

    iri: str
    label: str
    kind: str
    kind_label: str
    summary: str | None
    exact: bool
    matched_name: str | None = None  # the alternative name that matched, when not the label
    summary_language: str = ""  # the summary's language tag (English when the reader's is missing)
    score: float = 0.0
    label_language: str = ""  # the label's language tag, likewise

    def as_json(self) -> dict:
        """A plain dict for the JSON view."""
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": self.kind,
            "kindLabel": self.kind_label,
            "summary": self.summary,
            "summaryLanguage": self.summary_language,
            "labelLanguage": self.label_language,
            "exact": self.exact,
            "matchedName": self.matched_name,
        }


@dataclass
class Group:
    """The hits of one kind (class), best first."""

    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Results:
    """The hits for one query, best first, and the same grouped by kind."""

    query: str
    hits: list[Hit]
    revision: int

    def groups(self) -> list[Group]:
        """Hits grouped by kind; groups in the order of their best hit."""
        out: dict[str, Group] = {}
        for hit in self.hits:
            out.setdefault(hit.kind, Group(hit.kind, hit.kind_label)).hits.append(hit)
        return list(out.values())


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS resource(
  id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS name(key TEXT NOT NULL, id INTEGER NOT NULL, alt INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS name_key ON name(key);
CREATE INDEX IF NOT EXISTS name_id ON name(id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
  names, alts, summaries, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');
"""

_VALUES = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { %(properties)s }
  %(subjects)s
  ?s ?p ?o .
  FILTER((isLiteral(?o) || ?p = <%(type)s>) %(scope)s)
}
"""
_SUBCLASSES = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?c ?d WHERE { ?c rdfs:subClassOf+ ?d }"
)


class SearchIndex:
    """The archive's search index, kept in step with the journal; safe to share among threads."""

    def __init__(self, archive: Archive, path: Path | None = None) -> None:
        self.archive = archive
        self.path = Path(path) if path else archive.settings.data_path / FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        if self._meta("schema") not in (None, SCHEMA_VERSION):
            self._db.executescript(
                "DROP TABLE IF EXISTS resource; DROP TABLE IF EXISTS name; "
                "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS meta;"
            )
        self._db.executescript(_SCHEMA)
        self._revision = -1  # the revision this process last saw the index at

    def close(self) -> None:
        """Close the index file."""
        self._db.close()

    @property
    def revision(self) -> int:
        """The journal revision the index reflects."""
        return int(self._meta("revision") or 0)

    # -- keeping in step ------------------------------------------------------------------------

    def catch_up(self) -> int:
        """Bring the index level with the archive; return how many resources were re-read."""
        self.archive.refresh()
        if self._revision == self.archive.revision:
            return 0
        # The archive is not held still meanwhile (a rebuild at 1M quads takes seconds): the store
        # may move past ``target`` while it is read, and the next catch-up re-reads whatever the
        # later change sets touched, so the index never falls behind what it claims.
        with self._lock:
            target, journal = self.archive.revision, self.archive.journal
            self._db.execute("BEGIN IMMEDIATE")  # one process at a time updates the file
            try:
                done = int(self._meta("revision") or 0)
                head = self._meta("head")
                known = journal.records[done - 1].digest if 0 < done <= target else None
                stale = (
                    done > target or (done > 0 and head != known) or self._meta("schema") is None
                )
                pending = journal.records[done:target]
                if stale or sum(sum(r.counts()) for r in pending) > REBUILD_ABOVE:
                    count = self._rebuild()
                else:
                    count = self._reindex(self._touched(done + 1, target))
                self._set_meta(
                    revision=str(target),
                    head=journal.records[target - 1].digest if target else "",
                    schema=SCHEMA_VERSION,
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._revision = target
            return count

    def rebuild(self) -> int:
        """Re-read every resource from the store; return how many were indexed."""
        with self._lock:
            self._db.execute("DELETE FROM meta")
            self._revision = -1
        return self.catch_up()

    def _touched(self, first: int, last: int) -> set[str]:
        """Subjects whose names, summaries or types changed in revisions ``first``..``last``."""
        touched: set[str] = set()
        for record in self.archive.records(first, last):
            for quad in (*record.added(), *record.removed()):
                if quad.predicate.value in INDEXED:
                    touched.add(quad.subject.value)
        return {s for s in touched if self._local(s)}

    def _local(self, iri: str) -> bool:
        base = self.archive.minter.base
        return iri.startswith((base + "id/", base + "topic/"))

    def _rebuild(self) -> int:
        for table in ("resource", "name", "fts"):
            self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        base = self.archive.minter.base
        scope = f'&& (STRSTARTS(STR(?s), "{base}id/") || STRSTARTS(STR(?s), "{base}topic/"))'
        rows = self.archive.query(_values(scope=scope))
        return self._write(_collect(rows), delete=False)

    def _reindex(self, subjects: set[str]) -> int:
        ordered = sorted(subjects)
        found: dict[str, dict] = {}
        for start in range(0, len(ordered), 500):
            chunk = " ".join(f"<{s}>" for s in ordered[start : start + 500])
            rows = self.archive.query(_values(subjects=f"VALUES ?s {{ {chunk} }}"))
            found.update(_collect(rows))
        for s in ordered:
            found.setdefault(s, {})  # nothing left to index: removed below
        return self._write(found, delete=True)

    def _write(self, found: dict[str, dict], delete: bool) -> int:
        subclasses: dict[str, set[str]] = {}
        for row in self.archive.query(_SUBCLASSES):
            subclasses.setdefault(row["c"].value, set()).add(row["d"].value)
        db = self._db
        count = 0
        for iri, values in sorted(found.items(), key=_importance):
            if delete:
                old = db.execute("SELECT id FROM resource WHERE iri = ?", (iri,)).fetchone()
                if old is not None:
                    db.execute("DELETE FROM resource WHERE id = ?", old)
                    db.execute("DELETE FROM name WHERE id = ?", old)
                    db.execute("DELETE FROM fts WHERE rowid = ?", old)
            names, alts = values.get("names", []), values.get("alts", [])
            if not names and not alts:
                continue  # only names make a resource findable
            kind = _kind(values.get("types", []), subclasses)
            data = {"names": names, "alts": alts, "summaries": values.get("summaries", [])}
            cursor = db.execute(
                "INSERT INTO resource(iri, kind, data) VALUES (?, ?, ?)",
                (iri, kind, json.dumps(data, ensure_ascii=False)),
            )
            rowid = cursor.lastrowid
            keys = {(key(t), 0) for t, _ in names} | {(key(t), 1) for t, _ in alts}
            db.executemany(
                "INSERT INTO name(key, id, alt) VALUES (?, ?, ?)",
                [(k, rowid, alt) for k, alt in sorted(keys) if k],
            )
            db.execute(
                "INSERT INTO fts(rowid, names, alts, summaries) VALUES (?, ?, ?, ?)",
                (rowid, *(_column(data[c]) for c in ("names", "alts", "summaries"))),
            )
            count += 1
        return count

    # -- searching ------------------------------------------------------------------------------

    def search(self, query: str, lang: str, limit: int = 50) -> Results:
        """The resources whose names or summaries hold every word of ``query`` (the last word
        as a prefix), best first, labelled in ``lang``."""
        self.catch_up()
        words = terms(query[:MAX_QUERY_CHARS])[:MAX_TERMS]
        if not words:
            return Results(query, [], self._revision)
        wanted = " ".join(words)
        match = " ".join(f'"{w}"' for w in words[:-1]) + f' "{words[-1]}"*'
        with self._lock:
            first = self._db.execute(
                "SELECT rowid FROM fts WHERE fts MATCH ? LIMIT ?", (match, RANKED + 1)
            ).fetchall()
            ceiling = first[RANKED - 1][0] if len(first) > RANKED else first[-1][0] if first else 0
            rows = self._db.execute(
                "SELECT r.id, r.iri, r.kind, r.data, bm25(fts, ?, ?, ?) AS score "
                "FROM fts JOIN resource r ON r.id = fts.rowid WHERE fts MATCH ? "
                "AND fts.rowid <= ? ORDER BY score LIMIT ?",
                (*_WEIGHTS, match, ceiling, CANDIDATES),
            ).fetchall()
            exact = self._db.execute(
                "SELECT r.id, r.iri, r.kind, r.data FROM name n JOIN resource r ON r.id = n.id "
                "WHERE n.key = ? LIMIT ?",
                (wanted, CANDIDATES),
            ).fetchall()
            candidates = {row[0]: (*row[1:4], row[4]) for row in rows}
            for rowid, iri, kind, data in exact:
                candidates.setdefault(rowid, (iri, kind, data, 0.0))
            closeness = self._closeness(list(candidates), words)
        exact_ids = {row[0] for row in exact}
        order = sorted(
            candidates,
            key=lambda r: (
                r not in exact_ids,
                -closeness.get(r, 0.0)
                * (SECONDARY_WEIGHT if candidates[r][1] in SECONDARY_KINDS else 1),
                candidates[r][1] in SECONDARY_KINDS,
                candidates[r][3],
                candidates[r][0],
            ),
        )[:limit]
        kinds = {candidates[r][1] for r in order if candidates[r][1]}
        kind_names = labels(self.archive, kinds, lang) if kinds else {}
        hits = []
        for r in order:
            iri, kind, data, score = candidates[r]
            values = json.loads(data)
            names = [tuple(v) for v in values["names"]] or [tuple(v) for v in values["alts"]]
            label, label_language = pick(names, lang) or (local_name(iri), "")
            matched = None
            if key(label) != wanted:
                matched = next((t for t, _ in values["alts"] if key(t) == wanted), None)
            chosen = pick([tuple(v) for v in values["summaries"]], lang)
            summary, summary_language = chosen if chosen else (None, "")
            hits.append(
                Hit(
                    iri=iri,
                    label=label,
                    kind=kind,
                    kind_label=kind_names.get(kind) or (local_name(kind) if kind else ""),
                    summary=_shorten(summary) if summary else None,
                    summary_language=summary_language,
                    label_language=label_language,
                    exact=r in exact_ids,
                    matched_name=matched,
                    score=score,
                )
            )
        return Results(query, hits, self._revision)

    def _closeness(self, ids: list[int], words: list[str]) -> dict[int, float]:
        """How closely each resource's best name fits the query words: the share of the name's
        words they make up, plus a quarter when the name starts with them (0: no name holds
        them all; the last query word may be the start of a word)."""
        out: dict[int, float] = {}
        *whole, last = words
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rowid, name_key in self._db.execute(
                f"SELECT id, key FROM name WHERE id IN ({marks})",  # noqa: S608 - placeholders
                chunk,
            ):
                have = name_key.split()
                if not set(whole) <= set(have) or not any(w.startswith(last) for w in have):
                    continue
                score = len(words) / len(have)
                if name_key.startswith(" ".join(words)):
                    score += 0.25
                out[rowid] = max(out.get(rowid, 0.0), score)
        return out

    # -- meta -----------------------------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        except sqlite3.OperationalError:  # no table yet
            return None
        return row[0] if row else None

    def _set_meta(self, **values: str) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", sorted(values.items())
        )


def _values(subjects: str = "", scope: str = "") -> str:
    """The query for the indexed statements of some subjects, or of every subject in scope."""
    properties = " ".join(f"<{p}>" for p in sorted(INDEXED))
    return _VALUES % {
        "properties": properties,
        "subjects": subjects,
        "type": RDF_TYPE,
        "scope": scope,
    }


def _collect(rows: Iterable) -> dict[str, dict]:
    """Rows of (subject, property, value) as each subject's names, alternative names, summaries
    (text, language) and types, each listed once."""
    found: dict[str, dict] = {}
    for row in rows:
        s, p, o = row["s"].value, row["p"].value, row["o"]
        entry = found.setdefault(s, {})
        if p == RDF_TYPE:
            bucket, value = "types", o.value
        else:
            bucket = (
                "names" if p in NAME_PROPERTIES else "alts" if p in ALT_PROPERTIES else "summaries"
            )
            value = [o.value, o.language or ""]
        values = entry.setdefault(bucket, [])
        if value not in values:
            values.append(value)
    for entry in found.values():
        for bucket in ("names", "alts", "summaries"):
            entry.get(bucket, []).sort(key=lambda v: (v[1], v[0]))
        entry.get("types", []).sort()
    return found


def _importance(item: tuple[str, dict]) -> tuple:
    """The order resources are stored in: primary kinds first, then the shortest names."""
    iri, values = item
    names = [t for t, _ in (*values.get("names", []), *values.get("alts", []))]
    secondary = bool(SECONDARY_KINDS & set(values.get("types", [])))
    return (secondary, min((len(terms(n)) for n in names), default=99), iri)


def _kind(types: list[str], subclasses: dict[str, set[str]]) -> str:
    """The most specific of a resource's types, the archive's own first ("" when untyped)."""
    specific = [t for t in types if not any(t in subclasses.get(o, ()) for o in types)]
    ours = [t for t in specific if t.startswith(DKG)]
    return (ours or specific or [""])[0]


def _column(values: list) -> str:
    """One FTS column: the distinct folded texts, one per line."""
    return "\n".join(dict.fromkeys(fold(text) for text, _ in values))


def _shorten(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"
