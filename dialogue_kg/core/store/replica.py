"""The on-disk replica: the current state as an Oxigraph (RocksDB) store that opens in milliseconds.

The in-memory store answers the server's queries fastest, but filling it costs a load of every
quad at each start (3 s at 1M quads here), which a one-off command line call should not pay. So a
read-only command (``query``, ``report``, ``analyse``, ``export``) opens the replica instead:
``DATA_DIR/replica/r<revision>-<digest>/``, a RocksDB store holding exactly what the in-memory
store holds at that journal revision, with the journal's record headers up to it
(``records.json``, see :meth:`Journal.save_headers`) so that the journal need not be read
whole either.

- **Immutable once made.** A replica directory is never written after it is renamed into
  place, so any number of processes may open it read-only at once.
- **Advanced by difference.** When the journal has grown past the newest replica, the next
  reader makes a RocksDB checkpoint of it (hard links to its immutable files: milliseconds, no
  copy), applies only the newer records to the checkpoint, and renames it into place as the
  replica of the new head. Cost in proportion to what was written, not to the archive.
- **Derived and disposable.** The journal stays the system of record. A replica that does not
  match the journal (its revision's digest differs, the directory is incomplete) is ignored and
  made again from the in-memory store's snapshot; ``dialogue-kg rebuild`` removes them all;
  deleting ``replica/`` is always safe.
- **Readers keep theirs.** Each reader holds a shared ``flock`` on its replica's ``reader.lock``;
  an old replica is deleted only when nobody holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.core.journal import Journal, Record, fsync_path, write_json
from dialogue_kg.core.store import snapshot
from dialogue_kg.core.store.base import QuadStore
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.namespaces import Minter

DIRECTORY = "replica"
META = "replica.json"
HEADERS = "records.json"
STORE = "store"
LOCK = "reader.lock"
FORMAT = 1
Apply = Callable[[OxigraphStore, Record], None]


class ReplicaStore(OxigraphStore):
    """A replica opened read-only, pinned at its revision (writes fail in the engine)."""

    def __init__(self, minter: Minter, folder: Path, revision: int, lock_fd: int) -> None:
        QuadStore.__init__(self, minter)
        self.path = folder / STORE
        self.folder = folder
        self.revision = revision
        self._lock_fd: int | None = lock_fd
        self.store = ox.Store.read_only(str(self.path))

    def applied_revision(self) -> int:
        """The revision the replica holds (it cannot be moved: it is read-only)."""
        return self.revision

    def close(self) -> None:
        """Let go of the store and of the reader's lock."""
        self.__dict__.pop("store", None)
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _root(journal: Journal) -> Path:
    return journal.directory / DIRECTORY


