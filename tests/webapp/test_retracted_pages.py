"""A retracted or reverted resource stays reachable: its page answers 410 Gone with its last
state, who retracted it and when, and a link to its full history; an IRI the archive never
held still answers 404."""

from __future__ import annotations

from dialogue_kg.core.archive import Archive
from dialogue_kg.write import editing

from ..conftest import TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
FIRST = ID + "meeting/first-round"
NEW = ID + "meeting/sixth-round"
TURTLE = f"""@prefix dkg: <https://w3id.org/dialogue-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{NEW}> a dkg:Meeting ; rdfs:label "Sixth round"@en ; dkg:date "2012-01-17"^^xsd:date ;
    dkg:year "2012"^^xsd:gYear ; dkg:source <{TEST_SOURCE}> .
""".encode()


def retract_first(small: Archive) -> int:
    (record,) = editing.retract(
        small, FIRST, agent="ed", sources=[TEST_SOURCE], comment="Recorded twice"
    )
    return record.revision


def test_a_retracted_resource_answers_410_with_its_last_state(client, small) -> None:
    revision = retract_first(small)
    response = client.get("/id/meeting/first-round")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    notice = page[page.index('id="retracted"') :][:2000]
    assert "This resource was retracted." in notice
    assert f'href="/changeset/{revision}"' in notice and 'href="/agent/ed"' in notice
    assert "Recorded twice" in notice
    assert "?view=history" in notice
    assert "<h1>First round</h1>" in page  # the last state, with its statements
    assert "2011" in page and f"revision={revision - 1}" in page
    assert "The archive holds no statement" not in page
    link = response.headers["Link"]
    assert f"</changeset/{revision}>" in link and 'rel="version-history"' in link


def test_a_retracted_resource_answers_410_in_rdf_too(client, small) -> None:
    retract_first(small)
    for accept in ("text/turtle", "application/ld+json", "application/json"):
        response = client.get("/id/meeting/first-round", headers={"Accept": accept})
        assert response.status_code == 410, accept
        assert "First round" in response.get_data(as_text=True), accept
    assert client.get("/id/meeting/first-round.nt").status_code == 410


def test_the_history_of_a_retracted_resource_shows_every_change(client, small) -> None:
    revision = retract_first(small)
    page = client.get("/id/meeting/first-round?view=history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="retracted"' in html and f'id="change-{revision}"' in html
    assert html.count('<section class="change"') == 2  # recorded, then retracted
    data = client.get("/id/meeting/first-round?view=history&format=json").get_json()
    assert data["retracted"]["revision"] == revision
    assert data["retracted"]["agent"].endswith("/agent/ed")
    assert data["retracted"]["comment"] == "Recorded twice"
    assert [c["revision"] for c in data["changes"]] == [revision - 1, revision]
    assert data["changes"][-1]["removed"] and not data["changes"][-1]["added"]
    assert data["changes"][0]["added"]


def test_a_reverted_resource_answers_410(client, small) -> None:
    (created,) = small.load(TURTLE, agent="ana", fmt="turtle", sources=[TEST_SOURCE])
    assert client.get("/id/meeting/sixth-round").status_code == 200
    (reverted,) = editing.revert(small, created.revision, agent="ed")
    response = client.get("/id/meeting/sixth-round")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Sixth round" in page and f'href="/changeset/{reverted.revision}"' in page
    history = client.get("/id/meeting/sixth-round?view=history&format=json").get_json()
    assert [c["revision"] for c in history["changes"]] == [created.revision, reverted.revision]


def test_a_never_existing_iri_still_answers_404(client, small) -> None:
    retract_first(small)  # the archive has retracted something: that must not matter
    for path in ("/id/meeting/never-held", "/id/meeting/never-held?view=history"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "The archive holds no statement" in response.get_data(as_text=True)
    assert (
        client.get("/id/meeting/never-held", headers={"Accept": "text/turtle"}).status_code == 404
    )
