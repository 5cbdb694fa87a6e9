"""The recording engine on the curated archive (read only: drafts are built and checked, never
written): names resolve to the curated records, duplicates of curated meetings are found."""

from __future__ import annotations

from dialogue_kg.namespaces import DKG
from dialogue_kg.write.recording import build, form_spec
from dialogue_kg.write.recording.checks import likely_duplicates
from dialogue_kg.write.recording.lookup import search

ID = "https://w3id.org/dialogue-kg/id/"


def test_the_picker_finds_curated_actors_and_places(curated) -> None:
    found = [r["iri"] for r in search(curated, [str(DKG.Actor)], "tahiri", "en")]
    assert ID + "person/edita-tahiri" in found
    (brussels,) = [r for r in search(curated, [str(DKG.Place)], "bruks", "sq")]
    assert brussels["iri"] == ID + "place/brussels" and brussels["label"] == "Bruksel"


def test_a_meeting_typed_by_name_validates_against_the_curated_record(curated) -> None:
    data = {
        "label@en": ["Meeting of the chief negotiators (test draft)"],
        "date": ["2024-02-21"],
        "place": ["Brussels"],
        "participant": ["Edita Tahiri"],
        "reached": ["[id/agreement/first-agreement-2013]"],
        "_source_title": ["A statement"],
        "_source_date": ["2024-02-21"],
    }
    draft = build(curated, form_spec(str(DKG.Meeting)), data)
    assert draft.problems == []
    objects = {t.object.value for t in draft.changeset.added if t.subject.value == draft.iri}
    assert {ID + "place/brussels", ID + "person/edita-tahiri"} <= objects
    assert curated.validator.validate(curated.store, [draft.changeset]) == []


def test_a_curated_meeting_is_recognised_as_a_likely_duplicate(curated) -> None:
    data = {
        "label@en": ["First meeting of the technical dialogue, Brussels"],
        "date": ["2011-03-08"],
        "place": ["Brussels"],
        "_source": ["[id/source/council-press-statement-2011-04-15]"],
    }
    draft = build(curated, form_spec(str(DKG.Meeting)), data)
    found = likely_duplicates(curated, draft.created)
    best = found[0]
    assert best.iri == ID + "meeting/technical-dialogue-2011-03-08"
    assert best.same_day and best.same_place
