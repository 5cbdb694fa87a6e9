"""One contract, every store: the same writes and queries give the same answers on the embedded
Oxigraph store (memory and disk), on a real Oxigraph server and on a real Virtuoso."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet

from ..conftest import DATA, TEST_SOURCE
from ..helpers.servers import oxigraph_server, virtuoso

ID = "https://w3id.org/dialogue-kg/id/"
DKG = "https://w3id.org/dialogue-kg/ontology#"

QUERIES = {
    "agreements by year": f"""SELECT ?a ?y WHERE {{ ?a a <{DKG}Agreement> ; <{DKG}year> ?y }}
        ORDER BY ?a""",
    "count per class": """SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c""",
    "co-participants": f"""SELECT ?a ?b WHERE {{ ?m <{DKG}participant> ?a , ?b .
        FILTER(STR(?a) < STR(?b)) }} ORDER BY ?a ?b""",
    "label search": """SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l .
        FILTER(CONTAINS(LCASE(STR(?l)), "alpha")) } ORDER BY ?s ?l""",
    "property path": f"""SELECT ?part WHERE {{ ?part <{DKG}partOf>+ <{ID}agreement/alpha> }}""",
    "provenance": """PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s ?who WHERE { GRAPH ?g { ?s a ?t } ?g prov:wasAttributedTo ?who .
        FILTER(STRSTARTS(STR(?s), "https://w3id.org/dialogue-kg/id/")) } ORDER BY ?s""",
    "ask": f"ASK {{ <{ID}person/ana> ?p ?o }}",
    "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . FILTER(?s = <{ID}person/ana>) }}",
}


def answer(result: object) -> object:
    """A comparable form of any query result."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, (ox.QueryTriples, list)):
        return sorted(str(t) for t in result)
    return [tuple(str(row[v]) for v in result.variables) for row in result]  # type: ignore[attr-defined]


@pytest.fixture(
    params=[
        "memory",
        "disk",
        pytest.param("remote", marks=pytest.mark.server),
        pytest.param("virtuoso", marks=pytest.mark.server),
    ]
)
def store_settings(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path
) -> Iterator[Settings]:
    if request.param in ("memory", "disk"):
        yield replace(settings, store=request.param)
        return
    if request.param == "virtuoso":
        # Queries anonymously on /sparql; updates as the DBA on /sparql-auth (HTTP Digest).
        with virtuoso(tmp_path / "virtuoso") as server:
            yield replace(
                settings,
                store="remote",
                remote_query_url=server.sparql,
                remote_update_url=server.sparql_auth,
                remote_user=server.user,
                remote_password=server.password,
            )
        return
    with oxigraph_server(tmp_path / "oxigraph") as base:
        yield replace(
            settings,
            store="remote",
            remote_query_url=f"{base}/query",
            remote_update_url=f"{base}/update",
        )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Answers from the embedded in-memory store, to compare every other store with."""
    empty = tmp_path_factory.mktemp("empty")
    settings = Settings.from_env(
        {}, data_dir=str(tmp_path_factory.mktemp("ref")), graph_data_dir=str(empty)
    )
    with Archive.open(settings) as arc:
        arc.load(DATA / "small.trig", agent="tester")
        retract(arc)
        return {name: answer(arc.query(q)) for name, q in QUERIES.items()}


def retract(arc: Archive) -> None:
    """A correction: retract one participant, add a label (exercises removal on every store)."""
    meeting = ox.NamedNode(f"{ID}meeting/first-round")
    arc.commit(
        [
            ChangeSet(
                removed=[
                    ox.Triple(
                        meeting,
                        ox.NamedNode(f"{DKG}participant"),
                        ox.NamedNode(f"{ID}person/boris"),
                    )
                ],
                added=[
                    ox.Triple(
                        meeting,
                        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                        ox.Literal("Prvi krug", language="sr-Latn"),
                    )
                ],
                sources=[TEST_SOURCE],
            )
        ],
        agent="tester",
    )


def test_same_answers_on_every_store(store_settings: Settings, reference: dict) -> None:
    with Archive.open(store_settings) as arc:
        arc.load(DATA / "small.trig", agent="tester")
        retract(arc)
        for name, q in QUERIES.items():
            assert answer(arc.query(q)) == reference[name], name
        assert arc.verify().ok


def test_store_tracks_its_revision(store_settings: Settings) -> None:
    with Archive.open(store_settings) as arc:
        arc.load(DATA / "small.trig", agent="tester")
        assert arc.store.applied_revision() == arc.revision == 3


def test_rebuild_gives_the_same_quads(store_settings: Settings) -> None:
    with Archive.open(store_settings) as arc:
        arc.load(DATA / "small.trig", agent="tester")
        before = arc.store.sorted_nquads()
        arc.rebuild()
        assert arc.store.sorted_nquads() == before
