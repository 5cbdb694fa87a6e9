"""One resource described for people and machines: its labels in a language, its statements
(outgoing and incoming) with labelled neighbours, and which change set asserted each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from dialogue_kg.labels import Queryable, local_name, pick
from dialogue_kg.labels import labels as label_map
from dialogue_kg.namespaces import DEFAULT_BASE
from dialogue_kg.namespaces import RDF_TYPE_IRI as RDF_TYPE
from dialogue_kg.namespaces import RDFS_IRI as RDFS
from dialogue_kg.namespaces import SKOS_IRI as SKOS

DKG = DEFAULT_BASE + "ontology#"
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel")
DESCRIPTION_PROPERTIES = (DKG + "abstract", RDFS + "comment", SKOS + "definition")
# Incoming statements beyond this many are counted but not listed (hubs such as a topic or an
# organisation may be the object of thousands of statements in a large archive).
INCOMING_LIMIT = 250


@dataclass
class Node:
    """An IRI with its label, or a literal with its language and datatype."""

    value: str
    is_iri: bool
    label: str | None = None
    language: str | None = None
    datatype: str | None = None

    @property
    def text(self) -> str:
        """What to show: the label of an IRI (else the IRI), the text of a literal."""
        return self.label or self.value


@dataclass
class Statement:
    """One statement about the resource: the property, the other end, and its change set."""

    predicate: Node
    other: Node
    graph: str | None


@dataclass
class Provenance:
    """Who asserted the statements of one change set, when, from which sources, and why."""

    changeset: str
    revision: int | None
    agent: str
    time: str
    sources: list[Node] = field(default_factory=list)
    comment: str | None = None


@dataclass
class Description:
    """Everything a resource page shows about one IRI."""

    iri: str
    label: str
    description: str | None
    types: list[Node]
    outgoing: list[Statement]
    incoming: list[Statement]
    incoming_total: int
    provenance: dict[str, Provenance]
    sources: list[Node]
    description_language: str = ""
    label_language: str = ""

    def backing(self, statement: Statement) -> list[Node]:
        """The sources behind one statement: the source it names (a ``dkg:source`` statement),
        else the sources of its change set that this resource itself cites, else all of that
        change set's sources when they are few (three at most); [] when that narrows nothing
        (the page then names the change set only)."""
        if statement.predicate.value == DKG + "source" and statement.other.is_iri:
            return [statement.other]
        entry = self.provenance.get(statement.graph or "")
        if entry is None:
            return []
        cited = {n.value for n in self.sources}
        narrowed = [n for n in entry.sources if n.value in cited]
        if narrowed:
            return narrowed
        return list(entry.sources) if len(entry.sources) <= 3 else []

    def values(self, predicate: str) -> list[Node]:
        """The objects of one outgoing property."""
        return [s.other for s in self.outgoing if s.predicate.value == predicate]

    def first(self, predicate: str) -> str | None:
        """The first object value of one outgoing property, if any."""
        found = self.values(predicate)
        return found[0].value if found else None

    def neighbours(self, limit: int = 16) -> list[tuple[Node, str, bool]]:
        """Distinct linked resources (node, property label, outgoing?), at most ``limit``."""
        seen: dict[str, tuple[Node, str, bool]] = {}
        for statements, out in ((self.outgoing, True), (self.incoming, False)):
            for s in statements:
                if s.other.is_iri and s.predicate.value != RDF_TYPE and s.other.value != self.iri:
                    seen.setdefault(s.other.value, (s.other, s.predicate.text, out))
        return list(seen.values())[:limit]

    def triples(self) -> list[ox.Triple]:
        """The statements as RDF triples: every outgoing one and the listed incoming ones."""
        me = ox.NamedNode(self.iri)
        out = [
            ox.Triple(me, ox.NamedNode(s.predicate.value), _term(s.other)) for s in self.outgoing
        ]
        out += [
            ox.Triple(ox.NamedNode(s.other.value), ox.NamedNode(s.predicate.value), me)
            for s in self.incoming
        ]
        return out

    def quads(self) -> list[ox.Quad]:
        """The statements in the named graphs of the change sets that asserted them."""
        triples = self.triples()
        statements = [*self.outgoing, *self.incoming]
        return [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(s.graph) if s.graph else None)
            for t, s in zip(triples, statements, strict=True)
        ]


def _term(node: Node) -> ox.NamedNode | ox.Literal:
    if node.is_iri:
        return ox.NamedNode(node.value)
    if node.language:
        return ox.Literal(node.value, language=node.language)
    if node.datatype:
        return ox.Literal(node.value, datatype=ox.NamedNode(node.datatype))
    return ox.Literal(node.value)


def node_of(term: Any) -> Node:
    """A pyoxigraph term as a :class:`Node` (unlabelled)."""
    if isinstance(term, ox.NamedNode):
        return Node(term.value, True)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else None
        return Node(term.value, False, language=term.language, datatype=datatype)
    return Node(str(term), False)


def parse_statement(line: str) -> tuple[Node, Node, Node] | None:
    """An N-Triples line (as history lists changes) as (subject, predicate, object) nodes,
    unlabelled; None when the line is not one statement."""
    try:
        found = list(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        return None
    if len(found) != 1:
        return None
    t = found[0]
    return node_of(t.subject), node_of(t.predicate), node_of(t.object)


_OUTGOING = "SELECT ?p ?o ?g WHERE { GRAPH ?g { <%s> ?p ?o } }"
_INCOMING = "SELECT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p <%s> } } LIMIT %d"
_INCOMING_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p <%s> } }"
# VALUES inside GRAPH: Oxigraph 0.5 then looks each change set up (0.3 ms at 1M quads) rather
# than joining the whole provenance graph with the list (16 ms).
_PROVENANCE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?g ?rev ?who ?when ?src ?comment WHERE {
  GRAPH <%s> {
    VALUES ?g { %s }
    ?g prov:wasAttributedTo ?who ; prov:generatedAtTime ?when .
    OPTIONAL { ?g dkg:revision ?rev }
    OPTIONAL { ?g dct:source ?src }
    OPTIONAL { ?g rdfs:comment ?comment }
  }
}
"""


