"""The worker pool: queue, concurrency bound, stop, time limit, a killed worker, uploads."""

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from builder.errors import TrainingError
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec, Experiment, TrainSpec
from builder.training import jobs
from builder.training.progress import (
    PAUSED,
    PAUSING,
    QUEUED,
    REPLAYING,
    STARTING,
    STOPPING,
    TRAINING,
    progress,
)
from tests.conftest import jobs_held
from tests.fork_gate import GATE_VARIABLE
from tests.processes import running
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
WAIT = 600  # generous: a fresh worker imports TensorFlow on a busy machine (load 40 seen)


@pytest.fixture(scope="module")
def pool():
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1)
    yield pool
    pool.shutdown()


def _iris(epochs: int, **train) -> Experiment:
    experiment = preset_experiment("iris")
    experiment.train.epochs = epochs
    for name, value in train.items():
        setattr(experiment.train, name, value)
    return experiment


def _endless() -> Experiment:
    """A run far longer than any test waits for (it is always stopped or killed)."""
    return _iris(100_000, batch_size=1)


def _wait_for_epochs(job: jobs.Job, count: int) -> None:
    assert job.wait_for_epochs(count, WAIT), "no progress from the worker"
    assert len(job.history) >= count, job.error  # it ended before: say why


def _wait_until(condition, what: str) -> None:
    wait_until(condition, what, WAIT, every=0.02)


def test_more_jobs_than_workers_wait_their_turn(pool):
    # Held before its first epoch, the first job keeps the one worker busy while the
    # others' places are read: a fast machine could have finished it meanwhile.
    with jobs_held():
        queued = [jobs.submit_training(_iris(3), pool=pool) for _ in range(3)]
        _wait_until(lambda: queued[0].state == jobs.RUNNING, "the first job on the worker")
        assert [job.position for job in queued] == [None, 1, 2]
    for job in queued:
        assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
        assert [record["epoch"] for record in job.history] == [1, 2, 3]
        assert job.position is None
    spans = sorted((job.started_at, job.ended_at) for job in queued)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(2)), "one worker ran two jobs at once"
    result = queued[0].result
    assert result["epochs_run"] == 3 and result["metrics"]["test"]["accuracy"] >= 0.0


def test_stop_a_running_job_keeps_its_model_and_a_queued_one_never_runs(pool):
    running = jobs.submit_training(_endless(), pool=pool)
    waiting = jobs.submit_training(_iris(3), pool=pool)
    _wait_for_epochs(running, 3)
    assert waiting.state == jobs.QUEUED and waiting.position == 1
    waiting.stop()
    assert waiting.done and waiting.state == jobs.STOPPED and waiting.result is None
    running.stop()
    assert running.wait(WAIT) and running.state == jobs.STOPPED
    assert running.result["ended"] == "stopped" and running.result["model_bytes"]
    assert running.result["epochs_run"] == len(running.history) < 100_000


def test_pause_holds_the_run_step_trains_one_epoch_and_stop_ends_it_where_it_paused(pool):
    job = jobs.submit_training(_endless(), pool=pool)
    job.pause()  # pressed before the first epoch: the run waits after it
    _wait_until(lambda: job.paused, "paused")
    held = len(job.history)
    # Waiting for an epoch a paused run has not done times out; one it has done does not.
    assert not job.wait_for_epochs(held + 1, 0.5)
    assert job.wait_for_epochs(held, 0.0)
    assert len(job.history) == held and job.state == jobs.RUNNING
    # A paused run shows the weights it stopped at.
    assert job.snapshots[-1][0] == held and job.prep["target"] == "species"
    for expected in (held + 1, held + 2):
        job.step()
        assert job.wait_for_epochs(expected, WAIT) and len(job.history) >= expected
        _wait_until(lambda e=expected: len(job.history) == e and job.paused, "stepped")
        assert job.snapshots[-1][0] == expected
    job.resume()
    _wait_until(lambda: len(job.history) > held + 5, "resumed")
    job.pause()
    _wait_until(lambda: job.paused, "paused again")
    stopped_at = len(job.history)
    job.stop()
    assert job.wait(WAIT) and job.state == jobs.STOPPED and not job.paused
    assert job.result["epochs_run"] == stopped_at
    assert job.wait_for_epochs(stopped_at + 1, 0.0)  # an ended run waits no more


