"""The in-process test server (tests/helpers/live.py) stops cleanly: no thread of it fails."""

from __future__ import annotations

import http.client
import threading

import pytest
from flask import Flask

from ..helpers.live import serve_app

pytestmark = pytest.mark.server


def test_stopping_with_connections_open_fails_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing waitress's sockets under its running select failed its loop thread with EBADF
    (about once in 30 stops); the helper now closes them from the loop itself."""
    failures: list[str] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(repr(args)))
    app = Flask(__name__)
    app.add_url_rule("/", "root", lambda: "ok")
    for _ in range(40):
        with serve_app(app) as base:
            port = int(base.rsplit(":", 1)[1])
            connections = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(4)]
            for c in connections:
                c.request("GET", "/")
                assert c.getresponse().read() == b"ok"
        for c in connections:
            c.close()
    assert failures == []
