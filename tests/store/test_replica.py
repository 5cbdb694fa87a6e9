"""The on-disk replica: read-only commands open the current state without a replay or a load,
it is advanced by the records written since, it equals the in-memory store, and it is never
trusted when it does not match the journal."""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dialogue_kg.core.archive import Archive
from dialogue_kg.core.journal import Journal, JournalError
from dialogue_kg.core.store import replica
from dialogue_kg.core.store.replica import ReplicaStore

from ..conftest import DATA, TEST_SOURCE


def _label(archive: Archive, text: str) -> None:
    archive.load(
        f"<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> {json.dumps(text)} .".encode(),
        agent="tester",
        fmt="turtle",
        validate=False,
        sources=[TEST_SOURCE],
    )


def _state(archive: Archive) -> list[str]:
    return archive.store.sorted_nquads()


def _replicas(settings) -> list[str]:
    root = settings.data_path / replica.DIRECTORY
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def test_the_first_reader_makes_the_replica_and_the_next_opens_it(settings) -> None:
    with Archive.open(settings) as writer:
        writer.load(DATA / "small.trig", agent="tester")
        expected = _state(writer)
        revision = writer.revision
    with Archive.open_current(settings) as first:  # no replica yet: the in-memory store
        assert not isinstance(first.store, ReplicaStore)
        assert _state(first) == expected
    with Archive.open_current(settings) as second:
        assert isinstance(second.store, ReplicaStore)
        assert second.revision == revision
        assert _state(second) == expected
        assert second.query("ASK { ?s ?p ?o }")
        assert [r.digest for r in second.journal.records] == [
            r.digest for r in Journal(settings.data_path).open(readonly=True).records
        ]


