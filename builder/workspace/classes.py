"""Classes in the workspace store: a teacher's class, its students, and their runs for the board.

A class is a row keyed by its code, holding the lesson's experiment, the challenge and the
SHA-256 of the teacher key (never the key); a lesson on an uploaded table carries a copy
of the table's files (in the store's folder of the class), which each student receives. A student is a workspace that joined with a
display name; their runs since joining are read from the store's runs, without the model
files, for the board. Classes live for ``class_hours`` and hold at most ``class_students``
(``builder.config``); the store's sweep removes expired ones.

Only this module and ``builder.workspace.store`` touch the database: this one through the
store's own connections and write transactions, so the locking is the store's, and its
SQL runs on SQLite and PostgreSQL alike (``builder.workspace.database``).
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from dataclasses import dataclass

from builder.classroom.challenges import Challenge
from builder.classroom.codes import (
    ClassError,
    key_hash,
    key_matches,
    new_class_code,
    new_teacher_key,
    normalise_code,
)
from builder.classroom.names import clean_name, name_key, taken_message
from builder.config import HostLimits, load_limits
from builder.experiment.spec import Experiment
from builder.training.runs import Run
from builder.workspace.store import (
    RUN_COLUMNS,
    RUNNING,
    WorkspaceFull,
    WorkspaceStore,
    read_upload,
    run_columns,
    run_from_row,
    write_upload,
)

# The same words for an unknown code and a wrong key: a guess learns nothing from them.
NOT_OPENED = "That class code and teacher key do not open a class. Check both and try again."
NO_SUCH_CLASS = "No open class has that code. Check it with your teacher (it may have ended)."
# What the board needs of a run's result; the model files and weights stay on disk.
BOARD_RESULT_KEYS = ("metrics", "task", "classes", "feature_names", "kept_epoch", "references")
CACHED_RUNS = 20_000
# Uploaded files as the store keeps them: ([(name, bytes)], read options, stack column).
Upload = tuple[list[tuple[str, bytes]], dict, str]


class WrongGuess(ClassError):
    """A class code, or code and teacher key, that opens nothing: a guess to slow down."""


@dataclass(frozen=True)
class ClassInfo:
    """A class as its teacher and students see it (no key, no hash)."""

    code: str
    title: str
    lesson: Experiment
    challenge: Challenge | None
    students_see_board: bool
    expires: float
    students: int


@dataclass(frozen=True)
class Membership:
    """The class a workspace is in, its display name there, and its first run for the class."""

    info: ClassInfo
    name: str
    first_run: int


class ClassStore:
    """The classes of a workspace store. Thread-safe, as the store is."""

    def __init__(self, store: WorkspaceStore, limits: HostLimits | None = None):
        limits = limits or load_limits()
        self.store = store
        self.max_students = limits.class_students
        self.lifetime = limits.class_hours * 3600.0
        self.max_per_browser = limits.classes_per_browser
        self._runs: dict[tuple[str, int, int], Run] = {}  # (workspace, number, version)
        self._runs_lock = threading.Lock()

    def create(
        self,
        title: str,
        lesson: Experiment,
        challenge: Challenge | None = None,
        students_see_board: bool = False,
        now: float | None = None,
        table: Upload | None = None,
        owner: str | None = None,
    ) -> tuple[str, str]:
        """Open a class; returns (class code, teacher key). The key is not kept: show it once.

        Args:
            table: the uploaded files the lesson runs on, as ``WorkspaceStore.upload`` gives
                them: (files, read options, stack column); copied for the students.
            owner: the teacher's workspace: it holds at most ``classes_per_browser`` open
                classes, and the table's copy counts against its size cap.

        Raises:
            ClassError: the title is empty or too long, the owner has as many open classes
                as allowed, or the table's copy does not fit in the owner's workspace.
        """
        title = " ".join(str(title or "").split())
        if not title or len(title) > 80:
            raise ClassError(
                "Give the class a title of 1 to 80 characters, e.g. 'Year 10 · Tuesday'."
            )
        now = time.time() if now is None else now
        key = new_teacher_key()
        with self.store._write() as conn:
            if owner is not None:
                self._check_owner(conn, owner, table, now)
            added = 0
            while not added:  # a clash among 6.6e11 codes is rare, but never overwrite a class
                code = new_class_code()
                added = conn.execute(
                    "INSERT INTO classes (code, key_hash, title, experiment, challenge, "
                    "students_see_board, created, expires, owner) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (code) DO NOTHING",
                    (
                        code,
                        key_hash(key),
                        title,
                        json.dumps(lesson.to_dict()),
                        json.dumps(challenge.to_dict()) if challenge else None,
                        int(students_see_board),
                        now,
                        now + self.lifetime,
                        owner,
                    ),
                ).rowcount
            if table is not None:
                # In place before the row naming them commits, as the store's own files are.
                meta = self._keep_table(code, table)
                conn.execute(
                    "UPDATE classes SET upload = ?, upload_bytes = ? WHERE code = ?",
                    (json.dumps(meta), _size(table), code),
                )
        return code, key

    def _check_owner(self, conn, owner: str, table: Upload | None, now: float) -> None:
        """Refuse a class its teacher's workspace has no room for (a ``ClassError``)."""
        (open_classes,) = conn.execute(
            "SELECT COUNT(*) FROM classes WHERE owner = ? AND expires > ?", (owner, now)
        ).fetchone()
        if open_classes >= self.max_per_browser:
            hours = self.lifetime / 3600
            raise ClassError(
                f"You already have {open_classes} open classes, the most this server keeps "
                f"per browser. Use one of them, or create this one once one of them has "
                f"closed (a class closes {hours:g} hours after it was created)."
            )
        if table is not None:
            try:
                self.store._check_room(conn, owner, _size(table), "A copy of your table")
            except WorkspaceFull as full:
                raise ClassError(
                    f"The class was not created: each class keeps a copy of your table for "
                    f"its students. {full}"
                ) from full

    def _keep_table(self, code: str, table: Upload) -> dict:
        final = self.store.class_files(code) / "upload"
        partial = final.with_name("upload.partial")
        shutil.rmtree(final.parent, ignore_errors=True)  # a class's leftovers, never another's
        partial.mkdir(parents=True)
        try:
            return write_upload(partial, final, *table)
        except BaseException:
            shutil.rmtree(final.parent, ignore_errors=True)
            raise

    def table(self, code: str) -> Upload | None:
        """The uploaded table an open class's lesson runs on, or None (a sample, or none kept)."""
        rows = self.store._read(
            "SELECT upload FROM classes WHERE code = ? AND expires > ?", (code, time.time())
        )
        if not rows or rows[0][0] is None:
            return None
        meta = json.loads(rows[0][0])
        try:
            return read_upload(self.store.class_files(code) / meta["folder"], meta)
        except OSError:  # the folder went with an expired class between the two reads
            return None

    def _info(self, code: str, now: float | None = None) -> tuple[ClassInfo, str] | None:
        """The open class with this (normalised) code and its key hash, or None."""
        now = time.time() if now is None else now
        rows = self.store._read(
            "SELECT title, experiment, challenge, students_see_board, expires, key_hash, "
            "(SELECT COUNT(*) FROM class_members m WHERE m.code = c.code) "
            "FROM classes c WHERE code = ? AND expires > ?",
            (code, now),
        )
        if not rows:
            return None
        title, experiment, challenge, see, expires, hashed, students = rows[0]
        info = ClassInfo(
            code=code,
            title=title,
            lesson=Experiment.from_dict(json.loads(experiment)),
            challenge=Challenge.from_dict(json.loads(challenge)) if challenge else None,
            students_see_board=bool(see),
            expires=expires,
            students=students,
        )
        return info, hashed

    def teacher_class(self, code_text: object, key: object, now: float | None = None) -> ClassInfo:
        """The class a code and teacher key open.

        Raises:
            WrongGuess: with the same words for an unknown code and a wrong key.
        """
        code = normalise_code(code_text)
        found = self._info(code, now) if code else None
        if not key_matches(key, found[1] if found else None):
            raise WrongGuess(NOT_OPENED)
        return found[0]

    def update(
        self,
        code_text: object,
        key: object,
        challenge: Challenge | None,
        students_see_board: bool,
    ) -> ClassInfo:
        """Change a class's challenge and whether students see the board (teacher key only).

        Raises:
            ClassError: the code and key do not open a class.
        """
        info = self.teacher_class(code_text, key)
        with self.store._write() as conn:
            conn.execute(
                "UPDATE classes SET challenge = ?, students_see_board = ? WHERE code = ?",
                (
                    json.dumps(challenge.to_dict()) if challenge else None,
                    int(students_see_board),
                    info.code,
                ),
            )
        return self.teacher_class(info.code, key)

    def join(
        self, wid: str, code_text: object, name: object, now: float | None = None
    ) -> ClassInfo:
        """Join the workspace ``wid`` to a class under a display name (leaving any other class).

        Runs started from now on count for the class.

        Raises:
            WrongGuess: the code opens no class.
            ClassError: the name is not one, the class is full, or the name is taken.
        """
        name = clean_name(name)
        code = normalise_code(code_text)
        found = self._info(code, now) if code else None
        if found is None:
            raise WrongGuess(NO_SUCH_CLASS)
        now = time.time() if now is None else now
        with self.store._write() as conn:
            conn.execute("DELETE FROM class_members WHERE workspace = ?", (wid,))
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM class_members WHERE code = ?", (code,)
            ).fetchone()
            if count >= self.max_students:
                raise ClassError(
                    f"This class is full ({self.max_students} students). Ask your teacher."
                )
            # Compared here, as a reader sees names (``names.name_key``), not by the unique
            # index (case only): the write lock keeps two joins from passing this at once,
            # and a failed statement would end the whole transaction on PostgreSQL.
            key = name_key(name)
            names = conn.execute("SELECT name FROM class_members WHERE code = ?", (code,))
            if any(name_key(other) == key for (other,) in names.fetchall()):
                raise ClassError(taken_message(name))
            conn.execute("DELETE FROM class_removals WHERE workspace = ?", (wid,))
            conn.execute(
                "INSERT INTO class_members (workspace, code, name, first_run, joined) "
                "SELECT id, ?, ?, runs_started + 1, ? FROM workspaces WHERE id = ?",
                (code, name, now, wid),
            )
        return self._info(code, now)[0]

    def membership(self, wid: str) -> Membership | None:
        """The open class the workspace is in, or None."""
        rows = self.store._read(
            "SELECT code, name, first_run FROM class_members WHERE workspace = ?", (wid,)
        )
        if not rows:
            return None
        found = self._info(rows[0][0])
        return Membership(found[0], rows[0][1], rows[0][2]) if found else None

    def leave(self, wid: str) -> None:
        """Take the workspace out of its class (its runs leave the board), and forget that a
        teacher removed it from one."""
        with self.store._write() as conn:
            conn.execute("DELETE FROM class_members WHERE workspace = ?", (wid,))
            conn.execute("DELETE FROM class_removals WHERE workspace = ?", (wid,))

    def remove(self, code_text: object, key: object, wid: str, now: float | None = None) -> bool:
        """The teacher takes a student out of the class: the seat and the name are free
        again, the student's runs leave the board, and the student is told (``removed_from``).
        The student may join again with the class code, as anyone with the code may.

        Returns:
            False when the workspace was not in this class (it left meanwhile).

        Raises:
            WrongGuess: the code and key do not open a class.
        """
        info = self.teacher_class(code_text, key, now)
        now = time.time() if now is None else now
        with self.store._write() as conn:
            gone = conn.execute(
                "DELETE FROM class_members WHERE workspace = ? AND code = ?", (wid, info.code)
            ).rowcount
            if gone:
                conn.execute(
                    "INSERT INTO class_removals (workspace, code, removed) VALUES (?, ?, ?) "
                    "ON CONFLICT (workspace) DO UPDATE SET code = excluded.code, "
                    "removed = excluded.removed",
                    (wid, info.code, now),
                )
        return bool(gone)

    def removed_from(self, wid: str, now: float | None = None) -> str | None:
        """The code of the open class whose teacher removed this workspace, or None (never
        removed, joined a class since, or the class ended)."""
        now = time.time() if now is None else now
        rows = self.store._read(
            "SELECT r.code FROM class_removals r JOIN classes c ON c.code = r.code "
            "WHERE r.workspace = ? AND c.expires > ?",
            (wid, now),
        )
        return rows[0][0] if rows else None

    def students(self, code: str) -> list[tuple[str, str, list[Run]]]:
        """(display name, workspace id, runs since joining) of each student, by name.

        Runs are read without their model files and cached by version, so a board refreshed
        every few seconds reads only the runs that changed.
        """
        members = self.store._read(
            "SELECT name, workspace, first_run FROM class_members WHERE code = ? ORDER BY name",
            (code,),
        )
        rows = self.store._read(
            f"SELECT r.workspace, {run_columns('r.')} FROM runs r JOIN class_members m "
            "ON m.workspace = r.workspace WHERE m.code = ? AND r.number >= m.first_run "
            "ORDER BY r.number",
            (code,),
        )
        by_workspace: dict[str, list[Run]] = {wid: [] for _, wid, _ in members}
        for wid, *values in rows:
            by_workspace[wid].append(self._run(wid, dict(zip(RUN_COLUMNS, values, strict=True))))
        return [(name, wid, by_workspace[wid]) for name, wid, _ in members]

    def _run(self, wid: str, row: dict) -> Run:
        """A student's run for the board (``store.run_from_row``), cached by version."""
        cache_key = (wid, row["number"], row["version"])
        with self._runs_lock:
            cached = self._runs.get(cache_key)
        if cached is not None and row["state"] != RUNNING:
            return cached
        result = None
        if row["result_dir"]:
            path = self.store._files(wid) / row["result_dir"] / "result.json"
            try:
                full = json.loads(path.read_text())
                result = {key: full.get(key) for key in BOARD_RESULT_KEYS}
            except OSError:  # deleted since the row was read
                result = None
        run = run_from_row(row, result)
        if run.state != RUNNING:
            with self._runs_lock:
                if len(self._runs) > CACHED_RUNS:  # old versions pile up: start again
                    self._runs.clear()
                self._runs[cache_key] = run
        return run


def _size(table: Upload) -> int:
    """Bytes of an upload's files."""
    return sum(len(content) for _, content in table[0])


_CLASSES: ClassStore | None = None
_CLASSES_LOCK = threading.Lock()


def get_classes(store: WorkspaceStore) -> ClassStore:
    """The server's class store, over the server's workspace store."""
    global _CLASSES
    with _CLASSES_LOCK:
        if _CLASSES is None or _CLASSES.store is not store:
            _CLASSES = ClassStore(store)
        return _CLASSES
