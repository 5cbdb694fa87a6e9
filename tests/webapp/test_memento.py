"""Memento (RFC 7089) on resource pages: TimeGate, TimeMap, Mementos, checked against the RFC's
headers and with a Memento client library over a real server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.changeset import ChangeSet
from dialogue_kg.write.editing import retract
from webapp import create_app

from ..conftest import DATA, TEST_SOURCE

ID = "https://w3id.org/dialogue-kg/id/"
ANA = ID + "person/ana"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
BASE = "http://127.0.0.1:5000"


def _at(archive: Archive, *when: int) -> None:
    archive.clock = lambda: datetime(*when, tzinfo=UTC)  # type: ignore[misc]


def _build(settings: Settings) -> Archive:
    """Ana recorded on 1 Feb 2027, renamed on 1 Mar 2027, retracted on 1 Apr 2027."""
    archive = Archive.open(settings)
    _at(archive, 2027, 2, 1, 12)
    archive.load(DATA / "small.trig", agent="tester")
    _at(archive, 2027, 3, 1, 12)
    old = ox.Triple(ox.NamedNode(ANA), LABEL, ox.Literal("Ana Example", language="en"))
    new = ox.Triple(ox.NamedNode(ANA), LABEL, ox.Literal("Ana B. Example", language="en"))
    archive.commit(
        [ChangeSet(added=[new], removed=[old], sources=[TEST_SOURCE])], agent="ed", validate=False
    )
    return archive


@pytest.fixture
def history(settings: Settings):
    with _build(settings) as archive:
        yield archive


@pytest.fixture
def web(history: Archive):
    return create_app({"TESTING": True}, archive=history).test_client()


def _links(header: str) -> dict[str, dict[str, list[str]]]:
    from memento_client import MementoClient

    return MementoClient.parse_link_header(header)


def _rel(links: dict, rel: str) -> str:
    found = [uri for uri, params in links.items() if rel in params.get("rel", [])]
    assert len(found) == 1, (rel, links)
    return found[0]


def test_the_original_links_its_timegate_and_timemap(web) -> None:
    page = web.get("/id/person/ana")
    assert page.status_code == 200 and "Memento-Datetime" not in page.headers
    links = _links(page.headers["Link"])
    assert _rel(links, "timegate") == f"{BASE}/timegate/id/person/ana"
    assert _rel(links, "timemap") == f"{BASE}/timemap/id/person/ana"
    assert links[f"{BASE}/timemap/id/person/ana"]["type"] == ["application/link-format"]
    turtle = web.get("/id/person/ana.ttl")
    assert _rel(_links(turtle.headers["Link"]), "timegate").endswith("/timegate/id/person/ana.ttl")
    assert "Link" not in web.get("/id/person/nobody").headers


def test_the_timegate_redirects_to_the_memento_current_at_the_time_asked(
    web, history: Archive
) -> None:
    loaded, renamed = 3, history.revision  # small.trig's second change set names Ana
    cases = {
        "Mon, 15 Feb 2027 00:00:00 GMT": loaded,
        "Mon, 01 Mar 2027 12:00:00 GMT": renamed,  # the second of the change counts
        "Mon, 01 Mar 2027 11:59:59 GMT": loaded,
        "Sat, 01 Jan 2000 00:00:00 GMT": loaded,  # before the first: the first
        "Fri, 01 Jan 2100 00:00:00 GMT": renamed,
    }
    for asked, revision in cases.items():
        gate = web.get("/timegate/id/person/ana", headers={"Accept-Datetime": asked})
        assert gate.status_code == 302, asked
        assert gate.headers["Location"] == f"{BASE}/id/person/ana?revision={revision}", asked
        assert "accept-datetime" in gate.headers["Vary"].split(", ")
        links = _links(gate.headers["Link"])
        assert _rel(links, "original") == f"{BASE}/id/person/ana"
        assert _rel(links, "timemap") == f"{BASE}/timemap/id/person/ana"
        assert _rel(links, "first") == f"{BASE}/id/person/ana?revision={loaded}"
        assert _rel(links, "last") == f"{BASE}/id/person/ana?revision={renamed}"
    latest = web.get("/timegate/id/person/ana")
    assert latest.headers["Location"].endswith(f"?revision={renamed}")
    bad = web.get("/timegate/id/person/ana", headers={"Accept-Datetime": "last week"})
    assert bad.status_code == 400 and "not an HTTP date" in bad.text
    assert web.get("/timegate/id/person/nobody").status_code == 404


def test_a_memento_carries_its_datetime_and_links(web) -> None:
    memento = web.get("/id/person/ana?revision=3")
    assert memento.status_code == 200 and "Ana Example" in memento.text
    assert memento.headers["Memento-Datetime"] == "Mon, 01 Feb 2027 12:00:00 GMT"
    links = _links(memento.headers["Link"])
    assert _rel(links, "original") == f"{BASE}/id/person/ana"
    assert _rel(links, "timegate") == f"{BASE}/timegate/id/person/ana"
    assert links[f"{BASE}/id/person/ana?revision=3"]["datetime"] == [
        "Mon, 01 Feb 2027 12:00:00 GMT"
    ]
    rdf = web.get("/id/person/ana.nt?revision=4")
    assert rdf.headers["Memento-Datetime"] == "Mon, 01 Mar 2027 12:00:00 GMT"
    assert b"Ana B. Example" in rdf.data and b'"Ana Example"' not in rdf.data


def test_the_timemap_lists_every_revision_that_changed_the_resource(web, history) -> None:
    from dialogue_kg.core.history import resource_history

    body = web.get("/timemap/id/person/ana")
    assert body.mimetype == "application/link-format"
    links = _links(body.text)
    changed = [c.revision for c in resource_history(history, ANA)]
    listed = sorted(
        int(uri.rsplit("=", 1)[1]) for uri, p in links.items() if "memento" in p.get("rel", [])
    )
    assert listed == changed == [3, 4]
    assert _rel(links, "self") == f"{BASE}/timemap/id/person/ana"
    assert links[f"{BASE}/timemap/id/person/ana"]["from"] == ["Mon, 01 Feb 2027 12:00:00 GMT"]
    assert _rel(links, "original") == f"{BASE}/id/person/ana"
    page = web.get("/timemap/id/person/ana", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    assert f'href="{BASE}/id/person/ana?revision=4"' in page.text
    assert web.get("/timemap/id/person/nobody").status_code == 404


def test_a_retracted_resource_keeps_its_timegate_and_mementos(web, history: Archive) -> None:
    _at(history, 2027, 4, 1, 12)
    (record,) = retract(history, ANA, agent="ed", sources=[TEST_SOURCE])
    gone = web.get("/id/person/ana")
    assert gone.status_code == 410 and "Ana B. Example" in gone.text
    links = _links(gone.headers["Link"])
    assert _rel(links, "timegate") == f"{BASE}/timegate/id/person/ana"
    assert _rel(links, "version-history")  # kept from the retracted page
    memento = web.get(f"/id/person/ana?revision={record.revision}")
    assert memento.status_code == 410 and "Ana B. Example" in memento.text
    assert memento.headers["Memento-Datetime"] == "Thu, 01 Apr 2027 12:00:00 GMT"
    before = web.get(
        "/timegate/id/person/ana", headers={"Accept-Datetime": "Tue, 02 Mar 2027 00:00:00 GMT"}
    )
    assert before.headers["Location"].endswith("?revision=4")
    assert web.get("/id/person/ana?revision=4").status_code == 200


def test_a_resource_whose_iri_holds_link_syntax_gets_links_that_parse(web, history) -> None:
    """``;`` and ``,`` are allowed in an IRI and end a link's parameters or the link: every URI
    written in a Link header or a TimeMap is percent-encoded, and parses back whole."""
    odd = ox.NamedNode(ID + "person/ana;rel=x,y")
    history.commit(
        [ChangeSet(added=[ox.Triple(odd, LABEL, ox.Literal("Odd"))], sources=[TEST_SOURCE])],
        agent="ed",
        validate=False,
    )
    page = web.get("/id/person/ana%3Brel=x%2Cy")
    assert page.status_code == 200
    encoded = f"{BASE}/timegate/id/person/ana%3Brel=x%2Cy"
    assert _rel(_links(page.headers["Link"]), "timegate") == encoded
    gate = web.get(
        encoded[len(BASE) :], headers={"Accept-Datetime": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    assert (
        gate.headers["Location"] == f"{BASE}/id/person/ana%3Brel=x%2Cy?revision={history.revision}"
    )
    assert len(_links(web.get("/timemap/id/person/ana%3Brel=x%2Cy").text)) == 4


@pytest.mark.server
def test_a_memento_client_finds_the_mementos_over_http(settings: Settings) -> None:
    """The Memento client library (memento-client, from the Memento project) discovers the
    TimeGate from the original's Link header and lands on the right Memento."""
    from dataclasses import replace

    from memento_client import MementoClient
    from waitress.server import create_server

    from ..helpers.live import _serve_until
    from ..helpers.servers import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with _build(replace(settings, public_url=base + "/")) as archive:
        server = create_server(
            create_app({"TESTING": True}, archive=archive), host="127.0.0.1", port=port, threads=4
        )
        stop = threading.Event()
        thread = threading.Thread(target=_serve_until, args=(server, stop), daemon=True)
        thread.start()
        try:
            client = MementoClient(timegate_uri=base + "/nowhere/", check_native_timegate=True)
            info = client.get_memento_info(base + "/id/person/ana", datetime(2027, 2, 15))
            assert info["timegate_uri"] == base + "/timegate/id/person/ana"
            closest = info["mementos"]["closest"]
            assert closest["uri"] == [base + "/id/person/ana?revision=3"]
            assert closest["datetime"] == datetime(2027, 2, 1, 12)
            assert info["mementos"]["last"]["uri"] == [base + "/id/person/ana?revision=4"]
            later = client.get_memento_info(base + "/id/person/ana", datetime(2027, 3, 2))
            assert later["mementos"]["closest"]["uri"] == [base + "/id/person/ana?revision=4"]
            assert MementoClient.is_memento(base + "/id/person/ana?revision=3")
            assert not MementoClient.is_memento(base + "/id/person/ana")
        finally:
            server.task_dispatcher.shutdown(timeout=10)
            stop.set()
            thread.join(10)


def test_a_page_as_of_a_revision_waits_its_turn_then_says_when_to_come_back(settings) -> None:
    """While another state is being built past the time limit, a page as of a revision not kept
    answers 503 with Retry-After, not a second build; once free, the page is built."""
    from dataclasses import replace

    from dialogue_kg.core.versions import index_for

    with _build(replace(settings, query_timeout=0.05)) as archive:
        web = create_app({"TESTING": True}, archive=archive).test_client()
        page = f"/id/person/ana?revision={archive.revision - 1}"  # before the rename
        with index_for(archive)._building:
            busy = web.get(page)
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "5"
        assert "try again shortly" in busy.get_data(as_text=True)
        assert "Ana Example" in web.get(page).get_data(as_text=True)
