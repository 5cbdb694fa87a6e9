"""Who recorded what: an agent's page lists the change sets it recorded, newest first, as HTML
for people and JSON for scripts (``?format=json`` or ``Accept: application/json``)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from dialogue_kg.write.audit import Filters, changes

from . import get_archive, wants_json

bp = Blueprint("agents", __name__)

PAGE = 50


@bp.get("/agent/<path:name>")
def agent(name: str) -> Response:
    """The change sets recorded by the agent ``name`` (a user name or a tool's name)."""
    archive = get_archive()
    iri = archive.minter.agent(name)
    offset = max(request.args.get("offset", 0, type=int), 0)
    entries = changes(archive, Filters(archivist=iri, limit=PAGE, offset=offset))
    if not entries and offset == 0:
        return Response(render_template("not_found.html", iri=iri, as_of=None), status=404)
    older = url_for(".agent", name=name, offset=offset + PAGE) if len(entries) == PAGE else None
    newer = url_for(".agent", name=name, offset=max(offset - PAGE, 0)) if offset else None
    if wants_json():
        return jsonify(
            agent=iri,
            name=entries[0].archivist if entries else name,
            changesets=[e.as_dict() for e in entries],
            offset=offset,
            limit=PAGE,
            older=older,
            newer=newer,
        )
    return Response(
        render_template("agent.html", iri=iri, name=name, entries=entries, older=older, newer=newer)
    )
