"""The browser helper ends a close that Chromium never answers, instead of waiting for the test
timeout (seen on a loaded machine at the end of a session)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.browser import chromium_path

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own: the session's browser already holds Playwright's sync API here.
SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from playwright.sync_api import sync_playwright
from tests.helpers.browser import CHROMIUM_ARGS, _close, _descendants, chromium_path

def chromium():
    found = []
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/comm").read_text().startswith("chrom"):
                found.append(pid)
        except OSError:
            pass
    return found

with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    browser.new_page().goto("data:text/html,<p>x</p>")
    stopped = chromium()
    assert stopped, "no Chromium process found"
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)
    start = time.monotonic()
    _close(browser, wait=3)
    print(f"closed after {time.monotonic() - start:.1f} s")
    left = [p for p in stopped if Path(f"/proc/{p}/stat").exists()
            and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not left, f"still running: {left}"
"""


def test_a_browser_that_stops_answering_is_closed_by_the_watchdog() -> None:
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "closed after" in done.stdout
    assert float(done.stdout.split("closed after ")[1].split()[0]) < 20
