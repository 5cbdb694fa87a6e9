"""Shared fixtures: settings in a temporary data directory, fresh archives, the small dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue_kg.config import Settings
from dialogue_kg.core.archive import Archive

DATA = Path(__file__).parent / "data"
TEST_SOURCE = "https://w3id.org/dialogue-kg/id/source/test-doc"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    return tmp_path / "archive"


@pytest.fixture
def settings(data_dir: Path, tmp_path: Path) -> Settings:
    """Settings for an archive in a temporary directory, with no curated data to load."""
    empty = tmp_path / "no-graph-data"
    empty.mkdir()
    return Settings.from_env({}, data_dir=str(data_dir), graph_data_dir=str(empty), query_workers=0)


@pytest.fixture
def archive(settings: Settings):
    """A fresh archive holding the ontology only."""
    with Archive.open(settings) as arc:
        yield arc


@pytest.fixture
def small(archive: Archive) -> Archive:
    """A fresh archive holding the ontology and tests/data/small.trig."""
    archive.load(DATA / "small.trig", agent="tester")
    return archive


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium under Playwright, shared by the session's browser tests."""
    from .helpers.browser import launch

    with launch() as browser:
        yield browser


@pytest.fixture(scope="session")
def curated(tmp_path_factory: pytest.TempPathFactory):
    """An archive initialised from the ontology and graph_data/, as on first start (one per
    session, shared read-only by every test that asks for it)."""
    settings = Settings.from_env({}, data_dir=str(tmp_path_factory.mktemp("curated")))
    with Archive.open(settings) as archive:
        yield archive
