"""Reading SPARQL JSON results back into a table."""

from __future__ import annotations

import pytest

from dialogue_kg.protocol.result_table import Cell, from_sparql_json


def test_select_result_with_unbound_and_typed_values() -> None:
    body = (
        '{"head": {"vars": ["a", "b"]}, "results": {"bindings": ['
        '{"a": {"type": "uri", "value": "https://example.org/x"},'
        ' "b": {"type": "literal", "value": "Priština", "xml:lang": "sr-latn"}},'
        '{"b": {"type": "typed-literal", "value": "2011",'
        ' "datatype": "http://www.w3.org/2001/XMLSchema#gYear"}}]}}'
    )
    table = from_sparql_json(body)
    assert table.columns == ["a", "b"] and table.boolean is None
    assert table.rows[0] == [
        Cell("https://example.org/x", "uri"),
        Cell("Priština", "literal", None, "sr-latn"),
    ]
    assert table.rows[1][0] == Cell()
    assert table.rows[1][1].datatype.endswith("#gYear")


def test_ask_result_and_garbage() -> None:
    assert from_sparql_json(b'{"head": {}, "boolean": true}').boolean is True
    for bad in (b"not json", b"[]", b'{"results": {}}'):
        with pytest.raises(ValueError, match="not a SPARQL JSON result"):
            from_sparql_json(bad)
