"""The archivists' desk: recent change sets (the audit trail, with filters) and the archive's
integrity status; HTML, or JSON with ``?format=json``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from dialogue_kg.write.audit import Filters, IntegrityCache, changes

from . import get_archive, wants_json
from .auth import archivist_required

bp = Blueprint("desk", __name__)

PAGE = 50
# Statements shown per change set when there is no change-set page to link to.
SHOWN = 20


def _integrity() -> IntegrityCache:
    return current_app.extensions.setdefault("dkg_integrity", IntegrityCache())


def _changeset_pages() -> bool:
    """True when some blueprint serves /changeset/<n> (the pages engineer's route)."""
    return any(r.rule.startswith("/changeset/<") for r in current_app.url_map.iter_rules())


@bp.get("/desk")
@archivist_required
def index() -> Any:
    """The audit page: recent change sets, filtered, and the integrity status."""
    archive = get_archive()
    args = request.args
    filters = Filters(
        archivist=args.get("archivist", "").strip() or None,
        since=args.get("since", "").strip() or None,
        until=args.get("until", "").strip() or None,
        resource=args.get("resource", "").strip() or None,
        limit=PAGE,
        offset=max(args.get("offset", 0, type=int), 0),
    )
    error = None
    try:
        entries = changes(archive, filters)
    except ValueError as exc:
        entries, error = [], str(exc)
    integrity = _integrity().status(archive, refresh=args.get("verify") == "1")
    if wants_json():
        return jsonify(
            changesets=[e.as_dict() for e in entries],
            integrity=integrity.as_dict(),
            revision=archive.revision,
            head=archive.head,
            error=error,
        )
    linked = _changeset_pages()
    statements: dict[int, tuple[list[str], list[str]]] = {}
    if not linked:
        for e in entries:
            record = next(archive.records(e.revision, e.revision))
            added = [f"{q} ." for q in record.added()[:SHOWN]]
            removed = [f"{q} ." for q in record.removed()[:SHOWN]]
            statements[e.revision] = (added, removed)
    checked = datetime.fromtimestamp(integrity.checked_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        render_template(
            "desk/index.html",
            entries=entries,
            filters=filters,
            integrity=integrity,
            checked=checked,
            linked=linked,
            statements=statements,
            shown=SHOWN,
            error=error,
            page=PAGE,
        ),
        400 if error else 200,
    )
