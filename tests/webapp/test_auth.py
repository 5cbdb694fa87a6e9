"""Logging in and out, API tokens, CSRF and cookie settings."""

from __future__ import annotations

import re

import pytest

from dialogue_kg.accounts import Accounts

from ..helpers.accounts import add_user, csrf_token, login

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
