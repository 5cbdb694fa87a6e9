"""The agreements catalogue, the timeline data and the home page on the curated archive."""

from __future__ import annotations

import re

from webapp import NAV


def test_2011_agreements_are_listed_under_2011(curated_client) -> None:
    data = curated_client.get("/agreements?year=2011&format=json").get_json()
    labels = [a["label"] for a in data["agreements"]]
    assert "Agreement on Freedom of Movement" in labels
    assert all(a["year"] == "2011" for a in data["agreements"])
    assert "2011" in data["years"] and "2023" in data["years"]
    html = curated_client.get("/agreements?year=2011").get_data(as_text=True)
    assert "Agreement on Freedom of Movement" in html
    assert "First Agreement of Principles" not in html
    assert 'aria-current="page">2011<' in html


def test_filters_by_type_status_and_topic(curated_client) -> None:
    political = curated_client.get("/agreements?type=political&format=json").get_json()
    assert political["count"] >= 1
    assert all(a["nature"].endswith("#Political") for a in political["agreements"])
    topic = curated_client.get("/agreements?topic=customs&format=json").get_json()
    assert topic["count"] >= 1
    assert all(
        any(t.endswith("/customs") for t in a["topics"]) for a in _flatten(topic["agreements"])
    )
    status = curated_client.get("/agreements?status=InProgress&format=json").get_json()
    assert status["count"] >= 1
    assert curated_client.get("/agreements?year=1900&format=json").get_json()["count"] == 0


def _flatten(tree: list[dict]) -> list[dict]:
    return [x for a in tree for x in (a, *_flatten(a["children"]))]


def test_sub_agreements_nest_under_their_agreement(curated_client) -> None:
    tree = curated_client.get("/agreements?format=json").get_json()["agreements"]
    parents = [a for a in tree if a["children"]]
    assert parents, "some agreement has sub-agreements"
    for a in parents:
        assert all(c["parent"] == a["iri"] for c in a["children"])
    html = curated_client.get("/agreements").get_data(as_text=True)
    assert 'class="subs"' in html


def test_catalogue_in_albanian(curated_client) -> None:
    html = curated_client.get("/agreements?lang=sq&year=2011").get_data(as_text=True)
    assert "Marrëveshja për lirinë e lëvizjes" in html
    assert "Filtro" in html and "Marrëveshjet" in html


def test_timeline_data_and_filters(curated_client) -> None:
    data = curated_client.get("/timeline?format=json").get_json()
    kinds = {i["kind"] for i in data["items"]}
    assert kinds == {"agreement", "meeting", "event"}
    assert all(i["href"].startswith("/id/") for i in data["items"])
    starts = [i["start"] for i in data["items"]]
    assert starts == sorted(starts)
    meetings = curated_client.get("/timeline?format=json&kind=meeting").get_json()["items"]
    assert meetings and all(i["kind"] == "meeting" for i in meetings)
    customs = curated_client.get("/timeline?format=json&topic=customs").get_json()["items"]
    assert customs and all(any(t.endswith("/customs") for t in i["topics"]) for i in customs)
    html = curated_client.get("/timeline").get_data(as_text=True)
    assert 'id="timeline-data"' in html and "vendor/vis-timeline/" in html
    assert not re.search(r"<script>(?!</script>)", html), "no inline script"


def test_home_page_figures_and_ways_in(curated_client, curated_app) -> None:
    html = curated_client.get("/").get_data(as_text=True)
    figures = curated_client.get("/?format=json").get_json()
    assert figures["counts"]["agreements"] >= 30 and figures["statements"] > 1000
    for href in set(re.findall(r'href="(/[^"]*)"', html)):
        response = curated_client.get(href)
        assert response.status_code == 200, href
        response.close()
    registered = [e for e, _ in NAV if e in curated_app.view_functions]
    assert "timeline.timeline" in registered and "agreements.catalogue" in registered
