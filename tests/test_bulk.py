"""Bulk import of meetings: every problem reported at once; all rows or none written."""

from __future__ import annotations

import csv
import io
import itertools
import json

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import SH, XSD

from dialogue_kg.cli import main
from dialogue_kg.core.journal import ConflictError
from dialogue_kg.namespaces import DKG, DKGSH
from dialogue_kg.write import bulk
from dialogue_kg.write.recording import fields as fields_module
from dialogue_kg.write.recording.fields import Ontology

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


# -- the form's fields are the columns ------------------------------------------------------------


def test_form_keys_and_template_columns_fill_the_same_fields(small):
    """A file written with the form's keys makes the same statements as one in the old template."""
    old = (
        "label,label_sq,date,level,round,participants,outcome_en,source,source_locator\n"
        "Sixth round,Raundi i gjashtë,2011-07,High level,6,Ana Example,Agreed,"
        "https://w3id.org/dialogue-kg/id/source/test-doc,p. 2\n"
    )
    new = (
        "label@en,label@sq,yearMonth,meetingLevel,roundNumber,participant,outcome,_source,"
        "sourceLocator\n"
        "Sixth round,Raundi i gjashtë,2011-07,https://w3id.org/dialogue-kg/ontology#HighLevel,6,"
        "Ana Example [id/person/ana],Agreed,Test document [id/source/test-doc],p. 2\n"
    )
    plans = [bulk.plan_meetings(small, text.encode(), "csv") for text in (old, new)]
    assert [p.problems for p in plans] == [[], []]
    old_added, new_added = ({str(t) for t in p.changesets[0].added} for p in plans)
    assert old_added == new_added
    assert f"<{DKG.year}>" in " ".join(old_added)  # the year, from the month


def test_a_new_property_in_the_shapes_is_importable_with_no_code(small, monkeypatch):
    onto = Ontology()
    shape = URIRef(str(DKGSH) + "Meeting-venueNote")
    onto.shapes.add((DKGSH.MeetingShape, SH.property, shape))
    onto.shapes.add((shape, SH.path, DKG.venueNote))
    onto.shapes.add((shape, SH.name, Literal("Venue note", lang="en")))
    onto.shapes.add((shape, SH.datatype, XSD.string))
    monkeypatch.setattr(Ontology, "_instance", onto)
    fields_module.form_spec.cache_clear()
    text = HEADER.strip() + ",venueNote\n" + GOOD.splitlines()[1] + ",In the Justus Lipsius\n"
    try:
        plan = bulk.plan_meetings(small, text.encode(), "csv")
        assert plan.problems == []
        bulk.apply(small, plan, agent="ana")
    finally:
        monkeypatch.undo()
        fields_module.form_spec.cache_clear()
    meeting = ID + "meeting/second-round-2011-04-15"
    assert small.query(f'ASK {{ <{meeting}> <{DKG.venueNote}> "In the Justus Lipsius" }}')
    # Without the shape the column is unknown again: the file's columns are the form's fields.
    again = bulk.plan_meetings(small, text.replace("Second", "Other").encode(), "csv")
    assert [(p.row, p.column) for p in again.problems] == [(1, "venueNote")]


def test_rows_sharing_a_new_source_describe_it_once_and_clashing_rows_are_refused(small):
    text = HEADER + GOOD.splitlines()[1] + "\n" + GOOD.splitlines()[1] + "\n"
    plan = bulk.plan_meetings(small, text.encode(), "csv")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "id")]
    assert "row 1 already makes" in plan.problems[0].message


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("{a: 1}", "not a mapping"),
        ("[[1]]", "not a mapping or nested list"),
        ('"\\ud800"', "lone surrogate"),
    ],
)
def test_cells_that_are_no_text_are_problems_of_their_cell(small, cell, message):
    text = f"- label: Odd round\n  date: 2011-04-15\n  source: {TEST}\n  note: {cell}\n"
    plan = bulk.plan_meetings(small, text.encode(), "yaml")
    assert [(p.row, p.column) for p in plan.problems] == [(1, "note")]
    assert message in plan.problems[0].message


