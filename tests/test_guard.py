"""No query makes the server fetch a URL unless an operator allows it."""

from __future__ import annotations

import pytest

from dialogue_kg.guard import QueryRefused, check


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "PREFIX ex: <http://e/>\nSELECT * WHERE {\n  ?s ex:p ?o .\n  SERVICE <http://x/> {}\n}",
    ],
)
def test_fetching_queries_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="disabled on this archive"):
        check(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }',
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
        "SELECT * WHERE { ?s ex:SERVICE ?o }",
        "SELECT ?service WHERE { ?service a ?t }",
        "# SERVICE <http://x/> in a comment\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p '''multi\nline LOAD <http://x/>''' }",
    ],
)
def test_the_words_alone_are_not_refused(query: str) -> None:
    check(query)


def test_an_operator_can_allow_service() -> None:
    check("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", allow_service=True)
