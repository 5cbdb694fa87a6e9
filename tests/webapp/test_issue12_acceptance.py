"""Attacks from the acceptance check of issue 12 that the first fixes missed: each must be
refused with a 4xx (never a 500) and leave a journal that verifies."""

from __future__ import annotations

import urllib.parse

import pytest

from ..conftest import TEST_SOURCE
from ..helpers.accounts import token_headers

CS = "https://w3id.org/dialogue-kg/changeset/1"
PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture
def archivist(small):
    return token_headers(small.settings, "ana")


def _journal_verifies(small) -> None:
    report = small.verify()
    assert report.ok, report


@pytest.mark.parametrize(
    ("media_type", "body"),
    [
        (
            "text/turtle",
            f"<< <{CS}> <{PROV}wasAttributedTo> <https://example.org/mallory> >> "
            "<https://example.org/p> 1 .",
        ),
        (
            "text/turtle",
            "<https://example.org/a> <https://example.org/p> "
            "<< <https://example.org/a> <https://example.org/p> 1 >> .",
        ),
        (
            "application/trig",
            "<https://example.org/g> { << <https://example.org/a> <https://example.org/p> 1 >> "
            "<https://example.org/p> 2 . }",
        ),
    ],
)
def test_a_quoted_triple_is_refused_not_a_500(client, small, archivist, media_type, body) -> None:
    before = small.revision
    response = client.post(
        "/api/changesets?source=" + urllib.parse.quote(TEST_SOURCE),
        data=body.encode(),
        headers={**archivist, "Content-Type": media_type},
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "quoted triple" in response.get_json()["error"]
    assert small.revision == before
    _journal_verifies(small)


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { << <https://example.org/a> <https://example.org/p> 1 >> "
        "<https://example.org/p> 2 }",
        f"MOVE <{CS}> TO <https://example.org/moved>",
        "COPY <https://example.org/none> TO <https://example.org/other>",
        "ADD <https://example.org/none> TO DEFAULT",
    ],
)
def test_an_update_the_engine_cannot_run_is_a_400(client, small, archivist, update) -> None:
    before = small.revision
    response = client.post(
        "/sparql?source=" + urllib.parse.quote(TEST_SOURCE),
        data=update.encode(),
        headers={**archivist, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert small.revision == before
    _journal_verifies(small)


def test_a_literal_too_long_to_read_back_is_refused(client, small, archivist) -> None:
    """6 MiB of control characters is 36 MiB in the journal's escapes, past what its reader
    takes: written, it would make the archive unreadable on the next open."""
    before = small.revision
    body = (
        b'<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#comment> """'
        + b"\x01" * (6 * 1024 * 1024)
        + b'""" .'
    )
    response = client.post(
        "/api/changesets?source=" + urllib.parse.quote(TEST_SOURCE),
        data=body,
        headers={**archivist, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "reads back at most" in response.get_json()["error"]
    assert small.revision == before
    _journal_verifies(small)
