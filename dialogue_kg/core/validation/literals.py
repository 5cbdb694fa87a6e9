"""Is a typed literal's lexical form a value of its datatype? ("2O24"^^xsd:gYear is not.)

Each datatype is judged by a real parser: the XSD date, time and number types by Oxigraph's
own (a cast of the lexical form to the datatype, so the archive refuses exactly what its query
engine could not compute with), ``xsd:anyURI`` by Oxigraph's IRI parser (an anyURI must be an
absolute IRI with a scheme: the archive's web addresses are followed by people and harvesters),
and any other datatype by rdflib. Strings and language-tagged strings are always well typed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef

from dialogue_kg.namespaces import XSD_IRI as XSD

ANY_URI = XSD + "anyURI"
# rdflib logs a traceback for every ill-typed literal (e.g. "2011-02-30"^^xsd:date) it meets;
# the validator reports those as datatype violations, which is what the user is shown instead.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

_UNCHECKED = frozenset({XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"})
# Datatypes Oxigraph's SPARQL engine casts to with the XSD lexical rules (checked against the
# XSD 1.1 grammar in tests/validation/test_literals.py). Its xsd:gMonthDay refuses "--02-29",
# so that one, like every datatype not listed, is left to rdflib.
CAST = frozenset(
    XSD + name
    for name in ("boolean", "integer", "decimal", "date", "dateTime", "time", "gYear", "gYearMonth")
)
# One empty in-memory store to run the casts in; Oxigraph's stores are safe to share.
_ENGINE = ox.Store()
# Values per cast query: bounds the query text a bulk load builds at once.
_BATCH = 2000


def ill_typed_values(datatype: str, values: Iterable[str]) -> set[str]:
    """The ``values`` that are not lexical forms of ``datatype`` (an IRI)."""
    values = set(values)
    if datatype in _UNCHECKED or not values:
        return set()
    if datatype == ANY_URI:
        return {v for v in values if not _absolute_iri(v)}
    if datatype in CAST:
        return _cast_failures(datatype, sorted(values))
    return {v for v in values if _rdflib_ill_typed(v, datatype)}


def ill_typed(literal: ox.Literal) -> bool:
    """True when a typed literal's lexical form is not a value of its datatype ("2013-02-30")."""
    if literal.language:
        return False
    return _ill_typed_lexical(literal.value, literal.datatype.value)


def ill_typed_literals(literals: Iterable[ox.Literal]) -> set[ox.Literal]:
    """The ill-typed ones among ``literals``, judged a datatype at a time (one query each)."""
    by_datatype: dict[str, set[str]] = {}
    for literal in literals:
        if not literal.language:
            by_datatype.setdefault(literal.datatype.value, set()).add(literal.value)
    bad: set[ox.Literal] = set()
    for datatype, values in by_datatype.items():
        node = ox.NamedNode(datatype)
        bad.update(ox.Literal(v, datatype=node) for v in ill_typed_values(datatype, values))
    return bad


@lru_cache(maxsize=65536)
def _ill_typed_lexical(value: str, datatype: str) -> bool:
    return bool(ill_typed_values(datatype, [value]))


def _absolute_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _cast_failures(datatype: str, values: list[str]) -> set[str]:
    bad: set[str] = set()
    for start in range(0, len(values), _BATCH):
        chunk = " ".join(str(ox.Literal(v)) for v in values[start : start + _BATCH])
        query = (
            f"SELECT ?v WHERE {{ VALUES ?v {{ {chunk} }} BIND(<{datatype}>(?v) AS ?x) "
            "FILTER(!BOUND(?x)) }"
        )
        bad.update(row["v"].value for row in _ENGINE.query(query))
    return bad


def _rdflib_ill_typed(value: str, datatype: str) -> bool:
    return bool(Literal(value, datatype=URIRef(datatype)).ill_typed)


def equal_values(value: ox.Literal, candidates: Sequence[ox.Literal]) -> list[ox.Literal]:
    """The candidates of ``value``'s datatype that denote the same value (``"1"`` and
    ``"true"`` as xsd:boolean, ``"007"`` and ``"7"`` as xsd:long), by Oxigraph's SPARQL ``=``:
    what finds the literal a user wrote behind an engine's canonical rendering of it."""
    same = [c for c in candidates if c.datatype == value.datatype and not c.language]
    if not same:
        return []
    rows = " ".join(f"({i} {c})" for i, c in enumerate(same))
    query = f"SELECT ?i WHERE {{ VALUES (?i ?c) {{ {rows} }} FILTER(?c = {value}) }}"
    # Oxigraph hands VALUES terms back in canonical form: the index names the literal as written.
    return [same[int(row["i"].value)] for row in _ENGINE.query(query)]


_RANGE_TESTS = {
    "MinInclusive": "<=",
    "MinExclusive": "<",
    "MaxInclusive": ">=",
    "MaxExclusive": ">",
}


def in_range(component: str, bound: ox.Literal, value: ox.Literal) -> bool:
    """True when ``value`` meets a SHACL range constraint (``component`` such as
    ``"MinInclusive"``) with ``bound``, as SHACL defines it: by SPARQL's comparison, which
    compares any two numbers (``0 <= "007"^^xsd:long`` holds)."""
    query = f"ASK {{ FILTER({bound} {_RANGE_TESTS[component]} {value}) }}"
    return bool(_ENGINE.query(query))
