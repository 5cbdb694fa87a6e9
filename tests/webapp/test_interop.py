"""Real clients against a live endpoint: SPARQLWrapper in every result format, rdflib's
SPARQLStore, and raw HTTP for each SPARQL 1.1 Protocol case.

Tests taking ``live`` run on every engine the app can sit on (embedded Oxigraph, a real
``oxigraph serve``, a real Virtuoso); tests taking ``live_memory`` check protocol behaviour that
the app answers itself, whatever the engine.
"""

from __future__ import annotations

import http.client
import io
import json
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from ..helpers.listener import Listener
from .live_engines import ENGINES, live_server

pytestmark = pytest.mark.server

ID = "https://w3id.org/dialogue-kg/id/"
ANA = f"{ID}person/ana"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = f"SELECT ?p ?o WHERE {{ <{ANA}> ?p ?o }} ORDER BY ?p"
ASK = f"ASK {{ <{ANA}> <{LABEL}> ?l }}"
CONSTRUCT = f"CONSTRUCT {{ <{ANA}> ?p ?o }} WHERE {{ <{ANA}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{ANA}>"
# A count that only sees the archive's statements (Virtuoso keeps graphs of its own).
COUNT = (
    'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "'
    'https://w3id.org/dialogue-kg/")) }'
)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """Start each engine's server on first use; stop them all after the module."""
    started: dict[str, str] = {}
    with ExitStack() as stack:

        def get(engine: str) -> str:
            if engine not in started:
                tmp = tmp_path_factory.mktemp(engine)
                started[engine] = stack.enter_context(live_server(engine, tmp))
            return started[engine]

        yield get


class Endpoint(str):
    """The /sparql URL of a live server, knowing the engine behind it."""

    engine: str


def endpoint(servers: Callable[[str], str], engine: str) -> Endpoint:
    url = Endpoint(servers(engine) + "/sparql")
    url.engine = engine
    return url


@pytest.fixture(params=ENGINES)
def live(request: pytest.FixtureRequest, servers: Callable[[str], str]) -> Endpoint:
    """A server on each engine."""
    return endpoint(servers, request.param)


@pytest.fixture
def live_memory(servers: Callable[[str], str]) -> Endpoint:
    """The server on the embedded store."""
    return endpoint(servers, "memory")


def request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request (http.client, nothing added): (status, headers, body)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def get(url: str, params: dict[str, str] | list[tuple[str, str]], **headers: str):  # noqa: ANN201
    return request("GET", f"{url}?{urllib.parse.urlencode(params)}", headers=headers)


def media(headers: dict[str, str]) -> str:
    return headers["Content-Type"].split(";")[0].strip()


def bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


# -- SPARQLWrapper ----------------------------------------------------------------------------


