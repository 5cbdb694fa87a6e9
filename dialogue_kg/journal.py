"""The journal: the archive's append-only, hash-chained system of record.

Each change set is one record in RDF Patch form (Apache Jena RDF Delta)::

    H id <https://w3id.org/dialogue-kg/changeset/7> .
    H prev "<digest of record 6>" .
    H agent <…> .   H time "…"^^xsd:dateTime .   H source <…> .   H comment "…" .
    H digest "<sha256 of every other line of this record>" .
    TX .
    D <s> <p> <o> .            (a statement retracted)
    A <s> <p> <o> <g> .        (a statement asserted, in the change set's named graph)
    TC .

A write is acknowledged only after ``fsync``. A record cut short by a crash (the file ends before
its ``TC .`` line, or before the last record of its batch) is torn: it was never acknowledged, and
it is discarded when the journal is next opened for writing. Any other damage is corruption: it is
reported, never skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
_END = b"\nTC .\n"
_TX = b"TX .\n"
_IOV_MAX = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") else 16


class JournalError(Exception):
    """The journal is corrupt or cannot be used."""


class ConflictError(Exception):
    """The journal moved on since the writer read it (optimistic concurrency)."""

    def __init__(self, expected: str | None, actual: str | None, revision: int) -> None:
        super().__init__(
            f"the archive changed since it was read (now at revision {revision}); "
            "reload and apply your change again"
        )
        self.expected, self.actual, self.revision = expected, actual, revision


@dataclass
class Draft:
    """A change set ready to be written: statements as N-Quads/N-Triples lines, and metadata."""

    changeset: str
    agent: str
    time: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    comment: str | None = None
    imported_graph: str | None = None
    # More asserted statements (bulk loads): N-Triples lines without their " ." and line break,
    # asserted in the change set's graph.
    added_lines: list[bytes] = field(default_factory=list)


@dataclass
class Record:
    """One change set as read back from the journal."""

    revision: int
    changeset: str
    prev: str | None
    digest: str
    agent: str
    time: str
    sources: list[str]
    comment: str | None
    imported_graph: str | None
    batch: tuple[int, int] | None
    offset: int
    end: int
    body: bytes = field(repr=False, default=b"")
    n_added: int = 0
    n_removed: int = 0

    def added(self) -> list[ox.Quad]:
        """The quads this change set asserted."""
        return _parse_lines(self.body, b"A ")

    def removed(self) -> list[ox.Quad]:
        """The statements this change set retracted (as quads in the default graph)."""
        return _parse_lines(self.body, b"D ")

    def added_text(self) -> bytes:
        """The asserted statements as N-Quads text (cheap: no parsing)."""
        return _select_lines(self.body, b"A ")

    def removed_text(self) -> bytes:
        """The retracted statements as N-Quads text."""
        return _select_lines(self.body, b"D ")

    def counts(self) -> tuple[int, int]:
        """(statements asserted, statements retracted)."""
        return self.n_added, self.n_removed


@dataclass
class ScanResult:
    """What a scan of the journal file found."""

    records: list[Record]
    good_end: int
    torn_bytes: int


def _select_lines(body: bytes, tag: bytes) -> bytes:
    out = []
    for line in body.splitlines(keepends=True):
        if line.startswith(tag):
            out.append(line[2:])
    return b"".join(out)


def _parse_lines(body: bytes, tag: bytes) -> list[ox.Quad]:
    text = _select_lines(body, tag)
    if not text:
        return []
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def _term(value: str) -> str:
    """Decode one header value written in N-Triples term syntax."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    triple = next(ox.parse(f"<urn:x:s> <urn:x:p> {value} .", format=ox.RdfFormat.N_TRIPLES))
    return triple.object.value


def _literal(text: str) -> str:
    return str(ox.Literal(text))


def encode(draft: Draft, prev: str | None, batch: tuple[int, int] | None) -> tuple[bytes, str]:
    """Serialise a draft as one record; return its bytes and digest."""
    head, rest, digest, _ = _encode(draft, prev, batch)
    return head + b"".join(rest), digest


