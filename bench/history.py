"""Benchmark of time travel (BEAR's Mat, Diff and Ver): the history index against today's replay
of the journal, on the curated archive, on the 100k synthetic archive with edits, and on an
edit-heavy one (the same 100k statements, then 10,000 small change sets).

    .venv/bin/python -m bench.history --sizes curated,100k,100k-edits --repeat 20 --replay-repeat 3

For each size: the archive is loaded, then edited (change sets that retract labels and assert new
ones, so that the history has retractions), to about 136 revisions at 100k. Measured in one
process, one run after another, each a median and a p99 (the largest of few runs) in ms:

- Mat: a query as of revision N (three quarters of the way) through the index (state built from
  the index, no cache; then cached) and through a replay of the journal to N (the old path);
  the same query on the current store for reference;
- Mat at ten revisions spread over the history (issue 16's target, ≤ 3× the current store): as
  a forked query worker answers it, its store moved there in place or the state built, whichever
  costs less (dialogue_kg.core.rewind), and the cost of moving back to the head;
- Diff: statements gained and lost between N-40 and N (index vs replay and apply);
- Ver: a resource's history (index lookups vs a scan of every record), blame, and the runs of
  revisions over which a count held (Ver(Q), last 20 revisions);
- the command line end to end (a fresh interpreter per call), new code against the code before
  the index where it still reads the journal;
- the index: size on disk beside the journal's, time to build from the journal, and the cost of
  catching up one change set.

Writes bench/results/history.{json,md}.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive, _apply_to
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.core.history import _statements
from dialogue_kg.core.rewind import Rewinder
from dialogue_kg.core.versions import HistoryIndex, answer_of, index_for

from .generate import ensure, parse_size, paths

OUT = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
SOURCE = "https://w3id.org/dialogue-kg/id/source/bench"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PROVENANCE = (
    "SELECT ?who (COUNT(DISTINCT ?g) AS ?changesets) WHERE { GRAPH ?g { ?s ?p ?o } "
    "?g <http://www.w3.org/ns/prov#wasAttributedTo> ?who } GROUP BY ?who"
)
EDITS = {"curated": 20, "100k": 38}
PER_EDIT = 25
# The edit-heavy archive (BEAR-B's volatile resources): 100k statements, then 10,000 small change
# sets, a fifth of them changing a label (retracting the old one), the rest adding other names.
HEAVY = "100k-edits"
HEAVY_CHANGESETS = 10_000
ALT_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
DIFF_SPAN = {HEAVY: 1000}


def _stats(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return {"median_ms": round(statistics.median(ms), 2), "p99_ms": round(p99, 2), "runs": len(ms)}


def _timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return _stats(times)


def _edit(archive: Archive, count: int, seed: int = 20110308) -> None:
    """``count`` change sets, each retracting PER_EDIT labels and asserting new ones."""
    rng = random.Random(seed)
    labels = [
        ox.Triple(r["s"], LABEL, r["l"])
        for r in archive.query(f"SELECT ?s ?l WHERE {{ ?s {LABEL} ?l }} ORDER BY ?s ?l")
    ]
    for i in range(count):
        old = rng.sample(labels, PER_EDIT)
        new = [ox.Triple(t.subject, LABEL, ox.Literal(f"{t.object.value} ({i})")) for t in old]
        archive.commit(
            [ChangeSet(added=new, removed=old, sources=[SOURCE], comment=f"edit {i}")],
            agent="bench-editor",
            validate=False,
        )
        labels = [t for t in labels if t not in set(old)] + new


def _edit_heavy(archive: Archive, count: int, seed: int = 20130419) -> None:
    """``count`` small change sets, committed 50 to a batch: every fifth changes a label, the
    others add two other names to a resource."""
    rng = random.Random(seed)
    labels = [
        ox.Triple(r["s"], LABEL, r["l"])
        for r in archive.query(f"SELECT ?s ?l WHERE {{ ?s {LABEL} ?l }} ORDER BY ?s ?l")
    ]
    batch: list[ChangeSet] = []
    for i in range(count):
        at = rng.randrange(len(labels))
        old = labels[at]
        if i % 5 == 0:
            new = ox.Triple(old.subject, LABEL, ox.Literal(f"{old.object.value} ({i})"))
            labels[at] = new
            batch.append(ChangeSet(added=[new], removed=[old], sources=[SOURCE]))
        else:
            names = [ox.Literal(f"name {i}.{k}", language="en") for k in range(2)]
            added = [ox.Triple(old.subject, ALT_LABEL, name) for name in names]
            batch.append(ChangeSet(added=added, sources=[SOURCE]))
        if len(batch) == 50:
            archive.commit(batch, agent="bench-editor", validate=False)
            batch = []
    if batch:
        archive.commit(batch, agent="bench-editor", validate=False)


def _open(tmp: Path, label: str, target: int) -> tuple[Archive, str]:
    """The archive of one size, edited; and the IRI whose history is asked for."""
    heavy = label == HEAVY
    label = "100k" if heavy else label
    if label == "curated":
        settings = Settings.from_env({}, data_dir=str(tmp / "a"), query_workers=0, validate=False)
        archive = Archive.open(settings)
        iri = "https://w3id.org/dialogue-kg/id/agreement/first-agreement-2013"
    else:
        manifest = ensure(label, target, DATA)
        (tmp / "gd").mkdir()
        settings = Settings.from_env(
            {}, data_dir=str(tmp / "a"), graph_data_dir=str(tmp / "gd"), query_workers=0
        )
        archive = Archive.open(settings)
        archive.load(paths(DATA, label)["trig"], agent="bench", validate=False)
        iri = manifest["params"]["person"]
    _edit(archive, EDITS.get(label, 20))
    if heavy:
        _edit_heavy(archive, HEAVY_CHANGESETS)
    return archive, iri


def _scan_history(archive: Archive, iri: str) -> int:
    """Today's resource history: read every record and look for the IRI (the old path)."""
    node = ox.NamedNode(iri)
    needle = f"<{iri}>".encode()
    found = 0
    for record in archive.records():
        # The old code looked for the IRI's bytes in the record before parsing it.
        body = getattr(record, "body", None) or getattr(record, "_body", b"")
        if needle not in body:
            continue
        found += any(node in (q.subject, q.object) for q in record.added() + record.removed())
    return found


