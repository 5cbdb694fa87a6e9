"""Accounts on the web: editors manage them at /desk/users; everyone changes their own password
at /account, which ends their other sessions."""

from __future__ import annotations

import pytest

from dialogue_kg.write.accounts import Accounts

from ..helpers.accounts import add_user, csrf_token, login, token_headers

PASSWORD = "correct horse battery"
OK = {"password": "long enough", "repeat_password": "long enough"}


@pytest.fixture
def editor(client, settings):
    add_user(settings, "ed", PASSWORD, "editor")
    login(client, "ed", PASSWORD)
    return client


def post(client, data: dict, path: str = "/desk/users"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_only_logged_in_editors_manage_accounts(client, app, settings) -> None:
    assert client.get("/desk/users").status_code == 302  # to the login page
    add_user(settings, "ana", PASSWORD, "archivist")
    login(client, "ana", PASSWORD)
    assert client.get("/desk/users").status_code == 403
    assert "/desk/users" not in client.get("/desk").get_data(as_text=True)
    headers = token_headers(settings, "robot", "editor")
    refused = app.test_client().get("/desk/users", headers=headers)
    assert refused.status_code == 403 and "log in" in refused.get_json()["error"]


def test_an_editor_adds_an_archivist_who_can_then_log_in(editor, app, settings) -> None:
    assert "/desk/users" in editor.get("/desk").get_data(as_text=True)
    page = post(
        editor,
        {
            "action": "add",
            "username": "bo",
            "role": "archivist",
            "password": "a new password",
            "repeat_password": "a new password",
        },
    )
    assert page.status_code == 200 and "bo was added" in page.get_data(as_text=True)
    listed = editor.get("/desk/users?format=json").get_json()["users"]
    assert {(u["username"], u["role"], u["disabled"]) for u in listed} == {
        ("bo", "archivist", False),
        ("ed", "editor", False),
    }
    login(app.test_client(), "bo", "a new password")


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"username": "bo", "password": "short", "repeat_password": "short"}, "at least 8"),
        ({"username": "bo", "password": "long enough", "repeat_password": "differs"}, "differ"),
        ({"username": "ed", "password": "long enough", "repeat_password": "long enough"}, "exists"),
        (
            {"username": "<b>x", "password": "long enough", "repeat_password": "long enough"},
            "&lt;b&gt;x",
        ),
    ],
)
def test_bad_additions_are_refused_and_change_nothing(editor, settings, form, message) -> None:
    page = post(editor, {"action": "add", "role": "archivist", **form})
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    assert [u.username for u in Accounts.for_settings(settings).list()] == ["ed"]


def test_roles_disabling_and_the_last_editor(editor, app, settings) -> None:
    add_user(settings, "bo", PASSWORD, "archivist")
    other = app.test_client()
    login(other, "bo", PASSWORD)
    assert post(editor, {"action": "role", "username": "bo", "role": "editor"}).status_code == 200
    assert other.get("/desk/users").status_code == 200  # bo is an editor now
    assert post(editor, {"action": "disable", "username": "bo"}).status_code == 200
    assert other.get("/desk").status_code == 302  # bo's session ended at once
    refused = post(editor, {"action": "role", "username": "ed", "role": "archivist"})
    assert refused.status_code == 400
    assert "last active editor" in refused.get_data(as_text=True)
    assert post(editor, {"action": "disable", "username": "ed"}).status_code == 400
    assert Accounts.for_settings(settings).get("ed").is_editor
    assert post(editor, {"action": "enable", "username": "bo"}).status_code == 200
    login(other, "bo", PASSWORD)


def test_an_editor_sets_a_new_password_and_the_old_sessions_end(editor, app, settings) -> None:
    add_user(settings, "bo", PASSWORD, "archivist")
    other = app.test_client()
    login(other, "bo", PASSWORD)
    assert other.get("/desk").status_code == 200
    done = post(editor, {"action": "password", "username": "bo", "password": "reset by ed"})
    assert done.status_code == 200 and "new password" in done.get_data(as_text=True)
    assert other.get("/desk").status_code == 302
    login(app.test_client(), "bo", "reset by ed")


def test_changing_ones_own_password(client, app, settings) -> None:
    add_user(settings, "ana", PASSWORD, "archivist")
    login(client, "ana", PASSWORD)
    elsewhere = app.test_client()
    login(elsewhere, "ana", PASSWORD)
    form = {"action": "password", "current_password": "wrong", "new_password": "x" * 9}
    wrong = post(client, {**form, "repeat_password": "x" * 9}, "/account")
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    form["current_password"] = PASSWORD
    differ = post(client, {**form, "repeat_password": "y" * 9}, "/account")
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    done = post(client, {**form, "repeat_password": "x" * 9}, "/account")
    assert done.status_code == 200 and "password was changed" in done.get_data(as_text=True)
    assert client.get("/desk").status_code == 200  # this session goes on
    assert elsewhere.get("/desk").status_code == 302  # the other one ended
    login(app.test_client(), "ana", "x" * 9)


def test_account_pages_label_every_control(editor) -> None:
    from .pages.test_accessibility import Audit

    for path in ("/desk/users", "/account"):
        audit = Audit()
        audit.feed(editor.get(path + "?lang=sr-Cyrl").get_data(as_text=True))
        assert [t for t, _ in audit.tags].count("h1") == 1
        assert [i for i in audit.unlabelled if i not in audit.label_for] == [], path


def test_an_editor_changes_their_own_password_only_with_the_current_one(editor, app) -> None:
    for name in ("ed", "ED"):
        refused = post(editor, {"action": "password", "username": name, "password": "taken over"})
        assert refused.status_code == 400 and "/account" in refused.get_data(as_text=True)
    assert editor.get("/desk").status_code == 200
    login(app.test_client(), "ed", PASSWORD)


@pytest.mark.parametrize(
    ("username", "message"), [("ED", "exists"), ("dialogue_KG", "reserved"), ("e.d", "")]
)
def test_a_name_that_writes_as_another_agent_is_refused(editor, settings, username, message):
    page = post(editor, {"action": "add", "username": username, "role": "editor", **OK})
    if message:
        assert page.status_code == 400 and message in page.get_data(as_text=True)
        assert [u.username for u in Accounts.for_settings(settings).list()] == ["ed"]
    else:  # "e.d" is the agent e-d, not ed: a different name
        assert page.status_code == 200


def test_disabling_and_restoring_revives_no_session_or_token(editor, app, settings) -> None:
    add_user(settings, "bo", PASSWORD, "archivist")
    other = app.test_client()
    login(other, "bo", PASSWORD)
    headers = token_headers(settings, "bo")
    assert app.test_client().get("/desk", headers=headers).status_code == 200
    assert post(editor, {"action": "disable", "username": "bo"}).status_code == 200
    assert post(editor, {"action": "enable", "username": "bo"}).status_code == 200
    assert other.get("/desk").status_code == 302
    assert app.test_client().get("/desk", headers=headers).status_code == 401
    login(app.test_client(), "bo", PASSWORD)


def test_a_new_password_ends_the_accounts_tokens(editor, app, settings) -> None:
    add_user(settings, "bo", PASSWORD, "archivist")
    headers = token_headers(settings, "bo")
    done = post(editor, {"action": "password", "username": "bo", "password": "reset by ed"})
    assert done.status_code == 200
    assert app.test_client().get("/desk", headers=headers).status_code == 401
