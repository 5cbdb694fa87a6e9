"""Reverting change sets and retracting resources: new change sets, history keeps everything."""

from __future__ import annotations

import pytest

from dialogue_kg.core.changeset import InputError, read_changesets
from dialogue_kg.core.history import resource_history
from dialogue_kg.core.validation import ValidationError
from dialogue_kg.write.editing import retract, revert

from .conftest import TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
PREFIXES = """@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix person: <https://w3id.org/dialogue-kg/id/person/> .
@prefix source: <https://w3id.org/dialogue-kg/id/source/> .
"""


def write(archive, turtle: str, removed: str | None = None, agent: str = "ana"):
    cs = read_changesets((PREFIXES + turtle).encode(), archive.minter, fmt="turtle")[0]
    if removed:
        text = (PREFIXES + removed).encode()
        cs.removed = read_changesets(text, archive.minter, fmt="turtle")[0].added
    cs.sources = [TEST_SOURCE]
    return archive.commit([cs], agent=agent)[0]


def ask(archive, pattern: str) -> bool:
    return bool(
        archive.query(
            PREFIXES.replace("@prefix", "PREFIX").replace(" .\n", "\n") + f"ASK {{ {pattern} }}"
        )
    )


def test_revert_undoes_additions_and_keeps_history(small):
    record = write(
        small,
        'person:cy a dkg:Person ; rdfs:label "Cy"@en ; dkg:source source:test-doc .',
    )
    assert ask(small, "person:cy ?p ?o")
    (undo,) = revert(small, record.revision, agent="ed")
    assert not ask(small, "person:cy ?p ?o")
    assert undo.sources == [record.changeset]
    assert "Revert of change set" in undo.comment
    history = resource_history(small, ID + "person/cy")
    assert [c.revision for c in history] == [record.revision, undo.revision]
    assert small.verify().ok


def test_revert_restores_retractions(small):
    record = write(
        small,
        'person:ana rdfs:label "Ana E."@en .',
        removed='person:ana rdfs:label "Ana Example"@en .',
    )
    assert not ask(small, 'person:ana rdfs:label "Ana Example"@en')
    revert(small, record.revision, agent="ed")
    assert ask(small, 'person:ana rdfs:label "Ana Example"@en')
    assert not ask(small, 'person:ana rdfs:label "Ana E."@en')


def test_revert_keeps_statements_asserted_before(small):
    """A change set that re-asserts an existing statement does not take it away on revert."""
    record = write(
        small,
        'person:ana rdfs:label "Ana Example"@en , "Ana Primjer"@sr-Latn .',
    )
    revert(small, record.revision, agent="ed")
    assert ask(small, 'person:ana rdfs:label "Ana Example"@en')
    assert not ask(small, 'person:ana rdfs:label "Ana Primjer"@sr-Latn')


def test_revert_twice_has_nothing_left(small):
    record = write(small, 'person:ana rdfs:label "Ana Primjer"@sr-Latn .')
    revert(small, record.revision, agent="ed")
    with pytest.raises(InputError, match="nothing left to revert"):
        revert(small, record.revision, agent="ed")
    with pytest.raises(InputError, match="no change set"):
        revert(small, 999, agent="ed")


def test_revert_of_revert_reapplies(small):
    record = write(small, 'person:ana rdfs:label "Ana Primjer"@sr-Latn .')
    (undo,) = revert(small, record.revision, agent="ed")
    revert(small, undo.revision, agent="ed")
    assert ask(small, 'person:ana rdfs:label "Ana Primjer"@sr-Latn')


def test_retract_resource(small):
    before = small.revision
    (record,) = retract(small, ID + "person/boris", agent="ana", sources=[TEST_SOURCE])
    assert record.revision == before + 1
    assert not ask(small, "person:boris ?p ?o")
    assert not ask(small, "?s ?p person:boris")
    # History keeps every statement: the revision before still has them.
    assert any(c.added for c in resource_history(small, ID + "person/boris"))
    with pytest.raises(InputError, match="no current statements"):
        retract(small, ID + "person/boris", agent="ana", sources=[TEST_SOURCE])
    with pytest.raises(InputError, match="source"):
        retract(small, ID + "person/ana", agent="ana", sources=[])


def test_retract_that_breaks_shapes_is_refused(small):
    """Retracting the only source record of resources leaves them unsourced: refused."""
    journal = small.journal.path.read_bytes()
    with pytest.raises(ValidationError):
        retract(small, TEST_SOURCE, agent="ana", sources=[TEST_SOURCE])
    assert small.journal.path.read_bytes() == journal
