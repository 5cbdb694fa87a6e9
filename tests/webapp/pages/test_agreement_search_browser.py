"""The agreement page and search in real headless Chromium at a desktop and a phone size: the
First Agreement answers what was agreed, whether it was implemented and who says so; the header's
search box finds the right first hit; no page scrolls sideways. Screenshots go to
``$DKG_SCREENSHOTS`` when it is set (for a person to look at)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ...helpers.accessibility import axe_violations
from ...helpers.browser import open_page
from ...helpers.explorer import wait_ready
from ...helpers.live import serve_app

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
FIRST = "/id/agreement/first-agreement-2013"
WIDE = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def live(curated_app):
    with serve_app(curated_app) as base:
        yield base


def _shoot(page, name: str) -> None:  # noqa: ANN001 - playwright Page
    folder = os.environ.get("DKG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _clean(watch) -> None:  # noqa: ANN001
    assert watch.external == [] and watch.errors == [] and watch.dialogs == []


@pytest.mark.parametrize("size", list(SIZES))
def test_first_agreement_what_whether_who(chromium, live, size: str) -> None:
    with open_page(chromium, viewport=SIZES[size]) as (page, watch):
        page.goto(live + FIRST)
        assert page.locator("h1").inner_text().startswith("First Agreement of Principles")
        facts = page.locator(".facts-block").inner_text()
        assert "Brussels Agreement" in facts and "Government of Kosovo" in facts
        # What was agreed: the summary, and the provisions when the archive holds them.
        assert "Fifteen-point agreement" in page.locator(".description").inner_text()
        # Was it implemented, and who says so: each side's latest word, with its source.
        section = page.locator("section.implementation")
        assert section.get_by_role("heading", name="Was it implemented?").is_visible()
        first = section.locator(".verdicts").first
        assert first.is_visible()
        assert "according to" in first.inner_text()
        assert section.locator(".tag.disagree").count() >= 1
        assert page.locator("#h-properties").count() == 1  # the record stays, lower down
        page.locator("details.cite-format summary", has_text="BibTeX").click()
        assert "@misc{dkg-first-agreement-2013" in page.locator(".cite").inner_text()
        assert page.evaluate(WIDE) <= 0, "the page scrolls sideways"
        _shoot(page, f"agreement-{size}")
    _clean(watch)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Brussels Agreement", FIRST),
        ("Thaci", "/id/person/hashim-thaci"),
        ("Приштина", "/id/place/prishtina"),
    ],
)
def test_header_search_first_hit(chromium, live, size: str, query: str, first: str) -> None:
    with open_page(chromium, viewport=SIZES[size]) as (page, watch):
        page.goto(live + "/agreements")
        assert page.evaluate(WIDE) <= 0, "the agreements list scrolls sideways"
        box = page.locator("#site-search-q")
        assert box.is_visible()
        box.fill(query)
        with page.expect_navigation():
            box.press("Enter")
        hit = page.locator(".hit > a").first
        assert hit.get_attribute("href") == first
        assert page.evaluate(WIDE) <= 0, "the results page scrolls sideways"
        if query == "Thaci":
            _shoot(page, f"search-{size}")
    _clean(watch)


def test_explorer_find_uses_search(chromium, live) -> None:
    with open_page(chromium, viewport=SIZES["desktop"]) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        page.fill("#search", "Brussels Agreement")
        page.press("#search", "Enter")
        page.wait_for_function(
            "(id) => document.getElementById('panel').dataset.iri === id",
            arg="https://w3id.org/dialogue-kg/id/agreement/first-agreement-2013",
        )
    _clean(watch)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("path", ["/search", "/search?q=Thaci", "/search?q=zzqqxx&lang=sr-Cyrl"])
def test_search_pages_pass_axe(chromium, live, size: str, path: str) -> None:
    with open_page(chromium, viewport=SIZES[size], bypass_csp=True) as (page, watch):
        page.goto(live + path)
        assert axe_violations(page) == []
        assert page.evaluate(WIDE) <= 0
    _clean(watch)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    "path",
    [
        "/id/meeting/high-level-2013-04-19",
        "/id/person/hashim-thaci",
        "/id/organisation/government-of-kosovo",
        "/agreements?lang=sr-Cyrl",
    ],
)
def test_people_and_meeting_pages_fit_and_pass_axe(chromium, live, size: str, path: str) -> None:
    with open_page(chromium, viewport=SIZES[size], bypass_csp=True) as (page, watch):
        page.goto(live + path)
        assert page.evaluate(WIDE) <= 0, "the page scrolls sideways"
        assert axe_violations(page) == []
    _clean(watch)
