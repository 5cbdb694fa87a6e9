"""Benchmark of archivists' writes: a one-statement change through SPARQL Update (computed on a
scratch copy of the current state) against the same change posted as a change set (the baseline),
on synthetic archives. Writes bench/results/desk.{json,md}.

    .venv/bin/python -m bench.desk --sizes curated,10k,100k --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import read_changesets
from dialogue_kg.write.update import run_update

from .generate import ensure, parse_size, paths

OUT = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"
SOURCE = "https://w3id.org/dialogue-kg/id/source/bench"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _archive(tmp: Path, trig: Path) -> Archive:
    (tmp / "gd").mkdir()
    settings = Settings.from_env(
        {}, data_dir=str(tmp / "a"), graph_data_dir=str(tmp / "gd"), query_workers=0
    )
    archive = Archive.open(settings)
    archive.load(trig, agent="bench", validate=False)
    return archive


def _curated(tmp: Path) -> Archive:
    settings = Settings.from_env({}, data_dir=str(tmp / "a"), query_workers=0)
    return Archive.open(settings)


def measure(label: str, target: int, repeat: int) -> dict:
    """Median seconds per write for both paths on one size, and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        if label == "curated":
            archive = _curated(Path(tmp))
            subject = "https://w3id.org/dialogue-kg/id/person/hashim-thaci"
        else:
            subject = ensure(label, target, DATA)["params"]["person"]
            archive = _archive(Path(tmp), paths(DATA, label)["trig"])
        quads = len(archive.store.sorted_nquads())
        direct, update = [], []
        for i in range(repeat):
            turtle = f'<{subject}> {LABEL} "direct {i}"@sq .'.encode()
            started = time.perf_counter()
            cs = read_changesets(turtle, archive.minter, fmt="turtle", sources=[SOURCE])
            archive.commit(cs, agent="bench", validate=False)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            run_update(
                archive,
                f'INSERT DATA {{ <{subject}> {LABEL} "update {i}"@sq }}',
                agent="bench",
                sources=[SOURCE],
            )
            update.append(time.perf_counter() - started)
        archive.close()
    d, u = statistics.median(direct), statistics.median(update)
    return {
        "size": label,
        "store_quads": quads,
        "direct_median_s": round(d, 4),
        "update_median_s": round(u, 4),
        "ratio": round(u / d, 1),
        "runs": repeat,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the sizes asked for and write the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.desk", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="curated,10k,100k")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    sizes = args.sizes.split(",")
    rows = [
        measure(*(("curated", 0) if s == "curated" else parse_size(s)), args.repeat) for s in sizes
    ]
    OUT.mkdir(exist_ok=True)
    (OUT / "desk.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# Archivists' writes: SPARQL Update vs a posted change set (validation off)",
        "",
        "| size | store quads | change set (median s) | SPARQL Update (median s) | ratio |",
        "|---|---|---|---|---|",
    ]
    lines[1:1] = [
        "",
        f"Medians of {args.repeat} runs each; load average {load_before:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end (2 cores, shared).",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['store_quads']} | {r['direct_median_s']} | "
            f"{r['update_median_s']} | {r['ratio']}× |"
        )
    (OUT / "desk.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
