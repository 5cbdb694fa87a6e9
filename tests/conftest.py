"""Shared fixtures: settings in a temporary data directory, fresh archives, the small dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue_kg.archive import Archive
from dialogue_kg.config import Settings

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
