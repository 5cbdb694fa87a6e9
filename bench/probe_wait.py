"""How long a visitor's ``ASK {}`` waits while one client runs heavy cartesian queries.

``dialogue-kg serve`` (two query workers, the curated archive) gets two heavy queries at once from
127.0.0.1; meanwhile a probe ``ASK {}`` is sent from 127.0.0.2 (another client) and timed. Run
with the per-client limit as shipped (``DKG_QUERIES_PER_CLIENT=1``: the second heavy query gets 429
and one worker stays free) and without it (``0``: both workers are held until the time limit, as
before the limit existed).

``python -m bench.probe_wait [--repeat 5] [--timeout 10]`` writes
bench/results/probe_wait.{json,md}.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
HEAVY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PROBE = "ASK {}"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, query: str, source: str, timeout: float) -> tuple[int, float]:
    """Status and seconds of one GET /sparql from ``source`` (a loopback address)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
    )
    try:
        conn.request("GET", "/sparql?query=" + urllib.parse.quote(query))
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - start
    finally:
        conn.close()


def _serve(data_dir: Path, per_client: int, timeout: float) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "DKG_DATA_DIR": str(data_dir),
        "DKG_HOST": "127.0.0.1",
        "DKG_PORT": str(port),
        "DKG_QUERY_WORKERS": "2",
        "DKG_QUERY_TIMEOUT": str(timeout),
        "DKG_QUERIES_PER_CLIENT": str(per_client),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "dialogue_kg", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if _get(port, PROBE, "127.0.0.1", 5)[0] == 200:
                return process, port
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not start")


def _settle(port: int) -> None:
    """Wait until both workers answer at once (a worker stopped at the time limit is replaced
    by a new process that first replays the journal)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found: list[tuple[int, float]] = []
        pair = [
            threading.Thread(
                target=lambda s=source, into=found: into.append(_get(port, PROBE, s, 30))
            )
            for source in ("127.0.0.3", "127.0.0.4")
        ]
        for t in pair:
            t.start()
        for t in pair:
            t.join()
        if all(status == 200 and seconds < 0.5 for status, seconds in found):
            return
        time.sleep(1)


def _round(port: int, timeout: float) -> dict[str, Any]:
    """Two heavy queries from one client, a probe from another; their statuses and times."""
    _settle(port)
    heavy: list[tuple[int, float]] = []
    threads = [
        threading.Thread(
            target=lambda: heavy.append(_get(port, HEAVY, "127.0.0.1", timeout * 3)),
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    time.sleep(0.5)  # both heavy queries are in
    status, waited = _get(port, PROBE, "127.0.0.2", timeout * 3)
    for t in threads:
        t.join()
    return {"probe_status": status, "probe_seconds": waited, "heavy": sorted(heavy)}


def main() -> None:
    """Measure both configurations and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=10.0, help="DKG_QUERY_TIMEOUT")
    args = parser.parse_args()
    report: dict[str, Any] = {"repeat": args.repeat, "query_timeout": args.timeout, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "archive"
        subprocess.run(
            [sys.executable, "-m", "dialogue_kg", "query", "-e", PROBE],
            env={**os.environ, "DKG_DATA_DIR": str(data_dir)},
            check=True,
            capture_output=True,
        )  # initialises the archive from graph_data/ once
        for per_client in (1, 0):
            process, port = _serve(data_dir, per_client, args.timeout)
            try:
                rounds = [_round(port, args.timeout) for _ in range(args.repeat)]
            finally:
                process.terminate()
                process.wait(30)
            report["runs"][str(per_client)] = {
                "rounds": rounds,
                "probe_median_seconds": statistics.median(r["probe_seconds"] for r in rounds),
            }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "probe_wait.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        "# Probe wait while one client runs two heavy queries",
        "",
        f"`python -m bench.probe_wait --repeat {args.repeat} --timeout {args.timeout:g}`: "
        "`dialogue-kg serve`, 2 query workers, curated archive; two cartesian queries from "
        "127.0.0.1, then `ASK {}` from 127.0.0.2 (each round starts with both workers idle). "
        "Load average at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()) + ".",
        "",
        "| DKG_QUERIES_PER_CLIENT | probe median (s) | probe runs (s) | heavy queries' statuses |",
        "|---|---|---|---|",
    ]
    for per_client, run in report["runs"].items():
        times = ", ".join(f"{r['probe_seconds']:.3f}" for r in run["rounds"])
        statuses = sorted({tuple(s for s, _ in r["heavy"]) for r in run["rounds"]})
        lines.append(f"| {per_client} | {run['probe_median_seconds']:.3f} | {times} | {statuses} |")
    (RESULTS / "probe_wait.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
