"""The SPARQL 1.1 Protocol cases, as raw HTTP through the test client."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph

ID = "https://w3id.org/dialogue-kg/id/"
SELECT = f"SELECT ?p ?o WHERE {{ <{ID}person/ana> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{ID}person/ana> ?p ?o }} WHERE {{ <{ID}person/ana> ?p ?o }}"


def test_get_post_form_and_post_direct_agree(client) -> None:
    answers = [
        client.get("/sparql", query_string={"query": SELECT}),
        client.post("/sparql", data={"query": SELECT}),
        client.post("/sparql", data=SELECT, content_type="application/sparql-query"),
    ]
    bodies = [json.loads(r.data) for r in answers]
    assert all(r.status_code == 200 for r in answers)
    assert bodies[0] == bodies[1] == bodies[2]
    assert len(bodies[0]["results"]["bindings"]) == 3


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_by_accept(client, accept: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media


ACCEPT_HEADERS = [
    "text/csv, application/sparql-results+json",
    "application/xml, text/n3",
    "application/rdf+xml, application/xml",
    "text/csv;q=0.1, */*",
    "application/*;q=0.5, text/*;q=0.4",
    "text/*, application/n-triples;q=0.9",
    "application/json;q=0, */*;q=0.1",
    "image/png",
    "",
]


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("graph", [False, True])
def test_accept_is_negotiated_at_the_edge_as_before(client, accept: str, graph: bool) -> None:
    """The web edge ranks the media types ``Accept`` takes and the core picks the first that
    fits: the same format as choosing with the header among the result's own formats."""
    from werkzeug.datastructures import MIMEAccept
    from werkzeug.http import parse_accept_header

    from dialogue_kg.protocol.protocol import candidates

    allowed = candidates(graph)
    offered = [f.media_type for f in allowed]
    offered += [a for f in allowed for a in f.aliases if "/" in a and a not in offered]
    best = parse_accept_header(accept or "*/*", MIMEAccept).best_match(offered)
    expected = next((f for f in allowed if best in (f.media_type, *f.aliases)), allowed[0])
    response = client.get(
        "/sparql",
        query_string={"query": CONSTRUCT if graph else SELECT},
        headers={"Accept": accept},
    )
    assert response.status_code == 200 and response.mimetype == expected.media_type


def test_select_by_format_parameter(client) -> None:
    response = client.get("/sparql", query_string={"query": SELECT, "format": "csv"})
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["p", "o"] and len(table) == 4


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_construct_in_every_rdf_format_parses(client, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": fmt})
    assert response.status_code == 200
    rdflib_format = {"ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}.get(fmt, fmt)
    assert len(Graph().parse(data=response.data, format=rdflib_format)) == 3


def test_construct_by_accept(client) -> None:
    response = client.get(
        "/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"}
    )
    assert response.mimetype == "application/n-triples"


def test_default_and_named_graph_uris(client) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only = client.get(
        "/sparql",
        query_string={
            "query": count,
            "default-graph-uri": "https://w3id.org/dialogue-kg/changeset/2",
        },
    )
    n = int(json.loads(only.data)["results"]["bindings"][0]["n"]["value"])
    assert n == 3, "changeset/2 holds the three statements about the test source"
    named = client.get(
        "/sparql",
        query_string={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": "https://w3id.org/dialogue-kg/changeset/3",
        },
    )
    graphs = [b["g"]["value"] for b in json.loads(named.data)["results"]["bindings"]]
    assert graphs == ["https://w3id.org/dialogue-kg/changeset/3"]


@pytest.mark.parametrize(
    ("kwargs", "status", "text"),
    [
        ({"method": "GET", "query_string": {"query": "SELEC"}}, 400, "syntax error"),
        ({"method": "GET", "query_string": "query=ASK{}&query=ASK{}"}, 400, "exactly one"),
        ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 405, "POST"),
        (
            {"method": "POST", "data": b"\xff\xfe", "content_type": "application/sparql-query"},
            400,
            "not UTF-8",
        ),
        ({"method": "POST", "data": "x", "content_type": "text/plain"}, 415, "content type"),
        ({"method": "PUT", "data": "x"}, 405, "GET or POST"),
        ({"method": "POST", "data": {"update": "CLEAR ALL"}}, 401, "authenticated archivist"),
        (
            {"method": "POST", "data": "CLEAR ALL", "content_type": "application/sparql-update"},
            401,
            "authenticated archivist",
        ),
        ({"method": "GET", "query_string": {"query": "ASK {}", "format": "turtle"}}, 406, "fit"),
    ],
)
def test_protocol_errors(client, kwargs: dict, status: int, text: str) -> None:
    response = client.open("/sparql", **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert text in response.get_data(as_text=True)


def test_update_writes_nothing(client, small) -> None:
    before = small.store.sorted_nquads()
    client.post("/sparql", data={"update": "CLEAR ALL"})
    assert small.store.sorted_nquads() == before


def test_service_description(client) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects())
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"


def test_a_browser_gets_a_page_about_the_endpoint(client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/sparql", headers={"Accept": browser})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "<h1>SPARQL endpoint</h1>" in page.get_data(as_text=True)
    assert "SELECT" in page.get_data(as_text=True)
    # A tool that takes anything, or asks for RDF or ?format=, still gets the description.
    for headers, query in (({"Accept": "*/*"}, {}), ({"Accept": browser}, {"format": "turtle"})):
        response = client.get("/sparql", headers=headers, query_string=query)
        assert response.mimetype == "text/turtle"


def test_cors(client) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={"Origin": "http://127.0.0.1:9999"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
