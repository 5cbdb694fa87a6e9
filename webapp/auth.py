"""Logging in and out, API tokens, and the guards on every write route.

A request is authenticated either by a session (Flask-Login; every form carries a CSRF token) or,
for scripts, by ``Authorization: Bearer <token>`` — then only the token counts, the session is
ignored and no CSRF token is needed (a browser never sends that header across sites by itself).
Sessions live on the server (the cookie holds a random id): logging out, a new password or a
disabled account ends them for good. What an authenticated user sees is never cached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import (
    AnonymousUserMixin,
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf.csrf import CSRFProtect

from dialogue_kg.write.accounts import MAX_NAME_INPUT, ROLES, AccountError, Accounts, User

from . import wants_json

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
login_manager = LoginManager()


class SessionUser(UserMixin):
    """The logged-in account as Flask-Login sees it."""

    def __init__(self, user: User, via_token: bool = False, session_id: str = "") -> None:
        self.user = user
        self.username = user.username
        self.role = user.role
        self.agent_iri = user.agent_iri
        self.via_token = via_token
        self.session_id = session_id

    @property
    def is_editor(self) -> bool:
        """Editors may also revert change sets and manage users."""
        return self.user.is_editor

    @property
    def is_active(self) -> bool:
        return not self.user.disabled

    def get_id(self) -> str:
        # The cookie holds the server-side session's random id (only its hash is stored).
        return self.session_id


class Anonymous(AnonymousUserMixin):
    """The public: reads everything, writes nothing."""

    username = None
    role = None
    agent_iri = None
    is_editor = False
    via_token = False
    session_id = ""


def get_accounts() -> Accounts:
    """The accounts database of the current app."""
    return current_app.extensions["dkg_accounts"]


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if the request has one."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return None


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without work for a request that carries no session cookie
    and leaves the session empty (an anonymous reader, a script's query): Flask would build the
    signing serializer and read seven cookie settings for it on every request."""

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        """An empty session when the request has no session cookie; else Flask's."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        """Nothing to write for a session left empty and unmodified (``Vary: Cookie`` if it was
        read, as Flask says); else Flask's."""
        if not session and not session.modified:
            if session.accessed:
                if "Vary" in response.headers:
                    response.vary.add("Cookie")
                else:
                    response.headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Accounts, sessions, CSRF protection and secure cookies for ``app``."""
    settings = app.extensions["dialogue_kg"].settings
    app.session_interface = CookieSessions()
    app.extensions["dkg_accounts"] = Accounts.for_settings(settings)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", settings.secure_cookies)
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    # The check runs in our own hook so that token-authenticated requests can skip it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.anonymous_user = Anonymous

    @app.template_filter("timestamp")
    def _timestamp(value: float) -> str:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d %H:%M UTC")

    @app.before_request
    def _authenticate() -> Any:
        token = bearer_token()
        if token is not None:
            user = get_accounts().user_for_token(token)
            found = SessionUser(user, via_token=True) if user else login_manager.anonymous_user()
            login_manager._update_request_context_with_user(found)
        elif request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            if request.path.startswith("/api/") and not current_user.is_authenticated:
                # A script without credentials: say so, rather than ask for a CSRF token.
                return _refuse(401, "this needs an archivist: send an API token")
            view = app.view_functions.get(request.endpoint or "")
            if not getattr(view, "csrf_in_view", False):
                csrf.protect()
        return None

    @app.after_request
    def _no_store(response: Any) -> Any:
        # A page for a logged-in user (or the login form with its CSRF token, or a new API
        # token) must not be kept by the browser or any cache along the way.
        # Only a request with a token or a cookie can be authenticated: an anonymous reader's
        # request (a script's query) loads no user.
        if request.endpoint in NO_STORE or (
            request.endpoint != "static"
            and (
                bearer_token() is not None
                or (bool(request.cookies) and current_user.is_authenticated)
            )
        ):
            response.headers["Cache-Control"] = "no-store"
        return response


# Endpoints never cached, whoever asks.
NO_STORE = frozenset({"auth.login", "auth.logout", "auth.account"})


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user = get_accounts().session_user(session_id)
    return SessionUser(user, session_id=session_id) if user else None


def _start_session(user: User) -> None:
    """Log ``user`` in with a new server-side session and a new CSRF token (nothing from before
    the login, e.g. a token another site planted, stays valid)."""
    session.clear()
    g.pop("csrf_token", None)
    login_user(SessionUser(user, session_id=get_accounts().start_session(user.username)))
    session.permanent = True


def scripted() -> bool:
    """True for a script's request, answered as JSON: an API call, a token, or a client asking
    for JSON."""
    return bearer_token() is not None or request.path.startswith("/api/") or wants_json()


def _refuse(status: int, message: str, *, login: bool = True) -> Any:
    """401/403 for scripts (JSON) and refused people; a browser without a session logs in
    (unless ``login`` is false: then it is told 401 too)."""
    if status == 401 and login and not scripted():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if scripted():
        response = jsonify(error=message)
    else:
        response = current_app.response_class(message + "\n", mimetype="text/plain")
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dialogue-kg"'
    return response


def archivist_refusal(message: str | None = None, *, login: bool = True) -> Any | None:
    """The response refusing a write to anyone but a logged-in archivist or editor (session or
    API token); None when the current user may write. ``message`` replaces the 401 text;
    ``login`` false answers 401 instead of sending a browser to the login page."""
    if not current_user.is_authenticated:
        text = message or "this needs an archivist: log in or send an API token"
        return _refuse(401, text, login=login)
    if current_user.role not in ROLES:
        return _refuse(403, "only archivists and editors may change the archive")
    return None


def archivist_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only a logged-in archivist or editor (session or API token) may use ``view``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refused = archivist_refusal()
        return refused if refused is not None else view(*args, **kwargs)

    return wrapper


def editor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only a logged-in editor (session or API token) may use ``view``."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _refuse(401, "this needs an editor: log in or send an API token")
        if not current_user.is_editor:
            return _refuse(403, "only an editor may do this")
        return view(*args, **kwargs)

    return wrapper


def csrf_in_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that takes anonymous POSTs (e.g. SPARQL queries) and calls
    :func:`require_csrf` itself when a session user writes."""
    view.csrf_in_view = True  # type: ignore[attr-defined]
    return view


