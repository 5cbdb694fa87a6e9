"""Report pages: figures and plots computed from the graph, each with the SPARQL query or the
analysis call that produced it. HTML, JSON (``?format=json``) and the plot as SVG."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from dialogue_kg.analysis.reports import REPORTS, TITLES, UNSPECIFIED, Report, build_report

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
# The sentence under each plot: what one mark stands for and how to read it.
CAPTIONS = {
    "agreements-per-year": _l(
        "Each bar is one year, every year from the first agreement to the last, years without "
        "one included; its height is the number of agreements and sub-agreements concluded that "
        "year, coloured by type (political, technical, or not classified where no source gives "
        "a type)."
    ),
    "meetings-per-year": _l(
        "Each bar is one year, every year from the first meeting to the last, years without one "
        "included; its height is the number of meetings held that year, coloured by level (not "
        "classified where the level is not recorded)."
    ),
    "implementation": _l(
        "Each line is one agreement as one party or observer assessed it; each mark is one "
        "assessment on its date, coloured by the status it reports: a diamond when a party to "
        "the agreement made it, a circle otherwise."
    ),
    "outreach": _l(
        "For each category the source reports, the upper bar is the number it claims and the "
        "lower bar the number of its activities the archive itemises; totals the archive cannot "
        "itemise (participants, member organisations) are only in the table."
    ),
    "central-actors": _l(
        "For each period, the actors who shared the most meetings with others (strength: shared "
        "meetings summed over their links). All panels share one scale, so bars compare across "
        "periods."
    ),
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
    _name_unspecified(report)
    from dialogue_kg.analysis.plots import render  # matplotlib: loaded at the first plot

    found = (report, render(report, gettext))
    with _LOCK:
        _CACHE[key] = found
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return found


def _name_unspecified(report: Report) -> None:
    """The category of resources that record none, named in the visitor's language."""
    named = gettext("Not classified")
    for row in report.rows:
        for key, value in row.items():
            if value == UNSPECIFIED:
                row[key] = named


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
        caption=CAPTIONS.get(name, ""),
        options=_options(name),
    )


@bp.get("/reports/<name>/plot.svg")
def plot(name: str) -> Response:
    """The report's plot as an SVG image."""
    _, svg = _report(name)
    return Response(svg, 200, mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})
