"""Projections of a small hand-made archive (network.trig): now, as of a date, as of a revision."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from dialogue_kg.analysis import measures, open_view, project
from dialogue_kg.analysis.projections import (
    actor_agreement,
    agreement_structure,
    brokerage,
    co_participation,
    resource_graph,
)

from .conftest import ID

DKG = "https://w3id.org/dialogue-kg/ontology#"
A, B, C, D, F = (f"{ID}person/{x}" for x in "abcdf")


def edges(graph: nx.Graph) -> dict[frozenset, int]:
    return {frozenset((u, v)): d["weight"] for u, v, d in graph.edges(data=True)}


def test_co_participation_counts_shared_meetings(network) -> None:
    g = co_participation(open_view(network))
    assert edges(g) == {
        frozenset((A, B)): 2,
        frozenset((A, C)): 1,
        frozenset((A, F)): 1,
        frozenset((B, C)): 1,
        frozenset((B, F)): 1,
        frozenset((C, F)): 1,
        frozenset((C, D)): 1,
    }
    assert g.nodes[A]["meetings"] == 2 and g.nodes[D]["meetings"] == 1
    assert g.nodes[A]["label"] == "Anna A" and g.nodes[A]["kind"] == "person"
    # C is the only way to D: it lies on the 3 paths from D to A, B and F, of 6 pairs.
    top = measures.centrality(g, "betweenness")[0]
    assert (top.node, top.score) == (C, pytest.approx(0.5))


def test_labels_in_the_requested_language_with_english_fallback(network) -> None:
    g = co_participation(open_view(network), lang="sr-Latn")
    assert g.nodes[A]["label"] == "Ana A"
    assert g.nodes[B]["label"] == "Bora B"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (
            None,
            date(2012, 12, 31),
            {frozenset(p) for p in [(A, B), (A, C), (A, F), (B, C), (B, F), (C, F)]},
        ),
        (date(2013, 1, 1), date(2013, 12, 31), {frozenset((A, B))}),  # m2: only a month given
        (date(2013, 6, 1), None, {frozenset((C, D))}),  # m2 (May 2013) is before the window
        (date(2015, 12, 31), None, {frozenset((C, D))}),  # m3: only the year 2015 is given
    ],
)
def test_co_participation_in_a_date_window(network, start, end, expected) -> None:
    g = co_participation(open_view(network), start=start, end=end)
    assert set(edges(g)) == expected


def test_valid_time_leaves_out_what_had_not_happened(network) -> None:
    early = open_view(network, as_of_date=date(2014, 1, 1))
    g = co_participation(early)
    assert D not in g and edges(g)[frozenset((A, B))] == 2
    agreements = agreement_structure(early)
    assert set(agreements) == {f"{ID}agreement/{x}" for x in ("root", "part-1", "other")}
    assert list(agreements.edges) == [(f"{ID}agreement/part-1", f"{ID}agreement/root")]
    # The view's date caps a later window end.
    assert D not in co_participation(early, end=date(2020, 1, 1))


def test_as_of_a_revision(fresh_network) -> None:
    network = fresh_network
    before = network.revision
    network.load(
        b"""@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
        <https://w3id.org/dialogue-kg/id/meeting/m4> a dkg:Meeting ;
          <http://www.w3.org/2000/01/rdf-schema#label> "Meeting 4"@en ;
          dkg:year "2016"^^<http://www.w3.org/2001/XMLSchema#gYear> ;
          dkg:participant <https://w3id.org/dialogue-kg/id/person/a> ,
            <https://w3id.org/dialogue-kg/id/person/d> ;
          dkg:source <https://w3id.org/dialogue-kg/id/source/net-doc> .""",
        agent="tester",
        fmt="turtle",
        sources=["https://w3id.org/dialogue-kg/id/source/net-doc"],
    )
    assert frozenset((A, D)) in edges(co_participation(open_view(network)))
    old = open_view(network, revision=before)
    assert old.revision == before
    assert frozenset((A, D)) not in edges(co_participation(old))
    with pytest.raises(ValueError, match="no revision 99"):
        open_view(network, revision=99)


def test_brokerage_links_the_facilitator_to_both_sides_not_the_sides_to_each_other(
    network,
) -> None:
    g = brokerage(open_view(network))
    assert edges(g) == {frozenset((F, A)): 2, frozenset((F, B)): 1, frozenset((F, C)): 2}
    path = measures.shortest_path(g, A, B)
    assert path.nodes == [A, F, B]
    assert g.nodes[F]["role"] == "facilitator"


def test_agreement_structure(network) -> None:
    g = agreement_structure(open_view(network))
    ag = {x: f"{ID}agreement/{x}" for x in ("root", "part-1", "part-2", "plan", "other")}
    assert g.edges[ag["part-1"], ag["root"]]["relation"] == "partOf"
    assert g.edges[ag["part-2"], ag["root"]]["relation"] == "partOf"  # from dkg:hasPart
    assert g.edges[ag["plan"], ag["part-1"]]["relation"] == "implements"
    assert g.edges[ag["plan"], ag["part-2"]]["relation"] == "amends"
    assert g.nodes[ag["root"]]["nature"] == "Political" and g.nodes[ag["root"]]["year"] == 2013
    groups = measures.components(g)
    assert [set(c.nodes) for c in groups] == [
        {ag["root"], ag["part-1"], ag["part-2"], ag["plan"]},
        {ag["other"]},
    ]


def test_actor_agreement_is_bipartite(network) -> None:
    g = actor_agreement(open_view(network))
    root = f"{ID}agreement/root"
    sides = {f"{ID}organisation/side-k", f"{ID}organisation/side-s"}
    assert {n for n, d in g.nodes(data=True) if d["bipartite"] == 0} == {A, C, F} | sides
    assert g.edges[F, root]["role"] == "facilitator"
    assert g.edges[A, root]["role"] == "negotiator"
    assert nx.is_bipartite(g)


def test_resource_graph_path_from_an_oped_to_an_agreement(network) -> None:
    g = resource_graph(open_view(network))
    assert not any(n.startswith(f"{ID}source/") for n in g)
    found = measures.shortest_path(g, f"{ID}outreach/oped-1", f"{ID}agreement/root")
    assert found.nodes == [f"{ID}outreach/oped-1", f"{ID}agreement/part-2", f"{ID}agreement/root"]
    assert found.links == [DKG + "discusses", DKG + "hasPart"]
    assert found.labels == ["An op-ed", "Part two", "Root agreement"]


def test_project_by_name(network) -> None:
    view = open_view(network)
    assert project(view, "agreements").graph["projection"] == "agreements"
    with pytest.raises(ValueError, match="no projection 'x'"):
        project(view, "x")
