"""No query makes the server fetch a URL unless an operator allows it."""

from __future__ import annotations

import pytest

from dialogue_kg.core.guard import QueryRefused, check


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


@pytest.mark.parametrize(
    "query",
    [
        # The engine reads "<" as less-than and "#>" as a comment: a lexical guard saw an IRI.
        "SELECT ?o WHERE { FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p 1SERVICE<http://127.0.0.1:9/>{} }",
        "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { ?s ?p ?o . SERVICEex:x {} }",
        "SELECT * WHERE { OPTIONAL { SELECT * WHERE { service\tsilent\n<http://x/> {} } } }",
    ],
)
def test_hidden_service_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused):
        check(query)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "INSERT { ?s ?p ?o } WHERE { FILTER(1<2)SERVICE#>\n<http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "DELETE WHERE { ?s ?p ?o } ; load silent <http://127.0.0.1:9/>",
    ],
)
def test_fetching_updates_are_refused(update: str) -> None:
    with pytest.raises(QueryRefused):
        check(update, update=True)


def test_nesting_is_refused_before_parsing() -> None:
    with pytest.raises(QueryRefused, match="nested more than 64"):
        check("SELECT * WHERE " + "{" * 10_000 + "}" * 10_000, max_depth=64)


def test_a_remembered_verdict_follows_the_settings() -> None:
    """The guard remembers verdicts by text and settings: a refusal stays a refusal, and the
    same text is judged again under other settings."""
    fetching = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    for _ in range(2):
        with pytest.raises(QueryRefused, match="SERVICE"):
            check(fetching)
    check(fetching, allow_service=True)
    deep = "SELECT * WHERE { FILTER(" + "(" * 20 + "1" + ")" * 20 + ") }"
    check(deep, max_depth=30)
    with pytest.raises(QueryRefused, match="nested more than 10"):
        check(deep, max_depth=10)
