"""The W3C SPARQL 1.1 query evaluation tests, over HTTP against /sparql and in-process against raw
pyoxigraph, compared the way the suite requires.

The suite ships in rdflib's source distribution (``test/data/suites/w3c/sparql11``); it is fetched
once with ``pip download`` into bench/data/w3c/ (git-ignored), never committed.

Fairness: the archive normally keeps every statement in a change-set graph and queries the union.
A test's dataset is a specific default graph plus named graphs, so the endpoint runs on a plain
in-memory Oxigraph store (the archive's own store class, emptied and loaded directly for each test)
and the dataset is given the way the protocol provides: the test's default-graph data is loaded
into one named graph sent as ``default-graph-uri``, its named graphs are sent as
``named-graph-uri``. Raw pyoxigraph gets the natural layout (data in the default graph). Both
sides serialise in the format the expected result is written in (XML, JSON, CSV, TSV; N-Triples
for graphs) and are parsed by rdflib, so the only difference is the endpoint itself.

``python -m bench.w3c`` writes bench/results/w3c.{json,md}.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.query import Result

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / "data" / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")

# The manifests holding QueryEvaluationTest entries.
MANIFESTS = (
    "aggregates",
    "bind",
    "bindings",
    "construct",
    "csv-tsv-res",
    "entailment",
    "exists",
    "functions",
    "grouping",
    "json-res",
    "negation",
    "project-expression",
    "property-path",
    "service",
    "subquery",
)
DEFAULT_GRAPH = "urn:x-dialogue-kg:w3c:default-graph"
NO_NAMED_GRAPHS = "urn:x-dialogue-kg:w3c:no-named-graphs"
# Expected-result extension -> (endpoint format= name, pyoxigraph format, rdflib parser).
RESULT_FORMATS = {
    ".srx": ("xml", ox.QueryResultsFormat.XML, "xml"),
    ".srj": ("json", ox.QueryResultsFormat.JSON, "json"),
    ".csv": ("csv", ox.QueryResultsFormat.CSV, "csv"),
    ".tsv": ("tsv", ox.QueryResultsFormat.TSV, "tsv"),
}
GRAPH_PARSERS = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml"}


def fetch_suite(cache: Path = CACHE) -> Path:
    """The sparql11 folder of the installed rdflib's sdist, downloaded and extracted once."""
    release = version("rdflib")
    target = cache / f"rdflib-{release}"
    suite = target / "sparql11"
    if (suite / "manifest-all.ttl").exists():
        return suite
    prefix = f"rdflib-{release}/test/data/suites/w3c/sparql11/"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
            + ["--no-binary", ":all:", f"rdflib=={release}", "--dest", tmp],
            check=True,
        )
        sdist = next(Path(tmp).glob("rdflib-*.tar.gz"))
        partial = target / "partial"
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
            for m in members:
                m.name = m.name[len(prefix) :]
            tar.extractall(partial, members=members, filter="data")
        partial.rename(suite)
    return suite


@dataclass
class Case:
    """One QueryEvaluationTest."""

    manifest: str
    name: str
    query: Path
    result: Path
    data: list[Path] = field(default_factory=list)
    graphs: list[Path] = field(default_factory=list)
    service: bool = False

    @property
    def id(self) -> str:
        return f"{self.manifest}/{self.name}"


def _path(node: object) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(str(node)).path))


def read_manifest(suite: Path, name: str) -> list[Case]:
    """The approved (or not classified) query evaluation tests of one manifest, in order."""
    path = suite / name / "manifest.ttl"
    g = Graph().parse(path, format="turtle", publicID=path.as_uri())
    cases = []
    for manifest in g.subjects(RDF.type, MF.Manifest):
        for lst in g.objects(manifest, MF.entries):
            for entry in Collection(g, lst):
                if (entry, RDF.type, MF.QueryEvaluationTest) not in g:
                    continue
                if g.value(entry, DAWGT.approval) in (DAWGT.Withdrawn, DAWGT.Rejected):
                    continue
                action = g.value(entry, MF.action)
                cases.append(
                    Case(
                        manifest=name,
                        name=str(entry).rsplit("#", 1)[-1],
                        query=_path(g.value(action, QT.query)),
                        result=_path(g.value(entry, MF.result)),
                        data=[_path(d) for d in g.objects(action, QT.data)],
                        graphs=[_path(d) for d in g.objects(action, QT.graphData)],
                        service=g.value(action, QT.serviceData) is not None,
                    )
                )
    return cases


def _load(store: ox.Store, path: Path, graph: ox.NamedNode | None) -> None:
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    kwargs = {"to_graph": graph} if graph is not None else {}
    store.load(path=str(path), format=fmt, base_iri=path.as_uri(), **kwargs)


