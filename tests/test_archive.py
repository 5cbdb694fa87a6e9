"""The archive: validate → journal → store, provenance in the graph, integrity and rebuild."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive, ConflictError, InputError, ValidationError
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.protocol.results import rows

from .conftest import DATA, TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
DKG = "https://w3id.org/dialogue-kg/ontology#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def label(iri: str, text: str, lang: str = "en") -> ox.Triple:
    return ox.Triple(ox.NamedNode(iri), RDFS_LABEL, ox.Literal(text, language=lang))


def snapshot(archive: Archive) -> tuple[bytes, list[str]]:
    """The journal's bytes and the store's quads: what a rejected write must leave alone."""
    return archive.journal.path.read_bytes(), archive.store.sorted_nquads()


def select(archive: Archive, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT as {variable: value}, unbound variables left out."""
    return [{k: v for k, v in row.items() if v is not None} for row in rows(archive.query(sparql))]


def test_first_start_loads_the_ontology(archive: Archive) -> None:
    assert archive.revision == 1
    assert archive.query(f"ASK {{ <{DKG}Agreement> a <http://www.w3.org/2002/07/owl#Class> }}")


def test_load_gives_one_change_set_per_graph_with_provenance(small: Archive) -> None:
    assert small.revision == 3
    rows = select(
        small,
        f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?g ?who ?src WHERE {{
          GRAPH ?g {{ <{ID}agreement/alpha> a ?type }}
          ?g prov:wasAttributedTo ?who ; dct:source ?src . }}""",
    )
    assert rows == [
        {
            "g": "https://w3id.org/dialogue-kg/changeset/3",
            "who": "https://w3id.org/dialogue-kg/agent/tester",
            "src": TEST_SOURCE,
        }
    ]


def test_plain_query_sees_the_union(small: Archive) -> None:
    rows = select(
        small,
        f"SELECT ?p WHERE {{ <{ID}meeting/first-round> <{DKG}participant> ?p }} ORDER BY ?p",
    )
    assert [r["p"] for r in rows] == [f"{ID}person/ana", f"{ID}person/boris"]


def test_corroboration_keeps_one_copy(small: Archive) -> None:
    data = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(?g != <https://w3id.org/dialogue-kg/graph/changesets>) }"
    )
    before = select(small, data)
    records = small.commit(
        [ChangeSet(added=[label(f"{ID}person/ana", "Ana Example")], sources=[TEST_SOURCE])],
        agent="second-archivist",
    )
    assert records[0].counts() == (1, 0), "the journal keeps the second assertion"
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}person/ana> <{RDFS_LABEL.value}> ?l }}"
    assert select(small, count) == [{"n": "1"}]
    assert select(small, data) == before
    assert small.verify().ok


def test_retraction_removes_from_current_state_but_not_history(small: Archive) -> None:
    from dialogue_kg.core.history import as_of, resource_history

    old = label(f"{ID}person/ana", "Ana Example")
    small.commit(
        [
            ChangeSet(
                added=[label(f"{ID}person/ana", "Ana B. Example")],
                removed=[old],
                sources=[TEST_SOURCE],
                comment="fuller name",
            )
        ],
        agent="tester",
    )
    names = select(small, f"SELECT ?l WHERE {{ <{ID}person/ana> <{RDFS_LABEL.value}> ?l }}")
    assert names == [{"l": "Ana B. Example"}]
    then = as_of(small, 3)
    assert {
        r["l"].value
        for r in then.query(f"SELECT ?l WHERE {{ <{ID}person/ana> <{RDFS_LABEL.value}> ?l }}")
    } == {"Ana Example"}
    history = resource_history(small, f"{ID}person/ana")
    assert [c.revision for c in history] == [3, 4]
    assert history[1].comment == "fuller name"
    assert history[1].removed == [f'<{ID}person/ana> <{RDFS_LABEL.value}> "Ana Example"@en .']


def test_shape_violation_writes_nothing_and_names_the_problem(small: Archive) -> None:
    before = snapshot(small)
    with pytest.raises(ValidationError) as info:
        small.load(DATA / "invalid-shape.ttl", agent="tester", sources=[TEST_SOURCE])
    violation = info.value.violations[0]
    assert violation.focus == f"{ID}agreement/unsourced"
    assert violation.path == f"{DKG}source"
    assert violation.constraint == "MinCount"
    assert "agreement/unsourced" in str(info.value) and "dkg:source" in str(info.value)
    assert snapshot(small) == before


def test_malformed_rdf_writes_nothing_and_names_the_line(small: Archive) -> None:
    before = snapshot(small)
    with pytest.raises(InputError, match="line 3"):
        small.load(DATA / "malformed.ttl", agent="tester", sources=[TEST_SOURCE])
    assert snapshot(small) == before


def test_bad_date_is_rejected(small: Archive) -> None:
    bad = ox.Triple(
        ox.NamedNode(f"{ID}meeting/first-round"),
        ox.NamedNode(f"{DKG}endDate"),
        ox.Literal("2011-02-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    )
    before = snapshot(small)
    with pytest.raises(ValidationError, match="endDate"):
        small.commit([ChangeSet(added=[bad], sources=[TEST_SOURCE])], agent="tester")
    assert snapshot(small) == before


def test_a_change_needs_a_source(small: Archive) -> None:
    with pytest.raises(InputError, match="no source"):
        small.commit([ChangeSet(added=[label(f"{ID}person/ana", "A")])], agent="tester")


def test_stale_writer_is_told_of_the_conflict(small: Archive) -> None:
    seen = small.head
    small.commit(
        [ChangeSet(added=[label(f"{ID}person/ana", "Ana", "sq")], sources=[TEST_SOURCE])],
        agent="first",
    )
    with pytest.raises(ConflictError):
        small.commit(
            [ChangeSet(added=[label(f"{ID}person/ana", "Ana", "sr-Latn")], sources=[TEST_SOURCE])],
            agent="second",
            expected_head=seen,
        )


def test_verify_and_rebuild_give_the_same_quads(small: Archive) -> None:
    report = small.verify()
    assert report.ok, report
    before = small.store.sorted_nquads()
    small.rebuild()
    assert small.store.sorted_nquads() == before


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_reopen_after_deleting_the_store_gives_the_same_quads(
    settings: Settings, store: str
) -> None:
    import shutil
    from dataclasses import replace

    settings = replace(settings, store=store)
    with Archive.open(settings) as first:
        first.load(DATA / "small.trig", agent="tester")
        before = first.store.sorted_nquads()
    shutil.rmtree(settings.data_path / "store", ignore_errors=True)
    with Archive.open(settings) as second:
        assert second.store.sorted_nquads() == before
        assert second.verify().ok


def test_disk_store_catches_up_with_the_journal(settings: Settings) -> None:
    from dataclasses import replace

    settings = replace(settings, store="disk")
    with Archive.open(settings) as first:
        pass
    with Archive.open(replace(settings, store="memory")) as other:
        other.load(DATA / "small.trig", agent="tester")
        expected = other.store.sorted_nquads()
    with Archive.open(settings) as again:
        assert again.revision == first.revision + 2
        assert again.store.sorted_nquads() == expected


def test_two_processes_share_one_data_directory(settings: Settings) -> None:
    with Archive.open(settings) as reader, Archive.open(settings) as writer:
        writer.load(DATA / "small.trig", agent="tester")
        assert reader.refresh() == 2
        assert reader.store.sorted_nquads() == writer.store.sorted_nquads()


def test_verify_detects_a_store_that_drifted(small: Archive) -> None:
    small.store.store.add(
        ox.Quad(
            ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal("z"), ox.NamedNode("urn:g")
        )
    )
    report = small.verify()
    assert not report.ok and report.unexpected == ['<urn:x> <urn:y> "z" <urn:g> .']


def test_diff_between_revisions(small: Archive) -> None:
    from dialogue_kg.core.history import diff

    d = diff(small, 2, 3)
    assert f'<{ID}person/ana> <{RDFS_LABEL.value}> "Ana Example"@en .' in d.added
    assert d.removed == []
    assert diff(small, 3, 2).removed == d.added
    with pytest.raises(ValueError, match="no revision 9"):
        diff(small, 1, 9)


def test_verify_compares_datetimes_by_value() -> None:
    """A remote engine may return its own lexical form of a dateTime (Virtuoso: ``.100``)."""
    from dialogue_kg.core.archive import comparable

    xsd = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"
    line = '<urn:s> <urn:p> "2026-11-23T14:40:12.{}Z"' + xsd + " <urn:g> ."
    assert comparable([line.format("100000")]) == comparable([line.format("100")])
    assert comparable([line.format("748980")]) == comparable([line.format("74898")])
    assert comparable([line.format("748981")]) != comparable([line.format("74898")])
    whole = '<urn:s> <urn:p> "2026-11-23T14:40:12Z"' + xsd + " <urn:g> ."
    assert comparable([line.format("000000")]) == comparable([whole])
    plain = '<urn:s> <urn:p> "2026-11-23T14:40:12.100000Z" <urn:g> .'
    assert comparable([plain]) == {plain}


ENGLISH_LABEL_CASES = [
    ('rdfs:label "Vetëm shqip"@sq', False),
    ('rdfs:label "Only English"@en', True),
    ('rdfs:label "Regional English"@en-GB , "Shqip"@sq', True),
    ('rdfs:label "Без енглеског"@sr-Cyrl', False),
]


@pytest.mark.parametrize(("labels", "accepted"), ENGLISH_LABEL_CASES)
def test_records_need_an_english_label(small: Archive, labels: str, accepted: bool) -> None:
    """pySHACL skips sh:qualifiedValueShape when given focus nodes; the archive checks it."""
    turtle = f"""
    @prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <https://w3id.org/dialogue-kg/id/agreement/x> a dkg:Agreement ; {labels} ;
        dkg:year "2012"^^xsd:gYear ; dkg:source <{TEST_SOURCE}> .
    """.encode()
    before = snapshot(small)
    if accepted:
        small.load(turtle, agent="tester", fmt="turtle", sources=[TEST_SOURCE])
        return
    with pytest.raises(ValidationError) as caught:
        small.load(turtle, agent="tester", fmt="turtle", sources=[TEST_SOURCE])
    (violation,) = caught.value.violations
    assert violation.focus.endswith("agreement/x")
    assert violation.path == "http://www.w3.org/2000/01/rdf-schema#label"
    assert "English label" in violation.message
    assert snapshot(small) == before


def test_check_reports_what_commit_would_refuse_and_writes_nothing(small: Archive) -> None:
    bad = ox.Triple(
        ox.NamedNode(f"{ID}meeting/first-round"),
        ox.NamedNode(f"{DKG}endDate"),
        ox.Literal("2011-02-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    )
    before = snapshot(small)
    violations = small.check([ChangeSet(added=[bad], sources=[TEST_SOURCE])])
    assert [v.path for v in violations] == [f"{DKG}endDate"]
    assert small.check([ChangeSet(added=[label(f"{ID}person/ana", "Ana", "sq")])]) == []
    assert small.check([ChangeSet(added=[bad])], validate=False) == []
    assert snapshot(small) == before


def test_commit_computed_recomputes_when_another_write_lands(settings: Settings) -> None:
    """A write by another process between the computation and its commit makes the archive
    compute again against the new state; nothing computed on the old state is written."""
    with Archive.open(settings) as mine, Archive.open(settings) as other:
        seen: list[int] = []

        def compute() -> list[ChangeSet]:
            seen.append(mine.revision)
            if len(seen) == 1:  # another process writes while this one computes
                other.commit(
                    [ChangeSet(added=[label(f"{ID}person/bo", "Bo")], sources=[TEST_SOURCE])],
                    agent="other",
                )
            text = f"computed at {mine.revision}"
            return [ChangeSet(added=[label(f"{ID}person/cy", text)], sources=[TEST_SOURCE])]

        (record,) = mine.commit_computed(compute, agent="tester")
        assert seen == [1, 2] and record.revision == 3
        names = select(mine, f"SELECT ?n WHERE {{ <{ID}person/cy> ?p ?n }}")
        assert names == [{"n": "computed at 2"}]


def test_commit_computed_gives_up_after_its_retries(small: Archive) -> None:
    def compute() -> list[ChangeSet]:
        small.commit(  # every attempt is overtaken by a write from this very process
            [
                ChangeSet(
                    added=[label(f"{ID}person/bo", f"Bo {small.revision}")], sources=[TEST_SOURCE]
                )
            ],
            agent="other",
        )
        return [ChangeSet(added=[label(f"{ID}person/cy", "Cy")], sources=[TEST_SOURCE])]

    before = small.revision
    with pytest.raises(ConflictError):
        small.commit_computed(compute, agent="tester", hold=False, retries=3)
    assert small.revision == before + 3  # the three overtaking writes only
    assert small.commit_computed(lambda: [], agent="tester") == []


def test_records_are_immutable_and_hand_out_typed_statements(small: Archive) -> None:
    record = next(small.records(3, 3))
    with pytest.raises(AttributeError):
        record.comment = "changed"  # type: ignore[misc]
    added = record.added()
    assert added and all(isinstance(q, ox.Quad) for q in added)
    assert {q.graph_name for q in added} == {ox.NamedNode(record.changeset)}
    assert f"{ID}person/ana" in record.iris()
    # The journal's index keeps no statements once the store has them; reading brings them back.
    indexed = small.journal.records[2]
    assert not indexed.has_statements and indexed == record
