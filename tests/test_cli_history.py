"""The command line's time travel: a query as of a revision or a time, diffs of statements and of
a query's answers, the revisions in which an answer held, blame, and the history index."""

from __future__ import annotations

import json
from pathlib import Path

from .test_cli import ID, loaded, run  # noqa: F401 - fixtures

ASK_ANA = f"ASK {{ <{ID}person/ana> ?p ?o }}"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _times(loaded) -> dict[int, str]:  # noqa: ANN001, F811
    return {c["revision"]: c["time"] for c in json.loads(loaded("history", "--json").output)}


def test_query_as_of_a_revision_and_a_time(loaded) -> None:  # noqa: F811
    assert loaded("query", "-e", ASK_ANA, "--revision", "1").output.strip() == "false"
    assert loaded("query", "-e", ASK_ANA, "--revision", "3").output.strip() == "true"
    times = _times(loaded)
    at = loaded("query", "-e", ASK_ANA, "--as-of", times[1]).output.strip()
    assert at == "false"
    assert loaded("query", "-e", ASK_ANA, "--as-of", times[3]).output.strip() == "true"
    assert loaded("query", "-e", ASK_ANA, "--as-of", "2001-01-01").output.strip() == "false"
    bad = loaded("query", "-e", ASK_ANA, "--as-of", "yesterday", ok=False)
    assert bad.exit_code == 1 and "not a date-time" in bad.output
    both = loaded("query", "-e", ASK_ANA, "--as-of", times[1], "--revision", "1", ok=False)
    assert both.exit_code == 2 and "not both" in both.output
    missing = loaded("query", "-e", ASK_ANA, "--revision", "9", ok=False)
    assert missing.exit_code == 1 and "no revision 9" in missing.output


def test_a_current_query_answers_from_the_index_as_the_store_does(loaded, settings) -> None:  # noqa: F811
    from dialogue_kg.core.archive import Archive

    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    shown = loaded("query", "-e", q, "--format", "csv").output
    with Archive.open(settings) as archive:
        store_rows = len(list(archive.query(q)))
    assert len(shown.splitlines()) == store_rows + 1


def test_diff_of_statements_and_of_a_querys_answers(loaded, tmp_path: Path) -> None:  # noqa: F811
    statements = loaded("diff", "2", "3").output
    assert f'+ <{ID}person/ana> {LABEL} "Ana Example"@en .' in statements.splitlines()
    rq = tmp_path / "labels.rq"
    rq.write_text(f"SELECT ?l WHERE {{ <{ID}person/ana> {LABEL} ?l }}")
    answers = loaded("diff", "1", "3", "--query", str(rq)).stdout.splitlines()
    assert answers == ['+ "Ana Example"@en']
    assert loaded("diff", "3", "1", "--query", str(rq)).stdout.splitlines() == [
        '- "Ana Example"@en'
    ]
    assert loaded("diff", "1", "3", "-e", ASK_ANA).output.strip() == "r1: false  r3: true"


def test_versions_of_an_answer_and_blame(loaded) -> None:  # noqa: F811
    lines = loaded("versions", "-e", ASK_ANA).output.splitlines()
    assert lines == ["r0–r2\tfalse", "r3–now\ttrue"]
    spans = json.loads(loaded("versions", "-e", ASK_ANA, "--json", "--to", "2").output)
    assert spans == [{"first": 0, "last": 2, "answer": False}]
    blamed = loaded("blame", f"{ID}person/ana", "--property", LABEL[1:-1]).output.splitlines()
    assert blamed[0] == f'<{ID}person/ana> {LABEL} "Ana Example"@en .'
    assert blamed[1].startswith("    r3  ") and "asserted by" in blamed[1]
    assert blamed[1].endswith("agent/tester")
    assert blamed[2] == "    held in r3–now"
    nothing = loaded("blame", f"{ID}person/nobody", ok=False)
    assert nothing.exit_code == 1 and "no change set asserted" in nothing.output


def test_the_history_index_rebuilds_and_is_rebuilt_when_lost(loaded, settings) -> None:  # noqa: F811
    done = loaded("history-index", "--rebuild").output
    assert done.startswith("history index rebuilt from the journal at revision 3 in")
    level = loaded("history-index").output
    assert level.startswith("history index level with the journal at revision 3")
    index = Path(settings.data_dir) / "history.sqlite"
    assert index.exists()
    index.unlink()
    assert loaded("query", "-e", ASK_ANA, "--revision", "3").output.strip() == "true"
    assert index.exists()
    assert loaded("verify").output.startswith("ok: 3 change sets")
    assert "rebuilt the history index from 3 change sets" in loaded("rebuild").output
