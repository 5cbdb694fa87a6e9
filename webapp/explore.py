"""The graph explorer: the page, its network as JSON, a node's neighbours and its panel."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from dialogue_kg.labels import labels
from dialogue_kg.read.brief import brief
from dialogue_kg.read.explorer import NODE_CLASSES, build_network, graph_data, is_iri
from dialogue_kg.read.implementation import history

from . import get_archive, limit_arg
from .i18n import current_language

bp = Blueprint("explore", __name__, url_prefix="/explore")

DEFAULT_LIMIT = 5000
MAX_LIMIT = 20000


def _polygon(points: list[tuple[float, float]]) -> str:
    """SVG polygon points in the legend's 16×16 box (centre 8,8)."""
    return " ".join(f"{8 + x:.2f},{8 + y:.2f}" for x, y in points)


def _regular(count: int, radius: float, start: float, inner: float | None = None) -> str:
    """A regular polygon (or a star, with ``inner``) as vis-network draws it."""
    step = 2 * math.pi / count
    return _polygon(
        [
            (r * math.cos(start + i * step), r * math.sin(start + i * step))
            for i in range(count)
            for r in [inner if inner is not None and i % 2 else radius]
        ]
    )


# The legend draws each class with the shape vis-network draws it with (webapp/static/explore.js
# keeps the canvas and these in step through NODE_CLASSES; "dot" and "square" are SVG circle/rect).
SHAPE_POINTS = {
    "diamond": _polygon([(0, -7), (7, 0), (0, 7), (-7, 0)]),
    "triangle": _polygon([(0, -6.5), (6.5, 5.5), (-6.5, 5.5)]),
    "triangleDown": _polygon([(-6.5, -5.5), (6.5, -5.5), (0, 6.5)]),
    "star": _regular(10, 7.5, -math.pi / 2, inner=3),
    "hexagon": _regular(6, 7, 0),
}


def _class_names() -> dict[str, str]:
    """The legend's name of each node class, in the visitor's language."""
    return {
        "agreement": _("Agreement"),
        "subagreement": _("Sub-agreement"),
        "meeting": _("Meeting"),
        "event": _("Implementation event"),
        "actor": _("Actor"),
        "outreach": _("Outreach"),
        "source": _("Source"),
    }


def _strings() -> dict[str, str]:
    """UI strings the page's script writes, in the visitor's language."""
    return {
        "date": _("Date"),
        "summary": _("Summary"),
        "topics": _("Topics"),
        "sources": _("Sources"),
        "nature": _("Agreement type"),
        "openPage": _("Open its page"),
        "expand": _("Show its neighbours"),
        "history": _("Implementation history"),
        "noDate": _("no date recorded"),
        "matches": _("%(n)s matching nodes", n="{n}"),
        "noMatch": _("No node matches"),
        "visible": _("%(n)s of %(total)s nodes shown", n="{n}", total="{total}"),
        "play": _("Play"),
        "pause": _("Pause"),
        "loading": _("Loading the graph…"),
        "failed": _("The graph could not be loaded."),
        "added": _("%(n)s nodes added", n="{n}"),
        "showInGraph": _("Show in the graph"),
        "links": _("links"),
        "sides": {
            "pristina": _("Pristina"),
            "belgrade": _("Belgrade"),
            "eu": _("EU"),
            "other": _("Other"),
        },
    }


_cache: OrderedDict[tuple, dict] = OrderedDict()
_cache_lock = threading.Lock()


def _iri_arg(name: str, required: bool = False) -> str | None:
    """An IRI query parameter (400 when it is not an IRI)."""
    value = request.args.get(name)
    if not value:
        if required:
            abort(400, f"the {name} parameter (an IRI) is required")
        return None
    if not is_iri(value):
        abort(400, f"{name} is not an IRI")
    return value


def _graph(limit: int, focus: str | None) -> dict:
    """The explorer's graph for this request's language, cached per archive revision."""
    archive = get_archive()
    key = (id(archive), archive.revision, current_language(), limit, focus)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = graph_data(build_network(archive, current_language(), limit=limit, focus=focus))
    with _cache_lock:
        _cache[key] = data
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return data


@bp.get("")
def explore():  # noqa: ANN201
    """The explorer page (``?focus=IRI`` for one agreement's implementation history)."""
    limit, focus = limit_arg(DEFAULT_LIMIT, MAX_LIMIT), _iri_arg("focus")
    if request.args.get("format") == "json":
        return jsonify(_graph(limit, focus))
    data = _graph(limit, focus)
    lang = current_language()
    topics = sorted({t for node in data["nodes"] for t in node.get("topics", [])})
    topic_names = labels(get_archive(), topics, lang)
    dates = sorted(n["date"] for n in data["nodes"] if n.get("date"))
    focus_label = None
    events = []
    if focus:
        focus_label = labels(get_archive(), [focus], lang).get(focus, focus)
        events = history(get_archive(), focus, lang)
    params = {"lang": lang, "limit": limit, **({"focus": focus} if focus else {})}
    config = {
        "graphUrl": url_for(".graph", **params),
        "neighboursUrl": url_for(".neighbours", lang=lang),
        "nodeUrl": url_for(".node", lang=lang),
        "searchUrl": url_for("search.search", lang=lang, format="json", limit=20),
        "focus": focus,
        "hiddenClasses": [] if focus else ["source"],
        "firstDate": dates[0] if dates else None,
        "lastDate": dates[-1] if dates else None,
        "classNames": _class_names(),
        "strings": _strings(),
    }
    links = {
        endpoint: url_for(endpoint)
        for endpoint in ("agreements.catalogue", "timeline.timeline")
        if endpoint in current_app.view_functions
    }
    return render_template(
        "explore.html",
        classes=NODE_CLASSES,
        shape_points=SHAPE_POINTS,
        class_names=_class_names(),
        topics=sorted(((topic_names.get(t, t), t) for t in topics), key=lambda x: x[0].lower()),
        first_year=int(dates[0][:4]) if dates else None,
        last_year=int(dates[-1][:4]) if dates else None,
        config=config,
        focus=focus,
        focus_label=focus_label,
        events=events,
        links=links,
        node_count=len(data["nodes"]),
    )


@bp.get("/graph.json")
def graph():  # noqa: ANN201
    """The network as vis-network data: nodes, edges, options."""
    return jsonify(_graph(limit_arg(DEFAULT_LIMIT, MAX_LIMIT), _iri_arg("focus")))


@bp.get("/neighbours")
def neighbours():  # noqa: ANN201
    """The resources one statement away from ``?iri=``, with the edges among them."""
    iri = _iri_arg("iri", required=True)
    net = build_network(get_archive(), current_language(), around=[iri], limit=MAX_LIMIT)
    return jsonify(graph_data(net))


@bp.get("/node.json")
def node():  # noqa: ANN201
    """What the side panel shows about ``?iri=`` (and an agreement's implementation history)."""
    iri = _iri_arg("iri", required=True)
    lang = current_language()
    about = brief(get_archive(), iri, lang)
    if about is None:
        abort(404, "the archive says nothing about this IRI")
    if about["class"] in ("agreement", "subagreement"):
        about["history"] = [vars(a) for a in history(get_archive(), iri, lang)]
        about["historyUrl"] = url_for(".explore", focus=iri, lang=lang)
    return jsonify(about)
