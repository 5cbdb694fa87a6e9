"""Accounts of the people who write to the archive: archivists and editors, their passwords
(scrypt hashes), API tokens (only a SHA-256 of each is kept) and login throttling, in SQLite.

The journal names who made each change set by ``agent_iri``; the public needs no account.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from .config import Settings
from .namespaces import Minter

ROLES = ("archivist", "editor")
MIN_PASSWORD = 8
TOKEN_PREFIX = "dkg_"
# Failures allowed before back-off starts; then 2, 4, 8 … seconds, at most MAX_LOCK.
FREE_FAILURES = 3
MAX_LOCK = 15 * 60

_COLUMNS = "username, role, disabled, sessions"
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Checked against when the user does not exist, so that timing does not reveal user names.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    sessions INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL REFERENCES users(username),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    last_used REAL,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last REAL NOT NULL
);
"""


class AccountError(ValueError):
    """A request about accounts that cannot be met (unknown user, weak password, …)."""


@dataclass(frozen=True)
class User:
    """One account; ``agent_iri`` is how the journal names the change sets it makes."""

    username: str
    role: str
    disabled: bool
    agent_iri: str
    # Bumped when the password changes: sessions opened before then stop working.
    sessions: int = 0

    @property
    def is_editor(self) -> bool:
        """Editors may also revert change sets and manage users."""
        return self.role == "editor"


@dataclass(frozen=True)
class Token:
    """An API token as listed to its owner (the secret itself is never kept)."""

    id: int
    username: str
    name: str
    created: float
    last_used: float | None
    revoked: bool


