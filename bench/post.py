"""Latency of one archivist's write through the API: ``POST /api/changesets`` with a small Turtle
change (three statements about one person), through the Flask app with an API token, on an
archive holding the ontology and tests/data/small.trig, SHACL validation on. Writes
bench/results/post.{json,md}; ``--label`` names the run (e.g. before/after a change of the write
path) so that runs can be compared side by side.

    .venv/bin/python -m bench.post --posts 200 --label after
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


def measure(posts: int) -> dict[str, object]:
    """Median, p90 and max seconds of ``posts`` POSTs, each a new change set."""
    from webapp import create_app

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "gd").mkdir()
        settings = Settings.from_env(
            {}, data_dir=str(Path(tmp) / "a"), graph_data_dir=str(Path(tmp) / "gd"), query_workers=0
        )
        archive = Archive.open(settings)
        archive.load(SMALL, agent="bench")
        accounts = Accounts.for_settings(settings)
        accounts.add("bench", "password for bench", "archivist")
        token = accounts.create_token("bench", "bench")
        client = create_app({"TESTING": True}, archive=archive).test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"}
        times = []
        for i in range(posts):
            body = BODY.format(iri=PERSON.format(i=i), i=i).encode()
            started = time.perf_counter()
            response = client.post(f"/api/changesets?source={SOURCE}", data=body, headers=headers)
            times.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise SystemExit(f"POST {i} answered {response.status_code}: {response.data!r}")
        archive.close()
    times.sort()
    return {
        "posts": posts,
        "median_ms": round(statistics.median(times) * 1000, 2),
        "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 2),
        "max_ms": round(times[-1] * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the POSTs and add the run (under its label) to the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.post", description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--label", default="latest")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    row = measure(args.posts)
    row.update(label=args.label, load=[round(load_before, 1), round(os.getloadavg()[0], 1)])
    OUT.mkdir(exist_ok=True)
    path = OUT / "post.json"
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    rows = [r for r in rows if r.get("label") != args.label] + [row]
    print(report(rows))
    return 0


def report(rows: list[dict]) -> str:
    """Write the runs to bench/results/post.{json,md}; return the table."""
    (OUT / "post.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    lines = [
        "# One archivist's write: POST /api/changesets (small Turtle change, validation on)",
        "",
        "Load average at the start and end of each run in the last column (2 cores, shared). "
        "A run's label says which code it measured; runs to compare were interleaved.",
        "",
        "| run | POSTs | median ms | p90 ms | max ms | load |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['label']} | {r['posts']} | {r['median_ms']} | {r['p90_ms']} | {r['max_ms']} | "
            f"{r['load'][0]}–{r['load'][1]} |"
        )
    (OUT / "post.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