def test_the_time_left_after_a_pause_keeps_to_the_pace_of_the_epochs(pool):
    job = jobs.submit_training(_endless(), pool=pool)
    _wait_for_epochs(job, 3)
    job.pause()
    _wait_until(lambda: job.paused, "paused")
    time.sleep(3)  # far longer than the epochs around it
    job.resume()
    _wait_until(lambda: len(job.history) > 12 and not job.paused, "resumed")
    # Paused again, the run adds no epoch between reading its time left and its history
    # (a few ms each here); the gap of this pause is not in the history until it resumes.
    job.pause()
    _wait_until(lambda: job.paused, "paused again")
    eta, history = job.eta(), job.history
    job.stop()
    seconds = [record["seconds"] for record in history]
    gaps = sorted(later - earlier for earlier, later in itertools.pairwise(seconds))
    assert gaps[-1] >= 3  # the pause is one gap between two epochs
    # The pace of the epochs (about 1.5 ms each here), not their mean with the pause (and
    # the compiling) spread over them, which said about 75 times as long.
    left, typical = 100_000 - len(history), gaps[len(gaps) // 2]
    assert left * gaps[0] <= eta <= left * 2 * typical, (eta, gaps)
    assert job.wait(WAIT)


def test_progress_names_each_state_with_the_epoch_and_clock_of_what_is_drawn(pool):
    with jobs_held():  # no epoch before the states of the start-up are read
        job = jobs.submit_training(_endless(), pool=pool)
        assert progress(job).state in (QUEUED, STARTING)
        job.pause()
        assert progress(job).state in (QUEUED, PAUSING)
        _wait_until(lambda: job.state == jobs.RUNNING, "the job on the worker")
        assert progress(job).state == PAUSING and not job.history
    _wait_until(lambda: job.paused, "paused")
    paused = progress(job)
    assert paused.state == PAUSED and paused.epoch == len(job.history) >= 1
    assert paused.phrase() == f"paused after epoch {paused.epoch} of 100000"
    job.resume()
    _wait_until(lambda: len(job.history) > paused.epoch + 3, "resumed")
    assert progress(job).state == TRAINING
    job.stop()
    assert job.wait(WAIT) and job.state == jobs.STOPPED
    # Drawn behind the run: the epoch drawn, and the clock when that epoch arrived.
    replay = progress(job, drawn=2)
    assert replay.state == REPLAYING and replay.epoch == 2
    assert replay.ahead == len(job.history) - 2
    assert 0 < replay.elapsed == job.elapsed_at(2) < job.elapsed_at(len(job.history))
    assert job.elapsed_at(len(job.history)) <= job.elapsed()
    ended = progress(job)
    assert ended.state == jobs.STOPPED and not ended.active
    assert ended.elapsed == job.elapsed()
    # Stopping lasts from the press to the end of the epoch: a held job shows it as long
    # as the test looks (a running one may end before the next line is read).
    with jobs_held():
        stopping = jobs.submit_training(_endless(), pool=pool)
        _wait_until(lambda: stopping.state == jobs.RUNNING, "the next job on the worker")
        stopping.stop()
        assert progress(stopping).state == STOPPING and not stopping.done
    assert stopping.wait(WAIT) and stopping.state == jobs.STOPPED


def _same(arrays: dict, lists: dict) -> bool:
    """Snapshot arrays hold the very numbers of a result's weight lists (float32 both)."""
    return list(arrays) == list(lists) and all(
        np.array_equal(a, np.asarray(b, dtype=np.float32))
        for layer in arrays
        for a, b in zip(arrays[layer], lists[layer], strict=True)
    )


def test_weights_snapshots_are_spaced_over_the_run_and_start_with_the_initial_weights(pool):
    job = jobs.submit_training(_iris(120), pool=pool)
    assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
    epochs = [epoch for epoch, _ in job.snapshots]
    assert epochs[0] == 0 and epochs == sorted(epochs) and len(epochs) <= 51
    assert epochs[-1] == 120 and set(epochs[1:]) == set(range(3, 121, 3))
    assert _same(job.snapshots[0][1], job.result["initial_weights"])
    assert _same(job.snapshots[-1][1], job.result["weights"])


def test_a_run_can_start_from_another_runs_weights_with_other_settings(pool):
    first = jobs.submit_training(_iris(6), pool=pool)
    assert first.wait(WAIT), first.error
    history = first.history
    resume = {
        "weights": first.result["weights"],
        "history": history,
        "initial_weights": first.result["initial_weights"],
    }
    later = jobs.submit_training(_iris(9, learning_rate=0.01), pool=pool, resume=resume)
    assert later.wait(WAIT) and later.state == jobs.FINISHED, later.error
    assert [r["epoch"] for r in later.history] == list(range(1, 10))
    assert later.history[:6] == history and later.result["epochs_run"] == 9
    assert later.snapshots[0][0] == 6 and _same(later.snapshots[0][1], first.result["weights"])
    assert later.result["initial_weights"] == first.result["initial_weights"]
    wrong = preset_experiment("iris")
    wrong.network.hidden[0].units += 1
    other = jobs.submit_training(wrong, pool=pool, resume=resume)
    assert other.wait(WAIT) and other.state == jobs.FAILED
    assert "do not fit this network" in other.error


def test_abandoned_jobs_leave_the_queue_or_stop_freeing_the_worker(pool):
    gone = threading.Event()
    running = jobs.submit_training(_endless(), pool=pool, abandoned=gone.is_set)
    waiting = jobs.submit_training(_iris(3), pool=pool, abandoned=gone.is_set)
    after = jobs.submit_training(_iris(2), pool=pool)
    _wait_for_epochs(running, 2)
    gone.set()
    assert running.wait(WAIT) and running.state == jobs.STOPPED
    assert waiting.state == jobs.STOPPED and waiting.started_at is None
    assert after.wait(WAIT) and after.state == jobs.FINISHED, after.error


def test_time_limit_stops_a_run_gracefully(pool):
    # A generous grace: on a loaded machine the first epoch's compiling alone can outlast
    # the default before the worker sees the stop, and the run would be killed instead.
    pool.job_seconds, grace = 2.0, pool.grace_seconds
    pool.grace_seconds = WAIT
    try:
        job = jobs.submit_training(_endless(), pool=pool)
        assert job.wait(WAIT * 2)
    finally:
        pool.job_seconds, pool.grace_seconds = 600.0, grace
    assert job.state == jobs.STOPPED and "time limit" in job.note
    assert job.result["epochs_run"] >= 1


def test_workers_run_at_a_lower_priority_than_the_server(pool):
    job = jobs.submit_training(_iris(1), pool=pool)
    assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
    assert os.getpriority(os.PRIO_PROCESS, job.worker_pid) > os.getpriority(os.PRIO_PROCESS, 0)


def test_a_worker_that_grew_retires_after_its_job_and_is_replaced():
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False, worker_growth_mb=0)
    try:
        runs = [jobs.submit_training(_iris(2), pool=pool) for _ in range(2)]
        for job in runs:
            assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
        # the first job grew its worker, so the second ran in a fresh process, not lost
        assert len({job.worker_pid for job in runs}) == 2
        assert len(pool.worker_pids()) <= 1
    finally:
        pool.shutdown()


