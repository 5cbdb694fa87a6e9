"""The archive's IRIs: vocabularies it reuses and the patterns of the IRIs it mints."""

from __future__ import annotations

import re

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

DEFAULT_BASE = "https://w3id.org/dialogue-kg/"

DKG = Namespace(DEFAULT_BASE + "ontology#")
DKGSH = Namespace(DEFAULT_BASE + "shapes#")
SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

# The same namespaces as plain text, for code that builds IRIs as strings (pyoxigraph terms,
# SPARQL text): the terms of an rdflib Namespace are URIRefs, never equal to plain strings.
DKG_IRI = str(DKG)
PROV_IRI = str(PROV)
DCT_IRI = str(DCTERMS)
SKOS_IRI = str(SKOS)
RDFS_IRI = str(RDFS)
XSD_IRI = str(XSD)
SH_IRI = str(SH)
DCAT_IRI = str(DCAT)
RDF_TYPE_IRI = str(RDF.type)

PREFIXES: dict[str, str] = {
    "dkg": str(DKG),
    "id": DEFAULT_BASE + "id/",
    "topic": DEFAULT_BASE + "topic/",
    "cs": DEFAULT_BASE + "changeset/",
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "skos": str(SKOS),
    "org": str(ORG),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "time": str(TIME),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}

_SLUG_RE = re.compile(r"[^a-z0-9]+")
# The IRIs only the archive describes (the PROV-O record of every change), by path under the base.
_RESERVED = (
    ("changeset/", "a change set"),
    ("agent/", "an agent"),
    ("graph/", "a named graph of the archive"),
)


class Minter:
    """Mints the archive's IRIs under one configurable base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not base.endswith("/"):
            base += "/"
        self.base = base

    def changeset(self, revision: int) -> str:
        """IRI of the change set that is revision ``revision`` of the journal."""
        return f"{self.base}changeset/{revision}"

    def agent(self, name: str) -> str:
        """IRI of an archive user or tool (``name`` is slugified)."""
        return f"{self.base}agent/{slugify(name)}"

    def resource(self, kind: str, slug: str) -> str:
        """IRI of a described resource, ``…/id/{kind}/{slug}``."""
        return f"{self.base}id/{kind}/{slugify(slug)}"

    def genid(self, key: str) -> str:
        """Skolem IRI standing for a blank node (RDF 1.1 §3.5)."""
        return f"{self.base}.well-known/genid/{key}"

    @property
    def provenance_graph(self) -> str:
        """The named graph that holds the PROV-O description of every change set."""
        return f"{self.base}graph/changesets"

    @property
    def reserved_prefixes(self) -> tuple[str, ...]:
        """IRI prefixes of what the archive alone describes: change sets, agents, its graphs."""
        return tuple(self.base + path for path, _ in _RESERVED)

    def reserved(self, iri: str) -> str | None:
        """What ``iri`` names if only the archive may describe it ("a change set", "an agent",
        "a named graph of the archive"), else None."""
        for path, what in _RESERVED:
            if iri.startswith(self.base + path):
                return what
        return None

    def agent_name(self, iri: str) -> str | None:
        """The name in an agent IRI minted by ``agent``, or None if ``iri`` is not one."""
        prefix = f"{self.base}agent/"
        if iri.startswith(prefix) and len(iri) > len(prefix):
            return iri[len(prefix) :]
        return None

    def revision_of(self, iri: str) -> int | None:
        """The revision number of a change-set IRI, or None if ``iri`` is not one."""
        prefix = f"{self.base}changeset/"
        if iri.startswith(prefix) and iri[len(prefix) :].isdigit():
            return int(iri[len(prefix) :])
        return None


def slugify(text: str) -> str:
    """A readable, lower-case ASCII slug of ``text``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_RE.sub("-", ascii_text.lower()).strip("-") or "x"
