"""Answering queries in the server process: failures free pyoxigraph's results on their thread."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pyoxigraph as ox
import pytest

from dialogue_kg.core.store.base import QueryTimeout
from dialogue_kg.protocol.workers import QueryFailed, QueryPool, QueryRequest, answer

from .helpers.listener import Listener


@pytest.mark.parametrize(
    ("query", "fmt"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no-such-format"),  # fails after the query ran
        ("SELECT * WHERE { ?s ?p }", None),  # fails while parsing
    ],
)
def test_a_failed_query_leaves_nothing_for_another_thread_to_free(small, query, fmt) -> None:
    """pyoxigraph's result iterators are 'unsendable': freed on another thread they raise."""
    failures: list[QueryFailed] = []
    unraisable: list[str] = []

    def run() -> None:
        try:
            answer(small, QueryRequest(query, formats=(fmt,) if fmt else ()))
        except QueryFailed as exc:
            failures.append(exc)

    previous = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(repr(info.exc_value))
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        gc.collect()
    finally:
        sys.unraisablehook = previous
    assert len(failures) == 1 and failures[0].__context__ is None
    assert unraisable == []


FETCH = """
import sys
import pyoxigraph as ox
from dialogue_kg.protocol.workers import isolate_network
if sys.argv[2] == "isolated":
    refused = isolate_network()
    if refused:
        print("NOT ISOLATED:", refused)
        sys.exit(0)
query = "SELECT * WHERE { SERVICE <http://127.0.0.1:%s/> { ?s ?p ?o } }" % sys.argv[1]
try:
    list(ox.Store().query(query))
except Exception as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.parametrize(("mode", "connections"), [("isolated", 0), ("open", 1)])
def test_an_isolated_process_reaches_no_host(mode: str, connections: int) -> None:
    """The workers' second barrier: the engine itself fetching SERVICE (no guard in the way)
    reaches nothing once the process has its own network namespace."""
    listener = Listener()
    try:
        done = subprocess.run(
            [sys.executable, "-c", FETCH, str(listener.port), mode],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr
    if done.stdout.startswith("NOT ISOLATED"):
        pytest.skip(f"this machine refuses network namespaces: {done.stdout.strip()}")
    assert listener.connections == connections


HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


@pytest.mark.server
def test_a_query_over_the_memory_cap_is_stopped_and_its_worker_replaced(small) -> None:
    settings = replace(small.settings, query_memory_mb=300)
    pool = QueryPool(settings, 1, timeout=60, max_bytes=1 << 20)
    try:
        # The workers run without network access, or say why they cannot.
        assert pool.isolation is None or pool.isolation.startswith("unshare")
        with pytest.raises(QueryFailed, match="more than the 300 MiB") as failed:
            pool.run(QueryRequest(HUNGRY))
        assert failed.value.status == 503
        assert pool.run(QueryRequest("ASK {}")).body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()


@pytest.mark.server
def test_workers_forked_from_the_servers_store(small) -> None:
    """With the store in memory the workers are forked from the archive the server holds (no
    replay): they answer, are capped (on top of the store they share) and isolated in the child,
    and a worker stopped at the time limit is replaced by a fork level with the journal."""
    settings = replace(small.settings, query_memory_mb=300)
    pool = QueryPool(settings, 1, timeout=60, max_bytes=1 << 20, archive=small)
    try:
        assert pool._zygote is not None
        assert pool.isolation is None or pool.isolation.startswith("unshare")
        with pytest.raises(QueryFailed, match="more than the 300 MiB"):
            pool.run(QueryRequest(HUNGRY))
        assert pool.run(QueryRequest("ASK {}")).body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()
    assert not pool._zygote.process.is_alive()

    pool = QueryPool(small.settings, 1, timeout=3, max_bytes=1 << 20, archive=small)
    try:
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        before = pool.run(QueryRequest(count, formats=("csv",))).body
        small.load(
            b"<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> 'new' .",
            agent="t",
            fmt="turtle",
            validate=False,
            sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
        )
        with pytest.raises(QueryTimeout, match="limit of 3 s"):
            pool.run(
                QueryRequest(
                    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
                )
            )
        after = pool.run(QueryRequest(count, formats=("csv",))).body
        assert int(after.split()[1]) > int(before.split()[1])
        assert (
            pool.run(QueryRequest(count, formats=("csv",), revision=small.revision - 1)).body
            == before
        )
    finally:
        pool.close()


@pytest.mark.server
def test_a_forked_worker_moves_its_own_store_to_a_past_revision_and_back(
    small, monkeypatch
) -> None:
    """A query as of a revision near the head moves the worker's store there in place (no state
    is built: building fails in this test), answers as a replay does, stays there for the next
    query as of it, and moves back to the head, with the writes made meanwhile, for a query on
    the current state."""
    from dialogue_kg.core.versions import HistoryIndex, index_for

    def built(self, revision):  # noqa: ANN001, ANN202 - HistoryIndex.state's signature
        raise RuntimeError(f"the state at {revision} was built")

    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def label(n: int) -> None:
        small.load(
            f"<urn:x:a{n}> <http://www.w3.org/2000/01/rdf-schema#label> 'n{n}' .".encode(),
            agent=f"t{n}",
            fmt="turtle",
            validate=False,
            sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
        )

    def replayed(revision: int) -> bytes:
        return small.replay(revision).query(count).serialize(format=ox.QueryResultsFormat.CSV)

    for n in range(3):
        label(n)
    monkeypatch.setattr(HistoryIndex, "state", built)  # inherited by the forked workers
    pool = QueryPool(small.settings, 1, timeout=60, max_bytes=1 << 20, archive=small)
    try:
        head = small.revision
        for revision in (head - 1, head - 3, head - 3, head - 2):
            found = pool.run(QueryRequest(count, formats=("csv",), revision=revision)).body
            assert found == replayed(revision), revision
        # Written while the worker's store is at a past revision: the next revision asked for
        # is one its journal has not read yet.
        label(3)
        label(4)
        past = pool.run(QueryRequest(count, formats=("csv",), revision=head + 1)).body
        assert past == replayed(head + 1)
        assert index_for(small).revision == head + 2  # level, not emptied by an older journal
        assert pool.run(QueryRequest(count, formats=("csv",))).body == replayed(head + 2)
        past = pool.run(QueryRequest(count, formats=("csv",), revision=head - 1)).body
        assert past == replayed(head - 1)
        # Revision 0 holds nothing: building it reads less than moving, and building fails here.
        with pytest.raises(QueryFailed, match="was built"):
            pool.run(QueryRequest(count, formats=("csv",), revision=0))
        assert pool.run(QueryRequest(count, formats=("csv",))).body == replayed(head + 2)
    finally:
        pool.close()


SERVER = """
import sys
from dialogue_kg.core.archive import Archive
from dialogue_kg.config import Settings
from dialogue_kg.protocol.workers import QueryPool, QueryRequest
settings = Settings.from_env({}, data_dir=sys.argv[1], graph_data_dir=sys.argv[2], query_workers=0)
archive = Archive.open(settings)
pools = [QueryPool(settings, 2, 10, 1 << 20, archive=archive) for _ in range(2)]
print(pools[1].run(QueryRequest("ASK {}")).body.decode(), flush=True)
sys.stdin.read()
"""


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in os.listdir(f"/proc/{p}/task"):
            with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                todo.extend(int(c) for c in fh.read().split())
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.server
def test_forked_workers_end_with_the_server(tmp_path) -> None:
    """A server killed outright (no clean-up) leaves no zygote or worker behind, even with two
    pools: none holds a descriptor that would hide the server's end from the others."""
    (tmp_path / "gd").mkdir()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path / "a"), str(tmp_path / "gd")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert "true" in server.stdout.readline()
        processes = _tree(server.pid)
        assert len(processes) == 7  # the server, two zygotes, four workers
    finally:
        server.kill()
        server.wait(30)
        server.stdin.close()
        server.stdout.close()
    deadline = time.monotonic() + 20
    while any(_running(p) for p in processes[1:]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(p) for p in processes[1:])


