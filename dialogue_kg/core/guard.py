"""Refuse queries that would make the server fetch a URL (SPARQL ``SERVICE`` and ``LOAD``), and
queries nested too deep for the engine's parser.

pyoxigraph evaluates ``SERVICE <url>`` by fetching the URL itself, so a visitor's query could make
the archive reach any host. The decision rests on a parse, in two steps:

1. :func:`dialogue_kg.core.limits.scan_sparql` reads the text under every tokenisation the
   engine may choose (``<`` as less-than or as an IRI, and so on) and measures its nesting. If
   no reading has the letters ``service`` or ``load`` outside strings, IRIs and comments, the
   query cannot fetch.
2. Otherwise rdflib's SPARQL parser (the W3C grammar) parses it and the parse tree is searched for
   ``SERVICE`` patterns and ``LOAD`` operations. A query rdflib cannot parse is refused too: the
   archive cannot show that it does not fetch.

The query workers add a second, independent barrier: they run without network access
(:mod:`dialogue_kg.protocol.workers`).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from dialogue_kg.core.limits import DEFAULT_MAX_DEPTH, ShapeError, scan_sparql
from dialogue_kg.errors import DialogueKGError

if TYPE_CHECKING:
    from dialogue_kg.config import Settings

_FETCHING = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


class QueryRefused(DialogueKGError, ValueError):
    """A query or update the archive will not run."""

    status, kind = 403, "refused"


# Verdicts on texts up to this size are remembered: scholars and pages send the same queries
# again and again, and the scan costs about 0.2 ms per kilobyte in Python.
_CACHED_TEXT = 64 * 1024


def check(
    sparql: str,
    *,
    allow_service: bool = False,
    max_depth: int = DEFAULT_MAX_DEPTH,
    update: bool | None = None,
) -> None:
    """Raise QueryRefused if ``sparql`` is nested deeper than ``max_depth`` or may use SERVICE or
    LOAD while they are not allowed. ``update``: parse as an update (None: try both)."""
    judge = _verdict if len(sparql) <= _CACHED_TEXT else _verdict.__wrapped__
    refusal = judge(sparql, allow_service, max_depth, update)
    if refusal:
        raise QueryRefused(refusal)


def check_for(settings: Settings, sparql: str, *, update: bool | None = False) -> None:
    """:func:`check` under an archive's settings (SERVICE allowed or not, its nesting limit):
    what every query the archive runs, now or as of a revision, passes first."""
    check(
        sparql,
        allow_service=settings.allow_service,
        max_depth=settings.max_nesting,
        update=update,
    )


@functools.lru_cache(maxsize=512)
def _verdict(sparql: str, allow_service: bool, max_depth: int, update: bool | None) -> str | None:
    """Why ``sparql`` is refused, or None: the same text under the same settings always gets the
    same verdict, so it is remembered."""
    try:
        shape = scan_sparql(sparql, max_depth, "the update" if update else "the query")
    except ShapeError as exc:
        return str(exc)
    if allow_service or not shape.may_fetch:
        return None
    keyword = _fetching_keyword(sparql, update)
    if keyword:
        return (
            f"{keyword} is disabled on this archive: it would make the server fetch a URL "
            "(an operator can enable it with DKG_ALLOW_SERVICE=true)"
        )
    return None


def _fetching_keyword(sparql: str, update: bool | None) -> str | None:
    """SERVICE or LOAD if rdflib's parse tree holds one; refuse what it cannot parse."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    parsers = {None: (parseQuery, parseUpdate), True: (parseUpdate,), False: (parseQuery,)}
    for parser in parsers[update]:
        try:
            tree = parser(sparql)
        except Exception:  # noqa: BLE001 - any failure (syntax, recursion) means "not shown safe"
            continue
        return _find_fetching(tree)
    raise QueryRefused(
        "the query uses the word SERVICE or LOAD (disabled on this archive: they make the server "
        "fetch a URL) in a form the archive's SPARQL parser cannot check; remove it, or put it "
        "in a string or an IRI"
    )


def _find_fetching(tree: object) -> str | None:
    """Search a parse tree (CompValues, ParseResults, lists) without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name in _FETCHING:
                return _FETCHING[node.name]
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return None
