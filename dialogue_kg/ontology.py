"""The archive's ontology (``ontology/dialogue.ttl``), parsed once per process.

The validator needs its class hierarchy as pyoxigraph triples, the forms walk it with rdflib:
both take it from here, so the file is parsed once, by one parser.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dialogue_kg.config import ontology_dir
from dialogue_kg.namespaces import XSD_IRI


@functools.cache
def ontology_triples(path: Path | None = None) -> tuple[ox.Triple, ...]:
    """Every triple of the ontology file (default: the archive's ``dialogue.ttl``)."""
    source = path if path is not None else ontology_dir() / "dialogue.ttl"
    return tuple(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE))


@functools.cache
def ontology_graph(path: Path | None = None) -> Graph:
    """The same triples as an rdflib Graph, built from :func:`ontology_triples` (no second
    parse). Callers must not change it: it is shared."""
    graph = Graph()
    for t in ontology_triples(path):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal, *, lexical: bool = False) -> Node:
    """The rdflib term equal to a pyoxigraph term (the ontology graph and pySHACL's data graph
    are built by it). With ``lexical``, a typed literal keeps its lexical form as written (rdflib
    would otherwise make "…T10:00:00Z" "…T10:00:00+00:00")."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == XSD_IRI + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False if lexical else None)
