"""The curated archive: all of graph_data/ loaded through the journal once per session."""

from __future__ import annotations

import pytest

from dialogue_kg.archive import Archive
from dialogue_kg.config import Settings


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory):
    """An archive initialised from the ontology and graph_data/, as on first start."""
    settings = Settings.from_env({}, data_dir=str(tmp_path_factory.mktemp("curated")))
    with Archive.open(settings) as archive:
        yield archive
