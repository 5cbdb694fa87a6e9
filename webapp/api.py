"""The JSON/HTTP API for scripts: post change sets, list and read them, revert, retract, bulk
import. Authenticated by an API token (``Authorization: Bearer …``) or a session plus CSRF token.

Every write answers 201 with the change set's IRI in ``Location`` and the journal head in
``ETag``; pass that head back in ``If-Match`` to be told (409) when someone else wrote meanwhile.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from dialogue_kg.core.changeset import read_changesets
from dialogue_kg.core.formats import RDF_FORMATS
from dialogue_kg.core.history import with_statements
from dialogue_kg.core.journal import ConflictError, Record
from dialogue_kg.write import bulk, editing
from dialogue_kg.write.audit import Filters, changes, since_head

from . import get_archive, writes_only
from .auth import archivist_required, editor_required
from .errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api")

# The formats a change set is posted in (RDF/XML is served, not taken), from the one table.
RDF_TYPES = {f.media_type for f in RDF_FORMATS if f.name != "rdfxml"}


def _json(status: int, **body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def expected_head() -> Any:
    """The journal head the client last saw (``If-Match``), or ``...`` when it gave none."""
    value = request.headers.get("If-Match")
    if not value or value.strip() == "*":
        return ...
    return value.strip().removeprefix("W/").strip('"')


def sources_and_comment() -> tuple[list[str], str | None]:
    """``source`` (repeatable) and ``comment`` from the query string, form or headers."""
    sources = request.args.getlist("source") + request.headers.getlist("DKG-Source")
    if not sources and request.mimetype in ("application/x-www-form-urlencoded",):
        sources = request.form.getlist("source")
    comment = request.args.get("comment") or request.headers.get("DKG-Comment")
    if comment is None and request.mimetype == "application/x-www-form-urlencoded":
        comment = request.form.get("comment")
    return [s.strip() for s in sources if s.strip()], comment


def written(records: list[Record]) -> Response:
    """201: the new change sets, ``Location`` the first one's IRI, ``ETag`` the new head."""
    archive = get_archive()
    response = _json(
        201,
        changesets=[
            {
                "iri": r.changeset,
                "revision": r.revision,
                "time": r.time,
                "agent": r.agent,
                "added": r.n_added,
                "removed": r.n_removed,
            }
            for r in records
        ],
        head=archive.head,
        revision=archive.revision,
    )
    response.headers["Location"] = records[0].changeset
    response.headers["ETag"] = f'"{archive.head}"'
    return response


@bp.post("/changesets")
@writes_only
@archivist_required
def post_changeset() -> Response:
    """Record a change set posted as TriG, Turtle, N-Quads, N-Triples or JSON-LD."""
    if request.mimetype not in RDF_TYPES:
        return _json(415, error=f"send RDF as one of: {', '.join(sorted(RDF_TYPES))}")
    archive = get_archive()
    try:
        data = request.get_data()
        sources, comment = sources_and_comment()
        changesets = read_changesets(
            data,
            archive.minter,
            fmt=request.mimetype,
            sources=sources,
            comment=comment,
            name="request body",
            max_depth=archive.settings.max_nesting,
        )
        records = archive.commit(
            changesets, agent=current_user.agent_iri, expected_head=expected_head()
        )
    except ConflictError as exc:
        # Show what changed since the client's head, for the resources it was writing.
        response = error_response(exc)
        subjects = {s for cs in changesets for s in cs.subjects()}
        body = response.get_json()
        body["since"] = since_head(archive, expected_head(), subjects)
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response
    return written(records)


@bp.get("/changesets")
def list_changesets() -> Response:
    """Recent change sets, newest first: ``archivist``, ``since``, ``until``, ``resource``,
    ``limit`` (≤ 1000) and ``offset``."""
    archive = get_archive()
    try:
        filters = Filters(
            archivist=request.args.get("archivist") or None,
            since=request.args.get("since") or None,
            until=request.args.get("until") or None,
            resource=request.args.get("resource") or None,
            limit=min(int(request.args.get("limit", 100)), 1000),
            offset=max(int(request.args.get("offset", 0)), 0),
        )
        found = changes(archive, filters)
    except ValueError as exc:
        return _json(400, error=str(exc))
    response = _json(
        200, head=archive.head, revision=archive.revision, changesets=[e.as_dict() for e in found]
    )
    response.headers["ETag"] = f'"{archive.head}"'
    return response


@bp.get("/changesets/<int:revision>")
def get_changeset(revision: int) -> Response:
    """One change set: who, when, source, comment, and its statements (N-Triples lines)."""
    archive = get_archive()
    if not 1 <= revision <= archive.revision:
        return _json(404, error=f"no change set {revision}")
    record = next(archive.records(revision, revision))
    change = dict(vars(with_statements(record)))
    return _json(200, iri=change.pop("changeset"), digest=record.digest, **change)


@bp.post("/changesets/<int:revision>/revert")
@editor_required
def revert_changeset(revision: int) -> Response:
    """Undo a change set with a new change set (editors only); history keeps both."""
    _sources, comment = sources_and_comment()
    records = editing.revert(get_archive(), revision, agent=current_user.agent_iri, comment=comment)
    return written(records)


@bp.post("/resources/retract")
@archivist_required
def retract_resource() -> Response:
    """Retract every current statement about ``iri`` (kept in history); needs a ``source``."""
    iri = request.args.get("iri", "").strip()
    sources, comment = sources_and_comment()
    if not iri:
        return _json(400, error="give the resource as ?iri=")
    records = editing.retract(
        get_archive(), iri, agent=current_user.agent_iri, sources=sources, comment=comment
    )
    return written(records)


@bp.post("/import/meetings")
@archivist_required
def import_meetings() -> Response:
    """Bulk import of meetings from CSV or YAML; ``dry_run=1`` reports every problem, writes
    nothing; otherwise all or nothing."""
    archive = get_archive()
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    data = request.get_data()
    kind = bulk.kind_of(request.mimetype, request.args.get("format"))
    plan = bulk.plan_meetings(archive, data, kind)
    if dry_run or plan.problems:
        status = 200 if not plan.problems else 422
        return _json(
            status,
            dry_run=dry_run,
            meetings=len(plan.rows),
            statements=plan.statements,
            problems=[p.as_dict() for p in plan.problems],
        )
    records = bulk.apply(archive, plan, agent=current_user.agent_iri)
    return written(records)
