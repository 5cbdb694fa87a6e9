"""Answers kept by revision: the archive's state at a revision never changes, so neither does a
query's answer there, and a repeated query is answered without running it again. (This rests on
the one write door: the store changes only by journal records, each a new revision. Code that
loads a store directly, as the W3C test harness does, must not keep answers.)

The key is the state the answer holds for (a revision and its record's digest, so that a journal
put back from another copy shares nothing) and the request without its ``revision`` (a query on
the current state answered at revision 40 is the same answer as the query asked
``?revision=40``). Only answers whose state is certain are kept: a query worker's (one thread,
its store level with its journal) and any answer as of a past revision; a current-state answer
computed in a server process with threads is not, since a commit may land while it runs.

Answers that could differ between two runs on one state (``NOW()``, ``RAND()``, ``UUID()``,
``STRUUID()``, ``BNODE()``) are not kept. The memory is bounded: the least recently used answers
go first, and one answer larger than a sixteenth of the whole is not kept, so that it cannot push
out everything else.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING

from dialogue_kg.protocol.workers import Answer, QueryRequest

if TYPE_CHECKING:
    from dialogue_kg.core.archive import Archive

State = tuple[int, str]

_VOLATILE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_ENTRY_OVERHEAD = 256  # bytes of bookkeeping counted for each answer kept


def state_of(archive: Archive, revision: int) -> State | None:
    """The state at ``revision`` as a cache key: the revision and its record's digest (None when
    this process has not read that record yet)."""
    records = archive.journal.records
    if not 0 <= revision <= len(records):
        return None
    return revision, records[revision - 1].digest if revision else ""


def keepable(request: QueryRequest) -> bool:
    """Whether two runs of ``request`` on one state give the same answer."""
    return _VOLATILE.search(request.sparql) is None


def _key(state: State, request: QueryRequest) -> tuple[State, QueryRequest]:
    # The revision is the state's: a current-state answer is the answer as of its revision.
    return state, replace(request, revision=None)


class ResultCache:
    """Answers to queries by revision, at most ``max_bytes`` of them (bodies, query texts and
    bookkeeping counted); thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[tuple[State, QueryRequest], tuple[Answer, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, state: State, request: QueryRequest) -> Answer | None:
        """The answer kept for ``request`` on ``state``, or None."""
        key = _key(state, request)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, state: State, request: QueryRequest, answer: Answer) -> None:
        """Keep ``answer`` as the answer to ``request`` on ``state`` (unless it is volatile or too
        large)."""
        size = len(answer.body) + sys.getsizeof(request.sparql) + _ENTRY_OVERHEAD
        if size > self.max_bytes // 16 or not keepable(request):
            return
        key = _key(state, request)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._entries[key] = (answer, size)
            self.used += size
            while self.used > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self.used -= freed

    def __len__(self) -> int:
        return len(self._entries)
