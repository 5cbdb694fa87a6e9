"""schema.org JSON-LD for a described resource, so that search engines index agreements, events
and people (embedded in the resource's HTML page)."""

from __future__ import annotations

from typing import Any

from dialogue_kg.read.describe import DKG, Description

SCHEMA_TYPES: dict[str, str] = {
    DKG + "Agreement": "Legislation",
    DKG + "Meeting": "Event",
    DKG + "ImplementationEvent": "Event",
    DKG + "OutreachActivity": "Event",
    DKG + "OpEd": "OpinionNewsArticle",
    DKG + "Person": "Person",
    DKG + "Organisation": "Organization",
    DKG + "Government": "GovernmentOrganization",
    DKG + "Delegation": "Organization",
    DKG + "Place": "Place",
    DKG + "Source": "CreativeWork",
    DKG + "Topic": "DefinedTerm",
    **{
        DKG + name: "Event"
        for name in (
            "TVDebate Workshop Roundtable Seminar Conference BookletPresentation PeerVisit "
            "ConsortiumMeeting FocusGroup ExchangeEvent Campaign"
        ).split()
    },
}


def schema_type(description: Description) -> str | None:
    """The schema.org type of the resource, or None when it has no good one."""
    for t in description.types:
        if t.value in SCHEMA_TYPES:
            return SCHEMA_TYPES[t.value]
    return None


def schema_jsonld(description: Description, url: str, lang: str) -> dict[str, Any] | None:
    """A schema.org JSON-LD object for the resource (None when it has no schema.org type)."""
    kind = schema_type(description)
    if kind is None:
        return None
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": description.iri,
        "url": url,
        "name": description.label,
        "inLanguage": lang,
    }
    if description.description:
        data["description"] = description.description
    date = description.first(DKG + "date")
    end = description.first(DKG + "endDate")
    year = description.first(DKG + "yearMonth") or description.first(DKG + "year")
    when = date or year
    if kind == "Legislation":
        if when:
            data["legislationDate"] = when
        parties = [n.text for n in description.values(DKG + "party")]
        if parties:
            data["legislationPassedBy"] = [{"@type": "Organization", "name": p} for p in parties]
    elif kind == "Event":
        if when:
            data["startDate"] = when
        if end:
            data["endDate"] = end
        places = description.values(DKG + "place")
        if places:
            data["location"] = {"@type": "Place", "name": places[0].text, "@id": places[0].value}
        people = description.values(DKG + "participant")
        if people:
            data["attendee"] = [{"@id": n.value, "name": n.text} for n in people]
    topics = description.values(DKG + "topic")
    if topics:
        data["about"] = [{"@id": t.value, "name": t.text} for t in topics]
    return data
