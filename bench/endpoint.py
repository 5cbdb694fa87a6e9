"""Endpoint throughput: ``dialogue-kg serve`` (waitress, query workers) beside ``oxigraph serve``
of the same data, with 1, 8 and 32 concurrent clients running the scholar queries of bench/run.py.

Both servers run at once on 127.0.0.1, loaded with the same quads (the archive from its TriG through
the journal; Oxigraph from the matching N-Quads, in memory like the archive's store, union default
graph). Cells are interleaved in rounds (dialogue-kg then Oxigraph, ``--rounds`` times per
concurrency, each round a share of the cell's duration) so that load from elsewhere on the machine
hits both alike. Each client holds one keep-alive connection and cycles
through the queries; the answers are checked to have the same number of rows on both servers.

``python -m bench.endpoint`` writes bench/results/endpoint.{json,md}. Data directories are kept in
bench/data/endpoint/ (git-ignored) and reused.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .run import PREFIXES, QUERIES, sparql

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
WORK = DATA / "endpoint"
ACCEPT = "application/sparql-results+json"
# The scholar queries of bench/run.py that answer interactively. co_participation (every pair of
# meeting participants, grouped: 1-2 s at 100k, ~20 s at 1M on either server) is a whole-archive
# analysis, not endpoint traffic: in a mix it drowns every other query, and at 1M it runs into the
# 30 s query limit when queued. bench/run.py measures it.
ENDPOINT_QUERIES = [name for name in QUERIES if name != "co_participation"]
TARGET_THROUGHPUT = 0.6
TARGET_P99 = 2.0
# Issue 16 (the fixed cost per request): each query's median at one client within 1.2× of
# Oxigraph's, and throughput at 8 clients at least 0.9× of Oxigraph's.
TARGET_QUERY_P50 = 1.2
TARGET_THROUGHPUT_8 = 0.9


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(host: str, port: int, path: str, process: subprocess.Popen, timeout: float) -> None:
    """Wait until the server answers ``path`` (or fail if it died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server on port {port} did not answer within {timeout} s")


def archive_dir(size: str, manifest: dict) -> Path:
    """The archive of ``size`` (loaded once from its TriG through the journal, then reused)."""
    from dialogue_kg.config import Settings
    from dialogue_kg.core.archive import Archive

    data_dir = WORK / f"archive-{size}"
    settings = Settings(data_dir=str(data_dir), store="memory", validate=False)
    with Archive.open(settings, initialise=False) as archive:
        if archive.revision == 0:
            log(f"loading the {size} archive (once; reused next time)")
            archive.load(DATA / manifest["files"]["trig"], agent="bench", validate=False)
    return data_dir


class Server:
    """A server process on a free loopback port and its SPARQL query path."""

    def __init__(self, name: str, cmd: list[str], path: str, env: dict[str, str] | None = None):
        self.name, self.path = name, path
        self.port = free_port()
        cmd = [c.replace("{port}", str(self.port)) for c in cmd]
        environ = {**os.environ, **(env or {}), "DKG_PORT": str(self.port)}
        self.process = subprocess.Popen(
            cmd, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_dialogue_kg(data_dir: Path, workers: int, threads: int, cache_mb: int = 0) -> Server:
    """``dialogue-kg serve`` on the archive (its store is rebuilt from the journal at start)."""
    server = Server(
        "dialogue-kg",
        [sys.executable, "-m", "dialogue_kg", "serve"],
        "/sparql",
        {
            "DKG_DATA_DIR": str(data_dir),
            "DKG_HOST": "127.0.0.1",
            "DKG_VALIDATE": "false",
            "DKG_QUERY_WORKERS": str(workers),
            "DKG_THREADS": str(threads),
            # Every simulated client connects from 127.0.0.1: no per-client limits.
            "DKG_QUERIES_PER_CLIENT": "0",
            "DKG_CONNECTIONS_PER_CLIENT": "0",
            # Off unless asked: the clients repeat their queries, and the answers kept by
            # revision would answer every repeat without running it (not the cost measured).
            "DKG_RESULT_CACHE_MB": str(cache_mb),
        },
    )
    wait_for("127.0.0.1", server.port, "/sparql?query=ASK%7B%7D", server.process, 900)
    return server


def start_oxigraph(nquads: Path) -> Server:
    """``oxigraph serve`` in memory with a union default graph, loaded over HTTP (POST /store)."""
    binary = Path(sys.executable).parent / "oxigraph"
    server = Server(
        "oxigraph",
        [str(binary), "serve", "--bind", "127.0.0.1:{port}", "--union-default-graph"],
        "/query",
    )
    wait_for("127.0.0.1", server.port, "/query?query=ASK%7B%7D", server.process, 60)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600)
    with nquads.open("rb") as fh:
        conn.request(
            "POST",
            "/store",
            body=fh,
            headers={
                "Content-Type": "application/n-quads",
                "Content-Length": str(nquads.stat().st_size),
            },
        )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"loading oxigraph failed: {response.status} {body[:300]!r}")
    return server


