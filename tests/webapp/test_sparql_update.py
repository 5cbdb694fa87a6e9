"""SPARQL Update on /sparql by authenticated archivists: one change set with provenance."""

from __future__ import annotations

import pytest

from dialogue_kg.write.accounts import Accounts

from ..conftest import TEST_SOURCE
from ..helpers.accounts import add_user, csrf_token, login, token_headers

P = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
ANA = "<https://w3id.org/dialogue-kg/id/person/ana>"
INSERT = P + f'INSERT DATA {{ {ANA} rdfs:label "Ana Primjer"@sr-Latn }}'


@pytest.fixture
def ana(small):
    return token_headers(small.settings, "ana")


def test_update_by_token_form(client, small, ana):
    before = small.revision
    response = client.post(
        "/sparql",
        data={"update": INSERT, "source": TEST_SOURCE, "comment": "Serbian label"},
        headers=ana,
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"] == small.minter.changeset(before + 1)
    found = client.get(
        "/sparql",
        query_string={
            "query": P
            + "SELECT ?who ?c WHERE { GRAPH ?g { "
            + ANA
            + ' rdfs:label "Ana Primjer"@sr-latn } '
            "?g <http://www.w3.org/ns/prov#wasAttributedTo> ?who ; rdfs:comment ?c }"
        },
        headers={"Accept": "application/sparql-results+json"},
    ).get_json()
    (row,) = found["results"]["bindings"]
    assert row["who"]["value"].endswith("/agent/ana")
    assert row["c"]["value"] == "Serbian label"


def test_update_by_token_direct_post(client, small, ana):
    response = client.post(
        f"/sparql?source={TEST_SOURCE}",
        data=INSERT,
        headers={**ana, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 201


def test_update_by_session_needs_csrf(client, small):
    add_user(small.settings, "ana", "password one")
    login(client, "ana", "password one")
    data = {"update": INSERT, "source": TEST_SOURCE}
    journal = small.journal.path.read_bytes()
    assert client.post("/sparql", data=data).status_code == 400
    bad = client.post("/sparql", data={**data, "csrf_token": "forged"})
    assert bad.status_code == 400
    assert small.journal.path.read_bytes() == journal
    token = csrf_token(client, "/")
    assert client.post("/sparql", data={**data, "csrf_token": token}).status_code == 201


@pytest.mark.parametrize(
    ("update", "source", "status"),
    [
        ("INSERT DATA { <urn:a> <urn:b> ", TEST_SOURCE, 400),
        (INSERT, "", 400),
        (
            P + f"DELETE WHERE {{ {ANA} <https://w3id.org/dialogue-kg/ontology#source> ?s }}",
            TEST_SOURCE,
            422,
        ),
        ("LOAD <http://example.org/x.ttl>", TEST_SOURCE, 403),
        (P + f"INSERT DATA {{ GRAPH <urn:g> {{ {ANA} rdfs:label 'x'@en }} }}", TEST_SOURCE, 400),
        (  # forged provenance: who wrote change set 2
            "INSERT DATA { <https://w3id.org/dialogue-kg/changeset/2> "
            "<http://www.w3.org/ns/prov#wasAttributedTo> "
            "<https://w3id.org/dialogue-kg/agent/mallory> }",
            TEST_SOURCE,
            400,
        ),
        (
            P + "INSERT { ?cs rdfs:comment 'forged' } WHERE { BIND(<https://w3id.org/dialogue-kg/"
            "changeset/3> AS ?cs) }",
            TEST_SOURCE,
            400,
        ),
    ],
)
def test_bad_updates_write_nothing(client, small, ana, update, source, status):
    journal = small.journal.path.read_bytes()
    response = client.post("/sparql", data={"update": update, "source": source}, headers=ana)
    assert response.status_code == status, response.get_data(as_text=True)
    assert small.journal.path.read_bytes() == journal
    if status == 422:
        assert response.get_json()["violations"][0]["resource"] == ANA.strip("<>")


def test_disabled_user_and_revoked_token(client, small, ana):
    data = {"update": INSERT, "source": TEST_SOURCE}
    accounts = Accounts.for_settings(small.settings)
    accounts.disable("ana")
    assert client.post("/sparql", data=data, headers=ana).status_code == 401
    accounts.disable("ana", False)
    token_id = accounts.tokens("ana")[0].id
    accounts.revoke_token("ana", token_id)
    assert client.post("/sparql", data=data, headers=ana).status_code == 401
