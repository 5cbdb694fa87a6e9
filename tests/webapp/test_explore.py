"""The explorer's routes over the small archive: the page, its JSON, neighbours and the panel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ID = "https://w3id.org/dialogue-kg/id/"
ALPHA = ID + "agreement/alpha"
STATIC = Path(__file__).parents[2] / "webapp" / "static"


def test_page_has_controls_and_no_inline_code(client) -> None:
    response = client.get("/explore")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
        if body.strip():
            assert 'type="application/json"' in attrs
    assert "/static/vendor/vis-network/vis-network.min.js" in html
    assert " on" + "click=" not in html
    for control in ("time-slider", "as-of", "play", "topic-filter", "nature-filter", "search"):
        assert f'id="{control}"' in html
        assert f'for="{control}"' in html or control == "play"
    assert 'aria-live="polite"' in html and 'id="panel"' in html
    assert 'href="/explore"' in html  # the nav lights up


def test_graph_json(client) -> None:
    data = client.get("/explore/graph.json").get_json()
    assert {n["id"] for n in data["nodes"]} >= {ALPHA, ID + "meeting/first-round"}
    assert data["edges"] and data["options"]["physics"]["stabilization"]["iterations"] <= 100
    assert client.get("/explore?format=json").get_json() == data


def test_limit(client) -> None:
    assert len(client.get("/explore/graph.json?limit=2").get_json()["nodes"]) == 2
    for bad in ("0", "abc", "-1", "999999"):
        assert client.get(f"/explore/graph.json?limit={bad}").status_code == 400


def test_labels_follow_the_language(client) -> None:
    data = client.get("/explore/graph.json?lang=sq").get_json()
    assert {n["id"]: n["label"] for n in data["nodes"]}[ALPHA] == "Marrëveshja Alfa"


def test_neighbours(client) -> None:
    data = client.get("/explore/neighbours", query_string={"iri": ALPHA}).get_json()
    assert ID + "agreement/alpha-part" in {n["id"] for n in data["nodes"]}
    assert client.get("/explore/neighbours").status_code == 400
    assert client.get("/explore/neighbours?iri=x%3E%20%7D").status_code == 400


def test_node_panel(client) -> None:
    about = client.get("/explore/node.json", query_string={"iri": ALPHA}).get_json()
    assert about["label"] == "Alpha agreement"
    assert about["history"] == []
    assert about["historyUrl"].startswith("/explore?")
    missing = client.get("/explore/node.json", query_string={"iri": ID + "agreement/none"})
    assert missing.status_code == 404
    assert client.get("/explore/node.json?iri=nonsense").status_code == 400


def test_focus_view(client) -> None:
    response = client.get("/explore", query_string={"focus": ALPHA})
    assert response.status_code == 200
    assert "Alpha agreement" in response.get_data(as_text=True)
    assert client.get("/explore?focus=not-an-iri").status_code == 400


@pytest.mark.parametrize("name", ["vis-network.min.js", "vis-network.min.css", "LICENSE-MIT"])
def test_vis_network_is_vendored_with_its_licence(client, name) -> None:
    assert (STATIC / "vendor" / "vis-network" / name).exists()
    with client.get(f"/static/vendor/vis-network/{name}") as response:
        assert response.status_code == 200
    readme = (STATIC / "vendor" / "README.md").read_text()
    assert "vis-network" in readme and "9.1.2" in readme
