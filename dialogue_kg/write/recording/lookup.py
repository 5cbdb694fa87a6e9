"""The record picker's search: records of some classes whose name contains the typed text."""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.labels import best
from dialogue_kg.write.recording.fields import Ontology, class_key
from dialogue_kg.write.recording.values import reference_text

_SEARCH = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label WHERE {
  { SELECT DISTINCT ?s WHERE {
      VALUES ?cls { %s }
      ?s a ?t . ?t rdfs:subClassOf* ?cls .
      { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l }
      FILTER(CONTAINS(LCASE(STR(?l)), LCASE(%s)))
    } ORDER BY ?s LIMIT %d }
  { ?s rdfs:label ?label } UNION { ?s skos:prefLabel ?label }
}
"""


def class_for_key(key: str) -> str | None:
    """The ontology class whose kebab-case key is ``key`` (``actor``, ``source``, …)."""
    onto = Ontology.get()
    known = set(onto.parents) | set(onto.targets) | {c for s in onto.parents.values() for c in s}
    return next((c for c in sorted(known) if class_key(c) == key), None)


def search(
    archive: Archive, classes: list[str], text: str, lang: str, limit: int = 20
) -> list[dict[str, str]]:
    """Up to ``limit`` records of ``classes`` whose name contains ``text``, best-named first:
    each with its IRI, its label in ``lang`` and the text a form takes for it."""
    if not classes:
        return []
    values = " ".join(f"<{c}>" for c in classes)
    found: dict[str, list[tuple[str, str]]] = {}
    for row in archive.query(_SEARCH % (values, ox.Literal(text.strip()), limit * 10)):
        found.setdefault(row["s"].value, []).append(
            (row["label"].value, row["label"].language or "")
        )
    needle = text.strip().casefold()
    out = []
    for iri, names in found.items():
        label = best(names, lang) or iri
        out.append({"iri": iri, "label": label, "value": reference_text(archive, iri, label)})
    out.sort(key=lambda r: (_rank(r["label"], needle), r["label"].casefold()))
    return out[:limit]


def _rank(label: str, needle: str) -> int:
    """0 for the exact name, 1 when the name starts with the text, 2 when a word does, else 3."""
    folded = label.casefold()
    if folded == needle:
        return 0
    if folded.startswith(needle):
        return 1
    return 2 if any(word.startswith(needle) for word in folded.split()) else 3
