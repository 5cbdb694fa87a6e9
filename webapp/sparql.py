"""The SPARQL endpoint (SPARQL 1.1 Protocol, read-only for the public)."""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.wrappers import Request

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive
from dialogue_kg.core.limits import ShapeError, scan_sparql
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.protocol.cache import state_of
from dialogue_kg.protocol.protocol import (
    ProtocolError,
    ProtocolRequest,
    candidates,
    choose_format,
    media_types,
    read_request,
    service_description,
)
from dialogue_kg.protocol.workers import Answer, QueryRequest, answer
from dialogue_kg.write.update import run_update

from . import SECURITY_HEADERS, get_archive
from .api import sources_and_comment, written
from .auth import archivist_refusal, csrf_in_view, require_csrf

bp = Blueprint("sparql", __name__)


# Example queries on the endpoint's page for people: (title, query).
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        _l("Agreements, earliest first"),
        "PREFIX dkg: <https://w3id.org/dialogue-kg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?agreement ?label ?date WHERE {\n"
        "  ?agreement a dkg:Agreement ; rdfs:label ?label .\n"
        "  OPTIONAL { ?agreement dkg:date ?date }\n"
        '  FILTER(lang(?label) = "en")\n'
        "} ORDER BY ?date LIMIT 20",
    ),
    (
        _l("How many resources of each class"),
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    ),
)


def _text(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status, mimetype="text/plain")


class ClientSlots:
    """How many queries each client address is running; at most ``limit`` at once (0: no
    limit), so that one client cannot hold every query worker."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._running: Counter[str] = Counter()

    def running(self, client: str) -> int:
        """How many queries ``client`` is running now."""
        with self._lock:
            return self._running[client]

    @contextmanager
    def slot(self, client: str) -> Iterator[bool]:
        """Take one of ``client``'s slots for the block; yields False when none is free."""
        with self._lock:
            free = self.limit <= 0 or self._running[client] < self.limit
            if free:
                self._running[client] += 1
        try:
            yield free
        finally:
            if free:
                with self._lock:
                    self._running[client] -= 1
                    if not self._running[client]:
                        del self._running[client]


_slots_lock = threading.Lock()


def _client_slots(app: Flask, settings: Settings) -> ClientSlots:
    with _slots_lock:
        return app.extensions.setdefault(
            "sparql_client_slots", ClientSlots(settings.queries_per_client)
        )


# Shape verdicts on texts up to this size are remembered (clients send the same queries again
# and again; the scan costs about 0.2 ms per kilobyte), as the guard remembers its verdicts.
_CACHED_TEXT = 64 * 1024


def _check_shape(text: str, settings: Settings, what: str) -> None:
    """Refuse text too long or nested too deep before any parser sees it."""
    if len(text.encode("utf-8", "surrogatepass")) > settings.max_query_bytes:
        raise ProtocolError(
            413,
            f"{what} is longer than the limit of {settings.max_query_bytes} bytes "
            "(setting DKG_MAX_QUERY_BYTES)",
        )
    judge = _shape_refusal if len(text) <= _CACHED_TEXT else _shape_refusal.__wrapped__
    refusal = judge(text, settings.max_nesting, what)
    if refusal is not None:
        raise ProtocolError(400, refusal)


@functools.lru_cache(maxsize=512)
def _shape_refusal(text: str, max_nesting: int, what: str) -> str | None:
    """Why ``text`` is too deep, or None: the same text always gets the same verdict."""
    try:
        scan_sparql(text, max_nesting, what)
    except ShapeError as exc:
        return str(exc)
    return None


def accepted_types() -> tuple[str, ...]:
    """The result media types this request's ``Accept`` takes, best first (equal preferences in
    the format table's order). Content negotiation happens here, once: the core picks the first
    of these that fits the result."""
    return _ranked_types(request.headers.get("Accept", ""))