def describe(source: Queryable, iri: str, lang: str, provenance_graph: str) -> Description | None:
    """Describe ``iri`` in ``lang``; None when the archive says nothing about it (or ``iri`` is
    not a valid IRI, which could otherwise change the queries)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return None
    outgoing = [
        Statement(node_of(r["p"]), node_of(r["o"]), r["g"].value)
        for r in source.query(_OUTGOING % iri)
    ]
    incoming = [
        Statement(node_of(r["p"]), node_of(r["s"]), r["g"].value)
        for r in source.query(_INCOMING % (iri, INCOMING_LIMIT))
    ]
    if not outgoing and not incoming:
        return None
    total = len(incoming)
    if total == INCOMING_LIMIT:
        total = int(next(iter(source.query(_INCOMING_COUNT % iri)))["n"].value)
    # A statement in the provenance graph describes a change set; it is not from one.
    for s in (*outgoing, *incoming):
        if s.graph == provenance_graph:
            s.graph = None
    outgoing.sort(key=lambda s: (s.predicate.value, s.other.value))
    incoming.sort(key=lambda s: (s.predicate.value, s.other.value))

    graphs = {s.graph for s in (*outgoing, *incoming) if s.graph}
    provenance = _provenance(source, graphs, provenance_graph)
    sources_iris = [s.other for s in outgoing if s.predicate.value == DKG + "source"]
    iris = {iri}
    for s in (*outgoing, *incoming):
        iris.add(s.predicate.value)
        if s.other.is_iri:
            iris.add(s.other.value)
    for p in provenance.values():
        iris.update(n.value for n in p.sources)
    names = label_map(source, iris, lang)
    for s in (*outgoing, *incoming):
        s.predicate.label = names.get(s.predicate.value) or local_name(s.predicate.value)
        if s.other.is_iri:
            s.other.label = names.get(s.other.value)
    for p in provenance.values():
        for n in p.sources:
            n.label = names.get(n.value)

    descriptions = [
        (s.other.value, s.other.language or "")
        for prop in DESCRIPTION_PROPERTIES
        for s in outgoing
        if s.predicate.value == prop and not s.other.is_iri
    ]
    description, description_language = pick(descriptions, lang) or (None, "")
    own_labels = [
        (s.other.value, s.other.language or "")
        for s in outgoing
        if s.predicate.value in LABEL_PROPERTIES and not s.other.is_iri
    ]
    return Description(
        iri=iri,
        label=names.get(iri) or local_name(iri),
        label_language=(pick(own_labels, lang) or ("", ""))[1],
        description=description,
        description_language=description_language,
        types=[s.other for s in outgoing if s.predicate.value == RDF_TYPE],
        outgoing=outgoing,
        incoming=incoming,
        incoming_total=total,
        provenance=provenance,
        sources=sources_iris,
    )


def _provenance(source: Queryable, graphs: set[str], prov_graph: str) -> dict[str, Provenance]:
    out: dict[str, Provenance] = {}
    ordered = sorted(graphs)
    for start in range(0, len(ordered), 500):
        chunk = " ".join(f"<{g}>" for g in ordered[start : start + 500])
        for row in source.query(_PROVENANCE % (prov_graph, chunk)):
            g = row["g"].value
            entry = out.get(g)
            if entry is None:
                rev = row["rev"]
                entry = out[g] = Provenance(
                    changeset=g,
                    revision=int(rev.value) if rev is not None else None,
                    agent=row["who"].value,
                    time=row["when"].value,
                    comment=row["comment"].value if row["comment"] is not None else None,
                )
            src = row["src"]
            if src is not None and all(n.value != src.value for n in entry.sources):
                entry.sources.append(Node(src.value, True))
    return out
