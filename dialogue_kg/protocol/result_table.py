"""A SPARQL JSON result read back into a table of cells, for pages that show results to people.

The web app runs queries through the query workers, which hand back serialised bytes; reading the
standard SPARQL JSON results keeps one path for every result, whatever engine answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One value: its text and kind (``uri``, ``literal``, ``bnode``, or ``""`` if unbound)."""

    value: str = ""
    kind: str = ""
    datatype: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ResultTable:
    """A SELECT result as columns and rows of cells, or an ASK result as a boolean."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None


def from_sparql_json(body: bytes | str) -> ResultTable:
    """Read SPARQL 1.1 Query Results JSON; ValueError if it is not that format."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a SPARQL JSON result: {exc}") from None
    if not isinstance(data, dict) or "head" not in data:
        raise ValueError("not a SPARQL JSON result: no 'head'")
    if "boolean" in data:
        return ResultTable(boolean=bool(data["boolean"]))
    columns = list(data["head"].get("vars", []))
    rows = []
    for binding in data.get("results", {}).get("bindings", []):
        row = []
        for name in columns:
            term = binding.get(name)
            if term is None:
                row.append(Cell())
                continue
            kind = "literal" if term.get("type") == "typed-literal" else term.get("type", "")
            language = term.get("xml:lang")
            row.append(Cell(term.get("value", ""), kind, term.get("datatype"), language))
        rows.append(row)
    return ResultTable(columns, rows)
