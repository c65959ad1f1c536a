"""The workspace store: each browser's runs, models, uploaded table and experiment, on the server.

A browser holds an unguessable token (32 random bytes, in a cookie); the store keys its
workspace by the token's SHA-256, so the database never holds a value that opens a
workspace, and a token the store does not know opens nothing: the caller gets a fresh,
empty workspace with a new token. Metadata lives in a database (``builder.workspace.
database``: one SQLite file beside the files, or PostgreSQL when replicas on several
machines share the store); bytes (model files, uploaded files, checkpoints) in a folder
per workspace under the host's data folder (``NNB_DATA_DIR``), which the web server never
serves. Every path is built here from the workspace's hash and a run's number, never from
anything a browser sent.

Writes are atomic: files are written under a temporary name and renamed into place
before the transaction naming them commits, so a crash mid-write leaves the last good
state (at worst an unreferenced folder, removed with its workspace).

Only this module and ``builder.workspace.classes`` (the classes, through this store's
connections) touch the database, and their public methods are the whole interface.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from builder.classroom.codes import normalise_code
from builder.config import HostLimits, load_limits
from builder.errors import BuilderError
from builder.experiment.spec import Experiment
from builder.training.runs import Run
from builder.workspace import checkpoints, database
from builder.workspace.database import Connection

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATA_DIR = ROOT / ".nnb-data"  # git-ignored
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
WORKSPACE_ID = re.compile(r"[0-9a-f]{64}")
BLOB = re.compile(r"blob-\d+")
SWEEP_SECONDS = 3600.0
RUNNING = "running"
# A run's row as ``run_from_row`` reads it; ``result_dir`` names the folder of its result.
RUN_COLUMNS = (
    "number",
    "version",
    "state",
    "experiment",
    "history",
    "error",
    "note",
    "seconds",
    "job_id",
    "result_dir",
    "parent",
    "origin",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS workspaces (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    last_seen REAL NOT NULL,
    revision INTEGER NOT NULL DEFAULT 0,
    experiment TEXT,
    upload TEXT,
    upload_bytes INTEGER NOT NULL DEFAULT 0,
    runs_started INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS runs (
    workspace TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    experiment TEXT NOT NULL,
    history TEXT NOT NULL,
    error TEXT,
    note TEXT,
    seconds REAL NOT NULL DEFAULT 0,
    job_id TEXT NOT NULL DEFAULT '',
    result_dir TEXT,
    bytes INTEGER NOT NULL DEFAULT 0,
    parent INTEGER,
    origin TEXT,
    PRIMARY KEY (workspace, number)
);
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    experiment TEXT NOT NULL,
    challenge TEXT,
    students_see_board INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    upload TEXT,
    owner TEXT,
    upload_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS class_members (
    workspace TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    code TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    first_run INTEGER NOT NULL,
    joined REAL NOT NULL,
    UNIQUE (code, name)
);
CREATE TABLE IF NOT EXISTS class_removals (
    workspace TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    code TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    removed REAL NOT NULL
);
"""


class WorkspaceFull(BuilderError):
    """Keeping something would take the workspace past the host's size cap."""


def new_token() -> str:
    """A fresh, unguessable workspace token (32 random bytes, URL-safe text)."""
    return secrets.token_urlsafe(32)


def workspace_id(token: str) -> str:
    """The key a token's workspace is stored under: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def data_dir(environ: dict[str, str] | None = None) -> Path:
    """The host's data folder: ``NNB_DATA_DIR``, else ``.nnb-data`` in the project."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("NNB_DATA_DIR") or DEFAULT_DATA_DIR)


def run_columns(table: str = "") -> str:
    """The ``SELECT`` list of ``RUN_COLUMNS``, each prefixed with ``table`` (e.g. ``"r."``)."""
    return ", ".join(table + column for column in RUN_COLUMNS)


