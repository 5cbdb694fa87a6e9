"""Accounts: password hashing, roles, disabling, sessions, API tokens and login throttling."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from dialogue_kg.write import accounts as accounts_module
from dialogue_kg.write.accounts import AccountError, Accounts


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


def test_changing_a_password_ends_every_session_and_token(accounts):
    accounts.add("ana", "correct horse")
    session, token = accounts.start_session("ana"), accounts.create_token("ana")
    with pytest.raises(AccountError, match="current password"):
        accounts.change_password("ana", "wrong one", "new password here")
    with pytest.raises(AccountError, match="at least"):
        accounts.change_password("ana", "correct horse", "short")
    assert accounts.session_user(session) is not None and accounts.user_for_token(token)
    accounts.change_password("ana", "correct horse", "new password here")
    assert accounts.session_user(session) is None
    assert accounts.user_for_token(token) is None
    assert accounts.authenticate("ana", "correct horse") is None
    assert accounts.authenticate("ana", "new password here") is not None
    session, token = accounts.start_session("ana"), accounts.create_token("ana")
    accounts.set_password("ana", "reset by an editor")
    assert accounts.session_user(session) is None
    assert accounts.user_for_token(token) is None


def test_an_ended_session_stays_ended(accounts, monkeypatch):
    """Logging out ends the session on the server; disabling ends every session and token,
    and restoring the account revives none of them; an idle session expires."""
    accounts.add("ana", "correct horse")
    accounts.add("ed", "correct horse", role="editor")
    first, second = accounts.start_session("ana"), accounts.start_session("ANA")
    assert accounts.session_user(first).username == "ana"
    accounts.end_session(first)
    assert accounts.session_user(first) is None
    assert accounts.session_user(second).username == "ana"
    token = accounts.create_token("ana")
    accounts.disable("ana")
    accounts.disable("ana", False)
    assert accounts.session_user(second) is None
    assert accounts.user_for_token(token) is None
    assert accounts.tokens("ana")[0].revoked
    idle = accounts.start_session("ana")
    later = accounts_module.time.time() + accounts.session_seconds + 1
    monkeypatch.setattr(accounts_module.time, "time", lambda: later)
    assert accounts.session_user(idle) is None


@pytest.mark.parametrize(
    ("existing", "refused"),
    [
        ("ed", "ED"),
        ("ana", "Ana"),
        ("Ana", "ana"),
        ("a.b", "a_b"),
        ("a-b", "A..B"),
        ("ed", "ed-"),
        ("x-1", "x_1_"),
    ],
)
def test_no_two_accounts_share_an_agent_iri(accounts, existing, refused):
    accounts.add(existing, "correct horse", role="editor")
    with pytest.raises(AccountError, match="exists|same agent"):
        accounts.add(refused, "correct horse")
    assert [u.username for u in accounts.list()] == [existing]


@pytest.mark.parametrize("name", ["dialogue-kg", "dialogue_KG", "Dialogue.Kg", "DIALOGUE--KG"])
def test_nobody_writes_as_the_archive_loader(accounts, name):
    with pytest.raises(AccountError, match="reserved"):
        accounts.add(name, "correct horse")
    assert accounts.list() == []


def test_user_names_are_case_insensitive(accounts):
    """``Ana`` logs in as ``ANA`` too, and failures for ``BOB`` count against ``bob``."""
    ana = accounts.add("Ana", "correct horse")
    assert ana.agent_iri.endswith("/agent/ana")
    assert accounts.authenticate("ANA", "correct horse") == ana
    assert accounts.get("aNa") == ana
    accounts.add("bob", "correct horse")
    for name in ("BOB", "Bob", "bob"):
        assert accounts.authenticate(name, "wrong", "10.0.0.1") is None
    assert accounts.locked_for("bob", "10.0.0.1") > 0


def test_usernames_end_where_they_seem_to(accounts):
    with pytest.raises(AccountError, match="use 1"):
        accounts.add("ana\n", "correct horse")


def test_guessing_the_current_password_backs_off_like_a_login(accounts):
    accounts.add("ana", "correct horse")
    for _ in range(accounts_module.FREE_FAILURES):
        with pytest.raises(AccountError, match="not right"):
            accounts.change_password("ana", "guess", "new password here", "10.0.0.1")
    with pytest.raises(AccountError, match="too many wrong passwords"):
        accounts.change_password("ana", "correct horse", "new password here", "10.0.0.1")
    assert accounts.authenticate("ana", "correct horse", "10.0.0.2") is not None


def test_an_older_database_is_brought_up_to_the_rules(tmp_path):
    """Accounts of an older database that share an agent IRI with an older account (or the
    loader's) are disabled for good; failures keyed by raw names go; the file becomes private."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
            "role TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, "
            "sessions INTEGER NOT NULL DEFAULT 0)"
        )
        db.execute("CREATE TABLE failures (key TEXT PRIMARY KEY, count INTEGER, last REAL)")
        db.executemany(
            "INSERT INTO users VALUES (?, 'x', ?, 0, ?, 0)",
            [
                ("ana", "editor", 1),
                ("Ana", "archivist", 2),
                ("a.b", "archivist", 3),
                ("a_b", "archivist", 4),
                ("dialogue_KG", "archivist", 5),
            ],
        )
        db.execute("INSERT INTO failures VALUES (?, 1, 0)", ("x" * 100_000 + "|1.2.3.4",))
    path.chmod(0o644)
    accounts = Accounts(path)
    assert {u.username: u.disabled for u in accounts.list()} == {
        "ana": False,
        "Ana": True,
        "a.b": False,
        "a_b": True,
        "dialogue_KG": True,
    }
    for name in ("a_b", "dialogue_KG"):
        with pytest.raises(AccountError, match="stays disabled"):
            accounts.disable(name, False)
    # Names are case-insensitive: "Ana" is the older "ana".
    assert accounts.get("Ana").username == "ana"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM failures").fetchone() == (0,)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_accounts_files_are_private(accounts):
    """Password hashes and login traces: the database and its WAL files are the owner's only."""
    accounts.add("ana", "correct horse")
    with sqlite3.connect(accounts.path) as held:  # the WAL files exist while it is open
        held.execute("SELECT COUNT(*) FROM users").fetchone()
        accounts.authenticate("ana", "wrong")
        files = [accounts.path] + [
            accounts.path.with_name(accounts.path.name + s) for s in ("-wal", "-shm")
        ]
        for f in files:
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, f
    held.close()


