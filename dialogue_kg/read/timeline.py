"""Valid time on one axis: meetings, agreements and implementation events with their dates,
kinds and topics (an implementation event takes the topics of its agreement)."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue_kg.read.describe import Queryable, label_map, local_name

KINDS = {"Agreement": "agreement", "Meeting": "meeting", "ImplementationEvent": "event"}

_ITEMS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?x ?class ?date ?ym ?year ?end ?agreement WHERE {
  VALUES ?class { dkg:Agreement dkg:Meeting dkg:ImplementationEvent }
  ?x a ?class .
  OPTIONAL { ?x dkg:date ?date }
  OPTIONAL { ?x dkg:yearMonth ?ym }
  OPTIONAL { ?x dkg:year ?year }
  OPTIONAL { ?x dkg:endDate ?end }
  OPTIONAL { ?x dkg:agreement ?agreement }
}
"""
_TOPICS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?x ?topic WHERE {
  VALUES ?class { dkg:Agreement dkg:Meeting dkg:ImplementationEvent }
  ?x a ?class ; dkg:topic ?topic .
}
"""


@dataclass
class Item:
    """One dated thing on the timeline."""

    iri: str
    kind: str
    label: str
    start: str
    end: str | None = None
    precision: str = "day"
    topics: list[str] = field(default_factory=list)
    agreement: str | None = None


@dataclass
class Timeline:
    """Items in date order, and the topics they carry (with labels)."""

    items: list[Item]
    topics: dict[str, str]

    def select(self, kinds: set[str] | None = None, topic: str | None = None) -> list[Item]:
        """Items of the given kinds and with the given topic (a topic slug)."""
        return [
            i
            for i in self.items
            if (not kinds or i.kind in kinds)
            and (not topic or topic in {local_name(t) for t in i.topics})
        ]


def _start(date: str | None, year_month: str | None, year: str | None) -> tuple[str, str] | None:
    if date:
        return date, "day"
    if year_month:
        return f"{year_month}-01", "month"
    if year:
        return f"{year}-01-01", "year"
    return None


def timeline(source: Queryable, lang: str) -> Timeline:
    """Every meeting, agreement and implementation event that has at least a year."""
    items: dict[str, Item] = {}
    for row in source.query(_ITEMS):
        iri = row["x"].value
        start = _start(
            *(row[k].value if row[k] is not None else None for k in ("date", "ym", "year"))
        )
        if start is None or iri in items:
            continue
        end = row["end"].value if row["end"] is not None else None
        agreement = row["agreement"].value if row["agreement"] is not None else None
        kind = KINDS[local_name(row["class"].value)]
        items[iri] = Item(iri, kind, "", start[0], end, start[1], agreement=agreement)
    for row in source.query(_TOPICS):
        item = items.get(row["x"].value)
        if item is not None:
            item.topics.append(row["topic"].value)
    for item in items.values():
        if item.agreement in items and not item.topics:
            item.topics = list(items[item.agreement].topics)
        item.topics.sort()
    topic_iris = {t for i in items.values() for t in i.topics}
    labels = label_map(source, set(items) | topic_iris, lang)
    for item in items.values():
        item.label = labels.get(item.iri) or local_name(item.iri)
    ordered = sorted(items.values(), key=lambda i: (i.start, i.kind, i.label))
    topics = dict(
        sorted(((t, labels.get(t, local_name(t))) for t in topic_iris), key=lambda x: x[1].lower())
    )
    return Timeline(ordered, topics)
