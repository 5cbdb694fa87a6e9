"""Latency of one archivist's write through the API: ``POST /api/changesets`` with a small Turtle
change (three statements about one person), through the Flask app with an API token, on an
archive holding the ontology and tests/data/small.trig, SHACL validation on. Writes
bench/results/post.{json,md}; ``--label`` names the run (e.g. before/after a change of the write
path) so that runs can be compared side by side. ``--shacl-engine both`` (the default) times
rudof and pySHACL in the same run, one archive each, their POSTs interleaved so that the
machine's load falls on both alike.

    .venv/bin/python -m bench.post --posts 200 --label after --shacl-engine both
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.write.accounts import Accounts

OUT = Path(__file__).parent / "results"
SMALL = Path(__file__).parent.parent / "tests" / "data" / "small.trig"
SOURCE = "https://w3id.org/dialogue-kg/id/source/test-doc"  # a dkg:Source of small.trig
PERSON = "https://w3id.org/dialogue-kg/id/person/bench-{i}"
BODY = (
    "<{iri}> a <https://w3id.org/dialogue-kg/ontology#Person> ; "
    '<http://www.w3.org/2000/01/rdf-schema#label> "Bench person {i}"@en ; '
    "<https://w3id.org/dialogue-kg/ontology#source> <" + SOURCE + "> ."
)


def measure(posts: int, engines: tuple[str, ...] = ("rudof",)) -> list[dict[str, object]]:
    """Median, p90, p99 and max seconds of ``posts`` POSTs per engine, each a new change set;
    the engines take turns, one POST each."""
    from webapp import create_app

    times: dict[str, list[float]] = {e: [] for e in engines}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "gd").mkdir()
        clients = {}
        archives = []
        for engine in engines:
            settings = Settings.from_env(
                {},
                data_dir=str(Path(tmp) / engine),
                graph_data_dir=str(Path(tmp) / "gd"),
                query_workers=0,
                shacl_engine=engine,
            )
            archive = Archive.open(settings)
            archive.load(SMALL, agent="bench")
            archives.append(archive)
            accounts = Accounts.for_settings(settings)
            accounts.add("bench", "password for bench", "archivist")
            token = accounts.create_token("bench", "bench")
            client = create_app({"TESTING": True}, archive=archive).test_client()
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
            clients[engine] = (client, headers)
        for i in range(posts):
            body = BODY.format(iri=PERSON.format(i=i), i=i).encode()
            turn = engines if i % 2 == 0 else engines[::-1]
            for engine in turn:
                client, headers = clients[engine]
                started = time.perf_counter()
                response = client.post(
                    f"/api/changesets?source={SOURCE}", data=body, headers=headers
                )
                times[engine].append(time.perf_counter() - started)
                if response.status_code != 201:
                    raise SystemExit(
                        f"{engine}: POST {i} answered {response.status_code}: {response.data!r}"
                    )
        for archive in archives:
            archive.close()
    return [{"engine": e, **_summary(times[e])} for e in engines]


def _summary(times: list[float]) -> dict[str, object]:
    times = sorted(times)

    def rank(q: float) -> float:  # nearest-rank percentile
        return round(times[min(len(times) - 1, math.ceil(q * len(times)) - 1)] * 1000, 2)

    return {
        "posts": len(times),
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p90_ms": rank(0.9),
        "p99_ms": rank(0.99),
        "max_ms": round(times[-1] * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the POSTs and add the run (under its label, one row per engine) to the results."""
    from dialogue_kg.core.validation import ENGINES

    ap = argparse.ArgumentParser(prog="python -m bench.post", description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--label", default="latest")
    ap.add_argument(
        "--shacl-engine",
        choices=[*ENGINES, "both"],
        default="both",
        help="SHACL engine of the archive written to; both: rudof and pySHACL, interleaved",
    )
    args = ap.parse_args(argv)
    engines = ENGINES if args.shacl_engine == "both" else (args.shacl_engine,)
    load_before = os.getloadavg()[0]
    rows = measure(args.posts, engines)
    load = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    for row in rows:
        row.update(label=args.label, load=load)
    OUT.mkdir(exist_ok=True)
    path = OUT / "post.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    old = [r for r in old if r.get("label") != args.label]
    print(report(old + rows))
    return 0


def report(rows: list[dict]) -> str:
    """Write the runs to bench/results/post.{json,md}; return the table."""
    (OUT / "post.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# One archivist's write: POST /api/changesets (small Turtle change, validation on)",
        "",
        "Load average at the start and end of each run in the last column (2 cores, shared). "
        "A run's label says which code it measured; runs to compare were interleaved. Runs "
        "before the engine column was added used pySHACL, then the default.",
        "",
        "| run | engine | POSTs | median ms | p90 ms | p99 ms | max ms | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r.get('engine', 'pyshacl')} | {r['posts']} | {r['median_ms']} | "
            f"{r['p90_ms']} | {r.get('p99_ms', '–')} | {r['max_ms']} | "
            f"{r['load'][0]}–{r['load'][1]} |"
        )
    ratios = []
    for label in dict.fromkeys(r["label"] for r in rows):
        by = {r.get("engine"): r for r in rows if r["label"] == label and "p99_ms" in r}
        if {"rudof", "pyshacl"} <= by.keys():
            rudof, pyshacl = by["rudof"], by["pyshacl"]
            ratios.append(
                f"| {label} | {rudof['median_ms'] / pyshacl['median_ms']:.2f} | "
                f"{rudof['p99_ms'] / pyshacl['p99_ms']:.2f} |"
            )
    if ratios:
        lines += [
            "",
            "rudof ÷ pySHACL, same run (below 1: rudof is faster):",
            "",
            "| run | median | p99 |",
            "|---|---|---|",
            *ratios,
        ]
    (OUT / "post.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
