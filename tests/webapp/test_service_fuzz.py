"""A SERVICE grammar fuzzer: queries and updates that hide SERVICE or LOAD (comments, ``<`` as
less-than, strings, case, escapes, prefixed names, line breaks; inside FILTER, OPTIONAL, subqueries,
UNION, MINUS and updates) are sent to the live ``/sparql`` endpoint, whose engine runs in the server
process with network access (no worker barrier): a loopback listener must see no connection.

Each case is also run on a bare pyoxigraph store against a second listener, to show that the
fuzzer's cases do fetch when nothing guards them.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from webapp import create_app

from ..conftest import DATA, TEST_SOURCE
from ..helpers.accounts import token_headers
from ..helpers.listener import Listener

KEYWORDS = ["SERVICE", "service", "Service", "sErViCe", "\\u0053ERVICE", "SERVICE SILENT"]
GAPS = [" ", "", "\n", "\t", "\r\n", "#>\n", "# <\n", "#'\n", '#"\n', " # x\n ", "#}\n"]
ENDPOINTS = [
    "<http://127.0.0.1:@PORT@/x>",
    "<http://127.0.0.1:@PORT@/\\u0078>",
    "ex:x",
    "<x>",
    "?ep",
]
HIDERS = [
    "",
    "FILTER(1<2)",
    "FILTER(1 < 2 )",
    "FILTER(?z<'>')",
    'FILTER(?z<">")',
    "FILTER(1<ex:y#>\n)",
    "BIND(1<2 AS ?b)",
    "?s ?p '<' .",
    '?s ?p """>""" .',
    "?s ?p 1",
    "?s ?p ?o .",
    "?s ?p <o>",
]
WRAPPERS = [
    "{body}",
    "OPTIONAL {{ {body} }}",
    "{{ SELECT * WHERE {{ {body} }} }}",
    "FILTER EXISTS {{ {body} }}",
    "FILTER NOT EXISTS {{ {body} }}",
    "{{ {body} }} UNION {{ ?a ?b ?c }}",
    "MINUS {{ {body} }}",
]
PROLOGUE = "PREFIX ex: <http://127.0.0.1:@PORT@/>\nBASE <http://127.0.0.1:@PORT@/>\n"
VALUES = "VALUES ?ep { <http://127.0.0.1:@PORT@/v> }\n"

patterns = st.builds(
    lambda hider, gap1, keyword, gap2, endpoint, gap3, wrapper: wrapper.format(
        body=f"{hider}{gap1}{keyword}{gap2}{endpoint}{gap3}{{ ?s ?p ?o }}"
    ),
    st.sampled_from(HIDERS),
    st.sampled_from(GAPS),
    st.sampled_from(KEYWORDS),
    st.sampled_from(GAPS),
    st.sampled_from(ENDPOINTS),
    st.sampled_from(GAPS),
    st.sampled_from(WRAPPERS),
)
queries = st.builds(lambda p: PROLOGUE + "SELECT * WHERE {\n" + VALUES + p + "\n}", patterns)
updates = st.one_of(
    st.builds(lambda p: PROLOGUE + "INSERT { ?s ?p ?o } WHERE {\n" + VALUES + p + "\n}", patterns),
    st.builds(
        lambda hider, gap, keyword: (
            PROLOGUE
            + f"INSERT DATA {{ <urn:a> <urn:b> 1 }} ;{hider}{gap}{keyword} <http://127.0.0.1:@PORT@/d>"
        ),
        st.sampled_from(["", " # <\n", "#>\n"]),
        st.sampled_from(GAPS),
        st.sampled_from(["LOAD", "load", "LOAD SILENT", "Load silent"]),
    ),
)

STATS = {"queries": 0, "updates": 0, "fetched unguarded": 0}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """The app over a small archive, queries in the server process; two listeners."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "empty").mkdir()
    config = Settings.from_env(
        {}, data_dir=str(root / "data"), graph_data_dir=str(root / "empty"), query_workers=0
    )
    guarded, control = Listener(), Listener()
    with Archive.open(config) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        app = create_app({"TESTING": True}, archive=archive)
        headers = token_headers(config, "fuzzer")
        yield app.test_client(), headers, guarded, control
    guarded.close()
    control.close()
    print(f"\nSERVICE fuzzer: {STATS}; guarded listener saw {guarded.connections} connections")


def _at(template: str, listener: Listener) -> str:
    return template.replace("@PORT@", str(listener.port))


def _unguarded(text: str, update: bool) -> bool:
    """Whether a bare store tries to fetch (the control listener counts)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    try:
        if update:
            store.update(text)
        else:
            list(store.query(text))
    except (SyntaxError, RuntimeError, OSError, ValueError):
        pass
    return True


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=queries)
def test_no_hidden_service_query_reaches_the_network(endpoint, template: str) -> None:
    client, _, guarded, control = endpoint
    before = control.connections
    _unguarded(_at(template, control), update=False)
    STATS["fetched unguarded"] += control.connections > before
    response = client.get("/sparql", query_string={"query": _at(template, guarded)})
    STATS["queries"] += 1
    assert response.status_code in (400, 403), response.get_data(as_text=True)
    assert guarded.connections == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=updates)
def test_no_hidden_service_update_reaches_the_network(endpoint, template: str) -> None:
    client, headers, guarded, control = endpoint
    before = control.connections
    _unguarded(_at(template, control), update=True)
    STATS["fetched unguarded"] += control.connections > before
    response = client.post(
        "/sparql",
        data={"update": _at(template, guarded), "source": TEST_SOURCE},
        headers=headers,
    )
    STATS["updates"] += 1
    assert response.status_code in (400, 403), response.get_data(as_text=True)
    assert guarded.connections == 0


def test_the_fuzzer_finds_real_fetches(endpoint) -> None:
    """Run after the fuzzers: many of their cases fetch when nothing guards the engine."""
    if STATS["queries"] + STATS["updates"] == 0:
        pytest.skip("run with the fuzzers")
    assert STATS["fetched unguarded"] >= (STATS["queries"] + STATS["updates"]) // 5
