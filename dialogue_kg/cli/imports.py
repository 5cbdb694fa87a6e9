"""``dialogue-kg import``: bulk imports from templates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from dialogue_kg.cli.common import data_dir_option, open_archive, shacl_engine_option, user_errors


@click.group("import")
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
    from dialogue_kg.write import bulk

    archive = open_archive(data_dir, shacl_engine=shacl_engine)
    kind = bulk.kind_of(None, file.name)
    bar = tqdm(desc="checking", unit=" rows", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    with bar:
        plan = bulk.plan_meetings(archive, file.read_bytes(), kind, progress=progress)
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
