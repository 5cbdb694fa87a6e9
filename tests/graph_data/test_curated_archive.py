"""All of graph_data/ loads through the journal, passes SHACL, verifies, and answers the
reconciliation of claims against records."""

from __future__ import annotations

from click.testing import CliRunner

from dialogue_kg.cli import main
from dialogue_kg.core.archive import Archive
from dialogue_kg.protocol.results import rows
from dialogue_kg.read.reconcile import claims_versus_records

ID = "https://w3id.org/dialogue-kg/id/"


def test_everything_loads_as_sourced_change_sets(curated: Archive) -> None:
    assert curated.revision > 30
    assert curated.verify().ok
    records = list(curated.records())
    assert all(r.sources for r in records)
    assert all(r.imported_graph for r in records[1:]), "each curated graph is its own change set"


def test_the_whole_archive_conforms(curated: Archive) -> None:
    from dialogue_kg.core.changeset import ChangeSet

    subjects = [r["s"] for r in rows(curated.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"))]
    current = curated.store.describe(s for s in subjects if s)
    assert curated.validator.validate(curated.store, [ChangeSet(added=current)]) == []


def test_every_described_resource_cites_a_source(curated: Archive) -> None:
    unsourced = rows(
        curated.query(
            """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
            SELECT DISTINCT ?s WHERE {
              ?s a ?c . FILTER(STRSTARTS(STR(?s), "https://w3id.org/dialogue-kg/id/"))
              FILTER NOT EXISTS { ?s dkg:source ?src }
              FILTER NOT EXISTS { ?s a dkg:Source }
              FILTER NOT EXISTS { ?s a dkg:NameUsage }
            }"""
        )
    )
    assert unsourced == []


def test_claims_versus_records(curated: Archive) -> None:
    table = {(r.source.rsplit("/", 1)[1], r.category): r for r in claims_versus_records(curated)}
    opeds = table[("kspag-report", "op-eds")]
    assert (opeds.claimed, opeds.citing) == (17, 17)
    visits = table[("kspag-report", "peer-to-peer visits")]
    assert (visits.claimed, visits.citing, visits.gap) == (6, 1, 5)
    activities = table[("kspag-report", "activities")]
    assert activities.claimed == 82 and activities.citing < 82
    assert table[("kspag-report", "participants")].gap is None
    agreements = table[("dialogue-info-factsheet", "agreements")]
    assert agreements.claimed == 38
    assert 0 < agreements.in_archive < 38, "the catalogue is not padded to the factsheet's 38"
    assert table[("dialogue-info-factsheet", "sub-agreements")].claimed == 23
    assert table[("dialogue-info-factsheet", "political agreements")].claimed == 10
    assert table[("dialogue-info-factsheet", "technical agreements")].claimed == 28


def test_report_claims_cli(curated: Archive) -> None:
    result = CliRunner().invoke(main, ["report", "claims", "--data-dir", curated.settings.data_dir])
    assert result.exit_code == 0, result.output
    assert "DIALOGUE-INFO Factsheet" in result.output and "Criteria:" in result.output
    opeds = [x.split()[-3:] for x in result.output.splitlines() if x.strip().startswith("op-eds")]
    # The factsheet's 23 op-eds (its own project) are not itemised; the KSPAG report's 17 are.
    assert opeds == [["23", "0", "17"], ["17", "17", "17"]]


def test_scholar_questions_through_the_archive(curated: Archive) -> None:
    koha = rows(
        curated.query(
            """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?title WHERE { ?o a dkg:OpEd ; rdfs:label ?title ; dkg:outlet ?out ;
                                    dkg:date ?d .
              ?out rdfs:label "Koha Ditore"@en .
              FILTER(?d >= "2019-08-01"^^<http://www.w3.org/2001/XMLSchema#date>
                     && ?d <= "2019-08-31"^^<http://www.w3.org/2001/XMLSchema#date>) }"""
        )
    )
    assert koha, "the report itemises op-eds published in Koha Ditore in August 2019"
    facilitator = rows(
        curated.query(
            f"""PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
            SELECT ?f WHERE {{ <{ID}process/technical-dialogue-2011-2012> dkg:facilitator ?f }}"""
        )
    )
    assert {r["f"] for r in facilitator} >= {f"{ID}person/robert-cooper"}