@pytest.mark.server
def test_a_forked_worker_holding_much_of_its_own_memory_is_replaced(small, monkeypatch) -> None:
    """Reading the in-memory store copies what it reads into the worker; past the threshold the
    worker is retired after answering and a fresh fork (sharing the store again) takes its
    place. Below it, the worker stays."""
    from dialogue_kg.protocol import workers

    for threshold, replaced in ((workers.RETIRE_PRIVATE_MB, False), (0, True)):
        monkeypatch.setattr(workers, "RETIRE_PRIVATE_MB", threshold)  # inherited by the forks
        monkeypatch.setattr(workers, "RETIRE_CHECK_S", 0)  # looked at after every query
        pool = QueryPool(small.settings, 1, timeout=60, max_bytes=1 << 20, archive=small)
        try:
            first = pool._idle.queue[0]
            for _ in range(3):
                assert (
                    pool.run(QueryRequest("ASK { ?s ?p ?o }")).body == b'{"head":{},"boolean":true}'
                )
            deadline = time.monotonic() + 30
            while not pool._idle.qsize() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert (pool._idle.queue[0] is not first) is replaced
        finally:
            pool.close()


def test_worker_messages_are_typed_and_survive_the_pipe() -> None:
    """A request, an answer and a failure cross a process pipe as the dataclasses they are."""
    import multiprocessing as mp

    from dialogue_kg.protocol.workers import Answer, QueryError

    sent = [
        QueryRequest("ASK {}", ("urn:g",), (), ("csv",), ("text/csv",), 10, 3),
        Answer(b"x", "text/csv", retire=True),
        QueryError("syntax", "bad", 400),
    ]
    ours, theirs = mp.Pipe()
    for message in sent:
        theirs.send(message)
    assert [ours.recv() for _ in sent] == sent


