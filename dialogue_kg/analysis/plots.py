"""Server-rendered SVG plots of the reports (matplotlib, no pyplot: thread-safe, no display).

Text is kept as SVG text (escaped by matplotlib) and never parsed as mathtext, so a label with
``$`` or ``<`` is drawn as written.
"""

from __future__ import annotations

import io
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from dialogue_kg.analysis.reports import STATUS_ORDER, Report

Translate = Callable[[str], str]


def _same(text: str) -> str:
    return text


STYLE = {
    "svg.fonttype": "none",  # real <text>, selectable and searchable
    "svg.hashsalt": "dialogue-kg",  # the same data gives the same bytes
    "text.parse_math": False,
    # Figures are 5.2 in wide and carry their names inside the axes, so that an SVG scaled to a
    # phone's width (about 370 px) still draws its smallest text at 10 px or more.
    "font.size": 12,
    "axes.titlesize": 12,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH = 5.2
NAME_SIZE = 11
PALETTE = ["#1f5f8b", "#e0892b", "#4a9a5b", "#a23b72", "#6c6c6c", "#c7b42c", "#3aa3c4"]
STATUS_COLOURS = {
    "Implemented": "#2e7d32",
    "PartiallyImplemented": "#9ccc65",
    "InProgress": "#1f77b4",
    "Stalled": "#f9a825",
    "NotImplemented": "#c62828",
    "Disputed": "#7b1fa2",
}


def _svg(fig: Figure, title: str) -> str:
    """The figure as an SVG document (no XML declaration, so it can be inlined too)."""
    FigureCanvasSVG(fig)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Title": title}, bbox_inches="tight")
    text = out.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float, height: float) -> Figure:
    # No layout engine: savefig's tight bounding box takes in the legend below the axes.
    return Figure(figsize=(width, height))


def _short(text: str, limit: int = 48) -> str:
    """A label cut to ``limit`` characters (the table beside the plot has it in full)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _year_axis(ax: Any, first: int, last: int) -> None:
    """A continuous axis of whole years, every year from ``first`` to ``last`` ticked."""
    years = list(range(first, last + 1))
    step = 1 if len(years) <= 8 else 2
    ax.set_xticks(years[::step], [str(y) for y in years[::step]])
    ax.set_xlim(first - 0.6, last + 0.6)


def _legend_below(ax: Any, *args: Any, columns: int = 2) -> None:
    """The legend under the axes, where it hides no bar and widens nothing."""
    ax.legend(*args, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns)


def _stacked_by_year(report: Report, key: str, value: str, ylabel: str, tr: Translate) -> str:
    found = sorted({int(r["year"]) for r in report.rows})
    years = list(range(found[0], found[-1] + 1)) if found else []
    groups = sorted({r[key] for r in report.rows})
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for r in report.rows:
        counts[(int(r["year"]), r[key])] += r[value]
    fig = _figure(WIDTH, 3.4)
    ax = fig.add_subplot()
    bottom = [0] * len(years)
    for i, group in enumerate(groups):
        heights = [counts[(y, group)] for y in years]
        ax.bar(years, heights, bottom=bottom, label=group, color=PALETTE[i % len(PALETTE)])
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel(tr(ylabel))
    ax.yaxis.get_major_locator().set_params(integer=True)
    if years:
        _year_axis(ax, years[0], years[-1])
    if groups:
        _legend_below(ax)
    return _svg(fig, tr(report.title))


def agreements_per_year(report: Report, tr: Translate = _same) -> str:
    """Stacked bars: agreements per year, by type, every year of the span on the axis."""
    return _stacked_by_year(report, "type", "agreements", "agreements", tr)


def meetings_per_year(report: Report, tr: Translate = _same) -> str:
    """Stacked bars: meetings per year, by level, every year of the span on the axis."""
    return _stacked_by_year(report, "level", "meetings", "meetings", tr)


def _year(text: str | None) -> float:
    """A fractional year from ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    if not text:
        return float("nan")
    parts = [int(p) for p in text[:10].split("-")]
    month = parts[1] if len(parts) > 1 else 7
    day = parts[2] if len(parts) > 2 else 15
    return parts[0] + (month - 1) / 12 + (day - 1) / 365


