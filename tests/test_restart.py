"""A restarted server in a real browser: the runs come back, and the cut-off run continues."""

import re
import signal

import pytest
from playwright.sync_api import expect

from builder.workspace.store import WorkspaceStore, workspace_id
from tests.conftest import epochs_slowed, free_port, start_server, stop_server
from tests.processes import descendants, still_running
from tests.test_browser import click_button
from tests.test_browser_train import WAIT_MS
from tests.test_browser_workspace import token_of
from tests.test_faults import expect_long_run_settings, start_long_run, wait_for_epoch_past
from tests.test_journey import set_epochs

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("signum", "group"),
    [
        # No chance to save anything.
        (signal.SIGKILL, False),
        # Ctrl-C in a terminal: the signal reaches the workers too. Streamlit stops on
        # SIGTERM (systemd's stop, also sent to the whole group) by the same handler, and
        # tests/test_jobs.py checks that workers leave both signals to the server.
        (signal.SIGINT, True),
    ],
    ids=["SIGKILL", "SIGINT-to-group"],
)
def test_a_restarted_server_gives_back_the_runs_and_continues_the_interrupted_one(
    page, signum, group, tmp_path
):
    # One training slot: the test runs one job at a time, and each worker the server warms
    # costs seconds of CPU taken from the other tests of a busy machine.
    port, env = free_port(), {"NNB_DATA_DIR": str(tmp_path), "NNB_MAX_CONCURRENT_TRAININGS": "1"}
    server = start_server(port, env, own_group=group)
    try:
        url = f"http://127.0.0.1:{port}"
        page.goto(f"{url}/train?preset=iris")
        # A fresh server's first page, while its fork server imports TensorFlow: slow when
        # the machine is busy.
        expect(page.locator(".st-key-train_epochs input")).to_be_enabled(timeout=180_000)
        set_epochs(page, 2)
        click_button(page, "train_start")
        # A fresh server's first worker imports TensorFlow first: over 180 s at load 40.
        expect(page.get_by_text("Finished 2 epochs")).to_be_visible(timeout=600_000)
        with epochs_slowed():  # the long run, and its continuation after the restart
            start_long_run(page, url)  # the first epoch saved its weights
            workers = descendants(server.pid)
            assert workers
            stop_server(server, signum, group=group)
            assert still_running(workers, 60) == [], "processes of the stopped server live on"

            server = start_server(port, env, own_group=group)
            # The tab reconnects by itself, to a new session that finds the browser's workspace:
            # the finished run, and the one cut off with its curve so far.
            expect(page.get_by_text("was cut off by a server restart")).to_be_visible(
                timeout=60_000
            )
            expect(page.get_by_role("dialog")).to_have_count(0)  # "Connection error" is gone
            expect_long_run_settings(page)
            runs = page.get_by_test_id("stDataFrame").last
            expect(runs).to_contain_text("finished")
            expect(runs).to_contain_text("interrupted")
            expect(runs).not_to_contain_text("failed")  # not taken for a crash of its worker
            expect(page.get_by_text("perhaps out of memory")).to_have_count(0)
            expect(page.get_by_test_id("stException")).to_have_count(0)

            continue_button = page.locator(".st-key-train_continue_2 button").first
            saved = int(re.search(r"epoch (\d+)", continue_button.inner_text())[1])
            # Weights are saved every 2 s of epochs of a second, and the run went on while
            # the server stopped: it continues from saved weights of an epoch it recorded.
            store = WorkspaceStore(tmp_path)
            (cut,) = [run for run in store.runs(workspace_id(token_of(page))) if run.number == 2]
            assert 1 <= saved <= len(cut.history)
            continue_button.click()
            expect(page.locator(".st-key-train_stop button").first).to_be_enabled()
            # Epochs of about a second and a page redrawn twice a second: the line may skip
            # epoch saved + 1, so wait for any epoch past the saved one.
            wait_for_epoch_past(page, saved)
            click_button(page, "train_stop")
            # It stops at the end of the epoch in progress, and workers of a loaded machine
            # are starved first: a wait for training.
            expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch")).first).to_be_visible(
                timeout=WAIT_MS
            )
            expect(runs).not_to_contain_text("interrupted")
            expect(page.get_by_test_id("stSidebar")).to_contain_text("Runs: 2")
    finally:
        stop_server(server, group=group)
