"""Every saved query parses, runs on the curated archive, and answers what its title promises."""

from __future__ import annotations

import pytest

from dialogue_kg import queries
from dialogue_kg.archive import Archive
from dialogue_kg.results import rows

ID = "https://w3id.org/dialogue-kg/id/"
SAVED = queries.catalogue()


@pytest.mark.parametrize("saved", SAVED, ids=[q.name for q in SAVED])
def test_every_saved_query_has_a_header_and_answers(curated: Archive, saved) -> None:
    assert saved.title and saved.title != saved.name
    assert saved.description
    assert rows(curated.query(saved.text)), f"{saved.name} returned nothing"


def answer(curated: Archive, name: str) -> list[dict]:
    return rows(curated.query(queries.load(name).text))


def test_agreements_of_2_july_2011(curated: Archive) -> None:
    found = {r["agreement"].rsplit("/", 1)[1] for r in answer(curated, "agreements-of-2-july-2011")}
    assert found == {"freedom-of-movement-2011", "civil-registry-2011", "university-diplomas-2011"}


def test_sub_agreements_of_the_first_agreement(curated: Archive) -> None:
    found = {
        r["part"].rsplit("/", 1)[1]
        for r in answer(curated, "sub-agreements-of-the-first-agreement")
    }
    assert {
        "first-agreement-implementation-plan-2013",
        "energy-2013",
        "telecommunications-2013",
        "justice-2015",
        "association-community-serb-municipalities-2015",
    } <= found


def test_opeds_discussing_the_justice_agreement(curated: Archive) -> None:
    titles = {r["title"] for r in answer(curated, "opeds-discussing-an-agreement")}
    assert titles == {
        "My impression on the integration of the judiciary in Mitrovica",
        "Personal opinion on the Brussels Justice Agreement",
    }


def test_competing_assessments_stand_side_by_side(curated: Archive) -> None:
    who = {r["assertedBy"] for r in answer(curated, "implementation-assessments")}
    assert {"Government of Kosovo", "Government of Serbia"} <= who


def test_who_recorded_what_covers_every_change_set(curated: Archive) -> None:
    found = answer(curated, "who-recorded-what")
    assert [int(r["revision"]) for r in found] == list(range(1, curated.revision + 1))


def test_provenance_names_the_change_set_and_sources(curated: Archive) -> None:
    found = answer(curated, "provenance-of-a-resource")
    assert all(r["changeset"].startswith("https://w3id.org/dialogue-kg/changeset/") for r in found)
    assert all(r["sources"] for r in found)


def test_the_technical_dialogue_was_facilitated_by_robert_cooper(curated: Archive) -> None:
    found = answer(curated, "facilitators-and-negotiators")
    assert any(r["role"] == "facilitator" and r["person"] == "Robert Cooper" for r in found)