def _meta(journal: Journal) -> dict | None:
    try:
        meta = json.loads((_root(journal) / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        return None
    if not isinstance(meta.get("revision"), int) or not isinstance(meta.get("name"), str):
        return None
    return meta


def _name(record: Record) -> str:
    return f"r{record.revision}-{record.digest[:16]}"


def headers_file(directory: Path) -> Path | None:
    """The newest record headers kept with derived state (the newest replica's or the
    snapshot's; None when neither has any): what lets the journal open without reading the
    records they list."""
    journal = Journal(directory)
    found = []
    meta = _meta(journal)
    if meta is not None and "/" not in meta["name"]:
        path = _root(journal) / meta["name"] / HEADERS
        if path.is_file():
            found.append((meta["revision"], path))
    kept = snapshot.headers(directory)
    if kept is not None:
        found.append(kept)
    return max(found)[1] if found else None


def _lock_shared(folder: Path) -> int | None:
    """A shared lock on the replica at ``folder`` (None when it is not a complete replica)."""
    try:
        fd = os.open(folder / LOCK, os.O_RDONLY)
    except OSError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    if not (folder / LOCK).exists():  # deleted while we waited for the lock
        os.close(fd)
        return None
    return fd


def at_head(journal: Journal) -> bool:
    """True when the newest replica holds the journal's current revision."""
    meta = _meta(journal)
    return (
        meta is not None
        and meta["revision"] == journal.revision > 0
        and meta["name"] == _name(journal.records[-1])
        and (_root(journal) / meta["name"] / LOCK).exists()
    )


def open_current(journal: Journal, minter: Minter, apply: Apply) -> ReplicaStore | None:
    """The replica at the journal's current revision, read-only: the newest one if it is at
    the head, else a checkpoint of it brought level by ``apply``-ing the newer records. None
    when there is no replica matching the journal (make one with :func:`make`)."""
    meta = _meta(journal)
    if meta is None or not 0 < meta["revision"] <= journal.revision:
        return None
    record = journal.records[meta["revision"] - 1]
    if meta["name"] != _name(record):
        return None
    replica = _open(_root(journal) / meta["name"], record.revision, minter)
    if replica is None or record.revision == journal.revision:
        return replica
    newer = _advance(replica, journal, minter, apply)
    replica.close()
    _drop_unread(_root(journal), keep=_name(journal.records[-1]))
    return newer


def _advance(
    replica: ReplicaStore, journal: Journal, minter: Minter, apply: Apply
) -> ReplicaStore | None:
    """A new replica at the journal's head: a checkpoint of ``replica`` plus the newer records."""
    head = journal.records[-1]

    def fill(target: Path) -> None:
        replica.store.backup(str(target))
        store = OxigraphStore(minter, target)
        try:
            for record in journal.read_after(replica.revision):
                apply(store, record)
        finally:
            store.close()

    return _publish(journal, head, minter, fill)


def make_from_store(journal: Journal, minter: Minter, store: OxigraphStore) -> ReplicaStore | None:
    """A replica of the journal's head made as a checkpoint of the on-disk store ``store``,
    which holds that state (the caller holds it level and still): hard links, no copy."""
    head = journal.records[-1]

    def fill(target: Path) -> None:
        store.store.flush()
        store.store.backup(str(target))

    return _publish(journal, head, minter, fill)


def make(journal: Journal, minter: Minter, nquads: Path) -> ReplicaStore | None:
    """A replica of the journal's head loaded from ``nquads`` (the in-memory store's snapshot
    file, which holds exactly that state), opened read-only; None if it cannot be written."""
    head = journal.records[-1]

    def fill(target: Path) -> None:
        store = ox.Store(str(target))
        # Written by pyoxigraph's own serialiser: lenient parsing skips re-checking its terms.
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=True)
        store.flush()
        del store

    return _publish(journal, head, minter, fill)


def _publish(
    journal: Journal, head: Record, minter: Minter, fill: Callable[[Path], None]
) -> ReplicaStore | None:
    """Fill a fresh directory, rename it into place as the replica of ``head`` and point the
    meta file at it; return it opened read-only."""
    root = _root(journal)
    name = _name(head)
    folder = root / name
    temp = root / f".tmp-{name}-{uuid.uuid4().hex}"
    try:
        root.mkdir(exist_ok=True)
        if not (folder / LOCK).exists():
            temp.mkdir()
            fill(temp / STORE)
            journal.save_headers(temp / HEADERS, head.revision)
            (temp / LOCK).touch()
            for path in (temp / STORE, temp):
                fsync_path(path)
            try:
                os.rename(temp, folder)
            except OSError:  # another process published the same revision first
                shutil.rmtree(temp, ignore_errors=True)
        meta = {"format": FORMAT, "revision": head.revision, "digest": head.digest, "name": name}
        write_json(root / META, meta)
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        return None
    _drop_unread(root, keep=name)  # a replica a reader holds (ours too) stays
    return _open(folder, head.revision, minter)


def _open(folder: Path, revision: int, minter: Minter) -> ReplicaStore | None:
    """The complete replica at ``folder``, read-only and held (None if it is not there)."""
    fd = _lock_shared(folder)
    if fd is None:
        return None
    try:
        return ReplicaStore(minter, folder, revision, fd)
    except OSError:
        os.close(fd)
        return None


def _drop_unread(root: Path, keep: str) -> None:
    """Delete every other replica that no reader holds (left-over temporary ones included)."""
    for folder in root.iterdir():
        if folder.name == keep or not folder.is_dir():
            continue
        if folder.name.startswith(".tmp-"):
            # Another process's work in progress, unless it is a day old (left by a crash).
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > 86_400:
                    shutil.rmtree(folder, ignore_errors=True)
            continue
        fd = None
        with contextlib.suppress(OSError):
            fd = os.open(folder / LOCK, os.O_RDONLY)
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # somebody is reading it
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            if fd is not None:
                os.close(fd)


def remove_all(directory: Path) -> None:
    """Delete every replica (``dialogue-kg rebuild``): the next reader makes a new one."""
    shutil.rmtree(Path(directory) / DIRECTORY, ignore_errors=True)
