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

Header values are written in N-Triples term syntax, escaped so that every header line is plain
ASCII: any Unicode text round-trips, and no value can end its line or forge another header. IRIs
are checked with Oxigraph's RFC 3987 parser before anything is written. Records and lines are
split on the byte ``\n`` only.

A write is acknowledged only after ``fsync``. A record cut short by a crash (the file ends before
its ``TC .`` line, or before the last record of its batch) is torn: it was never acknowledged. A
torn tail is left in place when the journal is opened; the next writer, holding the write lock,
drops it before appending, and ``dialogue-kg repair`` cuts it (keeping a backup). A tail is torn
only when it is the beginning of a valid record; any other damage is corruption: it is reported,
never skipped or cut.

Once a directory's journal has a record, ``archive.json`` beside it names that first record, so
that a journal later found missing, emptied or cut inside its first batch is an error, never a
reason to start again from graph_data/.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import json
import mmap
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dialogue_kg.core.changeset import InputError
from dialogue_kg.errors import DialogueKGError

XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
MARKER = "archive.json"
# pyoxigraph's N-Quads reader gives up on a term longer than this (16 MiB): a statement line
# longer than that would be written and then never read back, so none is written.
MAX_LINE_BYTES = 16 * 1024 * 1024 - 1024
HEADERS_FORMAT = 1  # the layout of a file written by Journal.save_headers
HEADER_KEYS = frozenset(
    {"id", "prev", "batch", "agent", "time", "source", "comment", "graph", "digest"}
)
_END = b"\nTC .\n"
_TX = b"\nTX .\n"
_HEADER_LINE = re.compile(rb"H ([a-z]+) (.+) \.")
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_NOT_A_STATEMENT = re.compile(rb"^(?![AD] )", re.MULTILINE)
_STATEMENT_TAG = re.compile(rb"^[AD] ", re.MULTILINE)
# Everything but printable ASCII other than '"' and '\' is escaped in a literal; only non-ASCII
# needs escaping in an IRI (a valid IRI holds no ASCII control, space, '"', '<', '>' or '\').
_LITERAL_ESCAPES = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ECHAR = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
_IOV_MAX = min(os.sysconf("SC_IOV_MAX"), 1024) if hasattr(os, "sysconf") else 16


class JournalError(DialogueKGError):
    """The journal is corrupt or cannot be used."""

    status, kind = 500, "journal"


class ConflictError(DialogueKGError):
    """The journal moved on since the writer read it (optimistic concurrency)."""

    status, kind = 409, "conflict"

    def __init__(self, expected: str | None, actual: str | None, revision: int) -> None:
        super().__init__(
            f"the archive changed since it was read (now at revision {revision}); "
            "reload and apply your change again"
        )
        self.expected, self.actual, self.revision = expected, actual, revision

    def details(self) -> dict[str, Any]:
        """The message, the head the journal is at now and its revision."""
        return {**super().details(), "head": self.actual, "revision": self.revision}


@dataclass
class Draft:
    """A change set ready to be written: statements as N-Quads/N-Triples lines, and metadata
    (``changeset``, ``agent``, ``sources`` and ``imported_graph`` are IRIs; ``comment`` is text)."""

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


@dataclass(frozen=True)
class Record:
    """One change set as read back from the journal (immutable). Its statements are handed out
    typed (:meth:`added`, :meth:`removed`, :meth:`iris`); only this module reads its lines. A
    record from the journal's index may come without them: :meth:`Journal.read_records` reads
    them."""

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
    n_added: int = 0
    n_removed: int = 0
    _body: bytes = field(repr=False, default=b"", compare=False)

    @property
    def has_statements(self) -> bool:
        """True when the record carries its statements (else only its header and counts)."""
        return bool(self._body)

    def added(self) -> list[ox.Quad]:
        """The quads this change set asserted (in its named graph)."""
        return _parse_lines(self._body, b"A ")

    def removed(self) -> list[ox.Quad]:
        """The statements this change set retracted (as quads in the default graph)."""
        return _parse_lines(self._body, b"D ")

    def iris(self) -> set[str]:
        """Every IRI its statements name as subject, predicate or object (not its graph)."""
        return {
            term.value
            for q in (*self.removed(), *self.added())
            for term in (q.subject, q.predicate, q.object)
            if isinstance(term, ox.NamedNode)
        }

    def counts(self) -> tuple[int, int]:
        """(statements asserted, statements retracted)."""
        return self.n_added, self.n_removed


