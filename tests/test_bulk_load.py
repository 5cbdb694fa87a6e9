"""The bulk load path (statements kept as N-Quads text) against the statement-by-statement path.

Both must write byte-identical journals and leave identical stores: the same inputs are loaded
into two archives, one through ``read_changesets(bulk=False)``, one through ``Archive.load``.
The clock is fixed and blank-node skolem IRIs are made deterministic, so the bytes can match.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest

from dialogue_kg.config import Settings, ontology_dir
from dialogue_kg.core import changeset as changeset_module
from dialogue_kg.core.archive import Archive, graph_data_files
from dialogue_kg.core.changeset import ChangeSet, Statements, read_changesets
from dialogue_kg.namespaces import Minter

from .conftest import DATA, TEST_SOURCE

ROOT = Path(__file__).parent.parent
BASE = "https://w3id.org/dialogue-kg/"
IMP = "https://w3id.org/dialogue-kg/import/bulk-test/"
PREFIXES = """\
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/dialogue-kg/id/> .
@prefix imp: <https://w3id.org/dialogue-kg/import/bulk-test/> .
"""

# Each input: (name, bytes, format). Loaded in this order, so later ones meet earlier statements.
BLANK_NODES = (
    PREFIXES
    + """
imp:a dct:source id:source-a .
imp:a { id:x dkg:note [ rdfs:label "anonymous"@en ] ; dkg:ref _:shared . }
imp:b { _:shared rdfs:label "shared"@en . id:y rdfs:label "y"@en . }
"""
)
DUPLICATES = (
    PREFIXES
    + """
