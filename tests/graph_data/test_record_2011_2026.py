"""The record carried from 2011 to 2026: the corrections, the links out (URLs, PA-X, coordinates),
the split of "undated" from "doubtful", and exact answers a scholar would ask of it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows

ID = "https://w3id.org/dialogue-kg/id/"
GRAPH_DATA = Path(__file__).resolve().parents[2] / "graph_data"
PREFIXES = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX id: <https://w3id.org/dialogue-kg/id/>
"""


def select(archive: Archive, query: str) -> list[dict]:
    """Rows of a SELECT over the curated archive, as plain strings."""
    return rows(archive.query(PREFIXES + query))


def value(archive: Archive, subject: str, prop: str) -> set[str]:
    """The values of one property of one resource."""
    return {r["v"] for r in select(archive, f"SELECT ?v WHERE {{ <{ID}{subject}> {prop} ?v }}")}


def test_every_source_has_a_url_or_a_note_saying_why_not(curated: Archive) -> None:
    missing = select(
        curated,
        """SELECT ?s WHERE { ?s a dkg:Source .
             FILTER NOT EXISTS { ?s dkg:url ?u }
             FILTER NOT EXISTS { ?s dkg:note ?n FILTER(CONTAINS(LCASE(STR(?n)), "url")) } }""",
    )
    assert missing == []
    (counts,) = select(
        curated,
        """SELECT (COUNT(DISTINCT ?s) AS ?sources) (COUNT(DISTINCT ?w) AS ?with_url) WHERE {
             ?s a dkg:Source . OPTIONAL { ?s dkg:url ?u BIND(?s AS ?w) } }""",
    )
    assert int(counts["with_url"]) >= 140
    assert int(counts["with_url"]) * 4 > int(counts["sources"]) * 3  # more than three in four


def test_every_record_of_2013_to_2026_cites_a_page_with_its_address() -> None:
    """The files that carry the dialogue on from 2013 cite only pages that were read, by URL."""
    store = ox.Store()
    for name in ("18-dialogue-2013-2019.trig", "19-dialogue-2020-2026.trig"):
        store.load(path=str(GRAPH_DATA / name), format=ox.RdfFormat.TRIG)
    for name in ("10-public-sources.trig",):
        store.load(path=str(GRAPH_DATA / name), format=ox.RdfFormat.TRIG)
    query = (
        PREFIXES
        + """SELECT DISTINCT ?r WHERE { GRAPH ?g { ?r a ?c ; dkg:source ?s }
               FILTER(STRSTARTS(STR(?g), "https://w3id.org/dialogue-kg/import/agreements/")
                      && !CONTAINS(STR(?g), "sources-"))
               FILTER NOT EXISTS { ?r dkg:source ?t . ?t dkg:url ?u } }"""
    )
    unsourced = [row["r"].value for row in store.query(query, use_default_graph_as_union=True)]
    assert unsourced == []


