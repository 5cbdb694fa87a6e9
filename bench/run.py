"""Benchmark the archive against raw pyoxigraph and rdflib on the same synthetic data.

Usage: ``python -m bench.run [--sizes 10k,100k,1m] [--repeat N]``

Every system runs in its own subprocess (a "job"), so that its peak memory (``ru_maxrss``) is its
own. Results go to ``bench/results/core.json`` and ``bench/results/core.md``; see bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from . import generate

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MARK = "BENCH-RESULT "

PREFIXES = """PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
"""

# name -> (what a scholar asks, SPARQL; {agreement} and {person} come from the manifest)
QUERIES: dict[str, tuple[str, str]] = {
    "agreements_by_year": (
        "Agreements and sub-agreements listed by year, with their English labels",
        """SELECT ?year ?agreement ?label WHERE {
  ?agreement a dkg:Agreement ; dkg:year ?year ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?year ?label""",
    ),
    "count_by_type": (
        "How many resources of each type (GROUP BY)",
        """SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type }
GROUP BY ?type ORDER BY DESC(?n) ?type""",
    ),
    "co_participation": (
        "Pairs of persons who met in the same meetings, with counts (join + GROUP BY)",
        """SELECT ?a ?b (COUNT(?m) AS ?meetings) WHERE {
  ?m a dkg:Meeting ; dkg:participant ?a , ?b .
  ?a a dkg:Person . ?b a dkg:Person .
  FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?meetings) ?a ?b LIMIT 50""",
    ),
    "implementation_timeline": (
        "Implementation timeline of one agreement, ordered by date",
        """SELECT ?date ?event ?status ?who WHERE {
  ?event dkg:agreement <{agreement}> ; dkg:date ?date ;
         dkg:reportedStatus ?status ; dkg:assertedBy ?who .
} ORDER BY ?date ?event""",
    ),
    "label_search": (
        "Label search in every language (CONTAINS/LCASE)",
        """SELECT DISTINCT ?s ?label WHERE {
  ?s rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), "mitrovica"))
} ORDER BY ?label ?s""",
    ),
    "partof_path": (
        "Top-level agreements with the number of their (sub-)sub-agreements (dkg:partOf+)",
        """SELECT ?root (COUNT(DISTINCT ?part) AS ?parts) WHERE {
  ?part dkg:partOf+ ?root . FILTER NOT EXISTS { ?root dkg:partOf ?up }
} GROUP BY ?root ORDER BY DESC(?parts) ?root""",
    ),
    "provenance_by_agent": (
        "Who recorded the meetings: GRAPH ?g joined with the change sets' PROV-O",
        """SELECT ?who (COUNT(DISTINCT ?s) AS ?meetings) (COUNT(DISTINCT ?g) AS ?changesets)
WHERE { GRAPH ?g { ?s a dkg:Meeting } ?g prov:wasAttributedTo ?who }
GROUP BY ?who""",
    ),
    "provenance_by_source": (
        "Meetings per source document of the change set that recorded them",
        """SELECT ?src (COUNT(DISTINCT ?s) AS ?meetings)
WHERE { GRAPH ?g { ?s a dkg:Meeting } ?g dct:source ?src }
GROUP BY ?src ORDER BY DESC(?meetings) ?src""",
    ),
    "person_meetings": (
        "Meetings of one person, with date and place (a selective lookup)",
        """SELECT ?date ?meeting ?place WHERE {
  ?meeting dkg:participant <{person}> ; dkg:date ?date ; dkg:place/rdfs:label ?place .
  FILTER(LANG(?place) = "en")
} ORDER BY ?date ?meeting""",
    ),
    "opeds_by_topic": (
        "Op-eds per topic of the agreements they discuss",
        """SELECT ?topic (COUNT(DISTINCT ?oped) AS ?opeds) WHERE {
  ?oped a dkg:OpEd ; dkg:discusses ?agreement . ?agreement dkg:topic ?topic .
} GROUP BY ?topic ORDER BY DESC(?opeds) ?topic""",
    ),
}

TARGET_LOAD_RATIO = 2.0
TARGET_VALIDATE_RATE = 10_000.0
# Validation-on loads, one job per SHACL engine (dialogue_kg.core.validation.ENGINES); the job
# names stay those of the runs recorded when pySHACL was the default.
VALIDATE_ENGINES = ("rudof", "pyshacl")
VALIDATE_JOBS = {"rudof": "archive-validate-rudof", "pyshacl": "archive-validate"}
ENGINE_LABELS = {"rudof": "rudof, the default", "pyshacl": "pySHACL, the reference"}
TARGET_QUERY_RATIO = 1.3
TARGET_WALL_SECONDS = 600.0


def sparql(name: str, params: dict[str, str]) -> str:
    """The full text of one benchmark query with its parameters filled in."""
    text = QUERIES[name][1]
    for key, value in params.items():
        text = text.replace("{" + key + "}", value)
    return PREFIXES + text


# -- measuring inside a job -----------------------------------------------------------------------


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    """Current resident set size (VmRSS) in MiB."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """Peak resident set size of this process's own address space (VmHWM) in MiB.

    Not ru_maxrss: Linux carries ru_maxrss across exec from the parent process, so a job started
    by a big orchestrator would report the orchestrator's peak."""
    return _status_mb("VmHWM")


