"""Benchmark the co-participation projection and betweenness on the synthetic archives.

Usage: ``python -m bench.analysis [--sizes 100k,1m] [--repeat 5] [--sample 256]``

For each size the store the archive would hold (the ``.nq`` file; see bench/generate.py) is loaded
into the archive's own Oxigraph store class, then, in the same process and interleaved:

- **dialogue-kg**: :func:`dialogue_kg.analysis.projections.co_participation` (one SPARQL SELECT
  of meeting–participant rows, pairs counted in Python; with and without the label lookup);
- **baseline**: the direct SPARQL-to-networkx route with rdflib's helper: a SPARQL CONSTRUCT of the
  same ``dkg:participant`` triples from the same store, parsed into an ``rdflib.Graph``, turned into
  networkx by ``rdflib.extras.external_graph_libs.rdflib_to_networkx_graph``, then projected onto
  the actors with ``networkx.bipartite.weighted_projected_graph``.

Both must give the same edges and weights (checked). Betweenness is then timed on both graphs,
sampled from ``--sample`` sources (networkx ``k``), and exactly on ours up to ``--exact-limit``
nodes.
Results: bench/results/analysis.json and analysis.md (medians and ratios).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib.extras.external_graph_libs import rdflib_to_networkx_graph

from dialogue_kg.analysis import measures
from dialogue_kg.analysis.projections import co_participation
from dialogue_kg.analysis.view import View
from dialogue_kg.core.store.oxigraph import OxigraphStore
from dialogue_kg.namespaces import Minter

from . import generate

BENCH = Path(__file__).resolve().parent
TARGET_SECONDS = 10.0  # projection of the 1M archive

BASELINE_CONSTRUCT = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
CONSTRUCT { ?m dkg:participant ?a } WHERE { ?m a dkg:Meeting ; dkg:participant ?a }"""


def load_store(nquads: Path) -> OxigraphStore:
    """The archive's store class, holding the dataset of ``nquads``."""
    store = OxigraphStore(Minter())
    store.store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return store


def ours(view: View, labels: bool) -> nx.Graph:
    """dialogue-kg's projection."""
    return co_participation(view, labels=labels)


