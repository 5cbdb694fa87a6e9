"""Debian's Chromium driven by Playwright (never a downloaded browser), kept offline.

Every page opened through :func:`open_page` records requests that would leave 127.0.0.1 (they are
aborted) and any JavaScript dialog (dismissed), so tests can assert there were none.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return CHROMIUM if shutil.which(CHROMIUM) else shutil.which("chromium")


@dataclass
class Watch:
    """What a page tried that it should not have: off-host requests, dialogs, page errors."""

    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def launch() -> Iterator[object]:
    """A headless Chromium (playwright Browser) for the duration of the block."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            _close(browser)


def _close(browser, wait: float = 60.0) -> None:  # noqa: ANN001
    """Close the browser (on this thread: Playwright's sync API is bound to it). If Chromium has
    not answered within ``wait`` seconds (seen on a loaded machine at the end of a session), a
    watchdog kills the Chromium processes this test run started, which ends the close instead of
    leaving it to the test timeout."""
    watchdog = threading.Timer(wait, _kill_chromium)
    watchdog.daemon = True
    watchdog.start()
    try:
        browser.close()
    finally:
        watchdog.cancel()


def _kill_chromium() -> None:
    for pid in _descendants(os.getpid()):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text().strip().startswith("chrom"):
                os.kill(pid, signal.SIGKILL)


def _descendants(root: int) -> list[int]:
    """Process ids below ``root`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextmanager
def open_page(browser, **context_options: object) -> Iterator[tuple[object, Watch]]:  # noqa: ANN001
    """A fresh context and page; requests off 127.0.0.1 are aborted and recorded."""
    watch = Watch()
    context = browser.new_context(**context_options)

    def guard(route) -> None:  # noqa: ANN001
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            watch.external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()

    def on_dialog(dialog) -> None:  # noqa: ANN001
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    try:
        yield page, watch
    finally:
        context.close()
