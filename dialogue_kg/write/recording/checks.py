"""Checks before saving: SHACL results mapped to the form fields they concern, likely duplicates
(same date and place, similar name), and changes made to a record since its form was opened."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.history import Change, resource_history
from dialogue_kg.core.validation import Violation
from dialogue_kg.namespaces import DKG
from dialogue_kg.write.recording.build import SOURCE_KEY, Draft, NewRecord, Problem
from dialogue_kg.write.recording.fields import CLASS_KINDS, Ontology, form_spec

# Where a new source document's properties are typed.
_SOURCE_FIELDS = {
    "http://purl.org/dc/terms/title": "_source_title",
    "http://www.w3.org/2000/01/rdf-schema#label": "_source_title",
    str(DKG.url): "_source_url",
    "http://purl.org/dc/terms/publisher": "_source_issuer",
    str(DKG.date): "_source_date",
}

# Name similarity (difflib ratio, 0–1) above which two records are likely the same.
SIMILAR_WHEN_SAME_DAY = 0.5
SIMILAR_ANY_DAY = 0.9


def problems_from(draft: Draft, violations: list[Violation]) -> list[Problem]:
    """Each SHACL result as a problem on the form key of the field it concerns."""
    out = []
    for v in violations:
        out.append(
            Problem(
                key=_key_for(draft, v),
                code="shacl",
                value=v.value,
                constraint=v.constraint,
                message=v.message,
                path=v.path,
            )
        )
    return out


def _key_for(draft: Draft, v: Violation) -> str:
    """The form key a violation belongs to ("" when no field fits: shown at the top)."""
    key = draft.key_of(v.focus)
    if key is None:
        return ""
    if key == SOURCE_KEY:
        return _SOURCE_FIELDS.get(v.path or "", SOURCE_KEY)
    if key.startswith("new."):
        return key
    spec = draft.spec
    if v.path is None:
        for path in spec.node_paths:
            f = spec.by_path(path)
            if f is not None:
                return f.key
        return ""
    f = spec.by_path(v.path)
    return f.key if f is not None else ""


@dataclass
class Duplicate:
    """An existing record that looks like one the form is about to create."""

    key: str
    iri: str
    label: str
    score: float
    same_day: bool
    same_place: bool
    name: str = ""  # the name typed for the new record


_CANDIDATES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?s ?label ?date ?place WHERE {
  ?s a ?t . ?t rdfs:subClassOf* <%s> .
  ?s rdfs:label ?label .
  OPTIONAL { ?s dkg:date ?date }
  OPTIONAL { ?s dkg:place ?place }
}
"""


def _root(cls: str) -> str:
    """The class whose instances a new record is compared with (its kind's class)."""
    onto = Ontology.get()
    for c in onto.ancestors(cls):
        if c in CLASS_KINDS:
            return c
    return cls


def likely_duplicates(archive: Archive, created: list[NewRecord]) -> list[Duplicate]:
    """Existing records resembling the ones being created: same day (and place) with a
    similar name, or a very similar name."""
    out: list[Duplicate] = []
    fresh = {r.iri for r in created}
    for record in created:
        if not record.labels:
            continue
        best: dict[str, Duplicate] = {}
        for row in archive.query(_CANDIDATES % _root(record.cls)):
            iri = row["s"].value
            if iri in fresh:
                continue
            label = row["label"].value
            score = max(_ratio(label, name) for name in record.labels)
            date = row["date"].value if row["date"] else None
            place = row["place"].value if row["place"] else None
            same_day = bool(record.date and date == record.date)
            same_place = bool(record.place and place == record.place)
            if (same_day and (same_place or not record.place or not place) and
                    score >= SIMILAR_WHEN_SAME_DAY) or score >= SIMILAR_ANY_DAY:  # fmt: skip
                found = Duplicate(
                    record.key, iri, label, round(score, 2), same_day, same_place, record.labels[0]
                )
                if iri not in best or best[iri].score < found.score:
                    best[iri] = found
        out.extend(sorted(best.values(), key=lambda d: -d.score)[:5])
    return out


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def changes_since(archive: Archive, iri: str, revision: int) -> list[Change]:
    """Change sets after ``revision`` that asserted or retracted statements about ``iri``."""
    return [c for c in resource_history(archive, iri) if c.revision > revision]


__all__ = ["Duplicate", "changes_since", "likely_duplicates", "problems_from", "form_spec"]
