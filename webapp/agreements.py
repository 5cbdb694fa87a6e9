"""The agreements catalogue: filter by year, type, status and topic; HTML or JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from dialogue_kg.read.catalogue import catalogue as read_catalogue

from . import get_archive, wants_json
from .i18n import current_language

bp = Blueprint("agreements", __name__)
FILTERS = ("year", "type", "status", "topic")


@bp.get("/agreements")
def catalogue():  # noqa: ANN201
    """Agreements and their sub-agreements, as filtered by the query string."""
    cat = read_catalogue(get_archive(), current_language())
    chosen = {k: request.args.get(k) or None for k in FILTERS}
    selected = cat.select(
        year=chosen["year"], nature=chosen["type"], status=chosen["status"], topic=chosen["topic"]
    )
    tree = cat.tree(selected)
    if wants_json():
        return jsonify(
            {
                "filters": chosen,
                "years": cat.years,
                "count": len(selected),
                "labels": {k: v for k, v in cat.labels.items()},
                "agreements": [a.as_json() for a in tree],
            }
        )
    return render_template(
        "agreements.html", cat=cat, tree=tree, count=len(selected), chosen=chosen
    )
