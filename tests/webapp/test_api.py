"""The JSON/HTTP API: posting change sets in three formats, errors as JSON, listing, revert,
retract and bulk import."""

from __future__ import annotations

import json

import pytest

from webapp import create_app

from ..conftest import TEST_SOURCE
from ..helpers.accounts import token_headers

ID = "https://w3id.org/dialogue-kg/id/"
CY = ID + "person/cy"
TURTLE = f"""@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{CY}> a dkg:Person ; rdfs:label "Cy Example"@en ; dkg:source <{TEST_SOURCE}> .
"""
TRIG = f"""@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:import:cy> dct:source <{TEST_SOURCE}> ; rdfs:comment "From TriG" .
<urn:import:cy> {{
    <{CY}> a dkg:Person ; rdfs:label "Cy Example"@en ; dkg:source <{TEST_SOURCE}> .
}}
"""
JSONLD = json.dumps(
    {
        "@id": CY,
        "@type": "https://w3id.org/dialogue-kg/ontology#Person",
        "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "Cy Example", "@language": "en"},
        "https://w3id.org/dialogue-kg/ontology#source": {"@id": TEST_SOURCE},
    }
)


@pytest.fixture
def ana(small):
    return token_headers(small.settings, "ana")


@pytest.fixture
def ed(small):
    return token_headers(small.settings, "ed", "editor")


def post(client, body: str, media: str, headers: dict, query: str = f"?source={TEST_SOURCE}"):
    return client.post(
        "/api/changesets" + query, data=body.encode(), headers={**headers, "Content-Type": media}
    )


@pytest.mark.parametrize(
    ("body", "media", "query"),
    [
        (TURTLE, "text/turtle", f"?source={TEST_SOURCE}&comment=new+person"),
        (TRIG, "application/trig", ""),
        (JSONLD, "application/ld+json", f"?source={TEST_SOURCE}"),
    ],
)
def test_post_changeset(client, small, ana, body, media, query):
    before = small.revision
    response = post(client, body, media, ana, query)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"] == small.minter.changeset(before + 1)
    assert data["changesets"][0]["agent"].endswith("/agent/ana")
    assert response.headers["ETag"] == f'"{small.head}"'
    rows = list(
        small.query(
            f"SELECT ?g ?src WHERE {{ GRAPH ?g {{ <{CY}> a ?t }} "
            "?g <http://purl.org/dc/terms/source> ?src }"
        )
    )
    assert rows[0]["g"].value == response.headers["Location"]
    assert rows[0]["src"].value == TEST_SOURCE


def test_source_by_header(client, small, ana):
    response = post(client, TURTLE, "text/turtle", {**ana, "DKG-Source": TEST_SOURCE}, "")
    assert response.status_code == 201
    assert small.records(small.revision).__next__().sources == [TEST_SOURCE]


def test_missing_source_is_400(client, small, ana):
    response = post(client, TURTLE, "text/turtle", ana, "")
    assert response.status_code == 400
    assert "source" in response.get_json()["error"]


def test_shacl_report_as_json(client, small, ana):
    bad = f"<{CY}> a <https://w3id.org/dialogue-kg/ontology#Person> ."
    response = post(client, bad, "text/turtle", ana)
    assert response.status_code == 422
    violations = response.get_json()["violations"]
    assert {v["property"] for v in violations} >= {
        "http://www.w3.org/2000/01/rdf-schema#label",
        "https://w3id.org/dialogue-kg/ontology#source",
    }
    assert all(v["resource"] == CY and v["constraint"] and v["message"] for v in violations)


def test_malformed_rdf_is_400_with_position(client, small, ana):
    response = post(client, f"<{CY}> a\n  <broken .", "text/turtle", ana)
    assert response.status_code == 400
    data = response.get_json()
    assert data["line"] == 2 and isinstance(data["column"], int)


def test_unsupported_media_type(client, ana):
    assert post(client, "x", "text/plain", ana).status_code == 415


def test_if_match_conflict(client, small, ana):
    head = client.get("/api/changesets").headers["ETag"]
    assert post(client, TURTLE, "text/turtle", {**ana, "If-Match": head}).status_code == 201
    other = TURTLE.replace("/cy>", "/dee>").replace("Cy Example", "Dee")
    stale = post(client, other, "text/turtle", {**ana, "If-Match": head})
    assert stale.status_code == 409
    assert stale.get_json()["head"] == small.head
    (since,) = stale.get_json()["since"]
    assert since["revision"] == small.revision and since["archivist"] == "ana"
    assert since["added_about"] == []  # the change since was about another resource
    same = post(
        client, TURTLE.replace("Cy Example", "Cy Changed"), "text/turtle", {**ana, "If-Match": head}
    )
    (since,) = same.get_json()["since"]
    assert (
        f'<{CY}> <http://www.w3.org/2000/01/rdf-schema#label> "Cy Example"@en .'
        in since["added_about"]
    )
    fresh = post(client, other, "text/turtle", {**ana, "If-Match": stale.headers["ETag"]})
    assert fresh.status_code == 201


def test_oversize_is_413(small, ana):
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 200}, archive=small)
    client = app.test_client()
    journal = small.journal.path.read_bytes()
    response = post(client, TURTLE * 3, "text/turtle", ana)
    assert response.status_code == 413
    assert "larger" in response.get_json()["error"]
    assert small.journal.path.read_bytes() == journal


