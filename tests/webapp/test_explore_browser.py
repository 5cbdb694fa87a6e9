"""The explorer in real headless Chromium with a hostile label recorded in the archive: no
dialog, no element built from it, the text shown as text."""

from __future__ import annotations

import pytest

from webapp import create_app

from ..helpers.browser import open_page
from ..helpers.explorer import click_node, wait_ready
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
EVIL = "https://w3id.org/dialogue-kg/id/agreement/evil"
RECORD = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{EVIL}> a dkg:Agreement ;
    rdfs:label "{HOSTILE}"@en ;
    dkg:abstract "<script>alert(2)</script>"@en ;
    dkg:date "2011-08-01"^^xsd:date ; dkg:year "2011"^^xsd:gYear ;
    dkg:partOf <https://w3id.org/dialogue-kg/id/agreement/alpha> ;
    dkg:source <https://w3id.org/dialogue-kg/id/source/test-doc> .
"""


@pytest.fixture
def live(small):
    small.load(
        RECORD.encode(),
        fmt="turtle",
        agent="tester",
        sources=["https://w3id.org/dialogue-kg/id/source/test-doc"],
    )
    with serve_app(create_app({"TESTING": True}, archive=small)) as base:
        yield base


NO_IMAGE = "() => document.querySelectorAll('img').length"


def test_hostile_label_raises_no_dialog(chromium, live) -> None:
    with open_page(chromium, viewport={"width": 1400, "height": 900}) as (page, watch):
        page.goto(live + "/explore")
        wait_ready(page)
        assert page.evaluate("(id) => window.dkgExplorer.nodes.get(id).label", EVIL) == HOSTILE
        # Hover (tooltip), click (panel), search, the text list and the neighbours.
        page.evaluate(
            "(id) => window.dkgExplorer.network.focus(id, {scale: 2, animation: false})", EVIL
        )
        click_node(page, EVIL)
        page.wait_for_function(
            "(id) => document.getElementById('panel').dataset.iri === id", arg=EVIL
        )
        page.mouse.move(1, 1)
        click_node(page, EVIL)  # the pointer rests on the node: its tooltip opens
        page.wait_for_selector(".vis-tooltip", state="visible")
        assert HOSTILE in page.inner_text(".vis-tooltip")
        assert page.inner_text("#panel-title") == HOSTILE
        assert "<script>alert(2)</script>" in page.inner_text("#panel")
        page.fill("#search", "onerror")
        page.press("#search", "Enter")
        page.click("#node-list-summary")
        # the list is drawn on the <details> "toggle" event, which fires after the click
        page.wait_for_selector("#node-list tbody tr")
        assert HOSTILE in page.inner_text("#node-list")
        page.click("#panel-expand")
        page.wait_for_timeout(500)
        assert page.evaluate(NO_IMAGE) == 0
        page.goto(live + "/explore?focus=https://w3id.org/dialogue-kg/id/agreement/alpha")
        wait_ready(page)
        assert page.evaluate(NO_IMAGE) == 0
    assert watch.dialogs == []
    assert watch.errors == []
    assert watch.external == []
