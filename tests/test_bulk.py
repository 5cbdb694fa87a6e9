"""Bulk import of meetings: every problem reported at once; all rows or none written."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dialogue_kg import bulk
from dialogue_kg.cli import main

ID = "https://w3id.org/dialogue-kg/id/"
HEADER = (
    "label,date,end_date,place,level,participants,reached,outcome_en,outcome_sq,"
    "source_url,source_title\n"
)
GOOD = (
    HEADER
    + "Second round,2011-04-15,2011-04-16,,technical,Ana Example; Boris Example,Alpha agreement,"
    '"Agreed on <b>x</b>",U dakordua,https://example.org/press/1,Press statement one\n'
    + "Third round,2011-05,,,high-level,https://w3id.org/dialogue-kg/id/person/ana,,,,"
    "https://example.org/press/1,Press statement one\n"
)
BAD = (
    HEADER
    + "Fourth round,2011-13-45,,,sideways,Nobody Known,,,,,\n"
    + ",,,,,,,,,,\n"
    + "Fifth round,2011-06-01,2011-05-01,,,,Alpha agreement,,,not a web address,Title\n"
)


def test_plan_good_csv(small):
    plan = bulk.plan_meetings(small, GOOD.encode(), "csv")
    assert plan.problems == []
    assert len(plan.changesets) == 2
    # The new source is described once, in the first row's change set.
    sources = [
        t
        for cs in plan.changesets
        for t in cs.added
        if t.subject.value.endswith("press-statement-one")
    ]
    assert len({str(t) for t in sources}) == len(sources) > 0


def test_apply_is_one_batch(small):
    before = small.revision
    plan = bulk.plan_meetings(small, GOOD.encode(), "csv")
    records = bulk.apply(small, plan, agent="ana")
    assert [r.revision for r in records] == [before + 1, before + 2]
    assert all(r.batch is not None for r in records)
    meeting = ID + "meeting/second-round-2011-04-15"
    rows = list(small.query(f"SELECT ?p ?o WHERE {{ <{meeting}> ?p ?o }}"))
    props = {r["p"].value.rsplit("#", 1)[-1] for r in rows}
    assert {"date", "endDate", "year", "participant", "reached", "outcome", "source"} <= props
    assert any(r["o"].value == "Agreed on <b>x</b>" for r in rows)
    assert small.verify().ok


def test_every_problem_reported_with_row_and_column(small):
    plan = bulk.plan_meetings(small, BAD.encode(), "csv")
    found = {(p.row, p.column) for p in plan.problems}
    assert {
        (1, "date"),
        (1, "level"),
        (1, "participants"),
        (1, "source"),
        (2, "label"),
        (2, "date"),
        (3, "date"),  # after its end date (the shapes' sh:lessThanOrEquals)
        (3, "source_url"),
    } <= found


def test_shacl_problems_mapped_to_rows(small):
    text = (
        HEADER
        + "Odd round,2011-04-15,,,,https://w3id.org/dialogue-kg/id/person/nobody,,,,https://example.org/p,P\n"
    )
    plan = bulk.plan_meetings(small, text.encode(), "csv")
    assert [(p.row, p.column) for p in plan.problems] == [(1, "participants")]
    assert "Class" in plan.problems[0].message


def test_existing_meeting_refused(small):
    plan = bulk.plan_meetings(small, GOOD.encode(), "csv")
    bulk.apply(small, plan, agent="ana")
    again = bulk.plan_meetings(small, GOOD.encode(), "csv")
    assert {(p.row, p.column) for p in again.problems} == {(1, "id"), (2, "id")}


def test_yaml_template(small):
    text = """
meetings:
  - label: Second round
    date: 2011-04-15
    participants: [Ana Example, Boris Example]
    source_title: Press statement one
    source_url: https://example.org/press/1
"""
    plan = bulk.plan_meetings(small, text.encode(), "yaml")
    assert plan.problems == [] and len(plan.changesets) == 1


@pytest.mark.parametrize(
    ("data", "kind"), [(b"", "csv"), (b"- [unclosed", "yaml"), (b"just text", "yaml")]
)
def test_unreadable_files(small, data, kind):
    with pytest.raises(bulk.BulkError):
        bulk.plan_meetings(small, data, kind)


def test_cli_dry_run_and_apply(small, tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(small.settings.data_path)]
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(BAD)
    journal = small.journal.path.read_bytes()
    env = {"DKG_GRAPH_DATA": small.settings.graph_data_dir}
    failed = runner.invoke(
        main, ["import", "meetings", *data, str(bad), "--agent", "ana", "--json"], env=env
    )
    assert failed.exit_code == 1
    problems = json.loads(failed.stdout)
    assert len(problems) >= 8 and {"row", "column", "message"} == set(problems[0])
    dry = runner.invoke(
        main, ["import", "meetings", *data, str(good), "--agent", "ana", "--dry-run"], env=env
    )
    assert dry.exit_code == 0 and "nothing was written" in dry.output
    assert small.journal.path.read_bytes() == journal
    done = runner.invoke(main, ["import", "meetings", *data, str(good), "--agent", "ana"], env=env)
    assert done.exit_code == 0, done.output
    assert "imported 2 meeting(s)" in done.output
    audit = runner.invoke(main, ["audit", *data, "--archivist", "ana", "--json"], env=env)
    assert [e["comment"] for e in json.loads(audit.stdout)] == [
        "Bulk import: Third round",
        "Bulk import: Second round",
    ]
