"""Search across the archive: ``/search?q=…`` as a page grouped by kind, or JSON."""

from __future__ import annotations

import threading

from flask import Blueprint, current_app, jsonify, render_template, request

from dialogue_kg.read.search import SearchIndex

from . import get_archive, limit_arg, wants_json
from .i18n import current_language

bp = Blueprint("search", __name__)
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_open_lock = threading.Lock()


def get_search() -> SearchIndex:
    """The app's search index (opened on first use, kept in the data directory)."""
    index = current_app.extensions.get("search")
    if index is None:
        with _open_lock:
            index = current_app.extensions.get("search")
            if index is None:
                index = current_app.extensions["search"] = SearchIndex(get_archive())
    return index


@bp.get("/search")
def search():  # noqa: ANN201
    """Resources whose names, alternative names or summaries match ``q``, best first."""
    query = request.args.get("q", "").strip()
    limit = limit_arg(DEFAULT_LIMIT, MAX_LIMIT)
    results = get_search().search(query, current_language(), limit) if query else None
    if wants_json():
        hits = results.hits if results else []
        return jsonify(
            {
                "query": query,
                "revision": results.revision if results else get_archive().revision,
                "count": len(hits),
                "results": [h.as_json() for h in hits],
                "groups": [
                    {"kind": g.kind, "label": g.label, "results": [h.as_json() for h in g.hits]}
                    for g in (results.groups() if results else [])
                ],
            }
        )
    return render_template("search.html", query=query, results=results)
