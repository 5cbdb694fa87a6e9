"""Scholar's questions answered from the curated seed files (KSPAG report, DIALOGUE-INFO factsheet).

The two TriG files are loaded alone into an in-memory store: the shared IRIs they reference
(agreements, topics, Prishtina/Belgrade/Mitrovica, Albin Kurti, Besnik Bislimi, the EU, …) are
described by another file, so the queries below only use them as objects.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from .shared import SHARED_AGREEMENTS

GRAPH_DATA = Path(__file__).resolve().parents[2] / "graph_data"
FILES = ("20-kspag-report.trig", "30-dialogue-info-factsheet.trig")

ID = "https://w3id.org/dialogue-kg/id/"
DKG = "https://w3id.org/dialogue-kg/ontology#"
REPORT = f"{ID}source/kspag-report"
FACTSHEET = f"{ID}source/dialogue-info-factsheet"

PREFIXES = f"""
PREFIX dkg: <{DKG}>
PREFIX agreement: <{ID}agreement/>
PREFIX organisation: <{ID}organisation/>
PREFIX person: <{ID}person/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

SHARED = {
    *(f"{ID}agreement/{slug}" for slug in SHARED_AGREEMENTS),
    *(
        f"{ID}place/{slug}"
        for slug in ("prishtina", "belgrade", "brussels", "north-mitrovica", "south-mitrovica")
    ),
    f"{ID}person/albin-kurti",
    f"{ID}person/besnik-bislimi",
    f"{ID}organisation/european-union",
    f"{ID}organisation/government-of-kosovo",
    f"{ID}organisation/government-of-serbia",
}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    st = ox.Store()
    for name in FILES:
        st.load(path=str(GRAPH_DATA / name), format=ox.RdfFormat.TRIG)
    return st


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of the named graphs, as plain strings."""
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [
        {n: row[n].value for n in names if row[n] is not None}
        for row in solutions  # type: ignore[union-attr]
    ]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


# --- KSPAG report: op-eds -------------------------------------------------------------------


def test_seventeen_op_eds(store: ox.Store) -> None:
    rows = select(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a dkg:OpEd }")
    assert rows == [{"n": "17"}]


def test_every_op_ed_has_author_and_outlet_or_note(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?o WHERE {
          ?o a dkg:OpEd .
          FILTER NOT EXISTS { ?o dkg:author ?a . ?a a dkg:Person ; rdfs:label ?name }
        }""",
    )
    assert rows == [], "op-eds without a named author"
    rows = select(
        store,
        """
        SELECT ?o WHERE {
          ?o a dkg:OpEd .
          FILTER NOT EXISTS { ?o dkg:outlet ?x . ?x a dkg:Organisation }
          FILTER NOT EXISTS { ?o dkg:note ?n }
        }""",
    )
    assert rows == [], "op-eds with neither an outlet nor a note"


def test_every_op_ed_has_a_date_and_an_english_abstract(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?o WHERE {
          ?o a dkg:OpEd .
          FILTER NOT EXISTS { ?o dkg:year ?y }
          FILTER NOT EXISTS { ?o dkg:abstract ?a FILTER(lang(?a) = "en") }
        }""",
    )
    assert rows == []


def test_op_eds_in_koha_ditore_in_august_2019(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?title WHERE {
          ?o a dkg:OpEd ; rdfs:label ?title ; dkg:outlet ?outlet ; dkg:date ?d .
          ?outlet rdfs:label "Koha Ditore"@en .
          FILTER(LANG(?title) = "en")  # titles are also given in Albanian and Serbian
          FILTER(?d >= "2019-08-01"^^xsd:date && ?d <= "2019-08-31"^^xsd:date)
        }""",
    )
    assert {r["title"] for r in rows} == {
        "Dealing with division lines, and the connecting points in them (IBM)",
        "Allo Kosova!",
        "Toxic Load, Safe Transfer - The Effects of Implementing the Agreement on ADR Certificates",
        "Effects of the Technical Agreement: Roma Perspective",
    }


