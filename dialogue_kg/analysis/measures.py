"""Measures on a projection: centrality, communities, shortest paths, connected components.

They take any networkx graph (the projections give ``label`` node attributes and ``weight``
edge attributes) and return plain records that the CLI and the web app print or serialise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from dialogue_kg.errors import NotFound, UsageError

MEASURES = ("degree", "betweenness", "eigenvector")
COMMUNITY_METHODS = ("louvain", "greedy")


@dataclass(frozen=True)
class Score:
    """One node's score under one measure."""

    node: str
    label: str
    score: float


@dataclass
class Group:
    """A set of nodes: a community or a connected component."""

    size: int
    nodes: list[str]
    labels: list[str] = field(default_factory=list)


@dataclass
class Path:
    """A shortest path: nodes in order, with the property (or relation) of each step."""

    nodes: list[str]
    labels: list[str]
    links: list[str]

    @property
    def length(self) -> int:
        """Number of steps."""
        return len(self.nodes) - 1


def _label(graph: nx.Graph, node: str) -> str:
    return str(graph.nodes[node].get("label", node))


def _distance_graph(graph: nx.Graph) -> nx.Graph:
    """The graph with ``distance`` = 1/weight on each edge: more shared meetings, closer."""
    g = graph.copy()
    for _, _, d in g.edges(data=True):
        d["distance"] = 1.0 / float(d.get("weight", 1) or 1)
    return g


def centrality(
    graph: nx.Graph,
    measure: str = "degree",
    *,
    weighted: bool = False,
    top: int | None = None,
    k: int | None = None,
    seed: int = 0,
) -> list[Score]:
    """Nodes by ``measure`` (degree, betweenness, eigenvector), highest first, ties by label.

    ``weighted`` uses edge weights (as closeness for betweenness); ``k`` samples that many
    sources for an approximate betweenness on large graphs.
    """
    if measure not in MEASURES:
        raise UsageError(f"no measure {measure!r}: choose one of {', '.join(MEASURES)}")
    undirected = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    if measure == "degree":
        if weighted:
            scores = dict(undirected.degree(weight="weight"))
        else:
            scores = nx.degree_centrality(undirected) if len(undirected) > 1 else {}
    elif measure == "betweenness":
        g = _distance_graph(undirected) if weighted else undirected
        scores = nx.betweenness_centrality(
            g, k=k if k and k < len(g) else None, weight="distance" if weighted else None, seed=seed
        )
    else:
        scores = _eigenvector(undirected, "weight" if weighted else None)
    ranked = sorted(
        (Score(n, _label(graph, n), float(s)) for n, s in scores.items()),
        key=lambda s: (-s.score, s.label, s.node),
    )
    return ranked[:top] if top else ranked


def _eigenvector(graph: nx.Graph, weight: str | None) -> dict[str, float]:
    """Eigenvector centrality per connected component (it is undefined across components),
    scaled by the component's share of the nodes."""
    scores: dict[str, float] = {}
    n = len(graph)
    for nodes in nx.connected_components(graph):
        if len(nodes) == 1:
            scores.update(dict.fromkeys(nodes, 0.0))
            continue
        sub = graph.subgraph(nodes)
        part = nx.eigenvector_centrality(sub, max_iter=1000, tol=1e-8, weight=weight)
        share = len(nodes) / n
        scores.update({node: abs(v) * share for node, v in part.items()})
    return scores


def communities(
    graph: nx.Graph, method: str = "louvain", *, weighted: bool = True, seed: int = 0
) -> list[Group]:
    """Communities (Louvain or greedy modularity), largest first."""
    if method not in COMMUNITY_METHODS:
        raise UsageError(f"no method {method!r}: choose one of {', '.join(COMMUNITY_METHODS)}")
    g = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    weight = "weight" if weighted else None
    if method == "louvain":
        found = nx.community.louvain_communities(g, weight=weight, seed=seed)
    else:
        found = nx.community.greedy_modularity_communities(g, weight=weight)
    return _groups(graph, found)


def components(graph: nx.Graph) -> list[Group]:
    """Connected components (weakly connected for directed graphs), largest first."""
    if graph.is_directed():
        return _groups(graph, nx.weakly_connected_components(graph))
    return _groups(graph, nx.connected_components(graph))


def _groups(graph: nx.Graph, sets: Iterable[Iterable[str]]) -> list[Group]:
    out = []
    for nodes in sets:
        ordered = sorted(nodes, key=lambda n: (_label(graph, n), n))
        out.append(Group(len(ordered), ordered, [_label(graph, n) for n in ordered]))
    return sorted(out, key=lambda g: (-g.size, g.labels))


def shortest_path(graph: nx.Graph, source: str, target: str) -> Path:
    """The shortest path from ``source`` to ``target`` (ignoring direction); ValueError when
    either is not in the graph or nothing connects them."""
    g = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    for node in (source, target):
        if node not in g:
            raise NotFound(f"<{node}> is not in the {graph.graph.get('projection', '')} graph")
    try:
        nodes = nx.shortest_path(g, source, target)
    except nx.NetworkXNoPath:
        raise NotFound(f"nothing connects <{source}> and <{target}>") from None
    links = []
    for a, b in zip(nodes, nodes[1:], strict=False):
        data = g.get_edge_data(a, b) or {}
        links.append(str(data.get("predicate") or data.get("relation") or data.get("role") or ""))
    return Path(nodes, [_label(graph, n) for n in nodes], links)


def component_of(graph: nx.Graph, node: str) -> set[str]:
    """The nodes connected to ``node`` (ignoring direction), itself included."""
    if node not in graph:
        raise NotFound(f"<{node}> is not in the graph")
    g = graph.to_undirected(as_view=True) if graph.is_directed() else graph
    return set(nx.node_connected_component(g, node))
