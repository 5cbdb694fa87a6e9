"""The in-memory store's snapshot: what lets an unchanged data directory open without a replay.

The in-memory store is rebuilt at every start. Replaying the whole journal to do so costs time in
proportion to the archive (4.4 s at 100k quads here), so the store is also kept as an N-Quads
dump beside the journal (``DATA_DIR/snapshot/``), named with the journal revision it holds and
that record's digest. Opening the archive bulk-loads the dump when that record is still in the
journal with that digest, then applies only the newer records. The journal stays the system of
record: a snapshot that does not match it (a journal restored from a copy, a file of the wrong
size or quad count) is ignored and the journal replayed; ``dialogue-kg verify`` still compares the
store with a full replay, and ``dialogue-kg rebuild`` writes a fresh snapshot.

A new snapshot is written after opening when there is none, or when the journal has grown past
the snapshot by more than a tenth of its size (at least 1 MiB): small writes do not rewrite it.
Files are written under a temporary name and renamed, so a crash leaves the previous snapshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.core.journal import Journal, fsync_path, write_json
from dialogue_kg.core.store.base import QuadStore
from dialogue_kg.core.store.oxigraph import OxigraphStore

DIRECTORY = "snapshot"
META = "snapshot.json"
HEADERS = "records.json"  # the journal's record headers up to the snapshot's revision
FORMAT = 1
MIN_GROWTH = 1 << 20  # journal bytes past the snapshot before it is written again


def _kept_in_memory(store: QuadStore) -> bool:
    return isinstance(store, OxigraphStore) and store.path is None


def _meta(journal: Journal) -> dict | None:
    path = journal.directory / DIRECTORY / META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None


def _matches(meta: dict, journal: Journal) -> bool:
    """True when the snapshot's revision is in the journal with the digest it recorded."""
    revision = meta.get("revision")
    records = journal.records
    return (
        isinstance(revision, int)
        and 0 < revision <= len(records)
        and records[revision - 1].digest == meta.get("digest")
    )


def restore(store: QuadStore, journal: Journal) -> int:
    """Load the snapshot into an empty in-memory store when it matches the journal; return the
    revision it holds (0: nothing loaded, the journal is to be replayed from the start)."""
    if not _kept_in_memory(store):
        return 0
    meta = _meta(journal)
    if meta is None or not _matches(meta, journal):
        return 0
    data = journal.directory / DIRECTORY / str(meta.get("file", ""))
    try:
        if data.parent != journal.directory / DIRECTORY or data.stat().st_size != meta.get("bytes"):
            return 0
        oxi = store.store  # type: ignore[attr-defined]
        # Written by pyoxigraph's own serialiser: lenient parsing skips re-checking its terms.
        oxi.load(path=str(data), format=ox.RdfFormat.N_QUADS, lenient=True)
    except (OSError, SyntaxError, ValueError):
        store.clear()
        return 0
    if len(store) != meta.get("quads"):  # type: ignore[arg-type]
        store.clear()
        return 0
    return int(meta["revision"])


def due(store: QuadStore, journal: Journal) -> bool:
    """True when a new snapshot is worth writing (none matches, or the journal grew enough)."""
    if not _kept_in_memory(store) or journal.readonly or not journal.records:
        return False
    meta = _meta(journal)
    if meta is None or not _matches(meta, journal):
        return True
    records = journal.records
    grown = records[-1].end - records[int(meta["revision"]) - 1].end
    return grown >= max(MIN_GROWTH, records[-1].end // 10)


def write(store: QuadStore, journal: Journal) -> bool:
    """Dump the store as the snapshot of the journal's current revision (the caller holds the
    store level with the journal and still); False when it cannot be written."""
    if not _kept_in_memory(store) or journal.readonly or not journal.records:
        return False
    record = journal.records[-1]
    folder = journal.directory / DIRECTORY
    name = f"state-{record.revision}-{record.digest[:16]}.nq"
    temp = folder / f".{name}.{uuid.uuid4().hex}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        store.store.dump(output=str(temp), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
        fsync_path(temp)
        os.replace(temp, folder / name)
        journal.save_headers(folder / HEADERS, record.revision)
        meta = {
            "format": FORMAT,
            "revision": record.revision,
            "digest": record.digest,
            "file": name,
            "bytes": (folder / name).stat().st_size,
            "quads": len(store),  # type: ignore[arg-type]
            "headers": HEADERS,
        }
        write_json(folder / META, meta)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    for old in folder.glob("state-*.nq"):
        if old.name != name:
            with contextlib.suppress(OSError):
                old.unlink()
    return True


def current_file(store: QuadStore, journal: Journal) -> Path | None:
    """The snapshot file holding the journal's current revision, written now if the last one
    is older (the caller holds the store level and still); None if it cannot be had."""
    if not journal.records:
        return None
    meta = _meta(journal)
    if meta is None or meta.get("revision") != journal.revision or not _matches(meta, journal):
        if not write(store, journal):
            return None
        meta = _meta(journal)
    if meta is None:
        return None
    path = journal.directory / DIRECTORY / str(meta.get("file", ""))
    return path if path.is_file() else None


def headers(directory: Path) -> tuple[int, Path] | None:
    """The record headers written with the snapshot, and the revision they reach."""
    meta = _meta(Journal(directory))
    if meta is None or meta.get("headers") != HEADERS or not isinstance(meta.get("revision"), int):
        return None
    path = Path(directory) / DIRECTORY / HEADERS
    return (meta["revision"], path) if path.is_file() else None