def test_op_eds_discussing_the_justice_agreement(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?title ?author WHERE {
          ?o a dkg:OpEd ; rdfs:label ?title ; dkg:discusses agreement:justice-2015 ;
             dkg:author/rdfs:label ?author .
          FILTER(LANG(?title) = "en" && LANG(?author) = "en")
        }""",
    )
    assert {(r["title"], r["author"]) for r in rows} == {
        ("My impression on the integration of the judiciary in Mitrovica", "Nataša Radovič"),
        ("Personal opinion on the Brussels Justice Agreement", "Jelena Krivokapič"),
    }


def test_suspicious_op_ed_date_is_kept_and_flagged(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?printed ?note WHERE {
          ?o a dkg:OpEd ; rdfs:label "The Dialogue: My View from Mitrovica"@en ;
             dkg:date "2018-03-18"^^xsd:date ; dkg:dateAsPrinted ?printed ; dkg:note ?note .
        }""",
    )
    assert len(rows) == 1
    assert rows[0]["printed"] == "18 March 2018"
    assert "October 2018" in rows[0]["note"]


# --- KSPAG report: other activities and the overview table ----------------------------------


ITEMISED_IN_REPORT = {
    "OpEd": 17,
    "TVDebate": 3,
    "Workshop": 4,
    "Roundtable": 6,
    "Seminar": 1,
    "Conference": 2,
    "BookletPresentation": 2,
    "PeerVisit": 1,
    "ResearchPublication": 1,
}


def test_count_per_activity_type_in_the_report(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?type (COUNT(DISTINCT ?a) AS ?n) WHERE {{
          ?a a ?type ; dkg:source <{REPORT}> .
          FILTER(STRSTARTS(STR(?type), STR(dkg:)))
          FILTER(?type NOT IN (dkg:Claim, dkg:Source, dkg:Person, dkg:Organisation,
                               dkg:Place, dkg:Project, dkg:RoleHolding))
        }} GROUP BY ?type""",
    )
    counts = {r["type"].removeprefix(DKG): int(r["n"]) for r in rows}
    assert counts == ITEMISED_IN_REPORT


def test_tv_debates_have_date_and_broadcaster(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?title ?d ?b WHERE {
          ?t a dkg:TVDebate ; rdfs:label ?title ; dkg:date ?d ; dkg:broadcaster/rdfs:label ?b .
          FILTER(LANG(?b) = "en" && LANG(?title) = "en")  # also named in Albanian and Serbian
        }""",
    )
    assert {(r["title"], r["d"], r["b"]) for r in rows} == {
        (
            "A Perspective on the agreements, exploring the benefits for citizens",
            "2019-12-20",
            "Klan Kosova",
        ),
        (
            "On the Arrangements Regarding Regional Representation and Cooperation",
            "2020-02-14",
            "Klan Kosova",
        ),
        (
            "Knowing, and informing about the Brussels agreements, in Kosovo and Serbia",
            "2019-12-18",
            "Radio Television of Kosovo",
        ),
    }


def test_workshop_places_carry_both_official_names(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?en ?sq ?sr WHERE {
          ?w a dkg:Workshop ; dkg:place ?p .
          ?p rdfs:label ?en . FILTER(lang(?en) = "en")
          OPTIONAL { ?p rdfs:label ?sq FILTER(lang(?sq) = "sq") }
          OPTIONAL { ?p rdfs:label ?sr FILTER(lang(?sr) = "sr-latn") }
        }""",
    )
    found = {(r["en"], r.get("sq"), r.get("sr")) for r in rows}
    assert ("Lipjan/Lipljan", "Lipjan", "Lipljan") in found
    assert ("Vushtrri/Vučitrn", "Vushtrri", "Vučitrn") in found
    assert ("Ferizaj/Uroševac", "Ferizaj", "Uroševac") in found
    assert len(found) == 4


def test_participant_counts_only_where_stated(store: ox.Store) -> None:
    rows = select(
        store,
        "SELECT ?label ?n WHERE { ?a dkg:participantCount ?n ; rdfs:label ?label "
        'FILTER(LANG(?label) = "en") }',
    )
    assert {(r["label"], int(r["n"])) for r in rows} == {
        ("The Benefits of the Technical Dialogue", 22),
        ("Peer-to-Peer exchange of experiences on the technical dialogue", 30),
    }


OVERVIEW = {
    "workshops": 4,
    "seminars": 1,
    "TV debates": 3,
    "conferences": 2,
    "roundtables": 6,
    "focus groups": 36,
    "peer-to-peer visits": 6,
    "op-eds": 17,
    "consortium meetings": 5,
    "booklet presentations": 2,
    "activities": 82,
    "participants": 1146,
}


def test_report_overview_claims(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?category ?n WHERE {{
          ?c a dkg:Claim ; dkg:claimedBy <{REPORT}> ; dkg:category ?category ;
             dkg:claimedCount ?n ; dkg:sourceLocator "Overview (table of activities)" .
        }}""",
    )
    assert {r["category"]: int(r["n"]) for r in rows} == OVERVIEW
    assert len(rows) == len(OVERVIEW)


