"""A store behind any SPARQL 1.1 Query/Update endpoint (tested with Oxigraph server and Virtuoso).

Queries go through SPARQLWrapper; changes are SPARQL Update requests, one per change set, so an
engine that runs an update atomically (Oxigraph does) never shows a half-applied change set. The
endpoint must answer queries on the union of its named graphs (``oxigraph serve
--union-default-graph``; Virtuoso does so by default), as the embedded store does.

Virtuoso quirks handled here (docs/remote-engines.md): ASK answered as a one-row result set,
blank nodes written ``nodeID://…``, no blank nodes in ``INSERT DATA``, HTTP Digest rather than
Basic authentication on ``/sparql-auth``, and graphs of its own beside the archive's.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException, Unauthorized

from dialogue_kg.core.store.base import QuadStore, QueryResult, StoreError
from dialogue_kg.namespaces import Minter

_BATCH = 2_000
# SPARQLWrapper's DIGEST mode installs a process-wide urllib opener (with a Digest handler that
# raises on any other challenge, e.g. ``Bearer``); requests are run under this lock and the
# previous opener is put back afterwards, so other urllib users in the process are unaffected.
_OPENER_LOCK = threading.Lock()


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
        self._digest = False  # switched on when the server asks for Digest (Virtuoso does)
        self._prologue: str | None = None  # Virtuoso pragmas hiding its own graphs

    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url)
        client.setTimeout(int(self.timeout))
        if self.user:
            client.setCredentials(self.user, self.password or "")
            if self._digest:
                client.setHTTPAuth(DIGEST)
        return client

    def _send(self, client: SPARQLWrapper) -> bytes:
        """Run a request; on 401 with credentials, retry once with HTTP Digest."""
        try:
            return _run(client)
        except Unauthorized:
            if not self.user or self._digest:
                raise
            self._digest = True
            client.setHTTPAuth(DIGEST)
            return _run(client)

    def _hide_foreign_graphs(self) -> str:
        """Virtuoso pragmas that keep its own graphs out of the archive's queries ('' elsewhere).

        Virtuoso's default graph is the union of every graph it holds, its system graphs
        (``virtrdf#``, ``ldp#``, …) included; ``input:*-graph-exclude`` leaves them out.
        """
        if self._prologue is not None:
            return self._prologue
        client = self._client(self.query_url)
        client.setQuery(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER(!STRSTARTS(STR(?g), "{self.minter.base}")) }}'
        )
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setOnlyConneg(True)
        try:
            with _kept_opener():
                response = client.query()
                body = response.response.read()
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote query failed: {exc}") from exc
        self._prologue = ""
        if "virtuoso" in (response.info().get("server") or "").lower():
            rows = json.loads(body)["results"]["bindings"]
            self._prologue = "".join(
                f"define input:default-graph-exclude <{r['g']['value']}>\n"
                f"define input:named-graph-exclude <{r['g']['value']}>\n"
                for r in rows
            )
        return self._prologue

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
        kind = client.queryType
        prologue = self._hide_foreign_graphs()
        if prologue:
            client.setQuery(prologue + sparql)
            client.queryType = kind  # SPARQLWrapper cannot see past the pragmas
        client.setMethod(POST)
        for g in default_graph or []:
            client.addDefaultGraph(g)
        for g in named_graphs or []:
            client.addNamedGraph(g)
        construct = kind in {"CONSTRUCT", "DESCRIBE"}
        client.setReturnFormat(N3 if construct else JSON)
        # Content negotiation only: Virtuoso answers 406 to format=n3 with an N-Triples Accept.
        client.setOnlyConneg(True)
        if construct:
            client.addCustomHttpHeader("Accept", "application/n-triples")
        ask = kind == "ASK"
        try:
            body = self._send(client)
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote query failed: {exc}") from exc
        if construct:
            return [q.triple for q in ox.parse(_bnode_ids(body), format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(_results(body, ask), format=ox.QueryResultsFormat.JSON)

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request."""
        client = self._client(self.update_url)
        client.setMethod(POST)
        client.setRequestMethod("postdirectly")
        client.setQuery(sparql)
        try:
            self._send(client)
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreError(f"remote update failed: {exc}") from exc

    def _own(self, var: str) -> str:
        """A filter keeping the archive's graphs (the engine may hold graphs of its own)."""
        return f'FILTER(STRSTARTS(STR(?{var}), "{self.minter.base}"))'

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad in the archive's named graphs (it writes nothing to the default graph)."""
        own = self._own("g")
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {own} }}")
        for row in rows:
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    def clear(self) -> None:
        """Drop the archive's graphs (and only those: Virtuoso keeps its own in the same store)."""
        own = self._own("g")
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {own} }}")
        graphs = [row["g"] for row in rows]
        for i in range(0, len(graphs), _BATCH):
            self.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs[i : i + _BATCH]))

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
            body = " ".join(_pattern(q) for q in add)
            if any(isinstance(t, ox.BlankNode) for q in add for t in (q.subject, q.object)):
                # INSERT DATA may not hold blank nodes on Virtuoso; INSERT … WHERE {} may.
                parts.append("INSERT { " + body + " } WHERE {}")
            else:
                parts.append("INSERT DATA { " + body + " }")
        if parts:
            self.update(" ;\n".join(parts))

    def _is_empty(self) -> bool:
        return not bool(self.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {self._own('g')} }}"))


@contextmanager
def _kept_opener() -> Iterator[None]:
    """Leave urllib's global opener as it was, whatever SPARQLWrapper installs meanwhile."""
    with _OPENER_LOCK:
        previous = urllib.request._opener  # noqa: SLF001 - restoring what SPARQLWrapper replaces
        try:
            yield
        finally:
            urllib.request.install_opener(previous)


def _run(client: SPARQLWrapper) -> bytes:
    """Send the request and read the body."""
    with _kept_opener():
        return client.query().response.read()


def _pattern(q: ox.Quad) -> str:
    return f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} . }}"


_NOT_LABEL = re.compile(r"[^A-Za-z0-9_]")


def _results(body: bytes, ask: bool) -> bytes:
    """SPARQL JSON results as pyoxigraph reads them, whatever the engine's dialect.

    Virtuoso answers ASK with a one-row table (``__ASK_RETVAL``) and names blank nodes
    ``nodeID://b1``, which is not a blank-node label.
    """
    if not ask and b"nodeID://" not in body:
        return body  # the common case: nothing to rewrite, no second parse
    data = json.loads(body)
    variables = data.get("head", {}).get("vars", [])
    if ask and variables == ["__ASK_RETVAL"]:
        rows = data["results"]["bindings"]
        value = rows[0]["__ASK_RETVAL"]["value"] if rows else "0"
        return json.dumps({"head": {}, "boolean": value not in ("0", "false")}).encode()
    changed = False
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode" and _NOT_LABEL.search(term["value"]):
                term["value"] = _NOT_LABEL.sub("_", term["value"])
                changed = True
    return json.dumps(data).encode() if changed else body


def _bnode_ids(body: bytes) -> bytes:
    """N-Triples with Virtuoso's ``<nodeID://b1>`` written as blank nodes."""
    if b"nodeID://" not in body:
        return body
    return re.sub(rb"<nodeID://([A-Za-z0-9_]+)>", rb"_:\1", body)
