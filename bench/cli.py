"""Benchmark of a command-line query on an unchanged data directory: what ``dialogue-kg query``
costs beyond the query itself.

For each scholar query of ``bench/run.py`` (``co_participation`` left out: it measures the
engine, not the command), at each size: the wall time of ``dialogue-kg query -e TEXT --format
json`` (interpreter start included), with the on-disk replica (the default) and without it
(``DKG_REPLICA=false``: the in-memory store loaded from its snapshot, as before), beside the same
query on raw pyoxigraph in memory and on disk (RocksDB), and ``dialogue-kg --version`` (the
interpreter and imports alone). The overhead is the command's median minus raw pyoxigraph's
in-memory median: everything the command adds, the slower on-disk engine included.

    .venv/bin/python -m bench.cli --sizes 100k,1m --runs 5

Writes bench/results/cli.json and bench/results/cli.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from .generate import ensure, parse_size, paths
from .run import QUERIES, sparql
from .startup import DATA, OUT, _env, prepare

TARGET_OVERHEAD_S = 1.0


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _raw_times(store: ox.Store, text: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            result.serialize(format=ox.QueryResultsFormat.JSON)
        else:
            bool(result)
        times.append(time.perf_counter() - started)
    return times[1:]  # the first run warms the caches, as the command's own first call did


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_s": round(statistics.median(ordered), 4),
        "p99_s": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 4),
    }


def measure(label: str, target: int, work: Path, runs: int) -> dict:
    """Every query at one size: the command with and without the replica, raw pyoxigraph."""
    manifest = ensure(label, target, DATA)
    data_dir, graph_data = prepare(label, target, work)
    nquads = paths(DATA, label)["nquads"]
    memory = ox.Store()
    memory.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    disk_path = work / f"raw-disk-{label}"
    if not disk_path.exists():
        disk = ox.Store(str(disk_path))
        disk.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        disk.flush()
        del disk
    disk = ox.Store.read_only(str(disk_path))
    env_replica = _env(data_dir, graph_data, 0)
    env_memory = {**env_replica, "DKG_REPLICA": "false"}
    base = [sys.executable, "-m", "dialogue_kg", "query", "--format", "json", "-e"]
    _wall([*base, "ASK {}"], env_replica)  # makes the replica if there is none yet
    version = [_wall([sys.executable, "-m", "dialogue_kg", "--version"], {}) for _ in range(runs)]
    rows = {}
    for name in [n for n in QUERIES if n != "co_participation"] + ["ask"]:
        text = "ASK {}" if name == "ask" else sparql(name, manifest["params"])
        replica = [_wall([*base, text], env_replica) for _ in range(runs)]
        in_memory = [_wall([*base, text], env_memory) for _ in range(max(1, runs // 2))]
        raw_memory = _raw_times(memory, text, runs)
        raw_disk = _raw_times(disk, text, runs)
        rows[name] = {
            "cli_replica": _summary(replica),
            "cli_memory": _summary(in_memory),
            "raw_memory": _summary(raw_memory),
            "raw_disk": _summary(raw_disk),
            "overhead_s": round(statistics.median(replica) - statistics.median(raw_memory), 3),
        }
    return {"size": label, "version": _summary(version), "queries": rows}


def _markdown(results: dict) -> str:
    lines = [
        "# A command-line query on an unchanged data directory",
        "",
        "`python -m bench.cli --sizes … --runs N`. Wall seconds of `dialogue-kg query -e TEXT "
        "--format json` (interpreter start included), median of N runs, with the on-disk replica "
        "(the default) and with `DKG_REPLICA=false` (the in-memory store loaded from its "
        "snapshot), beside raw pyoxigraph's time for the same query (serialised to JSON) in "
        "memory and on disk. Overhead: the command's median minus raw pyoxigraph in memory. "
        f"Target: overhead ≤ {TARGET_OVERHEAD_S:g} s.",
        "",
    ]
    for row in results["rows"]:
        v = row["version"]["median_s"]
        lines += [
            f"## {row['size']} (`dialogue-kg --version` alone: {v} s)",
            "",
            "| query | command, replica s | command, in-memory s | raw memory ms | raw disk ms "
            "| overhead s | target |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, q in row["queries"].items():
            ok = "PASS" if q["overhead_s"] <= TARGET_OVERHEAD_S else "FAIL"
            lines.append(
                f"| {name} | {q['cli_replica']['median_s']:.3f} | "
                f"{q['cli_memory']['median_s']:.2f} | "
                f"{q['raw_memory']['median_s'] * 1000:.1f} | "
                f"{q['raw_disk']['median_s'] * 1000:.1f} | {q['overhead_s']:.3f} | {ok} |"
            )
        lines.append("")
    lines.append(f"- {results['note']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure the sizes asked for and write the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100k")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/dkg-startup"))
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = [measure(*parse_size(s), args.work_dir, args.runs) for s in args.sizes.split(",")]
    results = {
        "rows": rows,
        "note": f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the "
        f"end; {args.runs} runs of the command with the replica, {max(1, args.runs // 2)} "
        "without (2 cores, shared)",
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "cli.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (OUT / "cli.md").write_text(_markdown(results), encoding="utf-8")
    print(_markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
