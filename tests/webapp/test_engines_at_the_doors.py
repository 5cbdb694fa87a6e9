"""Every write door tells the user the same thing whichever SHACL engine judges: rudof (the
default) and pySHACL (the reference) give the same API 422 bodies (POST, SPARQL Update, revert,
bulk import), the same messages beside a form's fields and the same command-line lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dialogue_kg.cli import main
from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from webapp import create_app

from ..conftest import DATA, TEST_SOURCE
from ..helpers.accounts import add_user, csrf_token, login, token_headers

ID = "https://w3id.org/dialogue-kg/id/"
CY = ID + "person/cy"
# A person written the ways a script gets it wrong: a label without a language (with backslashes
# that are not escapes), a source that is text, two flags, one of them "1" rather than "true".
STATEMENTS = f"""<{CY}> a dkg:Person ; rdfs:label "C:\\\\new\\\\table" ; dkg:source "not a link" ;
    rdfs:comment "1"^^xsd:boolean ; dkg:unverified "1"^^xsd:boolean , "false"^^xsd:boolean ."""
NAMESPACES = {
    "dkg": "https://w3id.org/dialogue-kg/ontology#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
BAD = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in NAMESPACES.items()) + STATEMENTS
INSERT = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in NAMESPACES.items()) + (
    f"INSERT DATA {{ {STATEMENTS} }}"
)
CSV = "label,date,participants,round,source_url,source_title\nSecond round,2011-04-15,Ana Example,0,https://example.org/p/1,Press one\n"  # noqa: E501
MEETING = {
    "label@en": "Fifth round",
    "date": "2011-07-02",
    "roundNumber": "0",
    "participant": "Ana Example [id/person/ana]",
    "_source": "",
}


def doors(tmp: Path, engine: str) -> dict[str, object]:
    """What each write door answers to broken input, on a fresh small archive judged by
    ``engine``."""
    (tmp / "gd").mkdir(parents=True)
    settings = Settings.from_env(
        {},
        data_dir=str(tmp / "data"),
        graph_data_dir=str(tmp / "gd"),
        query_workers=0,
        shacl_engine=engine,
    )
    out: dict[str, object] = {}
    with Archive.open(settings) as archive:
        archive.load(DATA / "small.trig", agent="tester")
        client = create_app({"TESTING": True}, archive=archive).test_client()
        ana, ed = token_headers(settings, "ana"), token_headers(settings, "ed", "editor")
        turtle = {**ana, "Content-Type": "text/turtle"}

        def answer(response) -> tuple[int, object]:  # noqa: ANN001 - a Flask test response
            return response.status_code, response.get_json()

        out["post"] = answer(
            client.post(f"/api/changesets?source={TEST_SOURCE}", data=BAD, headers=turtle)
        )
        out["update"] = answer(
            client.post("/sparql", data={"update": INSERT, "source": TEST_SOURCE}, headers=ana)
        )
        # A revert that takes away the only date a meeting has left: its month, added by one
        # change set, after a later one removed its day and year.
        meeting = f"<{ID}meeting/first-round>"
        dkg = NAMESPACES["dkg"]
        month = f'{meeting} <{dkg}yearMonth> "2011-03"^^<{NAMESPACES["xsd"]}gYearMonth> .'
        added = client.post(f"/api/changesets?source={TEST_SOURCE}", data=month, headers=turtle)
        dropped = client.post(
            "/sparql",
            data={
                "update": f"DELETE WHERE {{ {meeting} <{dkg}date> ?d ; <{dkg}year> ?y }}",
                "source": TEST_SOURCE,
            },
            headers=ana,
        )
        assert (added.status_code, dropped.status_code) == (201, 201)
        revision = added.get_json()["revision"]
        out["revert"] = answer(client.post(f"/api/changesets/{revision}/revert", headers=ed))
        out["import"] = answer(
            client.post(
                "/api/import/meetings", data=CSV, headers={**ana, "Content-Type": "text/csv"}
            )
        )
        add_user(settings, "bo", "correct horse battery", "archivist")
        login(client, "bo", "correct horse battery")
        token = csrf_token(client, "/record/meeting")
        form = client.post("/record/meeting", data={**MEETING, "csrf_token": token})
        page = form.get_data(as_text=True)
        out["form"] = (
            form.status_code,
            re.findall(r'<p class="field-error" role="alert">(.*?)</p>', page),
            page[page.index('id="problems"') :].split("</div>")[0],
        )
    bad = tmp / "bad.ttl"
    bad.write_text(BAD, encoding="utf-8")
    runner = CliRunner()
    for command in ("validate", "load"):
        extra = ["--agent", "tester", "--source", TEST_SOURCE] if command == "load" else []
        result = runner.invoke(main, [command, str(bad), "--data-dir", settings.data_dir, *extra])
        out[command] = (result.exit_code, result.output)
    return out


@pytest.mark.parametrize("door", ["post", "update", "revert", "import"])
def test_the_api_doors_refuse_in_the_same_words(answers: dict, door: str) -> None:
    rudof, pyshacl = answers["rudof"][door], answers["pyshacl"][door]
    assert rudof == pyshacl
    status, body = rudof
    assert status == 422
    assert body.get("violations") or body.get("problems")


def test_the_api_shows_values_as_written(answers: dict) -> None:
    values = {v["value"] for v in answers["rudof"]["post"][1]["violations"]}
    assert {"C:\\new\\table", "not a link", "1"} <= values


def test_the_form_shows_the_same_messages_beside_its_fields(answers: dict) -> None:
    assert answers["rudof"]["form"] == answers["pyshacl"]["form"]
    status, beside, summary = answers["rudof"]["form"]
    assert status == 422
    assert any("source" in text for text in beside)
    assert any("round number" in text.lower() for text in beside), beside
    assert "round number" in summary.lower()


@pytest.mark.parametrize("command", ["validate", "load"])
def test_the_command_line_prints_the_same_lines(answers: dict, command: str) -> None:
    assert answers["rudof"][command] == answers["pyshacl"][command]
    code, output = answers["rudof"][command]
    assert code == 1 and "id:person/cy" in output and "(value: C:\\new\\table)" in output
    assert "nothing was written" in output


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    return {e: doors(tmp_path_factory.mktemp(e), e) for e in ("rudof", "pyshacl")}
