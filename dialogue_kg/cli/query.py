"""``dialogue-kg query``: SPARQL on the archive, now or as of a revision."""

from __future__ import annotations

from pathlib import Path

import click

from dialogue_kg.cli.common import (
    _query_text,
    data_dir_option,
    open_current,
    settings_for,
    user_errors,
)
from dialogue_kg.core.formats import by_name
from dialogue_kg.core.guard import check_for
from dialogue_kg.core.versions import index_for, open_for_history, parse_datetime
from dialogue_kg.protocol.results import is_graph_result, serialize, table


@click.command()
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
        archive = open_current(data_dir)
        store = archive.store
    check_for(archive.settings, text)
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
