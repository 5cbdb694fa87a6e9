"""The archive served for real: ``dialogue-kg serve`` in a subprocess on 127.0.0.1, or the app
under waitress in a thread of the test process (faster; shares a fixture's archive)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from waitress import wasyncore
from waitress.server import create_server

from .servers import free_port, stop, wait_for


@contextmanager
def serve_subprocess(
    data_dir: Path, graph_data: Path | None = None, **env: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``dialogue-kg serve`` over ``data_dir``; yield its base URL and process."""
    port = free_port()
    environ = dict(os.environ)
    environ.update(
        DKG_DATA_DIR=str(data_dir),
        DKG_HOST="127.0.0.1",
        DKG_PORT=str(port),
        DKG_QUERY_WORKERS=environ.get("DKG_QUERY_WORKERS", "1"),
    )
    if graph_data is not None:
        environ["DKG_GRAPH_DATA"] = str(graph_data)
    environ.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "dialogue_kg", "serve"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", process, timeout=120)
        yield base, process
    finally:
        stop(process)


@contextmanager
def serve_app(app) -> Iterator[str]:  # noqa: ANN001 - a Flask app
    """Serve a Flask app with waitress in a background thread; yield its base URL."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    port = server.socket.getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(target=_serve_until, args=(server, stop), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.task_dispatcher.shutdown(timeout=10)  # let running requests finish
        stop.set()
        thread.join(10)
        assert not thread.is_alive(), "the waitress loop did not stop"


def _serve_until(server, stop: threading.Event) -> None:  # noqa: ANN001 - a waitress server
    """waitress's loop, until ``stop`` is set; then its sockets are closed here, in the loop's
    own thread. (Closed from another thread under a running ``select``, they failed this
    thread with EBADF: an intermittent error at the teardown of browser tests.)"""
    while not stop.is_set():
        wasyncore.poll(0.05, server._map)
    wasyncore.close_all(server._map)
