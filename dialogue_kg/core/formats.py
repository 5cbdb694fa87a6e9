"""Every media type, format name and file extension the archive speaks, in one table."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from dialogue_kg.errors import UsageError


@dataclass(frozen=True)
class Format:
    """One serialisation: its name (CLI, ``format=``), media type and extension."""

    name: str
    media_type: str
    extension: str
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    # Other names and media types clients use for it (SPARQLWrapper sends format=json-ld, …).
    aliases: tuple[str, ...] = ()


RDF_FORMATS = [
    Format(
        "turtle",
        "text/turtle",
        "ttl",
        rdf=ox.RdfFormat.TURTLE,
        aliases=("ttl", "n3", "application/turtle", "application/x-turtle", "text/n3"),
    ),
    Format("trig", "application/trig", "trig", rdf=ox.RdfFormat.TRIG),
    Format(
        "nquads", "application/n-quads", "nq", rdf=ox.RdfFormat.N_QUADS, aliases=("nq", "n-quads")
    ),
    Format(
        "ntriples",
        "application/n-triples",
        "nt",
        rdf=ox.RdfFormat.N_TRIPLES,
        aliases=("nt", "n-triples"),
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "jsonld",
        rdf=ox.RdfFormat.JSON_LD,
        aliases=("json-ld", "json", "application/x-json+ld"),
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        rdf=ox.RdfFormat.RDF_XML,
        aliases=("rdf+xml", "rdf/xml", "xml", "rdf", "application/xml"),
    ),
]
RESULT_FORMATS = [
    Format(
        "json",
        "application/sparql-results+json",
        "srj",
        results=ox.QueryResultsFormat.JSON,
        aliases=("srj", "application/json"),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "srx",
        results=ox.QueryResultsFormat.XML,
        aliases=("srx", "application/xml"),
    ),
    Format("csv", "text/csv", "csv", results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", results=ox.QueryResultsFormat.TSV),
]

_BY_NAME = {f.name: f for f in (*RDF_FORMATS, *RESULT_FORMATS)}


def rdf_named(key: str) -> ox.RdfFormat | None:
    """The RDF format a name, alias, extension or media type in the table stands for, or None."""
    key = key.lower().lstrip(".")
    for fmt in RDF_FORMATS:
        if key in (fmt.name, fmt.media_type, fmt.extension, *fmt.aliases):
            return fmt.rdf
    return None


def by_name(name: str) -> Format:
    """The format called ``name``; ValueError listing the choices otherwise."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        choices = ", ".join(sorted(_BY_NAME))
        raise UsageError(f"unknown format {name!r}; choose one of {choices}") from None
