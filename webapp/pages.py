"""Pages for people: the home page."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l

from dialogue_kg.read.stats import headline_figures

from . import get_archive, wants_json

bp = Blueprint("pages", __name__)

# The ways into the archive: (endpoint, title, what a newcomer finds there). Only those whose
# endpoint is registered are shown.
WAYS = (
    (
        "explore.explore",
        _l("Explore the graph"),
        _l(
            "Who met whom and what was agreed, as an interactive network that can be played "
            "through the years."
        ),
    ),
    (
        "timeline.timeline",
        _l("Timeline"),
        _l("Meetings, agreements and implementation events on one time axis."),
    ),
    (
        "agreements.catalogue",
        _l("Agreements"),
        _l("Every agreement and sub-agreement by year, type, status and topic."),
    ),
    ("reports.index", _l("Reports"), _l("Summaries computed from the archive.")),
    (
        "queries.catalogue",
        _l("Saved queries"),
        _l("Questions scholars ask, answered from the archive."),
    ),
    (
        "queries.workbench",
        _l("Query workbench"),
        _l("Write and run your own SPARQL queries in the browser."),
    ),
    ("sparql.sparql", _l("SPARQL endpoint"), _l("The SPARQL 1.1 Protocol, for your own tools.")),
)


@bp.get("/")
def home():  # noqa: ANN201
    """What the archive is, its headline figures, and the ways in (HTML or JSON)."""
    archive = get_archive()
    # Counting every statement takes a while on a large archive; the figures change only with
    # the revision, so they are kept for it.
    cached = current_app.extensions.get("pages.figures")
    if cached is None or cached.revision != archive.revision:
        cached = current_app.extensions["pages.figures"] = headline_figures(archive)
    figures = cached
    if wants_json():
        return jsonify(vars(figures))
    ways = [w for w in WAYS if w[0] in current_app.view_functions]
    return render_template("home.html", figures=figures, ways=ways)


# The main navigation's labels (webapp.NAV, translated in base.html), listed here so that
# ``make translations`` extracts them into the catalogues.
NAV_LABELS = (
    _l("Explore"),
    _l("Timeline"),
    _l("Agreements"),
    _l("Reports"),
    _l("Queries"),
    _l("Workbench"),
    _l("Desk"),
)