def _accepted(environ: dict[str, Any]) -> tuple[str, ...]:
    """:func:`accepted_types` of a request's WSGI environ."""
    return _ranked_types(environ.get("HTTP_ACCEPT", ""))


@functools.lru_cache(maxsize=256)
def _ranked_types(header: str) -> tuple[str, ...]:
    """:func:`accepted_types` for one ``Accept`` header: clients send the same few headers, so
    each is ranked once."""
    accept = parse_accept_header(header, MIMEAccept)
    left, ranked = media_types(), []
    while (best := accept.best_match(left)) is not None:
        ranked.append(best)
        left.remove(best)
    return tuple(ranked)


def _no_values(name: str) -> list[str]:
    """The values of a form parameter in a request without a form: none."""
    return []


def run_query(query: QueryRequest, app: Flask | None = None) -> Answer:
    """Answer a query from the answers kept by revision, else in a query worker when there are
    any, else in this process (``app``: the app's, when called outside a request context)."""
    app = app or current_app
    archive = app.extensions["dialogue_kg"]
    cache = app.extensions.get("result_cache")
    if cache is not None:
        state = state_of(archive, archive.revision if query.revision is None else query.revision)
        found = cache.get(state, query) if state is not None else None
        if found is not None:
            return found
    pool = app.extensions.get("query_pool")
    found = pool.run(query) if pool is not None else answer(archive, query)
    if cache is not None and found.revision is not None:
        state = state_of(archive, found.revision)
        if state is not None:
            cache.put(state, query, found)
    return found


def _wants_page() -> bool:
    """True when the client prefers HTML to every RDF format (a browser following the menu's
    link); tools that send ``*/*`` or an RDF type get the service description."""
    if request.args.getlist("format"):
        return False
    rdf = {f.media_type for f in candidates(True)} | {"application/xml", "text/xml"}
    quality = dict(request.accept_mimetypes)
    html = max(quality.get("text/html", 0), quality.get("application/xhtml+xml", 0))
    return html > 0 and html >= max((q for v, q in quality.items() if v in rdf), default=0)


