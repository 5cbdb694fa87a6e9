"""Dumps of the whole archive, current or as of a revision."""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.formats import Format
from dialogue_kg.core.history import as_of
from dialogue_kg.core.store.base import QuadStore
from dialogue_kg.errors import UsageError


def export(archive: Archive, fmt: Format, revision: int | None = None) -> bytes:
    """The archive serialised in ``fmt``; dataset formats keep the change-set graphs, graph
    formats (Turtle, N-Triples, RDF/XML) carry the union of the statements."""
    store: QuadStore = archive.store if revision is None else as_of(archive, revision)
    if fmt.rdf is None:
        raise UsageError(f"{fmt.name} is not an RDF format")
    if fmt.rdf.supports_datasets:
        return store.dump(fmt.rdf)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    return ox.serialize(sorted(triples, key=str), format=fmt.rdf)
