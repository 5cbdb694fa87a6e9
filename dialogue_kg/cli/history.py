"""The archive's past: history, diff, versions, blame, the history index and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dialogue_kg.cli.common import (
    _query_text,
    _row_text,
    data_dir_option,
    settings_for,
    user_errors,
)
from dialogue_kg.core.guard import check_for
from dialogue_kg.core.versions import index_for, open_for_history


@click.command()
@data_dir_option
@click.argument("iri", required=False)
@click.option("--revision", type=int, default=None, help="Stop at this revision.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def history(data_dir: Path | None, iri: str | None, revision: int | None, as_json: bool) -> None:
    """List change sets, or the history of the resource IRI (who, when, source, what changed)."""
    from dialogue_kg.core.history import changes, resource_history

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


@click.command()
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
    from dialogue_kg.core.history import diff as compute_diff

    archive = open_for_history(settings_for(data_dir))
    if file is not None or expression is not None:
        text = _query_text(file, expression)
        check_for(archive.settings, text)
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


@click.command()
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
    check_for(archive.settings, text)
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


@click.command()
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


@click.command("history-index")
@data_dir_option
@click.option("--rebuild", is_flag=True, help="Empty the index and rebuild it from the journal.")
@user_errors
def history_index(data_dir: Path | None, rebuild: bool) -> None:
    """Bring the history index (history.sqlite, derived from the journal) level with the
    journal, or rebuild it; say how far it reaches and its size."""
    import time

    from dialogue_kg.core.versions import HistoryIndex

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


@click.command()
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
    from dialogue_kg.write.audit import Filters, changes

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
