"""The app factory, the home page and the minimal SPARQL endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from webapp import create_app

from ..helpers.servers import free_port, stop, wait_for

ID = "https://w3id.org/dialogue-kg/id/"


def test_factory_opens_an_archive_from_settings(settings) -> None:
    app = create_app(
        {"data_dir": settings.data_dir, "graph_data_dir": settings.graph_data_dir, "TESTING": True}
    )
    assert app.testing
    assert app.extensions["dialogue_kg"].revision == 1


def test_home_page_shows_headline_figures(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Agreements" in html and "/sparql" in html
    figures = client.get("/?format=json").get_json()
    assert figures["counts"]["agreements"] == 2
    assert figures["counts"]["meetings"] == 1
    assert figures["revision"] == 3


def test_sparql_get_returns_json(client) -> None:
    q = f"SELECT ?p WHERE {{ <{ID}meeting/first-round> ?x ?p }}"
    response = client.get("/sparql", query_string={"query": q})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert len(json.loads(response.data)["results"]["bindings"]) > 3


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ("SELEC", 400, "syntax error"),
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            403,
            "SERVICE is disabled",
        ),
    ],
)
def test_sparql_errors(client, query: str, status: int, text: str) -> None:
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == status and text in response.get_data(as_text=True)


def test_sparql_needs_exactly_one_query(client) -> None:
    response = client.get("/sparql?query=ASK{}&query=ASK{}")
    assert response.status_code == 400 and "exactly one 'query'" in response.get_data(as_text=True)


def test_app_sees_writes_from_other_processes(client, settings) -> None:
    from dialogue_kg.core.archive import Archive

    from ..conftest import DATA, TEST_SOURCE

    with Archive.open(settings) as other:
        other.load(DATA / "invalid-shape.ttl", agent="other", sources=[TEST_SOURCE], validate=False)
    figures = client.get("/?format=json").get_json()
    assert figures["revision"] == 4 and figures["counts"]["agreements"] == 3


@pytest.mark.server
def test_serve_answers_sparqlwrapper(settings, tmp_path: Path) -> None:
    """`dialogue-kg serve` starts a real WSGI server that a scholar's tool can query."""
    port = free_port()
    env = {
        "DKG_DATA_DIR": settings.data_dir,
        "DKG_GRAPH_DATA": settings.graph_data_dir,
        "PATH": "/usr/bin:/bin",
    }
    cli = Path(sys.executable).parent / "dialogue-kg"
    proc = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc)
        client = SPARQLWrapper(f"http://127.0.0.1:{port}/sparql")
        client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        client.setReturnFormat(JSON)
        n = int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"])
        assert n > 500, "the ontology is loaded on first start"
    finally:
        stop(proc)
