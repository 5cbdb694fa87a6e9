"""Projections of the RDF graph into networkx graphs, built from SPARQL SELECTs on the store.

Nodes are resource IRIs with a ``label`` (best in the requested language) and a ``kind`` (the
``id/{kind}/`` path segment); edge attributes say why two nodes are linked. Every projection reads
a :class:`~dialogue_kg.analysis.view.View`, so it works now, as of a revision or as of a date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from itertools import combinations

import networkx as nx

from dialogue_kg.analysis.view import View
from dialogue_kg.errors import UsageError
from dialogue_kg.labels import best
from dialogue_kg.namespaces import DKG_IRI as DKG

# Agreement-to-agreement relations (docs/vocabulary.md); dkg:hasPart is read as the inverse
# of dkg:partOf so that every edge points from the part to the whole.
AGREEMENT_RELATIONS = ("partOf", "implements", "amends", "supersedes", "dependsOn")
AGREEMENT_ROLES = ("party", "facilitator", "negotiator")

# Predicates left out of the whole-resource graph: provenance and citation would link every
# record to every other through a handful of sources.
RESOURCE_GRAPH_SKIP = (
    DKG + "source",
    DKG + "document",
    DKG + "claimedBy",
    "http://purl.org/dc/terms/source",
    "http://www.w3.org/ns/prov#wasDerivedFrom",
)


def kind_of(iri: str, base: str) -> str:
    """The ``{kind}`` of ``{base}id/{kind}/{slug}`` (``topic`` for topics, else ``other``)."""
    if iri.startswith(base + "id/"):
        return iri[len(base) + 3 :].split("/", 1)[0]
    if iri.startswith(base + "topic/"):
        return "topic"
    return "other"


def add_labels(view: View, graph: nx.Graph, lang: str = "en") -> nx.Graph:
    """Give every node a ``label`` (best in ``lang``, else its IRI) and a ``kind``."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    nodes = sorted(graph.nodes)
    for start in range(0, len(nodes), 1000):
        values = " ".join(f"<{n}>" for n in nodes[start : start + 1000])
        query = (
            f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} "
            "{ ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } }"
        )
        for s, label in view.select(query):
            found[s.value].append((label.value, label.language or ""))  # type: ignore[union-attr]
    for node in nodes:
        graph.nodes[node]["label"] = best(found.get(node, []), lang) or node
        graph.nodes[node].setdefault("kind", kind_of(node, view.base))
    return graph


def co_participation(
    view: View,
    *,
    start: date | None = None,
    end: date | None = None,
    delegations: bool = False,
    lang: str = "en",
    labels: bool = True,
) -> nx.Graph:
    """Actors linked by the meetings they attended together (``dkg:participant``; with
    ``delegations`` also ``dkg:delegation``), in [start, end]. Edge ``weight`` = shared
    meetings; node ``meetings`` = meetings attended."""
    prop = "dkg:participant|dkg:delegation" if delegations else "dkg:participant"
    # One row per meeting (its participants joined by spaces, which IRIs cannot contain): about
    # six times fewer rows to turn into Python objects than one row per participation.
    rows = view.select(
        f"""SELECT (GROUP_CONCAT(DISTINCT STR(?a); separator=" ") AS ?actors) WHERE {{
  ?m a dkg:Meeting ; {prop} ?a . FILTER(isIRI(?a)) {view.when("m", start, end)}
}} GROUP BY ?m"""
    )
    graph = nx.Graph(projection="co-participation")
    counts: dict[str, int] = defaultdict(int)
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for (joined,) in rows:
        actors = sorted(joined.value.split(" "))  # type: ignore[union-attr]
        for a in actors:
            counts[a] += 1
        for pair in combinations(actors, 2):
            weights[pair] += 1
    graph.add_nodes_from((a, {"meetings": n}) for a, n in counts.items())
    graph.add_edges_from((a, b, {"weight": w}) for (a, b), w in weights.items())
    return add_labels(view, graph, lang) if labels else graph


def brokerage(view: View, *, lang: str = "en", labels: bool = True) -> nx.Graph:
    """Facilitators linked to the negotiators and participants of the processes, agreements and
    meetings they facilitated (never the two sides to each other): who brokered between whom.
    Edge ``weight`` = how many such processes, agreements and meetings."""
    rows = view.select(
        f"""SELECT ?f ?n (COUNT(DISTINCT ?x) AS ?k) WHERE {{
  ?x dkg:facilitator ?f .
  {{ ?x dkg:negotiator ?n }} UNION {{ ?x dkg:participant ?n }}
  FILTER NOT EXISTS {{ ?x dkg:facilitator ?n }}
  {view.when("x")}
}} GROUP BY ?f ?n"""
    )
    graph = nx.Graph(projection="brokerage")
    for f, n, k in rows:
        graph.add_node(f.value, role="facilitator")  # type: ignore[union-attr]
        graph.add_node(n.value)  # type: ignore[union-attr]
        graph.nodes[n.value].setdefault("role", "negotiator")  # type: ignore[union-attr]
        graph.add_edge(f.value, n.value, weight=int(k.value), relation="facilitation")  # type: ignore[union-attr]
    return add_labels(view, graph, lang) if labels else graph


