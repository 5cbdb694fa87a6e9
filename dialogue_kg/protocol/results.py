"""Query results as text: SPARQL result formats, RDF formats and a readable table."""

from __future__ import annotations

import pyoxigraph as ox

from dialogue_kg.core.formats import Format
from dialogue_kg.errors import UsageError


def is_graph_result(result: object) -> bool:
    """True for CONSTRUCT/DESCRIBE results (triples), false for SELECT and ASK."""
    return isinstance(result, (ox.QueryTriples, list))


def serialize(result: object, fmt: Format) -> bytes:
    """Serialise a query result in ``fmt``; ValueError if the kinds do not fit."""
    if is_graph_result(result):
        if fmt.rdf is None:
            raise UsageError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt.name}")
        if fmt.rdf.supports_datasets:
            triples = [ox.Quad(t.subject, t.predicate, t.object) for t in result]  # type: ignore[attr-defined]
            return ox.serialize(triples, format=fmt.rdf)
        if isinstance(result, ox.QueryTriples):
            return result.serialize(format=fmt.rdf)
        return ox.serialize(result, format=fmt.rdf)
    if fmt.results is None:
        raise UsageError(f"a SELECT/ASK result cannot be written as {fmt.name}")
    return result.serialize(format=fmt.results)  # type: ignore[attr-defined]


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def table(result: object) -> str:
    """A plain-text table of a SELECT result (or the boolean of an ASK)."""
    if isinstance(result, ox.QueryBoolean) or isinstance(result, bool):
        return "true" if bool(result) else "false"
    names = [v.value for v in result.variables]  # type: ignore[attr-defined]
    rows = [[_cell(sol[n]) for n in names] for sol in result]  # type: ignore[attr-defined]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def rows(result: object) -> list[dict[str, str | None]]:
    """A SELECT result as a list of {variable: value} (values as plain strings)."""
    names = [v.value for v in result.variables]  # type: ignore[attr-defined]
    return [{n: (None if sol[n] is None else _cell(sol[n])) for n in names} for sol in result]  # type: ignore[attr-defined]
