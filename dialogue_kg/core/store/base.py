"""The store contract: one small interface that every query store implements.

A store is an index derived from the journal, never the system of record. It holds each current
statement once, in the named graph of the earliest change set that asserted it and has not been
retracted; a later change set asserting the same statement corroborates it (the journal keeps both
assertions). Change-set descriptions (PROV-O) sit in one provenance graph. Queries see the union of
all graphs as their default graph, so a plain query sees everything and ``GRAPH ?g`` gives
provenance. Keeping one copy means the union never repeats a triple (pyoxigraph 0.5's union default
graph returns a triple once per graph that holds it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Union

import pyoxigraph as ox

from dialogue_kg.errors import DialogueKGError
from dialogue_kg.namespaces import Minter

QueryResult = Union[ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples, list]  # noqa: UP007

_CHUNK = 500


class StoreError(DialogueKGError):
    """The store cannot do what was asked."""

    status, kind = 500, "store"


class QueryTimeout(StoreError):
    """A query ran past its time limit and was stopped."""

    status, kind = 503, "timeout"


@dataclass
class ApplyStats:
    """What applying one change set did to the store."""

    added: int = 0
    corroborated: int = 0
    removed: int = 0


class QuadStore(ABC):
    """A SPARQL-capable quad store kept current from the journal."""

    def __init__(self, minter: Minter) -> None:
        self.minter = minter
        self.provenance_graph = ox.NamedNode(minter.provenance_graph)

    # -- what every implementation provides ------------------------------------------------------

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query; the default graph is the union of all graphs unless given."""

    @abstractmethod
    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in the store."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything (before a rebuild)."""

    @abstractmethod
    def _present(self, statements: list[ox.Quad]) -> set[ox.Triple]:
        """The triples of ``statements`` that some data graph already holds."""

    @abstractmethod
    def _holding(self, triples: list[ox.Triple]) -> list[ox.Quad]:
        """Every quad of a data graph whose triple is one of ``triples``."""

    @abstractmethod
    def _write(self, remove: list[ox.Quad], add: list[ox.Quad]) -> None:
        """Remove then add quads, as one transaction where the engine allows it."""

    def close(self) -> None:  # noqa: B027 - optional hook, most stores hold nothing to release
        """Release resources."""

    # -- shared behaviour -------------------------------------------------------------------------

    def applied_revision(self) -> int:
        """The last journal revision applied to this store (0 if none)."""
        rows = list(
            self.query(
                "SELECT (MAX(?r) AS ?m) WHERE { GRAPH ?g { ?cs <https://w3id.org/dialogue-kg/"
                "ontology#revision> ?r } }",
                default_graph=None,
                named_graphs=[self.provenance_graph.value],
            )
        )
        if not rows or rows[0]["m"] is None:
            return 0
        return int(rows[0]["m"].value)

    def apply(
        self,
        graph: ox.NamedNode,
        added: list[ox.Quad],
        removed: list[ox.Quad],
        provenance: Iterable[ox.Quad] = (),
    ) -> ApplyStats:
        """Apply one change set: retract ``removed``, assert ``added`` (quads already in
        ``graph``, the change set's graph), and add its description ``provenance``."""
        stats = ApplyStats()
        remove: list[ox.Quad] = []
        gone: set[ox.Triple] = set()
        if removed:
            remove = self._holding(list({q.triple for q in removed}))
            gone = {q.triple for q in remove}
            stats.removed = len(gone)
        present = self._present(added) - gone if added and not self._is_empty() else set()
        if present:
            add = [q for q in added if q.triple not in present]
            stats.corroborated = len(present)
        else:
            add = list(added)  # the common case, kept free of per-statement work
        stats.added = len(add)
        add.extend(provenance)
        self._write(remove, add)
        return stats

    def apply_ntriples(
        self, graph: ox.NamedNode, ntriples: bytes, provenance: Iterable[ox.Quad], count: int
    ) -> ApplyStats:
        """Assert ``count`` statements given as N-Triples lines in ``graph``, for a caller that
        knows no data graph holds any of them (a bulk load): nothing needs checking statement
        by statement, and a store that can load text natively does so."""
        triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True)
        added = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        return self.apply(graph, added, [], provenance)

    def data_keys(self, limit: int) -> set[bytes] | None:  # noqa: ARG002 - see subclasses
        """Every triple held outside the provenance graph, as an N-Triples line without its
        closing `` .`` and line break; None when the store holds more than ``limit`` quads (or
        the store cannot tell cheaply)."""
        return None

    def describe(self, subjects: Iterable[str]) -> list[ox.Triple]:
        """Every current statement whose subject is one of ``subjects``."""
        out: list[ox.Triple] = []
        subjects = list(dict.fromkeys(subjects))
        for i in range(0, len(subjects), _CHUNK):
            values = " ".join(f"<{s}>" for s in subjects[i : i + _CHUNK])
            for row in self.query(
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
            ):
                out.append(ox.Triple(row["s"], row["p"], row["o"]))
        return out

    def dump(self, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
        """The whole store serialised (a dataset format)."""
        return ox.serialize(self.quads(), format=fmt)

    def sorted_nquads(self) -> list[str]:
        """Every quad as an N-Quads line, sorted: the canonical form for comparing stores."""
        return sorted(f"{q} ." for q in self.quads())

    def _is_empty(self) -> bool:
        return not bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
