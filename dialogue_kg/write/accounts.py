"""Accounts of the people who write to the archive: archivists and editors, their passwords
(scrypt hashes), login sessions and API tokens (only a SHA-256 of each secret is kept) and login
throttling, in SQLite (a file only its owner may read).

The journal names who made each change set by ``agent_iri``; the public needs no account. User
names are case-insensitive, and no two accounts (nor an account and the archive's own loader)
share an agent IRI: the name → agent map is one-to-one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import LOADER_AGENT
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.namespaces import Minter, slugify

log = logging.getLogger(__name__)

ROLES = ("archivist", "editor")
MIN_PASSWORD = 8
TOKEN_PREFIX = "dkg_"
# Failures allowed before back-off starts; then 2, 4, 8 … seconds, at most MAX_LOCK.
FREE_FAILURES = 3
MAX_LOCK = 15 * 60
# Failed logins are forgotten (deleted) this long after the last one.
FAILURE_MEMORY = 24 * 3600
# At most this many are kept (the oldest go first): names and addresses an attacker makes up
# cannot grow the accounts database without bound. Evicting a row takes this many failed logins,
# each paying a password hash, which is slower than waiting out the longest back-off.
MAX_FAILURE_ROWS = 100_000
# Longest user name a login form may send; longer ones are refused before anything is stored.
MAX_NAME_INPUT = 150
# Agent names the archive itself writes as: no account may take them (or slugify to them).
RESERVED_AGENTS = frozenset({slugify(LOADER_AGENT)})
# A session's last use is written at most this often (seconds).
SEEN_EVERY = 60

_COLUMNS = "username, role, disabled"
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Checked against when the user does not exist, so that timing does not reveal user names.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
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
CREATE INDEX IF NOT EXISTS failures_last ON failures(last);
CREATE INDEX IF NOT EXISTS failures_last ON failures(last);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    created REAL NOT NULL,
    seen REAL NOT NULL
);
"""


class AccountError(DialogueKGError, ValueError):
    """A request about accounts that cannot be met (unknown user, weak password, …)."""

    kind = "account"


@dataclass(frozen=True)
class User:
    """One account; ``agent_iri`` is how the journal names the change sets it makes."""

    username: str
    role: str
    disabled: bool
    agent_iri: str

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
    # Tokens and session ids are 256 random bits: a fast hash is enough (nothing to guess from).
    return hashlib.sha256(token.encode()).hexdigest()


def canonical(username: str) -> str:
    """The form of a user name that identifies the account: NFKC, then case-folded, so ``Ana``,
    ``ANA`` and ``ana`` are one name."""
    return unicodedata.normalize("NFKC", username).casefold()


