"""Benchmark the resource pages: latency of ``/id/…`` (HTML and Turtle) at the 100k and 1M
synthetic archives, against the same SPARQL queries run directly on raw pyoxigraph.

Usage: ``python -m bench.pages [--sizes 100k,1m] [--pages 200]``

Each size: the synthetic TriG (bench/generate.py) and the ontology are loaded into an archive
(memory store, no validation) and the app is built over it; a deterministic sample of resources
of every kind is requested through Flask's test client (routing, description, template, i18n; no
network). The baseline records the SPARQL strings each page issues and runs them on a raw
pyoxigraph store loaded from the same quads (N-Quads, union default graph), fetching every row.
Results: bench/results/pages.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import generate

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TARGET_P50_MS = 50.0
KINDS = ("agreement", "meeting", "person", "organisation", "event", "outreach", "source", "place")
ID = generate.ID


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary(times_s: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max in milliseconds."""
    ms = [t * 1000 for t in times_s]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p90_ms": round(percentile(ms, 0.9), 3),
        "p99_ms": round(percentile(ms, 0.99), 3),
        "max_ms": round(max(ms), 3),
    }


def sample(archive: Any, pages: int, seed: int) -> list[str]:
    """A deterministic sample of resource IRIs, spread evenly over the kinds."""
    per_kind = max(1, pages // len(KINDS))
    rng = random.Random(seed)
    out: list[str] = []
    for kind in KINDS:
        rows = archive.query(
            f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ID}{kind}/')) }}"
        )
        iris = sorted(r["s"].value for r in rows)
        out += rng.sample(iris, min(per_kind, len(iris)))
    return out


