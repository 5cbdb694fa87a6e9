"""A Cyrillic reader never sees Latin-script Serbian: records with Serbian only in Latin script
are shown in Cyrillic (and the reverse), on the resource, agreement, meeting, search and
explorer pages; English is never transliterated and is marked as English."""

from __future__ import annotations

import re

import pytest

from webapp import create_app

ID = "https://w3id.org/dialogue-kg/id/"
LATIN_ONLY = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}agreement/kretanje> a dkg:Agreement ;
    rdfs:label "Sporazum o slobodi kretanja"@sr-Latn , "Freedom of movement"@en ;
    skos:altLabel "Dogovor o kretanju"@sr-Latn ;
    dkg:abstract "Postignut u Briselu uz posredovanje EU, vidi https://example.org/a-b."@sr-Latn ,
        "Reached in Brussels."@en ;
    dkg:date "2011-07-02"^^xsd:date ; dkg:year "2011"^^xsd:gYear ;
    dkg:source <{ID}source/test-doc> .
<{ID}meeting/sastanak> a dkg:Meeting ;
    rdfs:label "Sastanak u Briselu"@sr-Latn , "Meeting in Brussels"@en ;
    dkg:outcome "Dogovorena je sloboda kretanja."@sr-Latn , "Freedom of movement agreed."@en ;
    dkg:date "2011-07-02"^^xsd:date ; dkg:year "2011"^^xsd:gYear ;
    dkg:source <{ID}source/test-doc> .
<{ID}agreement/cirilica> a dkg:Agreement ;
    rdfs:label "Споразум о катастру"@sr-Cyrl , "Cadastre agreement"@en ;
    dkg:abstract "Catalogue of land records."@en ;
    dkg:date "2011-09-02"^^xsd:date ; dkg:year "2011"^^xsd:gYear ;
    dkg:source <{ID}source/test-doc> .
"""


@pytest.fixture
def client(small):
    small.load(LATIN_ONLY.encode(), fmt="turtle", agent="tester", sources=[ID + "source/test-doc"])
    return create_app({"TESTING": True}, archive=small).test_client()


def test_a_cyrillic_reader_sees_latin_only_serbian_in_cyrillic(client) -> None:
    html = client.get("/id/agreement/kretanje?lang=sr-Cyrl").get_data(as_text=True)
    assert "<h1>Споразум о слободи кретања</h1>" in html
    assert "Постигнут у Бриселу уз посредовање ЕУ, види https://example.org/a-b." in html
    assert "Договор о кретању" in html
    # Above the statement table (which shows the data as stored), nothing in Latin Serbian.
    shown = html.split("<main", 1)[1].split('id="h-properties"')[0]
    assert "Sporazum o slobodi" not in shown and "Dogovor" not in shown
    assert 'lang="sr-Latn"' not in shown


def test_a_latin_reader_sees_cyrillic_only_serbian_in_latin(client) -> None:
    html = client.get("/id/agreement/cirilica?lang=sr-Latn").get_data(as_text=True)
    assert "<h1>Sporazum o katastru</h1>" in html
    # English is never transliterated: the English summary stays as written, marked English.
    assert '<p class="description" lang="en">Catalogue of land records.</p>' in html


def test_a_meeting_page_gives_its_outcome_in_cyrillic(client) -> None:
    html = client.get("/id/meeting/sastanak?lang=sr-Cyrl").get_data(as_text=True)
    assert "<h1>Састанак у Бриселу</h1>" in html
    assert "<p>Договорена је слобода кретања.</p>" in html


def test_search_and_the_explorer_panel_in_cyrillic(client) -> None:
    found = client.get(
        "/search", query_string={"q": "kretanja", "lang": "sr-Cyrl", "format": "json"}
    ).get_json()["results"]
    hit = next(h for h in found if h["iri"] == ID + "agreement/kretanje")
    assert (hit["label"], hit["labelLanguage"]) == ("Споразум о слободи кретања", "sr-Cyrl")
    page = client.get("/search", query_string={"q": "alpha", "lang": "sr-Cyrl"})
    assert '<a href="/id/agreement/alpha" lang="en">Alpha agreement</a>' in page.get_data(True)
    about = client.get(
        "/explore/node.json", query_string={"iri": ID + "agreement/kretanje", "lang": "sr-Cyrl"}
    ).get_json()
    assert about["label"] == "Споразум о слободи кретања"
    assert about["summary"].startswith("Постигнут у Бриселу")
    assert about["summaryLanguage"] == "sr-Cyrl"
    english = client.get(
        "/explore/node.json", query_string={"iri": ID + "agreement/cirilica", "lang": "sq"}
    ).get_json()
    assert (english["summary"], english["summaryLanguage"]) == ("Catalogue of land records.", "en")


def test_a_name_standing_in_for_the_readers_language_is_marked(client) -> None:
    """A page's title in another language than the reader's is marked with its own."""
    alpha = client.get("/id/agreement/alpha?lang=sr-Cyrl").get_data(as_text=True)
    assert re.search(r'<h1 lang="en">[^<]+</h1>', alpha)
    assert "<h1>Споразум о слободи кретања</h1>" in client.get(
        "/id/agreement/kretanje?lang=sr-Cyrl"
    ).get_data(as_text=True)