def load_raw(store: ox.Store, case: Case) -> None:
    """The test's dataset in the natural layout: data in the default graph."""
    store.clear()
    for d in case.data:
        _load(store, d, None)
    for d in case.graphs:
        _load(store, d, ox.NamedNode(d.as_uri()))


def load_for_endpoint(store: ox.Store, case: Case) -> None:
    """The test's dataset for the protocol: default data in a graph sent as default-graph-uri."""
    store.clear()
    for d in case.data:
        _load(store, d, ox.NamedNode(DEFAULT_GRAPH))
    for d in case.graphs:
        _load(store, d, ox.NamedNode(d.as_uri()))


def query_text(case: Case) -> str:
    """The query with its base made explicit (the protocol has no base parameter)."""
    return f"BASE <{case.query.as_uri()}>\n" + case.query.read_text(encoding="utf-8")


def _has_dataset_clause(text: str) -> bool:
    return (
        re.search(r"\bFROM\b", re.sub(r"<[^>]*>|\"[^\"]*\"|#[^\n]*", " ", text), re.I) is not None
    )


# -- answers ----------------------------------------------------------------------------------


@dataclass
class Answer:
    """A parsed result: a boolean, a graph, or (variables, rows)."""

    boolean: bool | None = None
    graph: Graph | None = None
    variables: list[str] | None = None
    rows: list[dict] | None = None


def parse_answer(body: bytes, suffix: str, graph_result: bool) -> Answer:
    """Parse a serialised result with rdflib (``suffix`` names the format)."""
    if graph_result or suffix in GRAPH_PARSERS:
        return Answer(graph=Graph().parse(data=body, format=GRAPH_PARSERS.get(suffix, "nt")))
    parsed = Result.parse(io.BytesIO(body), format=RESULT_FORMATS[suffix][2])
    if parsed.type == "ASK":
        return Answer(boolean=bool(parsed.askAnswer))
    names = [str(v) for v in parsed.vars or []]
    bindings = parsed.bindings or []
    rows = [{str(k): _term(v) for k, v in row.items() if v is not None} for row in bindings]
    return Answer(variables=names, rows=rows)


NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float}


def _term(term: object) -> object:
    """RDF 1.1 term identity (a simple literal is an xsd:string; language tags are caseless);
    numbers by value, as the suite's results write "1.0" where an engine may write "1"."""
    if isinstance(term, Literal):
        if term.datatype in NUMERIC and term.value is not None:
            return ("number", term.datatype, term.value)
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.language:
            return Literal(str(term), lang=term.language.lower())
    return term


def expected_answer(case: Case) -> Answer:
    """The answer the suite expects."""
    suffix = case.result.suffix
    return parse_answer(case.result.read_bytes(), suffix, suffix in GRAPH_PARSERS)


def _match_rows(expected: list[dict], actual: list[dict], ordered: bool) -> bool:
    """Row lists equal up to a consistent renaming of blank nodes (in order if ``ordered``)."""
    if len(expected) != len(actual):
        return False

    def plain(row: dict) -> bool:
        return not any(isinstance(v, BNode) for v in row.values())

    if not ordered:
        key = lambda row: tuple(sorted(row.items()))  # noqa: E731
        exp_plain = Counter(key(r) for r in expected if plain(r))
        act_plain = Counter(key(r) for r in actual if plain(r))
        if exp_plain != act_plain:
            return False
        expected = [r for r in expected if not plain(r)]
        actual = [r for r in actual if not plain(r)]

    def fits(e: dict, a: dict, mapping: dict) -> dict | None:
        if e.keys() != a.keys():
            return None
        new = dict(mapping)
        for k, ev in e.items():
            av = a[k]
            if isinstance(ev, BNode) and isinstance(av, BNode):
                if new.get(ev, av) != av or (ev not in new and av in new.values()):
                    return None
                new[ev] = av
            elif ev != av:
                return None
        return new

    def search(i: int, used: set[int], mapping: dict) -> bool:
        if i == len(expected):
            return True
        candidates: Iterable[int] = [i] if ordered else range(len(actual))
        for j in candidates:
            if j in used:
                continue
            new = fits(expected[i], actual[j], mapping)
            if new is not None and search(i + 1, used | {j}, new):
                return True
        return False

    return search(0, set(), {})


def equivalent(expected: Answer, actual: Answer, ordered: bool) -> bool:
    """Result equivalence as the W3C suite defines it (blank nodes up to isomorphism)."""
    if expected.boolean is not None or actual.boolean is not None:
        return expected.boolean == actual.boolean
    if expected.graph is not None or actual.graph is not None:
        return (
            expected.graph is not None
            and actual.graph is not None
            and isomorphic(expected.graph, actual.graph)
        )
    if set(expected.variables or []) != set(actual.variables or []):
        return False
    return _match_rows(expected.rows or [], actual.rows or [], ordered)


