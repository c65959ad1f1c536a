"""A PostgreSQL server on the loopback address, started by a test and stopped with it.

Debian's ``postgresql`` package (whichever version: its programs are found by a glob)
runs from a temporary folder: its own cluster, socket and log, on a free port, with
fsync off (a test's data need not survive a power cut), trusting connections from
127.0.0.1 only. PostgreSQL refuses to run as root, so as root (CI) it runs as the
``postgres`` user the package creates. On exit the server and everything it started are
stopped by process group, and the folder is removed.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import free_port

START_SECONDS = 120  # a busy two-core machine
USER = "nnb"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's program folder, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    return Path(found[-1]).parent if found else None


class LocalPostgres:
    """A running server: a fresh database on demand, each with its URL."""

    def __init__(self, port: int):
        self.port = port
        self._names = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        name = f"nnb_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
        return self.url(name)


def _as_postgres() -> dict:
    """Popen arguments that drop root for the ``postgres`` user (nothing when not root)."""
    return {"user": "postgres", "group": "postgres"} if os.getuid() == 0 else {}


def _ready(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def local_postgres():
    """Start a PostgreSQL server on 127.0.0.1; yield a ``LocalPostgres``."""
    programs = postgres_bin()
    assert programs, "PostgreSQL is not installed: run `apt-get install postgresql`."
    temp = Path(tempfile.mkdtemp(prefix="nnb-pg"))
    if os.getuid() == 0:
        shutil.chown(temp, "postgres", "postgres")
    log = temp / "postgres.log"
    initdb = [str(programs / "initdb"), "-D", str(temp / "data"), "-U", USER]
    initdb += ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]
    subprocess.run(initdb, check=True, capture_output=True, **_as_postgres())
    port = free_port()
    server_args = [str(programs / "postgres"), "-D", str(temp / "data"), "-k", str(temp)]
    server_args += ["-h", "127.0.0.1", "-p", str(port), "-F", "-c", "full_page_writes=off"]
    with open(log, "w") as out:
        if os.getuid() == 0:
            shutil.chown(log, "postgres", "postgres")
        server = subprocess.Popen(
            server_args,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_as_postgres(),
        )
    cluster = LocalPostgres(port)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ready(cluster.url()):
            assert server.poll() is None, f"PostgreSQL did not start: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "PostgreSQL never answered"
            time.sleep(0.2)
        yield cluster
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGINT)  # PostgreSQL's fast shutdown
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        shutil.rmtree(temp, ignore_errors=True)
