"""`dialogue-kg load` of hostile input: one clear line and a non-zero exit, never a traceback, and
nothing written. Run as a person runs it, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_limits import BILLION_LAUGHS, DEEP

SOURCE = "https://example.org/source"


@pytest.fixture
def load(settings):
    """Run ``dialogue-kg load FILE`` on the test archive; return (exit code, stderr, seconds)."""
    env = {
        **os.environ,
        "DKG_DATA_DIR": settings.data_dir,
        "DKG_GRAPH_DATA": settings.graph_data_dir,
    }

    def run(path: str, *extra: str, **more_env: str) -> tuple[int, str, float]:
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "dialogue_kg", "load", path, "--agent", "t", "--source", SOURCE]
            + list(extra),
            capture_output=True,
            text=True,
            timeout=120,
            env={**env, **more_env},
        )
        return done.returncode, done.stderr, time.monotonic() - start

    return run


def _one_clear_line(stderr: str) -> str:
    assert "Traceback" not in stderr and "panicked" not in stderr, stderr[-2000:]
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[-2000:]
    return lines[0]


def test_a_literal_larger_than_the_parser_takes(load, tmp_path: Path) -> None:
    big = tmp_path / "big.ttl"
    big.write_text('<https://example.org/x> <https://example.org/p> "' + "a" * (16 << 20) + '" .\n')
    code, stderr, _ = load(str(big))
    assert code != 0
    assert "a single term is too large" in _one_clear_line(stderr)


def test_dev_zero_is_not_a_regular_file(load) -> None:
    code, stderr, seconds = load("/dev/zero", "--format", "turtle")
    assert code != 0
    assert "not a regular file" in _one_clear_line(stderr)
    assert seconds < 60


def test_a_file_over_the_size_limit(load, tmp_path: Path) -> None:
    path = tmp_path / "a.ttl"
    path.write_text("<https://example.org/x> <https://example.org/p> 1 .\n" * 100)
    code, stderr, _ = load(str(path), DKG_MAX_LOAD_BYTES="1000")
    assert code != 0
    assert "more than the limit of 1000" in _one_clear_line(stderr)


def test_billion_laughs_is_refused_quickly(load, tmp_path: Path) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_bytes(BILLION_LAUGHS)
    code, stderr, seconds = load(str(path))
    assert code != 0
    assert "DOCTYPE or ENTITY" in _one_clear_line(stderr)
    assert seconds < 30


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "deep.jsonld",
            b'{"@id": "urn:a", "urn:p": ' + b'{"urn:q": ' * DEEP + b"1" + b"}" * DEEP + b"}",
        ),
        ("deep.ttl", b"<urn:a> <urn:b> " + b"[ <urn:c> " * DEEP + b"]" * DEEP + b" ."),
    ],
)
def test_deep_nesting_is_refused(load, tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, stderr, _ = load(str(path))
    assert code != 0
    assert "nested more than 100 levels" in _one_clear_line(stderr)
