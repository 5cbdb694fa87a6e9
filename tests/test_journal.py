"""The journal: hash chain, durability contract, torn tails, corruption, concurrency."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from dialogue_kg.core.journal import ConflictError, Draft, Journal, JournalError, scan

CS = "https://w3id.org/dialogue-kg/changeset/"
AGENT = "https://w3id.org/dialogue-kg/agent/tester"


def draft(n: int, text: str = "x") -> Draft:
    """A draft asserting one statement in change set ``n``."""
    return Draft(
        changeset=f"{CS}{n}",
        agent=AGENT,
        time="2026-01-01T00:00:00Z",
        added=[f"<urn:s:{n}> <urn:p> {ox.Literal(f'{text} {n}')} <{CS}{n}>"],
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
        comment=f"change {n}",
    )


def write(journal: Journal, *drafts: Draft):
    with journal.lock():
        return journal.append(list(drafts))


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path).open()


def test_append_and_read_back(journal: Journal, tmp_path: Path) -> None:
    write(journal, draft(1))
    write(journal, draft(2, 'quote " and newline\n'))
    reopened = Journal(tmp_path).open()
    assert reopened.revision == 2
    records = list(reopened.read_records())
    assert [r.changeset for r in records] == [f"{CS}1", f"{CS}2"]
    assert records[1].prev == records[0].digest
    assert records[1].added()[0].object.value == 'quote " and newline\n 2'
    assert records[0].comment == "change 1"
    assert records[0].sources == ["https://w3id.org/dialogue-kg/id/source/test-doc"]


def test_record_is_rdf_patch(journal: Journal) -> None:
    write(journal, draft(1))
    text = journal.path.read_text()
    lines = text.splitlines()
    assert lines[0] == f"H id <{CS}1> ."
    assert "TX ." in lines and lines[-1] == "TC ."
    assert any(line.startswith("A <urn:s:1> <urn:p> ") for line in lines)


def test_torn_tail_is_left_on_open_and_dropped_by_the_next_writer(
    journal: Journal, tmp_path: Path
) -> None:
    write(journal, draft(1))
    good = journal.path.read_bytes()
    write(journal, draft(2))
    full = journal.path.read_bytes()
    for cut in (len(good) + 1, len(good) + 40, len(full) - 1):
        journal.path.write_bytes(full[:cut])
        reopened = Journal(tmp_path).open()
        assert reopened.revision == 1 and reopened.torn_bytes == cut - len(good)
        assert journal.path.read_bytes() == full[:cut], "opening changes nothing"
        with pytest.raises(JournalError, match=f"torn tail at byte {len(good)}"):
            reopened.verify()
        write(reopened, draft(2))
        assert journal.path.read_bytes() == full, "the next writer drops the torn bytes"


def test_torn_batch_is_discarded_whole(journal: Journal, tmp_path: Path) -> None:
    write(journal, draft(1))
    good = journal.path.read_bytes()
    write(journal, draft(2), draft(3), draft(4))
    full = journal.path.read_bytes()
    # Cut after the second record of the batch: two complete records, batch unfinished.
    third = full.index(f"H id <{CS}4>".encode())
    journal.path.write_bytes(full[:third])
    reopened = Journal(tmp_path).open()
    assert reopened.revision == 1
    done = reopened.repair()
    assert [r.revision for r in done.dropped] == [2, 3]
    assert (done.cut_at, done.cut_bytes) == (len(good), third - len(good))
    assert done.backup is not None and done.backup.read_bytes() == full[:third]
    assert journal.path.read_bytes() == good
    assert Journal(tmp_path).open().verify().records[-1].revision == 1


def test_corruption_in_the_middle_is_reported(journal: Journal, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        write(journal, draft(n))
    data = bytearray(journal.path.read_bytes())
    where = data.index(b'"x 2"')
    data[where + 1 : where + 2] = b"y"
    journal.path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="record 2 .*digest mismatch"):
        Journal(tmp_path).open()


def test_altered_last_record_is_corruption_not_torn(journal: Journal, tmp_path: Path) -> None:
    write(journal, draft(1))
    write(journal, draft(2))
    journal.path.write_bytes(journal.path.read_bytes().replace(b'"x 2"', b'"z 2"'))
    with pytest.raises(JournalError, match="digest mismatch"):
        Journal(tmp_path).open()


def test_removed_record_breaks_the_chain(journal: Journal, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        write(journal, draft(n))
    data = journal.path.read_bytes()
    start = data.index(f"H id <{CS}2>".encode())
    end = data.index(f"H id <{CS}3>".encode())
    journal.path.write_bytes(data[:start] + data[end:])
    with pytest.raises(JournalError, match="broken hash chain"):
        Journal(tmp_path).open()


def test_verify_reports_trailing_garbage(journal: Journal) -> None:
    write(journal, draft(1))
    with open(journal.path, "ab") as fh:
        fh.write(b"H id <urn:half")
    with pytest.raises(JournalError, match="torn tail at byte"):
        journal.verify()


def test_append_after_a_dead_writer_drops_its_torn_bytes(journal: Journal, tmp_path: Path) -> None:
    write(journal, draft(1))
    with open(journal.path, "ab") as fh:
        fh.write(b"H id <urn:torn> .\nTX .\nA <urn:a>")
    write(journal, draft(2))
    assert [r.revision for r in Journal(tmp_path).open().read_records()] == [1, 2]


def test_optimistic_concurrency(journal: Journal) -> None:
    write(journal, draft(1))
    seen = journal.head
    write(journal, draft(2))
    with journal.lock(), pytest.raises(ConflictError, match="revision 2"):
        journal.append([draft(3)], expected_head=seen)
    assert journal.revision == 2


def test_refresh_sees_other_writers(journal: Journal, tmp_path: Path) -> None:
    other = Journal(tmp_path).open()
    write(other, draft(1))
    write(other, draft(2))
    assert [r.revision for r in journal.refresh()] == [1, 2]
    assert journal.head == other.head


def test_refresh_ignores_a_write_in_progress(journal: Journal) -> None:
    write(journal, draft(1))
    with open(journal.path, "ab") as fh:
        fh.write(b"H id <urn:in-progress> .\n")
    assert journal.refresh() == []
    assert journal.revision == 1


def test_scan_of_empty_data() -> None:
    result = scan(b"")
    assert result.records == [] and result.torn_bytes == 0


def test_appended_records_equal_the_records_read_back(journal: Journal, tmp_path: Path) -> None:
    bulk = Draft(
        changeset=f"{CS}2",
        agent=AGENT,
        time="2026-01-01T00:00:00Z",
        added_lines=[b'<urn:s:a> <urn:p> "a .\\n b"', b"<urn:s:b> <urn:p> <urn:o>"],
        removed=["<urn:s:1> <urn:p> <urn:o>"],
        sources=["urn:a:source"],
        comment="bulk",
        imported_graph="urn:g",
    )
    appended = write(journal, draft(1), bulk)
    reread = list(Journal(tmp_path).open().read_records())
    for mine, theirs in zip(appended, reread, strict=True):
        assert mine == theirs and theirs.has_statements and not mine.has_statements
    assert reread[1].counts() == (2, 1)
    lines = [f"{q} ." for q in reread[1].added()]
    assert lines == [
        f'<urn:s:a> <urn:p> "a .\\n b" <{CS}2> .',
        f"<urn:s:b> <urn:p> <urn:o> <{CS}2> .",
    ]


def test_archive_json_names_the_first_record(journal: Journal, tmp_path: Path) -> None:
    marker = tmp_path / "archive.json"
    assert not marker.exists(), "a directory with no record is not marked"
    (first,) = write(journal, draft(1))
    assert json.loads(marker.read_text())["first_digest"] == first.digest
    marker.unlink()  # a directory from before the marker existed
    Journal(tmp_path).open(readonly=True)
    assert not marker.exists(), "a read-only open writes nothing"
    Journal(tmp_path).open()
    assert json.loads(marker.read_text())["first_digest"] == first.digest


@pytest.mark.parametrize(
    "tail",
    [
        b"H",
        b"H id <urn:",
        b'H id <urn:x> .\nH comment "caf\xc3',
        b'H id <urn:x> .\nTX .\nA <urn:s> <urn:p> "x" <urn:g> .\nTC ',
        b"H id <urn:x> .\nTX .\n",
    ],
)
def test_a_strict_prefix_of_a_record_is_torn(journal: Journal, tmp_path: Path, tail: bytes) -> None:
    write(journal, draft(1))
    with open(journal.path, "ab") as fh:
        fh.write(tail)
    assert Journal(tmp_path).open().torn_bytes == len(tail)


@pytest.mark.parametrize(
    ("tail", "why"),
    [
        (b"TX .\n", "does not begin with an 'H id' line"),
        (b"H id <urn:x> .\nH source <a b> .\n", "bad header line"),
        (b'H id <urn:x> .\nH nonsense "x" .\n', "bad header line"),
        (b"H id <urn:x> .\nTX .\nA <urn:s> <urn:p> <not an iri> .\n", "bad statement"),
        (b"H id <urn:x> .\nTX .\nX <urn:s> <urn:p> <urn:o> .\n", "bad statement line"),
        (b"H id <urn:x> .\nTX .\nTD .\n", "bad statement line"),
        (b"H id <urn:\x00", "bad last line"),
        (b"H id <urn:x> .\nTX .\nTC .X", "bad last line"),
        (b'H id <urn:x> .\nH comment "\xff', "bad last line"),
    ],
)
def test_any_other_tail_is_damage_and_nothing_is_written(
    journal: Journal, tmp_path: Path, tail: bytes, why: str
) -> None:
    write(journal, draft(1))
    end = journal.path.stat().st_size
    with open(journal.path, "ab") as fh:
        fh.write(tail)
    damaged = journal.path.read_bytes()
    with pytest.raises(JournalError, match=f"record 2 at byte {end}: {why}"):
        Journal(tmp_path).open()
    with pytest.raises(JournalError, match=why):
        write(journal, draft(2))
    with pytest.raises(JournalError, match=why):
        Journal(tmp_path).repair()
    assert journal.path.read_bytes() == damaged
    assert not list(tmp_path.glob("journal.rdfp.bak-*")), "no backup: nothing was cut"


def test_header_lines_are_ascii_and_split_on_newline_only(journal: Journal, tmp_path: Path) -> None:
    text = 'a\u2028b\u2029c\u0085d\x0be\x0cf\x1cg\r\nh\x00\x7f"\\ é 中 \U0001f600'
    record = dataclasses.replace(draft(1), comment=text, sources=["https://example.org/é\u2028"])
    write(journal, record)
    head = journal.path.read_bytes().split(b"TX .\n")[0]
    assert head.isascii() and head.count(b"\n") == len(head.splitlines())
    (back,) = Journal(tmp_path).open().read_records()
    assert back.comment == text and back.sources == ["https://example.org/é\u2028"]
