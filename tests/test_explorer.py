"""The explorer's network built from the small test archive: classes, dates, labels, edges,
limits, neighbours, the side panel's brief and the layout options."""

from __future__ import annotations

import json

import pytest

from dialogue_kg.read.brief import brief
from dialogue_kg.read.explorer import (
    PHYSICS_MAX_NODES,
    build_network,
    graph_data,
    is_iri,
    network_options,
    node_classes,
    page_path,
    select,
    valid_from,
)

ID = "https://w3id.org/dialogue-kg/id/"
ALPHA = ID + "agreement/alpha"
PART = ID + "agreement/alpha-part"
ROUND = ID + "meeting/first-round"
ANA = ID + "person/ana"
DOC = ID + "source/test-doc"


def _nodes(data: dict) -> dict[str, dict]:
    return {n["id"]: n for n in data["nodes"]}


def _links(data: dict) -> set[tuple[str, str, str]]:
    return {(e["from"], e["predicate"], e["to"]) for e in data["edges"]}


def test_classes_of_the_small_archive(small) -> None:
    classes = node_classes(small)
    assert classes[ALPHA] == "agreement"
    assert classes[PART] == "subagreement"
    assert classes[ROUND] == "meeting"
    assert classes[ANA] == "actor"
    assert classes[DOC] == "source"
    assert len(classes) == 6


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"date": ["2011-07-02"], "year": ["2011"]}, "2011-07-02"),
        ({"yearMonth": ["2015-02"], "year": ["2015"]}, "2015-02-01"),
        ({"year": ["2015"]}, "2015-01-01"),
        ({}, None),
    ],
)
def test_valid_time_starts_at_the_date_month_or_year(facts, expected) -> None:
    assert valid_from(facts) == expected


def test_network_nodes_carry_class_date_and_page(small) -> None:
    data = graph_data(build_network(small, "en"))
    nodes = _nodes(data)
    assert set(nodes) == {ALPHA, PART, ROUND, ANA, ID + "person/boris", DOC}
    alpha = nodes[ALPHA]
    assert alpha["label"] == "Alpha agreement"
    assert alpha["group"] == "agreement" and alpha["shape"] == "diamond"
    assert alpha["date"] == "2011-07-02"
    assert alpha["page"] == "/id/agreement/alpha"
    assert nodes[PART]["date"] == "2011-01-01"  # year only: from 1 January
    assert nodes[ANA]["date"] is None
    assert isinstance(alpha["x"], float) and isinstance(alpha["y"], float)
    json.dumps(data)  # what the page fetches


def test_network_edges_are_the_links_between_nodes(small) -> None:
    links = _links(graph_data(build_network(small, "en")))
    assert (ROUND, "reached", ALPHA) in links
    assert (PART, "partOf", ALPHA) in links
    assert (ROUND, "participant", ANA) in links
    assert (ALPHA, "source", DOC) in links
    assert not any(p == "type" for _, p, _ in links)


def test_labels_in_the_chosen_language_with_english_fallback(small) -> None:
    nodes = _nodes(graph_data(build_network(small, "sq")))
    assert nodes[ALPHA]["label"] == "Marrëveshja Alfa"
    assert nodes[ROUND]["label"] == "First round"


def test_limit_keeps_each_class_and_the_earliest(small) -> None:
    nodes = _nodes(graph_data(build_network(small, "en", limit=3)))
    assert len(nodes) == 3
    assert ALPHA in nodes  # agreements come first
    classes = {"a": "agreement", "b": "agreement", "c": "actor", "d": "actor"}
    starts = {"a": "2012-01-01", "b": "2011-01-01", "c": None, "d": None}
    assert select(classes, starts, 2) == ["b", "c"]
    assert select(classes, starts, None) == ["b", "a", "c", "d"]


def test_neighbours_of_a_node(small) -> None:
    nodes = _nodes(graph_data(build_network(small, "en", around=[ALPHA])))
    assert set(nodes) == {ALPHA, PART, ROUND, DOC}


def test_focus_takes_an_agreement_its_parts_and_their_neighbours(small) -> None:
    nodes = _nodes(graph_data(build_network(small, "en", focus=ALPHA)))
    assert {ALPHA, PART, ROUND, DOC} <= set(nodes)


@pytest.mark.parametrize(
    "text",
    ["", "alpha", "https://x.org/a> } DROP ALL { <b", "https://x.org/a b", 'https://x.org/"'],
)
def test_iris_in_queries_are_checked(small, text) -> None:
    assert not is_iri(text)
    with pytest.raises(ValueError):
        build_network(small, "en", around=[text])
    assert brief(small, text, "en") is None


def test_page_path_only_for_the_archives_iris() -> None:
    assert page_path(ALPHA) == "/id/agreement/alpha"
    assert page_path("https://example.org/x") is None


def test_brief_for_the_panel(small) -> None:
    about = brief(small, ALPHA, "sq")
    assert about["label"] == "Marrëveshja Alfa"
    assert about["class"] == "agreement"
    assert about["date"] == "2011-07-02"
    page = "/id/source/test-doc"
    assert about["sources"] == [{"iri": DOC, "label": "Test document", "page": page}]
    assert about["page"] == "/id/agreement/alpha"
    assert brief(small, ID + "agreement/nothing-here", "en") is None


def test_layout_bounded_at_every_size() -> None:
    small_graph = network_options(300)
    assert small_graph["physics"]["enabled"] is True
    assert small_graph["physics"]["stabilization"]["iterations"] <= 100
    assert small_graph["layout"]["improvedLayout"] is False
    large = network_options(PHYSICS_MAX_NODES + 1)
    assert large["physics"]["enabled"] is False  # drawn from the seed layout as it is
    assert large["edges"]["smooth"] is False
