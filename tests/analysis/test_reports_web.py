"""The report pages over the hand-made network: HTML, JSON, SVG, reproducibility, escaping."""

from __future__ import annotations

import json

import pytest

from dialogue_kg.analysis.reports import REPORTS
from webapp import create_app

NAMES = list(REPORTS)


@pytest.fixture
def client(network):
    return create_app({"TESTING": True}, archive=network).test_client()


def test_index_lists_every_report_and_is_in_the_nav(client) -> None:
    html = client.get("/reports").get_data(as_text=True)
    for name in NAMES:
        assert f'href="/reports/{name}"' in html
    assert 'href="/reports">Reports</a>' in html  # the main navigation
    listed = client.get("/reports?format=json").get_json()
    assert [e["name"] for e in listed] == NAMES
    assert all(e["url"].endswith(f"/reports/{e['name']}") for e in listed)


@pytest.mark.parametrize("name", NAMES)
def test_each_report_has_plot_table_and_how_it_was_made(client, name) -> None:
    page = client.get(f"/reports/{name}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'src="/reports/{name}/plot.svg"' in html
    assert "<table" in html and "How this was made" in html
    data = client.get(f"/reports/{name}?format=json").get_json()
    assert data["name"] == name and data["revision"] == 2
    assert data["queries"] or data["commands"]
    for query, link in zip(data["queries"], data["sparql_links"], strict=True):
        assert "/sparql?query=" in link
        assert '<pre class="query"><code>' in html
        # The linked query runs on the endpoint.
        answer = client.get("/sparql", query_string={"query": query, "format": "json"})
        assert answer.status_code == 200
    for command in data["commands"]:
        assert command.startswith("dialogue-kg ")
        assert command.split(" --")[0] in html
    svg = client.get(f"/reports/{name}/plot.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).lstrip().startswith("<svg")


def test_figures_agree_with_the_data(client) -> None:
    agreements = client.get("/reports/agreements-per-year?format=json").get_json()["rows"]
    assert {(r["year"], r["type"], r["agreements"]) for r in agreements} == {
        ("2011", "Not classified", 1),
        ("2013", "Political", 1),
        ("2013", "Technical", 1),
        ("2015", "Technical", 1),
        ("2016", "Not classified", 1),
    }
    meetings = client.get("/reports/meetings-per-year?format=json").get_json()["rows"]
    assert [(r["year"], r["meetings"]) for r in meetings] == [("2011", 1), ("2013", 1), ("2015", 1)]
    # The agreements query on the endpoint gives the same counts.
    query = client.get("/reports/agreements-per-year?format=json").get_json()["queries"][0]
    bindings = json.loads(
        client.get("/sparql", query_string={"query": query, "format": "json"}).data
    )["results"]["bindings"]
    assert sorted(int(b["agreements"]["value"]) for b in bindings) == [1, 1, 1, 1, 1]


@pytest.mark.parametrize("name", NAMES)
def test_every_category_is_named_and_every_plot_explained(client, name) -> None:
    data = client.get(f"/reports/{name}?format=json").get_json()
    assert all(value not in ("—", "") for row in data["rows"] for value in row.values())
    html = client.get(f"/reports/{name}").get_data(as_text=True)
    caption = html[html.index("<figcaption>") : html.index("</figcaption>")]
    assert '<p class="reading">' in caption and len(caption) > 120


def test_year_axes_are_continuous(client) -> None:
    # Agreements in 2011, 2013, 2015 and 2016: the years between are on the axis too.
    svg = client.get("/reports/agreements-per-year/plot.svg").get_data(as_text=True)
    assert all(f">{year}<" in svg for year in range(2011, 2017))
    sq = client.get("/reports/agreements-per-year?format=json&lang=sq").get_json()["rows"]
    assert "E paklasifikuar" in {r["type"] for r in sq}


def test_competing_assessments_side_by_side(client) -> None:
    data = client.get("/reports/implementation?format=json").get_json()
    assert data["extra"]["parties"] == ["Side K", "Side S"]
    assert [(r["date"], r["asserted_by"], r["status"], r["party"]) for r in data["rows"]] == [
        ("2016-04", "Side S", "Not implemented", True),
        ("2016-06-01", "Side K", "Stalled", True),
        ("2017", "Observer", "In progress", False),
    ]
    html = client.get("/reports/implementation").get_data(as_text=True)
    header = html[html.index("<h2>Root agreement</h2>") :]
    assert header.index("Side K") < header.index("Side S") < header.index("Other assessments")


def test_central_actors_by_period(client) -> None:
    data = client.get("/reports/central-actors?format=json").get_json()
    periods = {r["period"] for r in data["rows"]}
    assert periods == {"2011–2014", "2015"}  # the last period ends with the last meeting
    first = [r for r in data["rows"] if r["period"] == "2011–2014"]
    assert first[0]["actor"] in {"Anna A", "Bora B"} and first[0]["strength"] == 4
    assert data["commands"][0] == (
        "dialogue-kg analyse centrality --projection co-participation --from 2011-01-01 "
        "--to 2014-12-31 --measure degree --weighted --top 5"
    )
    yearly = client.get("/reports/central-actors?years=1&format=json").get_json()
    assert {r["period"] for r in yearly["rows"]} == {"2011", "2013", "2015"}
    assert client.get("/reports/central-actors?years=0").status_code == 400
    assert client.get("/reports/no-such-report").status_code == 404


def test_labels_are_escaped_in_pages_and_plots(client) -> None:
    html = client.get("/reports/central-actors").get_data(as_text=True)
    assert "&lt;b&gt;Fac&lt;/b&gt; &amp; F" in html
    assert "<b>Fac</b>" not in html
    svg = client.get("/reports/central-actors/plot.svg").get_data(as_text=True)
    assert "&lt;b&gt;Fac&lt;/b&gt; &amp; F" in svg and "<b>" not in svg


def test_report_pages_in_another_language(client) -> None:
    data = client.get("/reports/central-actors?format=json&lang=sr-Latn").get_json()
    assert "Ana A" in {r["actor"] for r in data["rows"]}
