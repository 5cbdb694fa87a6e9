"""A store behind any SPARQL 1.1 Query/Update endpoint (tested with Oxigraph server).

Queries go through SPARQLWrapper; changes are SPARQL Update requests, one per change set, so an
engine that runs an update atomically (Oxigraph does) never shows a half-applied change set. The
endpoint must answer queries on the union of its named graphs (``oxigraph serve
--union-default-graph``), as the embedded store does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..namespaces import Minter
from .base import QuadStore, QueryResult, StoreError

_BATCH = 2_000


class RemoteStore(QuadStore):
    """A remote SPARQL 1.1 endpoint as a query store."""

    def __init__(
        self,
        minter: Minter,
        query_url: str,
        update_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        super().__init__(minter)
        self.query_url, self.update_url = query_url, update_url
        self.user, self.password, self.timeout = user, password, timeout

    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setTimeout(int(self.timeout))
        if self.user:
            client.setCredentials(self.user, self.password or "")
        return client

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a query remotely; results come back as pyoxigraph objects."""
        client = self._client(self.query_url)
        client.setQuery(sparql)
        client.setMethod(POST)
        for g in default_graph or []:
            client.addDefaultGraph(g)
        for g in named_graphs or []:
            client.addNamedGraph(g)
        construct = client.queryType in {"CONSTRUCT", "DESCRIBE"}
        client.setReturnFormat(N3 if construct else JSON)
        if construct:
            client.addCustomHttpHeader("Accept", "application/n-triples")
        try:
            body = client.query().response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote query failed: {exc}") from exc
        if construct:
            return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request."""
        client = self._client(self.update_url)
        client.setMethod(POST)
        client.setRequestMethod("postdirectly")
        client.setQuery(sparql)
        try:
            client.query().response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote update failed: {exc}") from exc

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in a named graph (the archive writes nothing to the default graph)."""
        rows = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for row in rows:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def clear(self) -> None:
        """Drop every graph."""
        self.update("CLEAR ALL")

    def _present(self, statements: list[ox.Quad]) -> set[ox.Triple]:
        return {q.triple for q in self._holding(statements)}

    def _holding(self, triples: list[ox.Triple] | list[ox.Quad]) -> list[ox.Quad]:
        out: list[ox.Quad] = []
        for i in range(0, len(triples), _BATCH):
            values = " ".join(
                f"({t.subject} {t.predicate} {t.object})" for t in triples[i : i + _BATCH]
            )
            rows = self.query(
                f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o) {{ {values} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {self.provenance_graph}) }}"
            )
            out.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        return out

    def _write(self, remove: list[ox.Quad], add: list[ox.Quad]) -> None:
        parts = []
        if remove:
            parts.append("DELETE DATA { " + " ".join(_pattern(q) for q in remove) + " }")
        if add:
            parts.append("INSERT DATA { " + " ".join(_pattern(q) for q in add) + " }")
        if parts:
            self.update(" ;\n".join(parts))

    def _is_empty(self) -> bool:
        return not bool(self.query("ASK { GRAPH ?g { ?s ?p ?o } }"))


def _pattern(q: ox.Quad) -> str:
    return f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} . }}"
