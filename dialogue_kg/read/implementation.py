"""An agreement's implementation history: its events (and its sub-agreements'), ordered by
date, each with the status reported and whose assessment it is; and, per provision (point or
article), the latest assessment of each side and whether the sides disagree.

Whose side an assessment is: Pristina's when asserted by the Government of Kosovo, its dialogue
delegation or ministry, or a person holding a role in one of them; Belgrade's likewise for the
Government of Serbia; the EU's for the EU's institutions and missions and those holding roles in
them; anyone else (courts, media, researchers) is ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue_kg.core.archive import Archive
from dialogue_kg.errors import UsageError
from dialogue_kg.labels import labels, local_name
from dialogue_kg.namespaces import DEFAULT_BASE
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows as plain_rows
from dialogue_kg.read.explorer import is_iri

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
SELECT ?e ?a ?date ?ym ?year ?status ?by ?src ?provision WHERE {
  ?a dkg:partOf* <%s> .
  ?e dkg:agreement ?a .
  OPTIONAL { ?e dkg:date ?date } OPTIONAL { ?e dkg:yearMonth ?ym } OPTIONAL { ?e dkg:year ?year }
  OPTIONAL { ?e dkg:reportedStatus ?status } OPTIONAL { ?e dkg:assertedBy ?by }
  OPTIONAL { ?e dkg:source ?src } OPTIONAL { ?e dkg:concernsProvision ?provision }
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
    sources: list[tuple[str, str]] = field(default_factory=list)
    provisions: list[tuple[str, str]] = field(default_factory=list)


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
        raise UsageError(f"not an IRI: {agreement!r}")
    rows: dict[str, dict] = {}
    for row in archive.query(_EVENTS % agreement):
        e = row["e"].value
        item = rows.setdefault(
            e,
            {"agreement": row["a"].value, "by": set(), "when": None, "src": set(), "prov": set()},
        )
        for var in ("date", "ym", "year"):
            if row[var] is not None and item["when"] is None:
                item["when"] = row[var].value
        item["status"] = row["status"].value if row["status"] is not None else None
        for var, key in (("by", "by"), ("src", "src"), ("provision", "prov")):
            if is_iri(row[var].value if row[var] is not None else ""):
                item[key].add(row[var].value)
    actors = {a for item in rows.values() for a in item["by"]}
    roles: dict[str, set[str]] = {}
    if actors:
        for row in archive.query(_ROLES % " ".join(f"<{a}>" for a in sorted(actors))):
            roles.setdefault(row["holder"].value, set()).add(row["org"].value)
    named = set(rows) | actors | {i["agreement"] for i in rows.values()}
    named |= {i["status"] for i in rows.values() if i["status"]}
    named |= {x for i in rows.values() for x in (*i["src"], *i["prov"])}
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
            sources=[(s, names.get(s, s)) for s in sorted(item["src"])],
            provisions=[(p, names.get(p, p)) for p in sorted(item["prov"])],
        )
        for e, item in rows.items()
    ]
    return sorted(result, key=lambda a: (a.when or "9999", a.event))


BY_PROVISION = "implementation-by-provision"
"""The saved query (queries/implementation-by-provision.rq) behind :func:`by_provision`; its
VALUES table of sides is :data:`SIDES` written out, and a test holds the two together."""


@dataclass
class ProvisionAssessment:
    """The latest assessment of one side (``pristina``, ``belgrade``, ``eu``, ``other``) of one
    provision, and whether the sides' latest statuses for that provision disagree."""

    agreement: str
    agreement_label: str
    provision: str
    provision_label: str
    number: str | None
    order: int
    side: str
    when: str
    status: str
    status_label: str
    event: str
    asserted_by: str
    asserted_by_label: str
    sources: list[str]
    source_labels: list[str]
    disagreement: bool


def by_provision(archive: Archive, lang: str = "en") -> list[ProvisionAssessment]:
    """Each provision's latest assessment per side, from the saved query, with labels in
    ``lang``; sorted by agreement, position in the text and side."""
    found = plain_rows(archive.query(queries.load(BY_PROVISION).text))
    named = {
        r[k] or "" for r in found for k in ("agreement", "provision", "status", "assertedBy")
    } | {s for r in found for s in (r["sources"] or "").split()}
    names = labels(archive, named - {""}, lang)

    def name(iri: str) -> str:
        return names.get(iri, local_name(iri))

    result = []
    for r in found:
        sources = sorted((r["sources"] or "").split())
        result.append(
            ProvisionAssessment(
                agreement=r["agreement"] or "",
                agreement_label=name(r["agreement"] or ""),
                provision=r["provision"] or "",
                provision_label=name(r["provision"] or ""),
                number=r["number"],
                order=int(r["order"] or 0),
                side=r["side"] or "other",
                when=r["when"] or "",
                status=r["status"] or "",
                status_label=name(r["status"] or ""),
                event=r["event"] or "",
                asserted_by=r["assertedBy"] or "",
                asserted_by_label=name(r["assertedBy"] or ""),
                sources=sources,
                source_labels=[name(s) for s in sources],
                disagreement=r["disagreement"] == "true",
            )
        )
    side_order = {side: i for i, side in enumerate([*SIDES, "other"])}
    return sorted(
        result, key=lambda a: (a.agreement_label, a.order, side_order.get(a.side, 9), a.event)
    )