def _encode(
    draft: Draft, prev: str | None, batch: tuple[int, int] | None
) -> tuple[bytes, list[bytes], str, int]:
    """A record as its header lines (digest included) and the parts of the rest, its digest and
    the number of statements it asserts. The parts are written as they are (no joined copy)."""
    head = [f"H id <{draft.changeset}> ."]
    if prev is not None:
        head.append(f"H prev {_literal(prev)} .")
    if batch is not None:
        head.append(f'H batch "{batch[0]}/{batch[1]}" .')
    head.append(f"H agent <{draft.agent}> .")
    head.append(f'H time "{draft.time}"^^<{XSD_DATETIME}> .')
    for src in draft.sources:
        head.append(f"H source {src if src.startswith('<') else _literal(src)} .")
    if draft.comment:
        head.append(f"H comment {_literal(draft.comment)} .")
    if draft.imported_graph:
        head.append(f"H graph <{draft.imported_graph}> .")
    head_bytes = ("\n".join(head) + "\n").encode()
    parts = [b"TX .\n"]
    if draft.removed:
        parts.append(("".join(f"D {line} .\n" for line in draft.removed)).encode())
    if draft.added:
        parts.append(("".join(f"A {line} .\n" for line in draft.added)).encode())
    added = len(draft.added)
    if draft.added_lines:
        end = f" <{draft.changeset}> .\n".encode()
        parts.append(b"A " + (end + b"A ").join(draft.added_lines) + end)
        added += len(draft.added_lines)
    parts.append(b"TC .\n")
    hasher = hashlib.sha256(head_bytes)
    for part in parts:
        hasher.update(part)
    digest = hasher.hexdigest()
    return head_bytes + f"H digest {_literal(digest)} .\n".encode(), parts, digest, added


def _header(head: bytes, revision: int, offset: int) -> tuple[dict[str, list[str]], str]:
    """The values of a record's ``H`` lines, by key, and its digest line."""
    values: dict[str, list[str]] = {}
    digest_line = ""
    for line in head.decode("utf-8").splitlines():
        if not line.startswith("H ") or not line.endswith(" ."):
            raise JournalError(f"record {revision} at byte {offset}: bad header line {line!r}")
        key, _, value = line[2:-2].partition(" ")
        if key == "digest":
            digest_line = line + "\n"
        values.setdefault(key, []).append(value)
    if not digest_line or "id" not in values:
        raise JournalError(f"record {revision} at byte {offset}: no digest or id header")
    return values, digest_line


def _record(
    values: dict[str, list[str]],
    revision: int,
    span: tuple[int, int],
    body: bytes,
    counts: tuple[int, int],
) -> Record:
    batch = None
    if "batch" in values:
        i, n = _term(values["batch"][0]).split("/")
        batch = (int(i), int(n))
    return Record(
        revision=revision,
        changeset=_term(values["id"][0]),
        prev=_term(values["prev"][0]) if "prev" in values else None,
        digest=_term(values["digest"][0]),
        agent=_term(values.get("agent", ["<urn:unknown>"])[0]),
        time=_term(values.get("time", ['""'])[0]),
        sources=[_term(v) for v in values.get("source", [])],
        comment=_term(values["comment"][0]) if "comment" in values else None,
        imported_graph=_term(values["graph"][0]) if "graph" in values else None,
        batch=batch,
        offset=span[0],
        end=span[1],
        body=body,
        n_added=counts[0],
        n_removed=counts[1],
    )


def _decode(data: bytes, offset: int, end: int, revision: int) -> Record:
    """Parse and check one complete record ``data[offset:end]``."""
    raw = data[offset:end]
    tx = raw.find(_TX)
    if tx < 0 or not raw.startswith(b"H id "):
        raise JournalError(f"record {revision} at byte {offset}: not an RDF Patch record")
    values, digest_line = _header(raw[:tx], revision, offset)
    head_wo = raw[:tx].replace(digest_line.encode(), b"", 1)
    actual = hashlib.sha256(head_wo + raw[tx:]).hexdigest()
    digest = _term(values["digest"][0])
    if actual != digest:
        raise JournalError(
            f"record {revision} at byte {offset}: digest mismatch (stored {digest[:12]}…, "
            f"content hashes to {actual[:12]}…): the record was altered"
        )
    body = raw[tx + len(_TX) : -len(b"TC .\n")]
    counts = (
        body.count(b"\nA ") + body.startswith(b"A "),
        body.count(b"\nD ") + body.startswith(b"D "),
    )
    return _record(values, revision, (offset, end), body, counts)


def scan(
    data: bytes, start: int = 0, first_revision: int = 1, prev: str | None = None
) -> ScanResult:
    """Read every complete record from ``data[start:]``, checking digests and the chain."""
    records: list[Record] = []
    pos, revision = start, first_revision
    while pos < len(data):
        hit = data.find(_END, pos)
        if hit < 0:
            break
        end = hit + len(_END)
        record = _decode(data, pos, end, revision)
        if record.prev != prev:
            raise JournalError(
                f"record {revision} at byte {pos}: broken hash chain (prev does not match the "
                "digest of the record before it)"
            )
        records.append(record)
        prev, pos, revision = record.digest, end, revision + 1
    # A batch is acknowledged as a whole: complete records of an unfinished last batch are torn.
    while records and records[-1].batch and records[-1].batch[0] < records[-1].batch[1]:
        first = len(records) - records[-1].batch[0]
        pos = records[first].offset
        del records[first:]
    return ScanResult(records=records, good_end=pos, torn_bytes=len(data) - pos)


