"""Resource pages: one IRI, many representations (HTML, Turtle, JSON-LD, N-Triples, RDF/XML,
TriG), with provenance, history, a citation and schema.org data; unknown IRIs get 404."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from dialogue_kg.namespaces import DKG

from .conftest import EVIL

FIRST = "https://w3id.org/dialogue-kg/id/agreement/first-agreement-2013"
PATH = "/id/agreement/first-agreement-2013"


def _graph(data: bytes, fmt: str) -> Graph:
    g = Graph()
    g.parse(data=data, format=fmt, publicID=FIRST)
    return g


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_same_iri_answers_rdf_by_accept(curated_client, accept, media_type, rdflib_format) -> None:
    response = curated_client.get(PATH, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    vary = {v.strip() for header in response.headers.get_all("Vary") for v in header.split(",")}
    assert "Accept" in vary
    g = _graph(response.data, rdflib_format)
    me = URIRef(FIRST)
    assert (me, RDF.type, DKG.Agreement) in g
    title = "First Agreement of Principles Governing the Normalization of Relations"
    assert (me, RDFS.label, Literal(title, lang="en")) in g
    assert (me, DKG.year, None) in g
    assert any(g.objects(me, DKG.source))


def test_rdf_holds_exactly_the_resources_statements(curated_client, curated) -> None:
    """Turtle carries every outgoing statement of the store and the incoming ones."""
    g = _graph(curated_client.get(PATH + ".ttl").data, "turtle")
    outgoing = {
        (r["p"].value, str(r["o"].value))
        for r in curated.query(f"SELECT ?p ?o WHERE {{ <{FIRST}> ?p ?o }}")
    }
    assert {(str(p), str(o)) for p, o in g.predicate_objects(URIRef(FIRST))} == outgoing
    incoming = {
        (r["s"].value, r["p"].value)
        for r in curated.query(f"SELECT ?s ?p WHERE {{ ?s ?p <{FIRST}> }}")
    }
    assert (
        incoming and {(str(s), str(p)) for s, p in g.subject_predicates(URIRef(FIRST))} == incoming
    )


def test_html_is_the_default_and_extensions_pick_a_format(curated_client) -> None:
    html = curated_client.get(PATH, headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.mimetype == "text/html"
    assert curated_client.get(PATH).mimetype == "text/html"
    for ext, media in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
    ):
        response = curated_client.get(f"{PATH}.{ext}")
        assert response.status_code == 200 and response.mimetype == media
    assert curated_client.get(PATH + "?format=turtle").mimetype == "text/turtle"
    assert curated_client.get(PATH + ".xyz").status_code == 404


def test_trig_keeps_the_change_set_of_each_statement(curated_client) -> None:
    ds = Dataset()
    ds.parse(data=curated_client.get(PATH + ".trig").data, format="trig")
    graphs = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert graphs and all("/changeset/" in g for g in graphs)


def test_html_shows_labels_properties_provenance_and_citation(curated_client, curated) -> None:
    html = curated_client.get(PATH).get_data(as_text=True)
    assert "<h1>First Agreement" in html
    assert 'href="/id/person/' in html  # linked neighbours
    assert "Change sets that recorded these statements" in html
    assert "dialogue-kg" in html and "/changeset/" in html
    assert f"revision {curated.revision}" in html and f"?revision={curated.revision}" in html
    assert "<svg" in html and 'href="/id/' in html.split("<svg", 1)[1]
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="{PATH}.{ext}"' in html


def test_schema_org_json_ld_is_embedded(curated_client) -> None:
    html = curated_client.get(PATH).get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Legislation" and data["@id"] == FIRST
    assert data["legislationDate"] == "2013-04-19"
    person = curated_client.get("/id/person/edita-tahiri").get_data(as_text=True)
    assert '"@type": "Person"' in person or '"@type":"Person"' in person


def test_page_in_albanian_uses_albanian_labels(curated_client) -> None:
    html = curated_client.get(PATH + "?lang=sq").get_data(as_text=True)
    assert "Marrëveshja e parë e parimeve" in html
    assert "Vetitë" in html and "Citojeni" in html


def test_revision_view_and_errors(curated_client, curated) -> None:
    old = curated_client.get(f"{PATH}?revision=1")
    assert old.status_code == 404  # revision 1 is the ontology alone
    now = curated_client.get(f"{PATH}?revision={curated.revision}")
    assert now.status_code == 200 and "as it stood at revision" in now.get_data(as_text=True)
    assert curated_client.get(f"{PATH}?revision=99999").status_code == 400
    assert curated_client.get(f"{PATH}?revision=x").status_code == 400


def test_unknown_iri_is_404_with_a_page(curated_client) -> None:
    response = curated_client.get("/id/agreement/no-such-thing")
    assert response.status_code == 404
    assert "no-such-thing" in response.get_data(as_text=True)
    assert curated_client.get("/id/agreement/no-such-thing.ttl").status_code == 404
    # A path that would break out of the IRI in a query is simply not a resource.
    for bad in ("x%3E%20%3Fp%20%3Fo%20%7D", "a%22b", "a%20b", "x%3E"):
        assert curated_client.get(f"/id/agreement/{bad}").status_code == 404


def test_history_and_change_set_pages(curated_client) -> None:
    history = curated_client.get(PATH + "?view=history").get_data(as_text=True)
    assert "History of" in history and "Added" in history and "dialogue-kg" in history
    cs = curated_client.get("/changeset/2")
    assert cs.status_code == 200 and "Change set 2" in cs.get_data(as_text=True)
    assert curated_client.get("/changeset/100000").status_code == 404


def test_topic_pages(curated_client) -> None:
    response = curated_client.get("/topic/customs")
    assert response.status_code == 200 and 'href="/id/agreement/' in response.get_data(as_text=True)


def test_injected_labels_are_inert(evil_client) -> None:
    html = evil_client.get("/id/agreement/evil").get_data(as_text=True)
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(2)" not in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and json.loads(block)["name"] == EVIL
    # Pages that link to it escape the label too.
    for path in ("/id/agreement/alpha", "/id/meeting/first-round", "/agreements", "/timeline"):
        page = evil_client.get(path).get_data(as_text=True)
        assert EVIL not in page, path
    data = evil_client.get("/timeline").get_data(as_text=True)
    block = re.search(
        r'<script type="application/json" id="timeline-data">(.*?)</script>', data, re.S
    )
    assert "<" not in block.group(1) and EVIL in json.dumps(
        json.loads(block.group(1)), ensure_ascii=False
    )
