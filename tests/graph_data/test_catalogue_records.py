"""The agreements catalogue (graph_data/10-15): the answers a scholar would ask of it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from .shared import SHARED_AGREEMENTS

GRAPH_DATA = Path(__file__).resolve().parents[2] / "graph_data"
CATALOGUE = [
    "10-public-sources.trig",
    "11-topics-places.trig",
    "12-actors.trig",
    "13-agreements.trig",
    "14-meetings.trig",
    "15-implementation.trig",
]
ID = "https://w3id.org/dialogue-kg/id/"
PREFIXES = """
PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX id: <https://w3id.org/dialogue-kg/id/>
PREFIX agreement: <https://w3id.org/dialogue-kg/id/agreement/>
PREFIX person: <https://w3id.org/dialogue-kg/id/person/>
PREFIX organisation: <https://w3id.org/dialogue-kg/id/organisation/>
PREFIX process: <https://w3id.org/dialogue-kg/id/process/>
PREFIX place: <https://w3id.org/dialogue-kg/id/place/>
PREFIX topic: <https://w3id.org/dialogue-kg/topic/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """An in-memory store holding the catalogue files only."""
    st = ox.Store()
    for name in CATALOGUE:
        st.load(path=str(GRAPH_DATA / name), format=ox.RdfFormat.TRIG)
    return st


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of the named graphs, as plain strings."""
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def column(store: ox.Store, query: str, var: str = "x") -> set[str]:
    """The set of values of one variable."""
    return {row[var] for row in select(store, query)}


def ask(store: ox.Store, query: str) -> bool:
    """An ASK over the union of the named graphs."""
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


def ids(kind: str, *slugs: str) -> set[str]:
    """Resource IRIs of one kind."""
    return {f"{ID}{kind}/{slug}" for slug in slugs}


@pytest.mark.parametrize("name", CATALOGUE)
def test_file_parses_with_rdflib_and_pyoxigraph(name: str) -> None:
    """Each catalogue file is valid TriG for both toolkits."""
    from rdflib import Dataset

    path = GRAPH_DATA / name
    dataset = Dataset()
    dataset.parse(path, format="trig")
    assert len(dataset) > 0
    st = ox.Store()
    st.load(path=str(path), format=ox.RdfFormat.TRIG)
    assert len(st) > 0


def test_agreements_of_2_july_2011(store: ox.Store) -> None:
    """Exactly three agreements were reached on 2 July 2011."""
    found = column(
        store,
        'SELECT DISTINCT ?x WHERE { ?x a dkg:Agreement ; dkg:date "2011-07-02"^^xsd:date }',
    )
    assert found == ids(
        "agreement", "freedom-of-movement-2011", "civil-registry-2011", "university-diplomas-2011"
    )


def test_agreements_of_2_july_2011_were_reached_at_the_fifth_round(store: ox.Store) -> None:
    """The meeting of 2 July 2011 is round 5 of the technical dialogue and reached them."""
    rows = select(
        store,
        """SELECT DISTINCT ?m ?n WHERE {
            ?m a dkg:Meeting ; dkg:date "2011-07-02"^^xsd:date ; dkg:roundNumber ?n ;
               dkg:process process:technical-dialogue-2011-2012 ;
               dkg:reached agreement:freedom-of-movement-2011 , agreement:civil-registry-2011 ,
                   agreement:university-diplomas-2011 }""",
    )
    assert [row["n"] for row in rows] == ["5"]


def test_sub_agreements_of_the_first_agreement(store: ox.Store) -> None:
    """The recorded sub-agreements of the First Agreement of 19 April 2013."""
    found = column(
        store, "SELECT DISTINCT ?x WHERE { ?x dkg:partOf agreement:first-agreement-2013 }"
    )
    assert found == ids(
        "agreement",
        "first-agreement-implementation-plan-2013",
        "energy-2013",
        "telecommunications-2013",
        "justice-2015",
        "association-community-serb-municipalities-2015",
    )


def test_first_agreement_date_place_and_negotiators(store: ox.Store) -> None:
    """The First Agreement: 19 April 2013, Brussels, Thaçi and Dačić, facilitated by Ashton."""
    assert ask(
        store,
        """ASK { agreement:first-agreement-2013 dkg:date "2013-04-19"^^xsd:date ;
                 dkg:year "2013"^^xsd:gYear ; dkg:place place:brussels ;
                 dkg:negotiator person:hashim-thaci , person:ivica-dacic ;
                 dkg:facilitator person:catherine-ashton ; dkg:nature dkg:Political }""",
    )


def test_technical_dialogue_facilitator_is_robert_cooper(store: ox.Store) -> None:
    """Robert Cooper is the one person who facilitated the technical dialogue."""
    found = column(
        store,
        """SELECT DISTINCT ?x WHERE {
            process:technical-dialogue-2011-2012 dkg:facilitator ?x . ?x a dkg:Person }""",
    )
    assert found == ids("person", "robert-cooper")
    meeting_facilitators = column(
        store,
        """SELECT DISTINCT ?x WHERE {
            ?m dkg:process process:technical-dialogue-2011-2012 ; dkg:facilitator ?x .
            ?x a dkg:Person }""",
    )
    assert meeting_facilitators == ids("person", "robert-cooper")


def test_technical_dialogue_chief_negotiators(store: ox.Store) -> None:
    """Edita Tahiri headed Kosovo's delegation and Borislav Stefanović Serbia's."""
    rows = select(
        store,
        """SELECT DISTINCT ?holder ?delegation WHERE {
            ?r a dkg:RoleHolding ; dkg:holder ?holder ; dkg:organisation ?delegation ;
               dkg:date "2011-03-08"^^xsd:date .
            ?delegation a dkg:Delegation }""",
    )
    found = {(row["holder"], row["delegation"]) for row in rows}
    assert found == {
        (f"{ID}person/edita-tahiri", f"{ID}organisation/kosovo-delegation-technical-dialogue"),
        (
            f"{ID}person/borislav-stefanovic",
            f"{ID}organisation/serbian-delegation-technical-dialogue",
        ),
    }
    negotiators = column(
        store,
        "SELECT DISTINCT ?x WHERE { process:technical-dialogue-2011-2012 dkg:negotiator ?x }",
    )
    assert negotiators == ids("person", "edita-tahiri", "borislav-stefanovic")


def test_technical_dialogue_rounds_are_numbered_in_date_order(store: ox.Store) -> None:
    """Rounds 1-9 of the technical dialogue; the dated ones follow one another."""
    rows = select(
        store,
        """SELECT DISTINCT ?m ?n ?d WHERE {
            ?m dkg:process process:technical-dialogue-2011-2012 ;
               dkg:meetingLevel dkg:TechnicalRound ; dkg:roundNumber ?n .
            OPTIONAL { ?m dkg:date ?d } }""",
    )
    numbers = sorted(int(row["n"]) for row in rows)
    assert numbers == list(range(1, 10))
    dated = sorted((int(row["n"]), row["d"]) for row in rows if "d" in row)
    assert [d for _, d in dated] == sorted(d for _, d in dated)
    assert dated[0] == (1, "2011-03-08")


def test_ohrid_annex_is_part_of_and_implements_the_2023_agreement(store: ox.Store) -> None:
    """The Implementation Annex (Ohrid, 18 March 2023) belongs to the Agreement of 27 February."""
    assert ask(
        store,
        """ASK { agreement:ohrid-implementation-annex-2023
                   dkg:partOf agreement:path-to-normalisation-2023 ;
                   dkg:implements agreement:path-to-normalisation-2023 ;
                   dkg:date "2023-03-18"^^xsd:date ; dkg:place place:ohrid .
                 agreement:path-to-normalisation-2023 dkg:date "2023-02-27"^^xsd:date ;
                   dkg:place place:brussels }""",
    )


def test_washington_commitments_are_not_in_the_eu_facilitated_process(store: ox.Store) -> None:
    """The Washington commitments belong to a separate process without EU facilitation."""
    assert ask(
        store,
        """ASK { agreement:washington-commitments-2020 dkg:process process:washington-2020 ;
                 dkg:date "2020-09-04"^^xsd:date ; dkg:place place:washington }""",
    )
    assert not ask(
        store,
        """ASK { agreement:washington-commitments-2020 dkg:process ?p .
                 ?p dct:isPartOf* process:eu-facilitated-dialogue }""",
    )
    assert not ask(
        store,
        """ASK { { agreement:washington-commitments-2020 dkg:facilitator ?f }
                 UNION { agreement:washington-commitments-2020 dkg:process/dkg:facilitator ?f }
                 FILTER (?f IN (organisation:european-union, organisation:eeas,
                                person:josep-borrell, person:miroslav-lajcak)) }""",
    )
    eu_processes = column(
        store,
        "SELECT DISTINCT ?x WHERE { ?x dct:isPartOf process:eu-facilitated-dialogue }",
    )
    assert eu_processes == ids("process", "technical-dialogue-2011-2012", "high-level-dialogue")
    outside = column(
        store,
        """SELECT DISTINCT ?x WHERE { ?x a dkg:Agreement ; dkg:process ?p .
               FILTER NOT EXISTS { ?p dct:isPartOf process:eu-facilitated-dialogue } }""",
    )
    assert outside == ids("agreement", "washington-commitments-2020")


def test_competing_assessments_of_the_association_community(store: ox.Store) -> None:
    """Pristina and Belgrade each assess the Association/Community, in separate events."""
    rows = select(
        store,
        """SELECT DISTINCT ?e ?by ?status WHERE {
            ?e a dkg:ImplementationEvent ;
               dkg:agreement agreement:association-community-serb-municipalities-2015 ;
               dkg:assertedBy ?by ; dkg:reportedStatus ?status }""",
    )
    by_actor: dict[str, set[str]] = {}
    for row in rows:
        by_actor.setdefault(row["by"], set()).add(row["status"].rsplit("#", 1)[1])
    assert by_actor[f"{ID}organisation/government-of-kosovo"] == {"Stalled"}
    assert by_actor[f"{ID}organisation/government-of-serbia"] == {"NotImplemented"}
    assert by_actor[f"{ID}organisation/european-commission"] == {"NotImplemented"}
    kosovo_events = {
        row["e"] for row in rows if row["by"] == f"{ID}organisation/government-of-kosovo"
    }
    serbia_events = {
        row["e"] for row in rows if row["by"] == f"{ID}organisation/government-of-serbia"
    }
    assert kosovo_events and serbia_events and not kosovo_events & serbia_events


def test_every_implementation_event_says_who_asserts_it(store: ox.Store) -> None:
    """No status without an asserting actor, a dated agreement and a source."""
    assert not ask(
        store,
        """ASK { ?e a dkg:ImplementationEvent .
                 FILTER NOT EXISTS { ?e dkg:assertedBy ?by ; dkg:reportedStatus ?s ;
                                        dkg:agreement ?a ; dkg:year ?y ; dkg:source ?src } }""",
    )


def test_justice_agreement_implemented_per_the_commission(store: ox.Store) -> None:
    """The integration of the judiciary on 24 October 2017 is reported by the Commission."""
    assert ask(
        store,
        """ASK { ?e dkg:agreement agreement:justice-2015 ; dkg:reportedStatus dkg:Implemented ;
                    dkg:assertedBy organisation:european-commission ;
                    dkg:date "2017-10-24"^^xsd:date }""",
    )


def test_required_resources_are_described(store: ox.Store) -> None:
    """Every IRI other records rely on exists with an English label, a source and a year."""
    required = ids("agreement", *SHARED_AGREEMENTS)
    described = column(
        store,
        """SELECT DISTINCT ?x WHERE {
            ?x a dkg:Agreement ; dkg:year ?y ; dkg:source ?s .
            ?s a dkg:Source .
            ?x rdfs:label ?l . FILTER (lang(?l) = "en") }""",
    )
    assert required <= described
    others = (
        ids(
            "place",
            "prishtina",
            "belgrade",
            "brussels",
            "north-mitrovica",
            "south-mitrovica",
            "ohrid",
            "washington",
        )
        | ids(
            "person",
            "albin-kurti",
            "besnik-bislimi",
            "robert-cooper",
            "edita-tahiri",
            "borislav-stefanovic",
            "catherine-ashton",
            "hashim-thaci",
            "ivica-dacic",
            "federica-mogherini",
            "aleksandar-vucic",
            "isa-mustafa",
            "miroslav-lajcak",
            "josep-borrell",
            "petar-petkovic",
        )
        | ids("organisation", "european-union", "government-of-kosovo", "government-of-serbia")
        | ids("process", "technical-dialogue-2011-2012", "high-level-dialogue", "washington-2020")
    )
    sourced = column(
        store,
        """SELECT DISTINCT ?x WHERE { ?x dkg:source ?s ; rdfs:label ?l .
               FILTER (lang(?l) = "en") }""",
    )
    assert others <= sourced
    governments = column(store, "SELECT DISTINCT ?x WHERE { ?x a dkg:Government }")
    assert ids("organisation", "government-of-kosovo", "government-of-serbia") <= governments


def test_every_agreement_has_a_year_and_an_exact_date_only_as_xsd_date(store: ox.Store) -> None:
    """dkg:year on every agreement; dkg:date always typed xsd:date."""
    assert not ask(store, "ASK { ?x a dkg:Agreement . FILTER NOT EXISTS { ?x dkg:year ?y } }")
    assert not ask(
        store,
        "ASK { ?x dkg:date ?d . FILTER (datatype(?d) != xsd:date) }",
    )


def test_unverified_records_explain_themselves(store: ox.Store) -> None:
    """Whatever is marked doubtful carries a note saying what is in doubt; the corrected records
    (now dated from a source) are no longer doubtful, the recalled Commission wording is."""
    unverified = column(store, "SELECT DISTINCT ?x WHERE { ?x dkg:unverified true }")
    assert agreement_iri("civil-protection-2015") in unverified
    assert f"{ID}event/association-ec-kosovo-report-2023" in unverified
    assert (
        not {
            agreement_iri("vehicle-licence-plates-2016"),
            agreement_iri("justice-2015"),
            f"{ID}meeting/technical-dialogue-2011-eighth",
            f"{ID}meeting/high-level-2015-02",
        }
        & unverified
    )
    assert not ask(
        store,
        "ASK { ?x dkg:unverified true . FILTER NOT EXISTS { ?x dkg:note ?n } }",
    )


def test_every_url_is_typed_and_absolute(store: ox.Store) -> None:
    """URLs are given only as read: typed xsd:anyURI, absolute http(s) addresses, on sources."""
    rows = select(store, "SELECT ?s ?u WHERE { ?s dkg:url ?u }")
    assert rows
    assert all(r["u"].startswith(("http://", "https://")) and " " not in r["u"] for r in rows)
    assert not ask(store, "ASK { ?s dkg:url ?u FILTER(datatype(?u) != xsd:anyURI) }")
    assert not ask(store, "ASK { ?s dkg:url ?u FILTER NOT EXISTS { ?s a dkg:Source } }")


def test_topics_are_in_the_scheme_in_three_languages(store: ox.Store) -> None:
    """Each topic has a preferred label in English, Albanian and Serbian (Latin script)."""
    topics = column(store, "SELECT DISTINCT ?x WHERE { ?x a dkg:Topic }")
    assert len(topics) >= 24
    for lang in ("en", "sq", "sr-Latn"):
        missing = column(
            store,
            f"""SELECT DISTINCT ?x WHERE {{ ?x a dkg:Topic .
                FILTER NOT EXISTS {{ ?x skos:prefLabel ?l ; rdfs:label ?m ;
                                       skos:inScheme topic:scheme .
                                   FILTER (langMatches(lang(?l), "{lang}")
                                           && langMatches(lang(?m), "{lang}")) }} }}""",
        )
        assert not missing, (lang, missing)


def test_contested_names_of_kosovo_are_kept_with_their_users(store: ox.Store) -> None:
    """Kosovo*, Republic of Kosova and Kosovo and Metohija stand side by side, by user."""
    rows = select(
        store,
        """SELECT DISTINCT ?label ?by WHERE {
            place:kosovo dkg:name ?n . ?n a dkg:NameUsage ; rdfs:label ?label ;
            dkg:usedBy ?by }""",
    )
    users = {row["label"]: row["by"] for row in rows}
    assert users["Kosovo*"] == f"{ID}organisation/european-union"
    assert users["Republic of Kosova"] == f"{ID}organisation/government-of-kosovo"
    assert users["Kosovo i Metohija"] == f"{ID}organisation/government-of-serbia"
    association = column(
        store,
        """SELECT DISTINCT ?x WHERE {
            ?n a dkg:NameUsage ; dkg:topic topic:association-community-serb-municipalities ;
               dkg:usedBy ?x }""",
    )
    assert ids("organisation", "government-of-kosovo", "government-of-serbia", "eeas") == (
        association
    )


def test_every_named_graph_is_described(store: ox.Store) -> None:
    """Each named graph has its sources and a comment in the default graph."""
    graphs = {g.value for g in store.named_graphs()}
    described = column(
        store,
        """SELECT DISTINCT ?x WHERE { GRAPH ?x { ?s ?p ?o } }""",
    )
    assert graphs == described
    for graph in graphs:
        assert store.query(PREFIXES + f"ASK {{ <{graph}> dct:source ?s ; rdfs:comment ?c }}"), graph


def agreement_iri(slug: str) -> str:
    """The IRI of an agreement."""
    return f"{ID}agreement/{slug}"
