"""Statements in words: N-Triples lines from the journal as (record, property, value) in a
language, for showing what a change set added or retracted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.labels import best, labels, local_name
from dialogue_kg.write.recording.fields import Ontology


@dataclass(frozen=True)
class Statement:
    """One statement in words, with the IRIs it names."""

    subject: str
    subject_iri: str
    property: str
    value: str
    value_iri: str | None
    language: str | None = None


def _parse(line: str) -> ox.Triple | None:
    text = line.strip()
    if not text.endswith("."):
        text += " ."
    try:
        quad = next(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))
    except (SyntaxError, ValueError, StopIteration):
        return None
    return quad.triple


def readable(archive: Archive, lines: Iterable[str], lang: str) -> list[Statement]:
    """The statements of ``lines`` (N-Triples/N-Quads) in words; unparsable lines are skipped."""
    triples = [t for t in (_parse(line) for line in lines) if t is not None]
    iris = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    iris |= {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    names = labels(archive, iris, lang)
    onto = Ontology.get()
    out = []
    for t in triples:
        prop_names = onto.labels(t.predicate.value)
        prop = best(((v, g) for g, v in prop_names.items()), lang) or local_name(t.predicate.value)
        if isinstance(t.object, ox.NamedNode):
            value, value_iri, language = (
                names.get(t.object.value, local_name(t.object.value)),
                t.object.value,
                None,
            )
        else:
            value, value_iri, language = t.object.value, None, getattr(t.object, "language", None)
        out.append(
            Statement(
                subject=names.get(t.subject.value, local_name(t.subject.value)),
                subject_iri=t.subject.value,
                property=prop,
                value=value,
                value_iri=value_iri,
                language=language,
            )
        )
    return out
