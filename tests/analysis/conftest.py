"""Analysis fixtures: archives holding the hand-made network of network.trig."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive

HERE = Path(__file__).parent
ID = "https://w3id.org/dialogue-kg/id/"


@pytest.fixture(scope="session")
def network(tmp_path_factory: pytest.TempPathFactory):
    """The ontology plus network.trig (validated like any load), shared by tests that only read."""
    root = tmp_path_factory.mktemp("network")
    (root / "no-graph-data").mkdir()
    settings = Settings.from_env(
        {},
        data_dir=str(root / "archive"),
        graph_data_dir=str(root / "no-graph-data"),
        query_workers=0,
    )
    with Archive.open(settings) as archive:
        archive.load(HERE / "network.trig", agent="tester")
        yield archive


@pytest.fixture
def fresh_network(archive: Archive) -> Archive:
    """A fresh copy of the network, for tests that write."""
    archive.load(HERE / "network.trig", agent="tester")
    return archive