def test_huge_cells_are_refused_with_their_row(small):
    huge = "x" * (bulk.MAX_CELL + 1)
    with pytest.raises(bulk.BulkError, match="row 2"):
        bulk.plan_meetings(small, _csv([_row("One"), _row("Two", huge)]), "csv")
    plan = bulk.plan_meetings(small, _yaml([_row("One", huge)]), "yaml")
    assert [(p.row, p.column) for p in plan.problems] == [(1, "note")]
    assert "longer than 131,072 characters" in plan.problems[0].message
    fits = _row("Three", "y" * bulk.MAX_CELL)
    plan = bulk.plan_meetings(small, _csv([fits]), "csv")
    assert plan.problems == []
    bulk.apply(small, plan, agent="ana")
    assert _read_back(small, ID + "meeting/" + fits["id"]) == ("Three", fits["note"])


# -- hostile cells: refused with their row and column, or read back exactly -----------------------

TEST = "https://w3id.org/dialogue-kg/id/source/test-doc"
_serial = itertools.count()


def _row(label: str, note: str = "", **more: str) -> dict[str, str]:
    return {"id": f"hostile-{next(_serial)}", "label": label, "date": "2011-04-15", "note": note,
            "source": TEST, **more}  # fmt: skip


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _yaml(rows: list[dict[str, str]]) -> bytes:
    return yaml.safe_dump({"meetings": rows}, allow_unicode=True).encode()


def _read_back(archive, iri: str) -> tuple[str, str]:
    """The English label and the note of ``iri``, as the store holds them."""
    row = next(
        iter(
            archive.query(
                "SELECT ?l ?n WHERE { "
                f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l . "
                f"OPTIONAL {{ <{iri}> <{DKG.note}> ?n }} }}"
            )
        )
    )
    return row["l"].value, row["n"].value if row["n"] else ""


HOSTILE = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["\x00", "\r\n", "\u2028", "\ufeff", '"', "a,b;c", "<b>x</b>", "\\u0000", " ", "\x1b[31m"]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    label=HOSTILE,
    note=HOSTILE,
    other=HOSTILE,
    column=st.sampled_from(
        ["participants", "level", "date", "round", "place", "outcome_sq", "source", "id"]
    ),
    form=st.sampled_from(["csv", "yaml"]),
)
def test_hostile_cells_are_refused_with_row_and_column_or_read_back_exactly(
    small, label, note, other, column, form
):
    journal = small.journal.path.read_bytes()
    row = _row(label, note)
    row[column] = other if column != "date" else other or "2011"
    data = _csv([row]) if form == "csv" else _yaml([row])
    plan = bulk.plan_meetings(small, data, form)
    for p in plan.problems:
        assert p.row == 1 and p.column in row and p.message, p
    if not label.strip():
        assert (1, "label") in {(p.row, p.column) for p in plan.problems}
    event("refused" if plan.problems else "written")
    if plan.problems:
        assert small.journal.path.read_bytes() == journal
        return
    (record,) = bulk.apply(small, plan, agent="ana")
    assert small.verify().ok
    meeting = small.minter.resource("meeting", row["id"].strip() or "x")
    assert plan.drafts[0].iri == meeting or not row["id"].strip()
    meeting = plan.drafts[0].iri
    assert _read_back(small, meeting) == (label.strip(), note.strip())


def test_plain_text_cells_always_pass(small):
    """Text columns take any text: only references, choices and typed values can be refused."""
    plan = bulk.plan_meetings(small, _csv([_row("\x00\x1f\u202e ok", "\r\n\x7f")]), "csv")
    assert plan.problems == []


def test_a_write_between_check_and_import_refuses_the_import(small):
    plan = bulk.plan_meetings(small, GOOD.encode(), "csv")
    other = bulk.plan_meetings(small, _csv([_row("Elsewhere")]), "csv")
    bulk.apply(small, other, agent="boris")
    journal = small.journal.path.read_bytes()
    with pytest.raises(ConflictError):
        bulk.apply(small, plan, agent="ana")
    assert small.journal.path.read_bytes() == journal
