"""The graph explorer's network: agreements, sub-agreements, meetings, actors, implementation
events, outreach and sources, built with pyvis for vis-network in the browser.

Each node carries what the explorer filters on: its class, its valid-time start (``date``: the
day concluded, met or reported; ``dkg:yearMonth`` counts from the month's first day, ``dkg:year``
from 1 January; resources with none are always shown), its topics and, for agreements, its nature.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyvis.edge import Edge
from pyvis.network import Network

from dialogue_kg.addresses import page_path
from dialogue_kg.core.archive import Archive
from dialogue_kg.errors import UsageError
from dialogue_kg.labels import labels, local_name
from dialogue_kg.namespaces import DEFAULT_BASE
from dialogue_kg.namespaces import RDF_TYPE_IRI as RDF_TYPE
from dialogue_kg.read.layout import seed_layout

DKG = DEFAULT_BASE + "ontology#"
CHUNK = 500


@dataclass(frozen=True)
class NodeClass:
    """One class of node as the explorer draws it."""

    key: str
    iri: str
    shape: str
    colour: str


# In priority order: a node limit keeps each class's share, earliest first within a class.
NODE_CLASSES: tuple[NodeClass, ...] = (
    NodeClass("agreement", DKG + "Agreement", "diamond", "#0b4f8a"),
    NodeClass("subagreement", DKG + "Agreement", "triangle", "#3d8fd6"),
    NodeClass("meeting", DKG + "Meeting", "square", "#b03a2e"),
    NodeClass("event", DKG + "ImplementationEvent", "star", "#c27c0e"),
    NodeClass("actor", DKG + "Actor", "dot", "#1e8449"),
    NodeClass("outreach", DKG + "OutreachActivity", "triangleDown", "#7d3c98"),
    NodeClass("source", DKG + "Source", "hexagon", "#717d7e"),
)
CLASS_BY_KEY = {c.key: c for c in NODE_CLASSES}
NATURES = {DKG + "Political": "political", DKG + "Technical": "technical"}

_TYPED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?class WHERE {
  %s
  VALUES ?class { %s }
  ?s a ?t . ?t rdfs:subClassOf* ?class .
}
"""
_PARTS = "SELECT DISTINCT ?s WHERE { %s ?s <%spartOf> ?whole }"
# One pattern per property (a UNION, not VALUES ?p: two VALUES blocks made Oxigraph scan).
_VALUES = """
SELECT ?s ?p ?o WHERE {
  %s
  %s
}
"""
_LINKS = """
SELECT ?s ?p ?o WHERE {
  VALUES ?s { %s }
  ?s ?p ?o . FILTER(isIRI(?o))
}
"""
_AROUND = """
SELECT DISTINCT ?n WHERE {
  VALUES ?x { %s }
  { ?x ?p ?n } UNION { ?n ?p ?x }
  FILTER(isIRI(?n))
}
"""


def _values(var: str, iris: Iterable[str] | None) -> str:
    """A VALUES clause binding ``var`` to ``iris`` (empty when ``iris`` is None)."""
    if iris is None:
        return ""
    terms = " ".join(f"<{i}>" for i in iris)
    return f"VALUES ?{var} {{ {terms} }}"


def _chunks(iris: Iterable[str] | None) -> list[list[str] | None]:
    """``iris`` in query-sized chunks; ``[None]`` (the whole store) when ``iris`` is None."""
    if iris is None:
        return [None]
    items = sorted(set(iris))
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def node_classes(archive: Archive, iris: Iterable[str] | None = None) -> dict[str, str]:
    """Class key of every explorer resource (of ``iris``, or in the archive)."""
    # A resource of several of these classes takes the first in NODE_CLASSES order; an
    # agreement that is part of another is a sub-agreement.
    keys = {c.iri: c.key for c in NODE_CLASSES if c.key != "subagreement"}
    rank = {key: i for i, key in enumerate(keys.values())}
    classes = " ".join(f"<{iri}>" for iri in keys)
    found: dict[str, str] = {}
    parts: set[str] = set()
    for chunk in _chunks(iris):
        for row in archive.query(_TYPED % (_values("s", chunk), classes)):
            s, key = row["s"].value, keys[row["class"].value]
            if s not in found or rank[key] < rank[found[s]]:
                found[s] = key
        parts.update(r["s"].value for r in archive.query(_PARTS % (_values("s", chunk), DKG)))
    return {s: ("subagreement" if k == "agreement" and s in parts else k) for s, k in found.items()}