def digest(rows: list) -> str:
    """Order-independent fingerprint of pyoxigraph solutions (to compare archive and raw)."""
    lines = sorted("\t".join("" if v is None else str(v) for v in row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _stats(times: list[float], rows: list) -> dict[str, Any]:
    return {
        "status": "ok",
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "runs": len(times),
        "rows": len(rows),
        "digest": digest(rows),
    }


def time_pair(
    runs: dict[str, Callable[[], list]], repeat: int, min_time: float, max_runs: int
) -> dict[str, dict[str, Any]]:
    """Time two systems on one query, interleaved (A B, then B A, …) so that both see the same
    background load: one warm-up each, then at least ``repeat`` timed runs each (more, up to
    ``max_runs``, while each system's timed runs add up to less than ``min_time`` seconds)."""
    names = list(runs)
    rows = {n: runs[n]() for n in names}
    times: dict[str, list[float]] = {n: [] for n in names}
    i = 0
    while any(len(t) < repeat or (sum(t) < min_time and len(t) < max_runs) for t in times.values()):
        for n in names if i % 2 == 0 else reversed(names):
            t0 = time.perf_counter()
            runs[n]()
            times[n].append(time.perf_counter() - t0)
        i += 1
    return {n: _stats(times[n], rows[n]) for n in names}


def run_paired(spec: dict, archive_query: Callable, raw_query: Callable) -> dict[str, dict]:
    """Time every benchmark query on the archive and on raw pyoxigraph, interleaved."""
    out = {}
    for name in spec["queries"]:
        text = sparql(name, spec["params"])
        pair = time_pair(
            {
                "archive": lambda text=text: list(archive_query(text)),
                "raw": lambda text=text: list(raw_query(text)),
            },
            spec["repeat"],
            spec["min_time"],
            spec["max_runs"],
        )
        a, b = pair["archive"], pair["raw"]
        pair["ratio"] = a["median_ms"] / b["median_ms"]
        pair["same_results"] = a["digest"] == b["digest"]
        out[name] = pair
        log(
            f"  {spec['job']} {spec['size']} {name}: archive {a['median_ms']:.2f} ms, "
            f"raw {b['median_ms']:.2f} ms ({pair['ratio']:.2f}×)"
        )
    return out


def log(message: str) -> None:
    """Progress on stderr (stdout carries the result)."""
    print(message, file=sys.stderr, flush=True)


# -- jobs -----------------------------------------------------------------------------------------


def load_raw(spec: dict, fmt: str = "nquads") -> tuple[Any, float, float]:
    """A raw pyoxigraph store filled with Store.load: (store, load seconds, flush seconds)."""
    import pyoxigraph as ox

    source = Path(spec["data"]) / spec["files"]["raw_trig" if fmt == "trig" else "nquads"]
    if spec["mode"] == "disk":
        path = Path(spec["work"]) / f"raw-disk-{spec['size']}"
        shutil.rmtree(path, ignore_errors=True)
        store = ox.Store(str(path))
    else:
        store = ox.Store()
    t0 = time.perf_counter()
    store.load(path=str(source))
    load_s = time.perf_counter() - t0
    flush_s = 0.0
    if spec["mode"] == "disk":
        t0 = time.perf_counter()
        store.flush()  # the data in SST files, as after the archive's load (flushed too)
        flush_s = time.perf_counter() - t0
    return store, load_s, flush_s


def job_raw(spec: dict) -> dict:
    """Raw pyoxigraph, load only: Store().load(path=...) (memory) or Store(path) (disk)."""
    import pyoxigraph  # noqa: F401 - imported before the start RSS is taken

    fmt = spec.get("format", "nquads")
    result: dict[str, Any] = {
        "rss_start_mb": rss_mb(),
        "input": spec["files"]["raw_trig" if fmt == "trig" else "nquads"],
    }
    store, result["load_s"], result["flush_s"] = load_raw(spec, fmt)
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_after_load_mb"] = rss_mb()
    result["quads"] = len(store)
    del store
    shutil.rmtree(Path(spec["work"]) / f"raw-disk-{spec['size']}", ignore_errors=True)
    return result


def _archive(spec: dict, *, validate: bool, fresh: bool = True):  # noqa: ANN202
    """Open the archive of a job (new and empty when ``fresh``); return it, the open time and
    its data directory."""
    from dialogue_kg.config import Settings
    from dialogue_kg.core.archive import Archive

    data_dir = Path(spec["work"]) / f"archive-{spec['mode']}-{spec['size']}"
    engine = spec.get("engine", "rudof")
    if validate:
        data_dir = data_dir.with_name(f"{data_dir.name}-validate-{engine}")
    if fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(
        data_dir=str(data_dir), store=spec["mode"], validate=validate, shacl_engine=engine
    )
    t0 = time.perf_counter()
    archive = Archive.open(settings, initialise=False)
    return archive, time.perf_counter() - t0, data_dir


def job_archive(spec: dict) -> dict:
    """The archive: Archive.open + archive.load(TriG) through the journal, archive.query."""
    import dialogue_kg.core.archive  # noqa: F401 - imports before the start RSS is taken

    validate = bool(spec.get("validate"))
    result: dict[str, Any] = {"rss_start_mb": rss_mb()}
    archive, result["open_s"], data_dir = _archive(spec, validate=validate)
    if validate:
        t0 = time.perf_counter()
        _ = archive.validator  # parse the shapes and the ontology
        import pyshacl  # noqa: F401 - imported lazily by the validator; not part of the rate

        result["validator_setup_s"] = time.perf_counter() - t0
    source = Path(spec["data"]) / spec["files"]["trig"]
    t0 = time.perf_counter()
    try:
        records = archive.load(source, agent="bench")
    except Exception as exc:  # noqa: BLE001 - a rejected load is a result, not a crash
        result["load_error"] = f"{type(exc).__name__}: {str(exc)[:2000]}"
        result["violations"] = len(getattr(exc, "violations", []) or [])
        result["load_s"] = time.perf_counter() - t0
        result["peak_rss_mb"] = peak_rss_mb()
        result["rss_after_load_mb"] = rss_mb()
        return result
    result["load_s"] = time.perf_counter() - t0
    result["violations"] = 0
    result["changesets"] = len(records)
    if spec["mode"] == "disk":
        t0 = time.perf_counter()
        archive.store.store.flush()  # same on-disk state as the raw job before querying
        result["flush_s"] = time.perf_counter() - t0
    result["peak_rss_mb"] = peak_rss_mb()  # taken before the paired raw store exists
    result["rss_after_load_mb"] = rss_mb()
    result["quads"] = len(archive.store)
    result["journal_bytes"] = archive.journal.path.stat().st_size
    if spec["queries"]:
        raw, result["paired_raw_load_s"], _ = load_raw(spec)
        result["paired_raw_quads"] = len(raw)

        def raw_query(text: str) -> Any:
            return raw.query(text, use_default_graph_as_union=True)

        result["queries"] = run_paired(spec, archive.query, raw_query)
        del raw
        shutil.rmtree(Path(spec["work"]) / f"raw-disk-{spec['size']}", ignore_errors=True)
    archive.close()
    if spec.get("cleanup"):
        shutil.rmtree(data_dir, ignore_errors=True)
    return result


def job_archive_reopen(spec: dict) -> dict:
    """Open an existing in-memory archive: the store is rebuilt by replaying the journal."""
    import dialogue_kg.core.archive  # noqa: F401 - imports before the start RSS is taken

    result: dict[str, Any] = {"rss_start_mb": rss_mb()}
    archive, result["open_s"], data_dir = _archive(spec, validate=False, fresh=False)
    result["load_s"] = result["open_s"]
    result["revision"] = archive.revision
    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_after_load_mb"] = rss_mb()
    result["quads"] = len(archive.store)
    archive.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return result


def _rdflib_timed(ds: Any, text: str, repeat: int, limit: float) -> dict[str, Any]:
    """Run one query in a forked child (warm-up + ``repeat`` runs); kill it past ``limit``
    seconds for any single run."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            for i in range(repeat + 1):
                t0 = time.perf_counter()
                n = len(list(ds.query(text)))
                send.send(("run", i, n, time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            send.send(("error", repr(exc)[:500]))
        finally:
            send.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    times: list[float] = []
    out: dict[str, Any] = {"status": "ok", "limit_s": limit}
    for _ in range(repeat + 1):
        if not recv.poll(limit):
            out["status"] = "timeout"
            break
        msg = recv.recv()
        if msg[0] == "error":
            out["status"], out["error"] = "error", msg[1]
            break
        _, i, n, dt = msg
        if i == 0:
            out["rows"], out["warmup_ms"] = n, dt * 1000
        else:
            times.append(dt)
    if proc.is_alive():
        proc.kill()
    proc.join()
    if times:
        out.update(
            median_ms=statistics.median(times) * 1000,
            min_ms=min(times) * 1000,
            max_ms=max(times) * 1000,
        )
    out["runs"] = len(times)
    if out["status"] == "timeout" and times:
        out["status"] = "partial"  # some runs finished, a later one ran past the limit
    return out


def job_rdflib(spec: dict) -> dict:
    """rdflib's in-memory Dataset (default_union=True), parsing the TriG of the same dataset."""
    from rdflib import Dataset

    source = Path(spec["data"]) / spec["files"]["raw_trig"]
    result: dict[str, Any] = {"rss_start_mb": rss_mb(), "input": source.name}
    ds = Dataset(default_union=True)
    t0 = time.perf_counter()
    ds.parse(str(source), format="trig")
    result["load_s"] = time.perf_counter() - t0
    result["rss_after_load_mb"] = rss_mb()
    result["quads"] = sum(1 for _ in ds.quads((None, None, None, None)))
    queries = {}
    for name in spec["queries"]:
        queries[name] = _rdflib_timed(
            ds, sparql(name, spec["params"]), spec["repeat"], spec["rdflib_timeout"]
        )
        q = queries[name]
        shown = f"{q['median_ms']:.1f} ms" if "median_ms" in q else q["status"]
        log(f"  rdflib {spec['size']} {name}: {shown}")
    result["queries"] = queries
    result["peak_rss_mb"] = peak_rss_mb()  # the queries ran in forked children, not counted
    return result


JOBS: dict[str, Callable[[dict], dict]] = {
    "raw": job_raw,
    "archive": job_archive,
    "archive-reopen": job_archive_reopen,
    "rdflib": job_rdflib,
}


def worker(spec: dict) -> None:
    """Entry point of a job subprocess: run it and print its result as one JSON line."""
    result = JOBS[spec["kind"]](spec)
    result["job"] = spec["job"]
    print(MARK + json.dumps(result), flush=True)


# -- orchestration --------------------------------------------------------------------------------


def run_job(spec: dict, timeout: float) -> dict:
    """Run one job in a fresh Python process; return its result (or the error)."""
    cmd = [sys.executable, "-m", "bench.run", "--worker", json.dumps(spec)]
    t0 = time.perf_counter()
    log(f"[{spec['size']}] {spec['job']} …")
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"job": spec["job"], "status": "error", "error": f"job ran past {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            result = json.loads(line[len(MARK) :])
            result.update(status="ok", job_wall_s=wall)
            log(f"[{spec['size']}] {spec['job']}: done in {wall:.1f} s")
            return result
    return {"job": spec["job"], "status": "error", "error": f"exit {proc.returncode}"}


def environment() -> dict[str, Any]:
    """Versions, machine and load, for the record."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "pyoxigraph": version("pyoxigraph"),
        "rdflib": version("rdflib"),
        "pyshacl": version("pyshacl"),
        "pyrudof": version("pyrudof"),
        "dialogue_kg": version("dialogue-kg"),
        "git_commit": commit,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "loadavg_start": os.getloadavg(),
    }


def plan(size: str, args: argparse.Namespace, shapes: bool) -> list[dict]:
    """The jobs to run for one size, in order."""
    base = {
        "size": size,
        "data": str(args.data),
        "work": str(args.data / "work"),
        "repeat": args.repeat,
        "min_time": args.min_time,
        "max_runs": args.max_runs,
        "rdflib_timeout": args.rdflib_timeout,
        "queries": [],
    }
    everything = list(QUERIES)

    def job(name: str, kind: str, mode: str, **extra: Any) -> dict:
        return {**base, "job": name, "kind": kind, "mode": mode, **extra}

    jobs = [
        job("raw-memory", "raw", "memory"),
        job("raw-memory-trig", "raw", "memory", format="trig"),
        job("archive-memory", "archive", "memory", queries=everything),
        job("archive-reopen", "archive-reopen", "memory"),
    ]
    if size in args.disk_sizes:
        jobs.append(job("raw-disk", "raw", "disk"))
        jobs.append(job("archive-disk", "archive", "disk", queries=everything, cleanup=True))
    if size in args.rdflib_sizes:
        jobs.append(job("rdflib", "rdflib", "memory", queries=everything))
    if size in args.validate_sizes and shapes:
        # Each engine's load --validate-repeat times, the engines taking turns (A B, B A, …) so
        # that the machine's load falls on both alike.
        engines = [e for e in VALIDATE_ENGINES if e in args.shacl_engines]
        for n in range(args.validate_repeat):
            for engine in engines if n % 2 == 0 else engines[::-1]:
                name = VALIDATE_JOBS[engine]
                jobs.append(
                    job(name, "archive", "memory", validate=True, engine=engine, cleanup=True)
                )
    return jobs


def _merge_validate(runs: list[dict]) -> dict:
    """One validation job's repeated runs as one result: the median run, with every load time,
    the median and nearest-rank p99 load times and the load average before each run."""
    ok = sorted((r for r in runs if "load_s" in r), key=lambda r: r["load_s"])
    if not ok:
        return runs[-1]
    times = [r["load_s"] for r in ok]
    merged = dict(ok[(len(ok) - 1) // 2])
    merged.update(
        load_s=statistics.median(times),
        load_s_runs=[r["load_s"] for r in runs if "load_s" in r],
        load_s_p99=times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)],
        loadavg_runs=[r.get("loadavg_before") for r in runs],
    )
    return merged


def geomean(values: list[float]) -> float | None:
    """Geometric mean (None for no values)."""
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _target(name: str, size: str, measured: float | None, ok: bool | None) -> dict[str, Any]:
    status = "NOT MEASURED" if ok is None else ("PASS" if ok else "FAIL")
    return {"target": name, "size": size, "measured": measured, "status": status}


def analyse(results: dict, args: argparse.Namespace, wall: float) -> dict:
    """Ratios and the PASS/FAIL of every target."""
    ratios: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for size, runs in results.items():
        r: dict[str, Any] = {}
        for mode in ("memory", "disk"):
            arch, raw = runs.get(f"archive-{mode}", {}), runs.get(f"raw-{mode}", {})
            if "load_s" in arch and "load_s" in raw:
                # the faster of the two raw loads (own job, and the one paired with the archive)
                raw_s = min(raw["load_s"], arch.get("paired_raw_load_s", math.inf))
                r[f"load_archive_over_raw_{mode}"] = arch["load_s"] / raw_s
            per_query = {n: q["ratio"] for n, q in arch.get("queries", {}).items()}
            if per_query:
                r[f"query_archive_over_raw_{mode}"] = per_query
                for name, ratio in per_query.items():
                    targets.append(
                        _target(
                            f"query {name} ≤ {TARGET_QUERY_RATIO}× raw ({mode})",
                            size,
                            round(ratio, 3),
                            ratio <= TARGET_QUERY_RATIO,
                        )
                    )
        if "load_s" in runs.get("archive-reopen", {}) and "raw-memory" in runs:
            r["reopen_archive_over_raw"] = runs["archive-reopen"]["load_s"] / min(
                runs["raw-memory"]["load_s"],
                runs.get("archive-memory", {}).get("paired_raw_load_s", math.inf),
            )
        rd, arch = runs.get("rdflib", {}), runs.get("archive-memory", {})
        if rd.get("queries") and arch.get("queries"):
            vals, lower_bound = [], False
            for name, q in rd["queries"].items():
                a_ms = arch["queries"][name]["archive"]["median_ms"]
                if q["status"] in ("ok", "partial"):
                    vals.append(q["median_ms"] / a_ms)
                    lower_bound |= q["status"] == "partial"
                else:
                    vals.append(q["limit_s"] * 1000 / a_ms)
                    lower_bound = True
            r["rdflib_over_archive_geomean"] = geomean(vals)
            r["rdflib_geomean_is_lower_bound"] = lower_bound
        for engine, job_name in VALIDATE_JOBS.items():
            val = runs.get(job_name, {})
            if "load_s" not in val:
                continue
            rate = args.manifests[size]["statements"] / val["load_s"]
            r[f"validate_rate_qps_{engine}"] = rate
            targets.append(
                _target(
                    f"validation-on load rate ≥ {TARGET_VALIDATE_RATE:,.0f} quads/s "
                    f"({ENGINE_LABELS[engine]})",
                    size,
                    round(rate),
                    rate >= TARGET_VALIDATE_RATE and not val.get("load_error"),
                )
            )
        ratios[size] = r
    name = f"load 1M quads through the journal ≤ {TARGET_LOAD_RATIO:g}× raw pyoxigraph"
    ratio = ratios.get("1m", {}).get("load_archive_over_raw_memory")
    ok = None if ratio is None else ratio <= TARGET_LOAD_RATIO
    targets.insert(0, _target(name, "1m", None if ratio is None else round(ratio, 2), ok))
    targets.append(
        _target(
            f"whole benchmark ≤ {TARGET_WALL_SECONDS / 60:.0f} min on 2 cores",
            ",".join(results),
            round(wall, 1),
            wall <= TARGET_WALL_SECONDS,
        )
    )
    return {"ratios": ratios, "targets": targets}


# -- the Markdown report --------------------------------------------------------------------------


def _ms(q: dict | None) -> str:
    if not q:
        return "–"
    if q.get("status") == "timeout":
        return f"timeout (>{q['limit_s']:.0f} s)"
    if q.get("status") == "error":
        return "error"
    text = f"{q['median_ms']:.3g}" if q["median_ms"] < 100 else f"{q['median_ms']:.0f}"
    return text + (" (partial)" if q.get("status") == "partial" else "")


def _s(x: float | None) -> str:
    return "–" if x is None else (f"{x:.3g}" if x < 100 else f"{x:.0f}")


def _x(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.0f}×" if x >= 20 else f"{x:.2f}×"


LABELS = {
    "raw-memory": "raw pyoxigraph, memory (N-Quads)",
    "raw-memory-trig": "raw pyoxigraph, memory (TriG, reference)",
    "archive-memory": "archive, memory (TriG → journal → store)",
    "archive-reopen": "archive reopen, memory (replay journal)",
    "raw-disk": "raw pyoxigraph, disk (N-Quads)",
    "archive-disk": "archive, disk (TriG → journal → store)",
    "rdflib": "rdflib Dataset (TriG)",
    "archive-validate-rudof": "archive, memory, validation on (rudof, default)",
    "archive-validate": "archive, memory, validation on (pySHACL, reference)",
}


def _targets_md(report: dict) -> list[str]:
    out = ["| target | size | measured | status |", "|---|---|---:|---|"]
    per_query: dict[tuple[str, str], list[dict]] = {}
    for t in report["targets"]:
        if t["target"].startswith("query "):
            mode = t["target"].rsplit("(", 1)[1].rstrip(")")
            per_query.setdefault((t["size"], mode), []).append(t)
            continue
        m = t["measured"]
        shown = "–" if m is None else f"{m:,}"
        if m is not None and "load 1M" in t["target"]:
            shown += "×"
        elif m is not None and "quads/s" in t["target"]:
            shown += " quads/s"
        elif m is not None and "min" in t["target"]:
            shown += " s"
        out.append(f"| {t['target']} | {t['size']} | {shown} | **{t['status']}** |")
    for (size, mode), ts in per_query.items():
        fails = [
            f"{t['target'].split()[1]} {t['measured']:.2f}×" for t in ts if t["status"] != "PASS"
        ]
        worst = max(t["measured"] for t in ts)
        detail = f"{len(ts) - len(fails)}/{len(ts)} pass, worst {worst:.2f}×"
        detail += f"; fail: {', '.join(fails)}" if fails else ""
        status = "FAIL" if fails else "PASS"
        out.append(
            f"| each query ≤ {TARGET_QUERY_RATIO}× raw pyoxigraph, {mode} | {size} | {detail} | "
            f"**{status}** |"
        )
    return out


def markdown(report: dict) -> str:
    """core.md: the tables of medians and ratios, PASS/FAIL per target."""
    env, cfg = report["environment"], report["config"]
    out = [
        "# dialogue-kg core benchmark",
        "",
        f"Run {env['date']} on {env['cpu_model'] or 'unknown CPU'} "
        f"({env['cpus_usable']} usable CPUs of {env['cpu_count']}, {env['memory_gib']} GiB), "
        f"Python {env['python']}, pyoxigraph {env['pyoxigraph']}, rdflib {env['rdflib']}, "
        f"pyshacl {env['pyshacl']}, pyrudof {env.get('pyrudof', '?')}; "
        f"commit {env['git_commit'][:10] or '?'}. Load average "
        f"{', '.join(f'{x:.2f}' for x in env['loadavg_start'])} at the start, "
        f"{', '.join(f'{x:.2f}' for x in env['loadavg_end'])} at the end.",
        "",
        f"**Total wall time: {report['wall_seconds']:.0f} s** "
        f"(data generation {report['generate_seconds']:.1f} s of it). "
        f"Query times are medians over ≥{cfg['repeat']} timed runs after one warm-up (fast "
        f"queries repeated until {cfg['min_time']} s, at most {cfg['max_runs']} runs); every run "
        "fetches every row; the archive and raw pyoxigraph are timed in the same process, "
        "interleaved. Generated by `python -m bench.run`; see bench/README.md.",
        "",
        "## Targets",
        "",
        *_targets_md(report),
        "",
        "## Data",
        "",
        "| size | statements | change sets | store quads | TriG MB | N-Quads MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for size, m in report["datasets"].items():
        out.append(
            f"| {size} | {m['statements']:,} | {m['graphs']:,} | {m['store_quads']:,} | "
            f"{m['trig_bytes'] / 1e6:.1f} | {m['nquads_bytes'] / 1e6:.1f} |"
        )
    out += [
        "",
        "## Loading and memory",
        "",
        "Load seconds; ratio to the raw pyoxigraph load of the same storage mode (the faster of "
        "its own job and the load paired with the archive's); peak RSS of the job's own process "
        "during the load (VmHWM, MiB, Python and imports included: see the start column).",
        "",
        "| size | system | load s | ratio to raw | peak RSS MiB | RSS after load | start RSS |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for size, runs in report["runs"].items():
        for job, label in LABELS.items():
            run = runs.get(job)
            if run is None:
                continue
            if run.get("status") != "ok" or "load_s" not in run:
                out.append(f"| {size} | {label} | {run.get('status')}: {run.get('error')} |||||")
                continue
            mode = "disk" if job.endswith("disk") else "memory"
            base = runs.get(f"raw-{mode}", {}).get("load_s")
            paired = runs.get(f"archive-{mode}", {}).get("paired_raw_load_s")
            raw_s = min(x for x in (base, paired) if x) if (base or paired) else None
            ratio = _x(run["load_s"] / raw_s) if raw_s else "–"
            load = _s(run["load_s"])
            if job in ("raw-memory", "raw-disk"):
                ratio = "baseline"
                load += f" (paired: {_s(paired)})" if paired else ""
            extra = " (rejected)" if run.get("load_error") else ""
            out.append(
                f"| {size} | {label}{extra} | {load} | {ratio} | "
                f"{run['peak_rss_mb']:.0f} | {run.get('rss_after_load_mb', float('nan')):.0f} | "
                f"{run['rss_start_mb']:.0f} |"
            )
        if size in report["skipped"]:
            out.append(f"| {size} | rdflib | skipped: {report['skipped'][size]} |||||")
    out += ["", "## Validation on (SHACL, memory store)", ""]
    val_rows = [
        (s, engine, r[job_name])
        for s, r in report["runs"].items()
        for engine, job_name in VALIDATE_JOBS.items()
        if job_name in r
    ]
    if val_rows:
        out += [
            "Load time of `archive.load` with validation on: the median of the runs (the engines "
            "took turns), nearest-rank p99 (with few runs, the slowest), and the 1-minute load "
            "average before each run.",
            "",
            "| size | engine | statements | runs | median load s | p99 load s | quads/s (median) "
            "| violations | load average | status |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for size, engine, v in val_rows:
            st = report["datasets"][size]["statements"]
            rate = st / v["load_s"]
            ok = rate >= TARGET_VALIDATE_RATE and not v.get("load_error")
            loads = [x for x in v.get("loadavg_runs", [v.get("loadavg_before")]) if x is not None]
            shown = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"
            out.append(
                f"| {size} | {ENGINE_LABELS[engine]} | {st:,} | {len(v.get('load_s_runs', [1]))} "
                f"| {_s(v['load_s'])} | {_s(v.get('load_s_p99', v['load_s']))} | {rate:,.0f} | "
                f"{v.get('violations', '?')} | {shown} | **{'PASS' if ok else 'FAIL'}** |"
            )
        for size, r in report["runs"].items():
            a, b = r.get(VALIDATE_JOBS["rudof"], {}), r.get(VALIDATE_JOBS["pyshacl"], {})
            if "load_s" in a and "load_s" in b:
                out.append(
                    f"\nrudof ÷ pySHACL at {size}: median load time "
                    f"{a['load_s'] / b['load_s']:.2f}, p99 "
                    f"{a.get('load_s_p99', a['load_s']) / b.get('load_s_p99', b['load_s']):.2f}."
                )
    else:
        out.append("Not measured (no shapes, or no --validate-sizes).")
    for size, runs in report["runs"].items():
        out += _queries_md(size, runs, report["ratios"].get(size, {}))
    if report["notes"]:
        out += ["", "## Notes", ""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(out) + "\n"


def _queries_md(size: str, runs: dict, ratios: dict) -> list[str]:
    mem = runs.get("archive-memory", {}).get("queries", {})
    disk = runs.get("archive-disk", {}).get("queries", {})
    rdf = runs.get("rdflib", {}).get("queries", {})
    head = "| query | raw ms | archive ms | archive/raw | rdflib ms | rdflib/archive |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if disk:
        head += " raw disk ms | archive disk ms | archive/raw disk |"
        sep += "---:|---:|---:|"
    out = ["", f"## Queries at {size} (median ms)", "", head, sep]
    for name in QUERIES:
        q = mem.get(name)
        if not q:
            continue
        a = q["archive"]
        mark = f"{_x(q['ratio'])} {'PASS' if q['ratio'] <= TARGET_QUERY_RATIO else 'FAIL'}"
        rd = rdf.get(name)
        if rd and rd["status"] == "ok":
            rr = _x(rd["median_ms"] / a["median_ms"])
        elif rd and rd["status"] in ("timeout", "partial"):
            rr = f"≥{rd['limit_s'] * 1000 / a['median_ms']:.0f}×"
        else:
            rr = "–"
        row = f"| {name} | {_ms(q['raw'])} | {_ms(a)} | {mark} | {_ms(rd)} | {rr} |"
        if disk:
            d = disk[name]
            dmark = f"{_x(d['ratio'])} {'PASS' if d['ratio'] <= TARGET_QUERY_RATIO else 'FAIL'}"
            row += f" {_ms(d['raw'])} | {_ms(d['archive'])} | {dmark} |"
        out.append(row)
    g = ratios.get("rdflib_over_archive_geomean")
    if g is not None:
        bound = "≥ " if ratios.get("rdflib_geomean_is_lower_bound") else ""
        out += [
            "",
            f"rdflib / archive, geometric mean over the queries: **{bound}{g:.0f}×**"
            + (" (timed-out runs counted at the time limit, so a lower bound)" if bound else ""),
        ]
    differ = [n for n, q in {**mem, **disk}.items() if not q["same_results"]]
    if differ:
        out += ["", f"Archive and raw pyoxigraph results differ for: {', '.join(differ)}."]
    else:
        out += ["", "Archive and raw pyoxigraph returned identical results for every query."]
    rows = _row_mismatch(runs)
    if rows:
        out += ["", rows]
    return out


def _row_mismatch(runs: dict) -> str:
    """A note when rdflib returns a different number of rows than the archive."""
    bad = []
    for name, q in runs.get("rdflib", {}).get("queries", {}).items():
        ours = runs.get("archive-memory", {}).get("queries", {}).get(name, {}).get("archive", {})
        if "rows" in q and ours.get("rows") is not None and q["rows"] != ours["rows"]:
            bad.append(f"{name} (rdflib {q['rows']}, archive {ours['rows']})")
    return ("rdflib row counts differ: " + "; ".join(bad)) if bad else ""


# -- profile --------------------------------------------------------------------------------------


def profile_load(size: str, data: Path, out: Path, validate: bool) -> Path:
    """cProfile one archive load (not part of the timed benchmark); write the top functions."""
    from dialogue_kg.config import Settings
    from dialogue_kg.core.archive import Archive

    label, target = generate.parse_size(size)
    manifest = generate.ensure(label, target, data)
    data_dir = data / "work" / f"profile-{label}"
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(data_dir=str(data_dir), store="memory", validate=validate)
    archive = Archive.open(settings, initialise=False)
    if validate:
        _ = archive.validator
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    archive.load(data / manifest["files"]["trig"], agent="bench")
    profiler.disable()
    wall = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = len(archive.store.store)  # what OxigraphStore._is_empty() calls once per change set
    len_s = time.perf_counter() - t0
    archive.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    buf = io.StringIO()
    buf.write(f"cProfile of Archive.load({manifest['files']['trig']}) validate={validate}: ")
    buf.write(f"{wall:.1f} s under the profiler, {manifest['statements']:,} statements\n")
    buf.write(f"One len(pyoxigraph.Store) on the loaded store ({n:,} quads): {len_s:.3f} s\n")
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    suffix = "-validate" if validate else ""
    path = out / f"profile-archive-load-{label}{suffix}.txt"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


# -- command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark (or one worker job, or a profile)."""
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10k,100k,1m")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per query (≥5)")
    ap.add_argument(
        "--min-time",
        type=float,
        default=0.5,
        help="keep repeating a fast query until its timed runs add up to this many seconds",
    )
    ap.add_argument("--max-runs", type=int, default=30)
    ap.add_argument("--disk-sizes", default="10k,100k", help="sizes with disk-mode jobs")
    ap.add_argument("--rdflib-sizes", default="10k,100k,1m", help="sizes with the rdflib job")
    ap.add_argument("--validate-sizes", default="10k,100k", help="sizes with validation on")
    ap.add_argument(
        "--shacl-engine",
        default=",".join(VALIDATE_ENGINES),
        help="SHACL engines of the validation-on loads, comma-separated (default: rudof,pyshacl)",
    )
    ap.add_argument(
        "--validate-repeat",
        type=int,
        default=1,
        help="validation-on loads per engine and size, the engines taking turns",
    )
    ap.add_argument(
        "--rdflib-timeout",
        type=float,
        default=10.0,
        help="seconds one rdflib query run may take before it is killed",
    )
    ap.add_argument("--job-timeout", type=float, default=1800.0)
    ap.add_argument("--data", type=Path, default=BENCH / "data")
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    ap.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    ap.add_argument("--profile-load", metavar="SIZE", help="only cProfile one archive load")
    ap.add_argument("--profile-validate", action="store_true", help="with --profile-load")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return 0
    args.data = args.data.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.profile_load:
        log(f"wrote {profile_load(args.profile_load, args.data, args.out, args.profile_validate)}")
        return 0
    if args.repeat < 5:
        ap.error("--repeat must be at least 5")
    started = time.perf_counter()
    env = environment()
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s]
    args.disk_sizes = {generate.parse_size(s)[0] for s in args.disk_sizes.split(",") if s}
    args.rdflib_sizes = {generate.parse_size(s)[0] for s in args.rdflib_sizes.split(",") if s}
    args.validate_sizes = {generate.parse_size(s)[0] for s in args.validate_sizes.split(",") if s}
    args.shacl_engines = [e.strip() for e in args.shacl_engine.split(",") if e.strip()]
    if unknown := set(args.shacl_engines) - set(VALIDATE_ENGINES):
        ap.error(f"unknown SHACL engine(s): {', '.join(sorted(unknown))}")
    from dialogue_kg.config import ontology_dir

    shapes = (ontology_dir() / "shapes.ttl").exists() and (ontology_dir() / "dialogue.ttl").exists()
    notes: list[str] = []
    if not shapes:
        notes.append("ontology/shapes.ttl or dialogue.ttl is missing: validation not measured.")
    args.manifests, datasets, gen_seconds = {}, {}, 0.0
    for label, target in sizes:
        t0 = time.perf_counter()
        manifest = generate.ensure(label, target, args.data, args.seed)
        spent = time.perf_counter() - t0
        gen_seconds += spent
        files = generate.paths(args.data, label)
        manifest = {
            **manifest,
            "generated_now": spent > 0.05,
            "trig_bytes": files["trig"].stat().st_size,
            "nquads_bytes": files["nquads"].stat().st_size,
        }
        args.manifests[label] = manifest
        datasets[label] = manifest
    results: dict[str, dict] = {}
    skipped: dict[str, str] = {}
    for label, _ in sizes:
        manifest = args.manifests[label]
        results[label] = {}
        repeated: dict[str, list[dict]] = {}
        for spec in plan(label, args, shapes):
            spec["params"] = manifest["params"]
            spec["files"] = manifest["files"]
            loadavg = os.getloadavg()[0]
            result = run_job(spec, args.job_timeout)
            if spec.get("validate"):
                result["loadavg_before"] = round(loadavg, 2)
                repeated.setdefault(spec["job"], []).append(result)
                result = _merge_validate(repeated[spec["job"]])
            results[label][spec["job"]] = result
        if label not in args.rdflib_sizes:
            skipped[label] = _rdflib_skip_note(label, results, args)
    shutil.rmtree(args.data / "work", ignore_errors=True)
    wall = time.perf_counter() - started
    analysis = analyse(results, args, wall)
    env["loadavg_end"] = os.getloadavg()
    report = {
        "benchmark": "dialogue-kg core",
        "environment": env,
        "config": {
            "sizes": [s for s, _ in sizes],
            "repeat": args.repeat,
            "min_time": args.min_time,
            "max_runs": args.max_runs,
            "disk_sizes": sorted(args.disk_sizes),
            "rdflib_sizes": sorted(args.rdflib_sizes),
            "validate_sizes": sorted(args.validate_sizes),
            "shacl_engines": args.shacl_engines,
            "validate_repeat": args.validate_repeat,
            "rdflib_timeout_s": args.rdflib_timeout,
            "seed": args.seed,
            "memory_measure": "ru_maxrss of each job's own process (peak RSS, MiB); VmRSS "
            "before loading and after loading",
        },
        "queries": {n: {"description": d, "sparql": PREFIXES + q} for n, (d, q) in QUERIES.items()},
        "datasets": datasets,
        "runs": results,
        **analysis,
        "skipped": skipped,
        "notes": notes,
        "generate_seconds": gen_seconds,
        "wall_seconds": wall,
    }
    (args.out / "core.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "core.md").write_text(markdown(report), encoding="utf-8")
    log(f"wrote {args.out / 'core.json'} and core.md in {wall:.0f} s")
    return 0


def _rdflib_skip_note(label: str, results: dict, args: argparse.Namespace) -> str:
    """Why rdflib did not run at this size, with an estimate from the largest size it ran at."""
    ran = [s for s in results if "rdflib" in results[s] and results[s]["rdflib"].get("load_s")]
    if not ran:
        return "not requested (--rdflib-sizes)"
    ref = max(ran, key=lambda s: args.manifests[s]["statements"])
    rd = results[ref]["rdflib"]
    factor = args.manifests[label]["statements"] / args.manifests[ref]["statements"]
    secs = rd["load_s"]
    for q in rd["queries"].values():
        if q["status"] == "ok":
            secs += q["median_ms"] / 1000 * (args.repeat + 1)
        else:
            secs += q["limit_s"]  # killed after one run past the limit
    return (
        f"not run; from the {ref} run it would take ≥ {secs * factor / 60:.0f} min "
        f"(load {rd['load_s'] * factor:.0f} s, peak RSS ≈ {rd['peak_rss_mb'] * factor / 1024:.1f}"
        " GiB, assuming linear scaling) — enable with --rdflib-sizes"
    )


if __name__ == "__main__":
    raise SystemExit(main())
