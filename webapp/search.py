"""Search across the archive: ``/search?q=…`` as a page grouped by kind, or JSON."""

from __future__ import annotations

import threading

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from dialogue_kg.read.search import SearchIndex

from . import get_archive, wants_json
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


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        abort(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


@bp.get("/search")
def search():  # noqa: ANN201
    """Resources whose names, alternative names or summaries match ``q``, best first."""
    query = request.args.get("q", "").strip()
    limit = _limit()
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
