"""The timeline: meetings, agreements and implementation events on a zoomable time axis
(vis-timeline, served by this app), filterable by topic and kind; HTML or JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from dialogue_kg.read.timeline import KINDS
from dialogue_kg.read.timeline import timeline as read_timeline

from . import get_archive, wants_json
from .i18n import current_language
from .resources import iri_href

bp = Blueprint("timeline", __name__)


@bp.get("/timeline")
def timeline():  # noqa: ANN201
    """The timeline page (its data in a JSON block), or the data alone with ``format=json``."""
    data = read_timeline(get_archive(), current_language())
    kinds = {k for k in request.args.getlist("kind") if k in KINDS.values()}
    topic = request.args.get("topic") or None
    items = [{**vars(i), "href": iri_href(i.iri)} for i in data.select(kinds or None, topic)]
    payload = {"items": items, "topics": data.topics}
    if wants_json():
        return jsonify(payload)
    return render_template(
        "timeline.html",
        payload=payload,
        items=items,
        topics=data.topics,
        kinds=kinds,
        topic=topic,
    )
