"""``dialogue-kg analyse`` on the hand-made network: table, CSV, JSON, GraphML/GEXF, mistakes."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from click.testing import CliRunner

from dialogue_kg.cli import main

from .conftest import HERE, ID


@pytest.fixture
def run(settings, monkeypatch: pytest.MonkeyPatch):
    """Invoke ``dialogue-kg analyse SUBCOMMAND --data-dir … ARGS`` on a loaded network."""
    monkeypatch.setenv("DKG_GRAPH_DATA", settings.graph_data_dir)
    runner = CliRunner()
    loaded = runner.invoke(
        main, ["load", str(HERE / "network.trig"), "--agent", "t", "--data-dir", settings.data_dir]
    )
    assert loaded.exit_code == 0, loaded.output

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(
            main, ["analyse", args[0], "--data-dir", settings.data_dir, *args[1:]]
        )
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_centrality_as_table_csv_and_json(run) -> None:
    table = run("centrality", "--measure", "betweenness", "--top", "2").output
    assert table.splitlines()[0].split() == ["rank", "node", "label", "betweenness"]
    assert f"{ID}person/c" in table.splitlines()[1] and "(2 rows)" in table
    rows = list(csv.DictReader(io.StringIO(run("centrality", "--format", "csv").output)))
    assert {r["label"] for r in rows} == {"Anna A", "Bora B", "Cena C", "Dita D", "<b>Fac</b> & F"}
    data = json.loads(
        run("centrality", "--measure", "degree", "--weighted", "--format", "json").output
    )
    assert data[0]["node"] in {f"{ID}person/a", f"{ID}person/b", f"{ID}person/c"}
    assert data[0]["degree"] == 4  # a: 2 with b, 1 with c, 1 with f


def test_window_and_valid_time_options(run) -> None:
    early = json.loads(run("centrality", "--to", "2012-12-31", "--format", "json").output)
    assert f"{ID}person/d" not in {r["node"] for r in early}
    dated = json.loads(run("components", "--as-of-date", "2014-01-01", "--format", "json").output)
    assert [g["size"] for g in dated] == [2, 1]
    result = run("centrality", "--projection", "agreements", "--from", "2012-01-01", code=2)
    assert "--from/--to apply to the co-participation projection only" in result.output


def test_communities_and_components(run) -> None:
    groups = json.loads(run("communities", "--format", "json").output)
    assert sum(g["size"] for g in groups) == 5
    rows = list(csv.DictReader(io.StringIO(run("components", "--format", "csv").output)))
    assert {r["component"] for r in rows} == {"1", "2"}
    assert {r["label"] for r in rows if r["component"] == "2"} == {"Unrelated agreement"}


def test_path_by_short_names(run) -> None:
    data = json.loads(run("path", "outreach/oped-1", "agreement/root", "--format", "json").output)
    assert data["length"] == 2
    assert data["labels"] == ["An op-ed", "Part two", "Root agreement"]
    brokered = run("path", "person/a", "person/b", "--projection", "brokerage").output
    assert "<b>Fac</b> & F" in brokered
    missing = run("path", "person/nobody", "agreement/root", code=1)
    assert f"<{ID}person/nobody> is not in the resources graph" in missing.output


@pytest.mark.parametrize(("fmt", "read"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_for_gephi(run, tmp_path, fmt, read) -> None:
    out = tmp_path / f"g.{fmt}"
    run("export", "--format", fmt, "-o", str(out))
    graph = read(out)
    assert graph.number_of_nodes() == 5 and graph.number_of_edges() == 7
    assert graph.nodes[f"{ID}person/f"]["label"] == "<b>Fac</b> & F"


def test_revision_option(run) -> None:
    result = run("centrality", "--revision", "1", "--format", "json")
    assert json.loads(result.output) == []  # only the ontology: no meetings yet
    assert "no revision 7" in run("centrality", "--revision", "7", code=1).output
