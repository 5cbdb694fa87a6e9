"""The explorer on the curated archive in real headless Chromium: offline rendering, the time
slider, the side panel, search, neighbours, the implementation history and Albanian labels."""

from __future__ import annotations

import pytest

from webapp import create_app

from ..helpers.browser import open_page
from ..helpers.explorer import click_node, hidden, wait_ready
from ..helpers.live import serve_app
from .test_explorer_curated import AGREEMENTS_2011, ASSOCIATION, FIRST

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(curated):
    with serve_app(create_app({"TESTING": True}, archive=curated)) as base:
        yield base


def test_renders_the_curated_graph_offline(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        drawn = page.evaluate("() => window.dkgExplorer.nodes.length")
        expected = len(page.request.get(live + "/explore/graph.json").json()["nodes"])
        assert drawn == expected > 200
        assert page.locator("#network canvas").count() == 1
        timings = page.evaluate("() => window.dkgExplorer.timings")
        assert timings["firstDraw"] > 0 and timings["stable"] > 0
    assert watch.external == []
    assert watch.errors == []
    assert watch.dialogs == []


def test_time_slider_shows_the_dialogue_on_1_january_2012(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        assert hidden(page, [FIRST, *AGREEMENTS_2011]) == [False] * 7
        page.evaluate(
            """() => {
              const slider = document.getElementById('time-slider');
              slider.value = String(Date.parse('2012-01-01T00:00:00Z') / 86400000);
              slider.dispatchEvent(new Event('input', {bubbles: true}));
            }"""
        )
        assert page.input_value("#as-of") == "2012-01-01"
        assert hidden(page, [FIRST]) == [True]
        assert hidden(page, AGREEMENTS_2011) == [False] * 6
        # The text alternative lists the same nodes.
        page.click("#node-list-summary")
        # the list is drawn on the <details> "toggle" event, which fires after the click
        page.wait_for_selector("#node-list tbody tr")
        listed = page.locator("#node-list tbody").inner_text()
        assert "Agreement on Freedom of Movement" in listed
        assert "First Agreement of Principles" not in listed
        # Typing a date does the same as the slider.
        page.fill("#as-of", "2013-05-01")
        page.dispatch_event("#as-of", "change")
        assert hidden(page, [FIRST]) == [False]
    assert watch.errors == []


def test_clicking_a_node_opens_its_panel(chromium, live) -> None:
    with open_page(chromium, viewport={"width": 1400, "height": 900}) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        page.evaluate(
            "(id) => window.dkgExplorer.network.focus(id, {scale: 2, animation: false})", FIRST
        )
        click_node(page, FIRST)
        page.wait_for_function(
            "(id) => document.getElementById('panel').dataset.iri === id", arg=FIRST
        )
        assert page.inner_text("#panel-title").startswith("First Agreement of Principles")
        assert page.get_attribute("#panel-page", "href") == "/id/agreement/first-agreement-2013"
        assert "Fifteen-point agreement" in page.inner_text("#panel")
    assert watch.errors == []


def test_search_focuses_a_node_and_neighbours_expand(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        page.fill("#search", "first agreement of principles")
        page.press("#search", "Enter")
        page.wait_for_function(
            "(id) => document.getElementById('panel').dataset.iri === id", arg=FIRST
        )
        assert page.evaluate("() => window.dkgExplorer.network.getSelectedNodes()") == [FIRST]
        # Sources are not shown at first; expanding the agreement shows its own.
        sources = page.evaluate(
            """(id) => window.dkgExplorer.edges.get()
                 .filter((e) => e.from === id && e.predicate === 'source').map((e) => e.to)""",
            FIRST,
        )
        assert sources and all(hidden(page, sources))
        page.click("#panel-expand")
        page.wait_for_function(
            "(ids) => ids.every((id) => window.dkgExplorer.network.body.nodes[id])", arg=sources
        )
    assert watch.errors == []


def test_implementation_history_view(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/explore?focus=" + ASSOCIATION)
        wait_ready(page)
        assert page.locator(".history tr.side-pristina").count() >= 1
        assert page.locator(".history tr.side-belgrade").count() >= 1
        text = page.inner_text(".history")
        assert "Pristina" in text and "Belgrade" in text
        dates = page.locator(".history tbody td:first-child").all_inner_texts()
        assert dates == sorted(dates)
        drawn = page.evaluate("() => window.dkgExplorer.nodes.getIds()")
        assert ASSOCIATION in drawn
    assert watch.external == [] and watch.errors == []


def test_albanian_labels_and_strings(chromium, live) -> None:
    with open_page(chromium) as (page, watch):
        page.goto(live + "/explore?lang=sq")
        wait_ready(page)
        label = page.evaluate("(id) => window.dkgExplorer.nodes.get(id).label", FIRST)
        assert label.startswith("Marrëveshja e parë")
        assert page.locator("html").get_attribute("lang") == "sq"
    assert watch.errors == []