def test_failed_logins_are_stored_bounded_and_forgotten(accounts, monkeypatch):
    accounts.add("ana", "correct horse")
    for name in ("x" * 1_000_000, "ana" * 60, "not a name", "ana\n"):
        assert accounts.authenticate(name, "wrong", "10.0.0.1") is None
    with sqlite3.connect(accounts.path) as db:
        assert db.execute("SELECT COUNT(*) FROM failures").fetchone() == (0,)
    assert accounts.authenticate("ANA", "wrong", "10.0.0.1") is None
    assert accounts.authenticate("nobody", "wrong", "10.0.0.1") is None
    with sqlite3.connect(accounts.path) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM failures")]
    assert len(keys) == 2 and all(len(k) == 64 and "ana" not in k for k in keys)
    later = accounts_module.time.time() + accounts_module.FAILURE_MEMORY + 1
    monkeypatch.setattr(accounts_module.time, "time", lambda: later)
    assert accounts.authenticate("ana", "wrong", "10.0.0.2") is None
    with sqlite3.connect(accounts.path) as db:
        assert db.execute("SELECT COUNT(*) FROM failures").fetchone() == (1,)


def test_failed_logins_from_many_names_and_addresses_keep_the_newest_few(accounts, monkeypatch):
    """Made-up names from made-up addresses cannot grow the database without bound: past the
    cap the oldest rows go, and the newest lock-outs are the ones kept."""
    monkeypatch.setattr(accounts_module, "MAX_FAILURE_ROWS", 20)
    now = [1_000_000.0]
    monkeypatch.setattr(accounts_module.time, "time", lambda: now[0])
    for i in range(60):
        now[0] += 1
        accounts.authenticate(f"user{i}", "wrong", f"10.0.{i}.1")
    for _ in range(accounts_module.FREE_FAILURES):
        accounts.authenticate("user59", "wrong", "10.0.59.1")
    with sqlite3.connect(accounts.path) as db:
        assert db.execute("SELECT COUNT(*) FROM failures").fetchone() == (20,)
    assert accounts.locked_for("user59", "10.0.59.1") > 0
    assert accounts.locked_for("user0", "10.0.0.1") == 0


def test_parallel_guesses_cannot_slip_past_the_back_off(accounts):
    """Every check is counted before the password is looked at: of 24 guesses at once, the
    free ones are checked and the rest wait; after the lock runs out, 24 more get one check."""
    accounts.add("ana", "correct horse")

    def checked_of_24() -> int:
        barrier, waits = threading.Barrier(24), []

        def guess() -> None:
            barrier.wait()
            waits.append(accounts.check_login("ana", "wrong", "10.0.0.1")[1])

        threads = [threading.Thread(target=guess) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(1 for w in waits if w == 0)

    assert checked_of_24() == accounts_module.FREE_FAILURES
    with sqlite3.connect(accounts.path) as db:  # the lock ran out a second ago
        db.execute("UPDATE failures SET last = last - 3")
    db.close()
    assert checked_of_24() == 1


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
