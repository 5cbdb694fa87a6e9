"""Headline figures of the archive, computed from the graph."""

from __future__ import annotations

from dataclasses import dataclass

from dialogue_kg.core.archive import Archive

_COUNTS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?kind ?class) {
    ("agreements" dkg:Agreement) ("meetings" dkg:Meeting) ("actors" dkg:Actor)
    ("outreach" dkg:OutreachActivity) ("sources" dkg:Source) ("claims" dkg:Claim)
  }
  ?x a ?c . ?c rdfs:subClassOf* ?class .
} GROUP BY ?kind
"""

_STATEMENTS = """
SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(?g != <%s>)
}
"""


@dataclass
class Figures:
    """What the home page shows a newcomer."""

    counts: dict[str, int]
    statements: int
    revision: int
    last_update: str | None


def headline_figures(archive: Archive) -> Figures:
    """Counts of agreements, meetings, actors, outreach, sources, claims and statements."""
    counts = {k: 0 for k in ("agreements", "meetings", "actors", "outreach", "sources", "claims")}
    for row in archive.query(_COUNTS):
        counts[row["kind"].value] = int(row["n"].value)
    statements = int(
        next(iter(archive.query(_STATEMENTS % archive.minter.provenance_graph)))["n"].value
    )
    last = archive.journal.records[-1].time if archive.journal.records else None
    return Figures(counts, statements, archive.revision, last)