def test_overview_rows_add_up_to_82_activities() -> None:
    rows = {k: v for k, v in OVERVIEW.items() if k not in ("activities", "participants")}
    assert sum(rows.values()) == OVERVIEW["activities"] == 82


def test_claims_that_differ_from_itemised_records_are_explained(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?c ?cls ?n (COUNT(DISTINCT ?item) AS ?itemised) WHERE {{
          ?c a dkg:Claim ; dkg:claimedBy <{REPORT}> ; dkg:countsClass ?cls ; dkg:claimedCount ?n .
          OPTIONAL {{ ?item a ?cls ; dkg:source <{REPORT}> }}
        }} GROUP BY ?c ?cls ?n""",
    )
    differing = {r["cls"].removeprefix(DKG) for r in rows if int(r["n"]) != int(r["itemised"])}
    assert differing == {"PeerVisit", "FocusGroup", "ConsortiumMeeting", "OutreachActivity"}
    for r in rows:
        if int(r["n"]) != int(r["itemised"]):
            assert ask(store, f"ASK {{ <{r['c']}> dkg:note ?note }}"), r["c"]
    assert ask(
        store, f'ASK {{ <{REPORT}> dkg:note ?n FILTER(CONTAINS(?n, "overview table says 6")) }}'
    )


def test_project_and_consortium(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?ym ?funder WHERE {
          ?p a dkg:Project ; dkg:organiser organisation:kspag ; dkg:yearMonth ?ym ;
             dkg:funder ?funder .
        }""",
    )
    assert rows == [{"ym": "2018-10", "funder": f"{ID}organisation/european-union"}]
    rows = select(
        store,
        "SELECT ?name WHERE { organisation:kspag dkg:member/rdfs:label ?name "
        'FILTER(LANG(?name) = "en") }',
    )
    assert {r["name"] for r in rows} == {
        "Balkans Policy Research Group",
        "Democracy for Development",
        "Kosovar Centre for Security Studies",
        "NGO Aktiv",
        "Belgrade Fund for Political Excellence",
    }


# --- DIALOGUE-INFO factsheet ----------------------------------------------------------------


FACTSHEET_FIGURES = {
    "agreements": 38,
    "agreements (classified by topic)": 15,
    "sub-agreements": 23,
    "political agreements": 10,
    "technical agreements": 28,
    "video animations": 20,
    "op-eds": 23,
    "campaigns": 2,
    "campaign videos": 62,
    "target reach (citizens)": 500_000,
    "social media reach": 2_000_000,
    "online portals reach": 2_000_000,
    "traditional media reach": 2_000_000,
    "website reach": 93_403,
    "platform languages": 3,
    "participants": 50,
    "event components": 2,
}


def test_factsheet_claims(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?category ?n WHERE {{
          ?c a dkg:Claim ; dkg:claimedBy <{FACTSHEET}> ; dkg:category ?category ;
             dkg:claimedCount ?n ; dkg:statement ?s ; dkg:sourceLocator ?loc .
          FILTER(lang(?s) = "en")
        }}""",
    )
    assert {r["category"]: int(r["n"]) for r in rows} == FACTSHEET_FIGURES
    assert len(rows) == len(FACTSHEET_FIGURES)


def test_factsheet_38_agreements_period(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?start ?end WHERE {{
          ?c dkg:claimedBy <{FACTSHEET}> ; dkg:claimedCount 38 ; dkg:countsClass dkg:Agreement ;
             dkg:periodStart ?start ; dkg:periodEnd ?end .
        }}""",
    )
    assert rows == [{"start": "2011", "end": "2016"}]


