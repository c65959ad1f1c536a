"""The real app in headless Chromium: what a first-time user does and sees."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.conftest import new_context, serve_app

pytestmark = pytest.mark.browser


def click_button(page, key: str) -> None:
    """Click the button a widget key names (Streamlit marks its container with st-key-<key>)."""
    page.locator(f".st-key-{key} button").first.click()


def choose(page, key: str, option: str | re.Pattern) -> None:
    """Pick an option of a keyed select box.

    A rerun that lands between opening the list and picking from it (a run that has
    just ended is kept by one) redraws the box closed, so the list is opened again.
    """
    box = page.locator(f".st-key-{key}").get_by_role("combobox").first
    item = page.get_by_role("option", name=option, exact=isinstance(option, str))
    for _ in range(3):
        box.click()
        try:
            # Long enough for a loaded machine to draw the list; a list closed by a rerun
            # is opened again (the final check below fails if it never takes the pick).
            item.click(timeout=15_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(box).to_have_value(option)


# Each page's address and the heading it shows; "" is the Start page.
PAGE_HEADINGS = {
    "": "Neural Network Builder",
    "data": "Data",
    "explore": "Explore",
    "build": "Build",
    "train": "Train",
    "evaluate": "Evaluate",
    "export": "Export & share",
}


def test_one_click_sample_shows_target_preview_and_status(app_url, page):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Neural Network Builder")).to_be_visible()
    click_button(page, "home_sample_pima")

    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("768")
    target = page.locator(".st-key-data_target").first.get_by_role("combobox")
    expect(target).to_have_value("Outcome")
    expect(page.get_by_text("First rows")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Pima Indians diabetes")
    expect(sidebar).to_contain_text(re.compile(r"Target: Outcome · task: binary"))

    task = page.locator(".st-key-data_task").first.get_by_role("combobox")
    expect(task).to_have_value(re.compile(r"^binary \(inferred"))

    # Pick another target: the task box and the sidebar follow. Through choose, which
    # opens the list again if the sample's own rerun closes it.
    choose(page, "data_target", "Age")
    expect(sidebar).to_contain_text("task: regression")
    expect(task).to_have_value(re.compile(r"^regression \(inferred: it holds numbers"))


def test_sidebar_status_stays_on_other_pages(app_url, page):
    page.goto(app_url)
    click_button(page, "home_sample_iris")
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Explore", exact=True).click()
    expect(page.get_by_role("heading", name="Explore")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Target: species")


def test_no_page_asks_anything_of_a_server_other_than_the_app(app_url, page):
    """A classroom network or an offline laptop may reach nothing but the app's own server."""
    elsewhere = []
    page.on("request", lambda request: elsewhere.append(request.url))
    page.goto(app_url)
    click_button(page, "home_sample_iris")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    for name in ("Explore", "Build", "Train", "Evaluate", "Export"):
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
        # This page's own heading: the last page's was on screen before the click. Then
        # the end of its script run, so everything it asks for has been asked.
        heading = PAGE_HEADINGS[name.lower()]
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)
    local = (app_url, "data:", "blob:")
    assert [url for url in elsewhere if not url.startswith(local)] == []


@pytest.mark.parametrize("address", list(PAGE_HEADINGS))
def test_a_fresh_server_opened_at_a_page_address_runs_it_through_app_py(page, address):
    """A shared link may be the first request a restarted server gets.

    Streamlit would run ``pages/<address>.py`` on its own then (see ui/entry.py); the
    sidebar status and the page icons in the navigation come only from app.py.
    """
    # One worker is enough to show a page: each importing TensorFlow costs seconds of CPU.
    with serve_app({"NNB_MAX_CONCURRENT_TRAININGS": "1"}) as url:
        page.goto(f"{url}/{address}")
        heading = PAGE_HEADINGS[address]
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Dataset: none loaded yet")
        # app.py's navigation names the Start page "Start"; Streamlit's own would say "app".
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav).to_contain_text("Start")
        expect(nav).not_to_contain_text("app")
        expect(page.get_by_test_id("stException")).to_have_count(0)


def test_two_students_never_see_each_others_data(app_url, browser):
    """Two browser contexts are two students on one classroom server."""
    first, second = (new_context(browser).new_page() for _ in range(2))
    try:
        first.goto(app_url)
        click_button(first, "home_sample_titanic")
        expect(first.get_by_test_id("stSidebar")).to_contain_text("Titanic passengers")

        second.goto(f"{app_url}/data")
        expect(second.get_by_text("Load a sample or upload a file to begin.")).to_be_visible()
        expect(second.get_by_test_id("stSidebar")).to_contain_text("Dataset: none loaded yet")
        second.goto(app_url)
        click_button(second, "home_sample_iris")
        expect(second.get_by_test_id("stSidebar")).to_contain_text("Iris flowers")

        # The first student's next run still shows their own table.
        first.get_by_test_id("stSidebarNav").get_by_role("link", name="Explore", exact=True).click()
        expect(first.get_by_role("heading", name="Explore")).to_be_visible()
        expect(first.get_by_test_id("stSidebar")).to_contain_text("Titanic passengers")
        expect(first.get_by_test_id("stSidebar")).not_to_contain_text("Iris")
    finally:
        first.context.close()
        second.context.close()