class Accounts:
    """The accounts database of one data directory."""

    FILENAME = "accounts.sqlite"

    def __init__(
        self, path: str | Path, minter: Minter | None = None, session_seconds: float = 12 * 3600
    ) -> None:
        self.path = Path(path)
        self.minter = minter or Minter()
        self.session_seconds = session_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _private_file(self.path)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            # WAL: readers (every authenticated request) do not wait for a writer.
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(_SCHEMA)
            _upgrade(db)
        finally:
            db.close()
        for suffix in ("-wal", "-shm"):
            _private_file(self.path.with_name(self.path.name + suffix), create=False)

    @classmethod
    def for_settings(cls, settings: Settings) -> Accounts:
        """The accounts kept beside the journal in ``settings.data_dir``."""
        return cls(
            settings.data_path / cls.FILENAME,
            Minter(settings.base_iri),
            settings.session_hours * 3600,
        )

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
        username, role, disabled = row[:3]
        return User(username, role, bool(disabled), self.minter.agent(username))

    def add(self, username: str, password: str, role: str = "archivist") -> User:
        """Create an account; the password is stored as a scrypt hash. Refused when the name's
        agent IRI is another account's (``Ana`` beside ``ana``, ``a.b`` beside ``a_b``) or the
        archive's own (``dialogue_KG`` would write as the loader ``dialogue-kg``)."""
        if not _USERNAME.fullmatch(username):
            raise AccountError(f"user name {username!r}: use 1–64 letters, digits, '.', '_' or '-'")
        _check_role(role)
        _check_password(password)
        if slugify(username) in RESERVED_AGENTS:
            raise AccountError(f"user name {username!r} is reserved for the archive itself")
        with self._db(write=False) as db:
            self._refuse_clash(db, username)
        # Hashed outside the write lock (scrypt takes a while); checked again under it.
        hashed = generate_password_hash(password, method="scrypt")
        with self._db() as db:
            self._refuse_clash(db, username)
            db.execute(
                "INSERT INTO users (username, password_hash, role, created) VALUES (?, ?, ?, ?)",
                (username, hashed, role, time.time()),
            )
        return User(username, role, False, self.minter.agent(username))

    def _refuse_clash(self, db: sqlite3.Connection, username: str) -> None:
        """AccountError if an account already writes as ``username``'s agent IRI."""
        slug = slugify(username)
        for (other,) in db.execute("SELECT username FROM users"):
            if slugify(other) == slug:
                raise AccountError(
                    f"user {username!r} already exists"
                    if canonical(other) == canonical(username)
                    else f"user name {username!r} would write as the same agent as {other!r} "
                    f"({self.minter.agent(other)}): choose another"
                )

    def get(self, username: str) -> User | None:
        """The account of ``username`` (in any case), or None."""
        with self._db(write=False) as db:
            row = _find(db, username, _COLUMNS)
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
            name = self._require(db, username)
            if role != "editor":
                _keep_an_editor(db, name)
            db.execute("UPDATE users SET role = ? WHERE username = ?", (role, name))
        return self.get(name)  # type: ignore[return-value]

    def set_password(self, username: str, password: str) -> None:
        """Replace the password of ``username``; every session and API token of the account
        ends (a reset is what one does when a password or a token may have leaked)."""
        _check_password(password)
        hashed = generate_password_hash(password, method="scrypt")
        with self._db() as db:
            name = self._require(db, username)
            db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (hashed, name))
            _end_everything(db, name)

    def change_password(self, username: str, current: str, new: str, remote: str = "") -> User:
        """A user's own change: ``current`` must be right, checked as a login is (wrong guesses
        back off the same way); every session and token of the account ends."""
        user, wait = self.check_login(username, current, remote)
        if wait > 0:
            raise AccountError(f"too many wrong passwords: try again in {int(wait) + 1} seconds")
        if user is None:
            raise AccountError("the current password is not right")
        self.set_password(user.username, new)
        return self.get(user.username)  # type: ignore[return-value]

    def disable(self, username: str, disabled: bool = True) -> User:
        """Stop (or with ``disabled=False`` restore) an account: no login, no token works, and
        its sessions and tokens end for good (restoring revives none of them). The last active
        editor cannot be disabled (nobody could manage accounts any more); an account that
        shares its agent IRI with an older one cannot be restored."""
        with self._db() as db:
            name = self._require(db, username)
            if disabled:
                _keep_an_editor(db, name)
                _end_everything(db, name)
            elif (holder := _agent_holder(db, name)) != name:
                raise AccountError(
                    f"{name!r} writes as the same agent as {holder!r} "
                    f"({self.minter.agent(name)}) and stays disabled"
                    if holder
                    else f"{name!r} is reserved for the archive itself and stays disabled"
                )
            db.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), name))
        return self.get(name)  # type: ignore[return-value]

    def _require(self, db: sqlite3.Connection, username: str) -> str:
        """The stored name of the account ``username`` (in any case); AccountError if none."""
        row = _find(db, username, "username")
        if row is None:
            raise AccountError(f"no user {username!r}")
        return row[0]

    # -- sessions --------------------------------------------------------------------------------

    def start_session(self, username: str) -> str:
        """A new login session for ``username``: a random id, of which only a hash is kept."""
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        with self._db() as db:
            name = self._require(db, username)
            db.execute("DELETE FROM sessions WHERE seen < ?", (now - self.session_seconds,))
            db.execute(
                "INSERT INTO sessions (id_hash, username, created, seen) VALUES (?, ?, ?, ?)",
                (_hash_token(session_id), name, now, now),
            )
        return session_id

    def session_user(self, session_id: str) -> User | None:
        """The enabled user of this open, recently used session, or None."""
        now = time.time()
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT u.username, u.role, u.disabled, s.seen FROM sessions s "
                "JOIN users u ON u.username = s.username WHERE s.id_hash = ?",
                (_hash_token(session_id),),
            ).fetchone()
        if row is None or row[2] or row[3] < now - self.session_seconds:
            return None
        if row[3] < now - SEEN_EVERY:
            with self._db() as db:
                db.execute(
                    "UPDATE sessions SET seen = ? WHERE id_hash = ?",
                    (now, _hash_token(session_id)),
                )
        return self._user(row)

    def end_session(self, session_id: str) -> None:
        """End one session (logging out): its cookie, however copied, no longer works."""
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash_token(session_id),))

    # -- passwords and throttling ----------------------------------------------------------------

    def locked_for(self, username: str, remote: str = "") -> float:
        """Seconds before ``username`` may try to log in again from ``remote`` (0: now)."""
        with self._db(write=False) as db:
            row = db.execute(
                "SELECT count, last FROM failures WHERE key = ?", (_key(username, remote),)
            ).fetchone()
        return _wait(row, time.time())

    def check_login(
        self, username: str, password: str, remote: str = ""
    ) -> tuple[User | None, float]:
        """(the user, 0) if the password is right and the account enabled; (None, seconds to
        wait) while locked out; else (None, 0). Each check is counted before the password is
        looked at, in one write transaction, so parallel guesses cannot slip past the back-off;
        a right password clears the count. Names that cannot be a user name store nothing."""
        possible = len(username) <= MAX_NAME_INPUT and _USERNAME.fullmatch(
            unicodedata.normalize("NFKC", username)
        )
        row, key = None, _key(username, remote) if possible else ""
        if possible:
            now = time.time()
            with self._db() as db:
                db.execute("DELETE FROM failures WHERE last < ?", (now - FAILURE_MEMORY,))
                wait = _wait(
                    db.execute("SELECT count, last FROM failures WHERE key = ?", (key,)).fetchone(),
                    now,
                )
                if wait > 0:
                    return None, wait
                db.execute(
                    "INSERT INTO failures (key, count, last) VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET count = count + 1, last = excluded.last",
                    (key, now),
                )
                db.execute(
                    "DELETE FROM failures WHERE key IN (SELECT key FROM failures ORDER BY last "
                    "LIMIT max(0, (SELECT COUNT(*) FROM failures) - ?))",
                    (MAX_FAILURE_ROWS,),
                )
                row = _find(db, username, f"{_COLUMNS}, password_hash")
        # Checked against a dummy hash when there is no such user: the time reveals nothing.
        stored = row[3] if row else _DUMMY_HASH
        good = check_password_hash(stored, password) and row is not None and not row[2]
        if not good:
            return None, 0.0
        with self._db() as db:
            db.execute("DELETE FROM failures WHERE key = ?", (key,))
        return self._user(row), 0.0  # type: ignore[arg-type]

    def authenticate(self, username: str, password: str, remote: str = "") -> User | None:
        """The user if the password is right, the account enabled and not locked out; failures
        from one address count towards an exponential back-off for that user name."""
        return self.check_login(username, password, remote)[0]

    # -- API tokens ------------------------------------------------------------------------------

    def create_token(self, username: str, name: str = "token") -> str:
        """A new API token for ``username``; returned once, only its hash is stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            owner = self._require(db, username)
            db.execute(
                "INSERT INTO tokens (username, name, token_hash, created) VALUES (?, ?, ?, ?)",
                (owner, name.strip() or "token", _hash_token(token), time.time()),
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
                "SELECT t.id, u.username, u.role, u.disabled FROM tokens t "
                "JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.revoked = 0",
                (_hash_token(token),),
            ).fetchone()
            if row is None or row[3]:
                return None
            db.execute("UPDATE tokens SET last_used = ? WHERE id = ?", (time.time(), row[0]))
        return self._user(row[1:])


def _find(db: sqlite3.Connection, username: str, columns: str) -> tuple | None:
    """The row of the account named ``username`` in any case (the older one, should an old
    database hold two)."""
    return db.execute(
        f"SELECT {columns} FROM users WHERE username = ? COLLATE NOCASE "
        "ORDER BY created, rowid LIMIT 1",
        (canonical(username),),
    ).fetchone()


def _agent_holder(db: sqlite3.Connection, username: str) -> str | None:
    """The oldest account whose agent IRI is ``username``'s (None: a reserved agent)."""
    slug = slugify(username)
    if slug in RESERVED_AGENTS:
        return None
    for (name,) in db.execute("SELECT username FROM users ORDER BY created, rowid"):
        if slugify(name) == slug:
            return name
    return None