def test_the_agreements_of_2016_with_their_days(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?a ?d WHERE { ?a a dkg:Agreement ; dkg:year "2016"^^xsd:gYear .
             OPTIONAL { ?a dkg:date ?d } } ORDER BY ?d""",
    )
    assert [(r["a"].removeprefix(ID + "agreement/"), r.get("d")) for r in found] == [
        ("adr-certificates-2016", "2016-04-19"),
        ("vehicle-licence-plates-2016", "2016-09-14"),
        ("telecommunications-arrangement-2016", "2016-11-13"),
    ]


def test_what_the_archive_records_for_2024(curated: Archive) -> None:
    found = rows(curated.query(queries.load("the-dialogue-in-a-year").bind({"year": "2024"})))
    dated = [r["when"] for r in found if "not recorded" not in r["when"]]
    assert dated == sorted(dated)
    assert all("not recorded" in r["when"] for r in found[len(dated) :])  # undated last
    by_kind: dict[str, set[str]] = {}
    for r in found:
        by_kind.setdefault(r["kind"], set()).add(r["item"].removeprefix(ID))
        assert r["sources"], r["item"]
    assert by_kind["meeting"] == {
        "meeting/chief-negotiators-2024-03-25",
        "meeting/high-level-2024-06-26",
        "meeting/chief-negotiators-2024-09-17",
        "meeting/chief-negotiators-2024-10-24",
        "meeting/chief-negotiators-2024-12-17",
    }
    assert by_kind["development"] == {
        "event/rks-plates-accepted-in-serbia-2024-01-01",
        "event/euro-only-rule-2024-02-01",
    }
    assert "agreement" not in by_kind  # no agreement was reached in 2024
    assert {
        "event/path-to-normalisation-ec-report-2024",
        "event/association-ec-report-2024",
    } <= by_kind["implementation event"]
    plates = next(
        r for r in found if r["item"].endswith("rks-plates-accepted-in-serbia-2024-01-01")
    )
    assert plates["when"] == "2024-01-01"


def test_the_dialogue_goes_on_to_2026(curated: Archive) -> None:
    years = {
        r["y"]
        for r in select(curated, "SELECT DISTINCT ?y WHERE { ?m a dkg:Meeting ; dkg:year ?y }")
    }
    assert {str(y) for y in range(2011, 2027)} - years == {"2014", "2019"}
    sorensen = value(curated, "role/peter-sorensen-eusr-2025", "dkg:date")
    assert sorensen == {"2025-02-01"}


def test_the_first_agreements_links_to_pa_x_and_wikidata(curated: Archive) -> None:
    links = value(curated, "agreement/first-agreement-2013", "skos:exactMatch")
    assert links == {"https://pax.peaceagreements.org/agreements/2022"}
    # No Wikidata item of it was seen in a stored page, so none is linked.
    assert not any("wikidata.org" in link for link in links)


def test_no_link_out_without_a_source_that_shows_it(curated: Archive) -> None:
    """Every skos:exactMatch target is the address of a source the same resource cites."""
    unsourced = select(
        curated,
        """SELECT ?r ?link WHERE { ?r skos:exactMatch ?link .
             FILTER(STRSTARTS(STR(?r), "https://w3id.org/dialogue-kg/id/"))
             FILTER NOT EXISTS { ?r dkg:source ?s . ?s dkg:url ?u
                                 FILTER(STR(?u) = STR(?link)) } }""",
    )
    assert unsourced == []


def test_coordinates_are_wgs84_decimals_from_a_cited_page(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?p ?lat ?long WHERE { ?p a dkg:Place ; geo:lat ?lat ; geo:long ?long .
             FILTER(datatype(?lat) = xsd:decimal && datatype(?long) = xsd:decimal)
             FILTER EXISTS { ?p dkg:source ?s . ?s dkg:url ?u } }""",
    )
    places = {r["p"].removeprefix(ID + "place/"): (r["lat"], r["long"]) for r in found}
    assert tuple(map(float, places["lipjan"])) == (42.533, 21.1)
    assert tuple(map(float, places["banjska"])) == (42.97333, 20.78083)
    assert set(places) >= {"lipjan", "obiliq", "peja", "vushtrri", "banjska", "prishtina", "ohrid"}
    assert all(40 < float(lat) < 44 and 19 < float(long) < 23 for lat, long in places.values())
    (total,) = select(curated, "SELECT (COUNT(?p) AS ?n) WHERE { ?p geo:lat ?l }")
    assert int(total["n"]) == len(places)  # no coordinates without a sourced, typed pair


@pytest.mark.parametrize(
    ("subject", "prop", "expected"),
    [
        ("agreement/ibm-technical-protocol-2012", "dkg:date", {"2012-02-23"}),
        ("agreement/justice-2015", "dkg:date", {"2015-02-09"}),
        ("meeting/high-level-2015-02", "dkg:date", {"2015-02-09"}),
        ("agreement/vehicle-licence-plates-2016", "dkg:date", {"2016-09-14"}),
        ("meeting/technical-2016-09-08", "dkg:date", {"2016-09-08"}),
        ("meeting/technical-dialogue-2011-eighth", "dkg:date", {"2011-11-30"}),
        ("meeting/technical-dialogue-2011-eighth", "dkg:endDate", {"2011-12-02"}),
        ("meeting/technical-dialogue-2011-eighth", "dkg:place", {ID + "place/brussels"}),
        ("meeting/high-level-2022-08", "dkg:date", {"2022-08-18"}),
    ],
)
def test_corrected_dates_and_places(curated: Archive, subject: str, prop: str, expected) -> None:
    assert value(curated, subject, prop) == expected


def test_corrected_participants(curated: Archive) -> None:
    assert {ID + "person/hashim-thaci", ID + "person/aleksandar-vucic"} <= value(
        curated, "meeting/high-level-2017-08-31", "dkg:participant"
    )
    assert ID + "person/petar-petkovic" in value(
        curated, "meeting/chief-negotiators-2022-11-23", "dkg:participant"
    )


