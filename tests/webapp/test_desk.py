"""The desk (audit) page: recent change sets with filters, integrity status, HTML and JSON."""

from __future__ import annotations

from flask import Blueprint

from webapp import create_app

from ..conftest import TEST_SOURCE
from ..helpers.accounts import token_headers

BORIS = "https://w3id.org/dialogue-kg/id/person/boris"


def test_desk_needs_login(client):
    assert client.get("/desk").status_code == 302
    assert client.get("/desk?format=json").status_code == 401


def test_desk_lists_and_filters(client, small):
    headers = token_headers(small.settings, "ana")
    client.post(f"/api/resources/retract?iri={BORIS}&source={TEST_SOURCE}", headers=headers)
    data = client.get("/desk?format=json", headers=headers).get_json()
    assert [c["revision"] for c in data["changesets"]] == list(range(small.revision, 0, -1))
    assert data["integrity"]["ok"] and data["integrity"]["revision"] == small.revision
    mine = client.get("/desk?format=json&archivist=ana", headers=headers).get_json()
    assert [c["archivist"] for c in mine["changesets"]] == ["ana"]
    touching = client.get(f"/desk?format=json&resource={BORIS}", headers=headers).get_json()
    assert len(touching["changesets"]) == 2
    none = client.get("/desk?format=json&until=2000-01-01", headers=headers).get_json()
    assert none["changesets"] == []
    page = client.get("/desk?archivist=ana", headers=headers)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="integrity-status"' in html and "Verified" in html
    assert f"Retraction of &lt;{BORIS}&gt;" in html
    retraction = touching["changesets"][0]["revision"]
    assert f'<a href="/changeset/{retraction}">' in html  # its statements are on that page
    assert client.get("/desk?since=tomorrow", headers=headers).status_code == 400


def test_desk_links_to_changeset_pages_when_they_exist(small):
    extra = Blueprint("changesets_stub", __name__)
    extra.add_url_rule("/changeset/<int:n>", "show", lambda n: str(n))
    app = create_app({"TESTING": True}, archive=small)
    app.register_blueprint(extra)
    headers = token_headers(small.settings, "ana")
    html = app.test_client().get("/desk", headers=headers).get_data(as_text=True)
    assert f'href="/changeset/{small.revision}"' in html