def implementation(report: Report, tr: Translate = _same) -> str:
    """One lane per agreement and asserter, named above it; each event a dot coloured by its
    reported status (a diamond when a party to the agreement assessed it)."""
    lanes: list[tuple[str, str]] = []
    for r in report.rows:
        lane = (r["agreement"], r["asserted_by"])
        if lane not in lanes:
            lanes.append(lane)
    fig = _figure(WIDTH, 1.3 + 0.5 * max(1, len(lanes)))
    ax = fig.add_subplot()
    for r in report.rows:
        y = lanes.index((r["agreement"], r["asserted_by"]))
        ax.scatter(
            [_year(r["date"])],
            [y],
            color=STATUS_COLOURS.get(r["status_key"], "#777777"),
            marker="D" if r["party"] else "o",
            s=40,
            zorder=3,
        )
    dated = [int(_year(r["date"])) for r in report.rows if r["date"]]
    first, last = (min(dated), max(dated)) if dated else (2011, 2012)
    _year_axis(ax, first, last)
    for y, (agreement, who) in enumerate(lanes):
        ax.axhline(y, color="#dddddd", zorder=0, linewidth=0.8)
        ax.text(
            first - 0.55,
            y - 0.18,
            f"{_short(agreement, 28)} — {_short(who, 17)}",
            fontsize=NAME_SIZE,
            va="bottom",
        )
    ax.set_yticks([])
    ax.set_ylim(len(lanes) - 0.5, -0.9)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(tr("year (diamond: assessed by a party to the agreement)"))
    names = {r["status_key"]: r["status"] for r in report.rows}
    keys = sorted(names, key=lambda k: (STATUS_ORDER.index(k) if k in STATUS_ORDER else 99, k))
    handles = [
        Line2D([], [], linestyle="", marker="o", color=STATUS_COLOURS.get(k, "#777777"))
        for k in keys
    ]
    if handles:
        ax.legend(
            handles,
            [names[k] for k in keys],
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.5 / max(1, len(lanes)) - 0.12),
            ncol=2,
        )
    return _svg(fig, tr(report.title))


def outreach(report: Report, tr: Translate = _same) -> str:
    """Paired bars per category, named above them: the count the source claims and the
    activities itemised."""
    rows = [r for r in report.rows if r["itemised"] is not None] or report.rows
    fig = _figure(WIDTH, 1.0 + 0.55 * max(1, len(rows)))
    ax = fig.add_subplot()
    ys = range(len(rows))
    ax.barh([y - 0.12 for y in ys], [r["claimed"] for r in rows], 0.22, label=tr("claimed"))
    ax.barh(
        [y + 0.12 for y in ys],
        [r["itemised"] or 0 for r in rows],
        0.22,
        label=tr("itemised in the archive"),
        color=PALETTE[1],
    )
    for y, r in enumerate(rows):
        ax.text(0, y - 0.26, _short(r["category"], 40), fontsize=NAME_SIZE, va="bottom")
    ax.set_yticks([])
    ax.set_ylim(len(rows) - 0.5, -0.8)
    ax.spines["left"].set_visible(False)
    _legend_below(ax)
    return _svg(fig, tr(report.title))


def central_actors(report: Report, tr: Translate = _same) -> str:
    """Small multiples, one scale for all: the top actors of each period by strength (shared
    meetings), each named above its bar."""
    by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in report.rows:
        by_period[r["period"]].append(r)
    n = max(1, len(by_period))
    most = max((len(rows) for rows in by_period.values()), default=1)
    fig = _figure(WIDTH, (0.45 * most + 0.55) * n + 0.5)
    axes = fig.subplots(n, 1, squeeze=False, sharex=True)[:, 0]
    for ax, (period, rows) in zip(axes, by_period.items(), strict=False):
        ys = range(len(rows))
        ax.barh(list(ys), [r["strength"] for r in rows], 0.3, color=PALETTE[0])
        for y, r in enumerate(rows):
            ax.text(0, y - 0.2, _short(r["actor"], 40), fontsize=NAME_SIZE, va="bottom")
        ax.set_yticks([])
        ax.set_ylim(most - 0.5, -0.85)
        ax.spines["left"].set_visible(False)
        ax.set_title(period, loc="left", fontweight="bold")
    axes[-1].set_xlabel(tr("strength (shared meetings)"))
    return _svg(fig, tr(report.title))


PLOTS: dict[str, Callable[[Report, Translate], str]] = {
    "agreements-per-year": agreements_per_year,
    "implementation": implementation,
    "meetings-per-year": meetings_per_year,
    "outreach": outreach,
    "central-actors": central_actors,
}


# rcParams are process-wide: one plot at a time, so that threads do not see each other's style.
_LOCK = threading.Lock()


def render(report: Report, tr: Translate = _same) -> str:
    """The SVG plot of ``report``; ``tr`` translates its fixed words (axis titles, legends)."""
    with _LOCK, mpl.rc_context(STYLE):
        return PLOTS[report.name](report, tr)
