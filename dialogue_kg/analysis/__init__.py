"""Network analysis of the archive: projections of the RDF graph into networkx, measures on them,
and the figures of the report pages."""

from dialogue_kg.analysis.measures import centrality, communities, components, shortest_path
from dialogue_kg.analysis.projections import PROJECTIONS, project
from dialogue_kg.analysis.view import View, open_view

__all__ = [
    "PROJECTIONS",
    "View",
    "centrality",
    "communities",
    "components",
    "open_view",
    "project",
    "shortest_path",
]
