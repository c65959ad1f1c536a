"""The Evaluate page in headless Chromium: a click on the confusion matrix lists its rows."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_browser import click_button
from tests.test_browser_train import WAIT_MS
from tests.test_journey import go, set_epochs

pytestmark = pytest.mark.browser

# The non-empty cells of the drawn matrix: their classes, count and place on the page.
CELLS = """element => {
    const [heat, markers] = element.data, layout = element._fullLayout;
    const box = element.getBoundingClientRect();
    return markers.customdata.map(([t, p, n], i) => ({
        label: `true ${heat.y[t]}, predicted ${heat.x[p]}: ${n} row${n === 1 ? "" : "s"}`,
        n: n,
        x: box.left + layout.xaxis._offset + layout.xaxis.d2p(markers.x[i]),
        y: box.top + layout.yaxis._offset + layout.yaxis.d2p(markers.y[i]),
    })).filter(cell => cell.n > 0);
}"""

DRAWN = """() => {
    const element = document.querySelector('.st-key-evaluate_confusion .js-plotly-plot');
    return Boolean(element?.data?.[1]?.customdata && element._fullLayout?.yaxis?.d2p);
}"""


def test_a_click_on_a_confusion_cell_lists_the_test_rows_behind_it(app_url, page):
    page.goto(f"{app_url}/train?preset=iris")
    set_epochs(page, 5)
    click_button(page, "train_start")
    expect(page.get_by_text("Finished 5 epochs")).to_be_visible(timeout=WAIT_MS)
    go(page, "Evaluate")
    chooser = page.locator(".st-key-evaluate_cell").get_by_role("combobox")
    expect(chooser).to_have_value(re.compile("^true "))
    # The page's run has ended (nothing above the matrix moves any more), and Plotly has
    # drawn the figure, which it does a moment after its element is on the page.
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)
    matrix = page.locator(".st-key-evaluate_confusion .js-plotly-plot").first
    matrix.scroll_into_view_if_needed()
    page.wait_for_function(DRAWN, timeout=WAIT_MS)
    cells = matrix.evaluate(CELLS)
    # A cell other than the one listed first, so the click is what changes the choice.
    cell = next(cell for cell in cells if cell["label"] != chooser.input_value())
    page.mouse.click(cell["x"], cell["y"])
    expect(chooser).to_have_value(cell["label"])
    # The table of its rows: a header and one row per test row in the cell.
    rows = page.get_by_test_id("stDataFrame").filter(has_text="P(").locator("[aria-rowcount]")
    expect(rows).to_have_attribute("aria-rowcount", str(cell["n"] + 1))
    expect(page.get_by_test_id("stException")).to_have_count(0)