def require_csrf() -> None:
    """Check the CSRF token of a session-authenticated write (token requests need none)."""
    if bearer_token() is None:
        csrf.protect()


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after logging in. Anything a browser could read as another
    host (``//h``, ``/\\h``, a scheme, a tab or newline it would drop: ``/<TAB>/h``) is refused,
    not repaired, and the desk (or home) is used instead."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return target
    return url_for("desk.index") if "desk.index" in current_app.view_functions else "/"


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; failures back off exponentially per user name and address."""
    error, status = None, 200
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        if len(username) > MAX_NAME_INPUT:
            abort(400, "user name too long")
        password = request.form.get("password", "")
        user, wait = get_accounts().check_login(username, password, request.remote_addr or "")
        if wait > 0:
            error = _("Too many failed attempts: try again in %(s)d seconds.", s=int(wait) + 1)
            status = 429
        elif user is None:
            error, status = _("Wrong user name or password."), 401
        else:
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=error, username=username), status


@bp.post("/logout")
def logout() -> Any:
    """End the session on the server (a copied cookie stops working too); a POST with the
    CSRF token, so no other site can log you out."""
    if current_user.is_authenticated and current_user.session_id:
        get_accounts().end_session(current_user.session_id)
    logout_user()
    session.clear()
    return redirect(url_for("pages.home"))


@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    """The user's API tokens: create (shown once) and revoke."""
    if not current_user.is_authenticated:
        return _refuse(401, "log in to manage your account")
    if current_user.via_token:
        abort(403, "API tokens cannot manage tokens; log in")
    accounts = get_accounts()
    new_token, error, status = None, None, 200
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "create":
                new_token = accounts.create_token(
                    current_user.username, request.form.get("name", "")[:100]
                )
            elif action == "revoke":
                if not accounts.revoke_token(
                    current_user.username, int(request.form.get("token_id", "0"))
                ):
                    abort(404)
                flash(_("The token was revoked."))
            elif action == "password":
                error = _change_password(accounts)
                if error is None:
                    flash(_("Your password was changed; your other sessions have ended."))
                else:
                    status = 400
            else:
                abort(400)
        except (AccountError, ValueError):
            abort(400)
    tokens = accounts.tokens(current_user.username)
    return (
        render_template("auth/account.html", tokens=tokens, new_token=new_token, error=error),
        status,
    )


def _change_password(accounts: Accounts) -> str | None:
    """Change the logged-in user's password from the form; None, or what is wrong."""
    new = request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        return _("The two new passwords differ.")
    try:
        user = accounts.change_password(
            current_user.username,
            request.form.get("current_password", ""),
            new,
            request.remote_addr or "",
        )
    except AccountError as exc:
        return str(exc)
    _start_session(user)  # every session ended; this browser goes on in a new one
    return None
