"""``dialogue-kg analyse``: network measures on the archive from the command line.

Registered on the main group by :mod:`dialogue_kg.cli`; it uses the options of
:mod:`dialogue_kg.cli.common`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import networkx as nx

from dialogue_kg.analysis import measures
from dialogue_kg.analysis.projections import PROJECTIONS, project
from dialogue_kg.analysis.view import View, open_view
from dialogue_kg.cli.common import data_dir_option, open_current, user_errors

OUTPUT_FORMATS = ("table", "csv", "json")


def graph_options(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Options choosing the projection and the state of the archive it is made from."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "--projection",
                type=click.Choice(list(PROJECTIONS)),
                default=default,
                show_default=True,
                help="Which graph to analyse.",
            ),
            click.option("--revision", type=int, default=None, help="As of this revision."),
            click.option(
                "--as-of-date",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="Valid time: leave out what is dated after this day (YYYY-MM-DD).",
            ),
            click.option(
                "--from",
                "start",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="co-participation: meetings on or after this day.",
            ),
            click.option(
                "--to",
                "end",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="co-participation: meetings on or before this day.",
            ),
            click.option("--lang", default="en", show_default=True, help="Label language."),
            data_dir_option,
        ]
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def build(
    data_dir: Path | None,
    projection: str,
    revision: int | None,
    as_of_date: datetime | None,
    start: datetime | None,
    end: datetime | None,
    lang: str,
) -> tuple[nx.Graph, View]:
    """Open the archive and make the projection the options ask for (with the view read)."""
    if (start or end) and projection != "co-participation":
        raise click.UsageError("--from/--to apply to the co-participation projection only")
    view = open_view(open_current(data_dir), revision=revision, as_of_date=_day(as_of_date))
    options: dict[str, Any] = {"lang": lang}
    if projection == "co-participation":
        options.update(start=_day(start), end=_day(end))
    return project(view, projection, **options), view


def emit(rows: list[dict[str, Any]], fmt: str, document: object | None = None) -> None:
    """Print rows as an aligned table or CSV, or ``document`` (default: the rows) as JSON."""
    if fmt == "json":
        click.echo(json.dumps(rows if document is None else document, indent=2, ensure_ascii=False))
        return
    names = list(rows[0]) if rows else []
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
        return
    cells = [[str(r[n]) for n in names] for r in rows]
    widths = [max([len(n), *(len(c[i]) for c in cells)]) for i, n in enumerate(names)]
    click.echo("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip())
    for c in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True
    )(func)


@click.group()
def analyse() -> None:
    """Network analysis: centrality, communities, paths, components, export for Gephi."""


@analyse.command()
@graph_options("co-participation")
@click.option("--measure", type=click.Choice(measures.MEASURES), default="degree")
@click.option("--weighted", is_flag=True, help="Use edge weights (shared meetings).")
@click.option("--top", type=int, default=20, show_default=True, help="How many (0: all).")
@click.option("--sample", type=int, default=None, help="Approximate betweenness from K sources.")
@_format_option
@user_errors
def centrality(
    measure: str, weighted: bool, top: int, sample: int | None, fmt: str, **kw: Any
) -> None:
    """The most central nodes of a projection."""
    graph, _ = build(**kw)
    scores = measures.centrality(graph, measure, weighted=weighted, top=top or None, k=sample)
    rows = [
        {"rank": i, "node": s.node, "label": s.label, measure: round(s.score, 6)}
        for i, s in enumerate(scores, start=1)
    ]
    emit(rows, fmt)


def _group_rows(groups: list[measures.Group], name: str) -> list[dict[str, Any]]:
    return [
        {name: i, "size": g.size, "node": node, "label": label}
        for i, g in enumerate(groups, start=1)
        for node, label in zip(g.nodes, g.labels, strict=True)
    ]


@analyse.command()
@graph_options("co-participation")
@click.option("--method", type=click.Choice(measures.COMMUNITY_METHODS), default="louvain")
@click.option("--seed", type=int, default=0, show_default=True, help="Louvain's random seed.")
@_format_option
@user_errors
def communities(method: str, seed: int, fmt: str, **kw: Any) -> None:
    """Communities of a projection (Louvain or greedy modularity), largest first."""
    groups = measures.communities(build(**kw)[0], method, seed=seed)
    emit(_group_rows(groups, "community"), fmt, [asdict(g) for g in groups])


@analyse.command()
@graph_options("agreements")
@click.option("--top", type=int, default=0, help="Only the N largest (0: all).")
@_format_option
@user_errors
def components(top: int, fmt: str, **kw: Any) -> None:
    """Connected components of a projection, largest first."""
    groups = measures.components(build(**kw)[0])[: top or None]
    emit(_group_rows(groups, "component"), fmt, [asdict(g) for g in groups])


def _iri(text: str, base: str) -> str:
    """A full IRI from an IRI or a short ``kind/slug`` (``agreement/first-agreement-2013``)."""
    return text if "://" in text else f"{base}id/{text.strip('/')}"


@analyse.command()
@graph_options("resources")
@click.argument("source")
@click.argument("target")
@_format_option
@user_errors
def path(source: str, target: str, fmt: str, **kw: Any) -> None:
    """How SOURCE is connected to TARGET: the shortest path (IRIs or kind/slug)."""
    graph, view = build(**kw)
    found = measures.shortest_path(graph, _iri(source, view.base), _iri(target, view.base))
    rows = [
        {"step": i, "node": n, "label": label, "link to next": link}
        for i, (n, label, link) in enumerate(
            zip(found.nodes, found.labels, [*found.links, ""], strict=True)
        )
    ]
    emit(rows, fmt, {"length": found.length, **asdict(found)})


@analyse.command("export")
@graph_options("co-participation")
@click.option(
    "--format", "fmt", type=click.Choice(["graphml", "gexf"]), default="graphml", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File."
)
@user_errors
def export_graph(fmt: str, output: Path, **kw: Any) -> None:
    """Write a projection as GraphML or GEXF (for Gephi, Cytoscape, yEd)."""
    graph, _ = build(**kw)
    writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    writer(graph, output)
    click.echo(
        f"wrote {graph.number_of_nodes()} nodes and {graph.number_of_edges()} edges to {output}",
        err=True,
    )
