"""Linked-data pages: every resource answers at its IRI path, as HTML for people and as RDF
(Turtle, JSON-LD, N-Triples, RDF/XML, TriG, N-Quads) by ``Accept`` or by extension."""

from __future__ import annotations

import math
from datetime import date, datetime

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime
from markupsafe import Markup, escape

from dialogue_kg.addresses import page_path
from dialogue_kg.core.formats import RDF_FORMATS, Format
from dialogue_kg.core.history import (
    Change,
    Retracted,
    as_of,
    last_state,
    resource_history,
    retracted_history,
)
from dialogue_kg.core.terms import linkable
from dialogue_kg.labels import local_name
from dialogue_kg.namespaces import PREFIXES
from dialogue_kg.namespaces import PROV_IRI as PROV
from dialogue_kg.namespaces import XSD_IRI as XSD
from dialogue_kg.read.describe import (
    DEFAULT_BASE,
    Description,
    Node,
    describe,
    label_map,
    node_of,
    parse_statement,
)
from dialogue_kg.read.overview import page_view
from dialogue_kg.read.schemaorg import schema_jsonld

from . import get_archive, wants_json
from .i18n import current_language
from .memento import decorate as memento_headers

bp = Blueprint("resources", __name__)

BY_EXTENSION: dict[str, Format] = {f.extension: f for f in RDF_FORMATS}
BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in RDF_FORMATS}
BY_MEDIA_TYPE["application/json"] = BY_EXTENSION["jsonld"]
HTML_TYPES = ("text/html", "application/xhtml+xml")


@bp.app_template_global()
def iri_href(iri: str) -> str | None:
    """This app's URL for an IRI it describes (resources, topics, change sets, agents), else
    None: :func:`dialogue_kg.addresses.page_path` under the app's root."""
    path = page_path(iri, get_archive().minter)
    return request.script_root + path if path else None


@bp.app_template_global()
def term(node: Node) -> Markup:
    """A node as HTML: a link to an IRI's page (or to the IRI itself), or a literal's text."""
    if node.is_iri:
        return iri_link(node.value, node.label)
    lang = f' lang="{escape(node.language)}"' if node.language else ""
    return Markup(f"<span{lang}>{escape(literal_text(node.value, node.datatype))}</span>")


@bp.app_template_global()
def iri_link(iri: str, label: str | None = None) -> Markup:
    """A link to an IRI: its page here, else the IRI itself when :func:`linkable` (http,
    https, mailto), else plain text. Every page that shows an IRI as a link goes through it."""
    text = escape(label or iri)
    href = iri_href(iri)
    if href:
        return Markup(f'<a href="{escape(href)}">{text}</a>')
    if linkable(iri):
        return Markup(f'<a href="{escape(iri)}" rel="nofollow">{text}</a>')
    return Markup(text)


@bp.app_template_global()
def literal_text(value: str, datatype: str | None) -> str:
    """A literal as shown to people: dates and times in the visitor's language."""
    try:
        if datatype == XSD + "date":
            return format_date(date.fromisoformat(value), "long")
        if datatype == XSD + "gYearMonth":
            year, month = value.split("-")[:2]
            return format_date(date(int(year), int(month), 1), "LLLL y")
        if datatype == XSD + "dateTime":
            return format_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")), "medium")
    except ValueError:
        pass
    return value


def _negotiate() -> Format | None:
    """The RDF format asked for by ``format=`` or ``Accept`` (None: HTML)."""
    asked = request.args.get("format")
    if asked:
        found = BY_EXTENSION.get(asked) or next((f for f in RDF_FORMATS if f.name == asked), None)
        if found is None:
            abort(400, f"unknown format {asked!r}")
        return found
    offered = [*HTML_TYPES, *BY_MEDIA_TYPE]
    best = request.accept_mimetypes.best_match(offered, default="text/html")
    return None if best in HTML_TYPES else BY_MEDIA_TYPE[best]


