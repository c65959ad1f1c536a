"""Runs started from an ended run, trained for real: continued from its kept weights with
other settings, restarted from its initial weights, and refused when they cannot fit."""

import copy

import numpy as np
import pytest

from builder.errors import SpecError, TrainingError
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import LayerSpec
from builder.training import jobs
from builder.training.lineage import StartFrom, plan
from builder.training.runs import CONTINUED, RESTARTED, Run
from builder.workspace import recorder
from builder.workspace.store import WorkspaceStore
from tests.apptest_helpers import texts

WAIT = 600  # a fresh worker imports TensorFlow first, on a busy machine (load 40 seen)
# Adam moves each weight by about the learning rate a step: a few dozen steps at this rate
# stay far below this, where the parent's 0.001 (or a fresh start) moves them by 0.01 or more.
TINY_RATE, BARELY = 1e-6, 1e-4


def _iris(epochs: int):
    experiment = preset_experiment("iris")
    experiment.train.epochs = epochs
    return experiment


def _largest_change(weights: dict, other: dict) -> float:
    """The largest difference of one weight; layers in order (Keras names them per process)."""
    return max(
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for layer, other_layer in zip(weights.values(), other.values(), strict=True)
        for a, b in zip(layer, other_layer, strict=True)
    )


def _trained(store, wid, pool, experiment, start_from=None) -> Run:
    live = recorder.start(store, wid, experiment, pool=pool, start_from=start_from)
    assert live.job.wait(WAIT) and live.saved.wait(WAIT), live.job.error
    return next(run for run in recorder.runs(store, wid) if run.number == live.number)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A store, its workspace, a pool, and a finished three-epoch run in it."""
    store = WorkspaceStore(tmp_path_factory.mktemp("lineage"))
    _, wid, _ = store.open(None)
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1, warm=False)
    try:
        yield store, wid, pool, _trained(store, wid, pool, _iris(3))
    finally:
        pool.shutdown()


def test_a_finished_run_continues_as_a_new_run_with_the_settings_changed(trained):
    store, wid, pool, parent = trained
    kept = parent.result["kept_epoch"]
    assert parent.state == "finished" and kept == 3
    settings = copy.deepcopy(parent.experiment)
    settings.train.learning_rate, settings.train.batch_size = TINY_RATE, 30
    start = StartFrom(parent, CONTINUED, extra_epochs=2)
    child = _trained(store, wid, pool, settings, start)

    assert child.number != parent.number and child.state == "finished"
    assert (child.parent, child.origin) == (parent.number, CONTINUED)
    assert [record["epoch"] for record in child.history] == [1, 2, 3, 4, 5]
    assert child.history[:kept] == parent.history[:kept]
    assert child.history[kept]["seconds"] > parent.history[kept - 1]["seconds"]
    assert child.result["kept_epoch"] == child.result["epochs_run"] == kept + 2
    train = child.experiment.train
    assert (train.epochs, train.learning_rate, train.batch_size) == (kept + 2, TINY_RATE, 30)
    # The tiny learning rate was the one used: the weights barely moved from the parent's.
    assert 0 < _largest_change(child.result["weights"], parent.result["weights"]) < BARELY
    assert child.result["initial_weights"] == parent.result["initial_weights"]
    assert child.seconds > parent.seconds
    again = {run.number: run for run in WorkspaceStore(store.folder).runs(wid)}
    assert (again[child.number].parent, again[child.number].origin) == (parent.number, CONTINUED)


def test_a_restart_starts_from_the_parents_initial_weights(trained):
    store, wid, pool, parent = trained
    settings = _iris(2)
    # Another seed would draw other initial weights: these are the parent's nonetheless.
    settings.train.learning_rate, settings.train.seed = TINY_RATE, 7
    child = _trained(store, wid, pool, settings, StartFrom(parent, RESTARTED))

    assert (child.parent, child.origin) == (parent.number, RESTARTED)
    assert [record["epoch"] for record in child.history] == [1, 2]
    assert child.result["initial_weights"] == parent.result["initial_weights"]
    assert _largest_change(child.result["weights"], parent.result["initial_weights"]) < BARELY
    assert _largest_change(parent.result["weights"], parent.result["initial_weights"]) > BARELY


def test_a_run_with_other_layers_is_refused_and_nothing_is_recorded(trained):
    store, wid, pool, parent = trained
    wider = _iris(2)
    wider.network.hidden = [LayerSpec(units=16)]
    before = len(store.runs(wid))
    with pytest.raises(TrainingError, match="had another network; restarting from its initial"):
        recorder.start(store, wid, wider, pool=pool, start_from=StartFrom(parent, RESTARTED))
    assert len(store.runs(wid)) == before and recorder.live(wid) is None


def test_what_cannot_be_started_from_is_said_in_words():
    experiment = _iris(3)
    failed = Run(4, experiment, "failed", [], error="the loss became NaN")
    with pytest.raises(TrainingError, match="run 4 kept no trained model, so it cannot be cont"):
        plan(StartFrom(failed, CONTINUED, 5), experiment)
    cut = Run(5, experiment, jobs.INTERRUPTED, [{"epoch": 1}])
    with pytest.raises(TrainingError, match="Continue it from its saved weights first"):
        plan(StartFrom(cut, RESTARTED), experiment)
    older = Run(6, experiment, "finished", [{"epoch": 1}], result={"weights": {"d": [[1.0]]}})
    with pytest.raises(TrainingError, match="before runs remembered the weights they started"):
        plan(StartFrom(older, RESTARTED), experiment)
    with pytest.raises(SpecError, match="at least 1 more epoch"):
        plan(StartFrom(older, CONTINUED, 0), experiment)
    other = _iris(3)
    other.data.target, other.prep.scaling = "sepal_length", "standard"
    with pytest.raises(TrainingError, match="used other data and prepared its data another way"):
        plan(StartFrom(older, CONTINUED, 1), other)


def test_a_continue_plan_keeps_the_epochs_up_to_the_kept_one():
    experiment = _iris(10)
    history = [{"epoch": e, "seconds": e, "loss": 1 / e} for e in range(1, 11)]
    result = {"weights": {"d": [[2.0]]}, "initial_weights": {"d": [[1.0]]}, "kept_epoch": 6}
    parent = Run(2, experiment, "early_stopped", history, result, seconds=12.5)
    faster = copy.deepcopy(experiment)
    faster.train.learning_rate = 0.1
    planned, resume = plan(StartFrom(parent, CONTINUED, 7), faster)
    assert planned.train.epochs == 13 and planned.train.learning_rate == 0.1
    assert faster.train.epochs == 10 and planned is not faster  # a copy
    assert resume == {
        "weights": {"d": [[2.0]]},
        "history": history[:6],
        "seconds": 12.5,
        "initial_weights": {"d": [[1.0]]},
    }


def _callbacks_page():
    """The Train page's new buttons, as a page of their own: Train, continue, restart."""
    import copy

    import streamlit as st

    from builder.experiment.presets import preset_experiment
    from builder.experiment.spec import LayerSpec
    from ui import state, workspace

    state.init_state()
    workspace.sync()
    if "test_ready" not in st.session_state:
        st.session_state.test_ready = True
        first = preset_experiment("iris")
        first.train.epochs = 3
        state.apply_experiment(first)
    edited = state.experiment()
    edited.train.learning_rate = st.session_state.get("test_rate", edited.train.learning_rate)
    edited.network.hidden = [LayerSpec(units=16 if st.session_state.get("test_wider") else 8)]
    st.button(
        "Train",
        key="test_train",
        on_click=lambda: workspace.start_training(copy.deepcopy(state.experiment()), None),
    )
    st.button("Continue", key="test_continue", on_click=workspace.continue_from, args=(1, 2))
    st.button("Restart", key="test_restart", on_click=workspace.restart_from, args=(1,))
    if error := st.session_state.pop("train_error", None):
        st.error(error)


