"""The Train page through AppTest: train, watch the curves, stop, keep and compare runs."""

import json
import time

import pytest

from builder.numbers import shown
from builder.training.playback import horizon, watch_seconds
from tests.apptest_helpers import texts, with_sample
from tests.conftest import jobs_held
from tests.waiting import wait_until

# A fresh worker imports TensorFlow first: at a load average of 40 on 2 cores, the (niced)
# workers' import and first epochs took more than 240 s.
WAIT = 900
# A run that must still train when the test stops it: iris in batches of one ran its 1000
# epochs in about 3 s once compiled, so the host's cap is raised for these tests and the
# run asks for far more epochs than any machine trains before the test's Stop.
LONG_RUN_EPOCHS = 100_000


def _train_page(epochs: int, instant: bool = True):
    """The Train page on iris; ``instant`` draws each epoch as it arrives (AppTest does
    not run the page's timer, which replays a fast run at a watchable pace)."""
    at = with_sample("iris").switch_page("pages/train.py").run()
    assert not at.exception
    at.number_input(key="train_epochs").set_value(epochs).run()
    if instant:
        at.toggle(key="train_instant_widget").set_value(True).run()
    return at


@pytest.fixture
def long_runs(monkeypatch):
    """Lets a run ask for ``LONG_RUN_EPOCHS``; the jobs the test adds are stopped when it
    ends, passed or failed, so that a failed test leaves no run holding a worker."""
    monkeypatch.setenv("NNB_MAX_EPOCHS", str(LONG_RUN_EPOCHS))
    jobs = []
    yield jobs
    for job in jobs:
        job.stop()


def _finish(at):
    job = at.session_state["job"]
    assert job.wait(WAIT), "the training job did not end"
    return at.run()


def test_train_shows_curves_and_keeps_each_run_for_comparison():
    at = _train_page(4)
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled
    # Held before its first epoch: a warm worker could otherwise train all 4 epochs within
    # the click's page run, which then draws the run ended.
    with jobs_held():
        at.button(key="train_start").click().run()
        assert not at.exception
        assert at.button(key="train_start").disabled and not at.button(key="train_stop").disabled
    at = _finish(at)
    assert not at.exception
    assert any("Finished 4 epochs" in t for t in texts(at.success))
    assert len(at.get("plotly_chart")) >= 2  # loss and accuracy curves
    runs = at.session_state["runs"]
    assert [run.name for run in runs] == ["iris · run 1"] and len(runs[0].history) == 4
    assert runs[0].result["metrics"]["test"]["accuracy"] >= 0.0

    at.select_slider(key="train_learning_rate").set_value(0.01).run()
    at.button(key="train_start").click().run()
    at = _finish(at)
    assert [run.name for run in at.session_state["runs"]] == ["iris · run 1", "iris · run 2"]
    assert at.multiselect(key="train_compare").value == [1, 2]
    assert at.dataframe[0].value.shape[0] == 2
    differ = " ".join(texts(at.markdown))
    assert "train.learning_rate: iris · run 1 = 0.001, iris · run 2 = 0.01" in differ
    assert not at.exception


def test_a_fast_run_is_replayed_at_a_watchable_pace_and_then_kept():
    # A fast run, from the page's point of view: all its epochs arrive between two looks,
    # none before. The run is held before its first epoch through the click's page run (a
    # warm worker could draw epochs in it), and the page is looked at again only once the
    # run has ended, whatever the machine's speed. Then it is run every 0.3 s, as the
    # browser's timer does (a page not looked at for 2 s catches up at once).
    epochs = 250
    at = _train_page(epochs, instant=False)
    at.checkbox(key="train_early_stopping").uncheck().run()  # all 250, paced by them
    with jobs_held():
        at.button(key="train_start").click().run()
    job = at.session_state["job"]
    assert job.wait(WAIT), "the training job did not end"
    at.run()
    # The run has ended, but its epochs are still being drawn.
    caption = next(t for t in texts(at.caption) if t.startswith("Epoch "))
    drawn = int(caption.split()[1])
    assert 1 <= drawn < epochs and "replayed at a watchable pace" in caption
    assert not at.session_state["runs"] or at.dataframe[0].value.shape[0] == 1  # one row
    assert not any("Finished" in t for t in texts(at.success))

    def finished() -> bool:
        time.sleep(0.3)
        at.run()  # to the replay's end: the page shows the finished run and keeps it
        return any("Finished" in t for t in texts(at.success))

    wait_until(finished, "the replay's end", seconds=watch_seconds(epochs) + 60, every=0)
    assert any(f"Finished {epochs} epochs" in t for t in texts(at.success))
    assert [run.name for run in at.session_state["runs"]] == ["iris · run 1"]
    assert not at.exception