def _source(revision: int | None):  # noqa: ANN202 - the archive or a replayed store
    """What to describe from: the archive now, or a replay of it as of ``revision`` (the last
    replay is kept: a cited revision is usually visited page after page)."""
    archive = get_archive()
    if revision is None or revision == archive.revision:
        return archive
    cached = current_app.extensions.get("resources.as_of")
    if cached is not None and cached[0] == revision:
        return cached[1]
    try:
        store = as_of(archive, revision)
    except ValueError as exc:
        abort(400, str(exc))
    current_app.extensions["resources.as_of"] = (revision, store)
    return store


def _revision_arg() -> int | None:
    raw = request.args.get("revision")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        abort(400, "revision must be a whole number")
    return int(raw)


def _serialise(description: Description, fmt: Format) -> bytes:
    if fmt.name in ("trig", "nquads"):  # dataset formats keep each statement's change set
        return ox.serialize(description.quads(), format=fmt.rdf, prefixes=PREFIXES)
    return ox.serialize(description.triples(), format=fmt.rdf, prefixes=PREFIXES)


def _show(iri: str, page_path: str, ext: str | None) -> Response:
    fmt = BY_EXTENSION.get(ext) if ext else None
    if ext and fmt is None:
        abort(404)
    history_view = request.args.get("view") == "history"
    fmt = fmt or (None if history_view else _negotiate())
    revision = asked = _revision_arg()
    archive = get_archive()
    lang = current_language()
    description = describe(_source(revision), iri, lang, archive.minter.provenance_graph)
    gone: Change | None = None
    history: list[Change] | None = None
    if description is None and revision is None:
        # Retracted or reverted: its last state, as of the revision before the retraction.
        kept = current_app.extensions.setdefault("resources.retracted", Retracted())
        history = retracted_history(archive, iri, kept)
    elif description is None:
        # As of a revision after its retraction (a Memento of the retracted page): the same.
        history = [c for c in resource_history(archive, iri) if c.revision <= revision]  # type: ignore[operator]
        history = history if history and history[-1].removed else None
    if history is not None:
        gone, revision = history[-1], history[-1].revision - 1
        last = last_state(archive, history)
        description = describe(last, iri, lang, archive.minter.provenance_graph)
    status = 410 if gone is not None else 200
    if description is None:
        response = Response(render_template("not_found.html", iri=iri, as_of=revision), status=404)
    elif fmt is not None:
        response = Response(_serialise(description, fmt), status, mimetype=fmt.media_type)
        response.headers["Content-Disposition"] = "inline"
    elif history_view:
        history = resource_history(archive, iri) if history is None else history
        response = _history(description, history, gone)
    else:
        page = page_view(_source(revision), description, lang) if gone is None else None
        response = Response(
            render_template(
                f"{page[0]}.html" if page else "resource.html",
                view=page[1] if page else None,
                d=description,
                as_of=revision,
                current=archive.revision,
                gone=gone,
                gone_names=_agent_names([gone] if gone else [], lang),
                schema=None if gone else schema_jsonld(description, request.base_url, lang),
                graph=neighbourhood(description),
                alternates=[(f, f"{page_path}.{f.extension}") for f in RDF_FORMATS],
            ),
            status,
        )
    if gone is not None:
        links = [
            f'<{url_for(".changeset", n=gone.revision)}>; rel="{PROV}wasInvalidatedBy"',
            f'<{request.path}?view=history>; rel="version-history"',
        ]
        response.headers["Link"] = ", ".join(links)
    if description is not None and not history_view:
        space, _, rest = iri[len(DEFAULT_BASE) :].partition("/")
        memento_headers(response, space, f"{rest}.{ext}" if ext else rest, asked)
    response.headers.add("Vary", "Accept")
    return response


def _agent_names(history: list[Change], lang: str) -> dict[str, str]:
    """The names of the agents of ``history`` and of the sources its change sets cite."""
    sources = {s.strip("<>") for c in history for s in c.sources}
    return label_map(get_archive(), {c.agent for c in history} | sources, lang)


def _change_json(c: Change) -> dict[str, object]:
    return {
        "revision": c.revision,
        "changeset": c.changeset,
        "agent": c.agent,
        "time": c.time,
        "sources": [s[1:-1] if s.startswith("<") else s for s in c.sources],
        "comment": c.comment,
        "added": c.added,
        "removed": c.removed,
    }