def test_list_and_get(client, small, ana):
    post(client, TURTLE, "text/turtle", ana)
    listed = client.get("/api/changesets?archivist=ana").get_json()
    (entry,) = listed["changesets"]
    assert entry["revision"] == small.revision and entry["archivist"] == "ana"
    assert client.get(f"/api/changesets?resource={CY}").get_json()["changesets"] == [entry]
    assert (
        client.get("/api/changesets?since=2000-01-01&until=2000-12-31").get_json()["changesets"]
        == []
    )
    assert client.get("/api/changesets?since=soon").status_code == 400
    one = client.get(f"/api/changesets/{small.revision}").get_json()
    assert one["sources"] == [TEST_SOURCE]
    assert any('"Cy Example"@en' in line for line in one["added"])
    assert client.get("/api/changesets/9999").status_code == 404


def test_revert_needs_an_editor(client, small, ana, ed):
    created = post(client, TURTLE, "text/turtle", ana).get_json()["changesets"][0]["revision"]
    assert client.post(f"/api/changesets/{created}/revert", headers=ana).status_code == 403
    response = client.post(f"/api/changesets/{created}/revert?comment=wrong+person", headers=ed)
    assert response.status_code == 201
    assert not small.query(f"ASK {{ <{CY}> ?p ?o }}")
    history = client.get(f"/api/changesets?resource={CY}").get_json()["changesets"]
    assert [e["revision"] for e in history] == [created + 1, created]
    assert history[0]["comment"] == f"Revert of change set {created}: wrong person"
    again = client.post(f"/api/changesets/{created}/revert", headers=ed)
    assert again.status_code == 400 and "nothing left" in again.get_json()["error"]


def test_retract_resource(client, small, ana):
    boris = ID + "person/boris"
    no_source = client.post(f"/api/resources/retract?iri={boris}", headers=ana)
    assert no_source.status_code == 400
    response = client.post(f"/api/resources/retract?iri={boris}&source={TEST_SOURCE}", headers=ana)
    assert response.status_code == 201
    assert not small.query(f"ASK {{ <{boris}> ?p ?o }}")
    assert len(client.get(f"/api/changesets?resource={boris}").get_json()["changesets"]) == 2


CSV = (
    "label,date,participants,source_url,source_title\n"
    "Second round,2011-04-15,Ana Example; Boris Example,https://example.org/p/1,Press one\n"
)


def test_import_meetings_dry_run_and_apply(client, small, ana):
    journal = small.journal.path.read_bytes()
    headers = {**ana, "Content-Type": "text/csv"}
    dry = client.post("/api/import/meetings?dry_run=1", data=CSV, headers=headers)
    assert dry.status_code == 200 and dry.get_json()["problems"] == []
    assert small.journal.path.read_bytes() == journal
    bad = CSV.replace("Boris Example", "Nobody").replace("2011-04-15", "someday")
    report = client.post("/api/import/meetings", data=bad, headers=headers)
    assert report.status_code == 422
    assert {(p["row"], p["column"]) for p in report.get_json()["problems"]} == {
        (1, "date"),
        (1, "participants"),
    }
    assert small.journal.path.read_bytes() == journal
    done = client.post("/api/import/meetings", data=CSV, headers=headers)
    assert done.status_code == 201
    assert done.headers["Location"].endswith(f"/changeset/{small.revision}")
    unknown = client.post("/api/import/meetings", data=CSV, headers={**ana, "Content-Type": "a/b"})
    assert unknown.status_code == 400


def test_provenance_cannot_be_forged(client, small, ana):
    """The change-set graph and the PROV description are written by the archive alone."""
    cs = small.minter.changeset(2)
    journal = small.journal.path.read_bytes()
    forged = [
        (f"<{cs}> <http://www.w3.org/ns/prov#wasAttributedTo> <{small.minter.agent('mallory')}> .",
         "text/turtle"),
        (f"<{cs}> <http://purl.org/dc/terms/source> <https://example.org/forged> .", "text/turtle"),
        (f'<{small.minter.agent("ana")}> <http://www.w3.org/2000/01/rdf-schema#label> "x" .',
         "text/turtle"),
        (f"<{small.minter.provenance_graph}> {{ <{CY}> a <https://w3id.org/dialogue-kg/ontology#"
         f"Person> }}", "application/trig"),
    ]  # fmt: skip
    for body, media in forged:
        response = post(client, body, media, ana)
        assert response.status_code == 400, body
        assert "archive" in response.get_json()["error"]
    assert small.journal.path.read_bytes() == journal
    who = small.query(
        f"SELECT DISTINCT ?who WHERE {{ <{cs}> <http://www.w3.org/ns/prov#wasAttributedTo> ?who }}"
    )
    assert [row["who"].value for row in who] == [small.minter.agent("tester")]


def test_one_post_parses_once_and_reads_the_journal_once(client, small, ana, monkeypatch):
    """A change-set POST parses its statements once (validation uses them as parsed) and looks
    at the journal file once (under the write lock), not before the request too."""
    import pathlib

    import pyoxigraph as ox

    seen = {"parse": 0, "journal": 0}
    parse, stat = ox.parse, pathlib.Path.stat

    def counting_parse(*args, **kwargs):
        seen["parse"] += 1
        return parse(*args, **kwargs)

    def counting_stat(self, *args, **kwargs):
        seen["journal"] += self == small.journal.path
        return stat(self, *args, **kwargs)

    post(client, TURTLE, "text/turtle", ana)  # the validator's first use loads the shapes
    monkeypatch.setattr(ox, "parse", counting_parse)
    monkeypatch.setattr(pathlib.Path, "stat", counting_stat)
    response = post(client, TURTLE.replace("Cy Example", "Cy Again"), "text/turtle", ana)
    assert response.status_code == 201, response.get_json()
    assert seen == {"parse": 1, "journal": 1}
