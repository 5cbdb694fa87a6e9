"""In Chromium, a Cyrillic reader sees Cyrillic: a record with only Latin-script Serbian, the
saved queries, and the explorer's side panel (whose English fallback is marked English)."""

from __future__ import annotations

import re

import pytest

from webapp import create_app

from ...helpers.accessibility import axe_violations
from ...helpers.browser import open_page
from ...helpers.explorer import click_node, wait_ready
from ...helpers.live import serve_app
from .test_serbian_scripts import ID, LATIN_ONLY

pytestmark = pytest.mark.browser
SERBIAN_LATIN = re.compile(r"[čćžšđČĆŽŠĐ]|\b(?:Sporazum|Sastanak|je|u|o)\b")


@pytest.fixture
def live(small):
    small.load(LATIN_ONLY.encode(), fmt="turtle", agent="tester", sources=[ID + "source/test-doc"])
    with serve_app(create_app({"TESTING": True}, archive=small)) as base:
        yield base


def test_a_cyrillic_reader_sees_cyrillic(chromium, live) -> None:
    with open_page(chromium, viewport={"width": 1400, "height": 900}) as (page, watch):
        page.goto(live + "/id/agreement/kretanje?lang=sr-Cyrl")
        assert page.evaluate("document.documentElement.lang") == "sr-Cyrl"
        assert page.locator("h1").inner_text() == "Споразум о слободи кретања"
        header = page.locator("main header").first.inner_text()
        assert "Постигнут у Бриселу" in header and not SERBIAN_LATIN.search(header)

        page.goto(live + "/queries?lang=sr-Cyrl")
        titles = page.locator(".saved-queries h2").all_inner_texts()
        assert len(titles) > 30 and not any(re.search(r"[a-z]{2,}", t) for t in titles)

        page.goto(live + "/explore?lang=sr-Cyrl")
        wait_ready(page)
        click_node(page, ID + "agreement/kretanje")
        summary = page.locator(".panel-summary")
        summary.wait_for(timeout=10000)
        assert summary.inner_text().startswith("Постигнут у Бриселу")
        assert summary.get_attribute("lang") is None

        page.goto(live + "/explore?lang=sq")
        wait_ready(page)
        click_node(page, ID + "agreement/cirilica")
        summary = page.locator(".panel-summary")
        summary.wait_for(timeout=10000)
        assert summary.inner_text() == "Catalogue of land records."
        assert summary.get_attribute("lang") == "en"
        assert not watch.external and not watch.errors


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_translated_query_pages_fit_and_pass_axe(chromium, live, size) -> None:
    """The saved queries in Albanian and Cyrillic neither scroll sideways nor fail axe-core."""
    options = {"viewport": {"width": size[0], "height": size[1]}, "bypass_csp": True}
    found: dict[str, object] = {}
    with open_page(chromium, **options) as (page, watch):
        for path in (
            "/queries?lang=sr-Cyrl",
            "/queries/implementation-by-provision?lang=sq",
            "/queries/history-of-a-statement?lang=sr-Cyrl",
            "/id/agreement/kretanje?lang=sr-Cyrl",
        ):
            page.goto(live + path)
            wide = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if wide > 0:
                found[path + " scrolls sideways by px"] = wide
            if violations := axe_violations(page):
                found[path] = violations
    assert found == {}
    assert watch.errors == []