imp:c dct:source id:source-c ; rdfs:comment "first copy" .
imp:d dct:source id:source-d ; rdfs:comment "second copy, and one already present" .
imp:c { id:dup rdfs:label "twice"@en . id:dup rdfs:label "twice"@en . id:only-c a dkg:Person . }
imp:d { id:dup rdfs:label "twice"@en . id:only-d a dkg:Person .
        <https://w3id.org/dialogue-kg/id/agreement/alpha> a dkg:Agreement . }
imp:c { id:later-c rdfs:label "c again, after d"@en . }
"""
)
LOOSE = (
    PREFIXES
    + """
id:loose1 rdfs:label "loose \\"quoted\\" \\\\ back\\tslash\\nnewline"@sq .
id:loose2 dkg:count "42"^^xsd:integer ; dkg:when "2011-02-30"^^xsd:date ;
    rdfs:label "Ćirilica Ћирилица ✓ \\u0001"@sr-Latn , "plain" .
imp:e dct:source id:source-e .
imp:e { id:loose1 rdfs:label "in a graph too"@en . id:e <http://example.org/p> id:loose2 . }
"""
)
NQUADS = (
    b'<https://w3id.org/dialogue-kg/id/n1> <http://www.w3.org/2000/01/rdf-schema#label> "n"@en '
    b"<https://w3id.org/dialogue-kg/import/bulk-test/nq> .\n"
    b"<https://w3id.org/dialogue-kg/id/n1> <http://www.w3.org/2000/01/rdf-schema#label> "
    b'"loose" .\n'
    b'<https://w3id.org/dialogue-kg/id/dup> <http://www.w3.org/2000/01/rdf-schema#label> "twice"@en'
    b" <https://w3id.org/dialogue-kg/import/bulk-test/nq> .\n"
)
INPUTS = [
    ("blank-nodes.trig", BLANK_NODES.encode(), "trig"),
    ("duplicates.trig", DUPLICATES.encode(), "trig"),
    ("loose.trig", LOOSE.encode(), "trig"),
    ("quads.nq", NQUADS, "nquads"),
    ("small.trig again", (DATA / "small.trig").read_bytes(), "trig"),
    ("duplicates.trig again", DUPLICATES.encode(), "trig"),
]


def _open(tmp_path: Path, name: str) -> Archive:
    settings = Settings.from_env(
        {}, data_dir=str(tmp_path / name), graph_data_dir=str(tmp_path), query_workers=0
    )
    archive = Archive.open(settings, initialise=False)
    ticks = itertools.count()
    archive.clock = lambda: datetime(2024, 5, 1, 12, 0, next(ticks) % 60, tzinfo=UTC)
    return archive


def _deterministic_uuids(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = itertools.count(1)
    monkeypatch.setattr(changeset_module.uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))


Step = Callable[[Archive, bool], object]


def _load(source: Path | bytes, fmt: str | None = None, **kwargs: object) -> Step:
    def step(archive: Archive, bulk: bool) -> object:
        changesets = read_changesets(source, archive.minter, fmt=fmt, bulk=bulk, **kwargs)  # type: ignore[arg-type]
        # Inputs with blank nodes take the statement-by-statement path either way.
        blank = source == BLANK_NODES.encode()
        assert all(isinstance(cs.added, Statements) == (bulk and not blank) for cs in changesets)
        return archive.commit(changesets, agent="tester", validate=False)

    return step


def _initialise(archive: Archive, bulk: bool) -> object:
    """What Archive.initialise does, with the path chosen: ontology and graph_data/ in one batch."""
    changesets = read_changesets(
        ontology_dir() / "dialogue.ttl",
        archive.minter,
        sources=["https://w3id.org/dialogue-kg/ontology"],
        comment="Ontology",
        bulk=bulk,
    )
    for path in graph_data_files(ROOT / "graph_data"):
        changesets.extend(read_changesets(path, archive.minter, bulk=bulk))
    return archive.commit(changesets, agent="dialogue-kg", validate=False)


def _run_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, steps: list[Step]
) -> tuple[Archive, Archive]:
    archives = []
    for bulk in (False, True):
        _deterministic_uuids(monkeypatch)
        archive = _open(tmp_path, f"bulk-{bulk}")
        for step in steps:
            step(archive, bulk)
        archives.append(archive)
    return archives[0], archives[1]


def _assert_same(slow: Archive, fast: Archive) -> None:
    assert fast.journal.path.read_bytes() == slow.journal.path.read_bytes()
    assert fast.store.sorted_nquads() == slow.store.sorted_nquads()
    assert fast.verify().ok and slow.verify().ok
    reopened = Archive.open(fast.settings, initialise=False)
    assert reopened.store.sorted_nquads() == slow.store.sorted_nquads()
    reopened.close()


def test_bulk_and_statement_paths_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[Step] = [_initialise]
    steps += [_load(data, fmt, name=name, sources=[TEST_SOURCE]) for name, data, fmt in INPUTS]
    steps.append(_load(DATA / "small.trig", comment="a file loaded a second time"))
    slow, fast = _run_both(tmp_path, monkeypatch, steps)
    _assert_same(slow, fast)
    # The one-copy rule held: the duplicated triple lives in one graph only.
    rows = list(
        fast.query("SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/dialogue-kg/id/dup> ?p ?o } }")
    )
    assert len(rows) == 1


def test_bulk_path_into_a_fresh_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = [_load(data, fmt, name=name, sources=[TEST_SOURCE]) for name, data, fmt in INPUTS[1:4]]
    slow, fast = _run_both(tmp_path, monkeypatch, steps)
    _assert_same(slow, fast)


def test_mixed_batch_of_listed_and_bulk_change_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    dup = ox.Triple(
        ox.NamedNode("https://w3id.org/dialogue-kg/id/dup"),
        label,
        ox.Literal("twice", language="en"),
    )
    other = ox.Triple(ox.NamedNode("https://w3id.org/dialogue-kg/id/m"), label, ox.Literal("m"))

    def step(archive: Archive, bulk: bool) -> object:
        listed = ChangeSet(added=[dup, other], sources=[TEST_SOURCE])
        loaded = read_changesets(DUPLICATES.encode(), archive.minter, fmt="trig", bulk=bulk)
        return archive.commit([listed, *loaded], agent="tester", validate=False)

    slow, fast = _run_both(tmp_path, monkeypatch, [step])
    _assert_same(slow, fast)


@pytest.mark.slow
def test_bulk_path_on_a_generated_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.generate import generate

    manifest = generate("10k", 10_000, tmp_path / "data")
    source = tmp_path / "data" / manifest["files"]["trig"]
    slow, fast = _run_both(tmp_path, monkeypatch, [_initialise, _load(source), _load(source)])
    _assert_same(slow, fast)
    assert len(fast.store) > manifest["statements"]


def test_statements_behave_as_a_sequence_of_triples() -> None:
    c = read_changesets(DUPLICATES.encode(), Minter(BASE), fmt="trig")[0]
    assert isinstance(c.added, Statements)
    assert len(c.added) == 4  # the duplicated line is kept, as the journal keeps it
    triples = list(c.added)
    assert len(triples) == 4 and all(isinstance(t, ox.Triple) for t in triples)
    assert triples[0] == triples[1]
    assert c.added[2].subject == ox.NamedNode("https://w3id.org/dialogue-kg/id/only-c")
    assert c.subjects() == {
        "https://w3id.org/dialogue-kg/id/dup",
        "https://w3id.org/dialogue-kg/id/only-c",
        "https://w3id.org/dialogue-kg/id/later-c",
    }
