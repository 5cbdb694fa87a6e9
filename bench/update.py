"""Benchmark of a one-statement SPARQL Update: computed from the store (now), computed on a scratch
copy of the current statements (before), and the same change posted as a change set through the
API's path (the baseline), on the curated archive and synthetic ones. Validation is off, so the
figures are the update's own cost. Writes bench/results/update.{json,md}.

    .venv/bin/python -m bench.update --sizes curated,100k --runs 30 --copy-runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import read_changesets
from dialogue_kg.write.update import changeset_on_copy, run_update

from .generate import ensure, parse_size, paths

OUT = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"
SOURCE = "https://w3id.org/dialogue-kg/id/source/bench"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _open(tmp: Path, label: str, target: int) -> tuple[Archive, str]:
    """An archive of one size and a subject IRI it describes."""
    if label == "curated":
        settings = Settings.from_env({}, data_dir=str(tmp / "a"), query_workers=0, validate=False)
        return Archive.open(settings), "https://w3id.org/dialogue-kg/id/person/hashim-thaci"
    subject = ensure(label, target, DATA)["params"]["person"]
    (tmp / "gd").mkdir()
    settings = Settings.from_env(
        {},
        data_dir=str(tmp / "a"),
        graph_data_dir=str(tmp / "gd"),
        query_workers=0,
        validate=False,
    )
    archive = Archive.open(settings)
    archive.load(paths(DATA, label)["trig"], agent="bench", validate=False)
    return archive, subject


def _stats(times: list[float]) -> dict:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "runs": len(times),
    }


def _timed(runs: int, write: Callable[[int], None]) -> dict:
    times = []
    for i in range(runs):
        started = time.perf_counter()
        write(i)
        times.append(time.perf_counter() - started)
    return _stats(times)


def measure(label: str, target: int, runs: int, copy_runs: int) -> dict:
    """The three ways to make a one-statement change on one size."""
    with tempfile.TemporaryDirectory() as tmp:
        archive, subject = _open(Path(tmp), label, target)
        quads = len(archive.store)  # type: ignore[arg-type]

        def posted(i: int) -> None:
            turtle = f'<{subject}> {LABEL} "posted {i}"@sq .'.encode()
            cs = read_changesets(turtle, archive.minter, fmt="turtle", sources=[SOURCE])
            archive.commit(cs, agent="bench")

        def insert_data(i: int) -> None:
            text = f'INSERT DATA {{ <{subject}> {LABEL} "insert {i}"@sq }}'
            run_update(archive, text, agent="bench", sources=[SOURCE])

        def modify(i: int) -> None:
            text = (
                f"DELETE {{ <{subject}> {LABEL} ?l }} "
                f'INSERT {{ <{subject}> {LABEL} "modify {i}"@sq }} '
                f'WHERE {{ <{subject}> {LABEL} ?l FILTER(STR(?l) = "insert {i}") }}'
            )
            run_update(archive, text, agent="bench", sources=[SOURCE])

        def on_copy(i: int) -> None:
            text = f'INSERT DATA {{ <{subject}> {LABEL} "copy {i}"@sq }}'

            def compute() -> list:
                cs = changeset_on_copy(archive, text)
                cs.sources = [SOURCE]
                return [cs]

            archive.commit_computed(compute, agent="bench", hold=False)

        row = {
            "size": label,
            "store_quads": quads,
            "graphs": sum(1 for _ in archive.store.store.named_graphs()),  # type: ignore[attr-defined]
            "posted": _timed(runs, posted),
            "insert_data": _timed(runs, insert_data),
            "delete_insert_where": _timed(runs, modify),
            "on_copy": _timed(copy_runs, on_copy),
        }
        archive.close()
    return row


def main(argv: list[str] | None = None) -> int:
    """Run the sizes asked for and write the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.update", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="curated,100k")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--copy-runs", type=int, default=5)
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    rows = []
    for size in args.sizes.split(","):
        row = measure(
            *(("curated", 0) if size == "curated" else parse_size(size)), args.runs, args.copy_runs
        )
        row["load"] = f"{load_before:.1f}–{os.getloadavg()[0]:.1f}"
        rows.append(row)
    OUT.mkdir(exist_ok=True)
    # Sizes measured in an earlier run are kept (each row says its own run).
    path = OUT / "update.json"
    earlier = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    measured = {r["size"] for r in rows}
    rows = [r for r in earlier if r["size"] not in measured] + rows
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# One-statement SPARQL Update: from the store, on a copy, and posted (validation off)",
        "",
        "`python -m bench.update --sizes … --runs N --copy-runs M` (2 cores, shared; the load "
        "average of each size's run is in its row). Each figure is the whole write (compute, "
        "journal with fsync, apply), median / p99 in ms.",
        "",
        "| size | store quads | graphs | posted change set | INSERT DATA | DELETE/INSERT WHERE | "
        "on a copy (before) | load average |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [
            f"{r[k]['median_ms']} / {r[k]['p99_ms']}"
            for k in ("posted", "insert_data", "delete_insert_where", "on_copy")
        ]
        lines.append(
            f"| {r['size']} | {r['store_quads']} | {r['graphs']} | "
            + " | ".join(cells)
            + f" | {r.get('load', '—')} |"
        )
    (OUT / "update.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
