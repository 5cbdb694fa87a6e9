"""The explorer's network, panel and implementation histories on the curated archive."""

from __future__ import annotations

from dialogue_kg.read.brief import brief
from dialogue_kg.read.explorer import build_network, graph_data
from dialogue_kg.read.implementation import history

AGREEMENT = "https://w3id.org/dialogue-kg/id/agreement/"
FIRST = AGREEMENT + "first-agreement-2013"
ASSOCIATION = AGREEMENT + "association-community-serb-municipalities-2015"
AGREEMENTS_2011 = [
    AGREEMENT + slug
    for slug in (
        "freedom-of-movement-2011",
        "civil-registry-2011",
        "university-diplomas-2011",
        "customs-stamps-2011",
        "cadastre-2011",
        "integrated-border-management-2011",
    )
]


def test_every_class_is_drawn(curated) -> None:
    data = graph_data(build_network(curated, "en"))
    groups = {n["group"] for n in data["nodes"]}
    assert groups == {
        "agreement",
        "subagreement",
        "meeting",
        "event",
        "actor",
        "outreach",
        "source",
    }
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])


def test_dates_put_2011_before_the_first_agreement(curated) -> None:
    nodes = {n["id"]: n for n in graph_data(build_network(curated, "en"))["nodes"]}
    assert nodes[FIRST]["date"] == "2013-04-19"
    assert nodes[FIRST]["nature"] == "political"
    assert nodes[FIRST]["group"] == "agreement"
    for iri in AGREEMENTS_2011:
        assert nodes[iri]["date"].startswith("2011-"), iri
        assert nodes[iri]["nature"] == "technical"
    assert nodes[AGREEMENT + "energy-2013"]["group"] == "subagreement"
    assert "https://w3id.org/dialogue-kg/topic/normalisation" in nodes[FIRST]["topics"]


def test_albanian_labels(curated) -> None:
    nodes = {n["id"]: n for n in graph_data(build_network(curated, "sq"))["nodes"]}
    assert nodes[FIRST]["label"].startswith("Marrëveshja e parë")


def test_implementation_history_keeps_both_sides(curated) -> None:
    events = history(curated, ASSOCIATION, "en")
    sides = {e.side for e in events}
    assert {"pristina", "belgrade", "eu"} <= sides
    dates = [e.when for e in events]
    assert dates == sorted(dates)
    kosovo = [e for e in events if e.side == "pristina"]
    assert all(
        "https://w3id.org/dialogue-kg/id/organisation/government-of-kosovo"
        in [a for a, _ in e.asserted_by]
        for e in kosovo
    )


def test_focus_view_holds_the_events(curated) -> None:
    data = graph_data(build_network(curated, "en", focus=ASSOCIATION))
    nodes = {n["id"]: n for n in data["nodes"]}
    events = {e.event for e in history(curated, ASSOCIATION, "en")}
    assert events <= set(nodes)
    assert ASSOCIATION in nodes


def test_panel_of_the_first_agreement(curated) -> None:
    about = brief(curated, FIRST, "en")
    assert about["label"].startswith("First Agreement of Principles")
    assert about["date"] == "2013-04-19"
    assert about["summary"].startswith("Fifteen-point agreement")
    assert about["sources"] and all(s["page"].startswith("/id/source/") for s in about["sources"])
