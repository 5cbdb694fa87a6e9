"""The site in a real headless Chromium: pages render offline, the language switcher works."""

from __future__ import annotations

import pytest

from webapp import create_app

from ..helpers.browser import open_page
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live(small):
    with serve_app(create_app({"TESTING": True}, archive=small)) as base:
        yield base


def test_home_renders_offline_without_errors(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/")
        assert page.locator("h1").count() == 1
        assert page.title()
    assert watch.external == []
    assert watch.errors == []
    assert watch.dialogs == []


def test_language_switcher_remembers_the_choice(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/")
        page.select_option("#lang-switch", "sq")
        with page.expect_navigation():
            page.click(".languages button[type=submit]")
        assert page.locator("html").get_attribute("lang") == "sq"
        page.goto(live + "/")
        assert page.locator("html").get_attribute("lang") == "sq"
    assert watch.errors == []
