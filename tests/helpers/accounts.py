"""Accounts for tests: create a user in an archive's data directory, log a test client in."""

from __future__ import annotations

import re

from dialogue_kg.config import Settings
from dialogue_kg.write.accounts import Accounts, User

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(settings: Settings, username: str, password: str, role: str = "archivist") -> User:
    """Create an account in the data directory of ``settings``."""
    return Accounts.for_settings(settings).add(username, password, role)


def csrf_token(client, path: str = "/login") -> str:  # noqa: ANN001 - a Flask test client
    """The CSRF token of the form on ``path`` (the session's token)."""
    page = client.get(path)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client, username: str, password: str):  # noqa: ANN001, ANN201 - Flask test objects
    """Log ``client`` in through the login form (with its CSRF token); return the response."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def token_headers(settings: Settings, username: str, role: str = "archivist") -> dict[str, str]:
    """Create ``username`` (if new) with an API token; the headers that authenticate with it."""
    accounts = Accounts.for_settings(settings)
    if accounts.get(username) is None:
        accounts.add(username, "password for " + username, role)
    return {"Authorization": f"Bearer {accounts.create_token(username, 'test')}"}