def test_factsheet_classifications_add_up(store: ox.Store) -> None:
    figures = {
        r["category"]: int(r["n"])
        for r in select(
            store,
            f"""SELECT ?category ?n WHERE {{
                  ?c dkg:claimedBy <{FACTSHEET}> ; dkg:category ?category ; dkg:claimedCount ?n
                }}""",
        )
    }
    assert figures["agreements (classified by topic)"] + figures["sub-agreements"] == 38
    assert figures["political agreements"] + figures["technical agreements"] == 38


def test_june_2022_exchange_event_participants(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?who WHERE {
          ?e a dkg:ExchangeEvent ; dkg:yearMonth "2022-06"^^xsd:gYearMonth ;
             dkg:participant ?who .
        }""",
    )
    assert {r["who"] for r in rows} == {
        f"{ID}person/{slug}"
        for slug in (
            "albin-kurti",
            "glauk-konjufca",
            "memli-krasniqi",
            "lutfi-haziri",
            "shqipe-mjekiqi",
        )
    }


def test_roles_stated_in_the_factsheet(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?holder ?role WHERE {{
          ?r a dkg:RoleHolding ; dkg:source <{FACTSHEET}> ; dkg:holder ?holder ; dkg:role ?role .
        }}""",
    )
    assert {(r["holder"].removeprefix(f"{ID}person/"), r["role"]) for r in rows} == {
        ("albin-kurti", "Prime Minister of Kosovo"),
        ("glauk-konjufca", "Leader of the Assembly"),
        ("memli-krasniqi", "Leader of the Democratic Party of Kosovo"),
        ("lutfi-haziri", "Vice-Chair of the Democratic League of Kosovo"),
        ("shqipe-mjekiqi", "Vice-Chair of the Democratic League of Kosovo"),
        ("besnik-bislimi", "Deputy Prime Minister"),
    }


def test_bislimi_roundtable(store: ox.Store) -> None:
    rows = select(
        store,
        """
        SELECT ?title WHERE {
          ?r a dkg:Roundtable ; rdfs:label ?title ; dkg:participant person:besnik-bislimi ;
             dkg:organiser organisation:balkans-policy-research-group .
          FILTER(LANG(?title) = "en")
        }""",
    )
    assert rows == [{"title": "Kosovo in the Dialogue Process with Serbia"}]


def test_factsheet_source(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT ?title ?ym ?publisher WHERE {{
          <{FACTSHEET}> a dkg:Source ; <http://purl.org/dc/terms/title> ?title ;
             dkg:yearMonth ?ym ; <http://purl.org/dc/terms/publisher> ?publisher .
        }}""",
    )
    assert rows == [
        {
            "title": "DIALOGUE-INFO Factsheet",
            "ym": "2023-12",
            "publisher": f"{ID}organisation/balkans-policy-research-group",
        }
    ]


# --- data contract --------------------------------------------------------------------------


def test_shared_iris_are_only_objects(store: ox.Store) -> None:
    subjects = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    assert not subjects & SHARED
    assert not {s for s in subjects if s.startswith("https://w3id.org/dialogue-kg/topic/")}


def test_every_described_resource_has_label_source_and_locator(store: ox.Store) -> None:
    rows = select(
        store,
        f"""
        SELECT DISTINCT ?s WHERE {{
          ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "{ID}"))
          FILTER NOT EXISTS {{
            ?s rdfs:label ?l ; dkg:source ?src ; dkg:sourceLocator ?loc .
            ?src a dkg:Source .
            FILTER(lang(?l) = "en")
          }}
        }}""",
    )
    assert rows == []


def test_unverified_records_say_what_is_missing(store: ox.Store) -> None:
    rows = select(
        store,
        "SELECT ?s WHERE { ?s dkg:unverified true FILTER NOT EXISTS { ?s dkg:note ?n } }",
    )
    assert rows == []


def test_no_invented_urls(store: ox.Store) -> None:
    rows = select(store, "SELECT ?u WHERE { ?s dkg:url ?u }")
    assert {r["u"] for r in rows} <= {"www.k-s-pag.org", "http://www.k-s-pag.org"}
