"""Logging in and out, API tokens, CSRF and cookie settings."""

from __future__ import annotations

import re
import sqlite3
import threading

import pytest

from dialogue_kg.write.accounts import Accounts

from ..helpers.accounts import add_user, csrf_token, login, token_headers

PASSWORD = "correct horse battery"


@pytest.fixture
def ana(settings):
    return add_user(settings, "ana", PASSWORD, "archivist")


def test_login_page_has_csrf_token(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)


def test_login_and_logout(client, ana):
    assert "Log in" in client.get("/").get_data(as_text=True)
    response = login(client, "ana", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/").get_data(as_text=True)
    assert "ana" in home and "Log out" in home
    assert client.get("/desk").status_code == 200
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/desk").status_code == 302


def test_wrong_password_and_next_redirect(client, ana):
    token = csrf_token(client)
    bad = client.post("/login", data={"username": "ana", "password": "nope", "csrf_token": token})
    assert bad.status_code == 401
    assert "Wrong user name or password" in bad.get_data(as_text=True)
    ok = client.post(
        "/login?next=/desk",
        data={"username": "ana", "password": PASSWORD, "csrf_token": token},
    )
    assert ok.headers["Location"].endswith("/desk")


def test_offsite_next_ignored(client, ana):
    token = csrf_token(client)
    ok = client.post(
        "/login?next=//evil.example/",
        data={"username": "ana", "password": PASSWORD, "csrf_token": token},
    )
    assert "evil" not in ok.headers["Location"]


def test_login_without_csrf_refused(client, ana):
    response = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/desk").status_code == 302


def test_logout_needs_csrf(client, ana):
    login(client, "ana", PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.get("/desk").status_code == 200


def test_throttled_login_gets_429(client, ana):
    token = csrf_token(client)
    for _ in range(3):
        client.post("/login", data={"username": "ana", "password": "x", "csrf_token": token})
    locked = client.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)


def test_disabled_user_loses_session(client, ana, settings):
    login(client, "ana", PASSWORD)
    Accounts.for_settings(settings).disable("ana")
    assert client.get("/desk").status_code == 302


def test_tokens_created_used_and_revoked(client, ana):
    login(client, "ana", PASSWORD)
    token = csrf_token(client, "/account")
    page = client.post("/account", data={"action": "create", "name": "script", "csrf_token": token})
    text = page.get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', text).group(1)
    anonymous = client.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/desk", headers=headers).status_code == 200
    assert anonymous.get("/desk", headers={"Authorization": "Bearer dkg_nope"}).status_code == 401
    token_id = re.search(r'name="token_id" value="(\d+)"', text).group(1)
    client.post("/account", data={"action": "revoke", "token_id": token_id, "csrf_token": token})
    assert anonymous.get("/desk", headers=headers).status_code == 401
    assert "revoked" in client.get("/account").get_data(as_text=True)


def test_bearer_header_overrides_session(client, ana):
    """A bad token is refused even when the browser also holds a valid session."""
    login(client, "ana", PASSWORD)
    assert client.get("/desk", headers={"Authorization": "Bearer dkg_bad"}).status_code == 401


def test_secure_cookie_setting(small):
    from dataclasses import replace

    from webapp import create_app

    small.settings = replace(small.settings, secure_cookies=True)
    app = create_app({"TESTING": True}, archive=small)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_anonymous_user_answers_the_same_questions(app):
    from flask_login import current_user

    with app.test_request_context("/"):
        assert not current_user.is_authenticated
        assert current_user.is_editor is False
        assert current_user.username is None and current_user.agent_iri is None


def test_logout_ends_the_session_on_the_server(client, app, ana):
    """A session cookie copied before logging out no longer works, nor can it mint a token."""
    login(client, "ana", PASSWORD)
    copied = client.get_cookie("session").value
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/desk").status_code == 302
    assert thief.get("/account").status_code == 302
    minted = thief.post(
        "/account", data={"action": "create", "name": "x", "csrf_token": csrf_token(thief)}
    )
    assert minted.status_code in (302, 400)
    assert Accounts.for_settings(app.extensions["dialogue_kg"].settings).tokens("ana") == []


def test_a_csrf_token_from_before_login_is_refused_after_it(client, ana):
    before = csrf_token(client)
    client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf_token": before})
    stale = client.post("/account", data={"action": "create", "csrf_token": before})
    assert stale.status_code == 400
    fresh = csrf_token(client, "/account")
    assert fresh != before
    assert (
        client.post("/account", data={"action": "create", "csrf_token": fresh}).status_code == 200
    )


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/x",
        "/\n/evil.example/x",
        "/\r\n/evil.example/x",
        "/desk\r\nSet-Cookie: x=1",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        " //evil.example/",
        "/\x00/evil.example",
    ],
)
def test_next_is_a_path_on_this_site_or_nothing(client, ana, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "ana", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk"


def test_next_keeps_a_plain_path(client, ana):
    response = client.post(
        "/login?next=%2Fdesk%3Farchivist%3Dana",
        data={"username": "ana", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/desk?archivist=ana"


def test_private_pages_are_never_stored(client, app, ana, settings):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    add_user(settings, "ed", PASSWORD, "editor")
    login(client, "ed", PASSWORD)
    for path in (
        "/account",
        "/desk",
        "/desk?format=json",
        "/desk/users",
        "/desk/users?format=json",
    ):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    token = csrf_token(client, "/account")
    shown = client.post("/account", data={"action": "create", "csrf_token": token})
    assert 'id="new-token"' in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    scripted = app.test_client().get("/desk?format=json", headers=token_headers(settings, "bo"))
    assert scripted.headers["Cache-Control"] == "no-store"


def test_huge_user_names_store_nothing(client, ana, settings):
    """Twenty anonymous logins with enormous names leave the accounts database small."""
    token, statuses = csrf_token(client), []
    for i in range(20):
        name = ("x" if i % 2 else "y") * (1_000_000 if i < 10 else 400_000) + str(i)
        statuses.append(
            client.post(
                "/login", data={"username": name, "password": "x", "csrf_token": token}
            ).status_code
        )
    size = sum(p.stat().st_size for p in settings.data_path.glob("accounts.sqlite*"))
    assert size < 256 * 1024, size
    assert set(statuses) <= {400, 413}


def test_parallel_wrong_logins_after_a_lock_get_one_check(app, ana, settings):
    """24 wrong passwords sent at once, just after a back-off ran out: one is checked, the
    others wait (the check and the count are one transaction)."""
    first = app.test_client()
    for _ in range(3):
        first.post(
            "/login", data={"username": "ana", "password": "x", "csrf_token": csrf_token(first)}
        )
    with sqlite3.connect(settings.data_path / "accounts.sqlite") as db:
        db.execute("UPDATE failures SET last = last - 3")  # the 2 s lock ran out a second ago
    db.close()
    clients = [app.test_client() for _ in range(24)]
    forms = [{"username": "ana", "password": "x", "csrf_token": csrf_token(c)} for c in clients]
    barrier, statuses = threading.Barrier(24), []

    def attempt(c, form) -> None:  # noqa: ANN001 - a Flask test client
        barrier.wait()
        statuses.append(c.post("/login", data=form).status_code)

    threads = [
        threading.Thread(target=attempt, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [401] + [429] * 23
