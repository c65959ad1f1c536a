"""A new user's whole journey in a real browser: data, explore, build, train, evaluate, export.

Each journey runs against the session's real server in headless Chromium; a
failing step leaves a screenshot in test-artifacts/ (the ``page`` fixture).
"""

import json
import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.test_browser import click_button

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 180_000  # ms; a shared machine may queue the run behind others
EPOCH = re.compile(r"Epoch (\d+) of (\d+)")
PREDICT = """
import json, sys
import keras, pandas as pd
model = keras.models.load_model(sys.argv[1])
table = pd.read_csv(sys.argv[2])
features = {c: table[c].to_numpy("float32") for c in model.input}
print(json.dumps(model.predict(features, verbose=0).tolist()))
"""


def go(page, name: str) -> None:
    """Open a page from the navigation and wait for its heading."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    heading = "Export & share" if name == "Export" else name
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def set_epochs(page, epochs: int) -> None:
    box = page.locator(".st-key-train_epochs input")
    box.fill(str(epochs))
    box.press("Enter")
    expect(box).to_have_value(str(epochs))


def train_and_watch(page) -> list[int]:
    """Press Train and wait for the finish; return the epochs the progress line showed."""
    click_button(page, "train_start")
    finished = page.get_by_text(re.compile(r"Finished \d+ epochs"))
    seen: list[int] = []
    for _ in range(TRAINING_TIMEOUT // 200):
        if finished.is_visible():
            break
        caption = page.get_by_text(EPOCH)
        if caption.count():
            match = EPOCH.search(caption.first.inner_text())
            if match:
                seen.append(int(match[1]))
        page.wait_for_timeout(200)
    expect(finished).to_be_visible()
    return seen


def choose_run(page, key: str, number: int) -> None:
    """Pick run ``number`` in a page's run select box."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    page.get_by_role("option", name=re.compile(rf"^Run {number} ")).click()
    expect(box).to_have_value(re.compile(rf"^Run {number} "))
    settle(page)


def settle(page) -> None:
    """Wait until the script run a widget change asked for has ended (buttons then hold new data)."""
    page.wait_for_timeout(300)  # the rerun request leaves the browser first
    expect(page.locator("[data-test-script-state=notRunning]")).to_have_count(1)


def chart_points(page, key: str) -> int:
    """How many points the first curve of a keyed Plotly chart draws."""
    plot = page.locator(f".st-key-{key} .js-plotly-plot").first
    return plot.evaluate("element => element.data[0].x.length")


def test_iris_journey_from_start_page_to_a_model_loaded_elsewhere(app_url, page, tmp_path):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Neural Network Builder")).to_be_visible()
    click_button(page, "home_sample_iris")
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("150")

    go(page, "Explore")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()

    go(page, "Build")
    page.locator(".st-key-build_preset_choice").get_by_role("combobox").click()
    page.get_by_role("option", name=re.compile(r"^iris:")).click()
    click_button(page, "build_preset_apply")
    expect(page.get_by_text("Preset iris applied")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Target: species")

    go(page, "Train")
    expect(page.locator(".st-key-train_epochs input")).to_have_value("150")
    seen = train_and_watch(page)
    # The curve grew while the run went on, and ends with one point per epoch.
    assert any(0 < epoch < 150 for epoch in seen), seen
    assert chart_points(page, "train_chart_loss") == 150
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Run 1")

    # A second run, stopped at once, keeps what it trained and says so.
    click_button(page, "train_start")
    click_button(page, "train_stop")
    expect(page.get_by_text(re.compile(r"Stopped after \d+ epoch"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("Run 2")

    go(page, "Evaluate")
    choose_run(page, "evaluate_run", 1)
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Accuracy").first
    expect(accuracy).to_contain_text(re.compile(r"\d+\.\d%"))

    go(page, "Export")
    choose_run(page, "export_run", 1)  # the finished run, not the stopped one
    with page.expect_download() as download:
        click_button(page, "export_download_model")
    model = tmp_path / "iris.keras"
    download.value.save_as(model)
    rows = tmp_path / "rows.csv"
    lines = (ROOT / "sample_data" / "iris.csv").read_text().splitlines()
    rows.write_text("\n".join([lines[0], lines[1], lines[-1]]) + "\n")
    done = subprocess.run(
        [sys.executable, "-c", PREDICT, str(model), str(rows)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probabilities = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(probabilities) == 2 and all(len(row) == 3 for row in probabilities)
    assert all(abs(sum(row) - 1) < 1e-4 for row in probabilities)
    # A trained iris network tells a setosa (first row) from a virginica (last row).
    assert probabilities[0].index(max(probabilities[0])) != (
        probabilities[1].index(max(probabilities[1]))
    )


def test_uploaded_file_journey_trains_a_tiny_network(app_url, page, tmp_path):
    csv = tmp_path / "sizes.csv"
    lines = ["width,height,big"]
    for i in range(80):
        width, height = (i * 7) % 23, (i * 5) % 19
        lines.append(f"{width},{height},{'yes' if width + height > 20 else 'no'}")
    csv.write_text("\n".join(lines) + "\n")

    page.goto(f"{app_url}/data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    page.get_by_text("My own file(s)").click()
    page.locator(".st-key-data_upload input[type=file]").set_input_files(str(csv))
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("80")
    target = page.locator(".st-key-data_target").get_by_role("combobox")
    target.click()
    page.get_by_role("option", name="big", exact=True).click()
    expect(target).to_have_value("big")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("task: binary")

    go(page, "Build")
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    go(page, "Train")
    set_epochs(page, 5)
    train_and_watch(page)
    expect(page.get_by_text(re.compile(r"Finished 5 epochs"))).to_be_visible()
    assert chart_points(page, "train_chart_loss") == 5
    go(page, "Evaluate")
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Accuracy").first
    expect(accuracy).to_contain_text(re.compile(r"\d+\.\d%"))
