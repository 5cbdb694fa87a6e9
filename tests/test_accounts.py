"""Accounts: password hashing, roles, disabling, API tokens and login throttling."""

from __future__ import annotations

import sqlite3

import pytest

from dialogue_kg import accounts as accounts_module
from dialogue_kg.accounts import AccountError, Accounts


@pytest.fixture
def accounts(settings) -> Accounts:
    return Accounts.for_settings(settings)


def test_add_and_authenticate(accounts, settings):
    user = accounts.add("ana", "correct horse", "archivist")
    assert user.agent_iri == "https://w3id.org/dialogue-kg/agent/ana"
    assert not user.is_editor
    assert accounts.authenticate("ana", "correct horse") == user
    assert accounts.authenticate("ana", "wrong horse!") is None
    assert accounts.authenticate("nobody", "correct horse") is None
    assert (settings.data_path / "accounts.sqlite").exists()


def test_password_is_stored_as_scrypt_hash(accounts):
    accounts.add("ana", "correct horse")
    with sqlite3.connect(accounts.path) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("scrypt:")
    assert "correct horse" not in stored


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("ana", "short", "archivist"),
        ("bad name", "long enough", "archivist"),
        ("ana", "long enough", "admin"),
    ],
)
def test_bad_accounts_refused(accounts, username, password, role):
    with pytest.raises(AccountError):
        accounts.add(username, password, role)
    assert accounts.list() == []


def test_duplicate_refused(accounts):
    accounts.add("ana", "correct horse")
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("ana", "another one")


def test_roles_and_disable(accounts):
    accounts.add("ana", "correct horse")
    assert accounts.set_role("ana", "editor").is_editor
    accounts.add("bo", "battery staple", role="editor")
    accounts.disable("ana")
    assert accounts.get("ana").disabled
    assert accounts.authenticate("ana", "correct horse") is None
    accounts.disable("ana", False)
    assert accounts.authenticate("ana", "correct horse").is_editor
    with pytest.raises(AccountError):
        accounts.set_role("nobody", "editor")


def test_the_last_active_editor_stays(accounts):
    """Somebody must be able to manage accounts: the last active editor cannot be demoted or
    disabled (an archivist can)."""
    accounts.add("ana", "correct horse", role="editor")
    accounts.add("cy", "correct horse")
    for change in (lambda: accounts.set_role("ana", "archivist"), lambda: accounts.disable("ana")):
        with pytest.raises(AccountError, match="last active editor"):
            change()
    assert accounts.get("ana").is_editor and not accounts.get("ana").disabled
    accounts.disable("cy")
    accounts.add("bo", "battery staple", role="editor")
    accounts.set_role("ana", "archivist")
    with pytest.raises(AccountError, match="last active editor"):
        accounts.disable("bo")


def test_changing_a_password_ends_older_sessions(accounts):
    accounts.add("ana", "correct horse")
    before = accounts.get("ana").sessions
    with pytest.raises(AccountError, match="current password"):
        accounts.change_password("ana", "wrong one", "new password here")
    with pytest.raises(AccountError, match="at least"):
        accounts.change_password("ana", "correct horse", "short")
    assert accounts.change_password("ana", "correct horse", "new password here").sessions > before
    assert accounts.authenticate("ana", "correct horse") is None
    assert accounts.authenticate("ana", "new password here") is not None
    accounts.set_password("ana", "reset by an editor")
    assert accounts.get("ana").sessions == before + 2


def test_guessing_the_current_password_backs_off_like_a_login(accounts):
    accounts.add("ana", "correct horse")
    for _ in range(accounts_module.FREE_FAILURES):
        with pytest.raises(AccountError, match="not right"):
            accounts.change_password("ana", "guess", "new password here", "10.0.0.1")
    with pytest.raises(AccountError, match="too many wrong passwords"):
        accounts.change_password("ana", "correct horse", "new password here", "10.0.0.1")
    assert accounts.authenticate("ana", "correct horse", "10.0.0.2") is not None


def test_an_older_database_gains_the_sessions_column(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
            "role TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)"
        )
        db.execute("INSERT INTO users VALUES ('old', 'x', 'archivist', 0, 0)")
    assert Accounts(path).get("old").sessions == 0


def test_tokens(accounts):
    accounts.add("ana", "correct horse")
    token = accounts.create_token("ana", "script")
    assert accounts.user_for_token(token).username == "ana"
    assert accounts.user_for_token(token + "x") is None
    assert accounts.user_for_token("nonsense") is None
    with sqlite3.connect(accounts.path) as db:
        rows = db.execute("SELECT token_hash FROM tokens").fetchall()
    assert token not in str(rows)
    (listed,) = accounts.tokens("ana")
    assert listed.name == "script" and listed.last_used is not None
    accounts.disable("ana")
    assert accounts.user_for_token(token) is None
    accounts.disable("ana", False)
    assert not accounts.revoke_token("someone-else", listed.id)
    assert accounts.revoke_token("ana", listed.id)
    assert accounts.user_for_token(token) is None
    assert accounts.tokens("ana")[0].revoked


def test_throttling_backs_off_exponentially(accounts, monkeypatch):
    accounts.add("ana", "correct horse")
    clock = [1000.0]
    monkeypatch.setattr(accounts_module.time, "time", lambda: clock[0])
    for _ in range(accounts_module.FREE_FAILURES):
        assert accounts.authenticate("ana", "wrong", "10.0.0.1") is None
    first = accounts.locked_for("ana", "10.0.0.1")
    assert first == 2.0
    # Locked: even the right password is refused, from that address only.
    assert accounts.authenticate("ana", "correct horse", "10.0.0.1") is None
    assert accounts.authenticate("ana", "correct horse", "10.0.0.2") is not None
    clock[0] += first
    assert accounts.authenticate("ana", "wrong", "10.0.0.1") is None
    assert accounts.locked_for("ana", "10.0.0.1") == 4.0
    clock[0] += 4.0
    assert accounts.authenticate("ana", "correct horse", "10.0.0.1") is not None
    assert accounts.locked_for("ana", "10.0.0.1") == 0.0
