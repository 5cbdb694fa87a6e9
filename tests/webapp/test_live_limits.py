"""One request must not kill or starve the server: ``dialogue-kg serve`` on 127.0.0.1 gets the
attacks of the security review (10,000-deep nesting through every door, half-open connections
from one client) and must keep answering everyone after each."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive

from ..conftest import DATA, TEST_SOURCE
from ..helpers.accounts import token_headers
from ..helpers.live import serve_subprocess

DEEP = 10_000
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[str, dict[str, str], object]]:
    """A served archive (small dataset, one query worker) and an archivist's token headers."""
    root = tmp_path_factory.mktemp("live")
    (root / "empty").mkdir()
    settings = Settings.from_env(
        {}, data_dir=str(root / "data"), graph_data_dir=str(root / "empty"), query_workers=0
    )
    with Archive.open(settings) as archive:
        archive.load(DATA / "small.trig", agent="tester")
    headers = token_headers(settings, "archivist")
    with serve_subprocess(root / "data", root / "empty", DKG_QUERY_WORKERS="1") as (base, proc):
        yield base, headers, proc


def _call(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _still_answering(base: str, proc) -> None:  # noqa: ANN001 - a Popen
    assert proc.poll() is None, "the server process died"
    status, body = _call(base + "/sparql?query=" + urllib.parse.quote("ASK {}"))
    assert status == 200 and "true" in body


def _jsonld() -> bytes:
    return (
        b'{"@id": "https://example.org/a", "https://example.org/p": '
        + b'{"https://example.org/q": ' * DEEP
        + b'"x"'
        + b"}" * DEEP
        + b"}"
    )


ATTACKS = {
    "json-ld to /api/changesets": (
        "/api/changesets?source=" + urllib.parse.quote(TEST_SOURCE),
        "application/ld+json",
        _jsonld(),
    ),
    "update with nested (": (
        "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
        "application/sparql-update",
        ("INSERT DATA { <urn:a> <urn:b> " + "(" * DEEP + ")" * DEEP + " }").encode(),
    ),
    "update with nested {": (
        "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
        "application/sparql-update",
        ("INSERT { <urn:a> <urn:b> 1 } WHERE " + "{" * DEEP + "}" * DEEP).encode(),
    ),
    "query with nested (": (
        "/sparql",
        "application/sparql-query",
        ("SELECT * WHERE { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }").encode(),
    ),
    "query with nested {": (
        "/sparql",
        "application/sparql-query",
        ("SELECT * WHERE " + "{" * DEEP + "}" * DEEP).encode(),
    ),
    "yaml import nested": (
        "/api/import/meetings",
        "application/yaml",
        ("[" * DEEP + "]" * DEEP).encode(),
    ),
}


CHAIN = 10_000

# Chains with no bracket in them, which the engine still nests one level per operator: an
# archivist's UNION chain in an update killed the server process; a reader's ! or || chain killed
# a query worker.
CHAINS = {
    "update with a UNION chain": (
        "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
        "application/sparql-update",
        ("INSERT { <urn:a> <urn:b> 1 } WHERE { {}" + " UNION {}" * CHAIN + " }").encode(),
    ),
    "update with an OPTIONAL chain": (
        "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
        "application/sparql-update",
        ("INSERT { <urn:a> <urn:b> 1 } WHERE { " + "OPTIONAL {} " * CHAIN + "}").encode(),
    ),
    "query with a ! chain": (
        "/sparql",
        "application/sparql-query",
        ("SELECT ?x WHERE { BIND(" + "!" * CHAIN + "true AS ?x) }").encode(),
    ),
    "query with a || chain": (
        "/sparql",
        "application/sparql-query",
        ("SELECT * WHERE { FILTER(true" + "||true" * CHAIN + ") }").encode(),
    ),
    "query with a path chain": (
        "/sparql",
        "application/sparql-query",
        ("SELECT * WHERE { ?a <urn:p>" + "/<urn:p>" * CHAIN + " ?b }").encode(),
    ),
    # 20,000 groups in sequence crash raw Oxigraph (a segmentation fault).
    "query with a chain of groups": (
        "/sparql",
        "application/sparql-query",
        ("SELECT * WHERE { " + "{?s ?p ?o} " * 2 * CHAIN + "}").encode(),
    ),
}


@pytest.mark.parametrize("attack", list(CHAINS))
def test_long_operator_chains_get_a_400_and_the_server_keeps_answering(live, attack: str) -> None:
    base, headers, proc = live
    path, media_type, body = CHAINS[attack]
    status, text = _call(base + path, body, {**headers, "Content-Type": media_type})
    assert status == 400, text[:300]
    assert "chains more than 500 operators" in text
    _still_answering(base, proc)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_deep_nesting_gets_a_400_and_the_server_keeps_answering(live, attack: str) -> None:
    base, headers, proc = live
    path, media_type, body = ATTACKS[attack]
    status, text = _call(base + path, body, {**headers, "Content-Type": media_type})
    assert status == 400, text[:300]
    assert "nested more than 100 levels" in text
    _still_answering(base, proc)


def test_half_open_connections_from_one_client_do_not_starve_another(live) -> None:
    """120 connections from 127.0.0.1 that never finish a request; a client on 127.0.0.2 is
    answered at once, and the 21st connection of the first client is closed by the server."""
    base, _, proc = live
    port = int(base.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(120):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            held.append(sock)
            try:  # a request that never ends
                sock.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: x\r\n")
            except OSError:
                pass  # closed by the server already
        time.sleep(0.5)
        start = time.monotonic()
        other = socket.create_connection(
            ("127.0.0.1", port), timeout=10, source_address=("127.0.0.2", 0)
        )
        with other:
            other.sendall(b"GET /sparql?query=ASK%20%7B%7D HTTP/1.0\r\nHost: x\r\n\r\n")
            answer = other.recv(65536)
        assert answer.split(b" ", 2)[1] == b"200", answer[:200]
        assert time.monotonic() - start < 5
        closed = 0
        for sock in held:
            sock.settimeout(0.01)
            try:
                closed += sock.recv(1) == b""
            except (TimeoutError, BlockingIOError):
                pass
            except ConnectionResetError:
                closed += 1
        assert closed >= 100  # all but DKG_CONNECTIONS_PER_CLIENT (20)
    finally:
        for sock in held:
            sock.close()
    # Once the server has seen those connections close, the first client gets its slots back.
    deadline = time.monotonic() + 10
    while True:
        try:
            _still_answering(base, proc)
            break
        except ConnectionResetError:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_the_reviews_ssrf_is_refused_by_the_served_archive(live) -> None:
    """The attack of the review, as a query and inside an update, on the served archive (its
    query worker also without network): 403, and the target sees no connection."""
    from ..helpers.listener import Listener

    base, headers, proc = live
    target = Listener()
    try:
        hidden = f"FILTER(1<2)SERVICE#>\n<http://127.0.0.1:{target.port}/x> {{ ?s ?p ?o }}"
        status, text = _call(
            base + "/sparql?query=" + urllib.parse.quote(f"SELECT ?o WHERE {{ {hidden} }}")
        )
        assert status == 403 and "SERVICE is disabled" in text
        update = f"INSERT {{ <urn:a> <urn:b> ?o }} WHERE {{ {hidden} }}"
        status, text = _call(
            base + "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
            update.encode(),
            {**headers, "Content-Type": "application/sparql-update"},
        )
        assert status == 403 and "SERVICE is disabled" in text
    finally:
        target.close()
    assert target.connections == 0
    _still_answering(base, proc)
