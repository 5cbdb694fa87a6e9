"""The dataset's own description, in VoID and DCAT: size, vocabularies, examples, dumps, endpoint,
licence."""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.namespaces import DCAT_IRI as DCAT
from dialogue_kg.namespaces import DCT_IRI as DCT
from dialogue_kg.namespaces import DCTERMS, DKG, FOAF, ORG, PROV, RDF_TYPE_IRI, SCHEMA, SKOS
from dialogue_kg.namespaces import XSD_IRI as XSD

VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode(RDF_TYPE_IRI)
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
VOCABULARIES = [str(ns) for ns in (DKG, PROV, DCTERMS, SKOS, ORG, FOAF, SCHEMA)]
EXAMPLES = [
    "https://w3id.org/dialogue-kg/id/agreement/first-agreement-2013",
    "https://w3id.org/dialogue-kg/id/agreement/path-to-normalisation-2023",
]
DUMPS = {"trig": "application/trig", "nq": "application/n-quads"}


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def describe(archive: Archive, site: str) -> list[ox.Triple]:
    """VoID/DCAT triples describing the archive served at ``site`` (ending in '/')."""
    ds = ox.NamedNode(site + ".well-known/void#dataset")
    n = lambda iri: ox.NamedNode(iri)  # noqa: E731 - local shorthand
    counts = next(
        iter(archive.query("SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?e) WHERE { ?s ?p ?o }"))
    )
    triples = [
        ox.Triple(ds, RDF_TYPE, n(VOID + "Dataset")),
        ox.Triple(ds, RDF_TYPE, n(DCAT + "Dataset")),
        ox.Triple(
            ds,
            n(DCT + "title"),
            ox.Literal("dialogue-kg: the Kosovo–Serbia dialogue archive", language="en"),
        ),
        ox.Triple(
            ds,
            n(DCT + "description"),
            ox.Literal(
                "Agreements, meetings, actors, implementation events and outreach of the "
                "EU-facilitated dialogue between Kosovo and Serbia, with the provenance of "
                "every statement.",
                language="en",
            ),
        ),
        ox.Triple(ds, n(DCT + "license"), n(LICENCE)),
        ox.Triple(ds, n(VOID + "triples"), _int(int(counts["t"].value))),
        ox.Triple(ds, n(VOID + "entities"), _int(int(counts["e"].value))),
        ox.Triple(ds, n(VOID + "sparqlEndpoint"), n(site + "sparql")),
        ox.Triple(ds, n(VOID + "uriSpace"), ox.Literal("https://w3id.org/dialogue-kg/id/")),
        ox.Triple(ds, n("https://w3id.org/dialogue-kg/ontology#revision"), _int(archive.revision)),
    ]
    triples += [ox.Triple(ds, n(VOID + "vocabulary"), n(v)) for v in VOCABULARIES]
    triples += [ox.Triple(ds, n(VOID + "exampleResource"), n(e)) for e in EXAMPLES]
    for ext, media in DUMPS.items():
        url = n(f"{site}dumps/archive.{ext}")
        dist = n(f"{site}.well-known/void#dump-{ext}")
        triples += [
            ox.Triple(ds, n(VOID + "dataDump"), url),
            ox.Triple(ds, n(DCAT + "distribution"), dist),
            ox.Triple(dist, RDF_TYPE, n(DCAT + "Distribution")),
            ox.Triple(dist, n(DCAT + "downloadURL"), url),
            ox.Triple(dist, n(DCAT + "mediaType"), ox.Literal(media)),
        ]
    return triples
