"""SPARQL Update turned into change sets: computed on a scratch copy, journaled like any write."""

from __future__ import annotations

import pytest

from dialogue_kg.changeset import InputError
from dialogue_kg.guard import QueryRefused
from dialogue_kg.update import changeset_for_update, run_update
from dialogue_kg.validation import ValidationError

from .conftest import TEST_SOURCE

P = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX person: <https://w3id.org/dialogue-kg/id/person/>
PREFIX source: <https://w3id.org/dialogue-kg/id/source/>
"""


def test_delete_insert_where_becomes_a_diff(small):
    cs = changeset_for_update(
        small,
        P + 'DELETE { ?s rdfs:label ?l } INSERT { ?s rdfs:label "Ana E."@en } '
        'WHERE { ?s rdfs:label ?l FILTER(STR(?l) = "Ana Example") }',
    )
    assert [str(t) for t in cs.removed] == [
        "<https://w3id.org/dialogue-kg/id/person/ana> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Ana Example"@en'
    ]
    assert len(cs.added) == 1 and cs.added[0].object.value == "Ana E."


def test_run_update_commits_with_provenance(small):
    before = small.revision
    (record,) = run_update(
        small,
        P + 'INSERT DATA { person:ana rdfs:label "Ana Primjer"@sr-Latn }',
        agent="ana",
        sources=[TEST_SOURCE],
        comment="Serbian label",
    )
    assert record.revision == before + 1
    rows = list(
        small.query(
            P + 'SELECT ?g ?who WHERE { GRAPH ?g { person:ana rdfs:label "Ana Primjer"@sr-latn } '
            "?g <http://www.w3.org/ns/prov#wasAttributedTo> ?who }"
        )
    )
    assert rows and rows[0]["who"].value.endswith("/agent/ana")
    assert small.verify().ok


def test_blank_nodes_are_skolemised(small):
    cs = changeset_for_update(small, P + 'INSERT DATA { person:ana dkg:note [ rdfs:label "x" ] }')
    assert all("/.well-known/genid/" in str(t) for t in cs.added)


@pytest.mark.parametrize(
    ("update", "error", "match"),
    [
        ("INSERT DATA { <urn:a> <urn:b> ", InputError, "syntax error at line 1"),
        (
            P + "INSERT DATA { GRAPH <urn:g> { person:ana rdfs:label 'x'@en } }",
            InputError,
            "immutable",
        ),
        ("LOAD <http://example.org/data.ttl>", QueryRefused, "LOAD"),
        (P + "DELETE DATA { person:nobody rdfs:label 'x'@en }", InputError, "nothing to write"),
    ],
)
def test_refused_updates_write_nothing(small, update, error, match):
    journal = small.journal.path.read_bytes()
    with pytest.raises(error, match=match):
        run_update(small, update, agent="ana", sources=[TEST_SOURCE])
    assert small.journal.path.read_bytes() == journal


def test_update_needs_source_and_valid_result(small):
    with pytest.raises(InputError, match="source"):
        run_update(small, P + 'INSERT DATA { person:ana rdfs:label "A"@sq }', agent="a", sources=[])
    with pytest.raises(ValidationError):
        run_update(
            small,
            P + "DELETE WHERE { person:ana dkg:source ?s }",
            agent="ana",
            sources=[TEST_SOURCE],
        )


def test_update_recomputed_when_the_archive_moves_on(small, monkeypatch):
    """A write landing while the update is computed makes it compute again on the new state."""
    from dialogue_kg import update as module

    real = module.changeset_for_update
    calls: list[int] = []

    def racing(archive, update, current=None):
        calls.append(1)
        if len(calls) == 1:
            archive.load(
                P.replace("PREFIX", "@prefix").replace(">\n", "> .\n").encode()
                + b'person:ana rdfs:label "Ana Extra"@sq .',
                agent="other",
                fmt="turtle",
                sources=[TEST_SOURCE],
            )
        return real(archive, update, current)

    monkeypatch.setattr(module, "changeset_for_update", racing)
    run_update(
        small,
        P + "DELETE WHERE { person:ana rdfs:label ?l } ; "
        'INSERT DATA { person:ana rdfs:label "Only"@en }',
        agent="ana",
        sources=[TEST_SOURCE],
    )
    assert len(calls) == 2
    labels = {r["l"].value for r in small.query(P + "SELECT ?l WHERE { person:ana rdfs:label ?l }")}
    assert labels == {"Only"}