class Journal:
    """The journal file of one data directory."""

    FILENAME = "journal.rdfp"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / self.FILENAME
        self.lock_path = self.directory / "journal.lock"
        self.records: list[Record] = []
        self._end = 0
        self._thread_lock = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_depth = 0

    # -- reading -----------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """Number of change sets in the journal (the current revision)."""
        return len(self.records)

    @property
    def head(self) -> str | None:
        """Digest of the last record (None for an empty journal)."""
        return self.records[-1].digest if self.records else None

    def open(self) -> Journal:
        """Read the journal; discard a torn tail (under the write lock); raise on corruption."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self._create()
        result = scan(self._read())
        if result.torn_bytes:
            with self.lock():
                result = scan(self._read())
                if result.torn_bytes:
                    self._truncate(result.good_end)
        self.records, self._end = result.records, result.good_end
        return self

    def refresh(self) -> list[Record]:
        """Read records appended by other processes since the last read; return them."""
        size = self.path.stat().st_size
        if size == self._end:
            return []
        if size < self._end:
            raise JournalError("the journal shrank while open: it was modified from outside")
        with open(self.path, "rb") as fh:
            fh.seek(self._end)
            data = fh.read()
        tail = scan(data, 0, self.revision + 1, self.head)
        for r in tail.records:
            r.offset += self._end
            r.end += self._end
        self.records.extend(tail.records)
        self._end += tail.good_end
        return tail.records

    def read_records(self, first: int = 1, last: int | None = None) -> Iterator[Record]:
        """Records ``first``..``last`` (inclusive), with their statements."""
        last = self.revision if last is None else min(last, self.revision)
        if first > last:
            return
        with open(self.path, "rb") as fh:
            for record in self.records[first - 1 : last]:
                fh.seek(record.offset)
                data = fh.read(record.end - record.offset)
                full = _decode(data, 0, len(data), record.revision)
                full.offset, full.end = record.offset, record.end
                yield full

    def verify(self) -> ScanResult:
        """Re-read the whole file, checking every digest and the chain; raise on damage."""
        result = scan(self._read())
        if result.torn_bytes:
            raise JournalError(
                f"{result.torn_bytes} bytes after record {len(result.records)} do not form a "
                "complete record"
            )
        return result

    # -- writing -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the exclusive write lock, shared by every process using this directory.

        Re-entrant within one process (threads queue on an RLock; the file lock is taken once).
        """
        with self._thread_lock:
            if self._lock_depth == 0:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._lock_fd = fd
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    def append(self, drafts: list[Draft], expected_head: str | None | object = ...) -> list[Record]:
        """Durably append drafts as one all-or-nothing batch. Call with :meth:`lock` held.

        ``expected_head`` (the digest the writer last saw) enables optimistic concurrency.
        """
        self.refresh()
        if self.path.stat().st_size > self._end:
            # We hold the lock, so nobody is writing: bytes past the last record are a torn
            # write by a process that died. Never acknowledged; drop them before appending.
            self._truncate(self._end)
        if expected_head is not ... and expected_head != self.head:
            raise ConflictError(expected_head, self.head, self.revision)  # type: ignore[arg-type]
        pieces, prev = [], self.head
        n = len(drafts)
        for i, draft in enumerate(drafts, start=1):
            head, rest, prev, added = _encode(draft, prev, (i, n) if n > 1 else None)
            pieces.append((head, rest, (added, len(draft.removed))))
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            _write_all(fd, [part for head, rest, _ in pieces for part in (head, *rest)])
            os.fsync(fd)
        finally:
            os.close(fd)
        # The records as written, from the header lines just encoded (the statements stay with
        # the caller, who applies them; a record without its body is re-read when needed).
        records, offset, prev = [], self._end, self.head
        for revision, (head, rest, counts) in enumerate(pieces, start=self.revision + 1):
            end = offset + len(head) + sum(len(part) for part in rest)
            values, _ = _header(head, revision, offset)
            record = _record(values, revision, (offset, end), b"", counts)
            if record.prev != prev:
                raise JournalError("the journal record just written does not chain")
            records.append(record)
            offset, prev = end, record.digest
        self.records.extend(records)
        self._end = offset
        return records

    # -- internals ---------------------------------------------------------------------------

    def _read(self) -> bytes:
        with open(self.path, "rb") as fh:
            return fh.read()

    def _create(self) -> None:
        with self.lock():
            if not self.path.exists():
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                os.fsync(fd)
                os.close(fd)
                _fsync_dir(self.directory)

    def _truncate(self, size: int) -> None:
        with open(self.path, "r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())


def _write_all(fd: int, buffers: list[bytes]) -> None:
    """Write every buffer, in order, with as few system calls as the kernel allows."""
    pending = [memoryview(b) for b in buffers if b]
    first = 0
    while first < len(pending):
        written = os.writev(fd, pending[first : first + _IOV_MAX])
        while written:
            size = len(pending[first])
            if written >= size:
                written -= size
                first += 1
            else:
                pending[first] = pending[first][written:]
                written = 0


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
