"""Describing one resource: labels with fallback, statements both ways, provenance per change
set; the catalogue and timeline readers on the small dataset."""

from __future__ import annotations

from dialogue_kg.core.history import exists
from dialogue_kg.read.catalogue import catalogue
from dialogue_kg.read.describe import describe
from dialogue_kg.read.timeline import timeline

ID = "https://w3id.org/dialogue-kg/id/"


def test_description_in_albanian_with_english_fallback(small) -> None:
    prov = small.minter.provenance_graph
    alpha = describe(small, ID + "agreement/alpha", "sq", prov)
    assert alpha.label == "Marrëveshja Alfa"
    part = describe(small, ID + "agreement/alpha-part", "sq", prov)
    assert part.label == "Alpha, part one"  # no Albanian label: English
    assert [n.label for n in part.values("https://w3id.org/dialogue-kg/ontology#partOf")] == [
        "Marrëveshja Alfa"
    ]


def test_statements_both_ways_with_their_change_sets(small) -> None:
    alpha = describe(small, ID + "agreement/alpha", "en", small.minter.provenance_graph)
    incoming = {(s.other.value, s.predicate.label) for s in alpha.incoming}
    assert (ID + "meeting/first-round", "agreement reached") in incoming
    assert (ID + "agreement/alpha-part", "part of") in incoming
    graphs = {s.graph for s in alpha.outgoing}
    assert graphs and graphs <= set(alpha.provenance)
    record = next(iter(alpha.provenance.values()))
    assert record.agent.endswith("/agent/tester") and record.time and record.revision
    assert [n.value for n in record.sources] == [ID + "source/test-doc"]
    assert {t.text for t in alpha.types} == {"Agreement"}
    assert len(alpha.triples()) == len(alpha.outgoing) + len(alpha.incoming)


def test_unknown_iri_is_not_described(small) -> None:
    assert describe(small, ID + "agreement/none", "en", small.minter.provenance_graph) is None
    assert not exists(small, ID + "agreement/none")
    assert exists(small, ID + "agreement/alpha")


def test_catalogue_nests_sub_agreements(small) -> None:
    cat = catalogue(small, "en")
    roots = cat.tree(cat.select(year="2011"))
    assert [a.label for a in roots] == ["Alpha agreement"]
    assert [c.label for c in roots[0].children] == ["Alpha, part one"]
    assert cat.select(year="2012") == []


def test_timeline_items_in_date_order(small) -> None:
    items = timeline(small, "en").items
    assert [(i.kind, i.start) for i in items] == [
        ("agreement", "2011-01-01"),
        ("meeting", "2011-03-08"),
        ("agreement", "2011-07-02"),
    ]
    part = next(i for i in items if i.iri.endswith("alpha-part"))
    assert part.precision == "year" and part.start == "2011-01-01"


def test_a_retracted_resource_is_described_as_it_last_stood(small) -> None:
    """Its last state, built from its history, is what a replay of the revision before its
    retraction says about it: the same statements, change sets, labels and provenance."""
    from dialogue_kg.core.history import Retracted, as_of, last_state, retracted_history
    from dialogue_kg.write import editing

    iri, prov = ID + "agreement/alpha", small.minter.provenance_graph
    # A second assertion of a statement (corroboration) and a correction before the retraction.
    old_date = next(t for t in small.store.describe([iri]) if t.predicate.value.endswith("#date"))
    small.load(
        f"<{iri}> <https://w3id.org/dialogue-kg/ontology#year> "
        '"2011"^^<http://www.w3.org/2001/XMLSchema#gYear> .'.encode(),
        agent="ana",
        fmt="nt",
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
    )
    kept = Retracted()
    assert retracted_history(small, iri, kept) is None  # it exists
    (record,) = editing.retract(
        small, iri, agent="ed", sources=["https://w3id.org/dialogue-kg/id/source/test-doc"]
    )
    history = retracted_history(small, iri, kept)
    assert history is not None and history[-1].revision == record.revision
    assert retracted_history(small, ID + "agreement/never-held", kept) is None

    last = describe(last_state(small, history), iri, "sq", prov)
    replayed = describe(as_of(small, record.revision - 1), iri, "sq", prov)
    assert last is not None and replayed is not None
    assert last.label == replayed.label == "Marrëveshja Alfa"

    def facts(d):  # noqa: ANN001, ANN202
        return (
            [(s.predicate.value, s.other.value, s.other.label, s.graph) for s in d.outgoing],
            [(s.predicate.value, s.other.value, s.other.label, s.graph) for s in d.incoming],
            {g: (p.agent, p.time, [n.value for n in p.sources]) for g, p in d.provenance.items()},
        )

    assert facts(last) == facts(replayed)
    assert old_date.object.value in {s.other.value for s in last.outgoing}
