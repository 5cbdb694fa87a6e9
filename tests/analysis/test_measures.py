"""Measures on small hand-built networkx graphs whose centralities and paths are known."""

from __future__ import annotations

import networkx as nx
import pytest

from dialogue_kg.analysis import measures


def labelled(graph: nx.Graph) -> nx.Graph:
    for n in graph:
        graph.nodes[n]["label"] = f"node {n}"
    return graph


def test_star_centre_is_most_central_by_every_measure() -> None:
    star = labelled(nx.relabel_nodes(nx.star_graph(4), str))
    for measure in measures.MEASURES:
        scores = measures.centrality(star, measure)
        assert scores[0].node == "0", measure
        assert scores[0].label == "node 0"
    assert measures.centrality(star, "degree")[0].score == pytest.approx(1.0)
    assert measures.centrality(star, "betweenness")[0].score == pytest.approx(1.0)
    assert measures.centrality(star, "betweenness")[1].score == pytest.approx(0.0)


def test_betweenness_on_a_path_matches_the_formula() -> None:
    # 0-1-2-3-4: node 2 lies on 4 of the 6 pairs of other nodes, node 1 on 3.
    path = labelled(nx.relabel_nodes(nx.path_graph(5), str))
    scores = {s.node: s.score for s in measures.centrality(path, "betweenness")}
    assert scores["2"] == pytest.approx(4 / 6)
    assert scores["1"] == pytest.approx(3 / 6) == scores["3"]
    assert scores["0"] == 0.0


def test_weighted_betweenness_prefers_heavy_edges() -> None:
    # a-b-c with heavy edges, a-d-c with light ones: weights are closeness.
    g = nx.Graph()
    g.add_edge("a", "b", weight=10)
    g.add_edge("b", "c", weight=10)
    g.add_edge("a", "d", weight=1)
    g.add_edge("d", "c", weight=1)
    plain = {s.node: s.score for s in measures.centrality(g, "betweenness")}
    assert plain["b"] == plain["d"]
    weighted = {s.node: s.score for s in measures.centrality(g, "betweenness", weighted=True)}
    assert weighted["b"] > 0 and weighted["d"] == 0
    strength = measures.centrality(g, "degree", weighted=True)
    assert [s.node for s in strength[:1]] == ["b"] and strength[0].score == 20


def test_eigenvector_handles_several_components() -> None:
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    g.add_node("alone")
    scores = {s.node: s.score for s in measures.centrality(g, "eigenvector")}
    assert scores["c"] > scores["a"] > scores["d"] > 0
    assert scores["alone"] == 0.0


def test_top_and_unknown_measure() -> None:
    g = nx.complete_graph(["x", "y", "z"])
    assert len(measures.centrality(g, "degree", top=2)) == 2
    with pytest.raises(ValueError, match="no measure 'pagerank'"):
        measures.centrality(g, "pagerank")


def test_two_cliques_joined_by_a_bridge_are_two_communities() -> None:
    g = nx.Graph()
    g.add_edges_from(nx.complete_graph(["a1", "a2", "a3", "a4"]).edges)
    g.add_edges_from(nx.complete_graph(["b1", "b2", "b3", "b4"]).edges)
    g.add_edge("a1", "b1")
    for method in measures.COMMUNITY_METHODS:
        found = measures.communities(g, method)
        assert sorted(map(frozenset, (c.nodes for c in found))) == sorted(
            [frozenset({"a1", "a2", "a3", "a4"}), frozenset({"b1", "b2", "b3", "b4"})]
        ), method
    with pytest.raises(ValueError, match="no method"):
        measures.communities(g, "spectral")


def test_components_largest_first_and_weak_for_directed_graphs() -> None:
    g = nx.DiGraph([("p1", "root"), ("p2", "root"), ("x", "y")])
    g.add_node("z")
    found = measures.components(g)
    assert [c.size for c in found] == [3, 2, 1]
    assert set(found[0].nodes) == {"p1", "p2", "root"}
    assert measures.component_of(g, "p1") == {"p1", "p2", "root"}


def test_shortest_path_with_its_links() -> None:
    g = nx.Graph()
    g.add_edge("oped", "part", predicate="discusses")
    g.add_edge("part", "root", predicate="partOf")
    g.add_edge("oped", "x", predicate="topic")
    g.add_edge("x", "y", predicate="topic")
    g.add_edge("y", "root", predicate="topic")
    found = measures.shortest_path(g, "oped", "root")
    assert found.nodes == ["oped", "part", "root"]
    assert found.links == ["discusses", "partOf"]
    assert found.length == 2
    g.add_node("island")
    with pytest.raises(ValueError, match="nothing connects"):
        measures.shortest_path(g, "oped", "island")
    with pytest.raises(ValueError, match="is not in"):
        measures.shortest_path(g, "oped", "nowhere")
