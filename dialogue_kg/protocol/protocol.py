"""The SPARQL 1.1 Protocol, minus HTTP: reading a request's parameters, choosing the result
format, and describing the service. The web app's view only moves bytes in and out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from dialogue_kg.core.formats import RDF_FORMATS, RESULT_FORMATS, Format, by_name
from dialogue_kg.errors import DialogueKGError

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


class ProtocolError(DialogueKGError, ValueError):
    """A request the protocol does not allow; ``status`` is the HTTP status to answer with."""

    kind = "protocol"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status)


@dataclass
class ProtocolRequest:
    """What a SPARQL protocol request asks for."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def read_request(
    method: str,
    content_type: str | None,
    args: Callable[[str], list[str]],
    form: Callable[[str], list[str]],
    body: bytes,
) -> ProtocolRequest:
    """The operation a request carries; ProtocolError for anything the protocol forbids.

    ``args``/``form`` give every value of a URL/form parameter; ``body`` is the raw request body.
    """
    mime = (content_type or "").split(";")[0].strip().lower()
    req = ProtocolRequest(
        default_graphs=args("default-graph-uri"), named_graphs=args("named-graph-uri")
    )
    if method == "GET":
        if args("update"):
            raise ProtocolError(405, "SPARQL Update must be sent with POST, not GET")
        req.query = _one(args("query"), "query", allow_none=True)
        return _checked_graphs(req)
    if method != "POST":
        raise ProtocolError(405, f"{method} is not a SPARQL protocol method; use GET or POST")
    if mime == FORM:
        req.default_graphs += form("default-graph-uri")
        req.named_graphs += form("named-graph-uri")
        queries, updates = form("query") + args("query"), form("update")
        if queries and updates:
            raise ProtocolError(400, "give either 'query' or 'update', not both")
        if updates:
            req.update = _one(updates, "update")
        else:
            req.query = _one(queries, "query")
        return _checked_graphs(req)
    if mime in (QUERY_TYPE, UPDATE_TYPE):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(400, f"the request body is not UTF-8: {exc}") from None
        if mime == QUERY_TYPE:
            req.query = text
        else:
            req.update = text
        return _checked_graphs(req)
    raise ProtocolError(
        415,
        f"unsupported content type {mime or '(none)'!r}: "
        f"POST {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
    )


def _checked_graphs(req: ProtocolRequest) -> ProtocolRequest:
    """The request, once every ``default-graph-uri`` and ``named-graph-uri`` is an absolute IRI
    (checked by Oxigraph's IRI parser, the one the query engine uses)."""
    for name, values in (
        ("default-graph-uri", req.default_graphs),
        ("named-graph-uri", req.named_graphs),
    ):
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as exc:
                raise ProtocolError(400, f"{name} {value[:200]!r} is not an IRI: {exc}") from None
    return req


def _one(values: list[str], name: str, allow_none: bool = False) -> str | None:
    if not values:
        if allow_none:
            return None
        raise ProtocolError(400, f"missing '{name}' parameter")
    if len(values) > 1:
        raise ProtocolError(400, f"give exactly one '{name}' parameter, not {len(values)}")
    return values[0]


def candidates(graph_result: bool) -> list[Format]:
    """The formats a result can be written in, the default first."""
    return list(RDF_FORMATS if graph_result else RESULT_FORMATS)


def choose_format(
    graph_result: bool, formats: Sequence[str], accepted: Sequence[str] = ()
) -> Format:
    """The format asked for by ``formats`` (``format=`` values, names or media types), else the
    first of ``accepted`` (media types the client takes, best first, as the web edge read them
    from ``Accept``) that fits the result; else the result's default format.

    ``format`` may be given several times (SPARQLWrapper sends ``format=json-ld&format=
    application/ld+json``); the first value that names a fitting format wins.
    """
    allowed = candidates(graph_result)
    wanted = [w.strip().lower() for w in formats if w and w.strip()]
    for value in wanted:
        for f in allowed:
            if value in (f.name, f.media_type, *f.aliases):
                return f
    if wanted:
        kind = "CONSTRUCT/DESCRIBE" if graph_result else "SELECT/ASK"
        names = ", ".join(f.name for f in allowed)
        raise ProtocolError(406, f"format {wanted[0]!r} does not fit a {kind} result; use {names}")
    for media in accepted:
        for f in allowed:
            if media in (f.media_type, *f.aliases):
                return f
    return allowed[0]


def media_types() -> list[str]:
    """Every media type a query result can be written in, primary types first, in the table's
    order; a type two formats share comes last (where each result kind's list has it)."""
    table = (*RESULT_FORMATS, *RDF_FORMATS)
    aliases = [a for f in table for a in f.aliases if "/" in a]
    last = list(dict.fromkeys(reversed(aliases)))[::-1]
    return [f.media_type for f in table] + last


def service_description(endpoint: str, fmt: Format | None = None) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint."""
    sd = "http://www.w3.org/ns/sparql-service-description#"
    node = ox.NamedNode(endpoint)
    t = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = [
        ox.Triple(node, t, ox.NamedNode(sd + "Service")),
        ox.Triple(node, ox.NamedNode(sd + "endpoint"), node),
        ox.Triple(node, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
        ox.Triple(node, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
    ]
    for f in (*RESULT_FORMATS, *RDF_FORMATS):
        triples.append(
            ox.Triple(node, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(_format_iri(f)))
        )
    return ox.serialize(triples, format=(fmt or by_name("turtle")).rdf)


def _format_iri(f: Format) -> str:
    names = {
        "json": "SPARQL_Results_JSON",
        "xml": "SPARQL_Results_XML",
        "csv": "SPARQL_Results_CSV",
        "tsv": "SPARQL_Results_TSV",
        "turtle": "Turtle",
        "trig": "TriG",
        "nquads": "N-Quads",
        "ntriples": "N-Triples",
        "jsonld": "JSON-LD",
        "rdfxml": "RDF_XML",
    }
    return "http://www.w3.org/ns/formats/" + names[f.name]
