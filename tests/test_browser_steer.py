"""Watching and steering a run in headless Chromium: the curves grow at a watchable pace,
Pause, Step and Stop answer, and a run continued or restarted records its parent."""

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from builder.workspace.store import get_store
from tests.conftest import epochs_slowed
from tests.test_browser import choose, click_button
from tests.test_browser_train import LOSS_POINTS, WAIT_MS, set_number
from tests.test_browser_workspace import token_of
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

# The epoch as the caption, the sidebar and the runs table's live row show it, read at once.
EPOCHS_SHOWN = """() => {
  const text = document.body.innerText;
  const caption = text.match(/Epoch (\\d+) of/);
  const sidebar = document.querySelector('[data-testid=stSidebar]').innerText
    .match(/epoch (\\d+) of/);
  return [caption && +caption[1], sidebar && +sidebar[1]];
}"""


# While the page does not yet say the run finished: the loss curve's point count with the
# epochs the caption and the sidebar show, all read in one go (-1 once it says so).
LIVE_VIEW = f"""() => document.body.innerText.includes('Finished ') ? -1 :
    [({LOSS_POINTS})(), ...({EPOCHS_SHOWN})()]"""


def _points_are(page, points: int) -> None:
    """Wait until the loss chart draws ``points`` points: it is drawn a moment after the
    text of the same redraw, and a redraw replaces it."""
    page.wait_for_function(f"() => ({LOSS_POINTS})() === {points}", timeout=WAIT_MS)


def _open_train(page, app_url: str, preset: str) -> None:
    page.goto(f"{app_url}/train?preset={preset}")
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()


def test_the_iris_curves_grow_over_successive_redraws_before_the_run_finishes(app_url, page):
    _open_train(page, app_url, "iris")
    click_button(page, "train_start")
    counts = []
    for _ in range(3):
        test = f"n > {counts[-1]}" if counts else "n >= 1"
        found = page.wait_for_function(
            f"() => {{ const view = ({LIVE_VIEW})(); if (view === -1) return 'ended'; "
            f"const n = view[0]; return ({test}) ? view : false; }}",
            timeout=WAIT_MS,
        ).json_value()
        assert found != "ended", f"the run was drawn finished after {counts} points"
        points, caption, sidebar = found
        # The same redraw shows the epoch in the caption and in the sidebar.
        assert caption is not None and sidebar is not None, found
        counts.append(points)
    assert counts[0] < counts[1] < counts[2] < 150
    expect(page.get_by_text(re.compile(r"^Finished 150 epochs"))).to_be_visible(timeout=WAIT_MS)
    _points_are(page, 150)


def _paused_at(page) -> int:
    paused = page.get_by_text(re.compile(r"^Paused after epoch \d+"))
    expect(paused).to_be_visible(timeout=WAIT_MS)
    return int(re.search(r"epoch (\d+)", paused.inner_text())[1])


def _run_records(page):
    store = get_store()
    _, wid, fresh = store.open(token_of(page))
    assert not fresh
    return {run.number: run for run in store.runs(wid)}


def test_pause_step_stop_then_continue_and_restart_from_the_same_start(app_url, page):
    # Epochs slowed to half a second: a run to steer for as long as the test takes, which
    # no machine's speed or load ends early (iris ran its 1000 epochs in 3 s once compiled).
    with epochs_slowed(0.5):
        _open_train(page, app_url, "digits")
        set_number(page, "train_epochs", 1000)  # the preset trains without early stopping
        click_button(page, "train_start")
        click_button(page, "train_pause")
        expect(page.locator(".st-key-train_resume button").first).to_contain_text("Resume")
        held = _paused_at(page)
        # Paused, the page shows where the run stands: every epoch done, in every place (the
        # chart is drawn a moment after the text of the same redraw).
        _points_are(page, held)
        assert page.evaluate(EPOCHS_SHOWN) == [held, held]
        click_button(page, "train_step")
        expect(page.get_by_text(f"Paused after epoch {held + 1}.")).to_be_visible(timeout=WAIT_MS)
        _points_are(page, held + 1)
        click_button(page, "train_resume")
        expect(page.get_by_text(re.compile(r"^Paused after"))).to_have_count(0)
        # Resumed, the run trains on; paused again before Stop, so that Stop cannot come after
        # the run's last epoch however slowly a loaded machine redraws.
        page.wait_for_function(f"() => ({EPOCHS_SHOWN})()[0] > {held + 1}", timeout=WAIT_MS)
        click_button(page, "train_pause")
        _paused_at(page)
        click_button(page, "train_stop")
        stopped = page.get_by_text(re.compile(r"^Stopped after \d+ epoch")).first
        expect(stopped).to_be_visible(timeout=WAIT_MS)
        ran = int(re.search(r"after (\d+)", stopped.inner_text())[1])
        assert ran > held + 1

        # Continue run 1 for 5 more epochs with another batch size.
        set_number(page, "train_batch_size", 30)
        set_number(page, "train_more_epochs", 5)
        click_button(page, "train_continue_from")
        expect(page.get_by_text(f"Finished {ran + 5} epochs")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_test_id("stDataFrame").first).to_contain_text("run 1, continued")
        _points_are(page, ran + 5)

        # Restart from run 1's initial weights with 5 epochs.
        set_number(page, "train_epochs", 5)
        choose(page, "train_go_on_run", "digits · run 1")
        click_button(page, "train_restart_from")
        expect(page.get_by_text("Finished 5 epochs")).to_be_visible(timeout=WAIT_MS)
        expect(page.get_by_test_id("stDataFrame").first).to_contain_text("run 1, same start")

        # The store has a run's end a moment after the page shows it (a recorder thread writes it).
        runs = wait_until(
            lambda: (found := _run_records(page)).get(3) and found[3].result and found,
            "run 3 written to the store with its result",
        )
        first, continued, restarted = runs[1], runs[2], runs[3]
        assert (continued.parent, continued.origin) == (1, "continued")
        assert (restarted.parent, restarted.origin) == (1, "restarted")
        assert continued.history[:ran] == first.history and len(continued.history) == ran + 5
        assert continued.experiment.train.batch_size == 30
        start = first.result["initial_weights"]
        for kept in (continued.result["initial_weights"], restarted.result["initial_weights"]):
            assert all(
                np.array_equal(np.asarray(a), np.asarray(b))
                for layer in start
                for a, b in zip(start[layer], kept[layer], strict=True)
            )
