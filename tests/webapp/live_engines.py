"""Live dialogue-kg servers for the interop tests, one per query engine behind the app.

``memory`` is ``dialogue-kg serve`` on its embedded Oxigraph; ``oxigraph`` and ``virtuoso`` run the
same app on the remote store, over a real ``oxigraph serve`` or Virtuoso started on 127.0.0.1.
Each server holds the ontology and tests/data/small.trig, loaded at first start as graph_data.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..conftest import DATA
from ..helpers.live import serve_subprocess
from ..helpers.servers import oxigraph_server, virtuoso

ENGINES = ("memory", "oxigraph", "virtuoso")


@contextmanager
def live_server(engine: str, tmp: Path) -> Iterator[str]:
    """The base URL of a dialogue-kg server on ``engine``, stopped on exit."""
    graph_data = tmp / "graph_data"
    graph_data.mkdir(parents=True)
    shutil.copy(DATA / "small.trig", graph_data)
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if engine == "oxigraph":
            base = stack.enter_context(oxigraph_server(tmp / "oxigraph"))
            env = {
                "DKG_STORE": "remote",
                "DKG_REMOTE_QUERY_URL": f"{base}/query",
                "DKG_REMOTE_UPDATE_URL": f"{base}/update",
            }
        elif engine == "virtuoso":
            server = stack.enter_context(virtuoso(tmp / "virtuoso"))
            env = {
                "DKG_STORE": "remote",
                "DKG_REMOTE_QUERY_URL": server.sparql,
                "DKG_REMOTE_UPDATE_URL": server.sparql_auth,
                "DKG_REMOTE_USER": server.user,
                "DKG_REMOTE_PASSWORD": server.password,
            }
        elif engine != "memory":
            raise ValueError(engine)
        url, _ = stack.enter_context(serve_subprocess(tmp / "archive", graph_data, **env))
        yield url