class Recorder:
    """Wraps the archive's ``query`` to keep the SPARQL strings one page issues."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self.original = archive.query
        self.seen: list[str] = []

    def __enter__(self) -> Recorder:
        def query(sparql: str, **kwargs: object):  # noqa: ANN202
            self.seen.append(sparql)
            return self.original(sparql, **kwargs)

        self.archive.query = query
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.query = self.original


def run_raw(store: Any, queries: list[str]) -> None:
    """Run each query on raw pyoxigraph (union default graph) and fetch every row."""
    import pyoxigraph as ox

    for q in queries:
        result = store.query(q, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            for row in result:
                for v in result.variables:
                    _ = row[v]
        else:
            bool(result)


def bench_size(size: str, pages: int, rounds: int, data_dir: Path, work: Path) -> dict[str, Any]:
    """Load one size, then time the pages and their raw-SPARQL baseline, interleaved."""
    import pyoxigraph as ox

    from dialogue_kg.config import Settings, ontology_dir
    from dialogue_kg.core.archive import ONTOLOGY_IRI, Archive
    from dialogue_kg.core.history import resource_history
    from webapp import create_app

    manifest = generate.ensure(size, generate.SIZES[size], data_dir)
    trig = data_dir / manifest["files"]["trig"]
    folder = work / f"archive-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    settings = Settings(data_dir=str(folder), validate=False, query_workers=0)
    t0 = time.perf_counter()
    archive = Archive.open(settings, initialise=False)
    archive.load(ontology_dir() / "dialogue.ttl", agent="bench", sources=[ONTOLOGY_IRI])
    archive.load(trig, agent="bench")
    load_s = time.perf_counter() - t0
    log(f"{size}: archive loaded in {load_s:.1f} s ({len(archive.store):,} quads)")
    raw = ox.Store()
    t0 = time.perf_counter()
    raw.load(path=str(data_dir / manifest["files"]["nquads"]))
    raw.load(path=str(ontology_dir() / "dialogue.ttl"), to_graph=ox.NamedNode(ONTOLOGY_IRI))
    raw_load_s = time.perf_counter() - t0

    app = create_app({"TESTING": True}, archive=archive)
    client = app.test_client()
    iris = sample(archive, pages, seed=20110308)
    paths = [iri.replace(generate.BASE, "/", 1) for iri in iris]
    queries: dict[str, list[str]] = {}
    for path in paths:  # warm-up, and the queries each page issues
        with Recorder(archive) as rec:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        queries[path] = list(rec.seen)
        run_raw(raw, rec.seen)

    html, turtle, baseline = [], [], []
    for _ in range(rounds):
        for path in paths:
            t0 = time.perf_counter()
            response = client.get(path)
            body = response.data
            html.append(time.perf_counter() - t0)
            assert response.status_code == 200 and body
            t0 = time.perf_counter()
            run_raw(raw, queries[path])
            baseline.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            response = client.get(path, headers={"Accept": "text/turtle"})
            body = response.data
            turtle.append(time.perf_counter() - t0)

    hot = manifest["params"]["agreement"]
    history_s = []
    for _ in range(3):
        t0 = time.perf_counter()
        changes = resource_history(archive, hot)
        history_s.append(time.perf_counter() - t0)
    result = {
        "size": size,
        "store_quads": len(archive.store),
        "archive_load_s": round(load_s, 2),
        "raw_load_s": round(raw_load_s, 2),
        "resources": len(paths),
        "rounds": rounds,
        "queries_per_page": round(statistics.mean(len(q) for q in queries.values()), 2),
        "html": summary(html),
        "turtle": summary(turtle),
        "raw_sparql": summary(baseline),
        "history_view_s": round(statistics.median(history_s), 3),
        "history_changes": len(changes),
    }
    result["ratio_p50"] = round(result["html"]["p50_ms"] / result["raw_sparql"]["p50_ms"], 2)
    archive.close()
    shutil.rmtree(folder, ignore_errors=True)
    return result


def environment() -> dict[str, Any]:
    """Machine, versions, commit and load."""
    from importlib import metadata

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "pyoxigraph": metadata.version("pyoxigraph"),
        "flask": metadata.version("flask"),
        "cpus": os.cpu_count(),
        "commit": commit,
        "load_average": list(os.getloadavg()),
    }


def markdown(report: dict[str, Any]) -> str:
    """The results as a Markdown page."""
    env = report["environment"]
    lines = [
        "# Resource page benchmark",
        "",
        f"Run {env['time']}, Python {env['python']}, pyoxigraph {env['pyoxigraph']}, Flask "
        f"{env['flask']}, {env['cpus']} CPUs, commit {env['commit']}; load average at the start "
        f"{', '.join(f'{x:.2f}' for x in env['load_average'])}. Generated by "
        "`python -m bench.pages`.",
        "",
        "Each request goes through Flask's test client (routing, content negotiation, the "
        "description queries, labels, the template, i18n). The baseline runs the same SPARQL "
        "strings the page issued, on a raw pyoxigraph store holding the same quads (union "
        "default graph), fetching every row. Requests and baseline are interleaved. With 2 CPUs "
        "a load average above 2 means other work shared the machine: absolute times are then "
        "inflated, the ratio less so.",
        "",
        f"## Target: HTML p50 under {TARGET_P50_MS:.0f} ms at 1M",
        "",
        "| size | quads | pages × rounds | queries/page | HTML p50 | HTML p99 | Turtle p50 | "
        "Turtle p99 | raw SPARQL p50 | raw SPARQL p99 | HTML p50 / raw p50 | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["sizes"]:
        status = "PASS" if r["html"]["p50_ms"] < TARGET_P50_MS else "**FAIL**"
        lines.append(
            f"| {r['size']} | {r['store_quads']:,} | {r['resources']} × {r['rounds']} | "
            f"{r['queries_per_page']} | {r['html']['p50_ms']:.1f} ms | {r['html']['p99_ms']:.1f} ms"
            f" | {r['turtle']['p50_ms']:.1f} ms | {r['turtle']['p99_ms']:.1f} ms | "
            f"{r['raw_sparql']['p50_ms']:.2f} ms | {r['raw_sparql']['p99_ms']:.2f} ms | "
            f"{r['ratio_p50']:.1f}× | {status if r['size'] == '1m' else '—'} |"
        )
    lines += [
        "",
        "## Full history view (`?view=history`)",
        "",
        "The history (with retractions) is read from the journal, every record, so its cost grows "
        "with the archive; that is why it is its own view and the resource page shows the "
        "provenance of the current statements (from `GRAPH ?g` and the PROV graph) instead.",
        "",
        "| size | `resource_history` of the busiest agreement | change sets found |",
        "|---|---:|---:|",
    ]
    for r in report["sizes"]:
        lines.append(f"| {r['size']} | {r['history_view_s']:.2f} s | {r['history_changes']} |")
    lines += [
        "",
        "Loading (not the subject here): "
        + "; ".join(
            f"{r['size']}: archive {r['archive_load_s']} s, raw {r['raw_load_s']} s"
            for r in report["sizes"]
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    ap = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100k,1m")
    ap.add_argument("--pages", type=int, default=200, help="resources sampled per size")
    ap.add_argument("--rounds", type=int, default=3, help="timed requests per resource")
    ap.add_argument("--data", type=Path, default=BENCH / "data")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    report: dict[str, Any] = {"environment": environment(), "sizes": []}
    with tempfile.TemporaryDirectory(prefix="dkg-bench-pages-") as work:
        for size in args.sizes.split(","):
            result = bench_size(size.strip(), args.pages, args.rounds, args.data, Path(work))
            html, raw = result["html"], result["raw_sparql"]
            log(
                f"{size}: HTML p50 {html['p50_ms']:.1f} ms, p99 {html['p99_ms']:.1f} ms; "
                f"raw p50 {raw['p50_ms']:.2f} ms"
            )
            report["sizes"].append(result)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pages.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "pages.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
