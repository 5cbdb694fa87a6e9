"""The in-memory store's snapshot: an unchanged data directory opens without replaying the
journal, newer records are applied on top, and a snapshot that does not match the journal is
never trusted."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dialogue_kg.core import archive as archive_module
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.store import snapshot

from ..conftest import DATA, TEST_SOURCE


@pytest.fixture
def replayed(monkeypatch) -> list[int]:
    """The revisions of the journal records applied to a store, as they are applied."""
    seen: list[int] = []
    real = archive_module._apply_to

    def counting(store, record, *args, **kwargs):
        seen.append(record.revision)
        return real(store, record, *args, **kwargs)

    monkeypatch.setattr(archive_module, "_apply_to", counting)
    return seen


def _meta(settings) -> dict:
    return json.loads((settings.data_path / "snapshot" / "snapshot.json").read_text())


def test_an_unchanged_directory_opens_from_the_snapshot(settings, replayed) -> None:
    with Archive.open(settings) as first:
        first.load(DATA / "small.trig", agent="tester")
        revision = first.revision
    replayed.clear()
    with Archive.open(settings) as again:
        # The snapshot was written at the first open (the ontology); only newer records apply.
        assert replayed == list(range(_meta(settings)["revision"] + 1, revision + 1))
        assert again.verify().ok
    with Archive.open(settings) as rebuilt:
        rebuilt.rebuild()
    assert _meta(settings)["revision"] == revision
    replayed.clear()
    with Archive.open(settings) as unchanged:
        assert replayed == []
        assert unchanged.revision == revision
        assert unchanged.verify().ok
        unchanged.load(
            b"<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> 'one more' .",
            agent="t",
            fmt="turtle",
            validate=False,
            sources=[TEST_SOURCE],
        )
    replayed.clear()
    with Archive.open(settings) as later:
        assert replayed == [revision + 1]
        assert later.verify().ok


@pytest.mark.parametrize("damage", ["digest", "size", "quads", "missing"])
def test_a_snapshot_that_does_not_match_the_journal_is_ignored(settings, replayed, damage) -> None:
    with Archive.open(settings) as first:
        first.load(DATA / "small.trig", agent="tester")
        first.rebuild()
        revision = first.revision
    folder = settings.data_path / "snapshot"
    meta = _meta(settings)
    data = folder / meta["file"]
    if damage == "digest":
        meta["digest"] = "0" * 64  # e.g. a journal restored from another copy
    elif damage == "quads":
        meta["quads"] += 1
    elif damage == "size":
        data.write_bytes(data.read_bytes()[:-200])
    else:
        data.unlink()
    (folder / "snapshot.json").write_text(json.dumps(meta))
    replayed.clear()
    with Archive.open(settings) as again:
        assert replayed == list(range(1, revision + 1))
        assert again.verify().ok
    # That open wrote a snapshot matching the journal again.
    assert _meta(settings)["revision"] == revision


def test_verify_finds_a_wrong_snapshot_and_rebuild_replaces_it(settings) -> None:
    """verify still compares the store with a full replay, so it sees what a snapshot of the
    right size but wrong content brought in; rebuild writes a good one."""
    with Archive.open(settings) as first:
        first.load(DATA / "small.trig", agent="tester")
        first.rebuild()
    data = settings.data_path / "snapshot" / _meta(settings)["file"]
    text = data.read_bytes()
    assert b'"Ana Example"' in text
    data.write_bytes(text.replace(b'"Ana Example"', b'"Ana Exampel"'))
    with Archive.open(settings) as wrong:
        report = wrong.verify()
        assert not report.ok and report.missing and report.unexpected
        wrong.rebuild()
    with Archive.open(settings) as mended:
        assert mended.verify().ok


def test_only_the_in_memory_store_keeps_a_snapshot(settings) -> None:
    with Archive.open(replace(settings, store="disk")) as disk:
        assert disk.revision > 0
    assert not (settings.data_path / "snapshot").exists()
    with Archive.open(settings, readonly=True) as readonly:
        assert readonly.revision > 0
    assert not (settings.data_path / "snapshot").exists()
    assert snapshot.restore(readonly.store, readonly.journal) == 0
