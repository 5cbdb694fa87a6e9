"""Provisions (graph_data/16-provisions.trig) and implementation per provision
(graph_data/17-implementation-per-provision.trig): what the archive answers, exactly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dialogue_kg.cli import main
from dialogue_kg.core.archive import Archive, ValidationError
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.results import rows
from dialogue_kg.read.implementation import BY_PROVISION, SIDES, by_provision
from webapp.translations.transliterate import to_cyrillic

from ..conftest import TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
AGREEMENT = ID + "agreement/"
FIRST = AGREEMENT + "first-agreement-2013"
PRINCIPLES = AGREEMENT + "association-community-serb-municipalities-2015"
PREFIXES = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
LANGS = {"en", "sq", "sr-latn", "sr-cyrl"}  # as the store reports tags: lower case


def select(archive: Archive, sparql: str) -> list[dict]:
    return rows(archive.query(PREFIXES + sparql))


def test_the_fifteen_points_of_the_first_agreement_in_order(curated: Archive) -> None:
    found = select(
        curated,
        f"""SELECT ?p ?number ?order WHERE {{
          ?p a dkg:Provision ; dct:isPartOf <{FIRST}> ; dkg:order ?order ; dkg:number ?number .
          <{FIRST}> dct:hasPart ?p .
        }} ORDER BY ?order""",
    )
    assert [r["number"] for r in found] == [str(n) for n in range(1, 16)]
    assert [r["p"] for r in found] == [f"{FIRST}/point/{n}" for n in range(1, 16)]
    summaries = select(
        curated,
        f"""SELECT ?p (GROUP_CONCAT(LANG(?a); separator=" ") AS ?langs) WHERE {{
          ?p dct:isPartOf <{FIRST}> ; dkg:abstract ?a .
        }} GROUP BY ?p""",
    )
    assert len(summaries) == 15
    assert all(set(r["langs"].split()) == LANGS for r in summaries), summaries


def test_points_one_and_seven_say_what_the_text_says(curated: Archive) -> None:
    point = {
        r["n"]: r
        for r in select(
            curated,
            f"""SELECT ?n ?en ?quote WHERE {{
              ?p dct:isPartOf <{FIRST}> ; dkg:number ?n ; dkg:abstract ?en .
              FILTER(LANG(?en) = "en") OPTIONAL {{ ?p dkg:quotation ?quote }}
            }}""",
        )
    }
    assert "Association/Community of Serb-majority municipalities" in point["1"]["en"]
    police = "There shall be one police force in Kosovo called the Kosovo Police."
    assert point["7"]["quote"] == police
    assert "police regional commander" in point["9"]["en"]
    assert [n for n, r in point.items() if r["quote"]] == ["7"]


def test_provisions_per_agreement(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?a (COUNT(?p) AS ?n) WHERE { ?p a dkg:Provision ; dct:isPartOf ?a }
           GROUP BY ?a""",
    )
    assert {r["a"].removeprefix(AGREEMENT): int(r["n"]) for r in found} == {
        "first-agreement-2013": 15,
        "association-community-serb-municipalities-2015": 4,
        "path-to-normalisation-2023": 8,
        "ohrid-implementation-annex-2023": 8,
        "energy-roadmap-2022": 1,
        "washington-commitments-2020": 3,
    }
    articles = select(
        curated,
        f"""SELECT ?n WHERE {{ ?p dct:isPartOf <{AGREEMENT}path-to-normalisation-2023> ;
          dkg:number ?n ; dkg:order ?o }} ORDER BY ?o""",
    )
    assert [r["n"] for r in articles] == ["1", "2", "3", "4", "5", "6", "7", "9"]


def test_every_provision_has_a_locator_and_sources_with_urls(curated: Archive) -> None:
    unlocated = select(
        curated,
        """SELECT ?p WHERE { ?p a dkg:Provision
           FILTER NOT EXISTS { ?p dkg:sourceLocator ?l } }""",
    )
    assert unlocated == []
    without_url = select(
        curated,
        """SELECT DISTINCT ?s WHERE { ?p a dkg:Provision ; dkg:source ?s
           FILTER NOT EXISTS { ?s dkg:url ?u } }""",
    )
    assert without_url == []
    unnumbered = select(
        curated,
        """SELECT ?p WHERE { ?p a dkg:Provision FILTER NOT EXISTS { ?p dkg:number ?n }
           FILTER NOT EXISTS { ?p dkg:note ?note } }""",
    )
    assert unnumbered == [], "a provision without a printed number says why in a note"


def test_the_cyrillic_is_the_transliteration_of_the_latin(curated: Archive) -> None:
    found = select(
        curated,
        """SELECT ?p ?prop ?latin ?cyrillic WHERE {
          ?p a dkg:Provision .
          VALUES ?prop { rdfs:label dkg:abstract }
          ?p ?prop ?latin , ?cyrillic .
          FILTER(LANG(?latin) = "sr-latn" && LANG(?cyrillic) = "sr-cyrl")
        }""",
    )
    assert len(found) == 2 * 39
    assert all(r["cyrillic"] == to_cyrillic(r["latin"]) for r in found)
    assert not [r for r in found if re.search(r"[A-Za-z]", r["cyrillic"])]


