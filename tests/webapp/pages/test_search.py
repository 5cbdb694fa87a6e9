"""/search over the curated archive: HTML grouped by kind and JSON from one route, the header's
box on every page, labels escaped."""

from __future__ import annotations

import pytest

from .conftest import EVIL

ID = "https://w3id.org/dialogue-kg/id/"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Brussels Agreement", ID + "agreement/first-agreement-2013"),
        ("Thaci", ID + "person/hashim-thaci"),
        ("Приштина", ID + "place/prishtina"),
        ("Pristina", ID + "place/prishtina"),
        ("Briselski sporazum", ID + "agreement/first-agreement-2013"),
        ("first agreement", ID + "agreement/first-agreement-2013"),
    ],
)
def test_first_hit_as_json(curated_client, query: str, first: str) -> None:
    data = curated_client.get("/search", query_string={"q": query, "format": "json"}).get_json()
    assert data["query"] == query
    assert data["results"][0]["iri"] == first
    assert data["groups"][0]["results"][0]["iri"] == first
    assert data["count"] == len(data["results"]) == sum(len(g["results"]) for g in data["groups"])


def test_results_page_groups_by_kind_in_the_readers_language(curated_client) -> None:
    page = curated_client.get("/search?q=Brussels+Agreement&lang=sq").get_data(as_text=True)
    first_group = page.index('class="search-group"')
    assert page.index("<h2", first_group) < page.index(
        'href="/id/agreement/first-agreement-2013"', first_group
    )
    assert "Marrëveshja e parë e parimeve" in page  # the Albanian label
    assert "Brussels Agreement" in page  # the name that matched
    assert '<p class="summary" lang="en">' in page  # an English summary on an Albanian page
    json_page = curated_client.get("/search?q=Thaci", headers={"Accept": "application/json"})
    assert json_page.get_json()["results"][0]["label"] == "Hashim Thaçi"


def test_empty_and_unmatched_queries(curated_client) -> None:
    assert curated_client.get("/search").status_code == 200
    assert curated_client.get("/search?format=json").get_json()["results"] == []
    nothing = curated_client.get("/search?q=zzqqxx").get_data(as_text=True)
    assert "Nothing matches" in nothing
    assert curated_client.get("/search?q=a&limit=0").status_code == 400


@pytest.mark.parametrize("path", ["/", "/agreements", "/id/place/prishtina", "/search?q=x"])
def test_every_page_has_the_search_box(curated_client, path: str) -> None:
    page = curated_client.get(path).get_data(as_text=True)
    assert 'role="search"' in page and 'id="site-search-q"' in page


def test_labels_are_escaped(evil_client) -> None:
    page = evil_client.get("/search?q=img").get_data(as_text=True)
    assert EVIL not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
