"""Real servers started by tests on 127.0.0.1 and stopped after."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until ``url`` answers (any HTTP status), or fail if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited with {process.returncode}: {out[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a server, reap it and close its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    for pipe in (process.stdout, process.stderr):
        if pipe:
            pipe.close()


def oxigraph_binary() -> str:
    """The ``oxigraph`` CLI (PyPI package ``oxigraph``) next to this Python, or on PATH."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server is not installed (pip install oxigraph)")
    return found


@contextmanager
def oxigraph_server(location: Path | None = None) -> Iterator[str]:
    """Run ``oxigraph serve --union-default-graph`` on a free loopback port; yield its base URL."""
    port = free_port()
    cmd = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    if location is not None:
        cmd += ["--location", str(location)]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/query?query=ASK%7B%7D", process)
        yield base
    finally:
        stop(process)


@dataclass(frozen=True)
class VirtuosoServer:
    """A running Virtuoso: its public endpoint, the Digest-protected one, the DBA login."""

    base: str
    isql_port: int
    user: str = "dba"
    password: str = "dba"

    @property
    def sparql(self) -> str:
        """The anonymous endpoint (queries; updates only if SPARQL_UPDATE is granted)."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:
        """The endpoint that takes HTTP Digest credentials (updates as the DBA)."""
        return f"{self.base}/sparql-auth"


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
MaxClientConnections = 8
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def virtuoso_binary() -> str:
    """Debian's ``virtuoso-t`` (package virtuoso-opensource-7-bin)."""
    found = shutil.which("virtuoso-t")
    if not found:
        raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
    return found


@contextmanager
def virtuoso(directory: Path) -> Iterator[VirtuosoServer]:
    """Run Virtuoso on free loopback ports with its database in ``directory``; stop it after."""
    directory.mkdir(parents=True, exist_ok=True)
    isql, http = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, isql=isql, http=http))
    process = subprocess.Popen(
        [virtuoso_binary(), "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = VirtuosoServer(f"http://127.0.0.1:{http}", isql)
    try:
        wait_for(f"{server.sparql}?query=ASK%7B%7D", process, timeout=120)
        yield server
    finally:
        stop(process)
