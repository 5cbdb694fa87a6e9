"""The workbench in a real headless Chromium: YASGUI loads from the app itself, a saved query
opens from a link, runs against /sparql and shows its rows; nothing is fetched off 127.0.0.1."""

from __future__ import annotations

import pytest

from webapp import create_app

from ..helpers.browser import open_page
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser

VISIBLE_EDITOR = (
    "Array.from(document.querySelectorAll('.CodeMirror'))"
    ".find(e => e.offsetParent !== null).CodeMirror.getValue()"
)


@pytest.fixture(scope="module")
def live(curated):
    with serve_app(create_app({"TESTING": True}, archive=curated)) as base:
        yield base


def test_a_saved_query_opens_runs_and_shows_rows(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.goto(live + "/query?saved=contested-names")
        page.locator(".CodeMirror:visible").wait_for(timeout=20000)
        assert "Whose name for what" in page.evaluate(VISIBLE_EDITOR)
        assert page.locator("#yasgui").get_attribute("data-loaded") == "contested-names"
        page.locator(".yasqe_queryButton:visible").click()
        rows = page.locator(".yasr table tbody tr:visible")
        rows.first.wait_for(timeout=20000)
        # The row number and the first value stand apart (they ran together: "12015-02").
        gap = rows.first.evaluate(
            """(tr) => tr.cells[1].getBoundingClientRect().left + parseFloat(
                 getComputedStyle(tr.cells[1]).paddingLeft)
               - tr.cells[0].querySelector('.rowNumber').getBoundingClientRect().right"""
        )
        assert gap >= 8
        assert rows.count() == 22
        assert "Косово и Метохија" in page.locator(".yasr table:visible").inner_text()

        # The side list loads another saved query into its own tab, without leaving the page.
        page.click("[data-saved='is-implementation-disputed']")
        page.wait_for_function(f"({VISIBLE_EDITOR}).includes('ASK')", timeout=10000)
        assert page.url.endswith("/query?saved=is-implementation-disputed")
        tabs = page.locator(".tabsList .tab").all_inner_texts()
        assert any("contested-names" in t for t in tabs)
        assert any("is-implementation-disputed" in t for t in tabs)
    assert watch.external == []
    assert watch.errors == []
    assert watch.dialogs == []
    assert not [m for m in console if "Content Security Policy" in m or m.startswith("error")]


def test_catalogue_page_links_to_the_workbench(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/queries")
        with page.expect_navigation():
            page.click("#meetings-of-an-actor >> text=Open in workbench")
        page.locator(".CodeMirror:visible").wait_for(timeout=20000)
        assert "edita-tahiri" in page.evaluate(VISIBLE_EDITOR)
    assert watch.external == []
    assert watch.errors == []
