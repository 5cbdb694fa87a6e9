"""The search index: folding (scripts, diacritics), ranking, keeping in step with the journal."""

from __future__ import annotations

import sqlite3

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.read.search import FILENAME, SearchIndex, fold, key, terms
from dialogue_kg.serbian import LATIN_DIGRAPHS, LATIN_LETTERS, to_latin

from .conftest import TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
PREFIXES = """
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix place: <https://w3id.org/dialogue-kg/id/place/> .
@prefix person: <https://w3id.org/dialogue-kg/id/person/> .
@prefix name: <https://w3id.org/dialogue-kg/id/name/> .
"""
PLACES = (
    PREFIXES
    + """
place:prishtina a dkg:Place ;
    rdfs:label "Prishtina"@en , "Prishtinë"@sq , "Priština"@sr-Latn , "Приштина"@sr-Cyrl ;
    skos:altLabel "Pristina"@en ;
    rdfs:comment "Capital of Kosovo."@en .
name:pristina-eu a dkg:NameUsage ; rdfs:label "Pristina"@en .
person:hashim-thaci a dkg:Person ;
    rdfs:label "Hashim Thaçi"@en , "Hašim Tači"@sr-Latn , "Хашим Тачи"@sr-Cyrl ;
    rdfs:comment "Prime Minister of Kosovo."@en .
person:marko-djuric a dkg:Person ; rdfs:label "Marko Đurić"@sr-Latn , "Marko Djuric"@en .
"""
)


def _load(archive: Archive, turtle: str) -> None:
    # Not validated: the records are cut down to the names search reads.
    archive.load(
        turtle.encode(), fmt="turtle", agent="tester", sources=[TEST_SOURCE], validate=False
    )


@pytest.fixture
def places(archive: Archive) -> Archive:
    _load(archive, PLACES)
    return archive


def _cyrillic(latin: str) -> str:
    """Serbian Latin to Cyrillic by the shared letter tables (digraphs first)."""
    out, i = [], 0
    while i < len(latin):
        pair = latin[i : i + 2]
        if pair in LATIN_DIGRAPHS:
            out.append(LATIN_DIGRAPHS[pair])
            i += 2
        else:
            out.append(LATIN_LETTERS.get(latin[i], latin[i]))
            i += 1
    return "".join(out)


def test_fold_joins_scripts_and_diacritics() -> None:
    assert to_latin("Приштина") == "Priština"
    assert to_latin("Љубљана Његош Џаја Ђурић") == "Ljubljana Njegoš Džaja Đurić"
    assert fold("Приштина") == fold("Priština") == fold("PRISTINA") == "pristina"
    assert fold("Prishtinë") == "prishtine"
    assert fold("Thaçi") == "thaci"
    assert fold("Đurić") == fold("Djuric") == fold("Ђурић") == "djuric"
    assert terms("Association/Community – Serb") == ["association", "community", "serb"]
    assert key("  Brussels   Agreement! ") == "brussels agreement"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcčćdđefghijklmnoprsštuvzžABCČĆDĐEFGHIJKLMNOPRSŠTUVZŽ ", max_size=30))
def test_cyrillic_spelling_folds_like_latin(latin: str) -> None:
    assert fold(_cyrillic(latin)) == fold(latin)


def test_exact_names_in_any_script_come_first(places: Archive) -> None:
    index = SearchIndex(places)
    for query in ("Приштина", "Pristina", "prishtine", "PRIŠTINA"):
        hits = index.search(query, "en").hits
        assert hits[0].iri == ID + "place/prishtina", query
        assert hits[0].exact
    # The name usage "Pristina" is an exact name too, but a record about another resource.
    assert [h.iri for h in index.search("Pristina", "en").hits[:2]] == [
        ID + "place/prishtina",
        ID + "name/pristina-eu",
    ]
    first = index.search("Pristina", "en").hits[0]
    assert first.label == "Prishtina" and first.matched_name == "Pristina"
    assert index.search("Pristina", "sr-Cyrl").hits[0].label == "Приштина"


