"""Commands on the record itself: load, validate, export, verify, repair, rebuild."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dialogue_kg.cli.common import (
    data_dir_option,
    open_archive,
    open_current,
    progress_bar,
    settings_for,
    shacl_engine_option,
    user_errors,
)
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import read_changesets
from dialogue_kg.core.formats import by_name
from dialogue_kg.core.validation import ValidationError
from dialogue_kg.core.versions import open_for_history


@click.command()
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


@click.command()
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
    from dialogue_kg.core.changeset import ChangeSet

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


@click.command()
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
    from dialogue_kg.read.export import export as do_export

    archive = (
        open_current(data_dir) if revision is None else open_for_history(settings_for(data_dir))
    )
    data = do_export(archive, by_name(fmt), revision)
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(data)} bytes to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


@click.command()
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


@click.command()
@data_dir_option
@user_errors
def repair(data_dir: Path | None) -> None:
    """Cut a torn tail off the journal: a write cut short by a crash, never acknowledged. A copy
    of the whole journal is kept first. Any other damage is refused: nothing is cut."""
    from dialogue_kg.core.journal import Journal

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


@click.command()
@data_dir_option
@user_errors
def rebuild(data_dir: Path | None) -> None:
    """Rebuild the query store and the history index from the journal."""
    from dialogue_kg.core.versions import HistoryIndex

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
