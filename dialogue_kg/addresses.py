"""Where the archive's resources live on its own site: the one mapping between an IRI and the
path of its page, both ways, and the ways a person may name a resource (its IRI, the address of
its page, a prefixed name such as ``id:agreement/x``, or its name).

Resources and topics are served at the path under the default base (``/id/…``, ``/topic/…``),
change sets and agents at ``/changeset/N`` and ``/agent/NAME`` under the archive's own base.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

import pyoxigraph as ox

from dialogue_kg.namespaces import DEFAULT_BASE, PREFIXES, Minter

# Characters kept as they are in a page's path (everything else is percent-encoded).
_SAFE = "/:@!$&'()*+,;=-._~"
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?typed WHERE {
  { ?s rdfs:label ?name } UNION { ?s skos:prefLabel ?name } UNION { ?s skos:altLabel ?name }
  FILTER(isIRI(?s) && LCASE(STR(?name)) = LCASE(%(text)s))
  BIND(EXISTS { ?s a %(cls)s } AS ?typed)
} ORDER BY DESC(?typed) STR(?s) LIMIT 2
"""


def page_prefixes(minter: Minter | None = None) -> list[tuple[str, str]]:
    """(IRI prefix, path prefix) of every kind of resource the site has pages for."""
    minter = minter or Minter()
    return [
        (DEFAULT_BASE + "id/", "/id/"),
        (DEFAULT_BASE + "topic/", "/topic/"),
        (minter.base + "changeset/", "/changeset/"),
        (minter.base + "agent/", "/agent/"),
    ]


def page_path(iri: str, minter: Minter | None = None) -> str | None:
    """The path of the page for ``iri`` on this site (``/id/agreement/x``), else None."""
    minter = minter or Minter()
    if minter.revision_of(iri) is not None:
        return f"/changeset/{minter.revision_of(iri)}"
    for prefix, path in page_prefixes(minter):
        if iri.startswith(prefix) and len(iri) > len(prefix):
            if path == "/changeset/":
                return None  # only /changeset/<number> is a page
            return path + quote(iri[len(prefix) :], safe=_SAFE)
    return None


def iri_at(address: str, minter: Minter | None = None, root: str = "") -> str | None:
    """The IRI whose page is at ``address`` (a path, or a URL on any host), else None. ``root``
    is the path the site is mounted under, if any."""
    path = urlsplit(address.strip()).path
    if root and path.startswith(root):
        path = path[len(root) :]
    for prefix, start in page_prefixes(minter):
        if path.startswith(start) and len(path) > len(start):
            iri = prefix + unquote(path[len(start) :])
            return iri if page_path(iri, minter) is not None else None
    return None


def expand(name: str) -> str | None:
    """The IRI a prefixed name stands for (``id:agreement/x``, ``dkg:Agreement``), else None."""
    prefix, colon, local = name.strip().partition(":")
    if not colon or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local


def resolve(archive, text: str, like: str | None = None) -> str | None:  # noqa: ANN001
    """The IRI a person means by ``text``: the address of a page here, a prefixed name, an IRI,
    or the exact name (any case, any language) of one resource; when several resources have
    that name, one of the class of ``like`` (an IRI of the kind wanted) comes first."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    here = iri_at(text, archive.minter)
    if here is not None:
        return here
    expanded = expand(text)
    if expanded is not None:
        return expanded
    if _ABSOLUTE.match(text) and " " not in text:
        return text
    if not text or len(text) > 300:
        return None
    cls = "?anything"
    if like:
        kinds = [
            r["c"].value
            for r in archive.query(f"SELECT ?c WHERE {{ {ox.NamedNode(like)} a ?c }} LIMIT 1")
        ]
        cls = str(ox.NamedNode(kinds[0])) if kinds else cls
    found = list(archive.query(_LABELLED % {"text": ox.Literal(text), "cls": cls}))
    return found[0]["s"].value if found else None
