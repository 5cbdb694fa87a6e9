"""Transaction time: the archive as of a revision, the difference between two revisions, and the
history of one resource, all answered from the history index (:mod:`dialogue_kg.core.versions`),
which is derived from the journal and kept level with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.journal import Record
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.core.terms import statement_text
from dialogue_kg.core.versions import index_for
from dialogue_kg.errors import NotFound


@dataclass
class Diff:
    """Statements (as N-Triples lines) present at ``new`` but not ``old``, and the reverse."""

    old: int
    new: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class Change:
    """One change set's part in a resource's history."""

    revision: int
    changeset: str
    agent: str
    time: str
    sources: list[str]
    comment: str | None
    added: list[str]
    removed: list[str]


def check_revision(archive: Archive, revision: int) -> int:
    """``revision`` if it exists in the journal, else a ValueError saying which do."""
    if not 0 <= revision <= archive.revision:
        raise NotFound(f"no revision {revision}: the archive has revisions 0 to {archive.revision}")
    return revision


def as_of(archive: Archive, revision: int) -> OxigraphStore:
    """A queryable in-memory store holding the archive as it stood at ``revision``: the quads
    the history index says were alive then, the same as a replay of the journal (read-only: the
    last few are kept and shared)."""
    return index_for(archive).state(check_revision(archive, revision))


def _statements(store: OxigraphStore) -> set[str]:
    """Every data statement (not change-set descriptions) as an N-Triples line."""
    prov = store.provenance_graph
    return {statement_text(q) for q in store.quads() if q.graph_name != prov}


def diff(archive: Archive, old: int, new: int) -> Diff:
    """What the statements gained and lost between revisions ``old`` and ``new`` (from the
    intervals that begin or end between them)."""
    check_revision(archive, old)
    check_revision(archive, new)
    added, removed = index_for(archive).diff(old, new)
    return Diff(old, new, added, removed)


def resource_history(archive: Archive, iri: str) -> list[Change]:
    """Every change set that asserted or retracted a statement about ``iri`` (as subject or
    object), oldest first: an index lookup, not a reading of the journal."""
    records = archive.journal.records
    return [
        _change(records[c.revision - 1], c.added, c.removed)
        for c in index_for(archive).resource_changes(iri)
    ]


class Retracted:
    """Tells whether an IRI was ever the subject or object of a retracted statement (one index
    lookup), so that telling a retracted resource from one that never existed reads no journal."""

    def __init__(self) -> None:
        self._archive: Archive | None = None

    def __contains__(self, iri: str) -> bool:
        return self._archive is not None and index_for(self._archive).retracted(iri)

    def update(self, archive: Archive) -> Retracted:
        """Answer for ``archive`` (its index is brought level on each lookup); return self."""
        self._archive = archive
        return self


def exists(archive: Archive, iri: str) -> bool:
    """True when the archive holds any statement with ``iri`` as subject or object."""
    return bool(archive.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))


def retracted_history(
    archive: Archive, iri: str, retracted: Retracted | None = None
) -> list[Change] | None:
    """The history of ``iri`` when the archive held statements about it once and holds none now
    (a resource reverted or retracted): its last change is the retraction. None otherwise.
    ``retracted``: a kept :class:`Retracted`, so that an IRI never retracted is told apart
    without reading the journal."""
    try:
        ox.NamedNode(iri)  # an invalid IRI could otherwise change the query
    except ValueError:
        return None
    if retracted is not None and iri not in retracted.update(archive):
        return None
    if exists(archive, iri):
        return None
    history = resource_history(archive, iri)
    return history if history and history[-1].removed else None


def last_state(archive: Archive, history: list[Change]) -> OxigraphStore:
    """A small store holding what the archive said about a resource just before the last change
    of its ``history`` (its retraction): the statements, each in the graph of the change set
    that asserted it, those change sets' PROV-O descriptions, and the current labels of what the
    statements link. Built from the history and the store, not by replaying the archive."""
    state: dict[str, str] = {}
    for change in history[:-1]:
        for line in change.removed:
            state.pop(line, None)
        for line in change.added:
            state.setdefault(line, change.changeset)
    by_graph: dict[str, list[str]] = {}
    for line, graph in state.items():
        by_graph.setdefault(graph, []).append(line)
    quads: list[ox.Quad] = []
    for graph, lines in by_graph.items():
        node = ox.NamedNode(graph)
        text = "\n".join(lines).encode()
        quads += [
            ox.Quad(q.subject, q.predicate, q.object, node)
            for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
        ]
    linked = {
        term.value
        for q in quads
        for term in (q.subject, q.object)
        if isinstance(term, ox.NamedNode)
    }
    prov = archive.minter.provenance_graph
    quads += _copied(archive, _DESCRIPTIONS % prov, sorted(by_graph), ox.NamedNode(prov))
    quads += _copied(archive, _LABELS, sorted(linked), ox.NamedNode(_LABEL_GRAPH))
    store = OxigraphStore(archive.minter)
    store.store.extend(quads)
    return store


# What last_state copies from the store: change-set descriptions, and labels (kept in a graph of
# their own, so that they are not taken for statements about the resource).
_DESCRIPTIONS = "CONSTRUCT { ?x ?p ?o } WHERE { GRAPH <%s> { VALUES ?x { %%s } ?x ?p ?o } }"
_LABELS = (
    "CONSTRUCT { ?x ?p ?o } WHERE { VALUES ?x { %s } VALUES ?p { "
    "<http://www.w3.org/2000/01/rdf-schema#label> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> } ?x ?p ?o }"
)
_LABEL_GRAPH = "urn:dialogue-kg:labels"


def _copied(archive: Archive, query: str, iris: list[str], graph: ox.NamedNode) -> list[ox.Quad]:
    out: list[ox.Quad] = []
    for start in range(0, len(iris), 500):
        chunk = " ".join(f"<{iri}>" for iri in iris[start : start + 500])
        out += [
            ox.Quad(t.subject, t.predicate, t.object, graph) for t in archive.query(query % chunk)
        ]
    return out


def _change(record: Record, added: list[str], removed: list[str]) -> Change:
    return Change(
        revision=record.revision,
        changeset=record.changeset,
        agent=record.agent,
        time=record.time,
        sources=record.sources,
        comment=record.comment,
        added=added,
        removed=removed,
    )


def with_statements(record: Record) -> Change:
    """Change set ``record`` with the statements it added and removed, as N-Triples lines."""
    return _change(
        record,
        [statement_text(q) for q in record.added()],
        [statement_text(q) for q in record.removed()],
    )


def changes(archive: Archive, first: int = 1, last: int | None = None) -> Iterator[Change]:
    """Summaries of change sets ``first``..``last`` (statements omitted)."""
    for record in archive.records(first, last):
        yield _change(record, [], [])