def test_records_written_since_are_applied_to_a_checkpoint(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    Archive.open_current(settings).close()
    before = _replicas(settings)
    with Archive.open(settings) as writer:
        _label(writer, "two")
        expected = _state(writer)
        head = writer.journal.records[-1]
    with Archive.open_current(settings) as reader:
        assert isinstance(reader.store, ReplicaStore)
        assert reader.revision == head.revision
        assert _state(reader) == expected
    after = _replicas(settings)
    assert after == [f"r{head.revision}-{head.digest[:16]}"]
    assert after != before  # the old one was dropped: nobody was reading it


def test_a_replica_being_read_is_kept_until_its_reader_lets_go(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    reader = Archive.open_current(settings)
    held = reader.store.folder
    with Archive.open(settings) as writer:
        _label(writer, "two")
    with Archive.open_current(settings) as newer:
        assert newer.store.folder != held
    assert held.is_dir() and reader.query("ASK { ?s ?p 'one' }")
    reader.close()
    with Archive.open(settings) as writer:
        _label(writer, "three")
    Archive.open_current(settings).close()
    assert not held.exists()


def test_an_archive_opened_on_the_replica_refuses_writes_before_the_journal(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    journal = settings.data_path / Journal.FILENAME
    size = journal.stat().st_size
    with Archive.open_current(settings) as reader:
        assert isinstance(reader.store, ReplicaStore)
        with pytest.raises(JournalError, match="read-only"):
            _label(reader, "two")
    assert journal.stat().st_size == size


def test_refresh_moves_it_to_the_newest_revision(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    with Archive.open_current(settings) as reader:
        revision = reader.revision
        assert reader.refresh() == 0
        with Archive.open(settings) as writer:
            _label(writer, "two")
            _label(writer, "three")
            expected = _state(writer)
        assert not reader.query("ASK { ?s ?p 'two' }")
        assert reader.refresh() == 2
        assert reader.revision == revision + 2
        assert isinstance(reader.store, ReplicaStore)
        assert _state(reader) == expected


def test_a_journal_restored_from_an_older_copy_is_not_answered_from_a_newer_replica(
    settings,
) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    journal = settings.data_path / Journal.FILENAME
    older = journal.read_bytes()
    with Archive.open(settings) as writer:
        _label(writer, "two")
    Archive.open_current(settings).close()
    Archive.open_current(settings).close()
    journal.write_bytes(older)
    with Archive.open_current(settings) as reader:
        assert not reader.query("ASK { ?s ?p 'two' }")
        assert reader.query("ASK { ?s ?p 'one' }")
    with Archive.open(settings) as reopened:
        assert reopened.verify().ok


def test_a_damaged_or_missing_replica_is_made_again(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
        expected = _state(writer)
    Archive.open_current(settings).close()
    root = settings.data_path / replica.DIRECTORY
    meta = json.loads((root / replica.META).read_text())
    (root / replica.META).write_text(json.dumps({**meta, "name": "r1-0000000000000000"}))
    with Archive.open_current(settings) as reader:
        assert _state(reader) == expected
    with Archive.open_current(settings) as reader:
        assert isinstance(reader.store, ReplicaStore)
        assert _state(reader) == expected


def test_work_left_by_a_crashed_reader_is_ignored_then_cleaned(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    root = settings.data_path / replica.DIRECTORY
    stale = root / ".tmp-r9-00-crashed"
    (stale / "store").mkdir(parents=True)
    (stale / "store" / "CURRENT").write_text("garbage")
    old = time.time() - 2 * 86_400
    os.utime(stale, (old, old))
    with Archive.open(settings) as writer:
        _label(writer, "two")
    with Archive.open_current(settings) as reader:
        assert reader.query("ASK { ?s ?p 'two' }")
    assert not stale.exists()


def test_rebuild_removes_the_replicas(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
    Archive.open_current(settings).close()
    assert _replicas(settings)
    with Archive.open(settings) as archive:
        archive.rebuild()
    assert not (settings.data_path / replica.DIRECTORY).exists()


def test_the_replica_is_off_when_the_settings_say_so(settings) -> None:
    off = settings.__class__.from_env(
        {},
        data_dir=str(settings.data_dir),
        graph_data_dir=str(settings.graph_data_dir),
        query_workers=0,
        replica=False,
    )
    for _ in range(2):
        with Archive.open_current(off) as reader:
            assert not isinstance(reader.store, ReplicaStore)
    assert not (settings.data_path / replica.DIRECTORY).exists()


# -- the journal's record headers ------------------------------------------------------------


@pytest.fixture
def journal_with_headers(settings):
    with Archive.open(settings) as writer:
        for n in range(4):
            _label(writer, f"label {n}")
    journal = Journal(settings.data_path).open(readonly=True)
    headers = settings.data_path / "records.json"
    journal.save_headers(headers, journal.revision - 2)
    return journal, headers


def test_a_journal_opened_with_headers_equals_one_read_whole(settings, journal_with_headers):
    whole, headers = journal_with_headers
    fast = Journal(settings.data_path).open(readonly=True, headers=headers)
    assert fast.records == whole.records  # == compares headers, not statements
    assert (fast.revision, fast.head) == (whole.revision, whole.head)
    assert [r.added() for r in fast.read_records()] == [r.added() for r in whole.read_records()]


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_headers_that_do_not_match_the_journal_are_not_used(
    settings, journal_with_headers, data
) -> None:
    """Cut, shifted or re-digested headers, or a journal that changed under them: the journal
    is read whole instead, and the records are the file's."""
    whole, headers = journal_with_headers
    rows = json.loads(headers.read_text())["records"]
    which = data.draw(st.sampled_from([0, len(rows) - 1]))
    field = data.draw(st.sampled_from([0, 1, 2, 9, 10]))
    bad = [list(r) for r in rows]
    if field in (9, 10):
        bad[which][field] += data.draw(st.integers(min_value=1, max_value=500))
    else:
        bad[which][field] = data.draw(st.text(max_size=80))
    forged = settings.data_path / "forged.json"
    forged.write_text(json.dumps({"format": 1, "records": bad}))
    fast = Journal(settings.data_path).open(readonly=True, headers=forged)
    assert fast.records == whole.records  # == compares headers, not statements


@pytest.mark.parametrize(
    "content", [b"", b"{", b"[]", b'{"format": 1, "records": [[1]]}', b"\xff\xfe", b"null"]
)
def test_an_unreadable_headers_file_is_not_used(settings, journal_with_headers, content) -> None:
    whole, _ = journal_with_headers
    broken = settings.data_path / "broken.json"
    broken.write_bytes(content)
    fast = Journal(settings.data_path).open(readonly=True, headers=broken)
    assert fast.records == whole.records  # == compares headers, not statements


def test_verify_reports_record_headers_that_differ_from_the_journal(settings) -> None:
    with Archive.open(settings) as writer:
        _label(writer, "one")
        _label(writer, "two")
    Archive.open_current(settings).close()
    Archive.open_current(settings).close()
    headers = replica.headers_file(settings.data_path)  # the newest: what opening reads
    data = json.loads(headers.read_text())
    data["records"][1][3] = "https://w3id.org/dialogue-kg/agent/somebody-else"
    headers.write_text(json.dumps(data))
    with Archive.open(settings) as archive:
        assert archive.journal.records[1].agent.endswith("somebody-else")  # trusted at open
        report = archive.verify()
        assert not report.ok
        assert "record 2" in report.problems[0]
        archive.rebuild()
    with Archive.open(settings) as archive:
        assert not archive.journal.records[1].agent.endswith("somebody-else")
        assert archive.verify().ok


def test_the_snapshot_keeps_record_headers_too(settings) -> None:
    """A server that never ran a read-only command still opens its journal without reading
    every record: the in-memory store's snapshot keeps the headers up to its revision."""
    with Archive.open(settings) as writer:
        _label(writer, "one")
        writer.rebuild()  # writes the snapshot at the head
    assert not (settings.data_path / replica.DIRECTORY).exists()
    headers = replica.headers_file(settings.data_path)
    assert headers is not None and headers.parent.name == "snapshot"
    whole = Journal(settings.data_path).open(readonly=True)
    fast = Journal(settings.data_path).open(readonly=True, headers=headers)
    assert fast.records == whole.records  # == compares headers, not statements


def test_damage_past_the_headers_is_reported_at_its_byte_in_the_file(settings) -> None:
    """Records read after known ones (from headers, or by a refresh) are read in place, so an
    error names the record's offset in the file, not in the bytes read."""
    with Archive.open(settings) as writer:
        _label(writer, "one")
        reader = Journal(settings.data_path).open(readonly=True)
        _label(writer, "two")
        last = writer.journal.records[-1]
    path = settings.data_path / Journal.FILENAME
    data = bytearray(path.read_bytes())
    at = data.index(b"two", last.offset)
    data[at] = ord("T")
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match=f"record {last.revision} at byte {last.offset}:"):
        reader.refresh()
    headers = settings.data_path / "records.json"
    reader.save_headers(headers)
    with pytest.raises(JournalError, match=f"record {last.revision} at byte {last.offset}:"):
        Journal(settings.data_path).open(readonly=True, headers=headers)