def test_closing_the_pool_while_a_worker_is_being_replaced(small) -> None:
    """A replacement forked in the background while the pool closes ends quietly: no thread
    fails on the zygote's closed pipe, and no replacement is left behind."""
    failures: list[BaseException] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: failures.append(args.exc_value)
    try:
        for _ in range(5):
            pool = QueryPool(small.settings, 1, timeout=60, max_bytes=1 << 20, archive=small)
            replacing = [threading.Thread(target=pool._replace) for _ in range(3)]
            for thread in replacing:
                thread.start()
            pool.close()
            for thread in replacing:
                thread.join(30)
            assert pool._idle.empty()
    finally:
        threading.excepthook = previous
    assert failures == []


def test_workers_of_a_disk_store_read_its_replica_and_follow_writes(tmp_path) -> None:
    """The server holds a disk store open for writing, which no other process may open: its
    workers start afresh on the on-disk replica, and move to the newest revision before each
    query (before: every worker failed to start, so a disk store could not be served)."""
    from dialogue_kg.config import Settings
    from dialogue_kg.core.archive import Archive

    (tmp_path / "empty").mkdir()
    settings = Settings.from_env(
        {},
        data_dir=str(tmp_path / "archive"),
        graph_data_dir=str(tmp_path / "empty"),
        store="disk",
        query_workers=0,
    )
    count = QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", formats=("csv",))
    with Archive.open(settings) as server:
        pool = QueryPool(settings, 2, timeout=30, max_bytes=1 << 20, archive=server)
        try:
            before = int(pool.run(count).body.split()[1])
            assert before == len(server.store)
            for text in ("new", "newer"):
                server.load(
                    f"<urn:x:a> <http://www.w3.org/2000/01/rdf-schema#label> '{text}' .".encode(),
                    agent="t",
                    fmt="turtle",
                    validate=False,
                    sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
                )
                for _ in range(2):  # each worker follows
                    assert int(pool.run(count).body.split()[1]) == len(server.store)
            assert len(server.store) > before
        finally:
            pool.close()


@pytest.mark.server
def test_queries_one_at_a_time_are_answered_by_one_worker(small) -> None:
    """With fewer queries at once than workers, the worker that answered last answers the next
    (the store's pages the last query read are still in its caches), not each worker in turn."""
    pool = QueryPool(small.settings, 2, timeout=30, max_bytes=1 << 20, archive=small)
    try:
        answered_last = []
        for _ in range(4):
            assert pool.run(QueryRequest("ASK {}")).body == b'{"head":{},"boolean":true}'
            answered_last.append(pool._idle.queue[-1])
        assert len({id(worker) for worker in answered_last}) == 1
    finally:
        pool.close()


@pytest.mark.server
def test_a_freed_worker_is_handed_the_next_waiting_query(small) -> None:
    """Eight threads on two workers: a thread that gets its answer sends the next waiting query
    itself. Every thread gets the answer to its own query, and waiting left nothing behind."""
    pool = QueryPool(small.settings, 2, timeout=30, max_bytes=1 << 20, archive=small)
    wrong: list[tuple[int, bytes]] = []

    def client(n: int) -> None:
        for i in range(15):
            value = n * 100 + i
            body = pool.run(QueryRequest(f"SELECT ({value} AS ?n) {{}}", formats=("csv",))).body
            if body.split()[1] != str(value).encode():
                wrong.append((value, body))

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert wrong == []
        assert not pool._waiting and pool._idle.qsize() == 2
    finally:
        pool.close()


@pytest.mark.server
def test_a_query_waiting_for_a_worker_gives_up_at_the_time_limit(small) -> None:
    """Two slow queries hold the only worker past the limit in turn (the second waits, then is
    handed the replacement of the worker the first was stopped in); a third query waits no longer
    than the limit, then is refused; the worker answers again afterwards."""
    pool = QueryPool(small.settings, 1, timeout=2, max_bytes=1 << 20, archive=small)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    stopped: list[str] = []

    def run_slow() -> None:
        try:
            pool.run(QueryRequest(slow))
        except QueryTimeout as exc:
            stopped.append(str(exc))

    try:
        slow_ones = [threading.Thread(target=run_slow) for _ in range(2)]
        for thread in slow_ones:
            thread.start()
            time.sleep(0.3)
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="stayed busy for 2 s"):
            pool.run(QueryRequest("ASK {}"))
        assert 1.5 <= time.monotonic() - started < 4
        for thread in slow_ones:
            thread.join(10)
        assert stopped == ["the query ran longer than the limit of 2 s and was stopped"] * 2
        assert not pool._waiting
        assert pool.run(QueryRequest("ASK {}")).body == b'{"head":{},"boolean":true}'
    finally:
        pool.close()
