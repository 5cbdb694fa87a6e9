"""`scripts/system-deps`, run first by `make test`: silent when chromium and Virtuoso are present,
else one line naming the command that installs them, and a non-zero exit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-deps"
BASH = shutil.which("bash") or "/bin/bash"


def run(path: str) -> subprocess.CompletedProcess[str]:
    """Run the script with ``PATH`` set to ``path`` only."""
    return subprocess.run(
        [BASH, str(SCRIPT)], env={"PATH": path}, capture_output=True, text=True, timeout=30
    )


def test_missing_tools_stop_with_the_install_command(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "chromium virtuoso-t missing" in lines[0]
    assert lines[0].endswith(
        "apt-get install -y -qq --no-install-recommends"
        " chromium fonts-dejavu-core virtuoso-opensource-7-bin"
    )


def test_present_tools_are_a_silent_no_op(tmp_path: Path) -> None:
    found = [shutil.which(name) for name in ("chromium", "virtuoso-t")]
    if not all(found):
        pytest.skip("chromium or virtuoso-t is not installed here")
    for name, target in zip(("chromium", "virtuoso-t"), found, strict=True):
        (tmp_path / name).symlink_to(target)
    result = run(str(tmp_path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