def run_from_row(row: dict[str, Any], result: dict[str, Any] | None) -> Run:
    """The run a row of ``RUN_COLUMNS`` (by name) holds, with its result as read."""
    fields = {column: row[column] for column in RUN_COLUMNS if column != "result_dir"}
    fields["experiment"] = Experiment.from_dict(json.loads(fields["experiment"]))
    fields["history"] = json.loads(fields["history"])
    return Run(**fields, result=result)


def _write_bytes(path: Path, content: bytes) -> None:
    """Write a file and flush it to disk (callers rename its folder into place)."""
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def write_upload(
    partial: Path, final: Path, files: list[tuple[str, bytes]], options: dict, stack_column: str
) -> dict:
    """Write uploaded files into ``partial``, rename it to ``final``; the meta to keep."""
    for index, (_, content) in enumerate(files):
        _write_bytes(partial / f"blob-{index}", content)
    partial.rename(final)
    names = [name for name, _ in files]
    return {"folder": final.name, "names": names, "options": options, "stack_column": stack_column}


def read_upload(folder: Path, meta: dict) -> tuple[list[tuple[str, bytes]], dict, str]:
    """The files ``write_upload`` wrote, as (files, read options, stack column)."""
    files = [
        (name, (folder / f"blob-{index}").read_bytes()) for index, name in enumerate(meta["names"])
    ]
    return files, meta["options"], meta["stack_column"]


def _split_bytes(value: Any, blobs: list[bytes]) -> Any:
    """``value`` with every ``bytes`` inside replaced by ``{"$blob": "blob-N"}``."""
    if isinstance(value, bytes):
        blobs.append(value)
        return {"$blob": f"blob-{len(blobs) - 1}"}
    if isinstance(value, dict):
        return {key: _split_bytes(item, blobs) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_split_bytes(item, blobs) for item in value]
    return value


def _join_bytes(value: Any, folder: Path) -> Any:
    """The inverse of ``_split_bytes``, reading each blob from ``folder``."""
    if isinstance(value, dict):
        if set(value) == {"$blob"} and BLOB.fullmatch(str(value["$blob"])):
            return (folder / value["$blob"]).read_bytes()
        return {key: _join_bytes(item, folder) for key, item in value.items()}
    if isinstance(value, list):
        return [_join_bytes(item, folder) for item in value]
    return value


