"""The record in the reader's language: every agreement, provision, meeting, topic, place, actor
and outreach record of graph_data/ is labelled, and its abstract given, in English, Albanian,
Serbian Latin and Serbian Cyrillic, the Cyrillic being the transliteration of the Latin."""

from __future__ import annotations

from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows
from dialogue_kg.serbian import to_cyrillic

ID = "https://w3id.org/dialogue-kg/id/"
PREFIXES = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Kinds of record the translation covers: everything a reader browses. Left in English: the
# sources (titles as published), implementation events, claims, role holdings and name usages.
NOT_TRANSLATED = {"Source", "Implementation event", "Claim", "Role holding", "Name usage"}
TRANSLATED_TOPS = (
    "dkg:Agreement dkg:Provision dkg:Meeting dkg:Topic dkg:Place dkg:Actor "
    "dkg:OutreachActivity dkg:Project dkg:Platform dkg:DialogueProcess"
)
# The exceptions to "Cyrillic = to_cyrillic(Latin)": foreign-language names, which Serbian text
# in either script prints as their owners spell them (the transliteration would write "Insight"
# as "Инсигхт"), and an abstract that quotes a stamp's English wording.
KEPT_AS_WRITTEN = {
    ("organisation/balkan-insight", "label"),
    ("organisation/balkans-policy-research-group", "label"),
    ("organisation/eurokomonline", "label"),
    ("organisation/kosovo-online", "label"),
    ("organisation/kspag", "label"),
    ("organisation/notizie-geopolitiche", "label"),
    ("organisation/nrc-handelsblad", "label"),
    ("organisation/politico-europe", "label"),
    ("agreement/customs-stamps-2011", "abstract"),
}


def select(archive: Archive, sparql: str) -> list[dict]:
    return rows(archive.query(PREFIXES + sparql))


def test_translation_coverage_is_complete(curated: Archive) -> None:
    found = rows(curated.query(queries.load("translation-coverage").text))
    kinds = {r["kind"] for r in found}
    assert {"Agreement", "Provision", "Meeting", "Topic", "Place", "Organisation", "Op-ed"} <= kinds
    columns = ("records", "english", "albanian", "serbian_latin", "serbian_cyrillic")
    incomplete = [
        r for r in found if r["kind"] not in NOT_TRANSLATED and len({r[c] for c in columns}) > 1
    ]
    assert not incomplete


def test_every_abstract_in_four_languages(curated: Archive) -> None:
    missing = select(
        curated,
        f"""SELECT DISTINCT ?r ?lang WHERE {{
          VALUES ?top {{ {TRANSLATED_TOPS} }}
          VALUES ?lang {{ "sq" "sr-latn" "sr-cyrl" }}
          ?r a/rdfs:subClassOf* ?top ; dkg:abstract ?en . FILTER(LANG(?en) = "en")
          FILTER NOT EXISTS {{ ?r dkg:abstract ?t . FILTER(LANG(?t) = ?lang) }}
        }}""",
    )
    assert not missing
    outreach = select(
        curated,
        """SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {
          ?r a/rdfs:subClassOf* dkg:OutreachActivity ; dkg:abstract ?a . FILTER(LANG(?a) = "sq")
        }""",
    )
    assert int(outreach[0]["n"]) >= 40


def test_serbian_cyrillic_is_the_transliteration_of_the_latin(curated: Archive) -> None:
    found = select(
        curated,
        f"""SELECT DISTINCT ?r ?p ?latin ?cyrillic WHERE {{
          VALUES ?top {{ {TRANSLATED_TOPS} }}
          VALUES ?p {{ rdfs:label dkg:abstract }}
          ?r a/rdfs:subClassOf* ?top ; ?p ?latin , ?cyrillic .
          FILTER(LANG(?latin) = "sr-latn" && LANG(?cyrillic) = "sr-cyrl")
        }}""",
    )
    assert len(found) > 400
    differing = set()
    for r in found:
        key = (r["r"].removeprefix(ID), r["p"].rsplit("#", 1)[1])
        if key in KEPT_AS_WRITTEN:
            assert r["cyrillic"] != to_cyrillic(r["latin"])
            differing.add(key)
        else:
            assert r["cyrillic"] == to_cyrillic(r["latin"]), key
    # The list of exceptions holds nothing the transliteration already gets right.
    assert differing == KEPT_AS_WRITTEN


def test_names_as_serbian_sources_print_them(curated: Archive) -> None:
    found = {
        r["r"].removeprefix(ID): r["name"]
        for r in select(
            curated,
            """SELECT ?r ?name WHERE {
              ?r a dkg:Person ; rdfs:label ?name . FILTER(LANG(?name) = "sr-cyrl")
            }""",
        )
    }
    # Serbian Wikinews of 5 November 2012 (a cited source) prints Ashton's name so.
    assert found["person/catherine-ashton"] == "Кетрин Ештон"
    assert found["person/hashim-thaci"] == "Хашим Тачи"
