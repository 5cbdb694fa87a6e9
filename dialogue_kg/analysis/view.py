"""Which state of the archive an analysis reads: now, as of a revision, or as of a valid-time date.

Transaction time (a revision) picks the store: the current one, or a replay of the journal up to
that revision (:func:`dialogue_kg.core.history.as_of`). Valid time (a date) is a filter inside each
query: a resource dated after the date is left out, as if it had not happened yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from dialogue_kg.core.archive import Archive
from dialogue_kg.namespaces import DEFAULT_BASE

PREFIXES = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@dataclass
class View:
    """A queryable state of the archive plus an optional valid-time date."""

    store: object  # anything with .query(sparql) on the union default graph
    revision: int
    as_of_date: date | None = None
    base: str = DEFAULT_BASE

    def select(self, sparql: str) -> list[tuple[ox.Term | None, ...]]:
        """Rows of a SELECT (with the shared prefixes), as tuples of pyoxigraph terms."""
        result = self.store.query(PREFIXES + sparql)  # type: ignore[attr-defined]
        return [tuple(sol) for sol in result]  # in the order of the SELECT's variables

    def when(self, var: str, start: date | None = None, end: date | None = None) -> str:
        """SPARQL filters keeping ``?var`` only if it lies in [start, end] (ends optional; the
        view's date caps ``end``). Undated resources are always kept."""
        if self.as_of_date is not None:
            end = self.as_of_date if end is None else min(end, self.as_of_date)
        return date_filter(var, start, end)


def date_filter(var: str, start: date | None, end: date | None) -> str:
    """Filters on ``dkg:date``, else ``dkg:yearMonth``, else ``dkg:year`` of ``?var``."""
    out = []
    if end is not None:
        out.append(_bound(var, end, ">", "end"))
    if start is not None:
        out.append(_bound(var, start, "<", "start"))
    return "\n".join(out)


def _bound(var: str, day: date, op: str, tag: str) -> str:
    """Leave ``?var`` out when its most precise date is ``op`` ``day`` (compared as strings of
    the same precision, so a year-only resource is kept through the whole of its year)."""
    v = f"?_{tag}_{var}"
    d, ym, y = day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]
    return f"""FILTER NOT EXISTS {{ ?{var} dkg:date {v}d FILTER(STR({v}d) {op} "{d}") }}
FILTER NOT EXISTS {{ ?{var} dkg:yearMonth {v}m FILTER NOT EXISTS {{ ?{var} dkg:date [] }}
  FILTER(STR({v}m) {op} "{ym}") }}
FILTER NOT EXISTS {{ ?{var} dkg:year {v}y
  FILTER NOT EXISTS {{ ?{var} dkg:date [] }} FILTER NOT EXISTS {{ ?{var} dkg:yearMonth [] }}
  FILTER(STR({v}y) {op} "{y}") }}"""


def open_view(
    archive: Archive, *, revision: int | None = None, as_of_date: date | None = None
) -> View:
    """The archive now, or as of ``revision`` (replayed from the journal), filtered to
    ``as_of_date`` in valid time when given."""
    if revision is None or revision == archive.revision:
        return View(archive.store, archive.revision, as_of_date, archive.minter.base)
    from dialogue_kg.core.history import as_of

    return View(as_of(archive, revision), revision, as_of_date, archive.minter.base)
