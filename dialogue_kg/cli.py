"""The ``dialogue-kg`` command line: one entry point for archivists, scholars and operators."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from . import __version__
from .archive import Archive
from .changeset import read_changesets
from .config import Settings
from .errors import DialogueKGError
from .formats import by_name
from .guard import check as check_query
from .results import is_graph_result, serialize, table
from .validation import ENGINES, ValidationError
from .versions import index_for, open_for_history, parse_datetime

# What a user can cause: the archive's error family and the expected conditions of a path the
# user named. Anything else is a bug and keeps its traceback.
USER_ERRORS = (
    DialogueKGError,
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)


def shacl_engine_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--shacl-engine`` (default: $DKG_SHACL_ENGINE, then pySHACL)."""
    return click.option(
        "--shacl-engine",
        type=click.Choice(ENGINES),
        default=None,
        help="SHACL engine: pyshacl (the reference) or rudof (3-5x faster on bulk loads). "
        "Default: $DKG_SHACL_ENGINE, else pyshacl.",
    )(func)


def data_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--data-dir`` (default: $DKG_DATA_DIR, then a per-user data directory)."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Archive data directory (default: $DKG_DATA_DIR or a per-user directory).",
    )(func)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a user's mistake into one clear line on stderr and exit status 1, no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    """Settings from the environment, with command-line overrides."""
    return Settings.from_env(data_dir=str(data_dir) if data_dir else None, **overrides)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, fed with the revision reached so far."""
    bar = tqdm(
        total=total,
        desc=label,
        unit=" change sets",
        file=sys.stderr,
        leave=False,
        disable=not sys.stderr.isatty(),
    )
    done = {"n": 0}

    def update(n: int) -> None:
        bar.update(max(0, n - done["n"]))
        done["n"] = max(done["n"], n)

    try:
        yield update
    finally:
        bar.close()


def open_archive(data_dir: Path | None, **overrides: Any) -> Archive:
    """Open the archive, with a progress bar while the store catches up with the journal (an
    in-memory store starts from its snapshot: on an unchanged directory, a load and no replay;
    4.5 s at 1M quads here, against 8 s to materialise the head from the history index)."""
    settings = settings_for(data_dir, **overrides)
    with progress_bar("opening archive") as update:
        return Archive.open(settings, progress=update)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dialogue-kg")
def main() -> None:
    """dialogue-kg: the knowledge graph and archive of the Kosovo–Serbia dialogue."""


@main.command()
@data_dir_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@user_errors
def serve(data_dir: Path | None, host: str | None, port: int | None) -> None:
    """Serve the archive over HTTP (production WSGI server)."""
    from webapp import create_app
    from webapp.server import make_server

    settings = settings_for(data_dir, host=host, port=port)
    with progress_bar("opening archive") as update:
        archive = Archive.open(settings, progress=update)
    app = create_app(archive=archive)
    click.echo(
        f"dialogue-kg {__version__}: revision {archive.revision}, serving on "
        f"http://{settings.host}:{settings.port}/",
        err=True,
    )
    make_server(app, settings).run()


@main.command()
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--source",
    "sources",
    multiple=True,
    help="IRI of the document the statements come from (repeatable). Required unless "
    "the TriG graphs give dct:source.",
)
@click.option("--agent", required=True, help="Who is recording this (user name or IRI).")
@click.option("--comment", default=None, help="Why this change is made.")
@click.option("--format", "fmt", default=None, help="RDF format (default: from the file name).")
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation (bulk loads).")
@shacl_engine_option
@user_errors
def load(
    data_dir: Path | None,
    file: Path,
    sources: tuple[str, ...],
    agent: str,
    comment: str | None,
    fmt: str | None,
    no_validate: bool,
    shacl_engine: str | None,
) -> None:
    """Load an RDF FILE as change sets (one per TriG named graph)."""
    archive = open_archive(data_dir, shacl_engine=shacl_engine)
    records = archive.load(
        file,
        agent=agent,
        fmt=fmt,
        sources=list(sources) or None,
        comment=comment,
        validate=False if no_validate else None,
    )
    added = sum(r.counts()[0] for r in records)
    click.echo(
        f"loaded {added} statements as {len(records)} change set(s), "
        f"revisions {records[0].revision}–{records[-1].revision}"
    )


@main.command()
@data_dir_option
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("-e", "--expression", default=None, help="The query text itself.")
@click.option(
    "--format",
    "fmt",
    default="table",
    help="table, json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml, "
    "trig, nquads (CONSTRUCT/DESCRIBE).",
)
@click.option("--revision", type=int, default=None, help="Query the archive as of this revision.")
@click.option(
    "--as-of",
    "as_of_time",
    default=None,
    metavar="DATETIME",
    help="Query the archive as it stood at this time (ISO 8601 date or date-time, UTC unless "
    "it says otherwise): the last revision written by then.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for a parameter the query's header declares (# param: NAME); repeatable.",
)
@user_errors
def query(
    data_dir: Path | None,
    file: Path | None,
    expression: str | None,
    fmt: str,
    revision: int | None,
    as_of_time: str | None,
    params: tuple[str, ...],
) -> None:
    """Run a SPARQL query from FILE (.rq) or -e, now or as of a revision or a time."""
    text = _query_text(file, expression, params)
    if revision is not None and as_of_time is not None:
        raise click.UsageError("give --revision or --as-of, not both")
    settings = settings_for(data_dir)
    if revision is not None or as_of_time is not None:
        # The history index holds every revision: no replay needed. (The current state opens
        # from the in-memory store's snapshot, faster than materialising it from the index.)
        archive = open_for_history(settings)
        index = index_for(archive)
        if as_of_time is not None:
            revision = index.revision_at(parse_datetime(as_of_time))
        store = index.state(index.check(archive.revision if revision is None else revision))
    else:
        archive = open_archive(data_dir)
        store = archive.store
    check_query(text, allow_service=archive.settings.allow_service)
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise click.ClickException(f"query syntax error: {exc}") from None
    if fmt == "table":
        if is_graph_result(result):
            fmt = "turtle"
        else:
            click.echo(table(result))
            return
    click.echo(serialize(result, by_name(fmt)).decode("utf-8"), nl=False)


def _query_text(file: Path | None, expression: str | None, params: tuple[str, ...] = ()) -> str:
    """The query of FILE or -e, with a saved query's parameters bound."""
    from . import queries

    if (file is None) == (expression is None):
        raise click.UsageError("give a query file or -e QUERY (one of them)")
    text = expression if expression is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    if params:
        name = file.stem if file is not None else "query"
        text = queries.bind(queries.parse(name, text), queries.parse_assignments(params))
    return text


