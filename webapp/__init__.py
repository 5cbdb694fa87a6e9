"""The dialogue-kg web app: Flask app factory; the blueprints route, dialogue_kg does the work."""

from __future__ import annotations

import importlib
import os
import secrets
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dialogue_kg import __version__
from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive

# Blueprint modules of webapp/, each exposing ``bp``; registered in this order.
BLUEPRINTS: tuple[str, ...] = (
    "pages",
    "sparql",
    "dumps",
    "queries",
    "reports",
    "auth",
    "desk",
    "api",
    "resources",
    "memento",
    "timeline",
    "agreements",
    "record",
    "explore",
    "agents",
    "users",
    "search",
    "agreement",
    "cite",
)

# Every page's scripts and styles come from this app; nothing inline runs, nothing is fetched
# from elsewhere. Data for scripts goes in <script type="application/json"> blocks.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Headers every response gets unless its view set them.
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)

# The main navigation: (endpoint, label). An entry shows only when its blueprint is registered;
# those in ARCHIVIST_NAV only to a logged-in archivist or editor.
NAV: tuple[tuple[str, str], ...] = (
    ("explore.explore", "Explore"),
    ("timeline.timeline", "Timeline"),
    ("agreements.catalogue", "Agreements"),
    ("reports.index", "Reports"),
    ("queries.catalogue", "Queries"),
    ("queries.workbench", "Workbench"),
    ("desk.index", "Desk"),
    ("record.index", "Record"),
)
ARCHIVIST_NAV = frozenset({"desk.index", "record.index"})


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


class PublicAddress:
    """WSGI middleware: every request is seen as made to the site's configured address
    (``DKG_PUBLIC_URL``), so no URL the app writes out (VoID, reports, the service description,
    resource pages) echoes the Host header a client chose."""

    def __init__(self, app: Callable[..., Iterable[bytes]], settings: Settings) -> None:
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        url = settings.public_url or f"http://{host}:{settings.port}/"
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.username is not None
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
        ):
            raise ValueError(
                f"DKG_PUBLIC_URL={url!r}: give the address the site is served at, "
                "e.g. https://archive.example.org/"
            )
        default_port = "443" if parts.scheme == "https" else "80"
        self.app = app
        self.fixed = {
            "wsgi.url_scheme": parts.scheme,
            "HTTP_HOST": parts.netloc,
            "SERVER_NAME": parts.hostname,
            "SERVER_PORT": str(parts.port or default_port),
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        # A copy: the caller's environ (e.g. a test client's) stays as it sent it.
        return self.app({**environ, **self.fixed}, start_response)


def create_app(config: dict[str, Any] | None = None, archive: Archive | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (and Flask config); ``archive`` is opened
    from the settings when not given."""
    config = dict(config or {})
    if archive is None:
        overrides = {k: v for k, v in config.items() if k.islower()}
        archive = Archive.open(Settings.from_env(**overrides))
    settings = archive.settings
    app = Flask(__name__)
    from .sparql import QueryLane

    # An anonymous reader's query skips the request machinery of pages (webapp.sparql).
    app.wsgi_app = PublicAddress(QueryLane(app, app.wsgi_app), settings)  # type: ignore[method-assign]
    if settings.proxy_hops > 0:
        # Outermost, so that every client address the app and the query lane read is the one
        # the trusted proxies saw (only X-Forwarded-For: the site's address is DKG_PUBLIC_URL).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=0, x_host=0)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    app.extensions["dialogue_kg"] = archive
    if settings.result_cache_mb > 0:
        from dialogue_kg.protocol.cache import ResultCache

        app.extensions["result_cache"] = ResultCache(settings.result_cache_mb * 1024 * 1024)
    if settings.query_workers > 0:
        from dialogue_kg.protocol.workers import QueryPool

        # Forked from this process's archive (its store shared), before any request is served.
        app.extensions["query_pool"] = QueryPool(
            settings,
            settings.query_workers,
            settings.query_timeout,
            settings.max_result_bytes,
            archive=archive,
        )

    @app.before_request
    def _refresh() -> None:
        # Other processes (the CLI, other workers) may have appended change sets. A view that
        # only writes reads the journal once, under the write lock (Archive.commit).
        if not getattr(app.view_functions.get(request.endpoint or ""), "writes_only", False):
            archive.refresh()

    @app.after_request
    def _security_headers(response):  # noqa: ANN001, ANN202
        # Views may set their own (stricter or relaxed) policy; otherwise the default applies.
        present = {key.lower() for key in response.headers.keys()}
        response.headers.extend(
            [(key, value) for key, value in SECURITY_HEADERS if key.lower() not in present]
        )
        return response

    from . import auth, errors, i18n

    i18n.init_app(app)
    auth.init_app(app)
    errors.init_app(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from flask_login import current_user

        signed_in = bool(getattr(current_user, "is_authenticated", False))
        nav = [
            (endpoint, label)
            for endpoint, label in NAV
            if endpoint in app.view_functions and (signed_in or endpoint not in ARCHIVIST_NAV)
        ]
        return {"version": __version__, "revision": archive.revision, "nav": nav}

    for name in BLUEPRINTS:
        module = importlib.import_module(f".{name}", __name__)
        app.register_blueprint(module.bp)
    return app


def wants_json() -> bool:
    """True when the request asks for JSON (``?format=json`` or ``Accept: application/json``):
    routes that answer HTML and JSON from one URL ask this."""
    from flask import request

    return request.args.get("format") == "json" or request.accept_mimetypes.best == (
        "application/json"
    )


def limit_arg(default: int, maximum: int) -> int:
    """The ``?limit=`` asked for: ``default`` when absent, 400 when it is not a whole number from
    1 to ``maximum``."""
    raw = request.args.get("limit", "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        abort(400, f"limit must be a whole number from 1 to {maximum}")
    return int(raw)


def writes_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that reads nothing of the archive before it commits: the journal is then read
    once, by the commit under its lock, not also before the request."""
    view.writes_only = True  # type: ignore[attr-defined]
    return view


def get_archive() -> Archive:
    """The archive of the current app."""
    from flask import current_app

    return current_app.extensions["dialogue_kg"]