def wrapper(url: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live: Endpoint, fmt: str, method: str) -> None:
    result = wrapper(live, SELECT, fmt, method).query()
    converted = result.convert()
    if fmt == JSON:
        values = [b["o"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == XML:
        values = [
            node.firstChild.firstChild.data
            for node in converted.getElementsByTagName("binding")
            if node.getAttribute("name") == "o"
        ]
    else:
        # rdflib's parsers read the tables (TSV keeps RDF term syntax; CSV plain strings).
        table = Result.parse(io.BytesIO(converted), format=fmt)
        assert [str(v) for v in table.vars] == ["p", "o"]
        values = [str(row.o) for row in table]
    assert len(values) == 3
    assert "Ana Example" in values
    assert f"{ID}source/test-doc" in values


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(live: Endpoint, fmt: str, method: str) -> None:
    yes = wrapper(live, ASK, fmt, method).query()
    no = wrapper(live, ASK.replace("ana", "nobody"), fmt, method).query()
    if fmt == JSON:
        assert yes.convert()["boolean"] is True and no.convert()["boolean"] is False
    elif fmt == XML:
        answer = lambda r: r.convert().getElementsByTagName("boolean")[0].firstChild.data  # noqa: E731
        assert (answer(yes), answer(no)) == ("true", "false")
    else:
        assert (yes.convert().strip(), no.convert().strip()) == (b"true", b"false")


# Return format, Accept header forced (N-Triples has no SPARQLWrapper constant), rdflib parser.
GRAPH_FORMATS = {
    "turtle": (TURTLE, None, "turtle"),
    "n3": (N3, None, "turtle"),
    "ntriples": (N3, "application/n-triples", "nt"),
    "rdfxml": (RDFXML, None, "xml"),
    "xml": (XML, None, "xml"),
    "jsonld": (JSONLD, None, "json-ld"),
}


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("name", list(GRAPH_FORMATS))
def test_sparqlwrapper_graph_results(live: Endpoint, name: str, query: str, method: str) -> None:
    fmt, accept, parser = GRAPH_FORMATS[name]
    client = wrapper(live, query, fmt, method)
    if accept:
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", accept)
    result = client.query()
    body = result.response.read()
    expected = {
        "ntriples": "application/n-triples",
        "rdfxml": "application/rdf+xml",
        "xml": "application/rdf+xml",
        "jsonld": "application/ld+json",
    }.get(name, "text/turtle")
    assert result.info()["content-type"].split(";")[0] == expected
    graph = Graph().parse(data=body, format=parser)
    assert (URIRef(ANA), URIRef(LABEL), Literal("Ana Example", lang="en")) in graph
    outgoing = set(graph.triples((URIRef(ANA), None, None)))
    assert len(outgoing) == 3
    # DESCRIBE is the engine's choice: Virtuoso also gives the statements pointing at Ana.
    assert len(graph) == 3 or (query == DESCRIBE and live.engine == "virtuoso")


# SPARQLWrapper 2.0 builds a ConjunctiveGraph for JSON-LD, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_converts_rdf_to_graphs(live: Endpoint) -> None:
    for fmt in (RDFXML, JSONLD):
        graph = wrapper(live, CONSTRUCT, fmt, GET).queryAndConvert()
        assert isinstance(graph, Graph) and len(graph) == 3


# -- rdflib's SPARQLStore ---------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore(live: Endpoint, method: str) -> None:
    store = SPARQLStore(query_endpoint=live, method=method)
    graph = Graph(store)
    triples = set(graph.triples((URIRef(ANA), None, None)))
    assert len(triples) == 3
    assert set(graph.objects(URIRef(ANA), URIRef(LABEL))) == {Literal("Ana Example", lang="en")}
    rows = list(graph.query(SELECT))
    assert len(rows) == 3 and {str(r.o) for r in rows} >= {"Ana Example"}
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and set(constructed) == triples
    store.close()


# -- raw HTTP: the protocol cases -------------------------------------------------------------


def test_get_post_form_and_post_direct_agree(live: Endpoint) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        get(live, {"query": SELECT}, **accept),
        request(
            "POST",
            live,
            urllib.parse.urlencode({"query": SELECT}).encode(),
            {**accept, "Content-Type": "application/x-www-form-urlencoded"},
        ),
        request(
            "POST",
            live,
            SELECT.encode(),
            {**accept, "Content-Type": "application/sparql-query; charset=utf-8"},
        ),
    ]
    assert [a[0] for a in answers] == [200, 200, 200]
    assert all(media(a[1]) == "application/sparql-results+json" for a in answers)
    results = [bindings(a[2]) for a in answers]
    assert results[0] == results[1] == results[2] and len(results[0]) == 3


def test_dataset_parameters(live: Endpoint) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = get(
        live,
        {"query": count, "default-graph-uri": "https://w3id.org/dialogue-kg/changeset/2"},
        Accept="application/sparql-results+json",
    )
    assert status == 200 and bindings(body)[0]["n"]["value"] == "3"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    status, _, body = get(
        live,
        [
            ("query", graphs),
            ("named-graph-uri", "https://w3id.org/dialogue-kg/changeset/2"),
            ("named-graph-uri", "https://w3id.org/dialogue-kg/changeset/3"),
        ],
        Accept="application/sparql-results+json",
    )
    found = sorted(b["g"]["value"] for b in bindings(body))
    assert found == [f"https://w3id.org/dialogue-kg/changeset/{n}" for n in (2, 3)]


def test_default_graph_is_the_union(live: Endpoint) -> None:
    union = f"SELECT ?o WHERE {{ <{ID}meeting/first-round> ?p ?o . ?o a ?t }}"
    status, _, body = get(live, {"query": union}, Accept="application/sparql-results+json")
    # Joined across graphs: participants and agreement (changeset/3) are typed there, the source
    # in changeset/2, and dkg:Meeting itself is an owl:Class in the ontology's changeset/1.
    assert status == 200 and len(bindings(body)) == 5


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values;q=0.9, text/csv;q=0.1", None, "text/tab-separated-values"),
        ("application/json", None, "application/sparql-results+json"),
        ("text/html, */*;q=0.1", None, "application/sparql-results+json"),
        ("text/csv", "tsv", "text/tab-separated-values"),
        (None, "application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_conneg_and_format(
    live_memory: Endpoint, accept: str | None, fmt: str | None, expected: str
) -> None:
    params = {"query": SELECT, **({"format": fmt} if fmt else {})}
    status, headers, _ = get(live_memory, params, **({"Accept": accept} if accept else {}))
    assert status == 200 and media(headers) == expected


@pytest.mark.parametrize(
    ("accept", "parser"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_service_description(live_memory: Endpoint, accept: str, parser: str) -> None:
    status, headers, body = request("GET", live_memory, headers={"Accept": accept})
    assert status == 200 and media(headers) == accept
    graph = Graph().parse(data=body, format=parser)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(live_memory), URIRef(sd + "endpoint"), URIRef(live_memory)) in graph
    assert URIRef(sd + "UnionDefaultGraph") in set(graph.objects())


def test_cors_preflight_and_response(live_memory: Endpoint) -> None:
    status, headers, _ = request(
        "OPTIONS",
        live_memory,
        headers={
            "Origin": "https://yasgui.example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    _, headers, _ = get(live_memory, {"query": ASK}, Origin="https://yasgui.example.org")
    assert headers["Access-Control-Allow-Origin"] == "*"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("method", "query", "body", "headers", "status", "text"),
    [
        ("GET", "query=SELEC", None, {}, 400, "syntax error"),
        ("GET", "query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400, "exactly one"),
        ("POST", "", b"query=ASK%7B%7D&query=ASK%7B%7D", FORM, 400, "exactly one"),
        ("POST", "", b"ASK {}", {"Content-Type": "text/plain"}, 415, "content type"),
        ("POST", "", b"ASK {}", {}, 415, "content type"),
        (
            "POST",
            "",
            b'ASK { ?s ?p "\xff\xfe" }',
            {"Content-Type": "application/sparql-query"},
            400,
            "not UTF-8",
        ),
        ("GET", "update=CLEAR%20ALL", None, {}, 405, "POST"),
        ("PUT", "", b"ASK {}", {"Content-Type": "application/sparql-query"}, 405, "GET or POST"),
        ("DELETE", "", None, {}, 405, "GET or POST"),
        ("GET", "query=ASK%7B%7D&format=turtle", None, {}, 406, "does not fit"),
        ("POST", "", b"update=CLEAR+ALL", FORM, 401, "authenticated"),
        (
            "POST",
            "",
            b"CLEAR ALL",
            {"Content-Type": "application/sparql-update"},
            401,
            "authenticated",
        ),
    ],
)
def test_protocol_errors(
    live_memory: Endpoint, method: str, query: str, body: bytes | None, headers: dict, status, text
) -> None:
    url = f"{live_memory}?{query}" if query else live_memory
    got, response_headers, answer = request(method, url, body, headers)
    assert got == status, answer
    assert text in answer.decode()
    assert media(response_headers) == "text/plain"
    # The server keeps serving.
    assert get(live_memory, {"query": ASK})[0] == 200


def test_update_without_auth_writes_nothing(live: Endpoint) -> None:
    before = bindings(get(live, {"query": COUNT}, Accept="application/sparql-results+json")[2])
    for body, headers in [
        (urllib.parse.urlencode({"update": "CLEAR ALL"}).encode(), FORM),
        (
            f"INSERT DATA {{ GRAPH <{ID}g> {{ <{ANA}> <{LABEL}> 'x' }} }}".encode(),
            {"Content-Type": "application/sparql-update"},
        ),
    ]:
        status, _, _ = request("POST", live, body, headers)
        assert status in (401, 403)
    client = SPARQLWrapper(live, updateEndpoint=live)
    client.setMethod(POST)
    client.setQuery("CLEAR ALL")
    with pytest.raises(Exception, match="401|403|Unauthorized|Forbidden"):
        client.query()
    after = bindings(get(live, {"query": COUNT}, Accept="application/sparql-results+json")[2])
    assert after == before


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o SERVICE SILENT <http://127.0.0.1:{port}/> {{ ?s ?q ?r }} }}",
        "PREFIX x: <http://127.0.0.1:{port}/>\nSELECT * WHERE {{ service x: {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_nothing_is_fetched(live: Endpoint, template: str) -> None:
    listener = Listener()
    try:
        query = template.format(port=listener.port)
        for status, _, body in [
            get(live, {"query": query}),
            request("POST", live, query.encode(), {"Content-Type": "application/sparql-query"}),
        ]:
            assert status == 403, body
            assert b"SERVICE is disabled" in body
    finally:
        listener.close()
    assert listener.connections == 0, "the server connected to the SERVICE address"