def ask(server: Server, text: str, conn: http.client.HTTPConnection) -> tuple[int, bytes]:
    """One GET query on a kept-alive connection: (status, body)."""
    conn.request(
        "GET",
        f"{server.path}?{urllib.parse.urlencode({'query': text})}",
        headers={"Accept": ACCEPT},
    )
    response = conn.getresponse()
    return response.status, response.read()


def row_counts(server: Server, texts: dict[str, str]) -> dict[str, int]:
    """How many rows each query answers (to check both servers agree)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    counts = {}
    for name, text in texts.items():
        status, body = ask(server, text, conn)
        if status != 200:
            raise RuntimeError(f"{server.name} {name}: HTTP {status}: {body[:300]!r}")
        counts[name] = len(json.loads(body)["results"]["bindings"])
    conn.close()
    return counts


def run_clients(
    server: Server, texts: dict[str, str], clients: int, duration: float
) -> tuple[list[tuple[str, float]], list[str], float]:
    """``clients`` threads querying for ``duration`` seconds: (query name, seconds) per answer,
    the errors, and the wall time."""
    names = list(texts)
    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        mine: list[tuple[str, float]] = []
        start.wait()
        i = index
        while time.perf_counter() < stop_at[0]:
            name = names[i % len(names)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, body = ask(server, texts[name], conn)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{name}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
                continue
            elapsed = time.perf_counter() - t0
            if status != 200:
                with lock:
                    errors.append(f"{name}: HTTP {status} {body[:100]!r}")
            else:
                mine.append((name, elapsed))
        conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    stop_at[0] = t0 + duration
    start.wait()
    for t in threads:
        t.join()
    return samples, errors, time.perf_counter() - t0


def measure(server: Server, texts: dict[str, str], clients: int, duration: float) -> dict:
    """``clients`` threads querying for ``duration`` seconds; throughput and latencies."""
    return summarise(clients, [run_clients(server, texts, clients, duration)])


def summarise(
    clients: int, runs: list[tuple[list[tuple[str, float]], list[str], float]]
) -> dict[str, Any]:
    """Throughput and latencies of one cell from its rounds (see :func:`run_clients`)."""
    samples = [sample for run in runs for sample in run[0]]
    errors = [error for run in runs for error in run[1]]
    wall = sum(run[2] for run in runs)
    latencies = sorted(s for _, s in samples)
    names = list(dict.fromkeys(q for q, _ in samples))
    per_query = {n: sorted(s for q, s in samples if q == n) for n in names}
    return {
        "clients": clients,
        "requests": len(samples),
        "errors": len(errors),
        "error_examples": errors[:3],
        "wall_s": wall,
        "throughput_rps": len(samples) / wall if wall else 0.0,
        "p50_ms": 1000 * percentile(latencies, 50),
        "p99_ms": 1000 * percentile(latencies, 99),
        "per_query_p50_ms": {n: 1000 * statistics.median(v) for n, v in per_query.items()},
        "per_query_p99_ms": {n: 1000 * percentile(v, 99) for n, v in per_query.items()},
    }


def percentile(sorted_values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of sorted values; 0 for none."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def run_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every cell for one data size."""
    manifest = json.loads((DATA / f"dkg-{size}.json").read_text())
    texts = {name: sparql(name, manifest["params"]) for name in ENDPOINT_QUERIES}
    data_dir = archive_dir(size, manifest)
    log(f"{size}: starting dialogue-kg serve and oxigraph serve")
    t0 = time.perf_counter()
    dkg = start_dialogue_kg(data_dir, args.workers, args.threads, args.cache_mb)
    dkg_start = time.perf_counter() - t0
    t0 = time.perf_counter()
    oxi = start_oxigraph(DATA / manifest["files"]["nquads"])
    oxi_start = time.perf_counter() - t0
    try:
        counts = {s.name: row_counts(s, texts) for s in (dkg, oxi)}
        if counts["dialogue-kg"] != counts["oxigraph"]:
            raise RuntimeError(f"the servers disagree on row counts: {counts}")
        cells: dict[str, list[dict]] = {"dialogue-kg": [], "oxigraph": []}
        duration = (args.duration_1m if size == "1m" else args.duration) / args.rounds
        for clients in args.clients:
            runs: dict[str, list] = {"dialogue-kg": [], "oxigraph": []}
            log(f"{size}: {clients} clients, {args.rounds} rounds of {duration:g} s per server")
            for _ in range(args.rounds):
                for server in (dkg, oxi):
                    runs[server.name].append(run_clients(server, texts, clients, duration))
            for name, server_runs in runs.items():
                cells[name].append(summarise(clients, server_runs))
    finally:
        dkg.stop()
        oxi.stop()
    return {
        "size": size,
        "store_quads": manifest["store_quads"],
        "start_s": {"dialogue-kg": dkg_start, "oxigraph": oxi_start},
        "rows": counts["oxigraph"],
        "cells": cells,
    }


