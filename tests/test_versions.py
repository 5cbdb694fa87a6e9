"""The history index answers as a replay of the journal does: the state at a revision (every
saved query), diffs, a statement's versions, blame, a resource's history and the audit filters."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive, comparable
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.history import _statements
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.core.versions import FILENAME, HistoryIndex, answer_of, index_for
from dialogue_kg.protocol import queries
from dialogue_kg.write.editing import retract, revert

ID = "https://w3id.org/dialogue-kg/id/"
SOURCE = "https://w3id.org/dialogue-kg/id/source/test-doc"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DATE = ox.NamedNode("https://w3id.org/dialogue-kg/ontology#date")
FIRST = ox.NamedNode(ID + "agreement/first-agreement-2013")
SAVED = queries.catalogue()


def _commit(archive: Archive, added=(), removed=(), agent: str = "ana") -> int:
    cs = ChangeSet(added=list(added), removed=list(removed), sources=[SOURCE], comment="edit")
    return archive.commit([cs], agent=agent, validate=False)[0].revision


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory):
    """The curated archive, then edits of every kind: a retraction, a re-assertion, a
    corroboration, a changed value, a statement asserted and retracted at once, a whole
    resource retracted, and a change set reverted."""
    settings = Settings.from_env(
        {}, data_dir=str(tmp_path_factory.mktemp("versions")), query_workers=0, validate=False
    )
    with Archive.open(settings) as archive:
        label = next(iter(archive.store.store.quads_for_pattern(FIRST, LABEL, None, None))).triple
        date = next(iter(archive.store.store.quads_for_pattern(FIRST, DATE, None, None))).triple
        new_date = ox.Triple(FIRST, DATE, ox.Literal("2013-04-20", datatype=date.object.datatype))
        note = ox.Triple(FIRST, LABEL, ox.Literal("note", language="en"))
        edits = [
            _commit(archive, removed=[label]),
            _commit(archive, added=[label], agent="bea"),
            _commit(archive, added=[label, note]),  # the label corroborated, the note new
            _commit(archive, added=[new_date], removed=[date]),
            _commit(archive, added=[note], removed=[note]),  # retracted and asserted at once
        ]
        edits += [
            r.revision
            for r in retract(archive, ID + "person/hashim-thaci", agent="ana", sources=[SOURCE])
        ]
        edits += [r.revision for r in revert(archive, edits[3], agent="bea")]
        archive.edits = edits  # type: ignore[attr-defined]
        # An agent's first change set: before it, the archive does not know the agent.
        late = ox.Triple(FIRST, LABEL, ox.Literal("late", language="en"))
        archive.late = _commit(archive, added=[late], agent="cai")  # type: ignore[attr-defined]
        archive.first_label = label  # type: ignore[attr-defined]
        yield archive


def _revisions(archive: Archive) -> list[int]:
    edits = archive.edits  # type: ignore[attr-defined]
    return sorted({0, 1, 2, archive.revision // 2, edits[0] - 1, *edits})


def test_the_state_at_every_revision_tried_equals_a_replay(edited: Archive) -> None:
    index = index_for(edited)
    for n in _revisions(edited):
        ours = comparable(index.state(n).sorted_nquads())
        assert ours == comparable(edited.replay(n).sorted_nquads()), f"revision {n}"


@pytest.mark.parametrize("saved", SAVED, ids=[q.name for q in SAVED])
def test_every_saved_query_answers_as_on_a_replay(edited: Archive, saved) -> None:
    index = index_for(edited)
    replays = edited.__dict__.setdefault("replays", {})
    for n in (edited.revision // 2, *edited.edits[2:5], edited.revision):  # type: ignore[attr-defined]
        if n not in replays:
            replays[n] = edited.replay(n)
        expected = answer_of(replays[n].query(saved.text))
        assert answer_of(index.state(n).query(saved.text)) == expected, f"revision {n}"


def test_diff_equals_the_difference_of_two_replays(edited: Archive) -> None:
    index = index_for(edited)
    revs = _revisions(edited)
    pairs = [(a, b) for a in revs[::2] for b in revs[1::2]] + [(edited.revision, 1)]
    for old, new in pairs:
        before, after = _statements(edited.replay(old)), _statements(edited.replay(new))
        assert index.diff(old, new) == (sorted(after - before), sorted(before - after))


def test_a_statement_held_in_the_revisions_its_intervals_give(edited: Archive) -> None:
    index = index_for(edited)
    label = edited.first_label  # type: ignore[attr-defined]
    retracted_at, back_at = edited.edits[:2]  # type: ignore[attr-defined]
    spans = index.versions(label)
    assert spans[-1] == (back_at, None)
    assert spans[0][1] == retracted_at - 1
    held = {
        n
        for n in range(edited.revision + 1)
        if any(a <= n and (b is None or n <= b) for a, b in spans)
    }
    for n in _revisions(edited):
        in_replay = bool(
            edited.replay(n).query(f"ASK {{ {label.subject} {label.predicate} {label.object} }}")
        )
        assert (n in held) == in_replay, f"revision {n}"


def test_blame_names_every_assertion_and_retraction(edited: Archive) -> None:
    index = index_for(edited)
    events = index.blame(edited.first_label)  # type: ignore[attr-defined]
    retracted_at, back_at, corroborated_at = edited.edits[:3]  # type: ignore[attr-defined]
    assert [(e.revision, e.asserted) for e in events][-3:] == [
        (retracted_at, False),
        (back_at, True),
        (corroborated_at, True),
    ]
    assert events[-2].agent == edited.minter.agent("bea")
    assert events[-2].time == next(edited.records(back_at, back_at)).time
    assert events[0].agent == edited.minter.agent("dialogue-kg")


def _stored(q: ox.Quad) -> str:
    """A statement as the store gives it back (typed literals in their canonical form)."""
    store = ox.Store()
    store.add(ox.Quad(q.subject, q.predicate, q.object))
    t = next(iter(store))
    return f"{t.subject} {t.predicate} {t.object} ."


def _journal_history(archive: Archive, iri: str) -> list[tuple[int, list[str], list[str]]]:
    """A resource's history by reading every record (what the index replaces)."""
    out = []
    node = ox.NamedNode(iri)
    for record in archive.records():

        def about(q: ox.Quad) -> bool:
            return node in (q.subject, q.object)

        added = [_stored(q) for q in record.added() if about(q)]
        removed = [_stored(q) for q in record.removed() if about(q)]
        if added or removed:
            out.append((record.revision, added, removed))
    return out