def _ordered(text: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", text, re.I) is not None


# -- the two runners --------------------------------------------------------------------------


def run_raw(case: Case) -> Answer:
    """Run a test in-process on raw pyoxigraph."""
    store = ox.Store()
    load_raw(store, case)
    result = store.query(query_text(case))
    if isinstance(result, ox.QueryTriples):
        body, suffix, graph = result.serialize(format=ox.RdfFormat.N_TRIPLES), ".nt", True
    else:
        suffix = case.result.suffix if case.result.suffix in RESULT_FORMATS else ".srj"
        body, graph = result.serialize(format=RESULT_FORMATS[suffix][1]), False
    # pyoxigraph's results may only be freed on this thread. Parsing can fail with pyparsing's
    # exceptions, whose reference cycles would keep this frame (and the results) alive until
    # the cyclic GC runs, perhaps on the test server's thread: free them first.
    del result, store
    return parse_answer(body, suffix, graph)


def run_endpoint(case: Case, url: str, store: ox.Store) -> Answer:
    """Run a test over HTTP: GET /sparql with the dataset as protocol parameters."""
    load_for_endpoint(store, case)
    text = query_text(case)
    suffix = case.result.suffix if case.result.suffix in RESULT_FORMATS else ".srj"
    params: list[tuple[str, str]] = [("query", text)]
    if not _has_dataset_clause(text):
        params.append(("default-graph-uri", DEFAULT_GRAPH))
        graphs = [d.as_uri() for d in case.graphs] or [NO_NAMED_GRAPHS]
        params += [("named-graph-uri", g) for g in graphs]
    media = {"xml": "application/sparql-results+xml", "json": "application/sparql-results+json"}
    name = RESULT_FORMATS[suffix][0]
    accept = f"{media.get(name, 'text/' + name)}, application/n-triples;q=0.9"
    if name == "tsv":
        accept = "text/tab-separated-values, application/n-triples;q=0.9"
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode(params)}", headers={"Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            ctype = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        with exc:
            raise RuntimeError(f"HTTP {exc.code}: {exc.read()[:300]!r}") from None
    graph = ctype == "application/n-triples"
    return parse_answer(body, ".nt" if graph else suffix, graph)


@dataclass
class Outcome:
    """What happened to one test on one side."""

    passed: bool
    error: str = ""


def evaluate(case: Case, runner: Callable[[Case], Answer]) -> Outcome:
    """Run ``case`` and compare with the expected answer."""
    try:
        expected = expected_answer(case)
    except Exception as exc:  # noqa: BLE001 - an unreadable expected result fails the test
        return Outcome(False, f"expected result unreadable: {exc}")
    try:
        actual = runner(case)
    except Exception as exc:  # noqa: BLE001 - any failure of the system under test is recorded
        return Outcome(False, f"{type(exc).__name__}: {str(exc)[:200]}")
    text = case.query.read_text(encoding="utf-8")
    if equivalent(expected, actual, _ordered(text)):
        return Outcome(True)
    return Outcome(False, "different result")


@dataclass
class Report:
    """Per-test outcomes on both sides."""

    rdflib_version: str
    pyoxigraph_version: str
    cases: list[Case]
    endpoint: dict[str, Outcome]
    raw: dict[str, Outcome]
    excluded: dict[str, str]
    seconds: float

    def failing(self, side: str) -> set[str]:
        """Ids of the tests that failed on ``side`` ('endpoint' or 'raw')."""
        outcomes = self.endpoint if side == "endpoint" else self.raw
        return {k for k, o in outcomes.items() if not o.passed}

    def per_manifest(self) -> list[tuple[str, int, int, int, int]]:
        """(manifest, tests run, excluded, passed over HTTP, passed on raw pyoxigraph)."""
        rows = []
        for name in MANIFESTS:
            ids = [c.id for c in self.cases if c.manifest == name]
            run = [i for i in ids if i not in self.excluded]
            rows.append(
                (
                    name,
                    len(run),
                    len(ids) - len(run),
                    sum(self.endpoint[i].passed for i in run),
                    sum(self.raw[i].passed for i in run),
                )
            )
        return rows


def run_suite(url: str, store: ox.Store, suite: Path | None = None) -> Report:
    """Every query evaluation test on both sides. ``store`` is the one behind ``url``."""
    suite = suite or fetch_suite()
    started = time.monotonic()
    cases = [c for name in MANIFESTS for c in read_manifest(suite, name)]
    endpoint, raw, excluded = {}, {}, {}
    for case in cases:
        if case.service:
            # Federated queries to example.org: the archive refuses SERVICE by design, and the
            # raw side would fetch URLs on the network.
            excluded[case.id] = "SERVICE to remote endpoints"
            continue
        raw[case.id] = evaluate(case, run_raw)
        endpoint[case.id] = evaluate(case, lambda c: run_endpoint(c, url, store))
    return Report(
        version("rdflib"),
        version("pyoxigraph"),
        cases,
        endpoint,
        raw,
        excluded,
        time.monotonic() - started,
    )


