"""Memento (RFC 7089) for the archive's pages: every resource page (``/id/…``, ``/topic/…``, in
HTML and in each RDF format) is an Original Resource with a TimeGate and a TimeMap, and its state
as of a revision (``?revision=N``) is a Memento.

Pattern 2.2 of the RFC (the TimeGate is its own resource, 302-style negotiation):

- Original (URI-R) ``/id/x``: ``Link: <…/timegate/id/x>; rel="timegate", <…/timemap/id/x>;
  rel="timemap"``;
- TimeGate (URI-G) ``/timegate/id/x``: with ``Accept-Datetime``, a 302 to the Memento current at
  that time (the first one if the time is earlier), ``Vary: accept-datetime``; without it, to the
  latest;
- Memento (URI-M) ``/id/x?revision=N``: ``Memento-Datetime`` (the transaction time of revision N)
  and links to the original, the TimeGate, the TimeMap and the first and last Mementos;
- TimeMap (URI-T) ``/timemap/id/x``: every revision that changed the resource (asserted or
  retracted a statement with it as subject or object), as ``application/link-format`` or HTML.

Everything comes from the history index: no journal is read or replayed to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request

from dialogue_kg.core.history import resource_history
from dialogue_kg.core.versions import index_for
from dialogue_kg.read.describe import DEFAULT_BASE

from . import get_archive

bp = Blueprint("memento", __name__)

LINK_FORMAT = "application/link-format"
_SAFE = "/-._~:@!$&'()*+="
SPACES = ("id", "topic")


@dataclass
class Memento:
    """One revision that changed a resource, and its Memento's address."""

    revision: int
    time: datetime
    url: str

    @property
    def http_date(self) -> str:
        """The transaction time as an HTTP date (RFC 7231, whole seconds, GMT)."""
        return http_date(self.time)


def http_date(when: datetime) -> str:
    """``when`` as an HTTP date (``Thu, 01 Apr 2010 12:00:00 GMT``)."""
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)


def parse_accept_datetime(value: str) -> datetime:
    """An ``Accept-Datetime`` value (an RFC 1123 date in GMT); ValueError otherwise."""
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"Accept-Datetime {value[:80]!r} is not an HTTP date such as "
            "'Thu, 01 Apr 2010 12:00:00 GMT'"
        ) from None
    if when.tzinfo is None:
        raise ValueError("Accept-Datetime must be given in GMT")
    return when.astimezone(UTC)


@dataclass
class Target:
    """A resource page's addresses: the resource's IRI, and the absolute URLs of its original,
    TimeGate and TimeMap (each keeping the RDF extension asked for, if any)."""

    iri: str
    original: str
    timegate: str
    timemap: str

    def memento(self, revision: int) -> str:
        """The URL of the Memento of this page as of ``revision``."""
        return f"{self.original}?revision={revision}"


def target(space: str, rest: str) -> Target:
    """The addresses of the page ``/{space}/{rest}`` (``rest`` may end with an extension)."""
    head, dot, ext = rest.rpartition(".")
    slug = head if dot and "/" not in ext else rest
    base = request.host_url.rstrip("/") + request.script_root
    # Percent-encoded as a path: nothing of the request's path can end a Link header's URI
    # (">", ";", ",", quotes) or the header itself (line breaks).
    path = quote(rest, safe=_SAFE)
    return Target(
        DEFAULT_BASE + f"{space}/{slug}",
        f"{base}/{space}/{path}",
        f"{base}/timegate/{space}/{path}",
        f"{base}/timemap/{space}/{path}",
    )


def mementos(t: Target) -> list[Memento]:
    """Every revision that changed the resource, oldest first, with its time (index lookups)."""
    index = index_for(get_archive())
    revisions = [c.revision for c in index.resource_changes(t.iri)]
    times = index.times(revisions)
    return [Memento(n, _utc(times[n]), t.memento(n)) for n in revisions]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _memento_link(m: Memento, rel: str) -> str:
    return f'<{m.url}>; rel="{rel}"; datetime="{m.http_date}"'


def _timemap_link(t: Target, found: list[Memento], rel: str = "timemap") -> str:
    return (
        f'<{t.timemap}>; rel="{rel}"; type="{LINK_FORMAT}"; '
        f'from="{found[0].http_date}"; until="{found[-1].http_date}"'
    )


