"""The Train page in headless Chromium: the chart grows while a real run trains, Stop ends it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import epochs_slowed, jobs_held
from tests.test_browser import click_button

pytestmark = pytest.mark.browser

# The server's first worker imports TensorFlow before the first epoch; at a load average of
# 40 on 2 cores, a (niced) worker's import and first epochs took more than 240 s.
WAIT_MS = 600_000


def set_number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key} input").first
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value))


def epochs_done(page) -> int:
    text = page.get_by_text(re.compile(r"^Epoch \d+ of")).first.inner_text()
    return int(re.match(r"Epoch (\d+)", text).group(1))


# The chart is drawn with no traces before the first epoch arrives, hence the optional chaining.
LOSS_POINTS = (
    "() => document.querySelector('.st-key-train_chart_loss .js-plotly-plot')"
    "?.data?.[0]?.x?.length ?? 0"
)


def turn_off_early_stopping(page) -> None:
    """Early stopping is on by default; a run that must last gets every epoch it asks for."""
    page.locator(".st-key-train_early_stopping label").click()
    expect(page.locator(".st-key-train_early_stopping input")).not_to_be_checked()


# Stop has been taken: the page says "Stopping…" (a run held before its first epoch in a
# worker), or Train is enabled again (a run stopped while queued ends at once). Called
# right after Stop was clicked: the page run that enabled Stop had disabled Train.
STOP_TAKEN = """() => document.body.innerText.includes('Stopping…')
    || !document.querySelector('.st-key-train_start button').disabled"""


def wait_for_stop_taken(page) -> None:
    """Wait until the page shows that the Stop just clicked has been taken."""
    page.wait_for_function(STOP_TAKEN, timeout=WAIT_MS)


def wait_for_loss_points(page, test: str) -> int:
    """Wait until the live loss chart's point count passes ``test`` (JS, on ``n``); return it.

    Streamlit redraws the chart on every refresh, so the count is read in one go
    inside the browser, never between two redraws.
    """
    found = page.wait_for_function(
        f"() => {{ const n = ({LOSS_POINTS})(); return ({test}) ? n : false; }}",
        timeout=WAIT_MS,
    )
    return found.json_value()


def test_chart_grows_while_training_and_stop_keeps_the_run(app_url, page):
    with epochs_slowed(0.5):  # a run to watch for as long as the test takes
        page.goto(app_url)
        click_button(page, "home_sample_wine")
        expect(page.get_by_test_id("stSidebar")).to_contain_text("Wine (red + white)")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        expect(page.get_by_role("heading", name="Train")).to_be_visible()
        set_number(page, "train_epochs", 1000)
        turn_off_early_stopping(page)

        click_button(page, "train_start")
        expect(page.get_by_text(re.compile(r"^Epoch [1-9]\d* of 1000"))).to_be_visible(
            timeout=WAIT_MS
        )
        first = wait_for_loss_points(page, "n >= 2")
        # The same chart, redrawn with more epochs.
        later = wait_for_loss_points(page, f"n > {first}")
        assert later > first >= 2

        click_button(page, "train_stop")
        expect(page.get_by_text("the model trained so far is kept")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator(".st-key-train_start button").first).to_be_enabled()
        stopped_at = epochs_done(page)
        assert 2 <= stopped_at < 1000
        expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
        # The kept run's curves stay on the page, and it is listed among the runs.
        assert wait_for_loss_points(page, f"n == {stopped_at}") == stopped_at
        expect(page.locator(".st-key-train_compare").first).to_contain_text("wine · run 1")


SIDEBAR_EPOCH = (
    "() => { const text = document.querySelector('[data-testid=stSidebar]').innerText;"
    " const found = text.match(/training, epoch (\\d+) of/); return found ? +found[1] : 0; }"
)


def test_sidebar_follows_the_run_on_another_page(app_url, page):
    with epochs_slowed(0.5):  # a run to watch for as long as the test takes
        page.goto(app_url)
        click_button(page, "home_sample_wine")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Wine (red + white)")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
        set_number(page, "train_epochs", 1000)
        turn_off_early_stopping(page)
        click_button(page, "train_start")
        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Explore", exact=True).click()
        expect(page.get_by_role("heading", name="Explore")).to_be_visible()

        # No click on this page: the sidebar's epoch grows, then the ended run is counted.
        first = page.wait_for_function(
            f"({SIDEBAR_EPOCH})() || false", timeout=WAIT_MS
        ).json_value()
        later = page.wait_for_function(
            f"(({SIDEBAR_EPOCH})() > {first}) && ({SIDEBAR_EPOCH})()", timeout=WAIT_MS
        ).json_value()
        assert 1 <= first < later <= 1000
        # The run is ended from a second tab of the same browser, not left to train its 1000
        # epochs (minutes on a loaded machine); this tab still gets no click.
        other = page.context.new_page()
        try:
            other.goto(f"{app_url}/train")
            click_button(other, "train_stop")
            expect(sidebar).to_contain_text("Runs: 1", timeout=WAIT_MS)
            expect(sidebar).not_to_contain_text("training, epoch")
        finally:
            other.close()


def test_epochs_above_the_limit_say_the_limit_under_the_box(app_url, page):
    page.goto(f"{app_url}/train?preset=iris")
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()
    box = page.locator(".st-key-train_epochs input").first
    box.fill("5000")
    limit = page.get_by_text("At most 1000 epochs on this server.")
    expect(limit).to_be_visible()  # while typing, with "Press Enter to apply" over the box
    box.press("Enter")
    expect(limit).to_be_visible()


def test_stop_during_start_up_shows_at_once_and_ends_the_run_stopped(app_url, page):
    # Wide enough for every column of the runs table, seconds included (the grid puts
    # only the columns in view into the page).
    page.set_viewport_size({"width": 2400, "height": 1000})
    page.goto(app_url)
    click_button(page, "home_sample_wine")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Wine (red + white)")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    turn_off_early_stopping(page)
    # A first, short run: the next one then goes to a warm worker, whose start-up is the
    # network's preparation and compilation.
    set_number(page, "train_epochs", 1)
    click_button(page, "train_start")
    finished = page.get_by_text(re.compile(r"^Finished 1 epochs in"))
    expect(finished).to_be_visible(timeout=WAIT_MS)
    # The runs table shows the finished message's numbers as the message writes them.
    text = finished.inner_text()
    seconds, loss = re.search(r"in (\d+\.\d) s", text)[1], re.search(r"loss (\S+),", text)[1]
    runs = page.get_by_test_id("stDataFrame").last
    # The grid draws "13.0" on its canvas; its text in the page is the value as JavaScript
    # writes a number ("13"), which is what a locator reads.
    expect(runs).to_contain_text(f"{float(seconds):g}")
    expect(runs).to_contain_text(loss)

    set_number(page, "train_epochs", 1000)
    # The worker holds the run before its first epoch, so its start-up lasts until the
    # test has seen it and stopped it: on a warm worker it may otherwise pass unseen.
    with jobs_held():
        click_button(page, "train_start")
        expect(page.get_by_text("preparing the data and building the network")).to_be_visible()
        click_button(page, "train_stop")
        # Still held: the answer to Stop shows before the run's first epoch.
        expect(page.get_by_text("Stopping… The network is still being built")).to_be_visible()
        expect(page.locator(".st-key-train_start button").first).to_be_disabled()
        expect(page.locator(".st-key-train_stop button").first).to_be_disabled()
    expect(page.get_by_text(re.compile(r"^Stopped after \d+ epoch")).first).to_be_visible(
        timeout=WAIT_MS
    )
    assert 1 <= epochs_done(page) < 1000
    expect(page.locator(".st-key-train_start button").first).to_be_enabled()
    expect(runs).to_contain_text("stopped")
