"""Citations of resources: ``/cite?iri=…&format=text|bibtex|ris|csl-json`` as a download, and
the same texts for the pages' "Cite this" blocks."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request

from dialogue_kg.read.citation import FORMATS, Citation, citation, render
from dialogue_kg.read.describe import Description, describe

from . import get_archive
from .i18n import current_language
from .resources import iri_href

bp = Blueprint("cite", __name__)


def _citation(d: Description, revision: int) -> Citation:
    path = iri_href(d.iri) or ""
    page = request.host_url.rstrip("/") + path if path else d.iri
    return citation(d, revision, page, datetime.now(UTC).date())


@bp.app_template_global()
def citations(d: Description, revision: int) -> dict[str, str]:
    """The resource's citation in every format, for a page's "Cite this" block."""
    c = _citation(d, revision)
    return {fmt: render(c, fmt) for fmt in FORMATS}


@bp.get("/cite")
def cite() -> Response:
    """One resource's citation as a file to save (the current revision)."""
    iri = request.args.get("iri", "")
    fmt = request.args.get("format", "text")
    if fmt not in FORMATS:
        abort(400, f"format must be one of {', '.join(FORMATS)}")
    archive = get_archive()
    d = describe(archive, iri, current_language(), archive.minter.provenance_graph)
    if d is None or iri_href(iri) is None:
        abort(404, "the archive has no page for this IRI")
    c = _citation(d, archive.revision)
    media_type, extension = FORMATS[fmt]
    response = Response(render(c, fmt), mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{c.key}.{extension}"'
    return response
