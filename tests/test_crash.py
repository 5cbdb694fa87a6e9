"""Crash safety: writers killed with SIGKILL at random points lose nothing they acknowledged and
leave no change set half applied."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.journal import Journal

from .helpers.crash_writer import PER_SET

ROOT = Path(__file__).resolve().parent.parent
RUNS = 8


def run_and_kill(data_dir: Path, store: str, start: int, delay: float) -> list[int]:
    """Start a writer; once it is writing, SIGKILL it after ``delay`` seconds; return the
    rounds it acknowledged."""
    return _run_and_kill("tests.helpers.crash_writer", delay, data_dir, store, start)


@pytest.mark.slow
@pytest.mark.parametrize("store", ["memory", "disk"])
def test_sigkill_mid_write_loses_nothing_acknowledged(tmp_path: Path, store: str) -> None:
    rng = random.Random(20261123)
    data_dir = tmp_path / "archive"
    (tmp_path / "archive-no-graph-data").mkdir()
    settings = Settings.from_env(
        {},
        data_dir=str(data_dir),
        store=store,
        graph_data_dir=str(tmp_path / "archive-no-graph-data"),
    )
    acknowledged: list[int] = []
    start = 0
    for _ in range(RUNS):
        # Import time varies; aim the kill anywhere from start-up to well into the writing.
        acknowledged += run_and_kill(data_dir, store, start, rng.uniform(0.0, 0.4))
        start += 10_000
        with Archive.open(settings, initialise=False) as arc:
            report = arc.verify()
            if arc.journal.torn_bytes:
                # Killed mid-write: verify names the torn tail (never acknowledged) and nothing
                # else; `repair` cuts exactly that, and the next write would have dropped it.
                assert [p for p in report.problems if "torn tail" not in p] == [], report
                assert Journal(data_dir).repair().cut_bytes == arc.journal.torn_bytes
                report = arc.verify()
            assert report.ok, report
            rounds = {}
            for record in arc.records():
                subjects = {q.subject.value for q in record.added()}
                (subject,) = subjects
                _, _, round_no, part = subject.split(":")
                rounds.setdefault(int(round_no), []).append(int(part))
                assert record.counts() == (PER_SET, 0), "a record is whole or absent"
            for round_no, parts in rounds.items():
                assert sorted(parts) == [0, 1, 2], f"batch {round_no} is whole or absent"
            missing = [n for n in acknowledged if n not in rounds]
            assert not missing, f"acknowledged but lost: {missing}"
            count = int(
                next(
                    iter(
                        arc.query(
                            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                            "FILTER(STRSTARTS(STR(?s), 'urn:crash:')) }"
                        )
                    )
                )["n"].value
            )
            assert count == len(rounds) * 3 * PER_SET
    assert len(acknowledged) > RUNS, "the writers did get to write"


@pytest.mark.slow
def test_sigkill_while_the_history_index_is_kept_it_recovers_to_the_journal(
    tmp_path: Path,
) -> None:
    """Killed anywhere (journal append, index update, between them), the index catches up with
    the journal on the next use, and says exactly what a replay says."""
    from dialogue_kg.core.archive import comparable
    from dialogue_kg.core.versions import HistoryIndex, index_for

    rng = random.Random(20261207)
    data_dir = tmp_path / "archive"
    (tmp_path / "archive-no-graph-data").mkdir()
    settings = Settings.from_env(
        {}, data_dir=str(data_dir), graph_data_dir=str(tmp_path / "archive-no-graph-data")
    )
    start, acknowledged = 0, []
    for _ in range(4):
        acknowledged += _run_and_kill(
            "tests.helpers.index_writer", rng.uniform(0.5, 1.5), data_dir, start
        )
        start += 10_000
        with Archive.open(settings, initialise=False) as arc:
            if arc.journal.torn_bytes:
                Journal(data_dir).repair()
                continue
            index = index_for(arc)
            assert index.revision == arc.revision
            assert arc.verify().ok
            fresh = HistoryIndex(arc.journal, arc.minter)  # in memory, from the journal alone
            fresh.sync()
            for n in sorted({0, arc.revision // 2, arc.revision - 1, arc.revision}):
                ours = comparable(index.state(n).sorted_nquads())
                assert ours == comparable(arc.replay(n).sorted_nquads()), n
                assert index.diff(0, n) == fresh.diff(0, n)
    assert acknowledged, "the writers did get to write"


@pytest.mark.slow
def test_sigkill_while_the_replica_is_advanced_it_is_never_trusted_wrong(tmp_path: Path) -> None:
    """Killed anywhere (while a replica is made, checkpointed, filled, renamed or pointed at),
    the next read-only open answers exactly what a replay of the journal answers."""
    from dialogue_kg.core.archive import comparable
    from dialogue_kg.core.store.replica import ReplicaStore

    rng = random.Random(20261208)
    data_dir = tmp_path / "archive"
    (tmp_path / "archive-no-graph-data").mkdir()
    settings = Settings.from_env(
        {}, data_dir=str(data_dir), graph_data_dir=str(tmp_path / "archive-no-graph-data")
    )
    start, acknowledged, opened_on_replica = 0, [], 0
    for _ in range(5):
        acknowledged += _run_and_kill(
            "tests.helpers.index_writer", rng.uniform(0.3, 1.2), data_dir, start, "replica"
        )
        start += 10_000
        with Archive.open(settings, initialise=False) as arc:
            if arc.journal.torn_bytes:
                Journal(data_dir).repair()
        for _ in range(2):  # the first may make or advance the replica, the second opens it
            with Archive.open_current(settings) as reader:
                opened_on_replica += isinstance(reader.store, ReplicaStore)
                expected = comparable(reader.replay(reader.revision).sorted_nquads())
                assert comparable(reader.store.sorted_nquads()) == expected
                assert reader.verify().ok
    assert acknowledged, "the writers did get to write"
    assert opened_on_replica >= 5


def _run_and_kill(module: str, delay: float, *args: object) -> list[int]:
    """Run ``python -m module *args``; once it says "ready", SIGKILL it after ``delay`` seconds;
    return the rounds it acknowledged ("ack N")."""
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first != b"ready\n":
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"the writer did not start: {first!r} {err.decode()[-2000:]}")
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return [int(line.split()[1]) for line in out.decode().splitlines() if line.startswith("ack ")]
