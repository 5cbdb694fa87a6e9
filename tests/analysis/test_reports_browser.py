"""The report pages in a real headless Chromium: plots load as images, nothing breaks the CSP."""

from __future__ import annotations

import pytest

from dialogue_kg.analysis.reports import REPORTS
from webapp import create_app

from ..helpers.browser import open_page
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(network):
    with serve_app(create_app({"TESTING": True}, archive=network)) as base:
        yield base


def test_every_report_page_shows_its_plot_offline(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/reports")
        assert page.locator("main li a").count() >= len(REPORTS)
        for name in REPORTS:
            page.goto(f"{live}/reports/{name}")
            image = page.locator(".report-plot img")
            image.wait_for()
            # The SVG decoded: an image that failed to load has no natural width.
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), name
            assert page.locator("h1").inner_text()
        page.goto(f"{live}/reports/central-actors")
        assert page.get_by_text("<b>Fac</b> & F").first.is_visible()
    assert watch.external == []
    assert watch.errors == []
    assert watch.dialogs == []
