"""``dialogue-kg report``: the claims and implementation reports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dialogue_kg.cli.common import data_dir_option, open_current, user_errors


@click.group()
def report() -> None:
    """Reports on the archive's content."""


@report.command("claims")
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@user_errors
def report_claims(data_dir: Path | None, as_json: bool) -> None:
    """Each count a source claims, beside the records the archive itemises for it."""
    from dataclasses import asdict

    from dialogue_kg.read.reconcile import claims_versus_records, criteria

    found = claims_versus_records(open_current(data_dir))
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

    from dialogue_kg.read.implementation import by_provision

    found = by_provision(open_current(data_dir), lang)
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
