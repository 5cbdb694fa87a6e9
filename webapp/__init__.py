"""The dialogue-kg web app: Flask app factory; the blueprints route, dialogue_kg does the work."""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Flask

from dialogue_kg import __version__
from dialogue_kg.archive import Archive
from dialogue_kg.config import Settings


def _secret_key(settings: Settings) -> str:
    """The configured secret key, or one kept (created once) in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_path / "secret_key"
    if not path.exists():
        settings.data_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config: dict[str, Any] | None = None, archive: Archive | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (and Flask config); ``archive`` is opened
    from the settings when not given."""
    config = dict(config or {})
    if archive is None:
        overrides = {k: v for k, v in config.items() if k.islower()}
        archive = Archive.open(Settings.from_env(**overrides))
    settings = archive.settings
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    app.extensions["dialogue_kg"] = archive
    if settings.query_workers > 0:
        from dialogue_kg.workers import QueryPool

        app.extensions["query_pool"] = QueryPool(
            settings, settings.query_workers, settings.query_timeout, settings.max_result_bytes
        )

    @app.before_request
    def _refresh() -> None:
        # Other processes (the CLI, other workers) may have appended change sets.
        archive.refresh()

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"version": __version__, "revision": archive.revision}

    from . import dumps, pages, sparql

    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(dumps.bp)
    return app


def get_archive() -> Archive:
    """The archive of the current app."""
    from flask import current_app

    return current_app.extensions["dialogue_kg"]
