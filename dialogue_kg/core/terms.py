"""Terms between pyoxigraph (the store's) and rdflib (the toolkit's, for pySHACL), and statements as
text."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

# The schemes an IRI may have to become a link on a page: javascript:, data:, vbscript: and
# every other scheme are shown as text.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def linkable(iri: str) -> bool:
    """True when ``iri`` may be a link's target: an absolute IRI (so no space or control
    character, which browsers strip to reveal another scheme) whose scheme is http, https or
    mailto, in any case."""
    scheme, colon, _ = iri.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def statement_text(q: ox.Quad | ox.Triple) -> str:
    """A statement as one N-Triples line, its graph left out (how history and the API list it)."""
    return f"{q.subject} {q.predicate} {q.object} ."


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal, *, lexical: bool = False) -> Node:
    """The rdflib term equal to a pyoxigraph term. With ``lexical``, a typed literal keeps its
    lexical form as written (rdflib would otherwise make "…T10:00:00Z" "…T10:00:00+00:00")."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False if lexical else None)
