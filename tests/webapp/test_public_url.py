"""The Host header a client sends is never written back: links in VoID, reports and the SPARQL
service description use the configured address (DKG_PUBLIC_URL, else the listening address)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from webapp import create_app

from ..helpers.accounts import add_user, csrf_token

EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def _documents(client) -> dict[str, str]:  # noqa: ANN001 - a Flask test client
    """The answers that write out absolute links, asked for with a forged Host header."""
    reports = client.get("/reports?format=json", headers=EVIL)
    first = reports.get_json()[0]["name"]
    return {
        "void": client.get("/.well-known/void", headers=EVIL).get_data(as_text=True),
        "reports": reports.get_data(as_text=True),
        "report": client.get(f"/reports/{first}?format=json", headers=EVIL).get_data(as_text=True),
        "service": client.get("/sparql", headers={**EVIL, "Accept": "text/turtle"}).get_data(
            as_text=True
        ),
    }


def test_the_host_header_is_not_reflected(client) -> None:
    for name, text in _documents(client).items():
        assert "evil.example" not in text, name
        assert "http://127.0.0.1:5000/" in text, name


def test_links_use_the_configured_public_address(small) -> None:
    small.settings = replace(small.settings, public_url="https://archive.example.org/")
    client = create_app({"TESTING": True}, archive=small).test_client()
    void = _documents(client)["void"]
    assert "<https://archive.example.org/sparql>" in void
    assert "evil.example" not in void and "127.0.0.1" not in void


def test_behind_tls_a_form_must_come_from_the_public_address(small) -> None:
    """Over https the CSRF check also wants a Referer from the site's own address."""
    small.settings = replace(small.settings, public_url="https://archive.example.org")
    client = create_app({"TESTING": True}, archive=small).test_client()
    add_user(small.settings, "ana", "correct horse", "archivist")
    form = {"username": "ana", "password": "correct horse", "csrf_token": csrf_token(client)}
    forged = client.post("/login", data=form, headers={"Referer": "https://evil.example/login"})
    assert forged.status_code == 400
    own = client.post("/login", data=form, headers={"Referer": "https://archive.example.org/"})
    assert own.status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "archive.example.org",
        "ftp://archive.example.org/",
        "https://archive.example.org/sub/",
        "https://user@archive.example.org/",
        "https://archive.example.org/?x=1",
    ],
)
def test_an_unusable_public_address_is_refused(small, url: str) -> None:
    small.settings = replace(small.settings, public_url=url)
    with pytest.raises(ValueError, match="DKG_PUBLIC_URL"):
        create_app({"TESTING": True}, archive=small)