def analyse(sizes: list[dict]) -> list[dict]:
    """Ratios and targets per size and concurrency."""
    rows = []
    for result in sizes:
        for ours, theirs in zip(
            result["cells"]["dialogue-kg"], result["cells"]["oxigraph"], strict=True
        ):
            tp = (
                ours["throughput_rps"] / theirs["throughput_rps"] if theirs["throughput_rps"] else 0
            )
            p99 = ours["p99_ms"] / theirs["p99_ms"] if theirs["p99_ms"] else 0
            row = {
                "size": result["size"],
                "clients": ours["clients"],
                "throughput_ratio": tp,
                "p99_ratio": p99,
                "throughput_ok": tp >= TARGET_THROUGHPUT,
                "p99_ok": p99 <= TARGET_P99 and ours["errors"] == 0,
            }
            if ours["clients"] == 8:
                row["throughput_8_ok"] = tp >= TARGET_THROUGHPUT_8
            rows.append(row)
    return rows


def markdown(report: dict) -> str:
    """The tables."""
    env = report["environment"]
    lines = [
        "# Endpoint throughput: dialogue-kg serve vs oxigraph serve",
        "",
        f"{env['date']}; pyoxigraph/oxigraph {env['oxigraph']}; {env['cpus']} CPUs; load average "
        f"{env['load_start']} at start, {env['load_end']} at end. dialogue-kg: waitress "
        f"{report['args']['threads']} threads, {report['args']['workers']} query workers, "
        f"result cache {report['args'].get('cache_mb', 0)} MiB"
        f"{' (every query runs)' if not report['args'].get('cache_mb') else ''}. "
        f"Each cell runs {report['args']['duration']:g} s "
        f"(1m: {report['args']['duration_1m']:g} s); clients cycle through "
        f"{len(ENDPOINT_QUERIES)} scholar queries (bench/run.py, without co_participation) over "
        "keep-alive connections, GET, "
        "SPARQL JSON results. Targets: throughput ≥ 60% of Oxigraph's, p99 ≤ 2× Oxigraph's; "
        f"issue 16: throughput at 8 clients ≥ {TARGET_THROUGHPUT_8:g}× Oxigraph's (column "
        f"'8 clients ≥ {TARGET_THROUGHPUT_8:g}×'), each query's median at 1 client ≤ "
        f"{TARGET_QUERY_P50:g}× Oxigraph's (per-query tables). Cells alternate between the "
        f"servers in {report['args'].get('rounds', 1)} round(s).",
        "",
        "| size | clients | dialogue-kg req/s | oxigraph req/s | ratio | dkg p50 ms | oxi p50 ms "
        "| dkg p99 ms | oxi p99 ms | p99 ratio | errors | targets "
        f"| 8 clients ≥ {TARGET_THROUGHPUT_8:g}× |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    verdicts = iter(report["targets"])
    for result in report["sizes"]:
        for ours, theirs in zip(
            result["cells"]["dialogue-kg"], result["cells"]["oxigraph"], strict=True
        ):
            v = next(verdicts)
            ok = "PASS" if v["throughput_ok"] and v["p99_ok"] else "FAIL"
            ok8 = {True: "PASS", False: "FAIL", None: "–"}[v.get("throughput_8_ok")]
            lines.append(
                f"| {result['size']} | {ours['clients']} | {ours['throughput_rps']:.1f} | "
                f"{theirs['throughput_rps']:.1f} | {v['throughput_ratio']:.2f} | "
                f"{ours['p50_ms']:.1f} | {theirs['p50_ms']:.1f} | {ours['p99_ms']:.1f} | "
                f"{theirs['p99_ms']:.1f} | {v['p99_ratio']:.2f} | "
                f"{ours['errors']}/{theirs['errors']} | {ok} | {ok8} |"
            )
    for result in report["sizes"]:
        lines += [
            "",
            f"## {result['size']} ({result['store_quads']:,} quads): median latency per query, "
            "1 client (ms)",
            "",
            f"Start-up: dialogue-kg {result['start_s']['dialogue-kg']:.1f} s (the server opens "
            "the store's snapshot, workers are forked from it), "
            f"oxigraph {result['start_s']['oxigraph']:.1f} s (POST of the N-Quads).",
            "",
            f"| query | rows | dialogue-kg p50 | oxigraph p50 | p50 ratio "
            f"| ≤ {TARGET_QUERY_P50:g}× | dialogue-kg p99 | oxigraph p99 |",
            "|---|---:|---:|---:|---:|---|---:|---:|",
        ]
        ours_cell, theirs_cell = result["cells"]["dialogue-kg"][0], result["cells"]["oxigraph"][0]
        ours, theirs = ours_cell["per_query_p50_ms"], theirs_cell["per_query_p50_ms"]
        ours99 = ours_cell.get("per_query_p99_ms", {})
        theirs99 = theirs_cell.get("per_query_p99_ms", {})
        for name in ENDPOINT_QUERIES:
            if name in ours and name in theirs:
                ratio = ours[name] / theirs[name]
                verdict = "PASS" if ratio <= TARGET_QUERY_P50 else "FAIL"
                p99s = " | ".join(
                    f"{cell[name]:.1f}" if name in cell else "–" for cell in (ours99, theirs99)
                )
                lines.append(
                    f"| {name} | {result['rows'][name]} | {ours[name]:.2f} | "
                    f"{theirs[name]:.2f} | {ratio:.2f} | {verdict} | {p99s} |"
                )
    return "\n".join(lines) + "\n"


def environment() -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "oxigraph": version("pyoxigraph"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/results/endpoint.{json,md}."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100k,1m")
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per cell (100k)")
    ap.add_argument(
        "--duration-1m", type=float, default=20.0, help="seconds per cell at 1m (slower queries)"
    )
    ap.add_argument("--workers", type=int, default=2, help="dialogue-kg query workers")
    ap.add_argument("--threads", type=int, default=8, help="dialogue-kg waitress threads")
    ap.add_argument(
        "--cache-mb",
        type=int,
        default=0,
        help="dialogue-kg's DKG_RESULT_CACHE_MB (default 0: every query runs; the server's "
        "default is 64, which answers the clients' repeats from the cache)",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds per cell, alternating the servers (each runs duration/rounds seconds)",
    )
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    ap.add_argument("--name", default="endpoint", help="result file name (without extension)")
    args = ap.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    env = environment()
    started = time.perf_counter()
    sizes = []
    for size in args.sizes.split(","):
        if not (DATA / f"dkg-{size}.json").exists():
            from . import generate

            label, target = generate.parse_size(size)
            generate.generate(label, target, DATA, 20110308)
        sizes.append(run_size(size, args))
    env["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = {
        "environment": env,
        "args": {k: v for k, v in vars(args).items() if k != "out"},
        "wall_s": time.perf_counter() - started,
        "queries": {n: PREFIXES + QUERIES[n][1] for n in ENDPOINT_QUERIES},
        "sizes": sizes,
    }
    report["targets"] = analyse(sizes)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (args.out / f"{args.name}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