def test_a_tiring_worker_hands_over_to_a_successor_warmed_in_advance():
    pool = jobs.WorkerPool(
        max_workers=1, warm_workers=1, warm=False, worker_growth_mb=1e6, worker_standby_mb=0
    )
    try:
        first = jobs.submit_training(_iris(2), pool=pool)
        assert first.wait(WAIT) and first.state == jobs.FINISHED, first.error
        # Its successor imports TensorFlow meanwhile, then takes the idle worker's place.
        _wait_until(lambda: pool.worker_pids() != [first.worker_pid], "a successor")
        (successor,) = pool.worker_pids()
        assert successor != first.worker_pid
        _wait_until(lambda: not running(first.worker_pid), "the tired worker's end")
        assert all(worker.ready for worker in pool._workers)  # warm before it took over
        second = jobs.submit_training(_iris(2), pool=pool)
        assert second.wait(WAIT) and second.state == jobs.FINISHED, second.error
        assert second.worker_pid == successor
    finally:
        pool.shutdown()


def test_a_killed_worker_fails_only_its_job_and_is_replaced(pool):
    doomed = jobs.submit_training(_endless(), pool=pool)
    after = jobs.submit_training(_iris(2), pool=pool)
    _wait_for_epochs(doomed, 2)
    os.kill(doomed.worker_pid, signal.SIGKILL)
    assert doomed.wait(WAIT) and doomed.state == jobs.FAILED
    assert "stopped unexpectedly" in doomed.error
    assert after.wait(WAIT) and after.state == jobs.FINISHED, after.error
    assert after.worker_pid != doomed.worker_pid
    assert doomed.worker_pid not in pool.worker_pids()


