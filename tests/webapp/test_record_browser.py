"""The must-show: an archivist records a meeting in real headless Chromium, is told about the
missing source beside it, fixes it and saves; the meeting is then in SPARQL with its provenance
and in its history; an editor reverts it and it leaves the current state but stays in history."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from dialogue_kg.core.history import resource_history
from webapp import create_app

from ..helpers.accounts import add_user
from ..helpers.browser import open_page
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
ID = "https://w3id.org/dialogue-kg/id/"


@pytest.fixture
def app(small, settings):
    add_user(settings, "ana", PASSWORD, "archivist")
    add_user(settings, "eda", PASSWORD, "editor")
    return create_app({"TESTING": True}, archive=small)


@pytest.fixture
def live(app):
    with serve_app(app) as base:
        yield base


def log_in(page, base: str, username: str) -> None:  # noqa: ANN001
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("form.stacked button[type=submit]")
    assert "/login" not in page.url


def sparql(page, base: str, query: str) -> dict:  # noqa: ANN001
    response = page.request.get(
        f"{base}/sparql?query={quote(query)}", headers={"Accept": "application/sparql-results+json"}
    )
    assert response.ok, response.text()
    return json.loads(response.text())


def test_archivist_records_a_meeting_and_an_editor_reverts_it(
    chromium, app, live, small, tmp_path
) -> None:
    with open_page(chromium) as (page, watch):
        log_in(page, live, "ana")
        page.goto(live + "/record/meeting")
        page.fill('[name="label@en"]', "Sixth round of the technical dialogue")
        page.fill('[name="label@sq"]', "Raundi i gjashtë i dialogut teknik")
        page.fill('[name="date"]', "2011-09-02")
        page.fill('[name="endDate"]', "2011-09-03")
        page.select_option('[name="meetingLevel"]', label="Technical round")
        # An existing participant through the picker's suggestions.
        page.fill('[name="participant"]', "Ana")
        option = page.locator("#dl-participant option").first
        option.wait_for(state="attached", timeout=10000)
        suggestion = option.get_attribute("value")
        assert suggestion == "Ana Example [id/person/ana]"
        page.fill('[name="participant"]', suggestion)
        # Two new participants and a new sub-agreement, made inline.
        page.click('[data-add-row="participant"]')
        page.click('[data-add-row="participant"]')
        rows = page.locator("#rows-participant .new-row")
        assert rows.count() == 2
        rows.nth(0).locator('input[name$=".label@en"]').fill("Fatmir Example")
        rows.nth(1).locator('input[name$=".label@en"]').fill("Gordana Example")
        rows.nth(1).locator('input[name$=".label@sr-Latn"]').fill("Gordana Primer")
        page.click('[data-add-row="reached"]')
        sub = page.locator("#rows-reached .new-row").first
        sub.locator('input[name$=".label@en"]').fill("Alpha, customs stamps")
        sub.locator('input[name$=".partOf"]').fill("Alpha agreement [id/agreement/alpha]")
        page.fill('[name="outcome@en"]', "Agreement on customs stamps.")
        before = small.revision

        # Saved without a source: the SHACL result is shown beside the source block.
        with page.expect_navigation():
            page.click("#save")
        assert small.revision == before
        assert page.locator("#problems").is_visible()
        source_errors = page.locator("#field-source .field-error").all_inner_texts()
        assert any("A source is required" in t for t in source_errors)
        assert any("A meeting needs at least one source" in t for t in source_errors)
        # Everything typed is kept.
        assert page.input_value('[name="label@en"]') == "Sixth round of the technical dialogue"
        assert page.locator("#rows-participant .new-row").count() == 2
        assert page.locator("#rows-reached .new-row").count() == 1
        assert page.input_value('[name="participant"]') == "Ana Example [id/person/ana]"

        page.fill("#f-_source_title", "Press statement on the sixth meeting of the dialogue")
        page.fill("#f-_source_url", "https://example.org/press/2011-09-02")
        page.fill("#f-_source_issuer", "Council of the EU")
        page.fill("#f-_source_date", "2011-09-02")
        page.fill("#f-_comment", "Recorded from the press statement")
        with page.expect_navigation():
            page.click("#save")
        assert re.search(r"/record/saved/\d+", page.url), page.content()[:3000]
        assert small.revision == before + 1
        meeting = page.inner_text("#record-iri")
        changeset = page.inner_text("#changeset-iri")
        assert meeting == ID + "meeting/sixth-round-of-the-technical-dialogue-2011-09-02"
        assert page.inner_text("#changeset-agent").endswith("/agent/ana")
        if any(rule.rule.startswith("/id/") for rule in app.url_map.iter_rules()):
            # The resource pages (another blueprint) serve the new meeting at its IRI's path.
            with page.expect_navigation():
                page.click("#record-page")
            assert "Sixth round of the technical dialogue" in page.inner_text("main")

        # In SPARQL, with provenance: the change set's graph and who recorded it.
        rows = sparql(
            page,
            live,
            "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dkg: "
            "<https://w3id.org/dialogue-kg/ontology#> SELECT DISTINCT ?g ?who ?p WHERE { GRAPH ?g "
            f"{{ <{meeting}> dkg:participant ?p }} ?g prov:wasAttributedTo ?who }}",
        )["results"]["bindings"]
        assert {r["g"]["value"] for r in rows} == {changeset}
        assert {r["who"]["value"] for r in rows} == {small.minter.agent("ana")}
        participants = {r["p"]["value"] for r in rows}
        assert participants == {
            ID + "person/ana",
            ID + "person/fatmir-example",
            ID + "person/gordana-example",
        }
        sub_agreement = sparql(
            page,
            live,
            "SELECT ?a WHERE { ?a <https://w3id.org/dialogue-kg/ontology#partOf> "
            f"<{ID}agreement/alpha> ; <http://www.w3.org/2000/01/rdf-schema#label> "
            '"Alpha, customs stamps"@en }',
        )["results"]["bindings"]
        assert len(sub_agreement) == 1
        (change,) = resource_history(small, meeting)
        assert change.changeset == changeset and change.agent.endswith("/agent/ana")
    assert watch.external == [] and watch.errors == [] and watch.dialogs == []

    with open_page(chromium) as (page, watch):
        log_in(page, live, "eda")
        revision = int(changeset.rsplit("/", 1)[1])
        page.goto(f"{live}/record/saved/{revision}")
        page.fill("#f-revert-comment", "Recorded twice by mistake")
        with page.expect_navigation():
            page.click("#revert")
        assert small.revision == revision + 1
        assert page.inner_text("#changeset-agent").endswith("/agent/eda")
        gone = sparql(page, live, f"ASK {{ <{meeting}> ?p ?o }}")
        assert gone["boolean"] is False
        history = resource_history(small, meeting)
        assert [c.revision for c in history] == [revision, revision + 1]
        assert history[1].removed and not history[1].added
        assert any("Agreement on customs stamps." in line for line in history[0].added)

        # Its page stays: 410 Gone with its last state, who reverted it and when, its history.
        response = page.goto(f"{live}/id/{meeting[len(ID) :]}")
        assert response is not None and response.status == 410
        notice = page.inner_text("#retracted")
        assert "This resource was retracted." in notice and "eda" in notice
        assert page.inner_text("h1") == "Sixth round of the technical dialogue"
        shot = tmp_path / "retracted.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        with page.expect_navigation():
            page.click("#retracted a[href$='view=history']")
        assert page.locator("section.change").count() == 2
    assert watch.external == [] and watch.errors == [] and watch.dialogs == []


def test_a_likely_duplicate_is_pointed_out_and_saved_only_when_confirmed(chromium, live, small):
    with open_page(chromium) as (page, watch):
        log_in(page, live, "ana")
        page.goto(live + "/record/meeting")
        page.fill('[name="label@en"]', "The first round")
        page.fill('[name="date"]', "2011-03-08")
        page.fill("#f-_source", "Test document")
        before = small.revision
        with page.expect_navigation():
            page.click("#save")
        assert "First round" in page.inner_text("#duplicates")
        assert small.revision == before
        assert page.input_value('[name="label@en"]') == "The first round"
        with page.expect_navigation():
            page.click("#save-anyway")
        assert "/record/saved/" in page.url and small.revision == before + 1
    assert watch.external == [] and watch.errors == [] and watch.dialogs == []
