"""The workspace store's database: a SQLite file in the data folder, or PostgreSQL by URL.

The store and the classes write one set of SQL, with ``?`` placeholders and SQLite's
column types; every difference between the two databases lives here: how to connect,
the placeholders, the schema's types, the write transaction that queues writers, and
which columns a table has (for the store's migrations). ``NNB_DATABASE_URL`` chooses
PostgreSQL (``postgresql://user:password@host:5432/name``), for replicas on several
machines; unset, the store is ``workspaces.sqlite3`` in the data folder, which replicas
on one machine can share. psycopg is imported only when a URL asks for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from builder.errors import BuilderError

SQLITE_FILE = "workspaces.sqlite3"
URL_SCHEMES = ("postgresql", "postgres")
# Any fixed number: every writer of the store takes this lock, as SQLite's BEGIN IMMEDIATE
# takes the file's write lock, so two replicas never interleave a read-then-write.
WRITE_LOCK_KEY = 0x4E4E42  # "NNB"
IDLE_CONNECTIONS = 8
CONNECT_SECONDS = 10
# A case-blind collation named as SQLite's, so the schema's COLLATE NOCASE means the same.
NOCASE_COLLATION = (
    "CREATE COLLATION IF NOT EXISTS nocase "
    "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
)


class DatabaseError(BuilderError):
    """The configured database cannot be used: which one, and what to check."""


class Connection(Protocol):
    """What the store asks of a connection (sqlite3's own, or PostgreSQL's below)."""

    def execute(self, sql: str, args: Sequence = ..., /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence], /) -> Any: ...


def database_url(environ: dict[str, str] | None = None) -> str | None:
    """``NNB_DATABASE_URL``, or None (blank included) for the SQLite file."""
    environ = os.environ if environ is None else environ
    return environ.get("NNB_DATABASE_URL", "").strip() or None


def without_password(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    parts = urlsplit(url)
    return parts._replace(netloc=re.sub(r":[^:@]*@", ":***@", parts.netloc)).geturl()


def open_database(folder: Path, url: str | None = None) -> SQLite | PostgreSQL:
    """The database for a data folder: PostgreSQL at ``url``, else SQLite in ``folder``.

    Raises:
        DatabaseError: the URL is not a PostgreSQL one, or the server cannot be reached.
    """
    if url is None:
        return SQLite(Path(folder) / SQLITE_FILE)
    if urlsplit(url).scheme not in URL_SCHEMES:
        raise DatabaseError(
            "NNB_DATABASE_URL must be a PostgreSQL URL such as "
            f"postgresql://nnb@db.school.lan:5432/nnb, or unset for SQLite. Received: {without_password(url)!r:.80}"
        )
    return PostgreSQL(url)


class SQLite:
    """The store in one SQLite file: a connection per operation, so any thread may call."""

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def create(self, schema: str) -> None:
        """Create the tables that are missing."""
        with contextlib.closing(self._connect()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once so concurrent writers queue instead of failing."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    @staticmethod
    def columns(conn: sqlite3.Connection, table: str) -> set[str]:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


class _PostgresConnection:
    """A psycopg connection that takes the store's ``?`` placeholders."""

    def __init__(self, raw):
        self.raw = raw

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, args: Sequence = ()):
        return self.raw.execute(self._sql(sql), args)

    def executemany(self, sql: str, rows: Iterable[Sequence]):
        cursor = self.raw.cursor()
        cursor.executemany(self._sql(sql), rows)
        return cursor


def _open(conn) -> bool:
    """Whether an idle connection is still open: the server sends nothing to one, so
    anything to read is its goodbye (or, rarely, a notice: the connection is then dropped
    all the same, which costs a new one)."""
    if conn.closed:
        return False
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    return not readable


class PostgreSQL:
    """The store in a PostgreSQL database, shared by replicas on several machines.

    Idle connections are kept for the next operation (opening one costs a server
    process); one the server closed meanwhile (a restart) is dropped, not reused.
    """

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:
            raise DatabaseError(
                "NNB_DATABASE_URL asks for PostgreSQL, which needs psycopg: "
                "install the app with `pip install -e '.[postgres]'`."
            ) from None
        self._psycopg = psycopg
        self.url = url
        self._idle: list = []
        self._lock = threading.Lock()
        self._give_back(self._connect())  # a wrong URL fails now, in words

    def _connect(self):
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_SECONDS)
        except self._psycopg.Error as error:
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise DatabaseError(
                f"The workspace database at {without_password(self.url)} cannot be opened ({reason:.300}); "
                "check NNB_DATABASE_URL and that PostgreSQL runs there."
            ) from None

    def _take(self):
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if _open(conn):
                    return conn
                conn.close()
        return self._connect()

    def _give_back(self, conn) -> None:
        idle = self._psycopg.pq.TransactionStatus.IDLE
        if not conn.closed and conn.info.transaction_status == idle:
            with self._lock:
                if len(self._idle) < IDLE_CONNECTIONS:
                    self._idle.append(conn)
                    return
        conn.close()

    def create(self, schema: str) -> None:
        """Create the tables that are missing (one replica at a time)."""
        with self.write() as conn:
            conn.raw.execute(NOCASE_COLLATION)
            conn.raw.execute(re.sub(r"\bREAL\b", "DOUBLE PRECISION", schema))

    @contextlib.contextmanager
    def read(self) -> Iterator[_PostgresConnection]:
        conn = self._take()
        try:
            yield _PostgresConnection(conn)
        finally:
            self._give_back(conn)

    @contextlib.contextmanager
    def write(self) -> Iterator[_PostgresConnection]:
        """A write transaction that first takes the store's write lock, so writers queue."""
        conn = self._take()
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                yield _PostgresConnection(conn)
        finally:
            self._give_back(conn)

    @staticmethod
    def columns(conn: _PostgresConnection, table: str) -> set[str]:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        )
        return {name for (name,) in rows}