def _ends(found: list[Memento], chosen: Memento | None = None) -> list[str]:
    """Links to the first and last Mementos (and to those before and after ``chosen``)."""
    rels: dict[int, list[str]] = {}
    order = [m.revision for m in found]
    rels.setdefault(order[0], []).append("first")
    rels.setdefault(order[-1], []).append("last")
    if chosen is not None:
        at = order.index(chosen.revision)
        if at > 0:
            rels.setdefault(order[at - 1], []).append("prev")
        if at < len(order) - 1:
            rels.setdefault(order[at + 1], []).append("next")
        rels.setdefault(chosen.revision, [])
    by_revision = {m.revision: m for m in found}
    return [
        _memento_link(by_revision[n], " ".join([*words, "memento"]))
        for n, words in sorted(rels.items())
    ]


def decorate(response: Response, space: str, rest: str, revision: int | None) -> Response:
    """Add Memento headers to a resource page: links to the TimeGate and TimeMap on the
    original; ``Memento-Datetime`` and links to the original and the first and last Mementos on
    a page as of a revision. A resource the archive never held gets none."""
    t = target(space, rest)
    found = mementos(t)
    if not found:
        return response
    if revision is None:
        links = [f'<{t.timegate}>; rel="timegate"', _timemap_link(t, found)]
    else:
        times = index_for(get_archive()).times([revision])
        if revision in times:
            response.headers["Memento-Datetime"] = http_date(_utc(times[revision]))
        links = [
            f'<{t.original}>; rel="original"',
            f'<{t.timegate}>; rel="timegate"',
            _timemap_link(t, found),
            *_ends(found),
        ]
    existing = response.headers.get("Link")
    response.headers["Link"] = ", ".join([existing, *links] if existing else links)
    return response


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status, mimetype="text/plain")


@bp.route("/timegate/<any(id, topic):space>/<path:rest>", methods=["GET", "HEAD"])
def timegate(space: str, rest: str) -> Response:
    """Redirect to the Memento of the page current at ``Accept-Datetime`` (the latest without)."""
    t = target(space, rest)
    found = mementos(t)
    if not found:
        response = _text(404, f"the archive never held a statement about <{t.iri}>")
        response.headers["Vary"] = "accept-datetime"
        return response
    asked = request.headers.get("Accept-Datetime")
    chosen = found[-1]
    if asked:
        try:
            when = parse_accept_datetime(asked)
        except ValueError as exc:
            return _text(400, str(exc))
        # Compared at the precision of HTTP dates: a revision made during the second asked for
        # is current at it.
        earlier = [m for m in found if m.time.replace(microsecond=0) <= when]
        chosen = earlier[-1] if earlier else found[0]
    response = Response(status=302)
    response.headers["Location"] = chosen.url
    response.headers["Vary"] = "accept-datetime"
    response.headers["Link"] = ", ".join(
        [f'<{t.original}>; rel="original"', _timemap_link(t, found), *_ends(found, chosen)]
    )
    return response


def timemap_body(t: Target, found: list[Memento]) -> str:
    """The TimeMap in ``application/link-format`` (RFC 6690), as in RFC 7089's examples."""
    lines = [
        f'<{t.original}>; rel="original"',
        f'<{t.timegate}>; rel="timegate"',
        _timemap_link(t, found, "self"),
    ]
    for i, m in enumerate(found):
        words = (["first"] if i == 0 else []) + (["last"] if i == len(found) - 1 else [])
        lines.append(_memento_link(m, " ".join([*words, "memento"])))
    return ",\n".join(lines) + "\n"


@bp.get("/timemap/<any(id, topic):space>/<path:rest>")
def timemap(space: str, rest: str) -> Response:
    """Every Memento of the page: link-format for tools, HTML for people."""
    t = target(space, rest)
    found = mementos(t)
    if not found:
        return _text(404, f"the archive never held a statement about <{t.iri}>")
    asked = request.args.get("format")
    best = request.accept_mimetypes.best_match([LINK_FORMAT, "text/html"], default=LINK_FORMAT)
    if asked == "html" or (asked is None and best == "text/html"):
        changes = {c.revision: c for c in resource_history(get_archive(), t.iri)}
        response = Response(
            render_template("timemap.html", t=t, mementos=found, changes=changes), 200
        )
    else:
        response = Response(timemap_body(t, found), 200, mimetype=LINK_FORMAT)
    response.headers["Vary"] = "Accept"
    return response