@pytest.mark.parametrize(
    "iri",
    [FIRST.value, ID + "person/hashim-thaci", ID + "agreement/energy-2013", ID + "place/lipjan"],
)
def test_a_resources_history_from_the_index_equals_the_journal_scan(
    edited: Archive, iri: str
) -> None:
    found = [(c.revision, c.added, c.removed) for c in index_for(edited).resource_changes(iri)]
    assert found == _journal_history(edited, iri)
    assert found


def test_the_index_catches_up_and_rebuilds_itself_after_a_foreign_journal(
    tmp_path: Path, edited: Archive
) -> None:
    index = index_for(edited)
    assert index.revision == edited.revision
    # An index whose head digest does not match the journal (a journal restored from another
    # copy) is emptied and rebuilt, not trusted.
    copy = HistoryIndex(edited.journal, edited.minter, tmp_path / FILENAME)
    copy.sync()
    copy._db.execute("UPDATE meta SET value = 'x' WHERE key = 'digest'")
    assert copy.sync() == edited.revision
    assert copy.diff(0, edited.revision) == index.diff(0, edited.revision)


def test_a_query_answer_is_versioned_over_the_revisions_it_held(edited: Archive) -> None:
    index = index_for(edited)
    query = f"SELECT ?d WHERE {{ {FIRST} {DATE} ?d }}"
    first = edited.edits[0] - 1  # type: ignore[attr-defined]
    spans = index.answer_versions(query, first)
    changed, reverted = edited.edits[3], edited.edits[-1]  # type: ignore[attr-defined]
    assert [s.first for s in spans] == [first, changed, reverted]
    assert spans[-1].last is None
    assert spans[0].answer == spans[2].answer != spans[1].answer
    for span in spans:
        for n in {span.first, span.last or edited.revision}:
            assert answer_of(edited.replay(n).query(query)) == span.answer
    gained, lost = index.answer_diff(query, first, changed)
    assert [r[0] for r in gained] == ['"2013-04-20"^^<http://www.w3.org/2001/XMLSchema#date>']
    assert len(lost) == 1


