"""An agreement's implementation history: its events (and its sub-agreements'), ordered by
date, each with the status reported and whose assessment it is.

Whose side an assessment is: Pristina's when asserted by the Government of Kosovo, its dialogue
delegation or ministry, or a person holding a role in one of them; Belgrade's likewise for the
Government of Serbia; the EU's for the EU's institutions and missions and those holding roles in
them; anyone else (courts, media, researchers) is ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .archive import Archive
from .explorer import is_iri
from .labels import labels
from .namespaces import DEFAULT_BASE

ORG = DEFAULT_BASE + "id/organisation/"
SIDES: dict[str, frozenset[str]] = {
    "pristina": frozenset(
        ORG + s
        for s in (
            "government-of-kosovo",
            "kosovo-delegation-technical-dialogue",
            "ministry-for-dialogue-kosovo",
        )
    ),
    "belgrade": frozenset(
        ORG + s
        for s in (
            "government-of-serbia",
            "serbian-delegation-technical-dialogue",
            "office-for-kosovo-and-metohija",
        )
    ),
    "eu": frozenset(
        ORG + s
        for s in (
            "european-union",
            "eeas",
            "european-commission",
            "european-council",
            "council-of-the-eu",
            "eulex-kosovo",
        )
    ),
}

_EVENTS = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?e ?a ?date ?ym ?year ?status ?by WHERE {
  ?a dkg:partOf* <%s> .
  ?e dkg:agreement ?a .
  OPTIONAL { ?e dkg:date ?date } OPTIONAL { ?e dkg:yearMonth ?ym } OPTIONAL { ?e dkg:year ?year }
  OPTIONAL { ?e dkg:reportedStatus ?status } OPTIONAL { ?e dkg:assertedBy ?by }
}
"""
_ROLES = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?holder ?org WHERE { VALUES ?holder { %s } ?r dkg:holder ?holder ; dkg:organisation ?org }
"""


@dataclass
class Assessment:
    """One implementation event of the history."""

    event: str
    label: str
    agreement: str
    agreement_label: str
    when: str
    status: str | None
    status_label: str | None
    asserted_by: list[tuple[str, str]]
    side: str


def side_of(actors: list[str], roles: dict[str, set[str]]) -> str:
    """``pristina``, ``belgrade``, ``eu`` or ``other``: the side the asserting actors speak for."""
    for side, members in SIDES.items():
        for actor in actors:
            if actor in members or roles.get(actor, set()) & members:
                return side
    return "other"


def history(archive: Archive, agreement: str, lang: str) -> list[Assessment]:
    """The implementation events of ``agreement`` and its parts, earliest first."""
    if not is_iri(agreement):
        raise ValueError(f"not an IRI: {agreement!r}")
    rows: dict[str, dict] = {}
    for row in archive.query(_EVENTS % agreement):
        e = row["e"].value
        item = rows.setdefault(e, {"agreement": row["a"].value, "by": set(), "when": None})
        for var in ("date", "ym", "year"):
            if row[var] is not None and item["when"] is None:
                item["when"] = row[var].value
        item["status"] = row["status"].value if row["status"] is not None else None
        if row["by"] is not None:
            item["by"].add(row["by"].value)
    actors = {a for item in rows.values() for a in item["by"]}
    roles: dict[str, set[str]] = {}
    if actors:
        for row in archive.query(_ROLES % " ".join(f"<{a}>" for a in sorted(actors))):
            roles.setdefault(row["holder"].value, set()).add(row["org"].value)
    named = set(rows) | actors | {i["agreement"] for i in rows.values()}
    named |= {i["status"] for i in rows.values() if i["status"]}
    names = labels(archive, named, lang)
    result = [
        Assessment(
            event=e,
            label=names.get(e, e),
            agreement=item["agreement"],
            agreement_label=names.get(item["agreement"], item["agreement"]),
            when=item["when"] or "",
            status=item["status"],
            status_label=names.get(item["status"]) if item["status"] else None,
            asserted_by=[(a, names.get(a, a)) for a in sorted(item["by"])],
            side=side_of(sorted(item["by"]), roles),
        )
        for e, item in rows.items()
    ]
    return sorted(result, key=lambda a: (a.when or "9999", a.event))
