"""Benchmark of start-up: how long ``dialogue-kg serve`` takes to answer its first query and how
much memory the server and its query workers hold, and how long a CLI query takes, on a data
directory opened before (so unchanged) — at the curated archive and synthetic sizes. Each run is
recorded under a label (e.g. ``before``/``after`` a change, run with ``PYTHONPATH`` pointing at
each tree) in bench/results/startup.json; bench/results/startup.md shows every label.

    .venv/bin/python -m bench.startup --label after --sizes curated,100k --workers 2,4

Memory is read from ``/proc/PID/smaps_rollup`` for the server and every process under it: RSS
(each process's resident pages, shared ones counted once per process) and PSS (shared pages
divided among the processes sharing them: the sum is what the tree really holds).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from .generate import ensure, parse_size, paths

OUT = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"
ASK = "ASK%20%7B%7D"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STORE = os.environ.get("DKG_STORE", "memory")  # set by --store


def _env(data_dir: Path, graph_data: Path | None, workers: int) -> dict[str, str]:
    env = dict(os.environ, DKG_DATA_DIR=str(data_dir), DKG_QUERY_WORKERS=str(workers))
    env["DKG_STORE"] = STORE
    env["DKG_VALIDATE"] = "false"
    if graph_data is not None:
        env["DKG_GRAPH_DATA"] = str(graph_data)
    return env


def prepare(label: str, target: int, work: Path) -> tuple[Path, Path | None]:
    """A data directory holding one size (made once, kept for every later run)."""
    data_dir = work / (f"data-{label}" if STORE == "memory" else f"data-{label}-{STORE}")
    if label == "curated":
        graph_data = None
    else:
        graph_data = work / "no-graph-data"
        graph_data.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "journal.rdfp").exists():
        env = _env(data_dir, graph_data, 0)
        if label == "curated":
            cmd = ["-e", "ASK {}"]
            subprocess.run(
                [sys.executable, "-m", "dialogue_kg", "query", *cmd], env=env, check=True
            )
        else:
            ensure(label, target, DATA)
            trig = paths(DATA, label)["trig"]
            subprocess.run(
                [sys.executable, "-m", "dialogue_kg", "load", str(trig), "--agent", "bench"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
    return data_dir, graph_data


def _tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _memory(pid: int) -> dict:
    """RSS and PSS (MiB) summed over the process tree, and how many processes it has."""
    rss = pss = 0
    pids = _tree(pid)
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return {"processes": len(pids), "rss_mib": round(rss / 1024), "pss_mib": round(pss / 1024)}


def serve_once(data_dir: Path, graph_data: Path | None, workers: int) -> dict:
    """Start ``dialogue-kg serve``, time it to its first answer, read its memory, stop it."""
    port = _free_port()
    env = _env(data_dir, graph_data, workers)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dialogue_kg", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/sparql?query={ASK}"
        while True:
            if proc.poll() is not None:
                raise RuntimeError("the server stopped")
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
        at_ready = _memory(proc.pid)
        for _ in range(2 * max(workers, 1)):  # every worker answers once
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20%7B%3Fs%20%3Fp%20%3Fo%7D",
                timeout=120,
            ) as response:
                response.read()
        return {
            "ready_s": round(ready, 2),
            "pss_ready_mib": at_ready["pss_mib"],
            **_memory(proc.pid),
        }
    finally:
        proc.terminate()
        proc.wait(30)


def cli_query(data_dir: Path, graph_data: Path | None) -> float:
    """Wall seconds of ``dialogue-kg query -e 'ASK {}'`` (interpreter start included)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dialogue_kg", "query", "-e", "ASK {}"],
        env=_env(data_dir, graph_data, 0),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def cli_baseline() -> float:
    """Wall seconds of ``dialogue-kg --version`` (interpreter start and imports only)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dialogue_kg", "--version"], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def raw_load(label: str) -> float | None:
    """Seconds raw pyoxigraph takes to load the same quads (the synthetic sizes only)."""
    if label == "curated":
        return None
    started = time.perf_counter()
    ox.Store().bulk_load(path=str(paths(DATA, label)["nquads"]), format=ox.RdfFormat.N_QUADS)
    return round(time.perf_counter() - started, 2)


RAW_RSS = """
import sys, pyoxigraph as ox
def rss():
    with open("/proc/self/status") as fh:
        return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS")) / 1024
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
print(round(rss()))
"""


def raw_rss(label: str) -> int | None:
    """MiB resident in a Python process holding raw pyoxigraph's in-memory store of the same
    quads (the interpreter included): "one store" for the memory ratios."""
    if label == "curated":
        return None
    out = subprocess.run(
        [sys.executable, "-c", RAW_RSS, str(paths(DATA, label)["nquads"])],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def measure(label: str, target: int, work: Path, workers: list[int], runs: int) -> dict:
    """Start-up figures of one size."""
    data_dir, graph_data = prepare(label, target, work)
    serve_once(data_dir, graph_data, workers[0])  # the first start may write what later ones use
    row: dict = {
        "size": label,
        "raw_load_s": raw_load(label),
        "raw_rss_mib": raw_rss(label),
        "serve": {},
    }
    for n in workers:
        found = [serve_once(data_dir, graph_data, n) for _ in range(runs)]
        best = min(found, key=lambda r: r["ready_s"])
        row["serve"][str(n)] = {
            "ready_median_s": round(statistics.median(r["ready_s"] for r in found), 2),
            "processes": best["processes"],
            "rss_mib": round(statistics.median(r["rss_mib"] for r in found)),
            "pss_mib": round(statistics.median(r["pss_mib"] for r in found)),
            "pss_ready_mib": round(statistics.median(r["pss_ready_mib"] for r in found)),
        }
    queries = [cli_query(data_dir, graph_data) for _ in range(runs)]
    row["cli_query_median_s"] = round(statistics.median(queries), 2)
    row["cli_version_median_s"] = round(statistics.median(cli_baseline() for _ in range(runs)), 2)
    return row


def _markdown(results: dict) -> str:
    lines = [
        "# Start-up: `serve` ready and its memory, a CLI query, on an unchanged data directory",
        "",
        "`python -m bench.startup --label LABEL --sizes … --workers …` (run once per code tree). "
        "ready: seconds from starting `dialogue-kg serve` to its first answer (median); memory "
        "summed over the server and its workers when ready (PSS) and after every worker answered "
        "a full-scan count twice (RSS and PSS): RSS counts shared pages once per process, PSS "
        "divides them (what the tree really holds). CLI: "
        "`dialogue-kg query -e 'ASK {}'` wall time, interpreter start included (`--version` "
        "alone beside it). One raw store: RSS of a Python process holding raw pyoxigraph's "
        "in-memory store of the same quads (interpreter included).",
        "",
        "| label | size | workers | processes | ready s | PSS MiB ready | RSS MiB | PSS MiB "
        "| raw pyoxigraph load s | one raw store RSS MiB | CLI query s | CLI --version s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in results.items():
        for row in run["rows"]:
            for n, s in row["serve"].items():
                lines.append(
                    f"| {name} | {row['size']} | {n} | {s['processes']} | {s['ready_median_s']} | "
                    f"{s.get('pss_ready_mib', '—')} | {s['rss_mib']} | {s['pss_mib']} | "
                    f"{row['raw_load_s'] or '—'} | {row.get('raw_rss_mib') or '—'} | "
                    f"{row['cli_query_median_s']} | {row['cli_version_median_s']} |"
                )
    lines.append("")
    for name, run in results.items():
        lines.append(f"- {name}: {run['note']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure the sizes asked for under one label and rewrite the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n")[0])
    ap.add_argument("--label", required=True)
    ap.add_argument("--sizes", default="curated,100k")
    ap.add_argument("--workers", default="2,4")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/dkg-startup"))
    ap.add_argument("--note", default="")
    ap.add_argument(
        "--store", choices=("memory", "disk"), default="memory", help="DKG_STORE of the server"
    )
    args = ap.parse_args(argv)
    global STORE  # noqa: PLW0603 - one setting for every helper of this run
    STORE = args.store
    workers = [int(n) for n in args.workers.split(",")]
    load_before = os.getloadavg()[0]
    rows = [
        measure(
            *(("curated", 0) if s == "curated" else parse_size(s)),
            args.work_dir,
            workers,
            args.runs,
        )
        for s in args.sizes.split(",")
    ]
    OUT.mkdir(exist_ok=True)
    store = OUT / "startup.json"
    results = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}
    note = (
        f"{args.note} load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end; {args.runs} runs (2 cores, shared)"
    ).strip()
    results[args.label] = {"rows": rows, "note": note}
    store.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = _markdown(results)
    (OUT / "startup.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