def test_the_audit_filters_are_answered_from_the_index(edited: Archive) -> None:
    index = index_for(edited)
    bea = edited.minter.agent("bea")
    assert index.revisions(agent=bea) == sorted(
        (r.revision for r in edited.journal.records if r.agent == bea), reverse=True
    )
    about = [c[0] for c in _journal_history(edited, FIRST.value)]
    assert index.revisions(about=FIRST.value, limit=1000) == sorted(about, reverse=True)
    assert index.revisions(about=FIRST.value, agent=bea, limit=1) == [
        max(n for n in about if edited.journal.records[n - 1].agent == bea)
    ]


def test_the_state_at_the_head_from_the_index_equals_a_replay(edited: Archive) -> None:
    store = OxigraphStore(edited.minter)
    data = index_for(edited).quads_at(edited.revision)
    store.store.bulk_load(data, format=ox.RdfFormat.N_QUADS, lenient=True)
    expected = comparable(edited.replay(edited.revision).sorted_nquads())
    assert comparable(store.sorted_nquads()) == expected


def test_threads_share_one_index(edited: Archive) -> None:
    """The web app's threads ask the same index at once: every answer is whole and the same."""
    from concurrent.futures import ThreadPoolExecutor

    index = index_for(edited)
    expected = (index.diff(1, edited.revision), index.resource_changes(FIRST.value))

    def ask(n: int) -> tuple:
        index.sync()
        len(index.state(edited.revision - n % 3))
        return index.diff(1, edited.revision), index.resource_changes(FIRST.value)

    with ThreadPoolExecutor(8) as pool:
        assert all(found == expected for found in pool.map(ask, range(24)))


_FORKED: dict = {}


def _answer_in_child(queue) -> None:  # noqa: ANN001 - a multiprocessing queue
    archive = _FORKED["archive"]
    index = index_for(archive)
    queue.put((index is not _FORKED["parent"], index.diff(0, archive.revision)[0][:5]))


def test_a_forked_process_opens_its_own_index(edited: Archive) -> None:
    """A query worker forked from a process that used the index does not share its SQLite
    connection (undefined across a fork): it opens its own, and answers the same."""
    import multiprocessing as mp

    _FORKED.update(archive=edited, parent=index_for(edited))
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_answer_in_child, args=(queue,))
    child.start()
    found = queue.get(timeout=120)
    child.join(30)
    assert found == (True, index_for(edited).diff(0, edited.revision)[0][:5])


def test_one_state_is_built_at_a_time_and_shared_by_who_waited(edited: Archive) -> None:
    """Pages as of many revisions asked at once would multiply a load's memory: the builds take
    turns, askers of one revision get one store, and one that waits past the limit gets a 503
    saying to ask again."""
    from concurrent.futures import ThreadPoolExecutor

    from dialogue_kg.errors import Busy

    index = HistoryIndex(edited.journal, edited.minter, edited.journal.directory / FILENAME)
    try:
        revision = edited.revision // 2
        with ThreadPoolExecutor(6) as pool:
            stores = list(pool.map(lambda _: index.state(revision), range(6)))
        assert all(store is stores[0] for store in stores)
        index.build_wait = 0.05
        with index._building:  # another revision being put together meanwhile
            assert index.state(revision) is stores[0]  # a kept state needs no build
            with pytest.raises(Busy) as raised:
                index.state(revision - 1)
        assert (raised.value.status, raised.value.retry_after) == (503, 5)
        assert "try again shortly" in str(raised.value)
        assert len(index.state(revision - 1)) > 0  # free again: built
    finally:
        index.close()
