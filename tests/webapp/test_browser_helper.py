"""The browser helper ends a close that Chromium never answers, instead of waiting for the test
timeout (seen on a loaded machine at the end of a session)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.helpers.browser import CHROMIUM_ARGS, _close, _descendants, chromium_path

pytestmark = pytest.mark.browser


def _chromium_pids() -> list[int]:
    found = []
    for pid in _descendants(os.getpid()):
        try:
            if Path(f"/proc/{pid}/comm").read_text().startswith("chrom"):
                found.append(pid)
        except OSError:
            continue
    return found


def test_a_browser_that_stops_answering_is_closed_by_the_watchdog() -> None:
    from playwright.sync_api import sync_playwright

    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        browser.new_page().goto("data:text/html,<p>x</p>")
        stopped = _chromium_pids()
        assert stopped
        for pid in stopped:
            os.kill(pid, signal.SIGSTOP)
        start = time.monotonic()
        _close(browser, wait=3)
        assert time.monotonic() - start < 20
    assert not [pid for pid in stopped if Path(f"/proc/{pid}").exists() and _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