def test_without_diacritics_prefixes_and_kinds(places: Archive) -> None:
    index = SearchIndex(places)
    thaci = index.search("Thaci", "en")
    assert thaci.hits[0].iri == ID + "person/hashim-thaci"
    assert thaci.hits[0].kind_label == "Person"
    assert index.search("Хашим", "en").hits[0].iri == ID + "person/hashim-thaci"
    assert index.search("tha", "en").hits[0].iri == ID + "person/hashim-thaci"
    assert index.search("Ђурић", "en").hits[0].iri == ID + "person/marko-djuric"
    assert index.search("capital kosovo", "en").hits[0].iri == ID + "place/prishtina"
    assert [g.label for g in index.search("Pristina", "en").groups()][:1] == ["Place"]
    assert index.search("  ", "en").hits == []
    assert index.search('"*^ OR NEAR(', "en").hits == []  # query syntax is never passed through


def test_follows_the_journal_incrementally(places: Archive) -> None:
    index = SearchIndex(places)
    assert index.search("Mitrovica", "en").hits == []
    _load(places, PREFIXES + 'place:mitrovica a dkg:Place ; rdfs:label "Mitrovica"@en .')
    assert index.catch_up() == 1  # only the resource the change set touched is re-read
    assert [h.iri for h in index.search("Mitrovica", "en").hits] == [ID + "place/mitrovica"]
    assert index.revision == places.revision
    # A retracted label is no longer found; the resource's other names still are.
    label = ox.Triple(
        ox.NamedNode(ID + "person/hashim-thaci"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
        ox.Literal("Hashim Thaçi", language="en"),
    )
    places.commit(
        [ChangeSet(removed=[label], sources=[TEST_SOURCE])], agent="tester", validate=False
    )
    assert index.search("Hashim", "en").hits == []
    assert [h.iri for h in index.search("Hasim", "sr-Latn").hits] == [ID + "person/hashim-thaci"]
    assert index.search("Hasim", "sr-Latn").hits[0].label == "Hašim Tači"
    assert index.search("Thaci", "en").hits == []


def test_index_is_kept_on_disk_with_its_revision(places: Archive) -> None:
    first = SearchIndex(places)
    first.search("Pristina", "en")
    first.close()
    path = places.settings.data_path / FILENAME
    with sqlite3.connect(path) as db:
        stored = dict(db.execute("SELECT key, value FROM meta"))
        assert stored["revision"] == str(places.revision)
        assert stored["head"] == places.head
        # A forged head (another journal) makes the next reader rebuild, not trust the file.
        db.execute("UPDATE meta SET value = 'not-this-journal' WHERE key = 'head'")
        db.execute("DELETE FROM resource")
    second = SearchIndex(places)
    assert second.search("Pristina", "en").hits[0].iri == ID + "place/prishtina"
    path.unlink()
    for suffix in ("-wal", "-shm"):
        path.with_name(FILENAME + suffix).unlink(missing_ok=True)
    second.close()
    third = SearchIndex(places)  # missing: rebuilt
    assert third.search("Thaci", "en").hits[0].iri == ID + "person/hashim-thaci"


def test_very_common_words_rank_a_bounded_share(archive: Archive, monkeypatch) -> None:
    import dialogue_kg.read.search as search

    many = "".join(
        f'place:p{i} a dkg:Place ; rdfs:label "Mitrovica district number {i}"@en .\n'
        for i in range(12)
    )
    _load(archive, PREFIXES + many + 'place:m a dkg:Place ; rdfs:label "Mitrovica"@en .')
    monkeypatch.setattr(search, "RANKED", 4)
    hits = SearchIndex(archive).search("mitrovica", "en").hits
    assert hits[0].iri == ID + "place/m" and hits[0].exact  # an exact name is always found
    assert 1 < len(hits) <= 5  # the exact name plus the first four stored, no more


def test_searches_while_another_thread_writes(archive: Archive) -> None:
    import threading

    index = SearchIndex(archive)
    done = threading.Event()

    def write() -> None:
        for i in range(15):
            _load(
                archive, PREFIXES + f'place:w{i} a dkg:Place ; rdfs:label "Writtenplace {i}"@en .'
            )
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        index.search("writtenplace", "en")
    writer.join()
    hits = index.search("writtenplace", "en", limit=50).hits
    assert sorted(h.iri for h in hits) == sorted(f"{ID}place/w{i}" for i in range(15))
