"""The production web server: waitress, with connection limits a slow client cannot exhaust.

waitress reads requests asynchronously, so a connection that sends its request slowly (or never)
holds no thread, but it counts against ``connection_limit``; once that is reached waitress stops
accepting anyone. So each client address may hold at most ``DKG_CONNECTIONS_PER_CLIENT``
connections (more are closed as soon as they are accepted), idle or slow connections are closed
after ``DKG_CHANNEL_TIMEOUT`` seconds, and the total stays under ``DKG_CONNECTION_LIMIT``.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, create_server

from dialogue_kg.config import Settings


class ConnectionsPerClient:
    """Counts open connections by client address; refuses those over ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def channel(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:  # noqa: A002
        """waitress's ``channel_class``: a counted channel, or the socket closed at once."""
        client = addr[0] if isinstance(addr, tuple) else str(addr)
        with self._lock:
            full = self.limit > 0 and self.open[client] >= self.limit
            if not full:
                self.open[client] += 1
        if full:
            sock.close()
            return
        _CountedChannel(self, client, server, sock, addr, adj, map=map)

    def release(self, client: str) -> None:
        """One connection of ``client`` closed."""
        with self._lock:
            self.open[client] -= 1
            if self.open[client] <= 0:
                del self.open[client]


class _CountedChannel(HTTPChannel):
    """An HTTP channel that gives its client's slot back when it closes."""

    def __init__(self, limiter: ConnectionsPerClient, client: str, *args: Any, **kw: Any) -> None:
        self._limiter, self._client = limiter, client
        super().__init__(*args, **kw)

    def del_channel(self, map: Any = None) -> None:  # noqa: A002 - waitress's signature
        """Remove the channel from the loop and release its slot (once)."""
        super().del_channel(map)
        limiter, self._limiter = self._limiter, None
        if limiter is not None:
            limiter.release(self._client)


def make_server(app: Any, settings: Settings, **options: Any) -> Any:
    """A waitress server for ``app`` with the settings' address, threads and connection limits
    (``options`` override waitress's adjustments, e.g. ``port=0`` in tests)."""
    adjustments = {
        "host": settings.host,
        "port": settings.port,
        "threads": settings.threads,
        "ident": "dialogue-kg",
        "connection_limit": settings.connection_limit,
        "channel_timeout": settings.channel_timeout,
        "cleanup_interval": max(1, min(30, int(settings.channel_timeout // 3))),
        **options,
    }
    server = create_server(app, **adjustments)
    limiter = ConnectionsPerClient(settings.connections_per_client)
    listeners = list(server.map.values()) if isinstance(server, MultiSocketServer) else [server]
    for listener in listeners:
        listener.channel_class = limiter.channel
    server.connections_per_client = limiter
    return server
