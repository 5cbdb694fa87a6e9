"""Report pages: figures and plots computed from the graph, each with the SPARQL query or the
analysis call that produced it. HTML, JSON (``?format=json``) and the plot as SVG."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext

from dialogue_kg.analysis.plots import render
from dialogue_kg.analysis.reports import REPORTS, TITLES, Report, build_report

from . import get_archive, wants_json
from .i18n import current_language

bp = Blueprint("reports", __name__)

# What each report shows, for the index and the page's lead paragraph.
DESCRIPTIONS = {
    "agreements-per-year": "Agreements and sub-agreements reached each year, political or "
    "technical.",
    "implementation": "Each agreement's implementation events over time; the parties' own "
    "assessments beside everyone else's.",
    "meetings-per-year": "Negotiation meetings each year, by level.",
    "outreach": "Outreach activities per type, and the KSPAG report's overview reproduced: "
    "what it claims against what the archive itemises.",
    "central-actors": "The actors at the centre of the meeting network in each period.",
}
_CACHE: OrderedDict[tuple, tuple[Report, str]] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def _options(name: str) -> dict[str, Any]:
    """Report options from the query string (only ``years`` for central actors)."""
    if name != "central-actors" or "years" not in request.args:
        return {}
    years = request.args.get("years", type=int)
    if years is None or not 1 <= years <= 20:
        abort(Response("years must be a whole number from 1 to 20\n", 400, mimetype="text/plain"))
    return {"years": years}


def _report(name: str) -> tuple[Report, str]:
    """The report and its SVG plot, computed once per archive revision, language and options."""
    if name not in REPORTS:
        abort(404)
    archive = get_archive()
    options = _options(name)
    lang = current_language()
    key = (id(archive), archive.revision, name, lang, tuple(sorted(options.items())))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    report = build_report(archive, name, lang, **options)
    found = (report, render(report, gettext))
    with _LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _document(report: Report) -> dict[str, Any]:
    """The JSON form of a report: its rows and how to reproduce them."""
    return {
        **asdict(report),
        "revision": get_archive().revision,
        "sparql_links": [url_for("sparql.sparql", query=q, _external=True) for q in report.queries],
        "plot": url_for("reports.plot", name=report.name, _external=True),
    }


@bp.get("/reports")
def index():  # noqa: ANN201
    """The list of reports."""
    entries = [
        {"name": name, "title": TITLES[name], "description": DESCRIPTIONS.get(name, "")}
        for name in REPORTS
    ]
    if wants_json():
        return jsonify(
            [
                {**e, "url": url_for("reports.report", name=e["name"], _external=True)}
                for e in entries
            ]
        )
    return render_template("reports/index.html", entries=entries)


@bp.get("/reports/<name>")
def report(name: str):  # noqa: ANN201
    """One report: its plot, its table and how it was made."""
    found, _ = _report(name)
    if wants_json():
        return jsonify(_document(found))
    return render_template(
        f"reports/{name}.html" if name in ("implementation", "outreach") else "reports/table.html",
        report=found,
        description=DESCRIPTIONS.get(name, ""),
        options=_options(name),
    )


@bp.get("/reports/<name>/plot.svg")
def plot(name: str) -> Response:
    """The report's plot as an SVG image."""
    _, svg = _report(name)
    return Response(svg, 200, mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})