@main.command()
@data_dir_option
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--format", "fmt", default=None, help="RDF format of FILE (default: from the name).")
@shacl_engine_option
@user_errors
def validate(
    data_dir: Path | None, file: Path | None, fmt: str | None, shacl_engine: str | None
) -> None:
    """Check FILE against the shapes as if it were loaded now (nothing is written); without
    FILE, check every resource in the archive."""
    from .changeset import ChangeSet

    archive = open_archive(data_dir, shacl_engine=shacl_engine)
    if file is not None:
        changesets = read_changesets(file, archive.minter, fmt=fmt)
    else:
        subjects = [row["s"] for row in archive.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")]
        current = archive.store.describe(s.value for s in subjects if hasattr(s, "value"))
        changesets = [ChangeSet(added=current)]
    violations = archive.check(changesets, validate=True)
    if violations:
        raise ValidationError(violations)
    n = sum(len(cs.added) for cs in changesets)
    click.echo(f"valid: {n} statements conform to the shapes")


@main.command()
@data_dir_option
@click.argument("iri", required=False)
@click.option("--revision", type=int, default=None, help="Stop at this revision.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def history(data_dir: Path | None, iri: str | None, revision: int | None, as_json: bool) -> None:
    """List change sets, or the history of the resource IRI (who, when, source, what changed)."""
    from .history import changes, resource_history

    archive = open_for_history(settings_for(data_dir))
    if iri:
        entries = [
            c for c in resource_history(archive, iri) if revision is None or c.revision <= revision
        ]
        if not entries:
            raise click.ClickException(f"no change set mentions <{iri}>")
    else:
        entries = list(changes(archive, 1, revision))
    if as_json:
        click.echo(json.dumps([vars(e) for e in entries], indent=2, ensure_ascii=False))
        return
    for e in entries:
        src = ", ".join(e.sources)
        click.echo(f"r{e.revision}  {e.time}  {e.agent}  source: {src}")
        if e.comment:
            click.echo(f"      {e.comment}")
        for line in e.removed:
            click.echo(f"    - {line}")
        for line in e.added:
            click.echo(f"    + {line}")


@main.command()
@data_dir_option
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option(
    "--query",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Compare this query's answers (a .rq file) instead of the statements.",
)
@click.option("-e", "--expression", default=None, help="Compare this query's answers.")
@user_errors
def diff(
    data_dir: Path | None, old: int, new: int, file: Path | None, expression: str | None
) -> None:
    """Statements added (+) and removed (-) between revisions OLD and NEW; with a query, the
    rows (or statements) its answer gained (+) and lost (-)."""
    from .history import diff as compute_diff

    archive = open_for_history(settings_for(data_dir))
    if file is not None or expression is not None:
        text = _query_text(file, expression)
        check_query(text, allow_service=archive.settings.allow_service)
        index = index_for(archive)
        gained, lost = index.answer_diff(text, index.check(old), index.check(new))
        if isinstance(gained, bool):
            click.echo(f"r{old}: {str(lost).lower()}  r{new}: {str(gained).lower()}")
            return
        for row in lost:  # type: ignore[attr-defined]
            click.echo(f"- {_row_text(row)}")
        for row in gained:  # type: ignore[attr-defined]
            click.echo(f"+ {_row_text(row)}")
        click.echo(f"{len(gained)} gained, {len(lost)} lost", err=True)  # type: ignore[arg-type]
        return
    result = compute_diff(archive, old, new)
    for line in result.removed:
        click.echo(f"- {line}")
    for line in result.added:
        click.echo(f"+ {line}")
    click.echo(f"{len(result.added)} added, {len(result.removed)} removed", err=True)


def _row_text(row: object) -> str:
    """One row of an answer (a tuple of terms) or one statement, as a line."""
    return "\t".join(row) if isinstance(row, tuple) else str(row)


@main.command()
@data_dir_option
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("-e", "--expression", default=None, help="The query text itself.")
@click.option("--from", "first", type=int, default=0, show_default=True, help="First revision.")
@click.option("--to", "last", type=int, default=None, help="Last revision (default: now).")
@click.option("--json", "as_json", is_flag=True, help="JSON output, answers included.")
@user_errors
def versions(
    data_dir: Path | None,
    file: Path | None,
    expression: str | None,
    first: int,
    last: int | None,
    as_json: bool,
) -> None:
    """In which revisions did a query's answer hold: the runs of revisions over which the
    answer of FILE (.rq) or -e (ASK, SELECT or CONSTRUCT) stayed the same."""
    text = _query_text(file, expression)
    archive = open_for_history(settings_for(data_dir))
    check_query(text, allow_service=archive.settings.allow_service)
    spans = index_for(archive).answer_versions(text, first, last)
    if as_json:
        out = [{"first": s.first, "last": s.last, "answer": s.answer} for s in spans]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for span in spans:
        until = "now" if span.last is None else f"r{span.last}"
        answer = span.answer
        shown = str(answer).lower() if isinstance(answer, bool) else f"{len(answer)} rows"  # type: ignore[arg-type]
        click.echo(f"r{span.first}–{until}\t{shown}")


@main.command()
@data_dir_option
@click.argument("iri")
@click.option("--property", "predicate", default=None, help="Only statements with this property.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def blame(data_dir: Path | None, iri: str, predicate: str | None, as_json: bool) -> None:
    """Who asserted each statement about IRI (as subject) and when, who retracted it, and the
    revisions in which it held."""
    from dataclasses import asdict

    archive = open_for_history(settings_for(data_dir))
    events = index_for(archive).blame_about(iri, predicate)
    if not events:
        raise click.ClickException(f"no change set asserted a statement about <{iri}>")
    if as_json:
        click.echo(json.dumps([asdict(e) for e in events], indent=2, ensure_ascii=False))
        return
    index = index_for(archive)
    for i, e in enumerate(events):
        if i == 0 or e.statement != events[i - 1].statement:
            click.echo(e.statement)
        verb = "asserted" if e.asserted else "retracted"
        click.echo(f"    r{e.revision}  {e.time}  {verb} by {e.agent}")
        if i == len(events) - 1 or events[i + 1].statement != e.statement:
            spans = index.versions(index.statement(e.statement))
            held = ", ".join(f"r{a}–{'now' if b is None else f'r{b}'}" for a, b in spans)
            click.echo(f"    held in {held or 'no revision'}")


@main.command("history-index")
@data_dir_option
@click.option("--rebuild", is_flag=True, help="Empty the index and rebuild it from the journal.")
@user_errors
def history_index(data_dir: Path | None, rebuild: bool) -> None:
    """Bring the history index (history.sqlite, derived from the journal) level with the
    journal, or rebuild it; say how far it reaches and its size."""
    import time

    from .versions import HistoryIndex

    archive = open_for_history(settings_for(data_dir))
    started = time.perf_counter()
    index = HistoryIndex.for_journal(archive.journal, archive.minter)
    if rebuild:
        index.rebuild()
    else:
        index.sync()
    click.echo(
        f"history index {'rebuilt from' if rebuild else 'level with'} the journal at revision "
        f"{index.revision} in "
        f"{time.perf_counter() - started:.1f} s: {index.size()} bytes"
    )


@main.command()
@data_dir_option
@click.option(
    "--format",
    "fmt",
    default="trig",
    type=click.Choice(["trig", "nquads", "turtle", "ntriples", "jsonld", "rdfxml"]),
)
@click.option("--revision", type=int, default=None, help="Export the archive as of this revision.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@user_errors
def export(data_dir: Path | None, fmt: str, revision: int | None, output: Path | None) -> None:
    """Dump the archive (change-set graphs kept in TriG, N-Quads and JSON-LD)."""
    from .export import export as do_export

    archive = (
        open_archive(data_dir) if revision is None else open_for_history(settings_for(data_dir))
    )
    data = do_export(archive, by_name(fmt), revision)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@data_dir_option
@user_errors
def verify(data_dir: Path | None) -> None:
    """Check the hash chain and that the store equals a replay of the journal. Changes nothing:
    any damage, a torn tail included, is reported (record, byte offset) with exit status 1."""
    with progress_bar("opening archive") as update:
        archive = Archive.open(
            settings_for(data_dir), initialise=False, readonly=True, progress=update
        )
    with progress_bar("replaying journal", archive.revision) as update:
        report = archive.verify(progress=update)
    for problem in report.problems:
        click.echo(f"FAIL {problem}", err=True)
    for line in report.missing[:20]:
        click.echo(f"missing from store: {line}", err=True)
    for line in report.unexpected[:20]:
        click.echo(f"not in journal: {line}", err=True)
    if not report.ok:
        raise click.ClickException(
            f"verify failed at revision {report.revision}: {len(report.problems)} problem(s), "
            f"{len(report.missing)} missing and {len(report.unexpected)} unexpected quads"
        )
    click.echo(
        f"ok: {report.records_checked} change sets, hash chain intact; store holds "
        f"{report.store_quads} quads, equal to a replay of the journal"
    )


@main.command()
@data_dir_option
@user_errors
def repair(data_dir: Path | None) -> None:
    """Cut a torn tail off the journal: a write cut short by a crash, never acknowledged. A copy
    of the whole journal is kept first. Any other damage is refused: nothing is cut."""
    from .journal import Journal

    journal = Journal(settings_for(data_dir).data_path)
    done = journal.repair()
    if done.backup is None:
        click.echo(f"nothing to repair: the journal ends with record {done.revision}, complete")
        return
    dropped = (
        f", among them {len(done.dropped)} complete record(s) of a batch that was never finished"
        if done.dropped
        else ""
    )
    click.echo(
        f"cut {done.cut_bytes} bytes at byte {done.cut_at}{dropped}: a write never "
        f"acknowledged. The journal holds {done.revision} change sets; the whole journal as it "
        f"was is kept in {done.backup}"
    )


@main.group()
def report() -> None:
    """Reports on the archive's content."""


@report.command("claims")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def report_claims(data_dir: Path | None, as_json: bool) -> None:
    """Each count a source claims, beside the records the archive itemises for it."""
    from dataclasses import asdict

    from .reconcile import claims_versus_records, criteria

    found = claims_versus_records(open_archive(data_dir))
    if as_json:
        click.echo(json.dumps([asdict(r) for r in found], indent=2, ensure_ascii=False))
        return
    source = None
    for r in found:
        if r.source_title != source:
            source = r.source_title
            click.echo(f"\n{source}")
            click.echo(f"  {'category':<34} {'claimed':>9} {'itemised':>9} {'in archive':>10}")
        itemised = "—" if r.counted_class is None else str(r.citing)
        in_archive = "—" if r.counted_class is None else str(r.in_archive)
        click.echo(f"  {r.category:<34} {r.claimed:>9} {itemised:>9} {in_archive:>10}")
    click.echo(
        "\nitemised: records of the counted class citing that source; in archive: whatever "
        "their source; —: nothing to itemise.\nCriteria: " + criteria()
    )


@report.command("implementation")
@data_dir_option
@click.option("--lang", default="en", show_default=True, help="Language of the labels.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def report_implementation(data_dir: Path | None, lang: str, as_json: bool) -> None:
    """Each provision's latest assessment per side (Pristina, Belgrade, EU, other), with its
    status, date and source, and whether the sides disagree."""
    from dataclasses import asdict

    from .implementation import by_provision

    found = by_provision(open_archive(data_dir), lang)
    if as_json:
        click.echo(json.dumps([asdict(a) for a in found], indent=2, ensure_ascii=False))
        return
    agreement = None
    for a in found:
        if a.agreement_label != agreement:
            agreement = a.agreement_label
            click.echo(f"\n{agreement}")
            click.echo(
                f"  {'provision':<10} {'side':<9} {'status':<22} {'date':<10} "
                f"{'disagree':<8} source"
            )
        where = a.number or f"¶{a.order}"
        flag = "yes" if a.disagreement else "no"
        source = "; ".join(a.source_labels)
        click.echo(
            f"  {where:<10} {a.side:<9} {a.status_label:<22} {a.when:<10} {flag:<8} {source}"
        )
    click.echo(
        "\nThe latest assessment of each side per provision (queries/implementation-by-provision"
        ".rq); disagree: the sides' latest statuses differ."
    )


@main.command()
@data_dir_option
@user_errors
def rebuild(data_dir: Path | None) -> None:
    """Rebuild the query store and the history index from the journal."""
    from .versions import HistoryIndex

    settings = settings_for(data_dir)
    if settings.store == "disk":
        import shutil

        shutil.rmtree(settings.data_path / "store", ignore_errors=True)
    archive = Archive.open(settings, initialise=False)
    with progress_bar("rebuilding", archive.revision) as update:
        revision = archive.rebuild(progress=update)
    click.echo(
        f"rebuilt the store from {revision} change sets: {len(archive.store.sorted_nquads())} quads"
    )
    HistoryIndex.for_journal(archive.journal, archive.minter).rebuild()
    click.echo(f"rebuilt the history index from {revision} change sets")


# `dialogue-kg analyse …` lives in dialogue_kg.analysis.command (it uses the helpers above).
from .analysis.command import analyse  # noqa: E402

main.add_command(analyse)
# -- accounts ------------------------------------------------------------------------------------


def _accounts(data_dir: Path | None):  # noqa: ANN202 - dialogue_kg.accounts.Accounts
    from .accounts import Accounts

    return Accounts.for_settings(settings_for(data_dir))


@main.group()
def users() -> None:
    """Archivists' and editors' accounts (kept in accounts.sqlite in the data directory)."""


@users.command("add")
@data_dir_option
@click.argument("username")
@click.option(
    "--role", type=click.Choice(["archivist", "editor"]), default="archivist", show_default=True
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@user_errors
def users_add(data_dir: Path | None, username: str, role: str, password_stdin: bool) -> None:
    """Create an account (the password is asked for, never echoed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _accounts(data_dir).add(username, password, role)
    click.echo(f"added {user.role} {user.username} ({user.agent_iri})")


@users.command("list")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def users_list(data_dir: Path | None, as_json: bool) -> None:
    """List the accounts."""
    found = _accounts(data_dir).list()
    if as_json:
        rows = [
            {"username": u.username, "role": u.role, "disabled": u.disabled, "agent": u.agent_iri}
            for u in found
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for u in found:
        click.echo(f"{u.username:<24} {u.role:<10} {'disabled' if u.disabled else 'active'}")


@users.command("set-role")
@data_dir_option
@click.argument("username")
@click.argument("role", type=click.Choice(["archivist", "editor"]))
@user_errors
def users_set_role(data_dir: Path | None, username: str, role: str) -> None:
    """Make USERNAME an archivist or an editor."""
    _accounts(data_dir).set_role(username, role)
    click.echo(f"{username} is now {role}")


@users.command("disable")
@data_dir_option
@click.argument("username")
@click.option("--enable", is_flag=True, help="Restore a disabled account instead.")
@user_errors
def users_disable(data_dir: Path | None, username: str, enable: bool) -> None:
    """Stop an account: its logins and API tokens are refused from now on."""
    _accounts(data_dir).disable(username, not enable)
    click.echo(f"{username} {'enabled' if enable else 'disabled'}")


@users.command("token")
@data_dir_option
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@user_errors
def users_token(data_dir: Path | None, username: str, name: str) -> None:
    """Create an API token for USERNAME and print it (once: only its hash is kept)."""
    click.echo(_accounts(data_dir).create_token(username, name))


# -- archivists' desk: bulk import and audit ----------------------------------------------------


@main.group("import")
def import_() -> None:
    """Bulk imports from templates (see docs/bulk-import.md)."""


@import_.command("meetings")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agent", required=True, help="Who is recording this (user name or IRI).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Report problems as JSON.")
@shacl_engine_option
@user_errors
def import_meetings(
    data_dir: Path | None,
    file: Path,
    agent: str,
    dry_run: bool,
    as_json: bool,
    shacl_engine: str | None,
) -> None:
    """Import meetings from a CSV or YAML FILE: all rows or none."""
    from . import bulk

    archive = open_archive(data_dir, shacl_engine=shacl_engine)
    kind = bulk.kind_of(None, file.name)
    rows = len(bulk.read_rows(file.read_bytes(), kind))
    bar = tqdm(total=rows, desc="checking", unit=" rows", file=sys.stderr, leave=False)
    with bar:
        plan = bulk.plan_meetings(
            archive, file.read_bytes(), kind, progress=lambda n: bar.update(1)
        )
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in plan.problems], indent=2, ensure_ascii=False))
    else:
        for problem in plan.problems:
            click.echo(str(problem), err=True)
    if plan.problems:
        raise click.ClickException(
            f"{len(plan.problems)} problem(s) in {len(plan.rows)} row(s); nothing was written"
        )
    if dry_run:
        click.echo(
            f"dry run: {len(plan.rows)} meeting(s), {plan.statements} statements, no problems; "
            "nothing was written"
        )
        return
    records = bulk.apply(archive, plan, agent=agent)
    click.echo(
        f"imported {len(records)} meeting(s) as change sets {records[0].revision}–"
        f"{records[-1].revision}"
    )


@main.command()
@data_dir_option
@click.option("--archivist", default=None, help="Only change sets by this user (name or IRI).")
@click.option("--since", default=None, help="From this date (YYYY-MM-DD), inclusive.")
@click.option("--until", default=None, help="Up to this date (YYYY-MM-DD), inclusive.")
@click.option("--resource", default=None, help="Only change sets touching this IRI.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def audit(
    data_dir: Path | None,
    archivist: str | None,
    since: str | None,
    until: str | None,
    resource: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Recent change sets (newest first): who, when, source, how many statements."""
    from .audit import Filters, changes

    archive = open_for_history(settings_for(data_dir))
    found = changes(archive, Filters(archivist, since, until, resource, limit))
    if as_json:
        click.echo(json.dumps([e.as_dict() for e in found], indent=2, ensure_ascii=False))
        return
    for e in found:
        source = ", ".join(e.sources) or "—"
        click.echo(
            f"{e.revision:>6}  {e.time[:19]}  {e.archivist:<16} +{e.added} -{e.removed}  "
            f"{source}  {e.comment or ''}".rstrip()
        )
