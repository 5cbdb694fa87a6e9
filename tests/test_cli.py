"""The command line, as a person uses it: every command, and one clear line for mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dialogue_kg.cli import main

from .conftest import DATA, TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"


@pytest.fixture
def run(settings, monkeypatch: pytest.MonkeyPatch):
    """Invoke the CLI on the test data directory; return the result."""
    monkeypatch.setenv("DKG_GRAPH_DATA", settings.graph_data_dir)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, [args[0], "--data-dir", settings.data_dir, *args[1:]])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.fixture
def loaded(run):
    run("load", str(DATA / "small.trig"), "--agent", "tester")
    return run


def test_load_reports_what_it_wrote(run) -> None:
    result = run("load", str(DATA / "small.trig"), "--agent", "tester", "--comment", "test")
    assert "as 2 change set(s), revisions 2–3" in result.output


def test_query_formats(loaded) -> None:
    q = f"SELECT ?l WHERE {{ <{ID}person/ana> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    assert "Ana Example" in loaded("query", "-e", q).output
    data = json.loads(loaded("query", "-e", q, "--format", "json").output)
    assert data["results"]["bindings"][0]["l"]["value"] == "Ana Example"
    assert loaded("query", "-e", q, "--format", "csv").output.splitlines() == ["l", "Ana Example"]
    turtle = loaded("query", "-e", f"DESCRIBE <{ID}person/ana>").output
    assert "Ana Example" in turtle


def test_query_from_file_and_as_of_revision(loaded, tmp_path: Path) -> None:
    rq = tmp_path / "count.rq"
    rq.write_text(f"ASK {{ <{ID}person/ana> ?p ?o }}")
    assert loaded("query", str(rq)).output.strip() == "true"
    assert loaded("query", str(rq), "--revision", "1").output.strip() == "false"


def test_query_parameters(loaded, tmp_path: Path) -> None:
    rq = tmp_path / "label.rq"
    rq.write_text(
        "# title: Label of a person\n"
        "# param: person — the person (default: Ana)\n"
        "SELECT ?l WHERE {\n"
        f"  VALUES ?person {{ <{ID}person/ana> }}\n"
        "  ?person <http://www.w3.org/2000/01/rdf-schema#label> ?l }\n"
    )
    assert loaded("query", str(rq), "--format", "csv").output.splitlines() == ["l", "Ana Example"]
    boris = loaded("query", str(rq), "--format", "csv", "--param", f"person={ID}person/boris")
    assert boris.output.splitlines() == ["l", "Boris Example"]
    angle = loaded("query", str(rq), "--format", "csv", "--param", f"person=<{ID}person/boris>")
    assert angle.output == boris.output
    for bad in ("persn=x", "person", "person=not an iri"):
        result = loaded("query", str(rq), "--param", bad, ok=False)
        assert result.exit_code == 1 and result.output.startswith("Error: "), result.output


def test_user_mistakes_are_one_line_without_traceback(loaded) -> None:
    cases = [
        ("query", "-e", "SELEC nothing"),
        ("query", "-e", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"),
        ("load", str(DATA / "malformed.ttl"), "--agent", "t", "--source", TEST_SOURCE),
        ("load", str(DATA / "invalid-shape.ttl"), "--agent", "t", "--source", TEST_SOURCE),
        ("load", str(DATA / "invalid-shape.ttl"), "--agent", "t"),
        ("diff", "1", "99"),
        ("history", "--revision", "2", f"{ID}nothing"),
    ]
    for args in cases:
        result = loaded(*args, ok=False)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output
        assert result.output.startswith("Error: "), (args, result.output)


def test_validate_file_and_archive(loaded) -> None:
    assert "valid" in loaded("validate", str(DATA / "small.trig")).output
    bad = loaded("validate", str(DATA / "invalid-shape.ttl"), ok=False)
    assert bad.exit_code == 1 and "agreement/unsourced" in bad.output
    assert loaded("validate").output.startswith("valid:")


@pytest.mark.parametrize("engine", ["pyshacl", "rudof"])
def test_either_shacl_engine_can_judge_a_load(run, engine: str) -> None:
    """Both engines accept the same data and reject the same broken record, in the same words."""
    ok = run("load", str(DATA / "small.trig"), "--agent", "tester", "--shacl-engine", engine)
    assert "as 2 change set(s)" in ok.output
    bad = run("validate", str(DATA / "invalid-shape.ttl"), "--shacl-engine", engine, ok=False)
    assert bad.exit_code == 1 and "agreement/unsourced" in bad.output
    assert "needs at least one source" in bad.output


def test_unknown_shacl_engine_is_one_clear_line(run, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = run("validate", str(DATA / "small.trig"), "--shacl-engine", "jena", ok=False)
    assert bad.exit_code == 2 and "'jena' is not one of" in bad.output
    monkeypatch.setenv("DKG_SHACL_ENGINE", "jena")
    bad = run("validate", str(DATA / "small.trig"), ok=False)
    assert bad.exit_code == 1 and bad.output.startswith("Error: unknown SHACL engine 'jena'")
    assert "Traceback" not in bad.output


def test_history_diff_export_verify_rebuild(loaded) -> None:
    history = loaded("history", f"{ID}person/ana").output
    assert "r3" in history and "agent/tester" in history and "+ <" in history
    assert "r1" in loaded("history").output
    diff = loaded("diff", "2", "3").output
    assert diff.count("\n+ ") + diff.startswith("+ ") > 10
    trig = loaded("export", "--format", "trig").output
    assert "changeset/3" in trig
    old = loaded("export", "--format", "nquads", "--revision", "1").output
    assert "person/ana" not in old
    assert loaded("verify").output.startswith("ok: 3 change sets")
    assert "rebuilt the store from 3 change sets" in loaded("rebuild").output


def test_verify_fails_loudly_on_a_tampered_journal(loaded, settings) -> None:
    journal = Path(settings.data_dir) / "journal.rdfp"
    journal.write_bytes(journal.read_bytes().replace(b"Ana Example", b"Ana Exampel"))
    result = loaded("verify", ok=False)
    assert result.exit_code == 1 and "digest mismatch" in result.output


def test_users_commands(tmp_path):
    from click.testing import CliRunner

    from dialogue_kg.cli import main
    from dialogue_kg.config import Settings
    from dialogue_kg.write.accounts import Accounts

    runner = CliRunner()
    data = str(tmp_path / "d")
    add = runner.invoke(
        main,
        ["users", "add", "--data-dir", data, "ana", "--password-stdin"],
        input="correct horse\n",
    )
    assert add.exit_code == 0, add.output
    assert "correct horse" not in add.output
    prompted = runner.invoke(
        main,
        ["users", "add", "--data-dir", data, "bo", "--role", "editor"],
        input="long password\nlong password\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "long password" not in prompted.output
    weak = runner.invoke(
        main, ["users", "add", "--data-dir", data, "cy", "--password-stdin"], input="x\n"
    )
    assert weak.exit_code == 1 and "at least" in weak.output
    assert (
        runner.invoke(main, ["users", "set-role", "--data-dir", data, "ana", "editor"]).exit_code
        == 0
    )
    assert runner.invoke(main, ["users", "disable", "--data-dir", data, "bo"]).exit_code == 0
    listed = runner.invoke(main, ["users", "list", "--data-dir", data])
    assert "ana" in listed.output and "disabled" in listed.output
    token = runner.invoke(main, ["users", "token", "--data-dir", data, "ana"]).output.strip()
    accounts = Accounts.for_settings(Settings.from_env({}, data_dir=data))
    assert accounts.user_for_token(token).role == "editor"
    assert accounts.authenticate("bo", "long password") is None
    unknown = runner.invoke(main, ["users", "set-role", "--data-dir", data, "zed", "editor"])
    assert unknown.exit_code == 1 and "no user" in unknown.output


def test_only_the_error_family_becomes_a_one_line_message() -> None:
    from dialogue_kg.cli.common import user_errors
    from dialogue_kg.core.changeset import InputError

    def command(error: Exception) -> click.Command:
        @click.command()
        @user_errors
        def failing() -> None:
            raise error

        return failing

    mistake = CliRunner().invoke(command(InputError("data.ttl: syntax error at line 3")))
    assert mistake.exit_code == 1 and mistake.output == "Error: data.ttl: syntax error at line 3\n"
    missing = CliRunner().invoke(command(FileNotFoundError(2, "No such file", "x.ttl")))
    assert missing.exit_code == 1 and missing.output.startswith("Error: ")
    bug = CliRunner().invoke(command(ValueError("a bug")))
    assert (
        bug.exit_code == 1 and isinstance(bug.exception, ValueError) and "Error:" not in bug.output
    )
