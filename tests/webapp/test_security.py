"""Security: every write route refuses anonymous users and forged or missing CSRF tokens;
disabled users and revoked tokens are refused; markup in labels is stored verbatim and rendered
inert; bad uploads write nothing."""

from __future__ import annotations

import re

import pytest

from dialogue_kg.write.accounts import Accounts

from ..conftest import TEST_SOURCE
from ..helpers.accounts import add_user, csrf_token, login, token_headers

PASSWORD = "password for ana"
OPEN_POSTS = {"/login", "/sparql"}  # anyone may post: a login, or a (read-only) query


def write_routes(app) -> list[str]:
    """Every URL that accepts a write method, with placeholder values for its parameters."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"} and rule.endpoint != "static":
            urls.append(re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule))
    return sorted(set(urls))


def test_write_routes_found(app):
    routes = write_routes(app)
    assert {"/api/changesets", "/logout", "/account", "/api/resources/retract"} <= set(routes)


def test_anonymous_refused_everywhere(app, small):
    client = app.test_client()
    token = csrf_token(client)
    journal = small.journal.path.read_bytes()
    for url in write_routes(app):
        if url in OPEN_POSTS or url == "/logout":
            continue
        response = client.post(url, data={"csrf_token": token, "x": "1"})
        assert response.status_code in (302, 401), (url, response.status_code)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], url
        # Scripts without a token get a 401, whatever they send.
        bare = app.test_client().post(url, data=b"x", headers={"Content-Type": "text/turtle"})
        assert bare.status_code in (302, 400, 401), (url, bare.status_code)
        if url.startswith("/api/"):
            assert bare.status_code == 401, url
    update = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> 1 }"})
    assert update.status_code == 401
    assert small.journal.path.read_bytes() == journal


def test_session_without_valid_csrf_refused_everywhere(app, small):
    add_user(small.settings, "ana", PASSWORD, "editor")
    client = app.test_client()
    login(client, "ana", PASSWORD)
    journal = small.journal.path.read_bytes()
    for url in write_routes(app):
        if url == "/login":
            continue
        data = {"update": "INSERT DATA { <urn:a> <urn:b> 1 }"} if url == "/sparql" else {}
        for extra in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data={**data, **extra})
            assert response.status_code == 400, (url, extra, response.status_code)
        json_body = client.post(url, json={"x": 1}, headers={"X-CSRFToken": "forged"})
        # /sparql answers JSON bodies 415: it takes forms or SPARQL, never JSON.
        assert json_body.status_code == (415 if url == "/sparql" else 400), url
    assert small.journal.path.read_bytes() == journal
    assert client.get("/desk").status_code == 200  # still logged in: logout was refused too


def test_disabled_user_and_revoked_token_refused(client, small):
    headers = token_headers(small.settings, "ana")
    accounts = Accounts.for_settings(small.settings)
    body = {"data": b"<urn:a> <urn:b> <urn:c> .", "headers": {"Content-Type": "text/turtle"}}
    accounts.disable("ana")
    response = client.post(
        f"/api/changesets?source={TEST_SOURCE}",
        data=body["data"],
        headers={**headers, **body["headers"]},
    )
    assert response.status_code == 401
    accounts.disable("ana", False)
    accounts.revoke_token("ana", accounts.tokens("ana")[0].id)
    response = client.post(
        f"/api/changesets?source={TEST_SOURCE}",
        data=body["data"],
        headers={**headers, **body["headers"]},
    )
    assert response.status_code == 401


NASTY = '<script>alert(1)</script><img src=x onerror=alert(1)> "quoted" & more'


def test_markup_stored_verbatim_and_rendered_inert(client, small):
    headers = token_headers(small.settings, "ana")
    iri = "https://w3id.org/dialogue-kg/id/person/mallory"
    turtle = (
        "@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{iri}> a dkg:Person ; rdfs:label """{NASTY}"""@en ; dkg:source <{TEST_SOURCE}> .\n'
    )
    response = client.post(
        "/api/changesets",
        query_string={"source": TEST_SOURCE, "comment": NASTY},
        data=turtle.encode(),
        headers={**headers, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 201
    (row,) = small.query(
        f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert row["l"].value == NASTY
    record = next(small.records(small.revision))
    assert record.comment == NASTY
    assert NASTY.replace('"', '\\"').encode() in small.journal.path.read_bytes()
    page = client.get("/desk", headers=headers).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    as_json = client.get("/desk?format=json", headers=headers).get_json()
    assert as_json["changesets"][0]["comment"] == NASTY


@pytest.mark.parametrize(
    ("url", "media", "body"),
    [
        (f"/api/changesets?source={TEST_SOURCE}", "text/turtle", b"<urn:a> <urn:b> "),
        (f"/api/changesets?source={TEST_SOURCE}", "application/ld+json", b"{not json"),
        (f"/api/changesets?source={TEST_SOURCE}", "application/trig", b"\xff\xfe\x00garbage"),
        ("/api/import/meetings", "text/csv", b"label,date\n,\n"),
        ("/api/import/meetings", "application/yaml", b"- [unclosed"),
        ("/api/import/meetings", "text/csv", b"\xff\xfe not utf-8"),
    ],
)
def test_malformed_uploads_write_nothing(client, small, url, media, body):
    headers = token_headers(small.settings, "ana")
    journal = small.journal.path.read_bytes()
    response = client.post(url, data=body, headers={**headers, "Content-Type": media})
    assert 400 <= response.status_code < 500
    assert response.get_json()["error" if response.status_code != 422 else "problems"]
    assert small.journal.path.read_bytes() == journal
    assert client.get("/").status_code == 200
