"""Corrections that keep everything: reverting a change set and retracting a resource are new
change sets computed from the current state; the journal keeps what they undo.

Each is computed while the store is held still, then committed with the journal head it was
computed from (:meth:`Archive.commit_computed`), so a write that lands in between makes it
recompute instead of undoing the wrong thing.
"""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet, InputError
from dialogue_kg.core.journal import Record


def _key(triple: ox.Triple | ox.Quad) -> bytes:
    return f"{triple.subject} {triple.predicate} {triple.object}".encode()


def _record(archive: Archive, revision: int) -> Record:
    if not 1 <= revision <= archive.revision:
        raise InputError(
            f"no change set {revision}: the archive has change sets 1 to {archive.revision}"
        )
    return next(archive.records(revision, revision))


def _current(archive: Archive, triples: list[ox.Triple]) -> set[bytes]:
    """Keys of the ``triples`` that some data graph holds now."""
    prov = archive.store.provenance_graph
    found: set[bytes] = set()
    for i in range(0, len(triples), 200):
        values = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in triples[i : i + 200])
        rows = archive.store.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {prov}) }}"
        )
        found.update(_key(ox.Triple(r["s"], r["p"], r["o"])) for r in rows)
    return found


def revert_changeset(revision: int, archive: Archive) -> ChangeSet:
    """The change set that undoes change set ``revision`` on the current state.

    It retracts the statements that change set was first to assert and that are still current
    (unless a later change set asserted them too), and restores the statements it retracted that
    held before it and do not hold now.
    """
    record = _record(archive, revision)
    graph = ox.NamedNode(record.changeset)
    mine = _graph_triples(archive, graph)
    retracted = [ox.Triple(q.subject, q.predicate, q.object) for q in record.removed()]
    wanted = {_key(t) for t in mine} | {_key(t) for t in retracted}
    later = _last_actions(archive, wanted, record.revision + 1, None)
    before = _last_actions(archive, {_key(t) for t in retracted}, 1, record.revision - 1)
    remove = [t for t in mine if later.get(_key(t)) != b"A"]
    now = _current(archive, retracted)
    restore = [t for t in retracted if before.get(_key(t)) == b"A" and _key(t) not in now]
    if not remove and not restore:
        raise InputError(
            f"change set {revision} has nothing left to revert: its statements were already "
            "changed by later change sets"
        )
    return ChangeSet(
        added=restore,
        removed=remove,
        sources=[record.changeset],
        comment=f"Revert of change set {revision}",
    )


def _graph_triples(archive: Archive, graph: ox.NamedNode) -> list[ox.Triple]:
    rows = archive.store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]


def _last_actions(
    archive: Archive, keys: set[bytes], first: int, last: int | None
) -> dict[bytes, bytes]:
    """For each statement key, the last thing records ``first``..``last`` did to it (A or D;
    within one record retractions come first, as the store applies them)."""
    found: dict[bytes, bytes] = {}
    if not keys or (last is not None and last < first):
        return found
    for record in archive.records(first, last):
        for tag, statements in ((b"D", record.removed()), (b"A", record.added())):
            for q in statements:
                key = _key(q)
                if key in keys:
                    found[key] = tag
    return found


def revert(
    archive: Archive, revision: int, *, agent: str, comment: str | None = None
) -> list[Record]:
    """Commit a new change set undoing change set ``revision``; history keeps both."""

    def build() -> list[ChangeSet]:
        cs = revert_changeset(revision, archive)
        if comment:
            cs.comment = f"{cs.comment}: {comment}"
        return [cs]

    return archive.commit_computed(build, agent=agent)


def retract_changeset(
    archive: Archive, iri: str, *, sources: list[str], comment: str | None = None
) -> ChangeSet:
    """The change set retracting every current statement about ``iri`` (as subject or object)."""
    prov = archive.store.provenance_graph
    node = ox.NamedNode(iri)
    rows = archive.store.query(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ "
        f"{{ GRAPH ?g {{ {node} ?p ?o }} BIND({node} AS ?s) }} UNION "
        f"{{ GRAPH ?g {{ ?s ?p {node} }} BIND({node} AS ?o) }} FILTER(?g != {prov}) }}"
    )
    removed = [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]
    if not removed:
        raise InputError(f"<{iri}> has no current statements to retract")
    return ChangeSet(
        removed=removed, sources=list(sources), comment=comment or f"Retraction of <{iri}>"
    )


def retract(
    archive: Archive,
    iri: str,
    *,
    agent: str,
    sources: list[str],
    comment: str | None = None,
) -> list[Record]:
    """Commit a change set retracting every current statement about ``iri``."""
    if not iri.startswith(("http://", "https://", "urn:")):
        raise InputError(f"{iri!r} is not an IRI")
    return archive.commit_computed(
        lambda: [retract_changeset(archive, iri, sources=sources, comment=comment)], agent=agent
    )
