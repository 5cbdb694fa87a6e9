"""Visitors' pages in a real headless Chromium, offline: the timeline draws, the language
switcher changes UI strings and data labels, injected labels raise no dialog."""

from __future__ import annotations

import re

import pytest

from webapp import create_app

from ...helpers.browser import open_page
from ...helpers.live import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(curated_app):
    with serve_app(curated_app) as base:
        yield base


def _clean(watch) -> None:  # noqa: ANN001
    assert watch.external == []
    assert watch.errors == []
    assert watch.dialogs == []


def test_timeline_renders_offline_and_filters(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/timeline")
        page.wait_for_selector("#timeline[data-ready=true] .vis-item")
        total = int(page.get_attribute("#timeline", "data-count"))
        assert total > 50
        assert page.locator("#timeline .vis-item").count() > 0
        page.uncheck("input[name=kind][value=meeting]")
        page.uncheck("input[name=kind][value=event]")
        agreements = int(page.get_attribute("#timeline", "data-count"))
        assert 0 < agreements < total
        page.select_option("#t-topic", "customs")
        assert 0 < int(page.get_attribute("#timeline", "data-count")) < agreements
        assert page.locator(".timeline-list tbody tr:not([hidden])").count() == int(
            page.get_attribute("#timeline", "data-count")
        )
    _clean(watch)


def test_switching_to_albanian_on_a_resource_page(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/id/agreement/freedom-of-movement-2011")
        assert page.locator("h1").inner_text() == "Agreement on Freedom of Movement"
        assert page.locator("#h-properties").inner_text() == "Properties"
        page.select_option("#lang-switch", "sq")
        with page.expect_navigation():
            page.click(".languages button[type=submit]")
        assert page.locator("html").get_attribute("lang") == "sq"
        assert page.locator("h1").inner_text() == "Marrëveshja për lirinë e lëvizjes"
        assert page.locator("#h-properties").inner_text() == "Vetitë"
        assert page.locator("a[href='/agreements']").first.inner_text() == "Marrëveshjet"
    _clean(watch)


def test_switching_to_albanian_on_the_agreements_page(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/agreements?year=2011&lang=en")
        assert (
            page.get_by_role("link", name="Agreement on Freedom of Movement", exact=True).count()
            == 1
        )
        page.select_option("#lang-switch", "sq")
        with page.expect_navigation():
            page.click(".languages button[type=submit]")
        assert page.locator("h1").inner_text() == "Marrëveshjet"
        assert (
            page.get_by_role("link", name="Marrëveshja për lirinë e lëvizjes", exact=True).count()
            == 1
        )
        assert page.locator("button[type=submit]").last.inner_text() == "Filtro"
        # The year filter survives the switch.
        assert "year=2011" in page.url
    _clean(watch)


def test_injected_label_raises_no_dialog(chromium, evil) -> None:
    with serve_app(create_app({"TESTING": True}, archive=evil)) as base:
        with open_page(chromium) as (page, watch):
            for path in ("/id/agreement/evil", "/id/agreement/alpha", "/agreements", "/timeline"):
                page.goto(base + path)
                page.wait_for_load_state("load")
            page.goto(base + "/timeline")
            page.wait_for_selector("#timeline[data-ready=true] .vis-item")
            assert page.get_by_text("<img src=x onerror=alert(1)>").count() >= 1
        assert watch.dialogs == []
        assert watch.errors == []


def test_timeline_axis_speaks_the_page_language(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/timeline?lang=sr-Cyrl")
        page.wait_for_selector("#timeline[data-ready=true] .vis-item")
        assert page.locator("h1").inner_text() == "Хронологија"
        labels = page.locator(".vis-time-axis .vis-text").all_inner_texts()
        # Serbian writes the year with a full stop (which years are ticked depends on the span).
        assert any(re.fullmatch(r"\d{4}\.", label) for label in labels), labels
        box = page.locator("#timeline .vis-center").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
        for _ in range(12):  # zoom in until months show
            page.mouse.wheel(0, -400)
            page.wait_for_timeout(50)
        labels = " ".join(page.locator(".vis-time-axis .vis-text").all_inner_texts())
        assert re.search("[а-яђјљњћџ]", labels), labels  # Cyrillic month names
    _clean(watch)