def markdown(report: Report) -> str:
    """The per-manifest table and the list of failures."""
    lines = [
        "# W3C SPARQL 1.1 query evaluation tests: /sparql over HTTP vs raw pyoxigraph",
        "",
        f"Suite from the rdflib {report.rdflib_version} sdist; pyoxigraph "
        f"{report.pyoxigraph_version}. Run time {report.seconds:.1f} s. "
        "Produced by `python -m bench.w3c` (and checked by tests/webapp/test_w3c.py).",
        "",
        "| manifest | tests | excluded | pass over HTTP | pass on raw pyoxigraph |",
        "|---|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0]
    for name, run, excl, ep, rw in report.per_manifest():
        lines.append(f"| {name} | {run} | {excl} | {ep} | {rw} |")
        for i, v in enumerate((run, excl, ep, rw)):
            totals[i] += v
    lines.append(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} |")
    added = sorted(report.failing("endpoint") - report.failing("raw"))
    fixed = sorted(report.failing("raw") - report.failing("endpoint"))
    lines += [
        "",
        f"Failures added by the endpoint (fail over HTTP, pass on raw pyoxigraph): "
        f"{len(added)}{': ' + ', '.join(added) if added else ''}.",
        f"Tests passing over HTTP but failing raw: {len(fixed)}"
        f"{': ' + ', '.join(fixed) if fixed else ''}.",
        "",
        "## Failures on both sides",
        "",
        "| test | raw pyoxigraph | over HTTP |",
        "|---|---|---|",
    ]
    for key in sorted(report.failing("raw") | report.failing("endpoint")):
        raw, ep = report.raw[key], report.endpoint[key]
        lines.append(
            f"| {key} | {'pass' if raw.passed else raw.error} | "
            f"{'pass' if ep.passed else ep.error} |".replace("\n", " ")
        )
    if report.excluded:
        lines += ["", "## Excluded", ""]
        lines += [f"- {k}: {why}" for k, why in sorted(report.excluded.items())]
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> dict:
    """The report, machine-readable."""
    return {
        "rdflib": report.rdflib_version,
        "pyoxigraph": report.pyoxigraph_version,
        "seconds": round(report.seconds, 2),
        "manifests": [
            dict(zip(("manifest", "tests", "excluded", "endpoint", "raw"), row, strict=True))
            for row in report.per_manifest()
        ],
        "failing_endpoint": sorted(report.failing("endpoint")),
        "failing_raw": sorted(report.failing("raw")),
        "excluded": report.excluded,
    }


def endpoint_app(tmp: Path):  # noqa: ANN201 - (Flask app, the pyoxigraph store behind it)
    """The web app over a plain in-memory Oxigraph store (no journal data, no query workers, no
    result cache: each test loads its data into the store directly, not through the journal, so
    the revision that keys the cache stays 0)."""
    from dialogue_kg.config import Settings
    from dialogue_kg.core.archive import Archive
    from webapp import create_app

    (tmp / "no-graph-data").mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(
        {},
        data_dir=str(tmp / "archive"),
        graph_data_dir=str(tmp / "no-graph-data"),
        query_workers=0,
        store="memory",
        result_cache_mb=0,
    )
    archive = Archive.open(settings, initialise=False)
    return create_app({"TESTING": True}, archive=archive), archive.store.store


def _serve(app, report: Callable[[str], Report]) -> Report:  # noqa: ANN001 - a Flask app
    """Serve ``app`` with waitress on a free loopback port while ``report(url)`` runs."""
    import threading

    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    stop = threading.Event()

    def serve() -> None:
        # Closing the sockets from this thread once its loop stops: closed from another
        # thread under a running select, they make this one fail with EBADF.
        while not stop.is_set():
            wasyncore.poll(0.05, server._map)
        wasyncore.close_all(server._map)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        return report(f"http://127.0.0.1:{server.socket.getsockname()[1]}/sparql")
    finally:
        server.task_dispatcher.shutdown(timeout=10)  # let running requests finish
        stop.set()
        thread.join(10)


def main(argv: list[str] | None = None) -> int:
    """Run the suite both ways and write bench/results/w3c.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    args = parser.parse_args(argv)
    suite = fetch_suite()
    with tempfile.TemporaryDirectory() as tmp:
        app, store = endpoint_app(Path(tmp))
        report = _serve(app, lambda url: run_suite(url, store, suite))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "w3c.md").write_text(markdown(report))
    (args.out / "w3c.json").write_text(json.dumps(as_json(report), indent=2) + "\n")
    print(markdown(report))
    added = report.failing("endpoint") - report.failing("raw")
    return 1 if added else 0


if __name__ == "__main__":
    sys.exit(main())
