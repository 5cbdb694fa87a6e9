"""A store moved in place to a past revision holds exactly the state the history index builds
for it, whichever way and however far it moves, and the head again when moved back."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.rewind import Rewinder
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.core.versions import index_for
from dialogue_kg.errors import NotFound

from .test_versions import SOURCE, edited  # noqa: F401 - the fixture of an edited archive

EX = "https://w3id.org/dialogue-kg/id/test/"


class _Always(Rewinder):
    """Moves however far it costs (the walks here would often build instead)."""

    @staticmethod
    def worth_moving(moving: int, building: int) -> bool:
        return True


def _copy(archive: Archive) -> Archive:
    """The archive with a store of its own (the fixture's is shared by other tests)."""
    store = OxigraphStore(archive.minter)
    store.store.bulk_load(archive.store.dump(), format=ox.RdfFormat.N_QUADS)
    return Archive(archive.settings, store, archive.journal)


def _state(archive: Archive, revision: int) -> set[str]:
    return set(index_for(archive).state(revision).sorted_nquads())


def test_moving_to_every_revision_and_back_gives_each_state(edited: Archive) -> None:  # noqa: F811
    archive = _copy(edited)
    head = set(archive.store.sorted_nquads())
    rewinder = _Always(archive)
    late = edited.late  # type: ignore[attr-defined]
    # Backwards over the edits, then forwards, then a long jump each way; revision late - 1 is
    # the last before an agent's first change set, which must take that agent away.
    path = [late - 1, *sorted(edited.edits, reverse=True), 0, *edited.edits, 1, late, late - 1]  # type: ignore[attr-defined]
    for revision in path:
        assert rewinder.to_past(revision)
        assert rewinder.at == revision
        assert set(archive.store.sorted_nquads()) == _state(archive, revision), revision
    rewinder.to_head()
    assert rewinder.at is None
    assert set(archive.store.sorted_nquads()) == head


def test_a_revision_the_journal_lacks_is_refused(edited: Archive) -> None:  # noqa: F811
    rewinder = Rewinder(_copy(edited))
    with pytest.raises(NotFound):
        rewinder.to_past(edited.revision + 1)
    assert rewinder.at is None


def test_building_is_chosen_when_it_reads_fewer_quads(edited: Archive) -> None:  # noqa: F811
    """Revision 0 holds nothing: building it is free, so the store stays where it is; the
    edits lie near the head, a few quads from it, so the store moves there."""
    archive = _copy(edited)
    rewinder = Rewinder(archive)
    assert not rewinder.to_past(0)
    assert rewinder.at is None
    for revision in sorted(edited.edits, reverse=True):  # type: ignore[attr-defined]
        assert rewinder.to_past(revision)
        assert rewinder.at == revision


_TRIPLES = [
    ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o)
    for s in ("a", "b")
    for p in ("p", "q")
    for o in (ox.Literal("x"), ox.Literal("y", language="en"), ox.NamedNode(EX + "c"))
]
_CHANGES = st.lists(
    st.tuples(
        st.sets(st.integers(0, len(_TRIPLES) - 1), max_size=4),
        st.sets(st.integers(0, len(_TRIPLES) - 1), max_size=4),
        st.sampled_from(["ana", "bea", "cai"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=_CHANGES, walk=st.lists(st.integers(0, 12), min_size=1, max_size=8))
def test_any_history_and_any_walk_over_it(changes, walk, tmp_path_factory) -> None:  # noqa: ANN001
    """Generated histories (statements asserted, retracted, asserted again, corroborated, by
    agents who come and go) walked in any order: each stop holds the index's state."""
    tmp = Path(tmp_path_factory.mktemp("rewind"))
    (tmp / "gd").mkdir()
    config = Settings.from_env(
        {}, data_dir=str(tmp / "a"), graph_data_dir=str(tmp / "gd"), query_workers=0, validate=False
    )
    with Archive.open(config) as archive:
        for added, removed, agent in changes:
            cs = ChangeSet(
                added=[_TRIPLES[i] for i in sorted(added)],
                removed=[_TRIPLES[i] for i in sorted(removed - added)],
                sources=[SOURCE],
            )
            if cs.added or cs.removed:
                archive.commit([cs], agent=agent, validate=False)
        head = set(archive.store.sorted_nquads())
        rewinder = _Always(archive)
        for step in walk:
            revision = min(step, archive.revision)
            assert rewinder.to_past(revision)
            assert set(archive.store.sorted_nquads()) == _state(archive, revision)
        rewinder.to_head()
        assert set(archive.store.sorted_nquads()) == head


def test_the_costs_weighed_are_the_counts_of_the_index(edited: Archive) -> None:  # noqa: F811
    """size_at and changes_between count from the ids the index gives its intervals in revision
    order: they equal the COUNTs they stand for, at every revision."""
    index = index_for(edited)
    db = index._db
    head = edited.revision
    for n in range(head + 1):
        alive = db.execute(
            'SELECT COUNT(*) FROM intervals WHERE start <= ?1 AND ("end" IS NULL OR "end" > ?1)',
            (n,),
        ).fetchone()[0]
        assert index.size_at(n) == alive, n
        changed = db.execute(
            "SELECT COUNT(*) FROM intervals WHERE (start > ?1 AND start <= ?2) "
            'OR ("end" > ?1 AND "end" <= ?2)',
            (n, head),
        ).fetchone()[0]
        both = db.execute(
            "SELECT COUNT(*) FROM intervals WHERE start > ?1 AND start <= ?2 "
            'AND "end" > ?1 AND "end" <= ?2',
            (n, head),
        ).fetchone()[0]
        assert index.changes_between(n, head) == changed + both, n