def _history(description: Description, history: list[Change], gone: Change | None) -> Response:
    """Every change about a resource, as HTML or JSON; a retracted resource's history says
    who retracted it and when."""
    if wants_json():
        return jsonify(
            {
                "iri": description.iri,
                "label": description.label,
                "retracted": _change_json(gone) if gone else None,
                "changes": [_change_json(c) for c in history],
            }
        )
    names = _agent_names(history, current_language())
    return Response(
        render_template(
            "resource_history.html",
            d=description,
            history=history,
            names=names,
            gone=gone,
            said=_said(history, current_language()),
        )
    )


def _said(history: list[Change], lang: str) -> dict[str, tuple[Node, Node, Node]]:
    """Each statement line of ``history`` as labelled (subject, property, value) nodes, so the
    page can say it in words."""
    parsed = {
        line: found
        for c in history
        for line in (*c.added, *c.removed)
        if (found := parse_statement(line)) is not None
    }
    iris = {n.value for triple in parsed.values() for n in triple if n.is_iri}
    names = label_map(get_archive(), iris, lang)
    for subject, predicate, value in parsed.values():
        predicate.label = names.get(predicate.value) or local_name(predicate.value)
        for node in (subject, value):
            if node.is_iri:
                node.label = names.get(node.value)
    return parsed


def _split(rest: str) -> tuple[str, str | None]:
    """``agreement/x.ttl`` → (``agreement/x``, ``ttl``); slugs never hold a dot."""
    head, dot, ext = rest.rpartition(".")
    if dot and "/" not in ext:
        return head, ext
    return rest, None


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """A resource of the archive at its IRI path, in the format asked for."""
    rest, ext = _split(rest)
    return _show(DEFAULT_BASE + "id/" + rest, url_for(".resource", rest=rest), ext)


@bp.get("/topic/<path:rest>")
def topic(rest: str) -> Response:
    """A topic of the archive's scheme, like any resource."""
    rest, ext = _split(rest)
    return _show(DEFAULT_BASE + "topic/" + rest, url_for(".topic", rest=rest), ext)


@bp.get("/changeset/<int:n>")
def changeset(n: int) -> Response:
    """One change set: who, when, from which sources, why, and what it added and removed."""
    archive = get_archive()
    if not 1 <= n <= archive.revision:
        return Response(
            render_template("not_found.html", iri=archive.minter.changeset(n), as_of=None),
            status=404,
        )
    record = next(archive.records(n, n))
    limit = 300
    added, removed = record.added(), record.removed()
    rows = {
        "added": [[node_of(t) for t in (q.subject, q.predicate, q.object)] for q in added[:limit]],
        "removed": [
            [node_of(t) for t in (q.subject, q.predicate, q.object)] for q in removed[:limit]
        ],
    }
    sources = [Node(s[1:-1] if s.startswith("<") else s, True) for s in record.sources]
    agent = Node(record.agent, True)
    every = [agent, *sources, *(n for r in (*rows["added"], *rows["removed"]) for n in r)]
    names = label_map(archive, {n.value for n in every if n.is_iri}, current_language())
    for node in every:
        if node.is_iri:
            node.label = names.get(node.value)
    return Response(
        render_template(
            "changeset.html",
            record=record,
            agent=agent,
            sources=sources,
            rows=rows,
            n_added=len(added),
            n_removed=len(removed),
        )
    )


def neighbourhood(description: Description, width: int = 560, height: int = 380) -> dict:
    """A radial layout of the resource and its neighbours for the page's small SVG graph."""
    neighbours = description.neighbours()
    cx, cy = width / 2, height / 2
    nodes = []
    for i, (node, prop, out) in enumerate(neighbours):
        angle = 2 * math.pi * i / max(len(neighbours), 1) - math.pi / 2
        nodes.append(
            {
                "x": round(cx + (cx - 100) * math.cos(angle), 1),
                "y": round(cy + (cy - 30) * math.sin(angle), 1),
                "label": _short(node.text),
                "title": node.text,
                "href": iri_href(node.value),
                "property": prop,
                "outgoing": out,
            }
        )
    return {
        "width": width,
        "height": height,
        "cx": cx,
        "cy": cy,
        "nodes": nodes,
        "label": _short(description.label),
    }


def _short(text: str, width: int = 26) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