def test_training_goes_on_on_other_pages_and_stop_keeps_the_model(long_runs):
    at = _train_page(LONG_RUN_EPOCHS)
    at.number_input(key="train_batch_size").set_value(1).run()
    at.checkbox(key="train_early_stopping").uncheck().run()  # a run long enough to stop
    at.button(key="train_start").click().run()
    job = at.session_state["job"]
    long_runs.append(job)
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    wait_until(lambda: len(job.history) >= 3, "three epochs of the run", WAIT)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert any(t.startswith("Epoch ") for t in texts(at.caption))
    assert len(at.get("plotly_chart")) >= 2  # the curves are there on coming back
    at.button(key="train_stop").click().run()
    at = _finish(at)
    assert job.state == "stopped" and job.result["model_bytes"]
    assert 3 <= job.result["epochs_run"] < LONG_RUN_EPOCHS
    assert any("model trained so far is kept" in t for t in texts(at.warning))
    assert at.session_state["runs"][0].state == "stopped"
    # The curves' axis fits the epochs run, not the epochs planned.
    loss_chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert loss_chart["layout"]["xaxis"]["range"] == [0.5, job.result["epochs_run"] + 0.5]
    assert not at.exception


def test_a_run_early_stopping_may_end_shows_an_axis_with_room_and_an_upper_bound_on_time(
    long_runs,
):
    at = _train_page(LONG_RUN_EPOCHS)
    at.number_input(key="train_batch_size").set_value(1).run()
    at.number_input(key="train_patience").set_value(10_000).run()  # on, but not ending it here
    at.button(key="train_start").click().run()
    job = at.session_state["job"]
    long_runs.append(job)
    wait_until(lambda: len(job.history) >= 3, "three epochs of the run", WAIT)
    at.run()
    caption = next(t for t in texts(at.caption) if t.startswith("Epoch "))
    drawn = int(caption.split()[1])
    # Not a sliver at the left of the planned epochs' axis: the next of 20, 50, 100 … past
    # the curve.
    loss_chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    end = loss_chart["layout"]["xaxis"]["range"][1] - 0.5
    planned = LONG_RUN_EPOCHS
    assert end == horizon(drawn, planned) and drawn * 1.25 <= end < planned, (drawn, end)
    assert "s left (early stopping may end it sooner)" in caption and "up to " in caption
    at.button(key="train_stop").click().run()
    _finish(at)
    assert not at.exception


def test_a_run_that_ends_on_another_page_is_kept_there():
    at = _train_page(3)
    at.button(key="train_start").click().run()
    job = at.session_state["job"]
    at.switch_page("pages/evaluate.py").run()
    assert job.wait(WAIT), "the training job did not end"
    at.run()  # the next page view, with the user still on Evaluate
    assert not at.exception
    assert [run.name for run in at.session_state["runs"]] == ["iris · run 1"]
    assert at.selectbox(key="evaluate_run").value == 1


def test_a_diverging_run_shows_one_test_loss_and_one_elapsed_time_everywhere():
    at = _train_page(10)
    at.selectbox(key="train_validation").set_value("test").run()  # the same rows twice
    at.select_slider(key="train_learning_rate").set_value(10.0).run()
    assert any("very high for adam" in t for t in texts(at.warning))
    at.button(key="train_start").click().run()
    at = _finish(at)
    assert not at.exception
    (run,) = at.session_state["runs"]
    row = at.dataframe[0].value.iloc[0]
    # Early stopping keeps the best epoch's weights, so their test loss is the best val loss.
    assert row["kept epoch"] == run.result["kept_epoch"] == run.result["best_epoch"]
    loss = shown(run.result["metrics"]["test"]["loss"])
    assert shown(row["best val loss"]) == shown(row["test loss"]) == loss
    (box,) = [t for t in texts(at.success) if t.startswith("Finished")]
    assert f"loss {loss}" in box and f"epoch {row['kept epoch']}" in box
    assert (
        row["seconds"] == round(run.seconds, 1) and run.seconds == at.session_state["job"].elapsed()
    )
    assert f"in {row['seconds']:.1f} s" in box


def test_the_runs_to_compare_stay_chosen_when_settings_change_and_pages_are_visited():
    at = _train_page(1)
    for _ in range(3):
        at.button(key="train_start").click().run()
        at = _finish(at)
    assert at.multiselect(key="train_compare").value == [1, 2, 3]  # each new run is added
    at.multiselect(key="train_compare").set_value([1, 3]).run()
    at.number_input(key="train_epochs").set_value(2).run()
    at.select_slider(key="train_learning_rate").set_value(0.01).run()
    at.switch_page("pages/build.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.multiselect(key="train_compare").value == [1, 3]
    assert "train.learning_rate" not in " ".join(texts(at.markdown))  # same runs