class WorkspaceStore:
    """Workspaces in a database (metadata) and a folder per workspace (files). Thread-safe."""

    def __init__(
        self,
        folder: str | os.PathLike,
        limits: HostLimits | None = None,
        database_url: str | None = None,
    ):
        """Open (creating if needed) the store in ``folder``.

        Args:
            folder: the data folder, for the files (and ``workspaces.sqlite3``, without a URL).
            limits: the size cap (``workspace_mb``) and time to live (``workspace_days``).
            database_url: a PostgreSQL URL (``NNB_DATABASE_URL``); None: SQLite in ``folder``.

        Raises:
            DatabaseError: the URL is not PostgreSQL's, or its server cannot be reached.
        """
        limits = limits or load_limits()
        self.folder = Path(folder)
        self.database_url = database_url
        self.max_bytes = limits.workspace_mb * 1024 * 1024
        self.ttl_seconds = limits.workspace_days * 86400.0
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "files").mkdir(exist_ok=True)
        self._sweep_lock = threading.Lock()
        self._swept_at = 0.0
        self.db = database.open_database(self.folder, database_url)
        self.db.create(SCHEMA)
        with self.db.write() as conn:
            if "runs_started" not in self.db.columns(conn, "workspaces"):
                # a data folder from before run numbers lasted
                conn.execute(
                    "ALTER TABLE workspaces ADD COLUMN runs_started INTEGER NOT NULL DEFAULT 0"
                )
            columns = self.db.columns(conn, "runs")
            for column, kind in (("parent", "INTEGER"), ("origin", "TEXT")):
                if column not in columns:  # a data folder from before runs had a lineage
                    conn.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
            columns = self.db.columns(conn, "classes")
            if "upload" not in columns:
                # a data folder from before classes carried their lesson's table
                conn.execute("ALTER TABLE classes ADD COLUMN upload TEXT")
            if "owner" not in columns:  # ... or counted it against their teacher's workspace
                conn.execute("ALTER TABLE classes ADD COLUMN owner TEXT")
                conn.execute(
                    "ALTER TABLE classes ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0"
                )

    def _write(self) -> contextlib.AbstractContextManager[Connection]:
        """A write transaction; concurrent writers (threads, replicas) queue for it."""
        return self.db.write()

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.db.read() as conn:
            return conn.execute(sql, args).fetchall()

    def _files(self, wid: str) -> Path:
        if not WORKSPACE_ID.fullmatch(wid):
            raise ValueError(f"Not a workspace id. Received: {wid!r:.80}")
        return self.folder / "files" / wid

    def class_files(self, code: str) -> Path:
        """The folder of a class's files (its lesson's table)."""
        if normalise_code(code) != code:
            raise ValueError(f"Not a class code. Received: {code!r:.80}")
        return self.folder / "classes" / code

    def _new_folder(self, wid: str, prefix: str) -> tuple[Path, Path]:
        """A temporary folder to fill, and the name it is renamed to once complete."""
        name = f"{prefix}-{uuid.uuid4().hex}"
        final = self._files(wid) / name
        partial = self._files(wid) / f"{name}.partial"
        partial.mkdir(parents=True)
        return partial, final

    @staticmethod
    def _bump(conn: Connection, wid: str) -> None:
        conn.execute(
            "UPDATE workspaces SET revision = revision + 1, last_seen = ? WHERE id = ?",
            (time.time(), wid),
        )

    def _usage(self, conn: Connection, wid: str, leaving_out: int | None = None) -> int:
        (upload,) = conn.execute(
            "SELECT upload_bytes FROM workspaces WHERE id = ?", (wid,)
        ).fetchone() or (0,)
        (runs,) = conn.execute(
            "SELECT COALESCE(SUM(bytes), 0) FROM runs WHERE workspace = ? "
            "AND number IS DISTINCT FROM ?",
            (wid, leaving_out),
        ).fetchone()
        # The copies of its table that the workspace's classes keep, until the sweep
        # removes them with their class.
        (classes,) = conn.execute(
            "SELECT COALESCE(SUM(upload_bytes), 0) FROM classes WHERE owner = ?", (wid,)
        ).fetchone()
        return upload + runs + classes

    def _check_room(self, conn, wid: str, adding: int, what: str, leaving_out=None) -> None:
        """Raise ``WorkspaceFull`` when ``adding`` bytes more would pass the cap."""
        used = self._usage(conn, wid, leaving_out)
        if used + adding > self.max_bytes:
            mb = 1024 * 1024
            raise WorkspaceFull(
                f"{what} needs {adding / mb:.1f} MB, and your saved work already takes "
                f"{used / mb:.1f} MB of the {self.max_bytes / mb:.0f} MB this server keeps per "
                "browser. Clear old runs on the Train page, or start fresh on the Start page."
            )

    # Workspaces.

    def open(self, token: object) -> tuple[str, str, bool]:
        """The workspace a token opens, or a fresh one with a new token.

        Args:
            token: what the browser sent; None, malformed, unknown or expired tokens (or no
                text at all) get a new, empty workspace.

        Returns:
            (token, workspace id, True when the workspace was just created).
        """
        self._sweep_now_and_then()
        now = time.time()
        if isinstance(token, str) and TOKEN.fullmatch(token):
            wid = workspace_id(token)
            with self._write() as conn:
                found = conn.execute(
                    "UPDATE workspaces SET last_seen = ? WHERE id = ?", (now, wid)
                ).rowcount
            if found:
                return token, wid, False
        token = new_token()
        wid = workspace_id(token)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO workspaces (id, created, last_seen) VALUES (?, ?, ?)", (wid, now, now)
            )
        return token, wid, True

    def revision(self, wid: str) -> int | None:
        """A number that changes whenever the workspace's runs or table change; None once it
        is deleted (or expired)."""
        rows = self._read("SELECT revision FROM workspaces WHERE id = ?", (wid,))
        return rows[0][0] if rows else None

    def usage(self, wid: str) -> int:
        """Bytes the workspace keeps (its uploaded files, its runs' results, and the copies
        of its table its classes keep)."""
        with self.db.read() as conn:
            return self._usage(conn, wid)

    def save_experiment(self, wid: str, experiment: Experiment) -> None:
        """Keep the experiment being edited, for a visit that opens no link."""
        with self._write() as conn:
            conn.execute(
                "UPDATE workspaces SET experiment = ?, last_seen = ? WHERE id = ?",
                (json.dumps(experiment.to_dict()), time.time(), wid),
            )

    def saved_experiment(self, wid: str) -> Experiment | None:
        """The experiment last kept, or None (also when it no longer reads as one)."""
        rows = self._read("SELECT experiment FROM workspaces WHERE id = ?", (wid,))
        if not rows or rows[0][0] is None:
            return None
        try:
            return Experiment.from_dict(json.loads(rows[0][0]))
        except (BuilderError, ValueError, TypeError, KeyError):
            return None

    def save_upload(
        self, wid: str, files: list[tuple[str, bytes]], options: dict, stack_column: str
    ) -> None:
        """Keep the uploaded files and how they were read, replacing the previous upload.

        Raises:
            WorkspaceFull: the files would take the workspace past its cap.
        """
        size = sum(len(content) for _, content in files)
        partial, final = self._new_folder(wid, "upload")
        try:
            meta = write_upload(partial, final, files, options, stack_column)
            with self._write() as conn:
                conn.execute("UPDATE workspaces SET upload_bytes = 0 WHERE id = ?", (wid,))
                self._check_room(conn, wid, size, "Keeping this table")
                old = conn.execute("SELECT upload FROM workspaces WHERE id = ?", (wid,)).fetchone()
                conn.execute(
                    "UPDATE workspaces SET upload = ?, upload_bytes = ? WHERE id = ?",
                    (json.dumps(meta), size, wid),
                )
                self._bump(conn, wid)
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            shutil.rmtree(partial, ignore_errors=True)
            raise
        if old and old[0]:
            shutil.rmtree(self._files(wid) / json.loads(old[0])["folder"], ignore_errors=True)

    def upload_summary(self, wid: str) -> tuple[list[str], int] | None:
        """The kept upload's file names and size in bytes, without reading the files."""
        rows = self._read("SELECT upload, upload_bytes FROM workspaces WHERE id = ?", (wid,))
        if not rows or rows[0][0] is None:
            return None
        return json.loads(rows[0][0])["names"], rows[0][1]

    def upload(self, wid: str) -> tuple[list[tuple[str, bytes]], dict, str] | None:
        """The kept upload as (files, read options, stack column), or None."""
        rows = self._read("SELECT upload FROM workspaces WHERE id = ?", (wid,))
        if not rows or rows[0][0] is None:
            return None
        meta = json.loads(rows[0][0])
        return read_upload(self._files(wid) / meta["folder"], meta)

    def clear(self, wid: str) -> None:
        """Forget the workspace's runs, table and experiment; keep the workspace (and token)."""
        with self._write() as conn:
            conn.execute("DELETE FROM runs WHERE workspace = ?", (wid,))
            conn.execute(
                "UPDATE workspaces SET experiment = NULL, upload = NULL, upload_bytes = 0 "
                "WHERE id = ?",
                (wid,),
            )
            self._bump(conn, wid)
        shutil.rmtree(self._files(wid), ignore_errors=True)

    def delete(self, wid: str) -> None:
        """Remove the workspace and every file it holds; its token opens nothing any more."""
        with self._write() as conn:
            conn.execute("DELETE FROM workspaces WHERE id = ?", (wid,))
        shutil.rmtree(self._files(wid), ignore_errors=True)

    def sweep(self, now: float | None = None) -> int:
        """Remove the workspaces nobody opened for longer than the time to live, and the
        classes past their lifetime.

        Returns:
            How many workspaces were removed.
        """
        now = time.time() if now is None else now
        cutoff = now - self.ttl_seconds
        with self._write() as conn:
            old = [
                wid
                for (wid,) in conn.execute(
                    "SELECT id FROM workspaces WHERE last_seen < ?", (cutoff,)
                )
            ]
            conn.executemany("DELETE FROM workspaces WHERE id = ?", [(wid,) for wid in old])
            # Classes past their lifetime go with them (their members' rows by cascade).
            ended = [
                c for (c,) in conn.execute("SELECT code FROM classes WHERE expires < ?", (now,))
            ]
            conn.executemany("DELETE FROM classes WHERE code = ?", [(code,) for code in ended])
        for wid in old:
            shutil.rmtree(self._files(wid), ignore_errors=True)
        for code in ended:
            shutil.rmtree(self.class_files(code), ignore_errors=True)
        return len(old)

    def _sweep_now_and_then(self) -> None:
        with self._sweep_lock:
            if time.monotonic() - self._swept_at < SWEEP_SECONDS and self._swept_at:
                return
            self._swept_at = time.monotonic()
        self.sweep()

    # Runs.

    def new_run(
        self,
        wid: str,
        experiment: Experiment,
        job_id: str = "",
        parent: int | None = None,
        origin: str | None = None,
    ) -> int:
        """Record a run that starts training now; returns its number (1, 2, …).

        Numbers go on after the runs are cleared: ``iris-run-1.keras`` downloaded before
        **Start fresh** and the next run's file must not share a name.

        Args:
            parent, origin: the run it starts from and how (``Run.parent``, ``Run.origin``).
        """
        with self._write() as conn:
            (started,) = conn.execute(
                "SELECT runs_started FROM workspaces WHERE id = ?", (wid,)
            ).fetchone()
            (highest,) = conn.execute(
                "SELECT COALESCE(MAX(number), 0) FROM runs WHERE workspace = ?", (wid,)
            ).fetchone()
            number = max(started, highest) + 1
            conn.execute("UPDATE workspaces SET runs_started = ? WHERE id = ?", (number, wid))
            conn.execute(
                "INSERT INTO runs (workspace, number, state, experiment, history, job_id, "
                "parent, origin) VALUES (?, ?, ?, ?, '[]', ?, ?, ?)",
                (wid, number, RUNNING, json.dumps(experiment.to_dict()), job_id, parent, origin),
            )
            self._bump(conn, wid)
        return number

    def restart_run(self, wid: str, number: int, history: list[dict], job_id: str = "") -> None:
        """Mark an interrupted run as training again, from ``history`` (its saved epochs)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET state = ?, history = ?, error = NULL, note = NULL, "
                "job_id = ?, version = version + 1 WHERE workspace = ? AND number = ?",
                (RUNNING, json.dumps(history), job_id, wid, number),
            )
            self._bump(conn, wid)

    def update_history(self, wid: str, number: int, history: list[dict], seconds: float) -> None:
        """Keep a training run's epochs so far (other tabs follow the live job, so the
        workspace's revision stays as it is)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET history = ?, seconds = ? WHERE workspace = ? AND number = ?",
                (json.dumps(history), seconds, wid, number),
            )

    def finish_run(self, run: Run, wid: str) -> None:
        """Keep an ended run: its state, history and the worker's result with its model files.

        Raises:
            WorkspaceFull: the result would take the workspace past its cap (nothing changes;
                keep the run without its result instead).
        """
        result_dir, size = None, 0
        if run.result is not None:
            blobs: list[bytes] = []
            plain = json.dumps(_split_bytes(run.result, blobs))
            partial, final = self._new_folder(wid, f"run-{run.number}-result")
            try:
                for index, blob in enumerate(blobs):
                    _write_bytes(partial / f"blob-{index}", blob)
                _write_bytes(partial / "result.json", plain.encode())
                partial.rename(final)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            result_dir, size = final.name, len(plain) + sum(len(blob) for blob in blobs)
        try:
            with self._write() as conn:
                if size:
                    self._check_room(conn, wid, size, f"Keeping {run.name}", leaving_out=run.number)
                old = conn.execute(
                    "SELECT result_dir FROM runs WHERE workspace = ? AND number = ?",
                    (wid, run.number),
                ).fetchone()
                kept = conn.execute(
                    "UPDATE runs SET state = ?, history = ?, error = ?, note = ?, seconds = ?, "
                    "job_id = ?, result_dir = ?, bytes = ?, version = version + 1 "
                    "WHERE workspace = ? AND number = ?",
                    (
                        run.state,
                        json.dumps(run.history),
                        run.error,
                        run.note,
                        run.seconds,
                        run.job_id,
                        result_dir,
                        size,
                        wid,
                        run.number,
                    ),
                ).rowcount
                self._bump(conn, wid)
        except BaseException:
            if result_dir:
                shutil.rmtree(self._files(wid) / result_dir, ignore_errors=True)
            raise
        if not kept:  # the run, or the whole workspace, was deleted while it trained
            if self.revision(wid) is None:
                shutil.rmtree(self._files(wid), ignore_errors=True)
            elif result_dir:
                shutil.rmtree(self._files(wid) / result_dir, ignore_errors=True)
            return
        if old and old[0]:
            shutil.rmtree(self._files(wid) / old[0], ignore_errors=True)
        if run.result is not None:
            shutil.rmtree(self.checkpoint_dir(wid, run.number, create=False), ignore_errors=True)

    def runs(self, wid: str, known: dict[int, Run] | None = None) -> list[Run]:
        """The workspace's runs, oldest first; a run in ``known`` that did not change since
        is returned as it is (no files read). Training runs have state ``"running"``."""
        known = known or {}
        rows = self._read(
            f"SELECT {run_columns()} FROM runs WHERE workspace = ? ORDER BY number", (wid,)
        )
        runs = []
        for row in (dict(zip(RUN_COLUMNS, values, strict=True)) for values in rows):
            cached = known.get(row["number"])
            if cached is not None and cached.version == row["version"] and row["state"] != RUNNING:
                runs.append(cached)
                continue
            result = None
            if row["result_dir"]:
                path = self._files(wid) / row["result_dir"]
                result = _join_bytes(json.loads((path / "result.json").read_text()), path)
            runs.append(run_from_row(row, result))
        return runs

    def with_checkpoint(self, wid: str, run: Run) -> Run:
        """``run`` with the epoch of its newest saved weights within its kept epochs (None
        when none were saved)."""
        folder = self.checkpoint_dir(wid, run.number, create=False)
        found = checkpoints.latest(folder, at_most=len(run.history))
        return replace(run, checkpoint_epoch=found[0] if found else None)

    def checkpoint_dir(self, wid: str, number: int, create: bool = True) -> Path:
        """The folder a worker saves a run's weights in while it trains."""
        folder = self._files(wid) / f"run-{int(number)}-checkpoints"
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def delete_runs(self, wid: str, numbers: list[int]) -> None:
        """Forget the runs ``numbers`` and their files."""
        with self._write() as conn:
            gone = [
                (number, folder)
                for number in numbers
                for (folder,) in conn.execute(
                    "SELECT result_dir FROM runs WHERE workspace = ? AND number = ?", (wid, number)
                )
            ]
            conn.executemany(
                "DELETE FROM runs WHERE workspace = ? AND number = ?",
                [(wid, number) for number, _ in gone],
            )
            self._bump(conn, wid)
        for number, folder in gone:
            if folder:
                shutil.rmtree(self._files(wid) / folder, ignore_errors=True)
            shutil.rmtree(self.checkpoint_dir(wid, number, create=False), ignore_errors=True)


_STORE: WorkspaceStore | None = None
_STORE_LOCK = threading.Lock()


def get_store() -> WorkspaceStore:
    """The server's store, in ``data_dir()`` and ``NNB_DATABASE_URL``, opened on first use.

    Raises:
        DatabaseError: the database URL is wrong or its server cannot be reached.
    """
    global _STORE
    with _STORE_LOCK:
        if _STORE is None:
            _STORE = WorkspaceStore(data_dir(), database_url=database.database_url())
        return _STORE