def _ended(at):
    assert at.session_state["job"].wait(WAIT), "the training job did not end"
    at.run()
    assert not at.exception
    return at.session_state["runs"]


def test_the_train_page_callbacks_continue_and_restart_with_the_settings_chosen_now():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_callbacks_page, default_timeout=60).run()
    at.button(key="test_train").click().run()
    (parent,) = _ended(at)
    at.session_state["test_rate"] = 0.01
    at.run()  # the setting is chosen on one run, the button pressed on the next
    at.button(key="test_continue").click().run()
    assert not at.error
    child = _ended(at)[-1]
    assert (child.parent, child.origin) == (parent.number, CONTINUED)
    assert child.experiment.train.learning_rate == 0.01 and len(child.history) == 5
    assert child.experiment.network == parent.experiment.network

    at.session_state["test_wider"] = True
    at.run()
    at.button(key="test_restart").click().run()
    assert "had another network; restarting from its initial weights" in texts(at.error)[0]
    at.session_state["test_wider"] = False
    at.run()
    at.button(key="test_restart").click().run()
    assert not at.error, texts(at.error)
    again = _ended(at)[-1]
    assert (again.parent, again.origin, len(again.history)) == (parent.number, RESTARTED, 3)
    assert again.result["initial_weights"] == parent.result["initial_weights"]
