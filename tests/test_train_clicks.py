"""Many quick Train and Stop clicks in a real browser leave one clear state and one run per Train."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import jobs_held
from tests.test_browser import click_button
from tests.test_browser_train import WAIT_MS, wait_for_stop_taken
from tests.test_journey import set_epochs

pytestmark = pytest.mark.browser

ROUNDS = 4


def test_quick_train_stop_clicks_record_one_run_per_train(app_url, page):
    page.goto(f"{app_url}/train?preset=iris")
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
    # The link's first page run ends before the first edit: at a load average of 40, an
    # edit and a Train click made while it ran were lost (Epochs back at the preset's 150).
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)
    set_epochs(page, 1000)
    for _ in range(ROUNDS):
        # As fast as the buttons allow: Stop is enabled once the run is submitted,
        # Train again once the stopped run has ended. A run that reaches a worker is held
        # there before its first epoch until Stop has been taken: iris's 1000 epochs last
        # only seconds on a warm worker, and a run that ended first would leave Stop
        # disabled. (A run still queued for a cold worker is stopped at once.)
        # The last round's run ends in a worker, which a busy machine starves first: the
        # wait for Train is a wait for training (WAIT_MS), not for a page.
        expect(page.locator(".st-key-train_start button").first).to_be_enabled(timeout=WAIT_MS)
        with jobs_held():
            click_button(page, "train_start")
            click_button(page, "train_stop")
            wait_for_stop_taken(page)
    expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch")).first).to_be_visible(
        timeout=WAIT_MS
    )
    runs = page.get_by_test_id("stDataFrame").last
    expect(runs).to_contain_text(f"iris · run {ROUNDS}")
    expect(runs).not_to_contain_text(f"iris · run {ROUNDS + 1}")
    expect(page.locator(".st-key-train_start button").first).to_be_enabled()
    expect(page.locator(".st-key-train_stop button").first).to_be_disabled()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_double_click_on_train_starts_one_run(app_url, page):
    page.goto(f"{app_url}/train?preset=iris")
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
    # The link's first page run ends before the first edit: at a load average of 40, an
    # edit and a Train click made while it ran were lost (Epochs back at the preset's 150).
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)
    set_epochs(page, 1000)
    with jobs_held():  # until Stop is taken: see the test above
        page.locator(".st-key-train_start button").first.dblclick()
        click_button(page, "train_stop")
        wait_for_stop_taken(page)
    expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch")).first).to_be_visible(
        timeout=WAIT_MS
    )
    runs = page.get_by_test_id("stDataFrame").last
    expect(runs).to_contain_text("iris · run 1")
    expect(runs).not_to_contain_text("iris · run 2")
    expect(page.get_by_test_id("stException")).to_have_count(0)
