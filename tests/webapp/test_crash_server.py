"""A real server SIGKILLed while archivists' saves are in flight: after a restart every save that
got a 201 is there, none is half-applied, and ``dialogue-kg verify`` passes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.write.accounts import Accounts

from ..conftest import DATA, TEST_SOURCE
from ..helpers.live import serve_subprocess

pytestmark = [pytest.mark.slow, pytest.mark.server]

WRITERS = 4
PERSON = "https://w3id.org/dialogue-kg/id/person/crash-{}-{}"
# Statements per save: type, three labels, source, note. All or none must survive.
PER_SAVE = 6


def body(writer: int, n: int) -> bytes:
    iri = PERSON.format(writer, n)
    return (
        "@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{iri}> a dkg:Person ; rdfs:label "Writer {writer} save {n}"@en , '
        f'"Shkruesi {writer} {n}"@sq , "Pisac {writer} {n}"@sr-Latn ; '
        f'dkg:source <{TEST_SOURCE}> ; dkg:note "save {n} of writer {writer}" .\n'
    ).encode()


def writer_loop(
    base: str, token: str, writer: int, acked: list, tried: list, stop: threading.Event
):
    """Post saves until the server goes away; remember which were acknowledged (201)."""
    n = 0
    while not stop.is_set():
        n += 1
        tried.append((writer, n))
        request = urllib.request.Request(
            f"{base}/api/changesets?source={TEST_SOURCE}",
            data=body(writer, n),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status == 201:
                    acked.append((writer, n, response.headers["Location"]))
        except (urllib.error.URLError, ConnectionError, OSError):
            return


def test_sigkill_during_saves(tmp_path: Path):
    empty = tmp_path / "no-graph-data"
    empty.mkdir()
    data_dir = tmp_path / "archive"
    settings = Settings.from_env({}, data_dir=str(data_dir), graph_data_dir=str(empty))
    with Archive.open(settings) as archive:
        archive.load(DATA / "small.trig", agent="tester")
    accounts = Accounts.for_settings(settings)
    accounts.add("ana", "password for ana", "archivist")
    token = accounts.create_token("ana", "crash test")

    acked: list[tuple[int, int, str]] = []
    tried: list[tuple[int, int]] = []
    stop = threading.Event()
    with serve_subprocess(data_dir, empty, DKG_QUERY_WORKERS="0") as (base, process):
        threads = [
            threading.Thread(target=writer_loop, args=(base, token, w, acked, tried, stop))
            for w in range(WRITERS)
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(acked) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.kill()  # SIGKILL while the writers are still posting
        process.wait(10)
        stop.set()
        for t in threads:
            t.join(60)
    assert len(acked) >= 12, "the server acknowledged too few saves before the kill"
    assert len(tried) > len(acked), "no save was in flight when the server was killed"
    print(f"saves acknowledged before the kill: {len(acked)}; attempted: {len(tried)}")

    # Restart: the server comes back over the same data directory and answers.
    with serve_subprocess(data_dir, empty, DKG_QUERY_WORKERS="0") as (base, _process):
        with urllib.request.urlopen(f"{base}/api/changesets?limit=1", timeout=30) as response:
            assert response.status == 200

    def dkg(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "dialogue_kg", command, "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            env={"DKG_GRAPH_DATA": str(empty), "PATH": "/usr/bin:/bin"},
            timeout=300,
        )

    verify = dkg("verify")
    if verify.returncode != 0:
        # A save cut short by the kill (never acknowledged) is a torn tail: verify says so and
        # writes nothing; `repair` cuts it, keeping a backup.
        assert "torn tail at byte" in verify.stderr, verify.stdout + verify.stderr
        repaired = dkg("repair")
        assert repaired.returncode == 0 and "cut " in repaired.stdout, repaired.stderr
        verify = dkg("verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    with Archive.open(settings) as archive:
        for writer, n, location in acked:
            iri = PERSON.format(writer, n)
            rows = list(archive.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"))
            assert len(rows) == PER_SAVE, (iri, len(rows))
            assert {r["g"].value for r in rows} == {location}
        for writer, n in tried:
            iri = PERSON.format(writer, n)
            count = len(list(archive.query(f"SELECT * WHERE {{ <{iri}> ?p ?o }}")))
            assert count in (0, PER_SAVE), (iri, count)
        assert archive.verify().ok
