"""Agent pages: who recorded what. Every "Who" link leads to the agent's change sets here."""

from __future__ import annotations

import re

from webapp.agents import PAGE

from ...conftest import TEST_SOURCE

HOSTILE = "<script>alert('comment')</script>"
ANA = "<https://w3id.org/dialogue-kg/id/person/ana>"
NOTE = "<http://www.w3.org/2004/02/skos/core#editorialNote>"


def test_resource_pages_link_their_recorders_here(client) -> None:
    html = client.get("/id/person/ana").get_data(as_text=True)
    assert 'href="/agent/tester"' in html
    assert "https://w3id.org/dialogue-kg/agent/tester" not in re.findall(r'href="([^"]+)"', html)


def test_agent_page_lists_the_change_sets_newest_first(client, small) -> None:
    response = client.get("/agent/tester")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr id="cs-(\d+)">', html)
    assert rows == ["3", "2"]  # small.trig's two graphs, recorded by "tester"
    assert 'href="/changeset/3"' in html
    assert "1" not in rows  # the ontology was loaded by the archive itself
    ontology = client.get("/agent/dialogue-kg").get_data(as_text=True)
    assert re.findall(r'<tr id="cs-(\d+)">', ontology) == ["1"]


def test_agent_page_as_json(client, small) -> None:
    data = client.get("/agent/tester?format=json").get_json()
    assert data["agent"] == "https://w3id.org/dialogue-kg/agent/tester"
    assert [c["revision"] for c in data["changesets"]] == [3, 2]
    assert data["older"] is None and data["newer"] is None
    same = client.get("/agent/tester", headers={"Accept": "application/json"}).get_json()
    assert same == data


def test_agent_pages_page_through_long_histories(client, small) -> None:
    for n in range(PAGE + 1):
        turtle = f'{ANA} {NOTE} "note {n}" .'
        small.load(turtle.encode(), agent="busy", fmt="turtle", sources=[TEST_SOURCE])
    first = client.get("/agent/busy?format=json").get_json()
    assert len(first["changesets"]) == PAGE and first["older"]
    second = client.get(first["older"] + "&format=json").get_json()
    assert len(second["changesets"]) == 1 and second["newer"]
    assert second["changesets"][0]["revision"] == small.revision - PAGE


def test_unknown_agent_is_404_and_escaped(client) -> None:
    response = client.get("/agent/nobody")
    assert response.status_code == 404
    response = client.get("/agent/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404
    assert "<img" not in response.get_data(as_text=True)


def test_comments_are_shown_inert(client, small) -> None:
    turtle = f'{ANA} {NOTE} "x" .'.encode()
    small.load(turtle, agent="mallory", fmt="turtle", sources=[TEST_SOURCE], comment=HOSTILE)
    html = client.get("/agent/mallory").get_data(as_text=True)
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(" in html
