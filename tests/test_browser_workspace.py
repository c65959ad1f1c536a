"""Nothing lost, in headless Chromium: a reload, a second tab, a reopened tab keep the work;
another browser and a forged token see none of it."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from builder.workspace.store import new_token
from tests.conftest import ROOT, epochs_slowed, new_context, serve_app
from tests.test_browser import click_button
from tests.test_browser_train import (
    WAIT_MS,
    set_number,
    turn_off_early_stopping,
    wait_for_loss_points,
)
from tests.test_journey import set_epochs

pytestmark = pytest.mark.browser

COOKIE = "nnb_workspace"
EPOCH = re.compile(r"^Epoch \d+ of 1000")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    """One server for the module, keeping its workspaces in a folder of its own.

    One training slot is enough for tests that train one run at a time, and spares the
    machine a second worker warming up."""
    env = {
        "NNB_DATA_DIR": str(tmp_path_factory.mktemp("workspaces")),
        "NNB_MAX_CONCURRENT_TRAININGS": "1",
    }
    with serve_app(env=env) as url:
        yield url


def token_of(page, replacing: str | None = None) -> str:
    """The workspace cookie a tab holds, once the page's script has set it.

    The app sets the cookie from a line of script in the page, which can run a moment
    after the sidebar shows the workspace, so wait for it (and, for a forged token,
    for the app's own token to take its place)."""
    page.wait_for_function(
        """([name, replacing]) => document.cookie.split('; ').some(
            c => c.startsWith(name + '=') && c !== name + '=' + replacing)""",
        arg=[COOKIE, replacing or ""],
    )
    return next(c["value"] for c in page.context.cookies() if c["name"] == COOKIE)


def open_train_page(page, url: str, sample: str) -> None:
    page.goto(url)
    click_button(page, f"home_sample_{sample}")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    expect(page.get_by_role("heading", name="Train", exact=True)).to_be_visible()


def train_briefly(page, epochs: int) -> None:
    set_epochs(page, epochs)
    click_button(page, "train_start")
    expect(page.get_by_text(f"Finished {epochs} epochs")).to_be_visible(timeout=WAIT_MS)


def test_a_reload_mid_training_follows_the_run_and_a_second_tab_sees_it(store_url, page):
    with epochs_slowed(0.5):  # a run to watch for as long as the test takes
        open_train_page(page, store_url, "wine")
        set_number(page, "train_epochs", 1000)
        turn_off_early_stopping(page)
        click_button(page, "train_start")
        before = wait_for_loss_points(page, "n >= 3")
        assert token_of(page) not in page.url

        page.reload()
        expect(page.get_by_text(EPOCH)).to_be_visible(timeout=WAIT_MS)
        # The same run: its curve comes back whole and keeps growing.
        after = wait_for_loss_points(page, f"n >= {before}")
        assert wait_for_loss_points(page, f"n > {after}") > after
        expect(page.get_by_text("Choose the settings and press")).to_have_count(0)

        second = page.context.new_page()
        try:
            second.goto(f"{store_url}/train")  # no link: the workspace brings the experiment back
            expect(second.get_by_test_id("stSidebar")).to_contain_text("Wine (red + white)")
            shown = wait_for_loss_points(second, "n >= 3")
            assert wait_for_loss_points(second, f"n > {shown}") > shown
            click_button(second, "train_stop")  # stopping in one tab stops the run for both
            # After the epoch in progress, which a loaded machine's workers are slow to end.
            stopped = re.compile(r"Stopped after \d+ epoch")
            expect(second.get_by_text(stopped).first).to_be_visible(timeout=WAIT_MS)
            expect(page.get_by_text(stopped).first).to_be_visible(timeout=WAIT_MS)
            for tab in (page, second):
                expect(tab.get_by_test_id("stDataFrame").last).to_contain_text("wine · run 1")
                expect(tab.get_by_test_id("stSidebar")).to_contain_text("Runs: 1")
        finally:
            second.close()


def test_after_training_a_reload_and_a_reopened_tab_keep_the_upload_run_and_model(
    store_url, page, tmp_path
):
    table = shutil.copy(ROOT / "sample_data" / "iris.csv", tmp_path / "my-flowers.csv")
    page.goto(f"{store_url}/data")
    page.get_by_text("My own file(s)").click()
    page.locator(".st-key-data_upload input[type=file]").set_input_files(str(table))
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("my-flowers.csv")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
    train_briefly(page, 3)

    page.reload()
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("my-flowers · run 1")
    expect(sidebar).to_contain_text("my-flowers.csv (150 rows × 5 cols)")
    expect(sidebar).to_contain_text("Runs: 1")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Evaluate", exact=True).click()
    expect(page.get_by_test_id("stMetricLabel").first).to_have_text("Accuracy")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Export", exact=True).click()
    with page.expect_download() as download:
        click_button(page, "export_download_model")
    assert download.value.suggested_filename == "my-flowers-run-1.keras"

    # The tab closed, the app opened anew at its bare address: still all there.
    context = page.context
    page.close()
    reopened = context.new_page()
    reopened.goto(f"{store_url}/evaluate")
    expect(reopened.get_by_test_id("stSidebar")).to_contain_text("my-flowers.csv")
    expect(reopened.get_by_test_id("stMetricLabel").first).to_have_text("Accuracy")
    expect(reopened.get_by_test_id("stException")).to_have_count(0)


def test_another_browser_and_a_forged_token_open_an_empty_workspace(store_url, browser):
    owner = new_context(browser).new_page()
    others = []
    try:
        open_train_page(owner, store_url, "iris")
        train_briefly(owner, 2)
        token = token_of(owner)

        forged, forged_token = new_context(browser), new_token()
        forged.add_cookies([{"name": COOKIE, "value": forged_token, "url": store_url}])
        stolen_link = new_context(browser)  # the owner's address, as a shared link
        for context in (new_context(browser), forged, stolen_link):
            others.append(context.new_page())
        for other in others[:2]:
            other.goto(f"{store_url}/train")
            expect(other.get_by_test_id("stSidebar")).to_contain_text("Dataset: none loaded yet")
        others[2].goto(owner.url)
        expect(others[2].get_by_test_id("stSidebar")).to_contain_text("Iris flowers")
        expect(others[2].get_by_text("Every run is kept here")).to_be_visible()
        expect(others[2].get_by_test_id("stSidebar")).to_contain_text("Runs: 0")
        # Each got a workspace of its own; the forged token was replaced, not adopted.
        tokens = {token, *(token_of(other, replacing=forged_token) for other in others)}
        assert len(tokens) == 4 and forged_token not in tokens

        # The owner's work is untouched.
        owner.reload()
        expect(owner.get_by_test_id("stDataFrame").last).to_contain_text("iris · run 1")
    finally:
        for tab in (owner, *others):
            tab.context.close()


def test_a_table_too_big_for_the_workspace_is_refused_and_a_reload_agrees(page, tmp_path):
    """The new table does not fit: the page says so and keeps the old one, under its own
    name, before and after a reload; runs are named after the table they trained on."""
    iris = (ROOT / "sample_data" / "iris.csv").read_bytes()
    small, more = tmp_path / "small-flowers.csv", tmp_path / "more-flowers.csv"
    small.write_bytes(iris)
    more.write_bytes(iris)
    header, rows = iris.split(b"\n", 1)
    big = tmp_path / "big-flowers.csv"  # the same columns, 2.2 MB: past the 2 MB kept
    big.write_bytes(header + b"\n" + rows * 600)
    env = {
        "NNB_DATA_DIR": str(tmp_path / "data"),
        "NNB_WORKSPACE_MB": "2",
        "NNB_MAX_CONCURRENT_TRAININGS": "1",
    }
    with serve_app(env=env) as url:
        page.goto(f"{url}/data")
        # A fresh server's first page: slow on a busy machine.
        expect(page.get_by_text("My own file(s)")).to_be_visible(timeout=120_000)
        page.get_by_text("My own file(s)").click()
        uploader = page.locator(".st-key-data_upload input[type=file]")
        uploader.set_input_files(str(small))
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("small-flowers.csv (150 rows × 5 cols)")

        # Added to the uploader's list, it would be stacked under the first: too big to keep.
        uploader.set_input_files(str(big))
        refused = page.get_by_test_id("stAlert").filter(has_text="Not loaded")
        expect(refused).to_contain_text(
            "Not loaded: small-flowers.csv, big-flowers.csv, as this server could not keep them"
        )
        expect(refused).to_contain_text("of the 2 MB this server keeps per browser")
        expect(sidebar).to_contain_text("small-flowers.csv (150 rows × 5 cols)")
        expect(page.get_by_role("heading", name="small-flowers.csv")).to_be_visible()
        expect(sidebar).not_to_contain_text("big-flowers")
        page.reload()
        expect(sidebar).to_contain_text("small-flowers.csv (150 rows × 5 cols)")
        expect(sidebar).not_to_contain_text("big-flowers")
        expect(page.get_by_test_id("stException")).to_have_count(0)

        # Files added one at a time are stacked; the one refused is left out. (The page
        # came back on the upload, its table's source.) Each file is added once the page
        # shows the last one read: two files added before a read are read as one pair.
        uploader.set_input_files(str(more))
        expect(sidebar).to_contain_text("more-flowers.csv (150 rows × 5 cols)")
        uploader.set_input_files(str(big))
        expect(refused).to_contain_text("Not loaded: more-flowers.csv, big-flowers.csv")
        uploader.set_input_files(str(small))
        expect(sidebar).to_contain_text("more-flowers.csv, small-flowers.csv (300 rows × 6 cols)")
        expect(refused).to_have_count(0)
        page.reload()
        expect(sidebar).to_contain_text("more-flowers.csv, small-flowers.csv (300 rows × 6 cols)")

        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train", exact=True).click()
        train_briefly(page, 2)
        runs = page.get_by_test_id("stDataFrame").last
        expect(runs).to_contain_text("more-flowers · run 1")
        expect(runs).not_to_contain_text("big-flowers")
