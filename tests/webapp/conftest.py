"""Web app fixtures: an app over a small archive, and its test client."""

from __future__ import annotations

import pytest

from webapp import create_app


@pytest.fixture
def app(small):
    """The app over the small test archive."""
    return create_app({"TESTING": True}, archive=small)


@pytest.fixture
def client(app):
    return app.test_client()
