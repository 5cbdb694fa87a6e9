"""The embedded store: Oxigraph through pyoxigraph, in memory or on disk (RocksDB)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.core.store.base import ApplyStats, QuadStore, QueryResult, StoreError
from dialogue_kg.namespaces import Minter

# Above this many quads a change set is written with Store.extend (one native transaction)
# rather than a SPARQL update string, which would have to be built and parsed again.
_UPDATE_LIMIT = 20_000


class OxigraphStore(QuadStore):
    """pyoxigraph ``Store``; in memory when ``path`` is None."""

    def __init__(self, minter: Minter, path: Path | None = None) -> None:
        super().__init__(minter)
        self.path = path
        try:
            self.store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a query on the union default graph (or the given graphs)."""
        kwargs: dict = {}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self.store.query(sparql, **kwargs)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad."""
        return iter(self.store.quads_for_pattern(None, None, None, None))

    def clear(self) -> None:
        """Remove everything."""
        self.store.clear()

    def dump(self, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
        """Serialise natively (much faster than going through Python objects)."""
        return self.store.dump(format=fmt)

    def __len__(self) -> int:
        return len(self.store)

    def _is_empty(self) -> bool:
        # len(Store) counts every quad (~50 ms at 1M); looking for one quad is O(1).
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def apply_ntriples(
        self, graph: ox.NamedNode, ntriples: bytes, provenance: Iterable[ox.Quad], count: int
    ) -> ApplyStats:
        """Load the text natively into ``graph``, then add the change set's description.

        Two transactions, statements first: the description (and with it the store's revision)
        only appears once the statements are in, so a crash between the two leaves a store that
        re-applies the record on the next start (a statement already in its own graph is kept).
        """
        # The text was serialised by pyoxigraph from parsed terms: lenient parsing only skips
        # re-validating what is already known to be valid.
        self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True)
        self.store.extend(list(provenance))
        return ApplyStats(added=count)

    def data_keys(self, limit: int) -> set[bytes] | None:
        """Read every quad once (at most ``limit`` of them) and keep the data triples."""
        quads = list(islice(self.store.quads_for_pattern(None, None, None, None), limit + 1))
        if len(quads) > limit:
            return None
        prov = self.provenance_graph
        triples = [q.triple for q in quads if q.graph_name != prov]
        keys = set(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).split(b" .\n"))
        keys.discard(b"")
        return keys

    def _present(self, statements: list[ox.Quad]) -> set[ox.Triple]:
        found = set()
        prov = self.provenance_graph
        for t in statements:
            for q in self.store.quads_for_pattern(t.subject, t.predicate, t.object, None):
                if q.graph_name != prov:
                    found.add(q.triple)
                    break
        return found

    def _holding(self, triples: list[ox.Triple]) -> list[ox.Quad]:
        prov = self.provenance_graph
        out = []
        for t in triples:
            for q in self.store.quads_for_pattern(t.subject, t.predicate, t.object, None):
                if q.graph_name != prov and not isinstance(q.graph_name, ox.DefaultGraph):
                    out.append(q)
        return out

    def _write(self, remove: list[ox.Quad], add: list[ox.Quad]) -> None:
        if not remove:
            self.store.extend(add)
        elif len(remove) + len(add) <= _UPDATE_LIMIT:
            parts = []
            if remove:
                parts.append("DELETE DATA { " + " ".join(_quad_pattern(q) for q in remove) + " }")
            if add:
                parts.append("INSERT DATA { " + " ".join(_quad_pattern(q) for q in add) + " }")
            self.store.update(" ;\n".join(parts))
        else:
            # Two native transactions: readers may briefly see the retraction before the
            # additions. The journal, not the store, is what must never be half-written.
            for q in remove:
                self.store.remove(q)
            self.store.extend(add)

    def close(self) -> None:
        """Flush an on-disk store."""
        if self.path is not None:
            self.store.flush()
        del self.store


def _quad_pattern(q: ox.Quad) -> str:
    triple = f"{q.subject} {q.predicate} {q.object} ."
    if isinstance(q.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {q.graph_name} {{ {triple} }}"
