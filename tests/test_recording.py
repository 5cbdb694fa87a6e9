"""The recording engine: forms from the shapes, form data to change sets, SHACL results back to
fields, likely duplicates, stale edits."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.history import resource_history
from dialogue_kg.namespaces import DKG, DKGSH
from dialogue_kg.write.recording import build, current_values, form_spec, record, spec_for_key
from dialogue_kg.write.recording import fields as fields_module
from dialogue_kg.write.recording.fields import Ontology, recordable_classes

ID = "https://w3id.org/dialogue-kg/id/"
MEETING = str(DKG.Meeting)
TEST_SOURCE = ID + "source/test-doc"


def iri(path: str) -> ox.NamedNode:
    return ox.NamedNode(ID + path)


def p(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(DKG[name]))


def new_meeting(**extra: list[str]) -> dict[str, list[str]]:
    data = {
        "label@en": ["Fourth round"],
        "label@sq": ["Raundi i katërt"],
        "date": ["2011-05-17"],
        "endDate": ["2011-05-18"],
        "meetingLevel": [str(DKG.TechnicalRound)],
        "participant": ["Ana Example", "Boris Example [id/person/boris]"],
        "new.participant.0.label@en": ["Carla Example"],
        "new.participant.0.type": [str(DKG.Person)],
        "new.participant.1.label@en": ["Dardan Example"],
        "new.participant.1.label@sr-Latn": ["Dardan Primer"],
        "new.participant.1.type": [str(DKG.Person)],
        "new.reached.0.label@en": ["Alpha, annex on customs stamps"],
        "new.reached.0.partOf": ["Alpha agreement [id/agreement/alpha]"],
        "outcome@en": ["Agreed on customs stamps."],
        "_source": ["Test document [id/source/test-doc]"],
        "_comment": ["Statement of 18 May"],
    }
    data.update(extra)
    return data


# -- fields from the shapes -----------------------------------------------------------------------


def test_meeting_form_follows_the_shapes() -> None:
    spec = form_spec(MEETING)
    by_key = {f.key: f for f in spec.fields}
    assert by_key["date"].kind == "date" and by_key["date"].max_count == 1
    assert by_key["label"].kind == "text" and by_key["label"].languages_required == ("en",)
    assert by_key["label"].required
    assert by_key["meetingLevel"].kind == "choice"
    assert set(by_key["meetingLevel"].options) == {
        str(DKG.TechnicalRound),
        str(DKG.HighLevel),
        str(DKG.WorkingGroup),
    }
    assert by_key["participant"].kind == "ref" and by_key["participant"].multiple
    assert by_key["delegation"].classes == (str(DKG.Delegation), str(DKG.Government))
    assert by_key["source"].min_count == 1
    assert by_key["roundNumber"].kind == "integer"
    assert by_key["unverified"].kind == "boolean"
    assert by_key["date"].name("sq") == "Data" and by_key["date"].name("sr-Latn") == "Datum"
    assert by_key["date"].name("sr-Cyrl") == "Датум"  # the Latin, transliterated
    assert "YYYY-MM-DD" in by_key["date"].description("en")
    assert spec.name("sq") == "Takim"
    assert [g.name("en") for g, _ in spec.grouped()][:3] == ["Names", "Time", "Details"]
    assert spec.node_paths[0] == str(DKG.date)
    # Inline records for a participant: the kinds of actor that have shapes, people first.
    assert spec.quick_types["participant"][0] == str(DKG.Person)
    assert str(DKG.Government) in spec.quick_types["participant"]
    assert spec.quick_types["delegation"] == (str(DKG.Delegation), str(DKG.Government))


def test_subclass_forms_inherit_their_superclass_shapes() -> None:
    oped = spec_for_key("op-ed")
    keys = [f.key for f in oped.fields]
    assert "author" in keys and "outlet" in keys  # OpEd's own shape
    assert "participantCount" in keys and "label" in keys  # OutreachActivity's
    keys = {class_key for class_key in map(lambda c: c.rsplit("#", 1)[-1], recordable_classes())}
    assert {"Meeting", "Agreement", "ImplementationEvent", "RoleHolding", "Claim"} <= keys
    assert {"OpEd", "Source", "Person", "Government"} <= keys
    assert "ChangeSet" not in keys and "MeetingLevel" not in keys
    assert spec_for_key("implementation-event").field("assertedBy").kind == "ref"
    assert spec_for_key("nonsense") is None


def test_a_new_property_in_the_shapes_needs_no_new_form_code(monkeypatch) -> None:
    onto = Ontology()
    shape = URIRef(str(DKGSH) + "Meeting-venueNote")
    onto.shapes.add((DKGSH.MeetingShape, SH.property, shape))
    onto.shapes.add((shape, SH.path, DKG.venueNote))
    onto.shapes.add((shape, SH.name, Literal("Venue note", lang="en")))
    onto.shapes.add((shape, SH.datatype, XSD.string))
    onto.shapes.add((shape, SH.group, DKGSH.DetailsGroup))
    onto.shapes.add((shape, SH.order, Literal(30)))
    monkeypatch.setattr(Ontology, "_instance", onto)
    fields_module.form_spec.cache_clear()
    try:
        spec = form_spec(MEETING)
        venue = spec.field("venueNote")
        assert venue is not None and venue.kind == "string" and venue.name("en") == "Venue note"
        details = dict((g.name("en"), fs) for g, fs in spec.grouped())["Details"]
        assert details[-1].key == "venueNote"
    finally:
        monkeypatch.undo()
        fields_module.form_spec.cache_clear()
    assert form_spec(MEETING).field("venueNote") is None


def test_sh_in_gives_a_choice_of_its_values(monkeypatch, small: Archive) -> None:
    from rdflib import BNode
    from rdflib.collection import Collection

    onto = Ontology()
    shape, values = URIRef(str(DKGSH) + "Meeting-format"), BNode()
    Collection(onto.shapes, values, [Literal("in person"), Literal("online")])
    onto.shapes.add((DKGSH.MeetingShape, SH.property, shape))
    onto.shapes.add((shape, SH.path, DKG["format"]))
    onto.shapes.add((shape, SH["in"], values))
    onto.shapes.add((shape, SH.maxCount, Literal(1)))
    monkeypatch.setattr(Ontology, "_instance", onto)
    fields_module.form_spec.cache_clear()
    try:
        fmt = form_spec(MEETING).field("format")
        assert fmt.kind == "choice" and fmt.options == ("in person", "online")
        assert not fmt.multiple
        draft = build(small, form_spec(MEETING), new_meeting(format=["online"]))
        assert not draft.problems
        assert ox.Literal("online") in {t.object for t in draft.changeset.added}
        wrong = build(small, form_spec(MEETING), new_meeting(format=["by carrier pigeon"]))
        assert [pr.code for pr in wrong.problems] == ["not-an-option"]
    finally:
        monkeypatch.undo()
        fields_module.form_spec.cache_clear()


# -- form data to change sets ---------------------------------------------------------------------


def test_a_submitted_meeting_becomes_one_change_set(small: Archive) -> None:
    draft = build(small, form_spec(MEETING), new_meeting())
    assert not draft.problems
    m = ox.NamedNode(draft.iri)
    assert draft.iri == ID + "meeting/fourth-round-2011-05-17"
    carla, dardan = iri("person/carla-example"), iri("person/dardan-example")
    annex = iri("agreement/alpha-annex-on-customs-stamps")
    expected = {
        (m, RDF_TYPE, p("Meeting")),
        (m, LABEL, ox.Literal("Fourth round", language="en")),
        (m, LABEL, ox.Literal("Raundi i katërt", language="sq")),
        (m, p("date"), ox.Literal("2011-05-17", datatype=ox.NamedNode(str(XSD.date)))),
        (m, p("endDate"), ox.Literal("2011-05-18", datatype=ox.NamedNode(str(XSD.date)))),
        (m, p("year"), ox.Literal("2011", datatype=ox.NamedNode(str(XSD.gYear)))),
        (m, p("meetingLevel"), p("TechnicalRound")),
        (m, p("participant"), iri("person/ana")),
        (m, p("participant"), iri("person/boris")),
        (m, p("participant"), carla),
        (m, p("participant"), dardan),
        (m, p("reached"), annex),
        (m, p("outcome"), ox.Literal("Agreed on customs stamps.", language="en")),
        (carla, RDF_TYPE, p("Person")),
        (carla, LABEL, ox.Literal("Carla Example", language="en")),
        (dardan, RDF_TYPE, p("Person")),
        (dardan, LABEL, ox.Literal("Dardan Example", language="en")),
        (dardan, LABEL, ox.Literal("Dardan Primer", language="sr-Latn")),
        (annex, RDF_TYPE, p("Agreement")),
        (annex, LABEL, ox.Literal("Alpha, annex on customs stamps", language="en")),
        (annex, p("partOf"), iri("agreement/alpha")),
    }
    expected |= {(s, p("source"), ox.NamedNode(TEST_SOURCE)) for s in (m, carla, dardan, annex)}
    got = {(t.subject, t.predicate, t.object) for t in draft.changeset.added}
    assert got == expected
    assert draft.changeset.removed == []
    assert draft.changeset.sources == [TEST_SOURCE]
    assert draft.changeset.comment == "Statement of 18 May"
    assert {r.key for r in draft.created} == {"", "new.participant.0", "new.participant.1",
                                               "new.reached.0"}  # fmt: skip


def test_saving_writes_one_change_set_with_the_agent(small: Archive) -> None:
    before = small.revision
    outcome = record(small, form_spec(MEETING), new_meeting(), agent="ana")
    assert outcome.status == "saved", outcome.problems
    assert small.revision == before + 1
    (rec,) = outcome.records
    assert rec.agent.endswith("/agent/ana") and rec.sources == [TEST_SOURCE]
    rows = list(
        small.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?g ?who WHERE { GRAPH ?g { "
            f"<{outcome.iri}> <{DKG.outcome}> ?o }} ?g prov:wasAttributedTo ?who }}"
        )
    )
    assert [(r["g"].value, r["who"].value) for r in rows] == [(rec.changeset, rec.agent)]


def test_a_new_source_document_is_made_from_title_issuer_and_date(small: Archive) -> None:
    data = new_meeting(_source=[])
    data.update(
        _source_title=["Press statement on the fourth meeting"],
        _source_url=["https://example.org/statement"],
        _source_issuer=["Council of the EU"],
        _source_date=["2011-05-18"],
    )
    outcome = record(small, form_spec(MEETING), data, agent="ana")
    assert outcome.status == "saved", outcome.problems
    src = ID + "source/press-statement-on-the-fourth-meeting-2011-05-18"
    assert outcome.records[0].sources == [src]
    assert small.query(
        f"ASK {{ <{src}> a <{DKG.Source}> ; <http://purl.org/dc/terms/publisher> "
        f'"Council of the EU" ; <{DKG.url}> ?u . <{outcome.iri}> <{DKG.source}> <{src}> }}'
    )


def test_unknown_and_ambiguous_references_are_problems_of_their_field(small: Archive) -> None:
    data = new_meeting(participant=["Nobody Known"], place=["https://w3id.org/x"])
    draft = build(small, form_spec(MEETING), data)
    assert [(pr.key, pr.code, pr.value) for pr in draft.problems] == [
        ("participant", "unknown-reference", "Nobody Known")
    ]
    bad_level = build(small, form_spec(MEETING), new_meeting(meetingLevel=["dkg:Nonsense"]))
    assert [(pr.key, pr.code) for pr in bad_level.problems] == [("meetingLevel", "not-an-option")]


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("technical", "TechnicalRound"),
        ("High-level", "HighLevel"),
        ("highlevel", None),
        ("Visoki nivo", "HighLevel"),
        ("working_group", "WorkingGroup"),
        ("round", None),
        ("t", None),
    ],
)
def test_a_choice_is_named_by_its_option_in_any_language(small: Archive, typed, level) -> None:
    draft = build(small, form_spec(MEETING), new_meeting(meetingLevel=[typed]))
    chosen = [t.object.value for t in draft.changeset.added if t.predicate == p("meetingLevel")]
    assert chosen == ([str(DKG[level])] if level else [])
    assert [(pr.key, pr.code) for pr in draft.problems] == (
        [] if level else [("meetingLevel", "not-an-option")]
    )


def test_a_month_gives_the_year_as_a_day_does(small: Archive) -> None:
    data = new_meeting(date=[], yearMonth=["2011-05"])
    added = build(small, form_spec(MEETING), data).changeset.added
    assert [t.object.value for t in added if t.predicate == p("year")] == ["2011"]


# -- SHACL results back to fields -----------------------------------------------------------------


def test_shacl_results_land_on_the_fields_they_concern(small: Archive) -> None:
    before = small.revision
    data = new_meeting(_source=[], date=["2011-02-30"])
    data.pop("label@en")
    outcome = record(small, form_spec(MEETING), data, agent="ana")
    assert outcome.status == "invalid"
    keys = outcome.by_key()
    assert "source" in keys and keys["source"][0].constraint == "MinCount"
    assert "needs at least one source" in keys["source"][0].message
    assert keys["date"][0].constraint == "Datatype"
    assert keys["label@en"][0].code == "missing-language"
    # The inline records lack their source too: shown on their rows.
    assert {"new.participant.0", "new.participant.1", "new.reached.0"} <= set(keys)
    assert small.revision == before  # nothing written


def test_a_meeting_without_any_date_is_told_on_the_date_field(small: Archive) -> None:
    data = new_meeting(date=[], endDate=[])
    outcome = record(small, form_spec(MEETING), data, agent="ana")
    assert outcome.status == "invalid"
    assert [pr.constraint for pr in outcome.by_key()["date"]] == ["Or"]


# -- duplicates -----------------------------------------------------------------------------------


def test_likely_duplicates_are_pointed_out_before_saving(small: Archive) -> None:
    spec = form_spec(MEETING)
    data = {
        "label@en": ["The first round"],
        "date": ["2011-03-08"],
        "_source": [TEST_SOURCE],
        "new.participant.0.label@en": ["Ana Exampel"],
    }
    before = small.revision
    outcome = record(small, spec, data, agent="ana")
    assert outcome.status == "duplicates"
    found = {(d.key, d.iri) for d in outcome.duplicates}
    assert ("", ID + "meeting/first-round") in found
    assert ("new.participant.0", ID + "person/ana") in found
    assert small.revision == before
    saved = record(small, spec, data, agent="ana", confirm_duplicates=True)
    assert saved.status == "saved"
    assert saved.iri == ID + "meeting/the-first-round-2011-03-08"


def test_a_different_meeting_on_the_same_day_is_not_a_duplicate(small: Archive) -> None:
    data = {
        "label@en": ["Working group on energy"],
        "date": ["2011-03-08"],
        "_source": [TEST_SOURCE],
    }
    assert record(small, form_spec(MEETING), data, agent="ana").status == "saved"


# -- correcting a record --------------------------------------------------------------------------


def test_current_values_open_the_correction_form(small: Archive) -> None:
    values = current_values(small, form_spec(MEETING), ID + "meeting/first-round")
    assert values["label@en"] == ["First round"]
    assert values["date"] == ["2011-03-08"]
    assert sorted(values["participant"]) == [
        "Ana Example [id/person/ana]",
        "Boris Example [id/person/boris]",
    ]
    assert values["reached"] == ["Alpha agreement [id/agreement/alpha]"]


def test_a_correction_retracts_and_adds_only_what_changed(small: Archive) -> None:
    first = ID + "meeting/first-round"
    small.commit(
        [
            ChangeSet(
                added=[
                    ox.Triple(
                        ox.NamedNode(first), LABEL, ox.Literal("Прва рунда", language="sr-Cyrl")
                    )
                ],
                sources=[TEST_SOURCE],
            )
        ],
        agent="tester",
    )
    spec = form_spec(MEETING)
    values = current_values(small, spec, first)
    values["participant"] = ["Ana Example [id/person/ana]"]
    values["date"] = ["2011-03-09"]
    values["_source"] = [TEST_SOURCE]
    opened = small.revision
    outcome = record(small, spec, values, agent="bob", iri=first, opened_at=opened)
    assert outcome.status == "saved", outcome.problems
    cs = outcome.draft.changeset
    removed = {(t.predicate.value, t.object.value) for t in cs.removed}
    added = {(t.predicate.value, t.object.value) for t in cs.added}
    assert removed == {(str(DKG.participant), ID + "person/boris"), (str(DKG.date), "2011-03-08")}
    assert added == {(str(DKG.date), "2011-03-09")}
    # The Cyrillic label is not on the form, so the correction leaves it alone.
    assert small.query(f'ASK {{ <{first}> ?p "Прва рунда"@sr-cyrl }}')
    history = resource_history(small, first)
    assert history[-1].revision == small.revision and history[-1].removed


def test_an_unchanged_form_writes_nothing(small: Archive) -> None:
    first = ID + "meeting/first-round"
    values = current_values(small, form_spec(MEETING), first)
    values["_source"] = [TEST_SOURCE]
    before = small.revision
    outcome = record(small, form_spec(MEETING), values, agent="bob", iri=first, opened_at=before)
    assert outcome.status == "unchanged" and small.revision == before


def test_a_stale_correction_is_refused_and_shown_the_difference(small: Archive) -> None:
    first = ID + "meeting/first-round"
    spec = form_spec(MEETING)
    opened = small.revision
    mine = current_values(small, spec, first) | {"_source": [TEST_SOURCE]}
    theirs = dict(mine, **{"outcome@en": ["They agreed."]})
    assert record(small, spec, theirs, agent="ana", iri=first, opened_at=opened).saved
    before = small.revision
    outcome = record(
        small, spec, dict(mine, note=["my note"]), agent="bob", iri=first, opened_at=opened
    )
    assert outcome.status == "conflict"
    (change,) = outcome.conflicts
    assert change.agent.endswith("/agent/ana")
    assert any("They agreed." in line for line in change.added)
    assert small.revision == before  # never overwritten silently


def test_a_write_to_another_record_is_no_conflict(small: Archive) -> None:
    first = ID + "meeting/first-round"
    spec = form_spec(MEETING)
    opened = small.revision
    mine = current_values(small, spec, first) | {"_source": [TEST_SOURCE], "note": ["checked"]}
    record(small, spec, new_meeting(), agent="ana")
    assert record(small, spec, mine, agent="bob", iri=first, opened_at=opened).saved


def test_correcting_a_record_that_does_not_exist_is_refused(small: Archive) -> None:
    with pytest.raises(LookupError):
        build(small, form_spec(MEETING), {"note": ["x"]}, iri=ID + "meeting/nothing")


def test_slugs_are_never_reused(small: Archive) -> None:
    spec = form_spec(MEETING)
    first = record(small, spec, new_meeting(), agent="ana")
    added = first.draft.changeset.added
    small.commit([ChangeSet(removed=added, sources=[TEST_SOURCE])], agent="ana")
    assert not small.query(f"ASK {{ <{first.iri}> ?p ?o }}")
    again = record(small, spec, new_meeting(), agent="ana", confirm_duplicates=True)
    assert again.saved and again.iri == first.iri + "-2"


RDF_TYPE = ox.NamedNode(str(RDF.type))
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def test_statements_are_shown_in_words(small: Archive) -> None:
    from dialogue_kg.write.recording.readable import readable

    lines = [
        f"<{ID}meeting/first-round> <{DKG.participant}> <{ID}person/ana> .",
        f'<{ID}meeting/first-round> <{DKG.outcome}> "Sporazum"@sr-Latn .',
        "not a statement",
    ]
    first, second = readable(small, lines, "sq")
    assert (first.subject, first.value, first.value_iri) == ("First round", "Ana Example",
                                                              ID + "person/ana")  # fmt: skip
    assert first.property == "pjesëmarrës"
    assert (second.value, second.language) == ("Sporazum", "sr-latn")


def test_a_write_landing_between_check_and_save_is_checked_again(
    small: Archive, monkeypatch
) -> None:
    from dialogue_kg.write.recording import service

    spec = form_spec(MEETING)
    real = service.likely_duplicates
    calls: list[int] = []

    def meanwhile(archive, created):  # noqa: ANN001, ANN202 - another archivist saves first
        if not calls:
            other = build(archive, spec, new_meeting())
            archive.commit([other.changeset], agent="boris")
        calls.append(1)
        return real(archive, created)

    monkeypatch.setattr(service, "likely_duplicates", meanwhile)
    before = small.revision
    outcome = record(small, spec, new_meeting(), agent="ana")
    # Checked again against the new state: the other save is now a likely duplicate.
    assert outcome.status == "duplicates" and small.revision == before + 1
    assert any(d.iri == ID + "meeting/fourth-round-2011-05-17" for d in outcome.duplicates)
    saved = record(small, spec, new_meeting(), agent="ana", confirm_duplicates=True)
    assert saved.saved and saved.iri == ID + "meeting/fourth-round-2011-05-17-2"


def test_a_write_landing_between_checks_and_save_makes_it_check_again(
    small: Archive, monkeypatch
) -> None:
    from dialogue_kg.write.recording import service

    calls: list[int] = []

    def meanwhile(archive, created):  # noqa: ANN001, ANN202 - someone writes elsewhere, late
        if not calls:
            note = ox.Triple(iri("person/boris"), p("note"), ox.Literal("checked"))
            archive.commit([ChangeSet(added=[note], sources=[TEST_SOURCE])], agent="boris")
        calls.append(1)
        return []

    monkeypatch.setattr(service, "likely_duplicates", meanwhile)
    before = small.revision
    outcome = record(small, form_spec(MEETING), new_meeting(), agent="ana")
    assert outcome.saved and len(calls) == 2  # the journal head moved: built and checked again
    assert small.revision == before + 2
