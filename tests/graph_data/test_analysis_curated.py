"""Network analysis and reports on the curated archive: what the graph says about the dialogue."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import networkx as nx

from dialogue_kg.analysis import measures, open_view
from dialogue_kg.analysis.projections import (
    agreement_structure,
    brokerage,
    co_participation,
    resource_graph,
)
from dialogue_kg.analysis.reports import build_report
from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows

ID = "https://w3id.org/dialogue-kg/id/"
COOPER, TAHIRI, STEFANOVIC = (
    f"{ID}person/{x}" for x in ("robert-cooper", "edita-tahiri", "borislav-stefanovic")
)
FIRST = f"{ID}agreement/first-agreement-2013"


def test_the_facilitator_of_the_technical_dialogue_links_its_two_negotiators(
    curated: Archive,
) -> None:
    g = brokerage(open_view(curated))
    assert not g.has_edge(TAHIRI, STEFANOVIC)  # the two sides are linked only through brokers
    assert [TAHIRI, COOPER, STEFANOVIC] in list(nx.all_shortest_paths(g, TAHIRI, STEFANOVIC))
    people = g.subgraph(n for n, d in g.nodes(data=True) if d["kind"] == "person")
    assert set(nx.common_neighbors(people, TAHIRI, STEFANOVIC)) == {COOPER}
    cut = people.copy()
    cut.remove_node(COOPER)
    assert not nx.has_path(cut, TAHIRI, STEFANOVIC)


def test_the_technical_dialogue_rounds_in_the_co_participation_graph(curated: Archive) -> None:
    g = co_participation(open_view(curated), start=date(2011, 3, 1), end=date(2012, 2, 29))
    assert set(g) == {COOPER, TAHIRI, STEFANOVIC}
    # Rounds 1, 3, 5, 6, 7, 8 and 9 name the three of them; rounds 2 and 4 name no participants.
    assert {d["weight"] for _, _, d in g.edges(data=True)} == {7}


def test_the_sub_agreements_of_the_first_agreement_form_one_component_under_it(
    curated: Archive,
) -> None:
    g = agreement_structure(open_view(curated))
    part_of = g.edge_subgraph(
        (a, b) for a, b, d in g.edges(data=True) if "partOf" in d["relation"].split(",")
    )
    parts = {
        r["part"]
        for r in rows(curated.query(queries.load("sub-agreements-of-the-first-agreement").text))
    }
    assert len(parts) >= 4
    assert measures.component_of(part_of, FIRST) == parts | {FIRST}
    assert all(nx.has_path(part_of, p, FIRST) for p in parts)
    assert part_of.out_degree(FIRST) == 0  # it is the root: part of nothing


def test_how_an_oped_is_connected_to_an_agreement(curated: Archive) -> None:
    opeds = rows(curated.query(queries.load("opeds-discussing-an-agreement").text))
    oped = opeds[0]["oped"]
    g = resource_graph(open_view(curated))
    found = measures.shortest_path(g, oped, FIRST)
    assert found.nodes[0] == oped and found.nodes[-1] == FIRST and found.length >= 2
    for (a, b), link in zip(pairwise(found.nodes), found.links, strict=True):
        assert curated.query(
            f"ASK {{ {{ <{a}> <{link}> <{b}> }} UNION {{ <{b}> <{link}> <{a}> }} }}"
        )


def test_the_network_as_it_stood_before_the_high_level_dialogue(curated: Archive) -> None:
    early = open_view(curated, as_of_date=date(2012, 6, 30))
    g = agreement_structure(early)
    assert FIRST not in g
    assert all(d.get("year", 0) <= 2012 for _, d in g.nodes(data=True))


def test_reports_on_the_curated_record(curated: Archive) -> None:
    rows = build_report(curated, "outreach").rows
    categories = [r["category"] for r in rows]
    assert len(categories) == len(set(categories))  # one row per category and count
    outreach = {r["category"]: r for r in rows}
    # The KSPAG report states its five consortium meetings twice: one row, both places.
    assert len(outreach["consortium meetings"]["where"]) == 2
    assert outreach["TV debates"]["claimed"] == 3 and outreach["TV debates"]["itemised"] == 3
    assert outreach["roundtables"]["claimed"] == 6
    implementation = build_report(curated, "implementation")
    assert {"Government of Kosovo", "Government of Serbia"} <= set(implementation.extra["parties"])
    meetings = build_report(curated, "meetings-per-year").rows
    assert {"year": "2011", "level": "Technical round", "meetings": 8} in meetings
    central = build_report(curated, "central-actors").rows
    assert central and all(r["strength"] > 0 for r in central)
