"""Downloads: the whole archive as TriG or N-Quads (current or ?revision=N), and its VoID/DCAT
description at /.well-known/void."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request

from dialogue_kg.core.formats import RDF_FORMATS, by_name
from dialogue_kg.read.export import export
from dialogue_kg.read.void import describe

from . import get_archive

bp = Blueprint("dumps", __name__)
_EXTENSIONS = {"trig": "trig", "nq": "nquads"}


@bp.get("/dumps/archive.<ext>")
def dump(ext: str) -> Response:
    """The archive as a dataset file, with the change-set graphs kept."""
    if ext not in _EXTENSIONS:
        abort(404)
    revision = request.args.get("revision", type=int)
    archive = get_archive()
    try:
        data = export(archive, by_name(_EXTENSIONS[ext]), revision)
    except ValueError as exc:
        return Response(f"{exc}\n", 400, mimetype="text/plain")
    fmt = by_name(_EXTENSIONS[ext])
    name = f"dialogue-kg-r{revision if revision is not None else archive.revision}.{ext}"
    return Response(
        data,
        200,
        mimetype=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/.well-known/void")
def void() -> Response:
    """VoID/DCAT description (Turtle by default, any RDF format by Accept or ?format=)."""
    wanted = request.args.get("format")
    fmt = next((f for f in RDF_FORMATS if wanted in (f.name, f.media_type)), None)
    if fmt is None:
        media = request.accept_mimetypes.best_match([f.media_type for f in RDF_FORMATS])
        fmt = next((f for f in RDF_FORMATS if f.media_type == media), by_name("turtle"))
    triples = describe(get_archive(), request.url_root)
    if fmt.rdf.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    return Response(ox.serialize(triples, format=fmt.rdf), 200, mimetype=fmt.media_type)
