"""Classroom faults in a real browser: a tab closed mid-training, a network blip.

A restarted server has its own module, tests/test_restart.py, so that the two test
processes can share these slow tests.
"""

import re
import time
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from builder.experiment import share
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import LayerSpec
from builder.training import jobs
from builder.workspace.store import get_store
from tests.conftest import epochs_slowed, new_context, serve_app
from tests.test_browser import click_button
from tests.test_browser_workspace import token_of
from tests.test_journey import set_epochs
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

GRACE = 10  # seconds Streamlit keeps a disconnected session for its tab to come back
ONE_SLOT = {
    "NNB_MAX_CONCURRENT_TRAININGS": "1",
    "NNB_MAX_JOB_SECONDS": "3600",
    "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(GRACE),
}
# Stop and the slot's release come after the epoch in progress, and a worker of a loaded
# machine is starved first.
LONG_WAIT_MS = 600_000
EPOCH = re.compile(r"Epoch \d+ of 1000")
PROGRESS = re.compile(r"Epoch (\d+) of 1000 · .* about (\d+) s left")
# Keeps the page's websockets reachable, so a test can cut them like a network blip would.
KEEP_SOCKETS = """
const NativeSocket = window.WebSocket;
window.openSockets = [];
window.WebSocket = class extends NativeSocket {
    constructor(...args) { super(...args); window.openSockets.push(this); }
};
"""


def _long_run_path() -> str:
    """The Train page holding, in its link, a run of 1000 epochs of a small digits network:
    with epochs slowed (``epochs_slowed``), a run of many minutes that takes little CPU."""
    experiment = preset_experiment("digits")
    experiment.network.hidden = [LayerSpec(units=24) for _ in range(3)]
    experiment.train.epochs = 1000
    return f"/train?{urlencode(share.to_query(experiment))}"


def _progress(page) -> tuple[int, int]:
    """The epoch and the seconds left that the progress line shows."""
    match = PROGRESS.search(page.get_by_text(PROGRESS).inner_text())
    return int(match[1]), int(match[2])


def start_long_run(page, url: str) -> tuple[int, int]:
    """Open the long run's link, press Train, wait for three epochs; return ``_progress``.
    Call it inside ``epochs_slowed``."""
    page.goto(url + _long_run_path())
    click_button(page, "train_start")
    # From the third epoch on, the time left leaves out the first epoch's compiling.
    expect(page.get_by_text(re.compile(r"Epoch ([3-9]|\d\d+) of 1000"))).to_be_visible(
        timeout=LONG_WAIT_MS
    )
    return _progress(page)


def wait_for_epoch_past(page, saved: int, seconds: float = 600) -> None:
    """Wait until the progress line shows an epoch after ``saved`` (read in the browser, in
    one go, at every frame)."""
    page.wait_for_function(
        """saved => {
            const shown = document.body.innerText.match(/Epoch (\\d+) of 1000/);
            return Boolean(shown) && +shown[1] > saved;
        }""",
        arg=saved,
        timeout=seconds * 1000,
    )


def expect_clear_train_page(page) -> None:
    """Train enabled, Stop disabled, the invitation to train as the only message, no traceback."""
    expect(page.locator(".st-key-train_start button").first).to_be_enabled()
    expect(page.locator(".st-key-train_stop button").first).to_be_disabled()
    expect(page.get_by_test_id("stAlert")).to_have_text([re.compile("Choose the settings")])
    expect(page.get_by_test_id("stException")).to_have_count(0)


def expect_long_run_settings(page) -> None:
    """The long run's experiment, as its link holds it."""
    expect(page.locator(".st-key-train_epochs input")).to_have_value("1000")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("24 → 24 → 24")


@pytest.fixture(scope="module")
def one_slot_url():
    """A server that trains one run at a time and keeps a disconnected session ``GRACE`` s."""
    with serve_app(env=ONE_SLOT) as url:
        yield url


def test_a_network_blip_shorter_than_the_grace_keeps_the_run(one_slot_url, browser):
    context = new_context(browser)
    context.add_init_script(KEEP_SOCKETS)
    page = context.new_page()
    try:
        with epochs_slowed():
            start_long_run(page, one_slot_url)
            # Cut the connection; the page gets it back once the server's health check answers.
            page.route("**/_stcore/health", lambda route: route.abort())
            page.evaluate("window.openSockets.forEach(socket => socket.close())")
            cut = time.monotonic()
            page.wait_for_timeout(GRACE / 3 * 1000)
            page.unroute("**/_stcore/health")
            page.wait_for_timeout((GRACE + 3 - (time.monotonic() - cut)) * 1000)
            # Past the grace, the reconnected page still watches the same run going on.
            expect(page.get_by_text("Stopped after")).to_have_count(0)
            epoch, _ = _progress(page)
            expect(page.get_by_text(EPOCH)).not_to_contain_text(f"Epoch {epoch} of")
            click_button(page, "train_stop")  # free the only slot for the next test
            expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch")).first).to_be_visible(
                timeout=LONG_WAIT_MS
            )
    finally:
        context.close()


def test_a_closed_tab_frees_its_slot_and_its_link_opens_clear(one_slot_url, browser):
    first, second, again = (new_context(browser).new_page() for _ in range(3))
    try:
        with epochs_slowed():
            start_long_run(first, one_slot_url)
            link, token = first.url, token_of(first)
            second.goto(f"{one_slot_url}/train?preset=iris")
            expect(second.get_by_role("heading", name="Train", exact=True)).to_be_visible()
            set_epochs(second, 3)  # slowed too
            first.context.close()

            # The closed tab's run holds the only slot through the grace, then is stopped.
            # (Queued lasts the grace and the epoch in progress: seconds, on any machine.)
            click_button(second, "train_start")
            expect(second.get_by_text("Queued, position 1.")).to_be_visible()
            expect(second.get_by_text(re.compile(r"Finished \d+ epochs"))).to_be_visible(
                timeout=LONG_WAIT_MS
            )
            # The slot came from the closed tab's run being stopped, not from its end.
            store = get_store()
            _, wid, _ = store.open(token)
            (closed,) = wait_until(
                lambda: [run for run in store.runs(wid) if run.state != "running"],
                "the closed tab's run written to the store as ended",
            )
            assert closed.state == jobs.STOPPED and len(closed.history) < 1000, closed.state
            runs = second.get_by_test_id("stDataFrame").last
            expect(runs).to_contain_text("iris · run 1")
            expect(runs).not_to_contain_text("iris · run 2")
            expect(second.get_by_test_id("stSidebar")).to_contain_text("Iris flowers")
            expect(second.get_by_test_id("stException")).to_have_count(0)

            # The first student opens their link again: the experiment, and nothing left running.
            again.goto(link)
            expect(again.get_by_role("heading", name="Train", exact=True)).to_be_visible()
            expect_long_run_settings(again)
            expect_clear_train_page(again)
            expect(again.get_by_text("Every run is kept here")).to_be_visible()
    finally:
        for page in (first, second, again):
            page.context.close()
