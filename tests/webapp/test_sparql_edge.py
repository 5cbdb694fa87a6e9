"""What the web edge does for a SPARQL query: an anonymous reader's query loads no account and
sets no cookie, a signed-in one is never stored, and remembered verdicts follow the settings."""

from __future__ import annotations

import pytest
from flask_login import user_accessed

from webapp import create_app

from ..helpers.accounts import add_user, login, token_headers

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20"
PASSWORD = "a long enough password"


def test_an_anonymous_query_loads_no_account_and_sets_no_cookie(app, client) -> None:
    loaded: list[object] = []
    with user_accessed.connected_to(lambda sender, **extra: loaded.append(sender), app):
        response = client.get("/sparql", query_string={"query": SELECT})
        assert response.status_code == 200
        assert loaded == []  # Flask-Login looked up no user for this request
        client.set_cookie("lang", "en")  # any cookie: the app's own way, which loads the user
        assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200
        assert loaded == [app]
    assert "Set-Cookie" not in response.headers
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_query_lane_answers_as_the_app_does(client) -> None:
    """An anonymous query (answered without the page machinery) gets the body and headers a
    request the app handles gets: the same query with a cookie."""
    for params in (
        {"query": SELECT},
        {"query": SELECT, "format": "csv"},
        {"query": "SELECT * WHERE { ?s ?p }"},
        {"query": SELECT, "format": "turtle"},
        {"query": SELECT, "revision": "x"},
        {"query": "SELECT * WHERE { ?s ?p }", "format": "json"},
        {"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"},
    ):
        client.delete_cookie("lang")
        lane = client.get("/sparql", query_string=params)
        client.set_cookie("lang", "en")
        app = client.get("/sparql", query_string=params)
        assert (lane.status_code, lane.data) == (app.status_code, app.data), params
        assert sorted(lane.headers.items()) == sorted(app.headers.items()), params
    assert lane.status_code == 403 and lane.headers["X-Frame-Options"] == "DENY"
    assert lane.headers["Access-Control-Allow-Origin"] == "*"


def test_a_signed_in_query_is_never_stored(client, settings) -> None:
    add_user(settings, "ana", PASSWORD)
    login(client, "ana", PASSWORD)
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    scripted = client.application.test_client().get(
        "/sparql", query_string={"query": SELECT}, headers=token_headers(settings, "bo")
    )
    assert scripted.headers["Cache-Control"] == "no-store"


def test_a_forged_session_cookie_is_anonymous(client) -> None:
    client.set_cookie("session", "not-a-signed-session")
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_session_still_starts_and_ends(client, settings) -> None:
    """The session is saved when something is put in it (the login), then cleared at logout."""
    add_user(settings, "ana", PASSWORD)
    response = login(client, "ana", PASSWORD)
    assert "session=" in response.headers["Set-Cookie"]
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_results_are_the_engines_bytes(client, small, fmt: str) -> None:
    """The body is pyoxigraph's own serialisation of the result, passed through unchanged."""
    from dialogue_kg.core.formats import by_name

    response = client.get("/sparql", query_string={"query": SELECT, "format": fmt})
    expected = small.store.store.query(SELECT, use_default_graph_as_union=True).serialize(
        format=by_name(fmt).results
    )
    assert response.status_code == 200
    assert response.data == expected


def test_the_shape_verdict_follows_the_nesting_limit(small, settings) -> None:
    """A remembered verdict is the verdict under the app's own nesting limit: the same text is
    answered by an app allowing its depth and refused, every time, by one that does not."""
    deep = "SELECT * WHERE " + "{ " * 8 + "?s ?p ?o" + " }" * 8
    loose = create_app({"TESTING": True}, archive=small).test_client()
    assert loose.get("/sparql", query_string={"query": deep}).status_code == 200
    overrides = {**vars(settings), "max_nesting": 5}
    strict_app = create_app({"TESTING": True, **overrides})
    try:
        strict = strict_app.test_client()
        for _ in range(2):
            refused = strict.get("/sparql", query_string={"query": deep})
            assert refused.status_code == 400
            assert "nest" in refused.get_data(as_text=True)
    finally:
        strict_app.extensions["dialogue_kg"].close()
    assert loose.get("/sparql", query_string={"query": deep}).status_code == 200