def _hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """The accounts database of one data directory."""

    FILENAME = "accounts.sqlite"

    def __init__(self, path: str | Path, minter: Minter | None = None) -> None:
        self.path = Path(path)
        self.minter = minter or Minter()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            # WAL: readers (every authenticated request) do not wait for a writer.
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(users)")}
            if "sessions" not in columns:  # a database made before sessions were counted
                db.execute("ALTER TABLE users ADD COLUMN sessions INTEGER NOT NULL DEFAULT 0")
        finally:
            db.close()

    @classmethod
    def for_settings(cls, settings: Settings) -> Accounts:
        """The accounts kept beside the journal in ``settings.data_dir``."""
        return cls(settings.data_path / cls.FILENAME, Minter(settings.base_iri))

    @contextmanager
    def _db(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; writers take the lock up front (no deadlock on upgrade)."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- users -----------------------------------------------------------------------------------

    def _user(self, row: tuple) -> User:
        username, role, disabled, sessions = row
        return User(username, role, bool(disabled), self.minter.agent(username), sessions)

    def add(self, username: str, password: str, role: str = "archivist") -> User:
        """Create an account; the password is stored as a scrypt hash."""
        if not _USERNAME.match(username):
            raise AccountError(f"user name {username!r}: use 1–64 letters, digits, '.', '_' or '-'")
        _check_role(role)
        _check_password(password)
        with self._db() as db:
            if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise AccountError(f"user {username!r} already exists")
            db.execute(
                "INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?)",
                (username, generate_password_hash(password, method="scrypt"), role, time.time()),
            )
        return User(username, role, False, self.minter.agent(username))

    def get(self, username: str) -> User | None:
        """The account of ``username``, or None."""
        with self._db(write=False) as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)
            ).fetchone()
        return self._user(row) if row else None

    def list(self) -> list[User]:
        """Every account, by user name."""
        with self._db(write=False) as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username").fetchall()
        return [self._user(r) for r in rows]

    def set_role(self, username: str, role: str) -> User:
        """Make ``username`` an archivist or an editor (the last active editor stays one)."""
        _check_role(role)
        with self._db() as db:
            self._require(db, username)
            if role != "editor":
                _keep_an_editor(db, username)
            db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
        return self.get(username)  # type: ignore[return-value]

    def set_password(self, username: str, password: str) -> None:
        """Replace the password of ``username``; the sessions opened with the old one end."""
        _check_password(password)
        with self._db() as db:
            self._require(db, username)
            db.execute(
                "UPDATE users SET password_hash = ?, sessions = sessions + 1 WHERE username = ?",
                (generate_password_hash(password, method="scrypt"), username),
            )

    def change_password(self, username: str, current: str, new: str, remote: str = "") -> User:
        """A user's own change: ``current`` must be right, checked as a login is (wrong guesses
        back off the same way); other sessions end."""
        wait = self.locked_for(username, remote)
        if wait > 0:
            raise AccountError(f"too many wrong passwords: try again in {int(wait) + 1} seconds")
        if self.authenticate(username, current, remote) is None:
            raise AccountError("the current password is not right")
        self.set_password(username, new)
        return self.get(username)  # type: ignore[return-value]

    def disable(self, username: str, disabled: bool = True) -> User:
        """Stop (or with ``disabled=False`` restore) an account: no login, no token works.
        The last active editor cannot be disabled (nobody could manage accounts any more)."""
        with self._db() as db:
            self._require(db, username)
            if disabled:
                _keep_an_editor(db, username)
            db.execute(
                "UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username)
            )
        return self.get(username)  # type: ignore[return-value]

    def _require(self, db: sqlite3.Connection, username: str) -> None:
        if not db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise AccountError(f"no user {username!r}")

    # -- passwords and throttling ----------------------------------------------------------------

    def locked_for(self, username: str, remote: str = "") -> float:
        """Seconds before ``username`` may try to log in again from ``remote`` (0: now)."""
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT count, last FROM failures WHERE key = ?", (_key(username, remote),)
            ).fetchone()
        if not row or row[0] < FREE_FAILURES:
            return 0.0
        wait = min(2.0 ** (row[0] - FREE_FAILURES + 1), MAX_LOCK)
        return max(0.0, row[1] + wait - time.time())

    def authenticate(self, username: str, password: str, remote: str = "") -> User | None:
        """The user if the password is right, the account enabled and not locked out; failures
        from one address count towards an exponential back-off for that user name."""
        if self.locked_for(username, remote) > 0:
            return None
        with self._db(write=False) as db:
            row = db.execute(
                f"SELECT {_COLUMNS}, password_hash FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        stored = row[4] if row else _DUMMY_HASH
        good = check_password_hash(stored, password) and row is not None and not row[2]
        with self._db() as db:
            key = _key(username, remote)
            if good:
                db.execute("DELETE FROM failures WHERE key = ?", (key,))
            else:
                db.execute(
                    "INSERT INTO failures (key, count, last) VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET count = count + 1, last = excluded.last",
                    (key, time.time()),
                )
        return self._user(row[:4]) if good else None

    # -- API tokens ------------------------------------------------------------------------------

    def create_token(self, username: str, name: str = "token") -> str:
        """A new API token for ``username``; returned once, only its hash is stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            self._require(db, username)
            db.execute(
                "INSERT INTO tokens (username, name, token_hash, created) VALUES (?, ?, ?, ?)",
                (username, name.strip() or "token", _hash_token(token), time.time()),
            )
        return token

    def revoke_token(self, username: str, token_id: int) -> bool:
        """Revoke one of ``username``'s tokens; False if it has no such token."""
        with self._db() as db:
            cur = db.execute(
                "UPDATE tokens SET revoked = 1 WHERE id = ? AND username = ?", (token_id, username)
            )
        return cur.rowcount > 0

    def tokens(self, username: str) -> list[Token]:
        """``username``'s tokens, newest first (revoked ones included, marked)."""
        with self._db(write=False) as db:
            rows = db.execute(
                "SELECT id, username, name, created, last_used, revoked FROM tokens "
                "WHERE username = ? ORDER BY id DESC",
                (username,),
            ).fetchall()
        return [Token(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]

    def user_for_token(self, token: str) -> User | None:
        """The enabled user holding this unrevoked token, or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT t.id, u.username, u.role, u.disabled, u.sessions FROM tokens t "
                "JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.revoked = 0",
                (_hash_token(token),),
            ).fetchone()
            if row is None or row[3]:
                return None
            db.execute("UPDATE tokens SET last_used = ? WHERE id = ?", (time.time(), row[0]))
        return self._user(row[1:])


def _keep_an_editor(db: sqlite3.Connection, username: str) -> None:
    """Refuse a change that would leave no active editor (``username`` stops being one)."""
    editors = {
        row[0]
        for row in db.execute("SELECT username FROM users WHERE role = 'editor' AND disabled = 0")
    }
    if editors == {username}:
        raise AccountError(
            f"{username!r} is the last active editor: make someone else an editor first"
        )


def _key(username: str, remote: str) -> str:
    return f"{username.lower()}|{remote}"


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: choose one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
