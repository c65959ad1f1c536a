"""The workspace store on a real SQLite file and a real PostgreSQL server: tokens, runs,
uploads, caps, kills, expiry."""

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from builder.config import HostLimits
from builder.experiment.presets import preset_experiment
from builder.training.runs import CONTINUED, RESTARTED, Run
from builder.workspace import checkpoints
from builder.workspace.database import DatabaseError
from builder.workspace.store import SCHEMA, WorkspaceFull, WorkspaceStore, new_token, workspace_id
from tests.conftest import ROOT
from tests.waiting import wait_until


def _run(number: int, size: int = 10) -> Run:
    """A finished run whose result holds model bytes, as a worker's result does."""
    result = {
        "metrics": {"test": {"loss": 0.5, "accuracy": 0.75}},
        "model_bytes": bytes(range(256)) * (size // 256 + 1),
        "export": {"model.keras": b"keras" * size, "model.weights.h5": b"h5"},
        "history": {"loss": [1.0, float("nan")]},
    }
    history = [{"epoch": 1, "seconds": 0.1, "loss": 1.0}]
    return Run(number, preset_experiment("iris"), "finished", history, result, seconds=0.1)


@pytest.fixture
def store(tmp_path, database_url):
    return WorkspaceStore(tmp_path, database_url=database_url)


def test_a_token_reopens_its_workspace_and_nothing_else_does(store):
    token, wid, fresh = store.open(None)
    assert fresh and wid == workspace_id(token) and len(token) == 43
    assert store.open(token) == (token, wid, False)
    for forged in (new_token(), "x" * 43, "../../etc/passwd", "", 42, token[:-1]):
        other_token, other, fresh = store.open(forged)
        assert fresh and other != wid and other_token != forged
    # The database holds hashes only: no token is stored anywhere in it.
    assert token not in str(store._read("SELECT * FROM workspaces"))
    if store.database_url is None:
        assert token.encode() not in (store.folder / "workspaces.sqlite3").read_bytes()


def test_runs_come_back_with_their_model_files_and_stay_in_their_workspace(store):
    _, mine, _ = store.open(None)
    _, theirs, _ = store.open(None)
    number = store.new_run(mine, preset_experiment("iris"))
    assert [run.state for run in store.runs(mine)] == ["running"]
    store.update_history(mine, number, [{"epoch": 1, "seconds": 0.1, "loss": 1.0}], 0.1)
    before = store.revision(mine)
    store.finish_run(_run(number), mine)
    assert store.revision(mine) > before
    (run,) = store.runs(mine)
    assert run.state == "finished" and run.history[0]["loss"] == 1.0
    assert run.result["export"]["model.keras"] == _run(1).result["export"]["model.keras"]
    assert run.result["model_bytes"] == _run(1).result["model_bytes"]
    assert run.experiment == preset_experiment("iris")
    assert store.runs(mine, {run.number: run})[0] is run  # unchanged: not read again
    assert store.runs(theirs) == []
    assert store.usage(mine) > 0 and store.usage(theirs) == 0


def test_an_upload_comes_back_as_uploaded(store):
    _, wid, _ = store.open(None)
    files = [("a.csv", b"x,y\n1,2\n"), ("b.csv", b"x,y\n3,4\n")]
    store.save_upload(wid, files, {"delimiter": ","}, "source")
    store.save_upload(wid, files[:1], {"delimiter": ";"}, "file")  # replaces the first
    assert store.upload(wid) == (files[:1], {"delimiter": ";"}, "file")
    assert store.upload_summary(wid) == (["a.csv"], len(files[0][1]))
    assert len(list((store.folder / "files" / wid).iterdir())) == 1


def test_the_size_cap_refuses_what_does_not_fit_and_keeps_the_last_good_state(
    tmp_path, database_url
):
    store = WorkspaceStore(tmp_path, HostLimits(workspace_mb=1), database_url)
    _, wid, _ = store.open(None)
    store.finish_run(_run(store.new_run(wid, preset_experiment("iris")), size=100_000), wid)
    big = _run(store.new_run(wid, preset_experiment("iris")), size=1_000_000)
    with pytest.raises(WorkspaceFull, match=r"of the 1 MB this server keeps per browser"):
        store.finish_run(big, wid)
    assert [run.state for run in store.runs(wid)] == ["finished", "running"]
    with pytest.raises(WorkspaceFull, match="Keeping this table"):
        store.save_upload(wid, [("big.csv", b"1" * 1_100_000)], {}, "source")
    assert store.upload(wid) is None
    assert len(list((tmp_path / "files" / wid).iterdir())) == 1  # only the first run's result


def test_concurrent_writers_from_many_threads_lose_nothing(store):
    _, shared, _ = store.open(None)
    errors = []

    def student(index: int) -> None:
        try:
            _, own, _ = store.open(None)
            for _ in range(5):
                for wid in (shared, own):
                    number = store.new_run(wid, preset_experiment("iris"))
                    store.update_history(wid, number, [{"epoch": 1, "seconds": 0.0}], 0.0)
                    store.finish_run(_run(number), wid)
            store.save_upload(own, [(f"{index}.csv", b"a\n1\n")], {}, "source")
        except Exception as error:  # collected: an assert in a thread would go unseen
            errors.append(error)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    runs = store.runs(shared)
    assert [run.number for run in runs] == list(range(1, 41))
    assert all(run.state == "finished" and run.result["model_bytes"] for run in runs)


WRITER = """
import sys
from builder.experiment.presets import preset_experiment
from builder.workspace.store import WorkspaceStore
from tests.test_store import _run
store = WorkspaceStore(sys.argv[1], database_url=sys.argv[2] if len(sys.argv) > 2 else None)
token, wid, _ = store.open(None)
print(token, flush=True)
while True:
    store.finish_run(_run(store.new_run(wid, preset_experiment("iris")), size=3_000_000), wid)
"""


def test_a_writer_killed_mid_write_leaves_the_last_good_state(tmp_path, database_url):
    url = [database_url] if database_url else []
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), *url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    token = writer.stdout.readline().strip()
    store = WorkspaceStore(tmp_path, database_url=database_url)
    wid = workspace_id(token)
    # The writer goes on writing 3 MB runs: the kill lands in one of them, or between two;
    # what follows holds wherever it lands.
    wait_until(lambda: len(store.runs(wid)) >= 3, "three runs written", 120)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    if database_url is None:
        with contextlib.closing(sqlite3.connect(tmp_path / "workspaces.sqlite3")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    runs = store.runs(wid)
    finished = [run for run in runs if run.state == "finished"]
    assert len(finished) >= 2 and {run.state for run in runs} <= {"finished", "running"}
    expected = _run(1, size=3_000_000).result
    for run in finished:
        assert run.result["model_bytes"] == expected["model_bytes"]
        assert run.result["export"] == expected["export"]
    # The store goes on working after the kill.
    number = store.new_run(wid, preset_experiment("iris"))
    store.finish_run(_run(number), wid)
    assert store.runs(wid)[-1].state == "finished"


def test_workspaces_unseen_past_the_time_to_live_are_swept_with_their_files(tmp_path, database_url):
    store = WorkspaceStore(tmp_path, HostLimits(workspace_days=1), database_url)
    seen = time.time()  # it was seen at this moment or later, however slow the lines between
    old_token, old, _ = store.open(None)
    store.finish_run(_run(store.new_run(old, preset_experiment("iris"))), old)
    assert store.sweep(seen + 86400 - 60) == 0  # not yet a day unseen
    assert store.sweep(time.time() + 86400 + 60) == 1
    assert store.revision(old) is None and not (tmp_path / "files" / old).exists()
    _, kept, _ = store.open(None)
    assert store.sweep() == 0 and store.revision(kept) is not None
    assert store.open(old_token)[1] != old  # the swept token opens a fresh workspace


def test_start_fresh_keeps_the_workspace_and_delete_removes_it(store):
    token, wid, _ = store.open(None)
    store.finish_run(_run(store.new_run(wid, preset_experiment("iris"))), wid)
    store.save_experiment(wid, preset_experiment("pima-small"))
    store.clear(wid)
    assert store.runs(wid) == [] and store.saved_experiment(wid) is None
    assert store.open(token)[1] == wid
    store.delete(wid)
    assert store.revision(wid) is None and store.open(token)[1] != wid


def test_run_numbers_go_on_after_start_fresh(store):
    _, wid, _ = store.open(None)
    for _ in range(2):
        store.finish_run(_run(store.new_run(wid, preset_experiment("iris"))), wid)
    store.clear(wid)
    # The run after Start fresh is run 3: its downloads never share run 1's file names.
    assert store.new_run(wid, preset_experiment("iris")) == 3


def test_a_data_folder_from_before_lasting_run_numbers_opens_and_counts_on(tmp_path):
    with contextlib.closing(sqlite3.connect(tmp_path / "workspaces.sqlite3")) as conn:
        conn.execute(
            "CREATE TABLE workspaces (id TEXT PRIMARY KEY, created REAL NOT NULL, last_seen REAL "
            "NOT NULL, revision INTEGER NOT NULL DEFAULT 0, experiment TEXT, upload TEXT, "
            "upload_bytes INTEGER NOT NULL DEFAULT 0)"
        )
        conn.commit()
    store = WorkspaceStore(tmp_path)
    _, wid, _ = store.open(None)
    store.finish_run(_run(store.new_run(wid, preset_experiment("iris"))), wid)
    assert store.new_run(wid, preset_experiment("iris")) == 2


def test_a_run_keeps_the_run_it_started_from(store):
    _, wid, _ = store.open(None)
    first = store.new_run(wid, preset_experiment("iris"))
    second = store.new_run(wid, preset_experiment("iris"), parent=first, origin=CONTINUED)
    store.finish_run(_run(second), wid)  # the run's end keeps where it started
    # Read again, as a restarted server does.
    runs = WorkspaceStore(store.folder, database_url=store.database_url).runs(wid)
    assert [(run.parent, run.origin) for run in runs] == [(None, None), (first, CONTINUED)]


# The tables of a data folder from before runs recorded the run they started from.
LINEAGE = "    parent INTEGER,\n    origin TEXT,\n"
SCHEMA_WITHOUT_LINEAGE = SCHEMA.replace(LINEAGE, "")


def test_a_data_folder_from_before_run_lineage_opens_with_its_runs(tmp_path):
    assert LINEAGE in SCHEMA
    old = WorkspaceStore(tmp_path)
    _, wid, _ = old.open(None)
    with contextlib.closing(sqlite3.connect(tmp_path / "workspaces.sqlite3")) as conn:
        conn.executescript(f"DROP TABLE runs; {SCHEMA_WITHOUT_LINEAGE}")
        conn.execute(
            "INSERT INTO runs (workspace, number, state, experiment, history) "
            "VALUES (?, 1, 'finished', ?, '[]')",
            (wid, json.dumps(preset_experiment("iris").to_dict())),
        )
        conn.commit()
        assert "parent" not in {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    store = WorkspaceStore(tmp_path)
    (run,) = store.runs(wid)
    assert run.number == 1 and run.parent is None and run.origin is None
    number = store.new_run(wid, preset_experiment("iris"), parent=1, origin=RESTARTED)
    assert [(run.parent, run.origin) for run in store.runs(wid)][-1] == (1, RESTARTED)
    assert number == 2


def test_the_newest_complete_checkpoint_is_found(store, tmp_path):
    _, wid, _ = store.open(None)
    folder = store.checkpoint_dir(wid, 3)
    assert checkpoints.latest(folder) is None
    for epoch in (1, 4, 12):
        checkpoints.saved_path(folder, epoch).write_bytes(b"h5")
        checkpoints.prune(folder)
    checkpoints.partial_path(folder, 15).write_bytes(b"half")  # killed while writing
    assert checkpoints.latest(folder) == (12, checkpoints.saved_path(folder, 12))
    assert checkpoints.latest(folder, at_most=11) == (4, checkpoints.saved_path(folder, 4))
    assert checkpoints.latest(folder, at_most=3) is None  # epoch 1's weights were pruned
    number = store.new_run(wid, preset_experiment("iris"))
    assert store.with_checkpoint(wid, store.runs(wid)[0]).checkpoint_epoch is None
    checkpoints.saved_path(store.checkpoint_dir(wid, number), 2).write_bytes(b"h5")
    # Weights ahead of the epochs the store kept (a crash between two writes) wait.
    assert store.with_checkpoint(wid, store.runs(wid)[0]).checkpoint_epoch is None
    store.update_history(wid, number, [{"epoch": 1}, {"epoch": 2}], 0.0)
    assert store.with_checkpoint(wid, store.runs(wid)[0]).checkpoint_epoch == 2


def test_deleted_runs_take_their_files_with_them(store):
    _, wid, _ = store.open(None)
    for _ in range(3):
        number = store.new_run(wid, preset_experiment("iris"))
        checkpoints.saved_path(store.checkpoint_dir(wid, number), 1).write_bytes(b"h5")
        store.finish_run(_run(number), wid)
    store.delete_runs(wid, [1, 3])
    assert [run.number for run in store.runs(wid)] == [2]
    assert sorted(p.name.split("-result")[0] for p in (store.folder / "files" / wid).iterdir()) == [
        "run-2"
    ]
    assert store.new_run(wid, preset_experiment("iris")) == 4  # never a deleted run's number


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://nnb:secret@127.0.0.1/nnb", "must be a PostgreSQL URL"),
        ("postgresql://nnb:secret@127.0.0.1:1/nnb", "cannot be opened (connection failed"),
    ],
)
def test_a_wrong_database_url_is_refused_in_one_sentence(tmp_path, url, words):
    with pytest.raises(DatabaseError) as refused:
        WorkspaceStore(tmp_path, database_url=url)
    message = str(refused.value)
    assert words in message and "\n" not in message and "secret" not in message


def test_a_postgresql_store_goes_on_after_its_connections_are_cut(tmp_path, postgres):
    import psycopg

    url = postgres.new_database()
    store = WorkspaceStore(tmp_path, database_url=url)
    token, wid, _ = store.open(None)
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    with psycopg.connect(url, autocommit=True) as admin:  # as a restarted server does
        admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
        # A server process sends its goodbye before it ends: once none is left, every idle
        # connection of the store has been told (a query that races the goodbye fails).
        wait_until(
            lambda: admin.execute(f"SELECT count(*) {others}").fetchone() == (0,),
            "the store's server processes to end",
        )
    assert store.open(token)[1] == wid