@bp.route("/sparql", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@csrf_in_view
def sparql() -> Response:
    """Answer one SPARQL query on the union of the change-set graphs; describe the service."""
    # A GET has neither form nor body: reading them costs every query a parse of nothing.
    post = request.method == "POST"
    req = read_request(
        request.method,
        request.content_type,
        request.args.getlist,
        request.form.getlist if post else _no_values,
        request.get_data(cache=True) if post and not request.form else b"",
    )
    if req.update is not None:
        return _update(req.update)
    if req.query is None:
        if request.method == "GET" and _wants_page():
            return _page()
        fmt = choose_format(True, request.args.getlist("format"), accepted_types())
        body = service_description(request.base_url, fmt if fmt.rdf else None)
        return Response(body, 200, mimetype=fmt.media_type)
    return _answer(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        req,
        request.values.getlist,
        accepted_types(),
        request.remote_addr or "",
    )


def _answer(
    app: Flask,
    req: ProtocolRequest,
    values: Callable[[str], list[str]],
    accepted: tuple[str, ...],
    client: str,
) -> Response:
    """The answer to the query of ``req``: the view's and the query lane's one way to answer.
    ``values`` gives a parameter's values, ``accepted`` the media types ranked from Accept,
    ``client`` the address whose slots count."""
    archive: Archive = app.extensions["dialogue_kg"]
    settings = archive.settings
    query = QueryRequest(
        req.query or "",
        default_graphs=tuple(req.default_graphs),
        named_graphs=tuple(req.named_graphs),
        formats=tuple(values("format")),
        accepted=accepted,
        max_bytes=settings.max_result_bytes,
        revision=_revision(archive, values("revision")),
    )
    with _client_slots(app, settings).slot(client) as free:
        if not free:
            response = _text(
                429,
                f"this client already runs {settings.queries_per_client} SPARQL "
                "quer(y/ies) at once (setting DKG_QUERIES_PER_CLIENT); wait for it to finish",
            )
            response.headers["Retry-After"] = "5"
            return response
        # Measured within the client's slot: a long text costs this process time.
        _check_shape(query.sparql, settings, "the query")
        # A past revision's state comes from the history index, built in the worker that
        # answers: the same time limit, memory cap and network barrier as any query.
        found = run_query(query, app)
    return Response(found.body, 200, mimetype=found.media_type)


def _revision(archive: Archive, given: list[str]) -> int | None:
    """``?revision=N``: None for the current state, else N once the journal has it."""
    raw = given[0] if given else None
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ProtocolError(400, "revision must be a whole number")
    revision = int(raw)
    if revision > archive.revision:
        raise ProtocolError(
            400, f"no revision {revision}: the archive has revisions 0 to {archive.revision}"
        )
    return None if revision == archive.revision else revision


def _page() -> Response:
    """The endpoint explained for people: how to send a query, the formats, examples."""
    examples = [
        (title, text, url_for(".sparql", query=text, format="csv")) for title, text in EXAMPLES
    ]
    body = render_template(
        "sparql.html",
        endpoint=request.base_url,
        examples=examples,
        formats=candidates(False) + candidates(True),
        workbench=url_for("queries.workbench")
        if "queries.workbench" in current_app.view_functions
        else None,
    )
    response = Response(body, 200, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def _update(update: str) -> Response:
    """Run an archivist's update as one change set (see dialogue_kg.write.update)."""
    refused = archivist_refusal(
        "SPARQL Update needs an authenticated archivist; this endpoint is read-only", login=False
    )
    if refused is not None:
        return refused
    require_csrf()
    _check_shape(update, get_archive().settings, "the update")
    sources, comment = sources_and_comment()
    records = run_update(
        get_archive(), update, agent=current_user.agent_iri, sources=sources, comment=comment
    )
    return written(records)


# Browser tools on other origins may query the endpoint (it is public and read-only).
CORS_HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, Accept"),
)


@bp.after_request
def _cors(response: Response) -> Response:
    """Let browser tools on other origins query the endpoint (it is public and read-only)."""
    for key, value in CORS_HEADERS:
        response.headers[key] = value
    return response


class QueryLane:
    """WSGI middleware: an anonymous reader's GET query on ``/sparql`` (no cookie, no
    ``Authorization``, no ``lang``) is answered here, through :func:`_answer` like the view but
    without Flask's request machinery (session, user, the hooks of every page), which cost a
    short query more than the rest of its way through the server. Its answer carries the headers
    the app's hooks would add; everything else goes to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != "/sparql"
            or "HTTP_COOKIE" in environ
            or "HTTP_AUTHORIZATION" in environ
        ):
            return self.wsgi_app(environ, start_response)
        request = Request(environ)
        args = request.args
        if "query" not in args or "lang" in args:
            return self.wsgi_app(environ, start_response)
        try:
            self.app.extensions["dialogue_kg"].refresh()
            req = read_request("GET", None, args.getlist, _no_values, b"")
            response = _answer(
                self.app, req, args.getlist, _accepted(environ), request.remote_addr or ""
            )
        except DialogueKGError as exc:
            response = self._failed(environ, exc)
        except Exception as exc:  # noqa: BLE001 - a bug: Flask logs it and answers 500
            with self.app.request_context(environ):
                response = self.app.handle_exception(exc)
        headers = response.headers
        for key, value in (*CORS_HEADERS, *SECURITY_HEADERS):
            if key not in headers:
                headers[key] = value
        # The session is read on every request the app answers: a cookie would change this.
        headers.add("Vary", "Cookie")
        return response(environ, start_response)

    def _failed(self, environ: dict[str, Any], exc: DialogueKGError) -> Response:
        """The app's answer to ``exc`` (webapp.errors), made in a context of this request."""
        from .errors import error_response

        with self.app.request_context(environ):
            return error_response(exc)
