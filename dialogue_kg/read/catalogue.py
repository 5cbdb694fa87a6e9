"""The agreements catalogue: every agreement with its date, nature, reported status and topics,
filterable like the DIALOGUE-INFO listing, and arranged as agreements with their sub-agreements."""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue_kg.read.describe import Queryable, label_map, local_name

_FACTS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?a ?p ?o WHERE {
  ?a a dkg:Agreement ; ?p ?o .
  VALUES ?p { dkg:date dkg:yearMonth dkg:year dkg:nature dkg:status dkg:topic dkg:partOf
              dkg:process }
}
"""
# Latest status each asserting actor reports for an agreement (competing assessments kept).
_REPORTED = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?a ?who ?status ?when WHERE {
  ?e dkg:agreement ?a ; dkg:reportedStatus ?status .
  OPTIONAL { ?e dkg:assertedBy ?who }
  OPTIONAL { ?e dkg:year ?y }
  OPTIONAL { ?e dkg:yearMonth ?ym }
  OPTIONAL { ?e dkg:date ?d }
  BIND(COALESCE(STR(?d), STR(?ym), STR(?y), "") AS ?when)
}
"""


@dataclass
class Agreement:
    """One agreement as the catalogue lists it."""

    iri: str
    label: str = ""
    date: str | None = None
    year: str | None = None
    nature: str | None = None
    statuses: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    parent: str | None = None
    process: str | None = None
    # The latest status each actor reports: (status, who says so, when); "" when no one is named.
    reported: list[tuple[str, str, str]] = field(default_factory=list)
    children: list[Agreement] = field(default_factory=list)

    def as_json(self) -> dict:
        """A plain dict (children nested) for the JSON view."""
        out = {k: v for k, v in vars(self).items() if k != "children"}
        out["children"] = [c.as_json() for c in self.children]
        return out


@dataclass
class Catalogue:
    """Every agreement, plus the labels and choices the filters offer."""

    agreements: dict[str, Agreement]
    labels: dict[str, str]
    years: list[str]
    natures: list[str]
    statuses: list[str]
    topics: list[str]

    def select(
        self,
        year: str | None = None,
        nature: str | None = None,
        status: str | None = None,
        topic: str | None = None,
    ) -> list[Agreement]:
        """Agreements matching every given filter (values are local names, e.g. ``Technical``
        or a topic slug), oldest first."""
        out = []
        for a in self.agreements.values():
            if year and a.year != year:
                continue
            if nature and (a.nature is None or local_name(a.nature).lower() != nature.lower()):
                continue
            if status and status not in {local_name(s) for s in a.statuses}:
                continue
            if topic and topic not in {local_name(t) for t in a.topics}:
                continue
            out.append(a)
        return sorted(out, key=lambda a: (a.date or a.year or "9999", a.label))

    def tree(self, selected: list[Agreement]) -> list[Agreement]:
        """The selected agreements as roots with their selected sub-agreements nested (a
        sub-agreement whose parent is not selected is a root)."""
        chosen = {a.iri: Agreement(**{**vars(a), "children": []}) for a in selected}
        roots = []
        for a in chosen.values():
            parent = chosen.get(a.parent) if a.parent else None
            (parent.children if parent else roots).append(a)
        return roots


def catalogue(source: Queryable, lang: str) -> Catalogue:
    """Read every agreement, its facts and the labels of what they point to, in ``lang``."""
    found: dict[str, Agreement] = {}
    for row in source.query(_FACTS):
        a = found.setdefault(row["a"].value, Agreement(row["a"].value))
        p, o = local_name(row["p"].value), row["o"].value
        if p == "date":
            a.date = o
        elif p == "yearMonth" and a.date is None:
            a.date = o
        elif p == "year":
            a.year = o
        elif p == "nature":
            a.nature = o
        elif p == "status":
            a.statuses.append(o)
        elif p == "topic":
            a.topics.append(o)
        elif p == "partOf":
            a.parent = o
        elif p == "process":
            a.process = o
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for row in source.query(_REPORTED):
        a = row["a"].value
        if a not in found:
            continue
        key = (a, row["who"].value if row["who"] is not None else "")
        when = row["when"].value
        if key not in latest or latest[key][0] < when:
            latest[key] = (when, row["status"].value)
    for (a, who), (when, status) in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[1])):
        found[a].reported.append((status, who, when))
        if status not in found[a].statuses:
            found[a].statuses.append(status)
    iris = set(found)
    for a in found.values():
        a.topics.sort()
        iris.update(x for x in (a.nature, a.process, *a.statuses, *a.topics) if x)
        iris.update(who for _, who, _ in a.reported if who)
    labels = label_map(source, iris, lang)
    for a in found.values():
        a.label = labels.get(a.iri) or local_name(a.iri)
    values = list(found.values())
    return Catalogue(
        agreements=found,
        labels=labels,
        years=sorted({a.year for a in values if a.year}),
        natures=sorted({a.nature for a in values if a.nature}),
        statuses=sorted({s for a in values for s in a.statuses}),
        topics=sorted(
            {t for a in values for t in a.topics}, key=lambda t: labels.get(t, t).lower()
        ),
    )