def test_latest_pristina_and_belgrade_assessments_of_the_association_community(
    curated: Archive,
) -> None:
    association = [
        a
        for a in by_provision(curated)
        if (a.agreement == FIRST and a.order <= 6) or a.agreement == PRINCIPLES
    ]
    latest = {
        (a.provision.removeprefix(AGREEMENT), a.side): (a.when, a.status.rsplit("#")[1])
        for a in association
        if a.side in ("pristina", "belgrade")
    }
    belgrade = ("2025-04-19", "NotImplemented")  # Petković, Office for Kosovo and Metohija
    kurti = ("2024-10-29", "Disputed")
    assert latest == {
        ("first-agreement-2013/point/1", "pristina"): kurti,
        ("first-agreement-2013/point/1", "belgrade"): belgrade,
        **{(f"first-agreement-2013/point/{n}", "belgrade"): belgrade for n in range(2, 7)},
        ("association-community-serb-municipalities-2015/point/2", "pristina"): kurti,
    }
    point1 = {a.side: a for a in association if a.provision == f"{FIRST}/point/1"}
    assert set(point1) == {"pristina", "belgrade", "eu", "other"}
    assert point1["pristina"].asserted_by_label == "Albin Kurti"
    assert point1["belgrade"].asserted_by_label == "Petar Petković"
    # The Commission: its Kosovo 2024 Report (30 October) and its spokesperson's reply to Kurti
    # (2024, day unknown, so it sorts before the dated report).
    assert (point1["eu"].when, point1["eu"].asserted_by_label) == (
        "2024-10-30",
        "European Commission",
    )
    assert all(a.disagreement for a in point1.values())
    point2 = [a for a in association if a.provision == f"{FIRST}/point/2"]
    assert [(a.side, a.disagreement) for a in point2] == [("belgrade", False)]


def test_the_saved_query_knows_the_sides_the_library_knows() -> None:
    text = queries.load(BY_PROVISION).text
    pairs = re.findall(r'\(<([^>]+)> "(\w+)"\)', text)
    table: dict[str, set[str]] = {}
    for iri, side in pairs:
        table.setdefault(side, set()).add(iri)
    # Both VALUES blocks (latest per side, and the disagreement flag) hold the same table.
    assert len(pairs) == 2 * sum(len(m) for m in SIDES.values())
    assert table == {side: set(members) for side, members in SIDES.items()}


def test_report_implementation_cli(curated: Archive) -> None:
    result = CliRunner().invoke(
        main, ["report", "implementation", "--data-dir", curated.settings.data_dir]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = lines.index("First Agreement of Principles Governing the Normalization of Relations")
    table = [line.split()[:5] for line in lines[first + 2 : first + 2 + 4]]
    assert table == [
        ["1", "pristina", "Disputed", "2024-10-29", "yes"],
        ["1", "belgrade", "Not", "implemented", "2025-04-19"],
        ["1", "eu", "Not", "implemented", "2024-10-30"],
        ["1", "other", "Not", "implemented", "2024-04-19"],
    ]
    assert any(line.split()[:4] == ["7", "other", "Implemented", "2024-04-19"] for line in lines)
    as_json = CliRunner().invoke(
        main, ["report", "implementation", "--json", "--data-dir", curated.settings.data_dir]
    )
    assert as_json.exit_code == 0
    assert '"side": "belgrade"' in as_json.output


def test_a_provision_without_its_cyrillic_summary_is_refused(
    archive: Archive, tmp_path: Path
) -> None:
    data = tmp_path / "provision.ttl"
    data.write_text(
        """@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/dialogue-kg/id/> .
<https://w3id.org/dialogue-kg/id/source/test-doc> a dkg:Source ;
    rdfs:label "Test document"@en ; dct:title "Test document" .
<https://w3id.org/dialogue-kg/id/agreement/a> a dkg:Agreement ; rdfs:label "A"@en ;
    dkg:source <https://w3id.org/dialogue-kg/id/source/test-doc> .
<https://w3id.org/dialogue-kg/id/agreement/a/point/1> a dkg:Provision ;
    rdfs:label "A, point 1"@en ; dct:isPartOf <https://w3id.org/dialogue-kg/id/agreement/a> ;
    dkg:number "1" ; dkg:order 1 ; dkg:sourceLocator "point 1" ;
    dkg:abstract "One."@en , "Një."@sq , "Jedan."@sr-Latn ;
    dkg:source <https://w3id.org/dialogue-kg/id/source/test-doc> .
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as refused:
        archive.load(data, agent="tester", sources=[TEST_SOURCE])
    assert {(v.focus, v.path) for v in refused.value.violations} == {
        (AGREEMENT + "a/point/1", "https://w3id.org/dialogue-kg/ontology#abstract")
    }
    data.write_text(
        data.read_text("utf-8").replace(
            '"Jedan."@sr-Latn ;', '"Jedan."@sr-Latn , "Један."@sr-Cyrl ;'
        ),
        encoding="utf-8",
    )
    archive.load(data, agent="tester", sources=[TEST_SOURCE])


def test_both_sides_dispute_article_4_of_the_2023_agreement(curated: Archive) -> None:
    article4 = AGREEMENT + "path-to-normalisation-2023/article/4"
    found = {a.side: a for a in by_provision(curated) if a.provision == article4}
    assert {side: (a.when, a.status_label) for side, a in found.items()} == {
        "pristina": ("2023-03-01", "Disputed"),
        "belgrade": ("2023", "Disputed"),
    }
    assert not any(a.disagreement for a in found.values())  # both call it disputed


def test_the_2023_article_numbers_come_from_a_page_that_prints_them(curated: Archive) -> None:
    """Articles 1-3, 5 and 6 cite the reproduction of the EEAS text that numbers them."""
    found = select(
        curated,
        f"""SELECT ?n WHERE {{ ?p dct:isPartOf <{AGREEMENT}path-to-normalisation-2023> ;
          dkg:number ?n ; dkg:source <{ID}source/hrvatskonebo-2023-02-28-agreement-text> }}""",
    )
    assert sorted(r["n"] for r in found) == ["1", "2", "3", "5", "6"]
