"""Answers kept by revision: a repeated query is answered from them, never a stale one, within
the memory given; volatile queries and oversized answers are not kept."""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.protocol.cache import ResultCache, keepable
from dialogue_kg.protocol.workers import Answer, QueryRequest, answer
from webapp import create_app

from .conftest import DATA, TEST_SOURCE

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CSV = {"Accept": "text/csv"}


def _answer(n: int, size: int = 10) -> Answer:
    return Answer(b"x" * size, "text/csv", revision=n)


def test_the_least_recently_used_answers_go_first_within_the_memory_given() -> None:
    cache = ResultCache(16 * 1024)
    requests = [QueryRequest(f"ASK {{ <urn:x:{i}> ?p ?o }}") for i in range(40)]
    for r in requests[:10]:
        cache.put((1, "a"), r, _answer(1, 600))
    assert cache.get((1, "a"), requests[0]) is not None  # now the most recently used
    for r in requests[10:]:
        cache.put((1, "a"), r, _answer(1, 600))
        assert cache.used <= cache.max_bytes
    assert cache.get((1, "a"), requests[0]) is None
    assert cache.get((1, "a"), requests[39]) is not None
    assert cache.get((2, "b"), requests[39]) is None  # another revision: another state


def test_an_answer_over_a_sixteenth_of_the_memory_is_not_kept() -> None:
    cache = ResultCache(16 * 1024)
    request = QueryRequest("SELECT * WHERE { ?s ?p ?o }")
    cache.put((1, "a"), request, _answer(1, 500))
    assert cache.get((1, "a"), request) is not None
    cache.put((2, "b"), request, _answer(2, 2000))
    assert cache.get((2, "b"), request) is None


@pytest.mark.parametrize(
    "text",
    [
        "SELECT (NOW() AS ?t) {}",
        "SELECT (rand ( ) AS ?r) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "CONSTRUCT { ?b <urn:x:p> 1 } WHERE { BIND(BNODE() AS ?b) }",
    ],
)
def test_answers_that_differ_run_to_run_are_not_kept(text: str) -> None:
    request = QueryRequest(text)
    assert not keepable(request)
    cache = ResultCache(1 << 20)
    cache.put((1, "a"), request, _answer(1))
    assert cache.get((1, "a"), request) is None


def test_the_current_answer_at_a_revision_is_the_answer_as_of_it() -> None:
    cache = ResultCache(1 << 20)
    cache.put((7, "c"), QueryRequest(COUNT), _answer(7))
    assert cache.get((7, "c"), QueryRequest(COUNT, revision=7)) is not None
    assert cache.get((7, "c"), QueryRequest(COUNT, formats=("json",))) is None  # another format


def _label(archive: Archive, n: int) -> None:
    triple = ox.Triple(
        ox.NamedNode(f"urn:x:{n}"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal(f"n{n}"),
    )
    archive.commit([ChangeSet(added=[triple], sources=[TEST_SOURCE])], agent="t", validate=False)


@pytest.mark.server
def test_the_endpoint_answers_a_repeat_from_the_cache_and_a_write_from_the_store(
    settings,
) -> None:
    with Archive.open(replace(settings, query_workers=1)) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        app = create_app({"TESTING": True}, archive=archive)
        try:
            web, cache = app.test_client(), app.extensions["result_cache"]
            first = web.get("/sparql", query_string={"query": COUNT}, headers=CSV)
            before = archive.revision
            assert (cache.hits, cache.misses) == (0, 1)
            again = web.get("/sparql", query_string={"query": COUNT}, headers=CSV)
            assert again.data == first.data and again.mimetype == first.mimetype == "text/csv"
            assert cache.hits == 1
            _label(archive, 1)
            after = web.get("/sparql", query_string={"query": COUNT}, headers=CSV)
            assert int(after.data.split()[1]) > int(
                first.data.split()[1]
            )  # the write, and its record
            past = web.get(
                "/sparql", query_string={"query": COUNT, "revision": before}, headers=CSV
            )
            assert past.data == first.data and cache.hits == 2
            now = "SELECT (NOW() AS ?t) {}"
            for _ in range(2):
                web.get("/sparql", query_string={"query": now}, headers=CSV)
            assert cache.hits == 2
        finally:
            app.extensions["query_pool"].close()


_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, 5)),
        st.tuples(st.just("ask"), st.integers(0, 2)),
        st.tuples(st.just("ask as of"), st.integers(0, 8)),
    ),
    min_size=1,
    max_size=15,
)
_QUERIES = [
    COUNT,
    "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l",
    "ASK { <urn:x:3> ?p ?o }",
]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_STEPS)
def test_what_the_endpoint_answers_is_what_the_store_answers_then(steps, tmp_path_factory) -> None:  # noqa: ANN001
    """Writes and queries (now and as of past revisions) interleaved in any order: every answer
    the endpoint gives, from the cache or not, is the one the archive gives at that moment."""
    from dialogue_kg.config import Settings

    tmp = tmp_path_factory.mktemp("cache")
    (tmp / "gd").mkdir()
    config = Settings.from_env(
        {}, data_dir=str(tmp / "a"), graph_data_dir=str(tmp / "gd"), query_workers=0
    )
    with Archive.open(config) as archive:
        web = create_app({"TESTING": True}, archive=archive).test_client()
        for i, (kind, n) in enumerate(steps):
            if kind == "write":
                _label(archive, n)
                continue
            text = _QUERIES[n % len(_QUERIES)] if kind == "ask" else COUNT
            revision = None if kind == "ask" else min(n, archive.revision)
            args = {"query": text} | ({} if revision is None else {"revision": revision})
            found = web.get("/sparql", query_string=args, headers=CSV)
            expected = answer(
                archive, QueryRequest(text, accepted=("text/csv",), revision=revision)
            )
            assert found.status_code == 200, (i, found.data)
            assert found.data == expected.body, (i, kind, n)


def test_in_a_server_process_only_answers_as_of_a_past_revision_are_kept(small) -> None:
    """Without query workers a commit may land while a query on the current state runs, so the
    revision it holds for is not certain: such answers are run each time; answers as of a past
    revision are kept."""
    app = create_app({"TESTING": True}, archive=small)
    web, cache = app.test_client(), app.extensions["result_cache"]
    _label(small, 1)
    for _ in range(2):
        web.get("/sparql", query_string={"query": COUNT}, headers=CSV)
    assert (cache.hits, len(cache)) == (0, 0)
    past = {"query": COUNT, "revision": small.revision - 1}
    first = web.get("/sparql", query_string=past, headers=CSV)
    assert web.get("/sparql", query_string=past, headers=CSV).data == first.data
    assert (cache.hits, len(cache)) == (1, 1)
