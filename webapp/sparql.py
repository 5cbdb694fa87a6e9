"""The SPARQL endpoint (read-only): GET or POST ``query=``, results as SPARQL JSON."""

from __future__ import annotations

from flask import Blueprint, Response, request

from dialogue_kg.formats import by_name
from dialogue_kg.guard import QueryRefused
from dialogue_kg.results import is_graph_result, serialize

from . import get_archive

bp = Blueprint("sparql", __name__)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer one SPARQL query on the union of the change-set graphs."""
    queries = request.values.getlist("query")
    if len(queries) != 1:
        return Response("give exactly one 'query' parameter\n", 400, mimetype="text/plain")
    try:
        result = get_archive().query(queries[0])
    except SyntaxError as exc:
        return Response(f"query syntax error: {exc}\n", 400, mimetype="text/plain")
    except QueryRefused as exc:
        return Response(f"{exc}\n", 403, mimetype="text/plain")
    fmt = by_name("turtle" if is_graph_result(result) else "json")
    return Response(serialize(result, fmt), 200, mimetype=fmt.media_type)
