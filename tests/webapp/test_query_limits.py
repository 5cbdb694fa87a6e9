"""Time limits: a hostile query is stopped at the limit while other clients keep being answered."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import pytest

from dialogue_kg.core.archive import Archive
from webapp import create_app

from ..conftest import DATA

HOSTILE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"


@pytest.fixture
def limited(settings):
    """An app whose queries run in two worker processes with a 3 s limit."""
    settings = replace(settings, query_workers=2, query_timeout=3.0)
    with Archive.open(settings) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        app = create_app({"TESTING": True}, archive=archive)
        yield app
        app.extensions["query_pool"].close()


OTHER_CLIENT = {"REMOTE_ADDR": "127.0.0.2"}


def _wait_until_running(app, client: str) -> None:
    """Until ``client``'s first query holds its slot (else the next one could take it first)."""
    for _ in range(500):
        slots = app.extensions.get("sparql_client_slots")
        if slots is not None and slots.running(client):
            return
        time.sleep(0.01)
    raise AssertionError(f"no query of {client} started")


@pytest.mark.server
def test_hostile_query_is_cut_off_while_others_are_answered(limited) -> None:
    client = limited.test_client()
    hostile: dict = {}

    def run_hostile() -> None:
        hostile["response"] = limited.test_client().get(
            "/sparql", query_string={"query": HOSTILE}, environ_base=OTHER_CLIENT
        )

    thread = threading.Thread(target=run_hostile)
    thread.start()
    answered_meanwhile = []
    for _ in range(3):
        response = client.get("/sparql", query_string={"query": SIMPLE})
        answered_meanwhile.append(response.status_code == 200 and thread.is_alive())
    thread.join(60)
    assert all(answered_meanwhile), "simple queries were answered while the hostile one ran"
    response = hostile["response"]
    assert response.status_code == 503
    assert "limit of 3 s" in response.get_data(as_text=True)
    # The killed worker is replaced: the endpoint keeps serving, twice in parallel.
    for _ in range(4):
        ok = client.get("/sparql", query_string={"query": SIMPLE})
        assert ok.status_code == 200
        assert int(json.loads(ok.data)["results"]["bindings"][0]["n"]["value"]) > 0


@pytest.mark.server
def test_a_query_as_of_a_revision_runs_in_a_worker_under_the_time_limit(limited) -> None:
    """``?revision=N`` is answered by a query worker like any query: a heavy one is stopped at
    the limit (in the web process it would run unbounded) and the server keeps answering."""
    client = limited.test_client()
    past = str(limited.extensions["dialogue_kg"].revision - 1)
    started = time.monotonic()
    hostile = client.get("/sparql", query_string={"query": HOSTILE, "revision": past})
    assert hostile.status_code == 503
    assert "limit of 3 s" in hostile.get_data(as_text=True)
    assert time.monotonic() - started < 30
    for _ in range(3):
        ok = client.get("/sparql", query_string={"query": SIMPLE, "revision": past})
        assert ok.status_code == 200
        assert int(json.loads(ok.data)["results"]["bindings"][0]["n"]["value"]) > 0
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


@pytest.mark.server
def test_workers_see_new_change_sets_and_negotiate(limited) -> None:
    client = limited.test_client()
    archive = limited.extensions["dialogue_kg"]
    agreements = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/dialogue-kg/ontology#Agreement> }"
    )
    before = client.get("/sparql", query_string={"query": agreements, "format": "csv"})
    assert before.mimetype == "text/csv"
    archive.load(
        DATA / "invalid-shape.ttl",
        agent="t",
        validate=False,
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
    )
    after = client.get("/sparql", query_string={"query": agreements, "format": "csv"})
    n = lambda r: int(r.get_data(as_text=True).split()[1])  # noqa: E731
    assert n(after) == n(before) + 1
    bad = client.get("/sparql", query_string={"query": "SELEC"})
    assert bad.status_code == 400 and "syntax error" in bad.get_data(as_text=True)
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": service}).status_code == 403


@pytest.mark.server
def test_one_client_runs_one_query_at_a_time(limited) -> None:
    """Two heavy queries from one address: the second gets 429 at once, and another client's
    query is answered meanwhile by the worker left free."""
    first: dict = {}
    started = threading.Event()

    def run_first() -> None:
        started.set()
        first["response"] = limited.test_client().get("/sparql", query_string={"query": HOSTILE})

    thread = threading.Thread(target=run_first)
    thread.start()
    started.wait()
    _wait_until_running(limited, "127.0.0.1")
    client = limited.test_client()
    second = client.get("/sparql", query_string={"query": HOSTILE})
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "5"
    assert "DKG_QUERIES_PER_CLIENT" in second.get_data(as_text=True)
    other = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base=OTHER_CLIENT)
    assert other.status_code == 200 and thread.is_alive()
    thread.join(60)
    assert first["response"].status_code == 503  # cut off at the time limit
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("default-graph-uri", "not an IRI"),
        ("default-graph-uri", "relative/path"),
        ("named-graph-uri", "http://example.org/a b"),
        ("named-graph-uri", ""),
    ],
)
def test_a_graph_that_is_not_an_iri_is_a_400(client, param: str, value: str) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}", param: value})
    assert response.status_code == 400
    assert f"{param} " in response.get_data(as_text=True)
    assert "is not an IRI" in response.get_data(as_text=True)


def test_an_unknown_function_is_a_400(client) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT (<urn:x>(1) AS ?x) {}"})
    assert response.status_code == 400
    assert "urn:x" in response.get_data(as_text=True)


def test_deep_nesting_is_a_400_before_parsing(client) -> None:
    deep = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    response = client.post("/sparql", data={"query": deep})
    assert response.status_code == 400
    assert "nested more than 100 levels" in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


@pytest.mark.server
def test_behind_a_trusted_proxy_clients_are_told_apart_by_x_forwarded_for(settings) -> None:
    """With DKG_PROXY_HOPS=1 every request comes from the proxy's address, and the per-client
    limit counts the address the proxy forwarded: one client still runs one query at a time, a
    second client is answered, and a forged header further left is not believed."""
    settings = replace(settings, query_workers=2, query_timeout=3.0, proxy_hops=1)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    with Archive.open(settings) as archive:
        app = create_app({"TESTING": True}, archive=archive)
        try:
            first: dict = {}
            started = threading.Event()

            def run_first() -> None:
                started.set()
                first["response"] = app.test_client().get(
                    "/sparql",
                    query_string={"query": HOSTILE},
                    headers={"X-Forwarded-For": "203.0.113.7"},
                    environ_base=proxy,
                )

            thread = threading.Thread(target=run_first)
            thread.start()
            started.wait()
            _wait_until_running(app, "203.0.113.7")
            client = app.test_client()
            again = client.get(
                "/sparql",
                query_string={"query": HOSTILE},
                headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
                environ_base=proxy,
            )
            assert again.status_code == 429  # the same client, whatever it forged before
            other = client.get(
                "/sparql",
                query_string={"query": "ASK {}"},
                headers={"X-Forwarded-For": "203.0.113.8"},
                environ_base=proxy,
            )
            assert other.status_code == 200 and thread.is_alive()
            thread.join(60)
        finally:
            app.extensions["query_pool"].close()
