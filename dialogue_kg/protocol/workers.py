"""Query workers: SPARQL queries run in separate processes that can be stopped.

pyoxigraph has no query timeout or cancellation, so a time limit cannot come from a flag. Each
worker is a single-threaded process holding the archive, kept current by :meth:`Archive.refresh`
before every query. A query that runs past the limit gets its worker killed (SIGKILL) and replaced;
the other workers keep answering meanwhile.

With the in-memory store the workers share the server's loaded store instead of each replaying
the journal: at start the pool forks one *zygote* from the server (before it serves anything, so
no other thread holds the store), and the zygote forks every worker, the replacements too, after
catching up with the journal's newest records. The store's pages are shared copy-on-write, so
memory does not multiply by the number of workers and a worker starts in milliseconds. (The
on-disk and remote stores keep workers started afresh, each opening the store.)

Each worker also caps its memory (``DKG_QUERY_MEMORY_MB``, as RLIMIT_DATA, set in the worker: a
query that needs more is stopped and its worker replaced; a forked worker's cap counts on top of
the archive it shares) and, unless the store is remote or SERVICE is allowed, gives up network
access at start (a network namespace of its own, with no interface up): a second barrier behind
:mod:`dialogue_kg.core.guard`, so that no query a worker runs can reach another host.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import queue
import resource
import signal
import threading
import time
import traceback
from dataclasses import dataclass, replace
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from dialogue_kg.config import Settings
from dialogue_kg.core.rewind import Rewinder
from dialogue_kg.core.store.base import QueryTimeout, StoreError
from dialogue_kg.errors import DialogueKGError, NotFound

_log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from dialogue_kg.core.archive import Archive


@dataclass(frozen=True)
class QueryRequest:
    """One query as a worker receives it. The web edge negotiates: ``formats`` holds the
    ``format=`` values (names or media types; the first that fits the result wins, none fitting
    is a 406) and ``accepted`` the media types the client takes, best first (the first that fits
    wins, else the result's default format)."""

    sparql: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    accepted: tuple[str, ...] = ()
    max_bytes: int = 64 * 1024 * 1024
    revision: int | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised query result and the revision whose state it answers; ``retire`` asks the
    pool to replace the worker that sent it."""

    body: bytes
    media_type: str
    retire: bool = False
    revision: int | None = None


@dataclass(frozen=True)
class QueryError:
    """A worker's reply when the query failed: the fields of :class:`QueryFailed`."""

    kind: str
    message: str
    status: int


@dataclass(frozen=True)
class Ready:
    """A worker's first message: the revision it holds, and why it keeps network access (None
    when it has none)."""

    revision: int
    isolation: str | None


class QueryFailed(DialogueKGError):
    """The query was refused or failed; ``kind`` names why (syntax, refused, protocol, …)."""

    def __init__(self, kind: str, message: str, status: int = 400) -> None:
        super().__init__(message, status=status, kind=kind)


def answer(archive: Archive, request: QueryRequest) -> Answer:
    """Run a query and serialise its result in the first format asked for that fits; with a
    ``revision``, on the archive as it stood then (from the history index)."""
    from dialogue_kg.core.guard import QueryRefused
    from dialogue_kg.protocol.protocol import ProtocolError, choose_format
    from dialogue_kg.protocol.results import is_graph_result, serialize

    # pyoxigraph's result iterators may only be freed on the thread that made them. A failure
    # is therefore raised outside the except clauses (no __context__ chain keeping the failed
    # frames, and with them the iterator, alive until the cyclic GC runs on another thread).
    failure: QueryFailed | None = None
    result = None
    try:
        target = archive
        if request.revision is not None:
            from dialogue_kg.core.versions import Snapshot

            target = Snapshot(archive, request.revision)
        result = target.query(
            request.sparql,
            default_graph=list(request.default_graphs) or None,
            named_graphs=list(request.named_graphs) or None,
        )
        fmt = choose_format(is_graph_result(result), request.formats, request.accepted)
        body = serialize(result, fmt)
    except ProtocolError as exc:
        failure = QueryFailed("protocol", str(exc), exc.status)
    except SyntaxError as exc:
        failure = QueryFailed("syntax", f"query syntax error: {exc}", 400)
    except QueryRefused as exc:
        failure = QueryFailed("refused", str(exc), 403)
    except MemoryError:
        failure = QueryFailed(
            "memory", "the query needed more memory than a query may use and was stopped", 503
        )
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (unknown function, …)
        failure = QueryFailed("evaluation", f"the query cannot be evaluated: {exc}", 400)
    except (StoreError, OSError, ValueError) as exc:
        failure = QueryFailed("failed", f"the query failed: {exc}", 500)
    except Exception as exc:  # noqa: BLE001 - anything else is the server's fault: a 500
        # Logged as text: a record holding exc_info would keep the failed frames alive.
        _log.error("query failed unexpectedly: %s", traceback.format_exc())
        failure = QueryFailed("failed", f"the query failed: {type(exc).__name__}: {exc}", 500)
    finally:
        result = None
    if failure is not None:
        raise failure
    if len(body) > request.max_bytes:
        raise QueryFailed(
            "too-large",
            f"the result is larger than the limit of {request.max_bytes} bytes; narrow the query "
            "or add LIMIT",
            413,
        )
    # The revision of a current-state answer is known only where no commit can run meanwhile:
    # a query worker, which says it (see _answer_queries).
    return Answer(body, fmt.media_type, revision=request.revision)


# A forked worker holding more of its own memory (MiB) is replaced after its query; that figure
# is read after every RETIRE_CHECK_S seconds of queries (the kernel walks the worker's page
# tables for it: read every 0.05 s it took 3-4% of a busy worker's time at 100k quads).
RETIRE_PRIVATE_MB = 128
RETIRE_CHECK_S = 0.2
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def isolate_network() -> str | None:
    """Move this process into a network namespace of its own (no interface up: it can reach no
    host, not even the loopback). None on success, else why it could not (Linux only; as
    non-root a user namespace is made too)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        unshare = libc.unshare
    except (OSError, AttributeError) as exc:
        return f"unshare() is not available: {exc}"
    reasons = []
    flags = [_CLONE_NEWNET] if os.geteuid() == 0 else []
    for flag in [*flags, _CLONE_NEWUSER | _CLONE_NEWNET]:
        if unshare(flag) == 0:
            return None
        reasons.append(os.strerror(ctypes.get_errno()))
    return "unshare(CLONE_NEWNET) was refused: " + "; ".join(reasons)


def cap_memory(megabytes: int, base: int = 0) -> None:
    """Cap this process's data segment (heap and anonymous mappings) at ``base`` bytes plus
    ``megabytes`` MiB."""
    if megabytes > 0:
        limit = base + megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def private_memory() -> int:
    """Bytes of memory this process has written since it was forked (Private_Dirty)."""
    with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Private_Dirty:"):
                return int(line.split()[1]) * 1024
    return 0


def data_size() -> int:
    """Bytes of this process's data segment now (VmData, what RLIMIT_DATA counts)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def needs_network(settings: Settings) -> bool:
    """A remote store is reached over the network, and SERVICE, when allowed, fetches."""
    return settings.store == "remote" or settings.allow_service


def _worker_main(settings: Settings, conn: Connection) -> None:
    """Body of a worker started afresh: open the archive, then answer queries."""
    from dialogue_kg.core.archive import Archive

    isolation = None if needs_network(settings) else isolate_network()
    cap_memory(settings.query_memory_mb)
    # The on-disk replica: opened in milliseconds, and the only way to read a disk store that
    # the server holds open for writing.
    archive = Archive.open_current(settings, initialise=False, make=False)
    conn.send(Ready(archive.revision, isolation))
    _answer_queries(archive, conn)


def _answer_queries(archive: Archive, conn: Connection, forked: bool = False) -> None:
    """Answer :class:`QueryRequest` messages until the pipe closes. A forked worker asks to be
    retired once it holds more than RETIRE_PRIVATE_MB of its own memory: reading the in-memory
    store writes to the pages read (a full scan copies most of the store into the worker), and a
    fresh fork shares them again. Reading that figure costs about 1 ms at 100k quads and 2 ms
    at 1M, so it is read only once queries have run for RETIRE_CHECK_S since it was last read
    (a worker may pass the mark by what it copies meanwhile; the memory cap still bounds each
    query)."""
    busy = 0.0
    rewinder = Rewinder(archive) if forked else None
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        started = time.perf_counter()
        try:
            result = answer(archive, _level(archive, rewinder, request))
            # One thread, its store level with its journal (or moved to the revision asked for):
            # the state this answer holds for.
            at = archive.revision if request.revision is None else request.revision
            result = replace(result, revision=at)
        except QueryFailed as exc:
            conn.send(QueryError(exc.kind, str(exc), exc.status))
            if exc.kind in ("memory", "moved"):
                return  # out of memory, or a store left between two states: replaced
        else:
            retire = False
            busy += time.perf_counter() - started
            if forked and busy >= RETIRE_CHECK_S:
                busy = 0.0
                retire = private_memory() > RETIRE_PRIVATE_MB * 1024 * 1024
            conn.send(replace(result, retire=True) if retire else result)


def _level(archive: Archive, rewinder: Rewinder | None, request: QueryRequest) -> QueryRequest:
    """Bring the worker's store to the state ``request`` asks for: a query as of a revision
    moves a forked worker's own store there in place when that is cheaper than building the
    state (then it runs as a query on the store); any other query first moves it back to the
    head and catches up with the journal."""
    try:
        if rewinder is not None and request.revision is not None:
            if rewinder.at is None:
                archive.refresh()
            else:
                # The journal only (the store stays where it was moved): a past revision written
                # since is known, and the history index is never asked by an older journal.
                archive.journal.refresh()
            if rewinder.to_past(request.revision):
                return replace(request, revision=None)
        if rewinder is not None:
            rewinder.to_head()
        archive.refresh()
    except NotFound as exc:
        raise QueryFailed("protocol", str(exc), 400) from None
    except MemoryError:
        raise QueryFailed(
            "memory", "the query needed more memory than a query may use and was stopped", 503
        ) from None
    except Exception as exc:  # noqa: BLE001 - the store may be half moved: the worker goes
        _log.error("moving a worker's store failed: %s", traceback.format_exc())
        raise QueryFailed("moved", f"the query failed: {type(exc).__name__}: {exc}", 500) from None
    return request


def _zygote_main(settings: Settings, store: object, journal: object, conn: Connection) -> None:
    """Body of the process the workers are forked from. It holds the server's store (shared
    copy-on-write) and, for each request, catches up with the journal and forks a worker that
    answers on the pipe end it was handed."""
    from dialogue_kg.core.archive import Archive

    # Keep only the standard streams and this pipe: a descriptor inherited from the server (its
    # end of this pipe, other workers' pipes) held open here would hide the server's exit.
    mine = conn.fileno()
    os.closerange(3, mine)
    os.closerange(mine + 1, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    # The server's store and journal (its records shared too, not read again); a new Archive
    # object, so that the server's history index connection is never used on this side.
    archive = Archive(settings, store, journal)  # type: ignore[arg-type]
    while True:
        try:
            conn.recv()
            fd = reduction.recv_handle(conn)
        except EOFError:
            return
        try:
            archive.refresh()
        except Exception as exc:  # noqa: BLE001 - reported to the pool, which logs it
            os.close(fd)
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
            continue
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                conn.close()
                _forked_worker(settings, archive, Connection(fd))
            except BaseException:  # noqa: BLE001 - a worker's end is reported by its pipe
                code = 1
            finally:
                os._exit(code)
        os.close(fd)
        conn.send(("forked", pid))


def _forked_worker(settings: Settings, archive: Archive, conn: Connection) -> None:
    """Body of a worker forked from the zygote: isolate, cap memory, answer queries."""
    isolation = None if needs_network(settings) else isolate_network()
    cap_memory(settings.query_memory_mb, base=data_size())
    conn.send(Ready(archive.revision, isolation))
    _answer_queries(archive, conn, forked=True)


class _Zygote:
    """The parent's handle on the zygote process."""

    def __init__(self, archive: Archive) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_zygote_main,
            args=(archive.settings, archive.store, archive.journal, child),
            daemon=True,
        )
        self.process.start()
        child.close()
        self._lock = threading.Lock()

    def fork(self) -> tuple[Connection, int]:
        """A new worker: the parent's end of its pipe and its process id."""
        ours, theirs = mp.Pipe()
        try:
            with self._lock:
                self.conn.send("fork")
                reduction.send_handle(self.conn, theirs.fileno(), self.process.pid)
                status, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            ours.close()
            raise StoreError(f"the query workers' parent process stopped: {exc}") from None
        finally:
            theirs.close()
        if status != "forked":
            ours.close()
            raise StoreError(f"a query worker could not be started: {value}")
        return ours, value

    def close(self) -> None:
        """Stop the zygote (the workers it forked are stopped by the pool). It is killed first, so
        that a fork waiting for its answer gets end-of-file; the pipe is closed only once no fork
        is using it."""
        self.process.kill()
        with self._lock:
            self.conn.close()
        self.process.join(10)


def shares_store(archive: Archive | None) -> bool:
    """True when workers can be forked from ``archive``: its store is Oxigraph in memory."""
    from dialogue_kg.core.store.oxigraph import OxigraphStore

    return (
        archive is not None
        and isinstance(archive.store, OxigraphStore)
        and archive.store.path is None
        and "fork" in mp.get_all_start_methods()
    )


class _Worker:
    """One worker process and the parent's end of its pipe: forked from the zygote when there
    is one, else started afresh."""

    def __init__(self, settings: Settings, wait: bool = True, zygote: _Zygote | None = None):
        self.isolation: str | None = None
        self.process: mp.process.BaseProcess | None = None
        self.pidfd: int | None = None
        if zygote is not None:
            self.conn, pid = zygote.fork()
            try:
                self.pidfd = os.pidfd_open(pid)
            except OSError:
                self.pidfd = None  # already gone: its pipe says so
        else:
            ctx = mp.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(target=_worker_main, args=(settings, child), daemon=True)
            self.process.start()
            child.close()
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Block until the worker can answer."""
        try:
            message = self.conn.recv()
        except EOFError:
            message = None
        if not isinstance(message, Ready):
            self.kill()
            raise StoreError(
                "a query worker failed to start (is DKG_QUERY_MEMORY_MB large enough to hold "
                "the archive?)"
            )
        self.isolation = message.isolation
        if self.isolation is not None:
            _log.warning("query worker keeps network access: %s", self.isolation)

    def kill(self) -> None:
        """Stop the process at once (and reap it, if it is this process's child)."""
        if self.process is not None:
            self.process.kill()
            self.process.join(10)
        elif self.pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            os.close(self.pidfd)
            self.pidfd = None
        self.conn.close()


class _Waiting:
    """A query waiting for a free worker. The thread that frees a worker sends it the oldest
    waiting query itself and hands the worker over, so the worker starts at once rather than
    once the waiting thread has woken up (at eight clients on two workers, that wake-up left
    each worker idle 0.5 ms between queries on average)."""

    def __init__(self, request: QueryRequest) -> None:
        self.request = request
        self.worker: _Worker | None = None
        self.sent_at = 0.0
        self.handed = threading.Event()


class QueryPool:
    """A fixed number of query workers with a per-query time limit. Given the ``archive`` the
    server holds (in memory), the workers are forked from it and share its store; else each
    opens the archive itself."""

    def __init__(
        self,
        settings: Settings,
        size: int,
        timeout: float,
        max_bytes: int,
        archive: Archive | None = None,
    ) -> None:
        self.settings, self.size = settings, size
        self.timeout, self.max_bytes = timeout, max_bytes
        # Last in, first out: with fewer queries than workers, the same worker answers them and
        # finds the store's pages it read last time still in the CPU's caches (taking workers in
        # turn made a client's queries up to twice as slow as in one worker).
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._waiting: collections.deque[_Waiting] = collections.deque()
        self._lock = threading.Lock()  # held to move a worker between idle and waiting queries
        self._closed = False
        self._zygote = _Zygote(archive) if size and shares_store(archive) else None
        # Started together (workers that open the archive themselves replay it in parallel).
        starting = [_Worker(settings, wait=False, zygote=self._zygote) for _ in range(size)]
        for worker in starting:
            worker.wait_ready()
            self._idle.put(worker)
        # None when the workers run without network access (or need it); else why they cannot.
        self.isolation = starting[0].isolation if starting else None

    def run(self, request: QueryRequest) -> Answer:
        """Answer a query (on the state at its ``revision``, if given) within the time limit
        and the pool's result size limit; QueryTimeout or QueryFailed otherwise."""
        if request.max_bytes != self.max_bytes:
            request = replace(request, max_bytes=self.max_bytes)
        worker, sent_at = self._take(request)
        try:
            if sent_at is None:
                worker.conn.send(request)
                sent_at = time.monotonic()
            if not worker.conn.poll(max(0.0, self.timeout - (time.monotonic() - sent_at))):
                worker.kill()
                worker = None  # replaced below
                raise QueryTimeout(
                    f"the query ran longer than the limit of {self.timeout:g} s and was stopped"
                )
            try:
                reply: Answer | QueryError = worker.conn.recv()
            except EOFError:
                worker.kill()
                worker = None
                raise QueryFailed(
                    "memory",
                    "the query worker stopped, most likely because the query needed more than "
                    f"the {self.settings.query_memory_mb} MiB a query may use; narrow the query",
                    503,
                ) from None
            if (isinstance(reply, QueryError) and reply.kind == "memory") or (
                isinstance(reply, Answer) and reply.retire
            ):
                worker.kill()  # out of memory, or asks to be retired: replaced by a fresh one
                worker = None
        finally:
            if worker is not None:
                self._release(worker)
            elif not self._closed:
                threading.Thread(target=self._replace, daemon=True).start()
        if isinstance(reply, QueryError):
            raise QueryFailed(reply.kind, reply.message, reply.status)
        return replace(reply, retire=False) if reply.retire else reply

    def _take(self, request: QueryRequest) -> tuple[_Worker, float | None]:
        """An idle worker (the one idle last) and None; or, once one frees up within the time
        limit, the worker a finished query handed over and when it was sent ``request``."""
        with self._lock:
            try:
                return self._idle.get_nowait(), None
            except queue.Empty:
                waiting = _Waiting(request)
                self._waiting.append(waiting)
        if not waiting.handed.wait(self.timeout):
            with self._lock:
                if waiting.worker is None:
                    self._waiting.remove(waiting)
                    raise QueryTimeout(
                        f"every query worker stayed busy for {self.timeout:g} s; try again later"
                    )
            waiting.handed.wait()  # handed over meanwhile: sent in a moment
        assert waiting.worker is not None
        return waiting.worker, waiting.sent_at

    def _release(self, worker: _Worker) -> None:
        """Send a free worker the oldest waiting query and hand it over, else keep it idle. A
        worker that died meanwhile fails the send quietly: its pipe's end-of-file tells the
        query's thread, which replaces it."""
        with self._lock:
            waiting = self._waiting.popleft() if self._waiting else None
            if waiting is None:
                self._idle.put(worker)
                return
            waiting.worker = worker
        with contextlib.suppress(OSError):
            worker.conn.send(waiting.request)
        waiting.sent_at = time.monotonic()
        waiting.handed.set()

    def _replace(self) -> None:
        try:
            worker = _Worker(self.settings, zygote=self._zygote)
        except StoreError as exc:
            if not self._closed:  # a pool being closed stops its zygote: nothing to report
                _log.error("a query worker could not be replaced: %s", exc)
            return
        if self._closed:
            worker.kill()
        else:
            self._release(worker)

    def close(self) -> None:
        """Stop every idle worker, and the zygote."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        if self._zygote is not None:
            self._zygote.close()