def valid_from(facts: dict[str, list[str]]) -> str | None:
    """The ISO day from which a resource exists in valid time, from its date, month or year."""
    if facts.get("date"):
        return min(facts["date"])
    if facts.get("yearMonth"):
        return min(facts["yearMonth"])[:7] + "-01"
    if facts.get("year"):
        return min(facts["year"])[:4] + "-01-01"
    return None


def node_facts(
    archive: Archive, iris: Iterable[str] | None, names: Iterable[str]
) -> dict[str, dict[str, list[str]]]:
    """The values of the dkg: properties ``names`` for each resource (of ``iris``, or all)."""
    patterns = " UNION ".join(f'{{ ?s <{DKG}{n}> ?o BIND("{n}" AS ?p) }}' for n in names)
    facts: dict[str, dict[str, list[str]]] = {}
    for chunk in _chunks(iris):
        for row in archive.query(_VALUES % (_values("s", chunk), patterns)):
            name = row["p"].value
            facts.setdefault(row["s"].value, {}).setdefault(name, []).append(row["o"].value)
    return facts


def select(classes: dict[str, str], starts: dict[str, str | None], limit: int | None) -> list[str]:
    """At most ``limit`` resources: each class keeps its share, earliest first (undated last)."""
    by_class: dict[str, list[str]] = {}
    for iri, key in classes.items():
        by_class.setdefault(key, []).append(iri)
    for members in by_class.values():
        members.sort(key=lambda i: (starts.get(i) is None, starts.get(i) or "", i))
    if limit is None or limit >= len(classes):
        return [i for c in NODE_CLASSES for i in by_class.get(c.key, [])]
    total = len(classes)
    chosen: list[str] = []
    for c in NODE_CLASSES:
        members = by_class.get(c.key, [])
        share = -(-limit * len(members) // total)  # ceiling, so small classes keep a node
        chosen.extend(members[:share])
    return chosen[:limit]


_IRI = re.compile(r"(https?|urn):[^\s<>\"{}|\\^`]+\Z")


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI safe to write between ``<>`` in SPARQL."""
    return bool(_IRI.match(text))


PHYSICS_MAX_NODES = 500


def network_options(size: int) -> dict:
    """vis-network options that keep the layout bounded: from the seed layout, 100 Barnes-Hut
    iterations up to 300 nodes and 30 up to PHYSICS_MAX_NODES, none above (the seed layout is
    drawn as it is); no improved layout (Kamada-Kawai: slow, and fails on these graphs);
    straight edges, without arrow heads above PHYSICS_MAX_NODES (drawing them is slow); the page
    switches physics off once stabilised; names are drawn by the page, not by vis-network."""
    physics = size <= PHYSICS_MAX_NODES
    iterations = 100 if size <= 300 else 30
    return {
        "autoResize": True,
        "groups": {c.key: {"shape": c.shape, "color": c.colour} for c in NODE_CLASSES},
        # The page draws the names itself (by importance, without overlap); vis-network's own
        # labels are kept tiny and never drawn, so they neither tangle nor widen the fit.
        "nodes": {"size": 14, "font": {"size": 1}, "scaling": {"label": {"drawThreshold": 1000}}},
        "edges": {
            "arrows": {"to": {"enabled": physics, "scaleFactor": 0.5}},
            "color": {"color": "#9aa5b1", "highlight": "#0b4f8a"},
            "smooth": False,
            "width": 1,
        },
        "layout": {"improvedLayout": False, "randomSeed": 7},
        "physics": {
            "enabled": physics,
            "adaptiveTimestep": False,
            "solver": "barnesHut",
            "barnesHut": {
                "theta": 0.7,
                "gravitationalConstant": -8000,
                "centralGravity": 0.15,
                "springLength": 160,
                "springConstant": 0.04,
                "damping": 0.3,
                "avoidOverlap": 0.4,
            },
            "minVelocity": 1.0,
            "stabilization": {"enabled": physics, "iterations": iterations, "updateInterval": 50},
        },
        "interaction": {
            "hover": True,
            "keyboard": {"enabled": False},
            "tooltipDelay": 200,
            "hideEdgesOnDrag": size > 1000,
            "hideEdgesOnZoom": size > 1000,
        },
    }


class _Ids(list):
    """A list of node ids with constant-time membership (pyvis tests ``id in node_ids``)."""

    def __init__(self) -> None:
        super().__init__()
        self._set: set = set()

    def append(self, item: object) -> None:
        super().append(item)
        self._set.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._set


class _Network(Network):
    """pyvis's Network with constant-time node look-ups: pyvis scans a list for every node and
    edge it adds, which is quadratic at thousands of nodes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.node_ids = _Ids()

    def get_nodes(self):  # noqa: ANN201 - pyvis's API
        return self.node_map.keys()


def build_network(
    archive: Archive,
    lang: str,
    *,
    limit: int | None = None,
    focus: str | None = None,
    around: Iterable[str] | None = None,
) -> Network:
    """The explorer's network in ``lang``: the whole archive (at most ``limit`` nodes), one
    agreement's implementation history (``focus``), or the neighbours of ``around``."""
    for iri in ([focus] if focus else []) + list(around or []):
        if not is_iri(iri):
            raise UsageError(f"not an IRI: {iri!r}")
    if focus is not None:
        scope: set[str] | None = focus_scope(archive, focus)
    elif around is not None:
        centre = set(around)
        scope = centre | _neighbours(archive, centre)
    else:
        scope = None
    classes = node_classes(archive, scope)
    dates = node_facts(archive, None if scope is None else classes, ("date", "yearMonth", "year"))
    starts = {iri: valid_from(dates.get(iri, {})) for iri in classes}
    chosen = select(classes, starts, limit)
    facts = node_facts(archive, chosen, ("nature", "topic"))
    names = labels(archive, chosen, lang)

    links = edges_among(archive, chosen)
    positions = seed_layout({i: classes[i] for i in chosen}, starts, links)
    net = _Network(directed=True)
    for iri in chosen:
        key = classes[iri]
        label = names.get(iri) or local_name(iri)
        start = starts[iri]
        own = facts.get(iri, {})
        net.add_node(
            iri,
            label=label,
            title=f"{label}\n{start or ''}".strip(),
            group=key,
            shape=CLASS_BY_KEY[key].shape,
            date=start,
            topics=sorted(set(own.get("topic", []))),
            nature=next((NATURES[n] for n in own.get("nature", []) if n in NATURES), None),
            page=page_path(iri),
            x=positions[iri][0],
            y=positions[iri][1],
        )
    predicate_names = labels(archive, {p for _, p, _ in links}, lang)
    for s, p, o in links:
        name = predicate_names.get(p) or local_name(p)
        # Appended as pyvis Edge objects: add_edge re-checks both ends against every node. The
        # arrows come from the options: an "arrows" on each edge costs vis-network time per edge.
        edge = Edge(s, o, id=f"{s} {p} {o}", title=name, predicate=local_name(p))
        net.edges.append(edge.options)
    net.set_options(json.dumps(network_options(len(chosen))))
    return net


def edges_among(archive: Archive, iris: list[str]) -> list[tuple[str, str, str]]:
    """Every statement linking two of ``iris`` (``rdf:type`` excepted), in a stable order."""
    wanted = set(iris)
    found: set[tuple[str, str, str]] = set()
    for chunk in _chunks(iris):
        for row in archive.query(_LINKS % " ".join(f"<{i}>" for i in chunk)):
            o, p = row["o"].value, row["p"].value
            if o in wanted and p != RDF_TYPE and o != row["s"].value:
                found.add((row["s"].value, p, o))
    return sorted(found)


def _neighbours(archive: Archive, iris: Iterable[str]) -> set[str]:
    """Resources one statement away from any of ``iris``, in either direction."""
    found: set[str] = set()
    for chunk in _chunks(iris):
        if chunk:
            query = _AROUND % " ".join(f"<{i}>" for i in chunk)
            found.update(row["n"].value for row in archive.query(query))
    return found


_PARTS_OF = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
SELECT DISTINCT ?a WHERE { { ?a dkg:partOf+ <%(iri)s> } UNION { ?a dkg:implements <%(iri)s> } }
"""


def focus_scope(archive: Archive, iri: str) -> set[str]:
    """An agreement, its sub-agreements and implementing arrangements, and their neighbours
    (implementation events, who asserted them, meetings, parties, sources)."""
    core = {iri} | {row["a"].value for row in archive.query(_PARTS_OF % {"iri": iri})}
    around = _neighbours(archive, core)
    events = {e for e, k in node_classes(archive, around).items() if k == "event"}
    return core | around | _neighbours(archive, events)


def graph_data(net: Network) -> dict:
    """The network as JSON-ready data for the page: nodes, edges and vis-network options."""
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options)}