def test_place_labels_are_the_municipalities_names_and_the_printed_forms_notes(
    curated: Archive,
) -> None:
    def labels(place: str) -> dict[str, str]:
        found = select(curated, f"SELECT ?l WHERE {{ <{ID}place/{place}> rdfs:label ?l }}")
        return {r["l"]: r["l"] for r in found}

    assert {"Lipjan/Lipljan", "Lipjan", "Lipljan", "Липљан"} <= set(labels("lipjan"))
    assert {"Peja/Peć", "Peć", "Пећ"} <= set(labels("peja"))
    assert {"Obiliq/Obilić", "Obiliq", "Obilić"} <= set(labels("obiliq"))
    printed = " ".join(
        value(curated, "place/lipjan", "dkg:note") | value(curated, "place/peja", "dkg:note")
    )
    assert "Lipljane" in printed and "Peč" in printed
    assert not {"Lipljane", "Peč", "Obilič"} & set(
        labels("lipjan") | labels("peja") | labels("obiliq")
    )


def test_an_op_ed_on_an_undated_plates_agreement_is_not_pinned_to_2016(curated: Archive) -> None:
    assert value(curated, "outreach/oped-this-constant-move", "dkg:discusses") == set()


def test_undated_is_not_doubtful(curated: Archive) -> None:
    undated = {r["r"] for r in select(curated, "SELECT ?r WHERE { ?r dkg:undated true }")}
    assert ID + "outreach/campaign-friends-of-the-dialogue" in undated
    outreach = {r for r in undated if r.startswith(ID + "outreach/")}
    assert len(outreach) == 20  # 17 in the KSPAG report, 3 in the factsheet
    both = select(
        curated,
        """SELECT ?r WHERE { ?r dkg:undated true .
             { ?r dkg:unverified true } UNION { ?r dkg:date ?d } UNION { ?r dkg:year ?y } }""",
    )
    assert both == []
    doubtful = value(curated, "outreach/oped-dialogue-my-view-from-mitrovica", "dkg:unverified")
    assert doubtful == {"true"}


def test_the_agreements_of_2011_to_2016_itemised_against_the_factsheets_38(
    curated: Archive,
) -> None:
    found = rows(curated.query(queries.load("records-counted-by-a-claim").text))
    assert {r["claimed"] for r in found} == {"38"}
    whens = [r["when"] for r in found]
    assert whens == sorted(whens) and whens[0] == "2011-07-02" and whens[-1] == "2016-11-13"
    slugs = {r["record"].removeprefix(ID + "agreement/") for r in found}
    assert len(slugs) == 26  # of the 38 the factsheet counts; the claims report shows the gap
    assert {
        "freedom-of-movement-2011",
        "first-agreement-2013",
        "medicinal-products-certificates-2015",
        "vehicle-insurance-2015",
        "adr-certificates-2016",
        "vehicle-licence-plates-2016",
    } <= slugs
    assert "washington-commitments-2020" not in slugs
    (agreements,) = [
        r
        for r in rows(curated.query(queries.load("claims-versus-records").text))
        if r["claim"].endswith("factsheet-agreements-2011-2016")
    ]
    assert int(agreements["in_archive"]) == len(slugs)


def test_agreements_known_only_from_a_list_are_undated_not_guessed(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?a WHERE { ?a a dkg:Agreement ; dkg:undated true .
             FILTER NOT EXISTS { ?a dkg:date ?d } FILTER NOT EXISTS { ?a dkg:year ?y } }""",
    )
    assert {r["a"].removeprefix(ID + "agreement/") for r in found} == {
        "customs-data-exchange-seed",
        "mutual-legal-assistance",
        "official-visits-arrangement",
    }
    for slug in ("customs-data-exchange-seed", "mutual-legal-assistance"):
        assert value(curated, f"agreement/{slug}", "dkg:source") == {
            ID + "source/kosovo-state-of-play-2015-11"
        }


def test_every_agreement_abstract_is_given_in_the_four_languages(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?a (GROUP_CONCAT(DISTINCT LCASE(LANG(?ab)); separator=" ") AS ?langs)
           WHERE { ?a a dkg:Agreement ; dkg:abstract ?ab } GROUP BY ?a""",
    )
    assert len(found) == 30  # of the 37 agreements; the other seven have no abstract yet
    assert all(set(r["langs"].split()) == {"en", "sq", "sr-latn", "sr-cyrl"} for r in found)
    stamp = value(curated, "agreement/customs-stamps-2011", "dkg:abstract")
    assert "На царинском печату пише 'Kosovo Customs', без других обележја." in stamp
