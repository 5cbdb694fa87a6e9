"""The archive's ontology (``ontology/dialogue.ttl``), parsed once per process.

The validator needs its class hierarchy as pyoxigraph triples, the forms walk it with rdflib:
both take it from here, so the file is parsed once, by one parser.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from dialogue_kg.config import ontology_dir
from dialogue_kg.namespaces import XSD_IRI

_PLAIN = {XSD_IRI + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


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
        graph.add((_rdflib(t.subject), URIRef(t.predicate.value), _rdflib(t.object)))
    return graph


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """One pyoxigraph term as the rdflib term a Turtle parse would give."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype in _PLAIN else URIRef(datatype))
