"""Runs in training written to a real store by a real pool: kept at the end, kept when the
server shuts down mid-run, and continued from the weights the worker saved."""

import pytest

from builder.errors import TrainingError
from builder.experiment.presets import preset_experiment
from builder.training import jobs
from builder.workspace import checkpoints, recorder
from builder.workspace.store import WorkspaceStore
from tests.conftest import jobs_held
from tests.waiting import wait_until

WAIT = 600  # a fresh worker imports TensorFlow first, on a busy machine (load 40 seen)


def _iris(epochs: int, batch_size: int = 8):
    experiment = preset_experiment("iris")
    experiment.train.epochs, experiment.train.batch_size = epochs, batch_size
    return experiment


@pytest.fixture
def store(tmp_path):
    return WorkspaceStore(tmp_path)


def test_a_run_is_kept_with_its_model_once_it_ends(store):
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    try:
        _, wid, _ = store.open(None)
        with jobs_held():  # in training until the block ends, on any machine
            live = recorder.start(store, wid, _iris(3), pool=pool)
            assert recorder.live(wid) is live
            with pytest.raises(TrainingError, match="already training"):
                recorder.start(store, wid, _iris(3), pool=pool)
            assert recorder.runs(store, wid) == []  # in training: its job shows it
        assert live.job.wait(WAIT) and live.saved.wait(WAIT)
        (run,) = recorder.runs(store, wid)
        assert run.state == "finished" and len(run.history) == 3
        assert run.seconds == live.job.elapsed() > run.history[-1]["seconds"]  # start-up too
        assert run.result["export"]["model.keras"] == live.job.result["export"]["model.keras"]
        assert recorder.live(wid) is None
        # The result is kept, so the run's saved weights are no longer needed.
        assert checkpoints.latest(store.checkpoint_dir(wid, 1, create=False)) is None
    finally:
        pool.shutdown()


# A few ms an epoch once compiled: 40 epochs ended before the shutdown took effect once.
CUT_EPOCHS = 1000


def test_a_run_cut_off_by_a_shutdown_continues_from_its_saved_weights(store):
    _, wid, _ = store.open(None)
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    try:
        live = recorder.start(store, wid, _iris(CUT_EPOCHS, batch_size=1), pool=pool)
        folder = store.checkpoint_dir(wid, live.number, create=False)
        wait_until(
            lambda: checkpoints.latest(folder) and len(live.job.history) >= 3, "3 epochs", WAIT
        )
    finally:
        pool.shutdown()
    assert live.saved.wait(WAIT) and live.job.state == jobs.INTERRUPTED
    (cut,) = recorder.runs(store, wid)
    saved = cut.checkpoint_epoch
    assert cut.state == "interrupted" and 1 <= saved <= len(cut.history) < CUT_EPOCHS
    started = checkpoints.initial(folder)  # the weights the run started from
    assert started is not None

    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    try:
        with jobs_held():  # no epoch of its own yet, on any machine
            again = recorder.start(store, wid, cut.experiment, resume=cut, pool=pool)
            assert again.number == cut.number and len(again.job.history) == saved
        assert again.job.wait(WAIT) and again.saved.wait(WAIT), again.job.error
        # Still the weights it started from, not the saved ones it went on from: a
        # restart from this run starts where it started.
        assert again.job.result["initial_weights"] == started
    finally:
        pool.shutdown()
    (run,) = recorder.runs(store, wid)
    assert run.state == "finished", run.error
    assert [record["epoch"] for record in run.history] == list(range(1, CUT_EPOCHS + 1))
    assert run.history[: saved - 1] == cut.history[: saved - 1]
    assert run.result["epochs_run"] == CUT_EPOCHS
    assert len(run.result["history"]["loss"]) == CUT_EPOCHS
    seconds = [record["seconds"] for record in run.history]
    assert seconds == sorted(seconds)  # the continued epochs' clock goes on from the first part
    assert run.seconds == again.job.elapsed() > cut.seconds > 0  # both parts' elapsed time
