"""Which IRIs may be links, and statements as text. (Terms from pyoxigraph to rdflib:
:func:`dialogue_kg.ontology.to_rdflib`.)"""

from __future__ import annotations

import pyoxigraph as ox

# The schemes an IRI may have to become a link on a page: javascript:, data:, vbscript: and
# every other scheme are shown as text.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def linkable(iri: str) -> bool:
    """True when ``iri`` may be a link's target: an absolute IRI (so no space or control
    character, which browsers strip to reveal another scheme) whose scheme is http, https or
    mailto, in any case."""
    scheme, colon, _ = iri.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        return False
    if any(char.isspace() for char in iri):  # oxiri takes no-break and other Unicode spaces
        return False
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def statement_text(q: ox.Quad | ox.Triple) -> str:
    """A statement as one N-Triples line, its graph left out (how history and the API list it)."""
    return f"{q.subject} {q.predicate} {q.object} ."
