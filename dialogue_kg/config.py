"""Settings, declared once: name, default, environment variable and help text.

The README's settings table is checked against this list by the tests.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from dialogue_kg.errors import UsageError
from dialogue_kg.namespaces import DEFAULT_BASE


def _default_data_dir() -> str:
    return user_data_dir("dialogue-kg", appauthor=False)


def setting(default: Any, env: str, help: str) -> Any:  # noqa: A002 - mirrors click's name
    """Declare one setting with its environment variable and help text."""
    factory = default if callable(default) else None
    kwargs: dict[str, Any] = {"metadata": {"env": env, "help": help}}
    if factory is not None:
        kwargs["default_factory"] = factory
    else:
        kwargs["default"] = default
    return field(**kwargs)


@dataclass(frozen=True)
class Settings:
    """Every setting of the archive, the CLI and the web app."""

    data_dir: str = setting(
        _default_data_dir,
        "DKG_DATA_DIR",
        "Directory holding the journal (the system of record) and, for the disk store, the index.",
    )
    base_iri: str = setting(
        DEFAULT_BASE, "DKG_BASE_IRI", "Base of every IRI the archive mints (change sets, agents)."
    )
    store: str = setting(
        "memory",
        "DKG_STORE",
        "Query store: 'memory' (Oxigraph in memory, rebuilt at start from its snapshot and the "
        "journal), "
        "'disk' (Oxigraph on RocksDB in the data directory) or 'remote' (a SPARQL 1.1 endpoint).",
    )
    remote_query_url: str = setting(
        "", "DKG_REMOTE_QUERY_URL", "SPARQL Query endpoint of the remote store."
    )
    remote_update_url: str = setting(
        "", "DKG_REMOTE_UPDATE_URL", "SPARQL Update endpoint of the remote store."
    )
    remote_user: str = setting("", "DKG_REMOTE_USER", "User name for the remote store, if any.")
    remote_password: str = setting(
        "", "DKG_REMOTE_PASSWORD", "Password for the remote store, if any."
    )
    validate: bool = setting(
        True, "DKG_VALIDATE", "Validate every change set with the SHACL shapes before writing it."
    )
    replica: bool = setting(
        True,
        "DKG_REPLICA",
        "Read-only commands (query, report, analyse, export) open an on-disk replica of the "
        "current state kept in DATA_DIR/replica/ instead of loading the in-memory store; a "
        "disk store's query workers read it (they cannot open the server's store).",
    )
    shacl_engine: str = setting(
        "rudof",
        "DKG_SHACL_ENGINE",
        "SHACL engine of every write: 'rudof' (SHACL in Rust; 2-3x faster than pySHACL on a "
        "bulk load, about 3x on one small change) or 'pyshacl' (the reference the tests hold "
        "rudof to).",
    )
    graph_data_dir: str = setting(
        "",
        "DKG_GRAPH_DATA",
        "Folder of curated RDF files loaded on first start (default: graph_data/ in the source).",
    )
    host: str = setting("127.0.0.1", "DKG_HOST", "Address the web server listens on.")
    port: int = setting(5000, "DKG_PORT", "Port the web server listens on.")
    public_url: str = setting(
        "",
        "DKG_PUBLIC_URL",
        "Address the site is reached at, e.g. https://archive.example.org/ behind a proxy "
        "(default: http://DKG_HOST:DKG_PORT/). Links the web app writes out (VoID, reports, "
        "service description) use it, never the Host header a client sends.",
    )
    threads: int = setting(8, "DKG_THREADS", "Worker threads of the web server.")
    query_workers: int = setting(
        2,
        "DKG_QUERY_WORKERS",
        "Processes that run SPARQL queries for the web app (0: run them in the server process, "
        "with no time limit).",
    )
    query_timeout: float = setting(
        30.0, "DKG_QUERY_TIMEOUT", "Seconds a SPARQL query may run before its worker is stopped."
    )
    max_result_bytes: int = setting(
        64 * 1024 * 1024, "DKG_MAX_RESULT_BYTES", "Largest serialised SPARQL result, in bytes."
    )
    result_cache_mb: int = setting(
        64,
        "DKG_RESULT_CACHE_MB",
        "Memory for answers to repeated SPARQL queries, in MiB (0: none); an answer at a "
        "revision never changes, so a repeated query is not run again.",
    )
    allow_service: bool = setting(
        False,
        "DKG_ALLOW_SERVICE",
        "Allow SPARQL SERVICE and LOAD (they make the server fetch URLs; off by default).",
    )
    max_nesting: int = setting(
        100,
        "DKG_MAX_NESTING",
        "Deepest nesting accepted in SPARQL text, Turtle/TriG, JSON-LD, RDF/XML elements and "
        "YAML imports, checked before parsing (pyoxigraph's parsers crash a few thousand deep).",
    )
    max_query_bytes: int = setting(
        1024 * 1024, "DKG_MAX_QUERY_BYTES", "Longest SPARQL query or update text, in bytes."
    )
    max_load_bytes: int = setting(
        1024 * 1024 * 1024,
        "DKG_MAX_LOAD_BYTES",
        "Largest file `dialogue-kg load` reads, in bytes (regular files only).",
    )
    query_memory_mb: int = setting(
        2048,
        "DKG_QUERY_MEMORY_MB",
        "Memory cap of each query worker process in MiB (its data segment, RLIMIT_DATA, on top "
        "of the in-memory store it shares; with the disk or remote store the archive counts "
        "too); a query that needs more is stopped. 0: no cap.",
    )
    queries_per_client: int = setting(
        1,
        "DKG_QUERIES_PER_CLIENT",
        "SPARQL queries one client address may run at once on /sparql; more get 429.",
    )
    proxy_hops: int = setting(
        0,
        "DKG_PROXY_HOPS",
        "Reverse proxies in front of the server whose X-Forwarded-For is trusted (0: none, the "
        "connection's address is the client's): the per-client query limit and the login "
        "back-off then count the client's address, not the proxy's.",
    )
    connections_per_client: int = setting(
        20,
        "DKG_CONNECTIONS_PER_CLIENT",
        "Open connections one client address may hold; more are closed at once.",
    )
    connection_limit: int = setting(
        500, "DKG_CONNECTION_LIMIT", "Open connections the web server holds in all."
    )
    channel_timeout: float = setting(
        30.0,
        "DKG_CHANNEL_TIMEOUT",
        "Seconds a connection may stay idle (or send a request slowly) before it is closed.",
    )
    secret_key: str = setting(
        "", "DKG_SECRET_KEY", "Flask secret key (a random one is kept in the data directory)."
    )
    secure_cookies: bool = setting(
        False,
        "DKG_SECURE_COOKIES",
        "Send the session cookie over HTTPS only (turn on behind TLS).",
    )
    session_hours: float = setting(
        12.0, "DKG_SESSION_HOURS", "Hours an archivist's login lasts without activity."
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from defaults, then environment variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw, f.metadata["env"])
        base = cls(**values)
        clean = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **clean)

    @property
    def data_path(self) -> Path:
        """The data directory as a path."""
        return Path(self.data_dir).expanduser()

    def graph_data_path(self) -> Path:
        """Folder of curated TriG files loaded on first start."""
        if self.graph_data_dir:
            return Path(self.graph_data_dir)
        return Path(__file__).resolve().parent.parent / "graph_data"


def ontology_dir() -> Path:
    """Folder holding dialogue.ttl and shapes.ttl."""
    return Path(__file__).resolve().parent.parent / "ontology"


def _coerce(type_name: Any, raw: str, env: str) -> Any:
    name = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", "str")
    try:
        if name == "bool":
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if name == "int":
            return int(raw)
        if name == "float":
            return float(raw)
    except ValueError:
        raise UsageError(f"{env}={raw!r} is not a valid {name}") from None
    return raw


def describe_settings() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) of every setting, for docs and tests."""
    rows = []
    for f in fields(Settings):
        if f.default_factory is not MISSING:
            default = (
                "per-user data directory" if f.name == "data_dir" else str(f.default_factory())
            )
        else:
            default = str(f.default)
        rows.append((f.name, f.metadata["env"], default, f.metadata["help"]))
    return rows
