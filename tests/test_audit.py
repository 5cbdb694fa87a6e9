"""The audit trail's filters and the cached integrity status."""

from __future__ import annotations

import pytest

from dialogue_kg.write.audit import Filters, IntegrityCache, changes
from dialogue_kg.write.editing import retract

from .conftest import TEST_SOURCE

BORIS = "https://w3id.org/dialogue-kg/id/person/boris"


def test_filters(small):
    retract(small, BORIS, agent="ana", sources=[TEST_SOURCE])
    everything = changes(small)
    assert [e.revision for e in everything] == list(range(small.revision, 0, -1))
    (mine,) = changes(small, Filters(archivist="ana"))
    assert mine.archivist == "ana" and mine.removed > 0
    assert changes(small, Filters(archivist=mine.agent)) == [mine]
    touching = [e.revision for e in changes(small, Filters(resource=BORIS))]
    assert touching[0] == mine.revision and len(touching) == 2
    day = mine.time[:10]
    assert mine in changes(small, Filters(since=day, until=day))
    assert changes(small, Filters(until="2000-01-01")) == []
    assert len(changes(small, Filters(limit=1, offset=1))) == 1
    with pytest.raises(ValueError, match="give a date"):
        changes(small, Filters(since="yesterday"))


def test_integrity_cached_per_revision(small):
    cache = IntegrityCache()
    first = cache.status(small)
    assert first.ok and first.revision == small.revision
    assert cache.status(small) is first
    retract(small, BORIS, agent="ana", sources=[TEST_SOURCE])
    second = cache.status(small)
    assert second is not first and second.revision == first.revision + 1


def test_integrity_reports_a_damaged_store(small):
    import pyoxigraph as ox

    small.store.store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal("z")))
    status = IntegrityCache().status(small)
    assert not status.ok and "1 unexpected statements in the store" in status.problems