def agreement_structure(view: View, *, lang: str = "en", labels: bool = True) -> nx.DiGraph:
    """Agreements and how they relate (part → whole for ``partOf``; ``implements``, ``amends``,
    ``supersedes``, ``dependsOn`` from the later agreement to the earlier). Edge ``relation``:
    the relations joined by commas."""
    graph = nx.DiGraph(projection="agreements")
    for a, year, nature in view.select(
        f"""SELECT ?a (SAMPLE(?y) AS ?year) (SAMPLE(?n) AS ?nature) WHERE {{
  ?a a dkg:Agreement . OPTIONAL {{ ?a dkg:year ?y }} OPTIONAL {{ ?a dkg:nature ?n }}
  {view.when("a")}
}} GROUP BY ?a"""
    ):
        attrs = {}
        if year is not None:
            attrs["year"] = int(year.value[:4])  # type: ignore[union-attr]
        if nature is not None:
            attrs["nature"] = nature.value.rsplit("#", 1)[-1]  # type: ignore[union-attr]
        graph.add_node(a.value, **attrs)  # type: ignore[union-attr]
    values = " ".join(f"dkg:{r}" for r in AGREEMENT_RELATIONS)
    rows = view.select(
        f"""SELECT DISTINCT ?a ?rel ?b WHERE {{
  {{ VALUES ?rel {{ {values} }} ?a ?rel ?b }} UNION {{ ?b dkg:hasPart ?a BIND(dkg:partOf AS ?rel) }}
  ?a a dkg:Agreement . ?b a dkg:Agreement .
  {view.when("a")} {view.when("b")}
}}"""
    )
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a, rel, b in rows:
        relations[(a.value, b.value)].add(rel.value.rsplit("#", 1)[-1])  # type: ignore[union-attr]
    for (a, b), rels in relations.items():
        graph.add_edge(a, b, relation=",".join(sorted(rels)))
    return add_labels(view, graph, lang) if labels else graph


def actor_agreement(view: View, *, lang: str = "en", labels: bool = True) -> nx.Graph:
    """The bipartite graph of actors and the agreements they were party to, facilitated or
    negotiated. Node ``bipartite``: 0 for actors, 1 for agreements; edge ``role``: the roles."""
    values = " ".join(f"dkg:{r}" for r in AGREEMENT_ROLES)
    rows = view.select(
        f"""SELECT ?actor ?role ?ag WHERE {{
  VALUES ?role {{ {values} }} ?ag a dkg:Agreement ; ?role ?actor . {view.when("ag")}
}}"""
    )
    graph = nx.Graph(projection="actor-agreement")
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for actor, role, ag in rows:
        graph.add_node(actor.value, bipartite=0)  # type: ignore[union-attr]
        graph.add_node(ag.value, bipartite=1)  # type: ignore[union-attr]
        roles[(actor.value, ag.value)].add(role.value.rsplit("#", 1)[-1])  # type: ignore[union-attr]
    for (actor, ag), rs in roles.items():
        graph.add_edge(actor, ag, role=",".join(sorted(rs)))
    return add_labels(view, graph, lang) if labels else graph


def resource_graph(
    view: View,
    *,
    exclude_kinds: Iterable[str] = ("source",),
    lang: str = "en",
    labels: bool = True,
) -> nx.Graph:
    """Every link between two described resources (``id/…`` and topics), undirected, without
    citations (``dkg:source`` and kin) and without the kinds in ``exclude_kinds``. Edge
    ``predicate``: the property that links them (first one found)."""
    ids, topics = view.base + "id/", view.base + "topic/"
    skip = ", ".join(f"<{p}>" for p in RESOURCE_GRAPH_SKIP)
    rows = view.select(
        f"""SELECT ?s ?p ?o WHERE {{
  ?s ?p ?o . FILTER(isIRI(?o) && ?p NOT IN ({skip}))
  FILTER(STRSTARTS(STR(?s), "{ids}") || STRSTARTS(STR(?s), "{topics}"))
  FILTER(STRSTARTS(STR(?o), "{ids}") || STRSTARTS(STR(?o), "{topics}"))
  {view.when("s")} {view.when("o")}
}}"""
    )
    excluded = set(exclude_kinds)
    graph = nx.Graph(projection="resources")
    for s, p, o in rows:
        a, b = s.value, o.value  # type: ignore[union-attr]
        if a == b or {kind_of(a, view.base), kind_of(b, view.base)} & excluded:
            continue
        if not graph.has_edge(a, b):
            graph.add_edge(a, b, predicate=p.value)  # type: ignore[union-attr]
    return add_labels(view, graph, lang) if labels else graph


PROJECTIONS: dict[str, Callable[..., nx.Graph]] = {
    "co-participation": co_participation,
    "brokerage": brokerage,
    "agreements": agreement_structure,
    "actor-agreement": actor_agreement,
    "resources": resource_graph,
}


def project(view: View, name: str, **options: object) -> nx.Graph:
    """The projection called ``name`` (one of :data:`PROJECTIONS`)."""
    if name not in PROJECTIONS:
        raise UsageError(f"no projection {name!r}: choose one of {', '.join(PROJECTIONS)}")
    return PROJECTIONS[name](view, **options)
