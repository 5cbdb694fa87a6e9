"""Meetings, people and organisations as people read them, above their statement tables: who met,
when and where, and what came of it; a person's or organisation's roles over time, the meetings
they attended and the agreements they were party to, negotiated or facilitated. Like
:mod:`dialogue_kg.read.agreement`, read from a :class:`Description` plus a few queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialogue_kg.labels import Queryable, canonical, labels
from dialogue_kg.read.agreement import (
    AgreementView,
    Ref,
    Text,
    agreement_view,
    by_date,
    dates_of,
    text_in,
)
from dialogue_kg.read.describe import DKG, Description, Node

_ROLES = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT ?r ?holder ?org ?role ?start ?end WHERE {
  VALUES ?r { %s }
  ?r dkg:holder ?holder .
  OPTIONAL { ?r dkg:organisation ?org } OPTIONAL { ?r dkg:role ?role }
  OPTIONAL { ?r dkg:date|dkg:yearMonth|dkg:year ?start } OPTIONAL { ?r dkg:endDate ?end }
}
"""


@dataclass
class MeetingView:
    """Who met, when and where, and what came of it."""

    when: str | None
    until: str | None
    places: list[Node]
    level: list[Node]
    process: list[Node]
    participants: list[Node]
    facilitators: list[Node]
    delegations: list[Node]
    outcome: Text | None
    reached: list[Node]
    discussed: list[Node]


@dataclass
class Role:
    """One role held: what, where (the organisation), who (for an organisation's page), when."""

    iri: str
    role: Text | None
    organisation: Ref | None
    holder: Ref
    start: str | None
    end: str | None


@dataclass
class ActorView:
    """A person's or organisation's roles over time and part in the dialogue."""

    roles: list[Role]
    members: list[Role]
    meetings: list[Ref]
    party_to: list[Ref]
    negotiated: list[Ref]
    facilitated: list[Ref]
    assessments: list[Ref] = field(default_factory=list)


def page_view(
    source: Queryable, d: Description, lang: str
) -> tuple[str, AgreementView | MeetingView | ActorView] | None:
    """Which reading of ``d`` its page shows (``agreement``, ``meeting`` or ``actor``) and that
    reading; None for the other kinds, which keep the plain page."""
    types = {t.value for t in d.types}
    if DKG + "Agreement" in types:
        view = agreement_view(source, d, lang)
        return ("agreement", view) if view else None
    if DKG + "Meeting" in types:
        return "meeting", meeting_view(d, lang)
    if types & {DKG + k for k in ("Person", "Organisation", "Government", "Delegation")}:
        return "actor", actor_view(source, d, lang)
    return None


def meeting_view(d: Description, lang: str) -> MeetingView:
    """A meeting's facts from its own statements."""
    outcomes = [
        (s.other.value, canonical(s.other.language or ""))
        for s in d.outgoing
        if s.predicate.value == DKG + "outcome" and not s.other.is_iri
    ]
    when = next((d.first(DKG + p) for p in ("date", "yearMonth", "year") if d.first(DKG + p)), None)
    return MeetingView(
        when=when,
        until=d.first(DKG + "endDate"),
        places=d.values(DKG + "place"),
        level=d.values(DKG + "meetingLevel"),
        process=d.values(DKG + "process"),
        participants=d.values(DKG + "participant"),
        facilitators=d.values(DKG + "facilitator"),
        delegations=d.values(DKG + "delegation"),
        outcome=text_in(outcomes, lang),
        reached=d.values(DKG + "reached"),
        discussed=d.values(DKG + "discussed"),
    )


def actor_view(source: Queryable, d: Description, lang: str) -> ActorView:
    """A person's or organisation's roles (held, or held in it) and part in the dialogue."""
    incoming: dict[str, list[Node]] = {}
    for s in d.incoming:
        incoming.setdefault(s.predicate.value, []).append(s.other)
    role_iris = {n.value for p in ("holder", "organisation") for n in incoming.get(DKG + p, [])}
    roles = _roles(source, role_iris, lang)
    dated = {n.value for p in ("participant", "party", "negotiator", "facilitator", "assertedBy")
             for n in incoming.get(DKG + p, [])}  # fmt: skip
    dates = dates_of(source, dated)

    def refs(prop: str) -> list[Ref]:
        found = {n.value: Ref(n.value, n.text, dates.get(n.value)) for n in incoming.get(prop, [])}
        return by_date(found.values())

    return ActorView(
        roles=[r for r in roles if r.holder.iri == d.iri],
        members=[r for r in roles if r.organisation and r.organisation.iri == d.iri],
        meetings=refs(DKG + "participant"),
        party_to=refs(DKG + "party"),
        negotiated=refs(DKG + "negotiator"),
        facilitated=refs(DKG + "facilitator"),
        assessments=refs(DKG + "assertedBy"),
    )


def _roles(source: Queryable, iris: set[str], lang: str) -> list[Role]:
    if not iris:
        return []
    found: dict[str, dict] = {}
    for row in source.query(_ROLES % " ".join(f"<{i}>" for i in sorted(iris))):
        entry = found.setdefault(
            row["r"].value,
            {"holder": row["holder"].value, "org": None, "role": [], "start": None, "end": None},
        )
        if row["org"] is not None:
            entry["org"] = row["org"].value
        if row["role"] is not None:
            value = (row["role"].value, canonical(row["role"].language or ""))
            if value not in entry["role"]:
                entry["role"].append(value)
        for var in ("start", "end"):
            if row[var] is not None and (entry[var] is None or row[var].value > entry[var]):
                entry[var] = row[var].value
    names = labels(source, {x for e in found.values() for x in (e["holder"], e["org"]) if x}, lang)
    roles = []
    for iri, e in found.items():
        roles.append(
            Role(
                iri=iri,
                role=text_in(e["role"], lang),
                organisation=Ref(e["org"], names.get(e["org"], e["org"])) if e["org"] else None,
                holder=Ref(e["holder"], names.get(e["holder"], e["holder"])),
                start=e["start"],
                end=e["end"],
            )
        )
    return sorted(roles, key=lambda r: (r.start or "9999", r.holder.label, r.iri))