@dataclass
class ScanResult:
    """What a scan of the journal file found."""

    records: list[Record]
    good_end: int
    torn_bytes: int
    # Complete records of an unfinished last batch (torn with it: never acknowledged).
    unfinished: list[Record] = field(default_factory=list)


@dataclass
class Repair:
    """What :meth:`Journal.repair` cut: the torn tail's place and size, the complete records of an
    unfinished batch it dropped, and the copy of the whole journal kept first."""

    revision: int
    cut_at: int
    cut_bytes: int
    dropped: list[Record]
    backup: Path | None


def _lines(body: bytes) -> list[bytes]:
    """The lines of a record's body, split on the byte ``\\n`` only."""
    lines = body.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _select_lines(body: bytes, tag: bytes) -> bytes:
    return b"".join(line[2:] + b"\n" for line in _lines(body) if line.startswith(tag))


def _parse_lines(body: bytes, tag: bytes) -> list[ox.Quad]:
    text = _select_lines(body, tag)
    if not text:
        return []
    return list(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def _show(value: str) -> str:
    """A value for an error message: quoted and escaped, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 90 else text[:86] + "…" + text[-1]


def check_text(value: str, what: str) -> str:
    """``value`` when it is Unicode text the journal can hold; InputError naming ``what`` when it
    holds a lone surrogate (not text: it cannot be encoded, stored or read back)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{what} {_show(value)} is not Unicode text (a lone surrogate at character "
            f"{exc.start}); nothing was written"
        ) from None
    return value


def check_iri(value: str, what: str) -> str:
    """``value`` when it is an absolute IRI (RFC 3987, as Oxigraph's IRI parser reads it);
    InputError naming ``what`` otherwise: a space, quote, '<', '>' or line break is refused."""
    check_text(value, what)
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(
            f"{what} {_show(value)} is not an IRI ({exc}); nothing was written"
        ) from None
    return value


def _uchar(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _iri(value: str, what: str) -> str:
    """An IRI as an N-Triples IRIREF, non-ASCII characters escaped (``\\uXXXX``)."""
    check_iri(value, what)
    return "<" + _NON_ASCII.sub(lambda m: _uchar(m.group()), value) + ">"


def _literal(value: str, what: str = "value", datatype: str | None = None) -> str:
    """Text as an N-Triples literal in plain ASCII: every character outside printable ASCII, line
    breaks and separators such as U+2028 and U+0085 included, escaped."""
    check_text(value, what)
    body = _LITERAL_ESCAPES.sub(lambda m: _ECHAR.get(m.group()) or _uchar(m.group()), value)
    return f'"{body}"' + (f"^^<{datatype}>" if datatype else "")


def _term(value: str, *, strict: bool = False) -> str:
    """Decode one header value written in N-Triples term syntax (JournalError if it is not)."""
    if not strict and "\\" not in value:
        # Fast paths for what the journal itself writes without an escape.
        if value.startswith("<") and value.endswith(">"):
            return value[1:-1]
        if value.startswith('"') and value.count('"') == 2:
            if value.endswith('"'):
                return value[1:-1]
            if value.endswith(f'"^^<{XSD_DATETIME}>'):
                return value[1 : value.index('"', 1)]
    try:
        triples = list(
            ox.parse(f"<urn:x:s> <urn:x:p> {value} .".encode(), format=ox.RdfFormat.N_TRIPLES)
        )
    except (SyntaxError, ValueError) as exc:
        raise JournalError(f"bad header value {_show(value)}: {exc}") from None
    if len(triples) != 1:
        raise JournalError(f"bad header value {_show(value)}")
    return triples[0].object.value


def encode(draft: Draft, prev: str | None, batch: tuple[int, int] | None) -> tuple[bytes, str]:
    """Serialise a draft as one record; return its bytes and digest."""
    head, rest, digest, _ = _encode(draft, prev, batch)
    return head + b"".join(rest), digest


def _encode(
    draft: Draft, prev: str | None, batch: tuple[int, int] | None
) -> tuple[bytes, list[bytes], str, int]:
    """A record as its header lines (digest included) and the parts of the rest, its digest and
    the number of statements it asserts. The parts are written as they are (no joined copy).

    Raises InputError, before anything is written, for a header value that is not an IRI where
    one is due, or not Unicode text."""
    head = [f"H id {_iri(draft.changeset, 'change set')} ."]
    if prev is not None:
        head.append(f"H prev {_literal(prev, 'prev')} .")
    if batch is not None:
        head.append(f'H batch "{batch[0]}/{batch[1]}" .')
    head.append(f"H agent {_iri(draft.agent, 'agent')} .")
    head.append(f"H time {_literal(draft.time, 'time', XSD_DATETIME)} .")
    for src in draft.sources:
        head.append(f"H source {_iri(src, 'source')} .")
    if draft.comment:
        head.append(f"H comment {_literal(draft.comment, 'comment')} .")
    if draft.imported_graph:
        head.append(f"H graph {_iri(draft.imported_graph, 'graph')} .")
    head_bytes = ("\n".join(head) + "\n").encode("ascii")
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
    check_line_lengths(draft)
    hasher = hashlib.sha256(head_bytes)
    for part in parts:
        hasher.update(part)
    digest = hasher.hexdigest()
    return head_bytes + f"H digest {_literal(digest)} .\n".encode(), parts, digest, added


def check_line_lengths(draft: Draft) -> None:
    """InputError when a statement, as the journal writes it (escapes included), is longer than
    the journal's reader takes: it would brick the archive on the next read."""
    groups = (draft.removed, draft.added, draft.added_lines)
    longest = max(max(map(len, group), default=0) for group in groups)  # C speed: 1M lines
    if longest > MAX_LINE_BYTES // 6:
        longest = max(
            (
                len(line if isinstance(line, bytes) else line.encode())
                for line in (*draft.removed, *draft.added, *draft.added_lines)
            ),
            default=0,
        )
    if longest > MAX_LINE_BYTES:
        raise InputError(
            f"a statement is {longest:,} bytes long as the journal writes it (escapes included); "
            f"the journal reads back at most {MAX_LINE_BYTES:,}: nothing was written"
        )


def _header(head: bytes, revision: int, offset: int) -> tuple[dict[str, list[str]], bytes]:
    """The values of a record's ``H`` lines, by key, and its digest line."""
    values: dict[str, list[str]] = {}
    digest_line = b""
    for line in _lines(head):
        match = _HEADER_LINE.fullmatch(line)
        try:
            value = match.group(2).decode("utf-8") if match else ""
        except UnicodeDecodeError:
            match = None
        if match is None:
            shown = _show(line.decode("utf-8", "replace"))
            raise JournalError(f"record {revision} at byte {offset}: bad header line {shown}")
        key = match.group(1).decode()
        if key == "digest":
            digest_line = line + b"\n"
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
    try:
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
            n_added=counts[0],
            n_removed=counts[1],
            _body=body,
        )
    except (JournalError, ValueError) as exc:
        raise JournalError(f"record {revision} at byte {span[0]}: {exc}") from None


def _decode(data: bytes, offset: int, end: int, revision: int) -> Record:
    """Parse and check one complete record ``data[offset:end]``."""
    raw = data[offset:end]
    tx = raw.find(_TX) + 1
    if not tx or not raw.startswith(b"H id "):
        raise JournalError(f"record {revision} at byte {offset}: not an RDF Patch record")
    values, digest_line = _header(raw[:tx], revision, offset)
    head_wo = raw[:tx].replace(digest_line, b"", 1)
    actual = hashlib.sha256(head_wo + raw[tx:]).hexdigest()
    digest = _term(values["digest"][0])
    if actual != digest:
        raise JournalError(
            f"record {revision} at byte {offset}: digest mismatch (stored {digest[:12]}…, "
            f"content hashes to {actual[:12]}…): the record was altered"
        )
    body = raw[tx + len(_TX) - 1 : -len(b"TC .\n")]
    counts = (
        body.count(b"\nA ") + body.startswith(b"A "),
        body.count(b"\nD ") + body.startswith(b"D "),
    )
    return _record(values, revision, (offset, end), body, counts)


def _torn_problem(tail: bytes) -> tuple[int, str] | None:
    """Where (offset in ``tail``) and why ``tail`` is not the beginning of a valid record; None
    when it is one (a write cut short). Complete lines are checked in full, the last, unfinished
    one for what it can still become."""
    cut = tail.rfind(b"\n") + 1  # the unfinished last line starts here
    last, pos, in_body = tail[cut:], 0, False
    while pos < cut and not in_body:
        end = tail.index(b"\n", pos)
        line = tail[pos:end]
        problem = None
        if pos == 0 and not line.startswith(b"H id "):
            problem = "does not begin with an 'H id' line"
        elif line == b"TX .":
            in_body = True
        else:
            match = _HEADER_LINE.fullmatch(line)
            try:
                if match is None or match.group(1).decode() not in HEADER_KEYS:
                    raise JournalError("not an H line")
                _term(match.group(2).decode("utf-8"), strict=True)
            except (JournalError, UnicodeDecodeError):
                problem = f"bad header line {_show(line.decode('utf-8', 'replace'))}"
        if problem:
            return pos, problem
        pos = end + 1
    if pos < cut:  # complete statement lines: checked in bulk, line by line only to say where
        body = tail[pos:cut]
        odd = _NOT_A_STATEMENT.search(body[:-1])
        if odd is None and _parses(_STATEMENT_TAG.sub(b"", body)):
            pos = cut
        else:
            for line in body[:-1].split(b"\n"):
                if line[:2] not in (b"A ", b"D ") or not _parses(line[2:] + b"\n"):
                    return pos, f"bad statement line {_show(line.decode('utf-8', 'replace'))}"
                pos += len(line) + 1
    fixed, open_ended = ((b"TC .",), (b"A ", b"D ")) if in_body else ((b"TX .",), (b"H ",))
    if cut == 0:
        fixed, open_ended = (), (b"H id ",)
    fits = any(f.startswith(last) for f in fixed) or any(
        last.startswith(s) or s.startswith(last) for s in open_ended
    )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(last, final=False)
    except UnicodeDecodeError:
        fits = False
    if not fits or _CONTROL.search(last):
        return pos, f"bad last line {_show(last.decode('utf-8', 'replace'))}"
    return None


def _parses(nquads: bytes) -> bool:
    """True when ``nquads`` is valid N-Quads."""
    try:
        for _ in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
            pass
    except (SyntaxError, ValueError):
        return False
    return True


def scan(
    data: bytes,
    start: int = 0,
    first_revision: int = 1,
    prev: str | None = None,
    *,
    check_tail: bool = True,
) -> ScanResult:
    """Read every complete record from ``data[start:]``, checking digests, the chain and batches.

    With ``check_tail``, bytes after the last complete record must be the beginning of a valid
    record (a write cut short), else JournalError: that is damage, not a torn write."""
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
        before = records[-1].batch if records else None
        due = (before[0] + 1, before[1]) if before and before[0] < before[1] else None
        if record.batch != due and (due or (record.batch and record.batch[0] != 1)):
            raise JournalError(
                f"record {revision} at byte {pos}: batch {record.batch} where "
                f"{due or 'a record or the first of a batch'} was due"
            )
        records.append(record)
        prev, pos, revision = record.digest, end, revision + 1
    if check_tail and pos < len(data):
        problem = _torn_problem(data[pos:])
        if problem:
            at, why = problem
            raise JournalError(
                f"record {revision} at byte {pos}: {why} at byte {pos + at}. The journal ends "
                "with bytes "
                "that are not the beginning of a record: damage, not a write cut short. "
                "Nothing was cut; restore the journal from a backup"
            )
    # A batch is acknowledged as a whole: complete records of an unfinished last batch are torn.
    unfinished: list[Record] = []
    if records and records[-1].batch and records[-1].batch[0] < records[-1].batch[1]:
        first = len(records) - records[-1].batch[0]
        pos = records[first].offset
        unfinished = records[first:]
        del records[first:]
    return ScanResult(
        records=records, good_end=pos, torn_bytes=len(data) - pos, unfinished=unfinished
    )


class Journal:
    """The journal file of one data directory."""

    FILENAME = "journal.rdfp"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / self.FILENAME
        self.lock_path = self.directory / "journal.lock"
        self.marker_path = self.directory / MARKER
        self.records: list[Record] = []
        self.readonly = False
        self.torn_bytes = 0  # bytes of a write cut short after the last acknowledged record
        self._end = 0
        self._marked = False
        self._thread_lock = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._level_in_lock = False  # refreshed since the write lock was taken

    # -- reading -----------------------------------------------------------------------------

    @property
    def revision(self) -> int:
        """Number of change sets in the journal (the current revision)."""
        return len(self.records)

    @property
    def head(self) -> str | None:
        """Digest of the last record (None for an empty journal)."""
        return self.records[-1].digest if self.records else None

    def open(self, *, readonly: bool = False, headers: Path | None = None) -> Journal:
        """Read the journal; raise JournalError on damage, or when a directory that had a journal
        has lost it. A torn tail is left in place (see :meth:`append` and :meth:`repair`).

        ``readonly``: create and change nothing (``verify``, ``repair``); the journal must exist.
        ``headers``: a file written by :meth:`save_headers`; when it matches the journal, the
        records it lists are taken from it (their first and last records re-read and checked),
        and only the records after them are read from the journal (see :meth:`save_headers`).
        """
        self.readonly = readonly
        marker = self._marker()
        if not self.path.exists():
            if marker is not None:
                raise JournalError(self._lost("is missing", marker))
            if readonly:
                raise JournalError(f"no journal at {self.path}: this directory holds no archive")
            self.directory.mkdir(parents=True, exist_ok=True)
            self._create()
        known = self._load_headers(headers) if headers is not None else None
        if known:
            result = self._scan_after(known)
        else:
            result = scan(self._read())
        if marker is not None:
            self._check_start(result, marker)
        self._marked = marker is not None
        if result.records and not readonly:
            self._mark(result.records[0])
        self.records, self._end, self.torn_bytes = (
            result.records,
            result.good_end,
            result.torn_bytes,
        )
        return self

    def save_headers(self, path: Path, revision: int | None = None) -> None:
        """Write the headers of records 1..``revision`` (default: all) to ``path``, so that a
        later :meth:`open` with ``headers`` reads only the records after them.

        Derived data, like the store's snapshot: opening with it checks that the first and the
        last record it lists are in the file, where it says, with the digests it says (each
        read back and hashed), and reads every later record as usual. A record it lists is
        checked in full whenever its statements are read; ``dialogue-kg verify`` checks them
        all."""
        records = self.records[: self.revision if revision is None else revision]
        rows = [
            [
                r.changeset,
                r.prev,
                r.digest,
                r.agent,
                r.time,
                r.sources,
                r.comment,
                r.imported_graph,
                list(r.batch) if r.batch else None,
                r.offset,
                r.end,
                r.n_added,
                r.n_removed,
            ]
            for r in records
        ]
        write_json(path, {"format": HEADERS_FORMAT, "records": rows})

    def _load_headers(self, path: Path) -> list[Record] | None:
        """The records a headers file lists, when its first and last records check out against
        the file; None (read the whole journal) otherwise."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != HEADERS_FORMAT or not data.get("records"):
                return None
            records = [
                Record(
                    revision=i,
                    changeset=row[0],
                    prev=row[1],
                    digest=row[2],
                    agent=row[3],
                    time=row[4],
                    sources=list(row[5]),
                    comment=row[6],
                    imported_graph=row[7],
                    batch=tuple(row[8]) if row[8] else None,  # type: ignore[arg-type]
                    offset=row[9],
                    end=row[10],
                    n_added=row[11],
                    n_removed=row[12],
                )
                for i, row in enumerate(data["records"], start=1)
            ]
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None
        last = records[-1]
        if last.batch and last.batch[0] != last.batch[1]:
            return None
        try:
            with open(self.path, "rb") as fh:
                for listed in {records[0].revision: records[0], last.revision: last}.values():
                    fh.seek(listed.offset)
                    data_ = fh.read(listed.end - listed.offset)
                    if len(data_) != listed.end - listed.offset:
                        return None
                    read = _decode(data_, 0, len(data_), listed.revision)
                    if (read.digest, read.prev, read.changeset) != (
                        listed.digest,
                        listed.prev,
                        listed.changeset,
                    ):
                        return None
        except (OSError, JournalError):
            return None
        return records

    def _scan_after(self, known: list[Record]) -> ScanResult:
        """Scan only the bytes after the last of ``known`` records, chained to it."""
        last = known[-1]
        with _mapped(self.path) as data:
            after = scan(data, last.end, last.revision + 1, last.digest)
        return ScanResult(
            records=known + after.records,
            good_end=after.good_end,
            torn_bytes=after.torn_bytes,
            unfinished=after.unfinished,
        )

    def refresh(self) -> list[Record]:
        """Read records appended by other processes since the last read; return them.

        While this process holds the write lock nobody else can append, so the file is read
        once per holding of the lock (a writer's refresh before appending is free)."""
        if self._lock_depth and self._level_in_lock:
            return []
        size = self.path.stat().st_size
        if size == self._end:
            self.torn_bytes = 0
            if self._lock_depth:
                self._level_in_lock = True
            return []
        if size < self._end:
            raise JournalError("the journal shrank while open: it was modified from outside")
        # Positions are the file's, so that any damage is reported at its byte offset. A tail
        # may be a write in progress: it is checked by the next writer, under the lock.
        with _mapped(self.path) as data:
            tail = scan(data, self._end, self.revision + 1, self.head, check_tail=False)
        found = tail.records
        self.records.extend(found)
        self._end = tail.good_end
        self.torn_bytes = tail.torn_bytes
        if self._lock_depth:
            self._level_in_lock = True
        return found

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
                yield replace(full, offset=record.offset, end=record.end)

    def read_after(self, revision: int) -> Iterator[Record]:
        """The records after ``revision``, with their statements, for a reader bringing a copy
        level (the archive's store): taken from memory when the last read of the file kept them
        (dropped from memory as they are handed out), else read again."""
        for index in range(revision, self.revision):
            record = self.records[index]
            if record.has_statements:
                self.records[index] = replace(record, _body=b"")
                yield record
            else:
                yield from self.read_records(index + 1, index + 1)

    def verify(self) -> ScanResult:
        """Re-read the whole file, checking every digest, the chain, the batches and that it
        starts where the directory's journal started; raise on any damage, a torn tail included.
        Writes nothing."""
        marker = self._marker()
        if not self.path.exists():
            raise JournalError(
                self._lost("is missing", marker) if marker else f"no journal at {self.path}"
            )
        result = scan(self._read())
        if marker is not None:
            self._check_start(result, marker)
        if result.torn_bytes:
            raise JournalError(
                f"torn tail at byte {result.good_end}: the {result.torn_bytes} bytes after record "
                f"{len(result.records)} are a write cut short (never acknowledged); the next "
                "write drops them, or `dialogue-kg repair` cuts them, keeping a backup"
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
                self._level_in_lock = False
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
        Every header value is encoded and read back before a byte is written (InputError when
        one cannot be). Bytes after the last record are dropped first when they are a write cut
        short; anything else there is damage, and nothing is written (JournalError).
        """
        if self.readonly:
            raise JournalError("the journal was opened read-only")
        self.refresh()
        if self.torn_bytes:
            # We hold the lock, so nobody is writing: bytes past the last record (the refresh
            # just saw them) are a torn write by a process that died. Never acknowledged; drop
            # them before appending.
            with open(self.path, "rb") as fh:
                fh.seek(self._end)
                tail = fh.read()
            scan(tail, 0, self.revision + 1, self.head)
            self._truncate(self._end)
            self.torn_bytes = 0
        if expected_head is not ... and expected_head != self.head:
            raise ConflictError(expected_head, self.head, self.revision)  # type: ignore[arg-type]
        buffers: list[bytes] = []
        records, offset, prev = [], self._end, self.head
        n = len(drafts)
        for revision, draft in enumerate(drafts, start=self.revision + 1):
            batch = (revision - self.revision, n) if n > 1 else None
            head, rest, digest, added = _encode(draft, prev, batch)
            end = offset + len(head) + sum(len(part) for part in rest)
            # The record as it will read back, from the header lines just encoded (the
            # statements stay with the caller, who applies them; a record without its body is
            # re-read when needed).
            values, _ = _header(head, revision, offset)
            record = _record(values, revision, (offset, end), b"", (added, len(draft.removed)))
            _check_reads_back(draft, record, prev, digest)
            buffers += [head, *rest]
            records.append(record)
            offset, prev = end, digest
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            _write_all(fd, buffers)
            os.fsync(fd)
        finally:
            os.close(fd)
        self.records.extend(records)
        self._end = offset
        if not self._marked:
            self._mark(self.records[0])
        return records

    def repair(self) -> Repair:
        """Cut a torn tail (a write cut short: the beginning of a valid record, or an unfinished
        batch), after copying the whole journal to ``journal.rdfp.bak-<UTC time>``.

        Raises JournalError, cutting nothing, on any other damage, or when the cut would leave
        no record in a directory that had some."""
        with self.lock():
            self.open(readonly=True)
            result = scan(self._read())
            if not result.torn_bytes:
                return Repair(self.revision, result.good_end, 0, [], None)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
            backup = self.path.with_name(f"{self.FILENAME}.bak-{stamp}")
            shutil.copyfile(self.path, backup)
            with open(backup, "rb") as fh:
                os.fsync(fh.fileno())
            fsync_path(self.directory)
            self._truncate(result.good_end)
            self.torn_bytes = 0
            return Repair(
                self.revision, result.good_end, result.torn_bytes, result.unfinished, backup
            )

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
                fsync_path(self.directory)

    def _truncate(self, size: int) -> None:
        with open(self.path, "r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())

    def _marker(self) -> dict[str, str] | None:
        """What ``archive.json`` says of the journal's first record (None: no record yet)."""
        try:
            marker = json.loads(self.marker_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise JournalError(f"{self.marker_path} cannot be read: {exc}") from None
        if not isinstance(marker, dict) or not isinstance(marker.get("first_digest"), str):
            raise JournalError(f"{self.marker_path} does not name the journal's first record")
        return marker

    def _mark(self, first: Record) -> None:
        """Write ``archive.json`` (once): from now on this directory has had a journal."""
        if self._marked or self.marker_path.exists():
            self._marked = True
            return
        marker = {
            "journal": self.FILENAME,
            "first_changeset": first.changeset,
            "first_digest": first.digest,
            "first_time": first.time,
            "note": "This directory's journal began with this record. If journal.rdfp is "
            "missing, empty or does not begin with it, dialogue-kg refuses to start.",
        }
        write_json(self.marker_path, marker, indent=2)
        self._marked = True

    def _check_start(self, result: ScanResult, marker: dict[str, str]) -> None:
        """Raise when the journal no longer starts with the record the directory started with."""
        if not result.records:
            what = (
                "is empty"
                if result.torn_bytes == 0
                else f"holds no complete change set ({result.torn_bytes} bytes: it was cut "
                "inside its first batch)"
            )
            raise JournalError(self._lost(what, marker))
        if result.records[0].digest != marker["first_digest"]:
            raise JournalError(self._lost("does not begin with the record it began with", marker))

    def _lost(self, what: str, marker: dict[str, str]) -> str:
        return (
            f"the journal {self.path} {what}, but this data directory has had an archive since "
            f"{marker.get('first_time', '?')} (first change set {marker.get('first_changeset')}, "
            f"see {self.marker_path.name}). Nothing was re-initialised over it: restore "
            f"{self.FILENAME} from a backup (README: Repairing a journal)"
        )


def _check_reads_back(draft: Draft, record: Record, prev: str | None, digest: str) -> None:
    """Raise JournalError unless the encoded header reads back as the draft's values."""
    wrong = [
        name
        for name, mine, theirs in (
            ("id", draft.changeset, record.changeset),
            ("agent", draft.agent, record.agent),
            ("time", draft.time, record.time),
            ("source", list(draft.sources), record.sources),
            ("comment", draft.comment or None, record.comment),
            ("graph", draft.imported_graph or None, record.imported_graph),
            ("prev", prev, record.prev),
            ("digest", digest, record.digest),
        )
        if mine != theirs
    ]
    if wrong:
        raise JournalError(
            f"record {record.revision} would not read back as written ({', '.join(wrong)}); "
            "nothing was written"
        )


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


@contextlib.contextmanager
def _mapped(path: Path) -> Iterator[mmap.mmap | bytes]:
    """The file's bytes, mapped (read only where used: the records past a known point)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            yield b""
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            yield data


def write_json(path: Path, data: object, *, indent: int | None = None) -> None:
    """Write ``data`` to ``path`` as JSON, atomically and durably: under a temporary name of
    its own (writers never share one), fsynced, renamed over ``path``, its directory fsynced."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=indent, separators=None if indent else (",", ":"))
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    fsync_path(path.parent)


def fsync_path(path: Path) -> None:
    """Flush a file's or a directory's contents to disk (a directory: the names in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