def _end_everything(db: sqlite3.Connection, username: str) -> None:
    """End every session and revoke every API token of ``username``."""
    db.execute("DELETE FROM sessions WHERE username = ?", (username,))
    db.execute("UPDATE tokens SET revoked = 1 WHERE username = ?", (username,))


def _upgrade(db: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to the rules of this one.

    Failed logins were keyed by the raw user name (unbounded): they are dropped. Accounts whose
    agent IRI is an older account's, or the archive's own, are disabled for good (their tokens
    revoked); the change sets they already wrote keep the IRI they were written with."""
    db.execute("BEGIN IMMEDIATE")
    try:
        dropped = db.execute("DELETE FROM failures WHERE length(key) != 64").rowcount
        seen: set[str] = set()
        rows = db.execute("SELECT username, disabled FROM users ORDER BY created, rowid")
        for name, disabled in rows.fetchall():
            slug = slugify(name)
            if slug in seen or slug in RESERVED_AGENTS:
                if not disabled:
                    log.warning("account %r shares an agent IRI: disabled", name)
                    db.execute("UPDATE users SET disabled = 1 WHERE username = ?", (name,))
                    _end_everything(db, name)
            seen.add(slug)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    if dropped:
        try:
            db.execute("VACUUM")  # give back the space the unbounded names took
        except sqlite3.OperationalError as exc:  # busy: another process has it open
            log.info("accounts database not compacted now: %s", exc)


def _private_file(path: Path, create: bool = True) -> None:
    """Make ``path`` readable and writable by its owner only (created so, if ``create``)."""
    if create:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    if path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _wait(row: tuple | None, now: float) -> float:
    """Seconds to wait after ``row`` = (failures, time of the last), or 0."""
    if not row or row[0] < FREE_FAILURES or row[1] < now - FAILURE_MEMORY:
        return 0.0
    wait = min(2.0 ** (row[0] - FREE_FAILURES + 1), MAX_LOCK)
    return max(0.0, row[1] + wait - now)


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
    """The bounded key failures are counted under: a hash of the canonical name and address."""
    return hashlib.sha256(f"{canonical(username)}|{remote}".encode()).hexdigest()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: choose one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