def test_workers_and_their_fork_server_leave_stop_signals_to_the_server(pool):
    # systemd's stop and Ctrl-C signal the server's whole process group: a worker that
    # died of it would fail its run as a crash while the server shuts down.
    job = jobs.submit_training(_endless(), pool=pool)
    _wait_for_epochs(job, 2)
    fork_server = int(Path(f"/proc/{job.worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert fork_server != os.getpid()
    for signum in (signal.SIGINT, signal.SIGTERM):
        for pid in (job.worker_pid, fork_server):
            os.kill(pid, signum)
    _wait_for_epochs(job, len(job.history) + 2)  # it trains on
    assert running(fork_server) and job.worker_pid in pool.worker_pids()
    job.stop()
    assert job.wait(WAIT) and job.state == jobs.STOPPED, job.error


def test_errors_come_back_as_messages_with_the_epochs_so_far(pool):
    diverging = preset_experiment("wages")
    diverging.train.optimizer, diverging.train.learning_rate = "sgd", 1.0
    job = jobs.submit_training(diverging, pool=pool)
    assert job.wait(WAIT) and job.state == jobs.FAILED
    assert "learning rate" in job.error and len(job.history) == 1
    bad_target = _iris(2)
    bad_target.data.target = "no_such_column"
    job = jobs.submit_training(bad_target, pool=pool)
    assert job.wait(WAIT) and job.state == jobs.FAILED and "no_such_column" in job.error


def test_an_uploaded_table_travels_to_the_worker(pool):
    table = pd.DataFrame({"x": [float(i) for i in range(40)], "y": [0, 1] * 20})
    experiment = Experiment(
        data=DataSpec(source="upload", target="y"), train=TrainSpec(epochs=2, batch_size=8)
    )
    with pytest.raises(TrainingError, match="Data page"):
        jobs.submit_training(experiment, pool=pool)
    job = jobs.submit_training(experiment, table, pool=pool)
    assert job.wait(WAIT) and job.state == jobs.FINISHED, job.error
    assert job.result["rows"]["train"] + job.result["rows"]["test"] == 40
    assert job.result["history"]["loss"] == [r["loss"] for r in job.history]


def test_shutdown_ends_a_busy_worker_at_once():
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    job = jobs.submit_training(_endless(), pool=pool)
    _wait_for_epochs(job, 1)
    started = time.monotonic()
    pool.shutdown()
    # It used to wait 3 s (the join's timeout) for each busy worker to read a request to
    # quit, which a busy worker never reads: at least 3 s is that wait, anything less is
    # a kill and its clean-up, however loaded the machine.
    assert time.monotonic() - started < 3
    assert job.state == jobs.INTERRUPTED and "shut down" in job.error
    assert not running(job.worker_pid)


# A fresh Python that trains iris for one epoch through a pool, then prints what follows.
ONE_EPOCH = """
import sys, types
from builder.training import jobs
from builder.experiment.presets import preset_experiment
def one_epoch():
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    experiment = preset_experiment("iris")
    experiment.train.epochs = 1
    job = jobs.submit_training(experiment, pool=pool)
    job.wait(600)
    pool.shutdown()
    return job
"""


def _run_one_epoch(then: str) -> subprocess.CompletedProcess:
    script = ONE_EPOCH + textwrap.dedent(then)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def test_the_server_side_never_imports_tensorflow():
    done = _run_one_epoch(
        """
        if __name__ == "__main__":
            job = one_epoch()
            print(job.state, "tensorflow" in sys.modules, "keras" in sys.modules)
        """
    )
    assert done.stdout.split()[-3:] == ["finished", "False", "False"], done.stderr[-2000:]


def test_workers_start_under_streamlits_stand_in_main_module(tmp_path):
    """`streamlit run` installs app.py as a stand-in ``__main__`` (a file, no spec).

    spawn would run that file again in each worker, which starts a pool of its own
    before bootstrapping ends: every worker died at once and was replaced forever.
    """
    app = tmp_path / "app.py"
    app.write_text("raise SystemExit('a worker ran the main script')\n")
    done = _run_one_epoch(
        f"""
        stand_in = types.ModuleType("__main__")
        stand_in.__file__ = {str(app)!r}
        sys.modules["__main__"] = stand_in
        job = one_epoch()
        print(job.state, sys.modules["__main__"] is stand_in)
        """
    )
    assert done.stdout.split()[-2:] == ["finished", "True"], done.stderr[-2000:]
    assert "ran the main script" not in done.stderr


def test_a_server_stopped_while_its_first_worker_starts_stops_at_once(tmp_path):
    """The first worker waits for the fork server to import TensorFlow; a shutdown must not.

    The fork server is held at a gate (tests/fork_gate.py) until the pool has shut down,
    so the shutdown comes while the first worker starts on any machine.
    """
    gate = tmp_path / "gate"
    gate.touch()
    script = f"""
import os, signal, time
from multiprocessing import forkserver
from builder.training import jobs
from tests.waiting import wait_until

real_context = jobs.worker_context
def gated_context():  # the gate first: it holds the fork server before TensorFlow's import
    context = real_context()
    context.set_forkserver_preload(["tests.fork_gate", *forkserver._forkserver._preload_modules])
    return context
jobs.worker_context = gated_context

pool = jobs.WorkerPool(max_workers=1, warm_workers=1)
wait_until(lambda: os.path.exists({str(gate) + ".reached"!r}), "the fork server at the gate", 600)
started = time.monotonic()
pool.shutdown()
took = time.monotonic() - started
print(pool._started.is_set(), round(took, 2))
os.kill(forkserver._forkserver._forkserver_pid, signal.SIGKILL)  # it would import TensorFlow
os.unlink({str(gate)!r})
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
        env={**os.environ, GATE_VARIABLE: str(gate)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    first_worker_started, took = done.stdout.split()[-2:]
    assert first_worker_started == "False"  # the shutdown came while it started
    # It waited up to 10 s for the fork server before; now it does not wait for it at all.
    assert float(took) < 5, took
