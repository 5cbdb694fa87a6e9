"""A hostile label, recorded through the API of a live server, is inert on every page.

An agreement, a person, a meeting and an outreach activity are labelled
``<img src=x onerror=alert(1)>`` (and a ``<script>`` variant) by an archivist's API call; then a
logged-in editor's Chromium visits every page the app serves (every parameterless GET route, the
resource pages, their history and RDF views, the change set, the editing form, the explorer and
the reports). No dialog may open, no script may run, nothing may be fetched off 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from webapp import create_app

from ..conftest import TEST_SOURCE
from ..helpers.accounts import add_user, token_headers
from ..helpers.browser import open_page
from ..helpers.live import serve_app

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>window.__pwned = 1; alert(2)</script>"
ID = "https://w3id.org/dialogue-kg/id/"
TURTLE = f"""
@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}agreement/hostile> a dkg:Agreement ; rdfs:label "{IMG}"@en , "{SCRIPT}"@sq ;
    dkg:date "2012-05-01"^^xsd:date ; dkg:year "2012"^^xsd:gYear ;
    dkg:partOf <{ID}agreement/alpha> ; dkg:source <{TEST_SOURCE}> .
<{ID}person/hostile> a dkg:Person ; rdfs:label "{IMG}"@en ; dkg:source <{TEST_SOURCE}> .
<{ID}meeting/hostile> a dkg:Meeting ; rdfs:label "{SCRIPT}"@en ;
    dkg:date "2012-05-01"^^xsd:date ; dkg:year "2012"^^xsd:gYear ;
    dkg:participant <{ID}person/hostile> , <{ID}person/ana> ;
    dkg:reached <{ID}agreement/hostile> ; dkg:source <{TEST_SOURCE}> .
"""
PASSWORD = "password for eve"


@pytest.fixture
def live(small):
    app = create_app({"TESTING": True}, archive=small)
    with serve_app(app) as base:
        yield app, base, small


def _post_through_api(base: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        f"{base}/api/changesets?source={TEST_SOURCE}&comment=" + urllib.request.quote(IMG),
        data=TURTLE.encode(),
        headers={**headers, "Content-Type": "text/turtle"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
        return int(json.loads(response.read())["revision"])


def _pages(app, revision: int) -> list[str]:
    """Every parameterless GET page, plus the pages of the hostile resources."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            if rule.rule.startswith(("/logout", "/dumps", "/.well-known", "/sparql")):
                continue
            urls.add(rule.rule)
    for kind in ("agreement", "person", "meeting"):
        iri = f"{ID}{kind}/hostile"
        urls |= {
            f"/id/{kind}/hostile",
            f"/id/{kind}/hostile?view=history",
            f"/id/{kind}/hostile?lang=sq",
            f"/record/edit?iri={iri}",
            f"/explore?focus={iri}",
        }
    urls |= {f"/changeset/{revision}", "/agreements?year=2012", "/id/agreement/alpha"}
    urls.add("/agent/mallory")  # the change set it posted carries a hostile comment
    return sorted(urls)


def test_hostile_labels_are_inert_on_every_page(chromium, live) -> None:
    app, base, archive = live
    revision = _post_through_api(base, token_headers(archive.settings, "mallory"))
    add_user(archive.settings, "eve", PASSWORD, "editor")
    with open_page(chromium) as (page, watch):
        page.goto(base + "/login")
        page.fill("input[name=username]", "eve")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        visited = []
        for url in _pages(app, revision):
            response = page.goto(base + url, wait_until="load")
            assert response is not None, url
            assert response.status < 500, (url, response.status)
            page.wait_for_timeout(150)  # let page scripts draw (explorer, timeline, workbench)
            assert page.evaluate("window.__pwned === undefined"), url
            visited.append(url)
        page.goto(base + "/id/agreement/hostile?lang=en")
        assert IMG in page.locator("h1").inner_text()
    assert watch.dialogs == [], watch.dialogs
    assert watch.external == []
    assert len(visited) > 20
