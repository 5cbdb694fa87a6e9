"""Dumps (current and as of a revision) and the VoID/DCAT description."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

VOID = "http://rdfs.org/ns/void#"


def test_trig_dump_keeps_the_change_set_graphs(client, small) -> None:
    response = client.get("/dumps/archive.trig")
    assert response.status_code == 200 and response.mimetype == "application/trig"
    assert "attachment" in response.headers["Content-Disposition"]
    ds = Dataset().parse(data=response.data, format="trig")
    graphs = {str(g.identifier) for g in ds.graphs()}
    assert {
        "https://w3id.org/dialogue-kg/changeset/3",
        "https://w3id.org/dialogue-kg/graph/changesets",
    } <= graphs
    assert sum(len(g) for g in ds.graphs()) == len(small.store.sorted_nquads())


def test_nquads_dump_equals_the_store(client, small) -> None:
    body = client.get("/dumps/archive.nq").get_data(as_text=True)
    assert sorted(line for line in body.splitlines() if line) == small.store.sorted_nquads()


def test_dump_as_of_a_revision(client) -> None:
    body = client.get("/dumps/archive.nq?revision=1").get_data(as_text=True)
    assert "person/ana" not in body and "ontology#Agreement" in body
    assert client.get("/dumps/archive.nq?revision=99").status_code == 400
    assert client.get("/dumps/archive.zip").status_code == 404


def test_void_description(client, small) -> None:
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    g = Graph().parse(data=response.data, format="turtle")
    ds = next(g.subjects(URIRef(VOID + "sparqlEndpoint"), None))
    assert str(g.value(ds, URIRef(VOID + "sparqlEndpoint"))).endswith("/sparql")
    triples = int(g.value(ds, URIRef(VOID + "triples")))
    assert triples == len(small.store.sorted_nquads())
    dumps = {str(o) for o in g.objects(ds, URIRef(VOID + "dataDump"))}
    assert {d.rsplit("/", 1)[1] for d in dumps} == {"archive.trig", "archive.nq"}
    assert (ds, URIRef("http://purl.org/dc/terms/license"), None) in g
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"


def test_home_page_links_the_dumps(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "/dumps/archive.trig" in html and "/.well-known/void" in html