def _replay_diff(archive: Archive, old: int, new: int) -> tuple[int, int]:
    """Today's diff: replay to the older revision, keep applying, compare (the old path)."""
    store = archive.replay(old)
    before = _statements(store)
    for record in archive.records(old + 1, new):
        _apply_to(store, record, archive.minter)
    after = _statements(store)
    return len(after - before), len(before - after)


def _cli(data_dir: Path, args: list[str], repeat: int, pythonpath: str | None = None) -> dict:
    env = dict(os.environ, DKG_DATA_DIR=str(data_dir), DKG_QUERY_WORKERS="0")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "dialogue_kg", *args],
            env=env,
            cwd=pythonpath or ROOT,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            return {"error": done.stderr.decode()[-300:]}
    return _stats(times)


def _old_code(commit: str) -> str | None:
    """The package as it was before the index (for the command line's baseline)."""
    target = Path(tempfile.mkdtemp(prefix="dkg-bench-old-"))
    archive = subprocess.run(
        ["git", "archive", commit, "dialogue_kg", "ontology", "graph_data"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return str(target)


def measure(label: str, target: int, repeat: int, replay_repeat: int, old: str | None) -> dict:
    """Every measurement of one size."""
    with tempfile.TemporaryDirectory(prefix="dkg-bench-history-") as tmp:
        archive, iri = _open(Path(tmp), label, target)
        head = archive.revision
        n = (head * 3) // 4
        low = max(0, n - DIFF_SPAN.get(label, 40))
        journal_bytes = archive.journal.path.stat().st_size
        row: dict = {"size": label, "revisions": head, "at": n, "diff_from": low, "iri": iri}
        row["store_quads"] = len(archive.store.sorted_nquads())
        # -- the index itself
        scratch = Path(tmp) / "index-build"
        scratch.mkdir()
        started = time.perf_counter()
        built = HistoryIndex(archive.journal, archive.minter, scratch / "history.sqlite")
        built.sync()
        build_s = time.perf_counter() - started
        row["index"] = {
            "build_s": round(build_s, 2),
            "build_ms_per_changeset": round(build_s * 1000 / head, 2),
            "bytes": built.size(),
            "journal_bytes": journal_bytes,
        }
        built.close()
        index = index_for(archive)
        catch_up = []
        for i in range(5):
            new = [ox.Triple(ox.NamedNode(iri), LABEL, ox.Literal(f"catch-up {i}"))]
            archive.commit(
                [ChangeSet(added=new, sources=[SOURCE])], agent="bench-editor", validate=False
            )
            started = time.perf_counter()
            index.sync()
            catch_up.append(time.perf_counter() - started)
        row["index"]["catch_up_one_changeset"] = _stats(catch_up)
        # -- Mat
        mat = {}
        for name, text in (("count", COUNT), ("provenance_by_agent", PROVENANCE)):

            def cold(text: str = text) -> None:
                index._states.clear()
                list(index.state(n).query(text))

            mat[name] = {
                "current_store": _timed(lambda text=text: list(archive.query(text)), repeat),
                "index_cold": _timed(cold, max(3, repeat // 4)),
                "index_cached": _timed(lambda text=text: list(index.state(n).query(text)), repeat),
                "replay": _timed(
                    lambda text=text: list(archive.replay(n).query(text)), replay_repeat
                ),
            }
            same = sorted(map(str, archive.replay(n).query(text))) == sorted(
                map(str, index.state(n).query(text))
            )
            mat[name]["same_answer"] = same
        row["mat"] = mat
        row["mat_spread"] = _mat_spread(archive, index, repeat)
        # -- Diff
        row["diff"] = {
            "index": _timed(lambda: index.diff(low, n), repeat),
            "replay": _timed(lambda: _replay_diff(archive, low, n), replay_repeat),
            "changes": [len(x) for x in index.diff(low, n)],
            "same_answer": tuple(len(x) for x in index.diff(low, n))
            == _replay_diff(archive, low, n),
        }
        # -- Ver
        row["history"] = {
            "index": _timed(lambda: index.resource_changes(iri), repeat),
            "journal_scan": _timed(lambda: _scan_history(archive, iri), replay_repeat),
            "changes": len(index.resource_changes(iri)),
        }
        row["blame"] = _timed(lambda: index.blame_about(iri), repeat)
        row["answer_versions_last_20"] = _timed(
            lambda: index.answer_versions(COUNT, head - 20), max(1, replay_repeat)
        )
        archive.close()
        # -- the command line, end to end
        data_dir = Path(tmp) / "a"
        calls = {
            "query --revision N (count)": ["query", "-e", COUNT, "--revision", str(n)],
            "query (count, now)": ["query", "-e", COUNT],
            "history IRI": ["history", iri],
            f"diff {low} {n}": ["diff", str(low), str(n)],
        }
        cli_repeat = max(1, replay_repeat)
        # The first read-only command makes the on-disk replica of the current state (once per
        # data directory; later ones advance it from a checkpoint): timed on its own, so that
        # the table below shows what every later call costs.
        row["cli_first"] = _cli(data_dir, ["query", "-e", "ASK {}"], 1)
        row["cli"] = {
            name: {
                "new": _cli(data_dir, args, cli_repeat),
                "before": _cli(data_dir, args, cli_repeat, old) if old else None,
            }
            for name, args in calls.items()
        }
        return row


def _mat_spread(archive: Archive, index: HistoryIndex, repeat: int) -> list[dict]:
    """Mat at ten revisions spread over the history (the middles of ten equal spans), as a
    forked query worker answers it: its store moved there in place, or the state built when that
    costs less (Rewinder's choice), then moved back to the head for the next query on
    the current state. Beside: the same query on the current store, and the state built. The
    states kept from earlier runs are dropped before each timed run, untimed, so that no run
    pays for freeing another's."""
    head = archive.revision
    rewinder = Rewinder(archive)
    before = len(archive.store)
    rows = []

    def fresh() -> None:
        index._states.clear()
        gc.collect()

    for name, text in (("count", COUNT), ("provenance_by_agent", PROVENANCE)):
        current = _timed(lambda text=text: list(archive.query(text)), repeat)
        for k in range(10):
            n = (head * (2 * k + 1)) // 20
            cold = max(1, min(3, repeat // 4))
            worker, back, built, moved = [], [], [], False
            for _ in range(cold):
                fresh()
                started = time.perf_counter()
                moved = rewinder.to_past(n)
                target = archive if moved else index.state(n)
                found = answer_of(target.query(text))
                worker.append(time.perf_counter() - started)
                started = time.perf_counter()
                rewinder.to_head()
                back.append(time.perf_counter() - started)
            for _ in range(cold):
                fresh()
                started = time.perf_counter()
                expected = answer_of(index.state(n).query(text))
                built.append(time.perf_counter() - started)
            rows.append(
                {
                    "query": name,
                    "revision": n,
                    "current_store": current,
                    "index_built": _stats(built),
                    "worker": _stats(worker),
                    "worker_moved": moved,
                    "back_to_head": _stats(back) if moved else None,
                    "changes": index.changes_between(n, head),
                    "size": index.size_at(n),
                    "same_answer": found == expected,
                }
            )
    fresh()
    assert len(archive.store) == before, "the store came back to the head"
    return rows


def _ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or "median_ms" not in a or "median_ms" not in b or not b["median_ms"]:
        return "—"
    return f"{a['median_ms'] / b['median_ms']:.1f}×"


def _ms(x: dict | None) -> str:
    if not x:
        return "—"
    if "error" in x:
        return "error"
    return f"{x['median_ms']:.1f} / {x['p99_ms']:.1f}"


def markdown(rows: list[dict], args: argparse.Namespace, load: tuple[float, float]) -> str:
    """The tables of bench/results/history.md."""
    out = [
        "# Time travel: the history index against a replay of the journal",
        "",
        f"`.venv/bin/python -m bench.history --sizes {args.sizes} --repeat {args.repeat} "
        f"--replay-repeat {args.replay_repeat} --name {args.name}`. Times in ms, median / p99 "
        f"(with few runs the p99 is the slowest). Load average {load[0]:.1f} at the start and "
        f"{load[1]:.1f} at the end (2 cores, shared).",
        "",
        "## BEAR-style queries (in process)",
        "",
        "| size | revisions | query | current store | index, state built | index, state cached | "
        "replay (before) | replay ÷ index built | same answer |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for name, m in r["mat"].items():
            out.append(
                f"| {r['size']} | {r['revisions']} | Mat: {name} as of r{r['at']} | "
                f"{_ms(m['current_store'])} | {_ms(m['index_cold'])} | {_ms(m['index_cached'])} | "
                f"{_ms(m['replay'])} | {_ratio(m['replay'], m['index_cold'])} | "
                f"{m['same_answer']} |"
            )
        d = r["diff"]
        out.append(
            f"| {r['size']} | {r['revisions']} | Diff r{r['diff_from']}→r{r['at']} "
            f"(+{d['changes'][0]} −{d['changes'][1]}) | — | {_ms(d['index'])} | — | "
            f"{_ms(d['replay'])} | {_ratio(d['replay'], d['index'])} | {d['same_answer']} |"
        )
        h = r["history"]
        out.append(
            f"| {r['size']} | {r['revisions']} | Ver: history of a resource ({h['changes']} "
            f"change sets) | — | {_ms(h['index'])} | — | {_ms(h['journal_scan'])} (journal "
            f"scan) | {_ratio(h['journal_scan'], h['index'])} | — |"
        )
        out.append(
            f"| {r['size']} | {r['revisions']} | blame of a resource | — | {_ms(r['blame'])} | "
            "— | — | — | — |"
        )
        out.append(
            f"| {r['size']} | {r['revisions']} | Ver(Q): runs of a count over the last 20 "
            f"revisions | — | {_ms(r['answer_versions_last_20'])} | — | — | — | — |"
        )
    out += [
        "",
        "## Mat at ten revisions spread over the history (issue 16: ≤ 3× the current store)",
        "",
        "A forked query worker moves its own store to the revision in place when that touches "
        "fewer than half the quads building the state reads, else it builds the state (column "
        "'how'); moving back to the head is paid by the next query on the current state. "
        "Ratios are to the same query on the current store.",
        "",
        "| size | query | revision | changes since / statements then | current store | "
        "state built | worker | how | back to head | built ÷ current | worker ÷ current | "
        "≤ 3× | same answer |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        for m in r.get("mat_spread", []):
            ratio = m["worker"]["median_ms"] / max(m["current_store"]["median_ms"], 1e-9)
            out.append(
                f"| {r['size']} | {m['query']} | r{m['revision']} | {m['changes']} / "
                f"{m['size']} | {_ms(m['current_store'])} | {_ms(m['index_built'])} | "
                f"{_ms(m['worker'])} | {'moved' if m['worker_moved'] else 'built'} | "
                f"{_ms(m['back_to_head'])} | {_ratio(m['index_built'], m['current_store'])} | "
                f"{ratio:.1f}× | {'PASS' if ratio <= 3 else 'FAIL'} | {m['same_answer']} |"
            )
    out += [
        "",
        "## The command line, end to end (a fresh interpreter per call)",
        "",
        "| size | command | now | before the index | before ÷ now |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        for name, c in r["cli"].items():
            out.append(
                f"| {r['size']} | `{name}` | {_ms(c['new'])} | {_ms(c['before'])} | "
                f"{_ratio(c['before'], c['new'])} |"
            )
    for r in rows:
        if r.get("cli_first"):
            out.append(
                f"\n{r['size']}: the first read-only command on the data directory made its "
                f"on-disk replica, {_ms(r['cli_first'])} ms (`query -e 'ASK {{}}'`, once, "
                "before the timed calls)."
            )
    out += [
        "",
        "## The index",
        "",
        "| size | revisions | store quads | journal bytes | index bytes | build from the journal "
        "(s) | per change set (ms) | catching up one change set (ms) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        i = r["index"]
        out.append(
            f"| {r['size']} | {r['revisions']} | {r['store_quads']} | {i['journal_bytes']} | "
            f"{i['bytes']} | {i['build_s']} | {i['build_ms_per_changeset']} | "
            f"{_ms(i['catch_up_one_changeset'])} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the sizes asked for and write the results."""
    ap = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default=f"curated,100k,{HEAVY}")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--replay-repeat", type=int, default=3)
    ap.add_argument("--name", default="history", help="results file name (without extension)")
    ap.add_argument(
        "--before",
        default="501b02a",
        help="commit of the code before the index, for the command line's baseline ('' skips)",
    )
    args = ap.parse_args(argv)
    load_before = os.getloadavg()[0]
    old = _old_code(args.before) if args.before else None
    rows = []
    for size in args.sizes.split(","):
        if size in ("curated", HEAVY):
            label, target = size, parse_size("100k")[1]
        else:
            label, target = parse_size(size)
        rows.append(measure(label, target, args.repeat, args.replay_repeat, old))
        print(json.dumps(rows[-1], indent=1), file=sys.stderr)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    load = (load_before, os.getloadavg()[0])
    OUT.mkdir(exist_ok=True)
    (OUT / f"{args.name}.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    text = markdown(rows, args, load)
    (OUT / f"{args.name}.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