def baseline(store: OxigraphStore) -> nx.Graph:
    """SPARQL CONSTRUCT → rdflib.Graph → rdflib_to_networkx_graph → bipartite projection."""
    data = store.query(BASELINE_CONSTRUCT).serialize(format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    bipartite = rdflib_to_networkx_graph(graph, calc_weights=False, edge_attrs=lambda s, p, o: {})
    actors = {o for o in graph.objects()}
    return nx.bipartite.weighted_projected_graph(bipartite, actors)


def same_edges(a: nx.Graph, b: nx.Graph) -> bool:
    """True when both projections have the same actor pairs with the same weights."""

    def key(g: nx.Graph) -> dict[frozenset, int]:
        return {frozenset(map(str, (u, v))): d["weight"] for u, v, d in g.edges(data=True)}

    return key(a) == key(b)


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func()
    return time.perf_counter() - started, value


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_size(label: str, target: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement for one size."""
    manifest = generate.ensure(label, target, args.data)
    files = generate.paths(args.data, label)
    load_s, store = timed(lambda: load_store(files["nquads"]))
    view = View(store, 0)
    runs: dict[str, list[float]] = {"ours": [], "ours_labels": [], "baseline": []}
    graphs: dict[str, nx.Graph] = {}
    # The 1M baseline takes tens of seconds a run: fewer runs keep the whole benchmark bounded.
    repeat = args.repeat if target < 500_000 else max(2, args.repeat // 2)
    ours(view, False)  # warm-up: first query compiles and warms the store's caches
    for i in range(repeat):
        order = ["ours", "ours_labels", "baseline"]
        if i % 2:
            order.reverse()  # interleave, so background load hits every system alike
        for name in order:
            if name == "ours":
                seconds, graphs[name] = timed(lambda: ours(view, False))
            elif name == "ours_labels":
                seconds, graphs[name] = timed(lambda: ours(view, True))
            else:
                seconds, graphs[name] = timed(lambda: baseline(store))
            runs[name].append(seconds)
            print(f"  {label} {name}: {seconds:.3f} s", file=sys.stderr)
    graph = graphs["ours"]
    k = min(args.sample, graph.number_of_nodes()) or None
    between_s, scores = timed(lambda: measures.centrality(graph, "betweenness", k=k, top=5))
    base_between_s, _ = timed(lambda: nx.betweenness_centrality(graphs["baseline"], k=k, seed=0))
    exact_s = None
    if graph.number_of_nodes() <= args.exact_limit:
        exact_s, _ = timed(lambda: measures.centrality(graph, "betweenness"))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    return {
        "size": label,
        "store_quads": manifest["store_quads"],
        "meetings": manifest["resources"]["meeting"],
        "load_seconds": round(load_s, 3),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "same_edges_as_baseline": same_edges(graph, graphs["baseline"]),
        "runs": {name: [round(v, 4) for v in values] for name, values in runs.items()},
        "median_seconds": {name: round(v, 4) for name, v in medians.items()},
        "ratio_baseline_to_ours": round(medians["baseline"] / medians["ours"], 2),
        "ratio_baseline_to_ours_labels": round(medians["baseline"] / medians["ours_labels"], 2),
        "betweenness": {
            "k": k,
            "seconds_on_ours": round(between_s, 3),
            "seconds_on_baseline_graph": round(base_between_s, 3),
            "exact_seconds_on_ours": None if exact_s is None else round(exact_s, 3),
            "top": [{"node": s.node, "score": round(s.score, 5)} for s in scores],
        },
    }


def markdown(report: dict[str, Any]) -> str:
    """The results as a Markdown page."""
    lines = [
        "# Analysis benchmark: co-participation projection and betweenness",
        "",
        f"Run {report['started']} on {report['machine']} (Python {report['python']}, "
        f"pyoxigraph {report['versions']['pyoxigraph']}, rdflib {report['versions']['rdflib']}, "
        f"networkx {report['versions']['networkx']}). Load average at start "
        f"{report['loadavg_start']}, at end {report['loadavg_end']}"
        + (" — the machine was busy; absolute times are inflated." if report["busy"] else "."),
        "",
        "Projection medians in seconds (projection only: the store is loaded before the clock"
        " starts). **ours** = `co_participation(view, labels=False)`; **ours + labels** also"
        " fetches every actor's label; **baseline** = SPARQL CONSTRUCT → rdflib.Graph →"
        " `rdflib_to_networkx_graph` → `bipartite.weighted_projected_graph`.",
        "",
        "| size | store quads | meetings | actors | edges | ours s | ours + labels s | baseline s "
        "| baseline ÷ ours | same edges | betweenness s, sampled (ours / baseline graph) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report["results"]:
        m = r["median_seconds"]
        b = r["betweenness"]
        exact = b["exact_seconds_on_ours"]
        how = f"k={b['k']}" + ("" if exact is None else f"; exact on ours {exact:.1f} s")
        lines.append(
            f"| {r['size']} | {r['store_quads']:,} | {r['meetings']:,} | {r['nodes']:,} | "
            f"{r['edges']:,} | {m['ours']:.3f} | {m['ours_labels']:.3f} | {m['baseline']:.3f} | "
            f"{r['ratio_baseline_to_ours']}× | {'yes' if r['same_edges_as_baseline'] else 'NO'} | "
            f"{b['seconds_on_ours']:.2f} / {b['seconds_on_baseline_graph']:.2f} ({how}) |"
        )
    lines += ["", "## Target", ""]
    for r in report["results"]:
        if r["size"] == "1m":
            worst = max(r["runs"]["ours_labels"])
            verdict = "PASS" if worst < TARGET_SECONDS else "FAIL"
            lines.append(
                f"- projection of the 1M archive under {TARGET_SECONDS:.0f} s: **{verdict}** "
                f"(median {r['median_seconds']['ours_labels']:.2f} s with labels, slowest run "
                f"{worst:.2f} s)"
            )
    lines += [
        "",
        "Betweenness: networkx `betweenness_centrality` (unweighted, normalised), sampled from k"
        " sources (seed 0) on both graphs; exact as well on ours when it has at most"
        " --exact-limit nodes. The same algorithm is slower on the baseline graph because its"
        " nodes are rdflib terms rather than plain strings."
        f" Command: `python -m bench.analysis {report['argv']}`; wall time"
        f" {report['wall_seconds']} s.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write bench/results/analysis.{json,md}."""
    ap = argparse.ArgumentParser(
        prog="python -m bench.analysis", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--sizes", default="100k,1m")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per system (1m: half, ≥2)")
    ap.add_argument("--exact-limit", type=int, default=1000, help="exact betweenness up to N nodes")
    ap.add_argument("--sample", type=int, default=8, help="k sources for sampled betweenness")
    ap.add_argument("--data", type=Path, default=BENCH / "data")
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "argv": " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "versions": {p: metadata.version(p) for p in ("pyoxigraph", "rdflib", "networkx")},
        "loadavg_start": loadavg(),
        "results": [],
    }
    for text in args.sizes.split(","):
        label, target = generate.parse_size(text)
        report["results"].append(run_size(label, target, args))
        write(report, args.out, started)  # after each size, so a cut-short run keeps what it had
    print(markdown(report))
    return 0


def write(report: dict[str, Any], out: Path, started: float) -> None:
    """Write analysis.json and analysis.md with the results so far."""
    report["loadavg_end"] = loadavg()
    report["busy"] = max(report["loadavg_start"][0], report["loadavg_end"][0]) > (
        os.cpu_count() or 1
    )
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "analysis.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "analysis.md").write_text(markdown(report), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
