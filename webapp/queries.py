"""Saved queries for people: the catalogue, one query run as a table (or in any result format),
and the YASGUI workbench pointed at /sparql with the catalogue beside it."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from dialogue_kg.addresses import page_prefixes, resolve
from dialogue_kg.core.formats import RDF_FORMATS, RESULT_FORMATS
from dialogue_kg.core.store.base import QueryTimeout
from dialogue_kg.labels import LANGUAGES, names_like
from dialogue_kg.protocol import queries
from dialogue_kg.protocol.result_table import from_sparql_json
from dialogue_kg.protocol.workers import QueryFailed, QueryRequest

from . import get_archive, wants_json
from .i18n import current_language
from .sparql import run_query

bp = Blueprint("queries", __name__)

# What a page asks for when it shows a result to a person: a table for SELECT/ASK, Turtle otherwise.
_FOR_PEOPLE = ("application/sparql-results+json", "text/turtle")
_RESERVED = {"format", "lang", "saved"}


def _saved(name: str) -> queries.SavedQuery:
    try:
        return queries.load(name)
    except ValueError:
        abort(404, description=f"no saved query {name!r}")


def _values(saved: queries.SavedQuery) -> dict[str, str]:
    """The parameter values given in the URL (only those the query declares). A resource may
    be named by its IRI, the address of its page here, a prefixed name or its exact name; the
    value bound is its IRI (a name nothing matches is left as typed, and refused by bind)."""
    params = {p.name: p for p in saved.parameters if p.name not in _RESERVED}
    values = {k: v for k, v in request.args.items() if k in params and v.strip()}
    for name, value in values.items():
        if params[name].is_iri:
            found = resolve(get_archive(), value, like=params[name].default_value)
            values[name] = found or value
    return values


def _choices(saved: queries.SavedQuery) -> dict[str, list[str]]:
    """For each IRI parameter, the names of the resources of its default's kind (to pick)."""
    archive, lang = get_archive(), current_language()
    return {
        p.name: names_like(archive, p.default_value, lang) for p in saved.parameters if p.is_iri
    }


def _entry(saved: queries.SavedQuery) -> dict[str, object]:
    """A saved query as JSON: header (English, and in each of the archive's languages),
    parameters with defaults, text and links."""
    return {
        "name": saved.name,
        "title": saved.title,
        "description": saved.description,
        "titles": {tag: saved.title_in(tag)[0] for tag in LANGUAGES},
        "descriptions": {tag: saved.description_in(tag)[0] for tag in LANGUAGES},
        "form": saved.form,
        "parameters": [
            {"name": p.name, "description": p.description, "default": p.default_value}
            for p in saved.parameters
        ],
        "text": saved.text,
        "url": url_for("queries.show", name=saved.name),
        "workbench": url_for("queries.workbench", saved=saved.name),
    }


@bp.get("/queries")
def catalogue():  # noqa: ANN201
    """Every saved query: title, description, parameters, text, and links to run it."""
    saved = queries.catalogue()
    if wants_json():
        return jsonify([_entry(q) for q in saved])
    return render_template("queries/catalogue.html", saved=saved)


@bp.get("/queries/<name>")
def show(name: str):  # noqa: ANN201
    """Run one saved query (with any parameters from the URL) and show its answer as a table;
    ``?format=json|xml|csv|tsv|turtle|…`` (or an ``Accept`` that prefers one of those to HTML)
    answers in that format instead, as /sparql would."""
    saved = _saved(name)
    values = _values(saved)
    fmt = request.args.get("format")
    offered = ["text/html", *(f.media_type for f in (*RESULT_FORMATS, *RDF_FORMATS))]
    wanted = request.accept_mimetypes.best_match(offered, default="text/html")
    if not fmt and wanted != "text/html":
        fmt = wanted
    try:
        text = saved.bind(values)
    except ValueError as exc:
        if fmt:
            return Response(f"{exc}\n", 400, mimetype="text/plain")
        return render_template("queries/show.html", saved=saved, values=values, error=str(exc)), 400
    try:
        found = run_query(
            QueryRequest(
                text,
                formats=(fmt,) if fmt else (),
                accepted=() if fmt else _FOR_PEOPLE,
                max_bytes=get_archive().settings.max_result_bytes,
            )
        )
    except (QueryFailed, QueryTimeout) as exc:
        if fmt:
            return Response(f"{exc}\n", exc.status, mimetype="text/plain")
        return render_template(
            "queries/show.html", saved=saved, values=values, text=text, error=str(exc)
        ), exc.status
    if fmt:
        return Response(found.body, 200, mimetype=found.media_type)
    table = graph = None
    if found.media_type == "application/sparql-results+json":
        table = from_sparql_json(found.body)
    else:
        graph = found.body.decode("utf-8")
    return render_template(
        "queries/show.html",
        saved=saved,
        values=values,
        text=text,
        table=table,
        graph=graph,
        choices=_choices(saved),
    )


@bp.get("/query")
def workbench():  # noqa: ANN201
    """YASGUI on /sparql; ``?saved=NAME`` (and its parameters) puts that query in the editor."""
    chosen = None
    name = request.args.get("saved")
    if name:
        saved = _saved(name)
        try:
            chosen = {"name": saved.name, "text": saved.bind(_values(saved))}
        except ValueError as exc:
            abort(400, description=str(exc))
    root = request.script_root
    config = {
        "endpoint": url_for("sparql.sparql"),
        # IRI prefix → path of the pages here (dialogue_kg.addresses): result links stay local.
        "pages": [[iri, root + path] for iri, path in page_prefixes(get_archive().minter)],
        "labels": {
            "editor": _("SPARQL query"),
            "endpoint": _("Endpoint"),
            "filter": _("Filter the results"),
            "tabName": _("Name of the tab"),
        },
        "saved": chosen,
        "catalogue": [
            {"name": q.name, "title": q.title_in(current_language())[0], "text": q.text}
            for q in queries.catalogue()
        ],
    }
    return render_template("queries/workbench.html", config=config, saved=queries.catalogue())
