"""The Build page's units slider and exact box in headless Chromium, driven faster than
the reruns: no error page, and the value set last is the one shown."""

import pytest
from playwright.sync_api import expect

from tests.test_browser import click_button

pytestmark = pytest.mark.browser

# Counts every Streamlit error element that appears, even one replaced a moment later.
WATCH_ERRORS = """() => {
    window.__errors = 0;
    const count = () => {
        window.__errors += document.querySelectorAll('[data-testid=stException]').length;
    };
    new MutationObserver(count).observe(document.body, {childList: true, subtree: true});
}"""
UNITS = "[class*='st-key-build_units_']:not([class*='exact'])"
SLIDER = f"{UNITS} input[type=range]"
TRACK = f"{UNITS} [role=group] > div"
BOX = "[class*='st-key-build_units_exact_'] input"


def settled(page) -> None:
    """Wait until one exact box is left: while a rerun draws the box under its new key,
    the browser keeps the old one beside it."""
    expect(page.locator(BOX)).to_have_count(1)


def shows_units(page, units: str) -> None:
    """Wait until the page shows ``units`` in one exact box and on the slider, read in one
    go in the browser (reruns still in flight redraw them meanwhile)."""
    page.wait_for_function(
        """([box, slider, units]) => {
            const boxes = document.querySelectorAll(box);
            const sliders = document.querySelectorAll(slider);
            return boxes.length === 1 && boxes[0].value === units && sliders.length === 1
                && sliders[0].getAttribute('aria-valuetext') === units;
        }""",
        arg=[BOX, SLIDER, units],
    )


def open_build_page(page) -> None:
    click_button(page, "home_preset_iris")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Build", exact=True).click()
    expect(page.get_by_role("heading", name="Build", exact=True)).to_be_visible()
    # Widgets show once their code has loaded: slow on a busy machine.
    expect(page.locator(BOX)).to_have_value("8", timeout=120_000)


def test_arrow_keys_50_ms_apart_and_two_quick_clicks_leave_the_last_value(app_url, page):
    page.set_default_timeout(120_000)  # a busy machine draws slowly; no step waits on time
    page.goto(app_url)
    page.evaluate(WATCH_ERRORS)
    open_build_page(page)
    # Focus the slider once the page is drawn whole: a focus given during the first
    # draw goes with the element it replaces.
    settled(page)
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)
    slider = page.locator(SLIDER).first
    slider.focus()
    expect(slider).to_be_focused()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(50)  # the pace of the events is what is tested
    shows_units(page, "13")

    # Two clicks on the track 0.3 s apart: far right (512 units), then far left (1 unit).
    box = page.locator(TRACK).first.bounding_box()
    for fraction in (0.99, 0.01):
        page.mouse.click(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
    shows_units(page, "1")
    # 4 inputs → 1 unit → 3 classes: 5 + 6 parameters.
    parameters = page.get_by_test_id("stMetric").filter(has_text="Parameters")
    expect(parameters.get_by_test_id("stMetricValue")).to_have_text("11")
    assert page.evaluate("window.__errors") == 0
    expect(page.get_by_test_id("stException")).to_have_count(0)
