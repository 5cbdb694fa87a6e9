"""One handler answers the error family: its status, JSON for scripts (with line and column as
fields), plain text for people and the SPARQL query protocol; anything else is a 500, not a
user error."""

from __future__ import annotations

import pytest

from dialogue_kg.core.guard import QueryRefused
from webapp import create_app

from ..conftest import TEST_SOURCE
from ..helpers.accounts import token_headers


def test_a_parse_error_is_json_with_its_place(client, small) -> None:
    response = client.post(
        f"/api/changesets?source={TEST_SOURCE}",
        data=b'<urn:a> <urn:b>\n  <urn:c> ; .\n<urn:a> "',
        headers={**token_headers(small.settings, "ana"), "Content-Type": "text/turtle"},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["kind"] == "input" and body["line"] >= 2 and isinstance(body["column"], int)


def test_a_query_error_is_plain_text(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC nothing"})
    assert response.status_code == 400
    assert response.mimetype == "text/plain" and "syntax" in response.get_data(as_text=True)


@pytest.fixture
def raising_app(small):
    """The app with two extra routes: one raising a family error, one a plain ValueError."""
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, archive=small)

    def refused() -> str:
        raise QueryRefused("not here")

    def bug() -> str:
        raise ValueError("a bug, not the user's doing")

    app.add_url_rule("/test-refused", view_func=refused)
    app.add_url_rule("/test-bug", view_func=bug)
    return app


def test_any_view_raising_the_family_gets_its_status(raising_app) -> None:
    client = raising_app.test_client()
    as_json = client.get("/test-refused", headers={"Accept": "application/json"})
    assert as_json.status_code == 403
    assert as_json.get_json() == {"error": "not here", "kind": "refused"}
    as_text = client.get("/test-refused", headers={"Accept": "text/html"})
    assert as_text.status_code == 403 and as_text.get_data(as_text=True) == "not here\n"


def test_an_unexpected_error_is_a_500_not_a_user_error(raising_app) -> None:
    response = raising_app.test_client().get("/test-bug", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert "a bug" not in response.get_data(as_text=True)
