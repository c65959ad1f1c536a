"""A new user's whole journey in a real browser: data, explore, build, train, evaluate, export.

One journey runs for three presets (multiclass, binary with text columns,
regression) and for a file the user uploads. Each runs against the session's
real server in headless Chromium; a failing step is named in the error and
leaves a screenshot in test-artifacts/ (the ``page`` fixture).
"""

import json
import re
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from builder.experiment.defaults import proposed_experiment
from builder.experiment.presets import PRESETS
from builder.experiment.spec import DataSpec, NetworkSpec
from builder.tables.samples import SAMPLE_DIR, SAMPLES
from tests.conftest import jobs_held
from tests.test_browser import choose, click_button
from tests.test_browser_train import (
    LOSS_POINTS,
    set_number,
    turn_off_early_stopping,
    wait_for_stop_taken,
)

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 600_000  # ms; a shared machine may queue the run behind others
STOPPED = re.compile(r"Stopped after (\d+) epoch")
# Once compiled, an epoch of these small tables takes about 2 ms: a preset's 10 or 150
# epochs end between two redraws of the progress line (every 0.5 s). 1000 epochs, the
# server's cap, last a few seconds, long enough to watch the curve grow.
EPOCHS = 1000
# The number the Evaluate page leads with, the form of its value, and what it is compared to.
HEADLINE = {
    "classification": ("Accuracy", re.compile(r"^\d{1,3}\.\d%$"), "vs baseline"),
    "regression": ("MAE", re.compile(r"^\d+(\.\d+)?$"), "vs mean guess"),
}
LABELS = {"accuracy": "Accuracy", "mse": "MSE", "mae": "MAE"}


@dataclass(frozen=True)
class Journey:
    """Where a new user's data comes from, what they build, and what the model must give."""

    load: str  # "home": the Start page's sample button; "data": the Data page; "upload"
    sample: str | None  # the bundled sample loaded (None: the user's own file)
    target: str
    task: str
    preset: str | None  # applied on the Build page (None: the default network)
    outputs: int  # numbers the exported model gives per row

    def table(self, tmp_path: Path) -> Path:
        """The file the user loads: a bundled sample, or a file written for the upload."""
        if self.sample:
            return SAMPLE_DIR / SAMPLES[self.sample].files[0]
        return write_upload(tmp_path / "shapes.csv")

    def run_name(self, number: int) -> str:
        """What the app calls the journey's run ``number``: after the sample, or the file."""
        return f"{self.sample or 'shapes'} · run {number}"

    @property
    def regression(self) -> bool:
        return self.task == "regression"


JOURNEYS = {
    "iris-multiclass": Journey("home", "iris", "species", "multiclass", "iris", 3),
    # Text columns (Sex, Embarked) and missing ages; the preset's softmax gives two columns.
    "titanic-binary": Journey("data", "titanic", "Survived", "binary", "titanic", 2),
    "wages-regression": Journey("home", "wages", "wage_per_hour", "regression", "wages", 1),
    # A sigmoid output: one probability per row.
    "uploaded-file": Journey("upload", None, "big", "binary", None, 1),
}


def write_upload(path: Path) -> Path:
    """A small table of the user's own: numbers, a text column, missing values, a yes/no target."""
    colours = ["red", "green", "blue"]
    lines = ["width,height,colour,big"]
    for i in range(300):
        width, height, colour = (i * 7) % 23, (i * 5) % 19, colours[i % 3]
        big = "yes" if width + height + 4 * (colour == "red") > 22 else "no"
        lines.append(
            f"{'' if i % 37 == 5 else width},{height},{'' if i % 41 == 5 else colour},{big}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


@contextmanager
def step(name: str):
    """Name the journey's step in the error of whatever fails inside it."""
    try:
        yield
    except Exception as error:  # an assertion, or Playwright's timeout
        error.add_note(f"The journey failed at the step: {name}")
        raise


def go(page, name: str) -> None:
    """Open a page from the navigation and wait for its heading."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    heading = "Export & share" if name == "Export" else name
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def set_epochs(page, epochs: int) -> None:
    # Through set_number, which takes the first box: a rerun can hold the page's old
    # Epochs box beside the new one for a moment (seen once in CI on the class test).
    set_number(page, "train_epochs", epochs)


# The epoch the progress line shows while the run is under way (not 0, not the last), or
# -1 once the page says the run finished: read in one go in the browser, at every frame.
EPOCH_UNDER_WAY = """epochs => {
    const text = document.body.innerText;
    if (/Finished \\d+ epochs/.test(text)) return -1;
    const shown = text.match(/Epoch (\\d+) of/);
    const epoch = shown ? +shown[1] : 0;
    return epoch > 0 && epoch < epochs ? epoch : false;
}"""


def train_and_watch(page) -> int:
    """Press Train, wait for an epoch drawn while the run is under way and then for the
    finish; return that epoch (-1 if the page showed the finish first)."""
    click_button(page, "train_start")
    under_way = page.wait_for_function(EPOCH_UNDER_WAY, arg=EPOCHS, timeout=TRAINING_TIMEOUT)
    expect(page.get_by_text(re.compile(r"Finished \d+ epochs"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    return under_way.json_value()


def load(page, app_url: str, journey: Journey, table: Path) -> None:
    """Load the data the journey's way and check the Data page and the sidebar took it."""
    if journey.load == "home":
        page.goto(app_url)
        expect(page.get_by_role("heading", name="Neural Network Builder")).to_be_visible()
        click_button(page, f"home_sample_{journey.sample}")
    else:
        page.goto(f"{app_url}/data")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    if journey.load == "data":
        # At once, as a quick user does: a click during the choice's own rerun loaded the
        # sample shown before (wine, 6,497 rows, instead of Titanic) until the button read
        # the box's value when clicked.
        choose(page, "data_sample", SAMPLES[journey.sample].title)
        click_button(page, "data_load_sample")
    elif journey.load == "upload":
        page.get_by_text("My own file(s)").click()
        page.locator(".st-key-data_upload input[type=file]").set_input_files(str(table))
    rows = len(pd.read_csv(table, sep=None, engine="python"))
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(f"{rows:,}")
    if journey.load == "upload":
        choose(page, "data_target", journey.target)
    status = f"Target: {journey.target} · task: {journey.task}"
    expect(page.get_by_test_id("stSidebar")).to_contain_text(status)


def explore(page, journey: Journey) -> None:
    """The Summary tab draws the target: its class balance, or its histogram for a number."""
    go(page, "Explore")
    chart = "explore_target_histogram" if journey.regression else "explore_balance"
    expect(page.locator(f".st-key-{chart} .js-plotly-plot").first).to_be_visible()


def build(page, journey: Journey) -> None:
    """Apply the journey's preset (or keep the default network) and see the network drawn."""
    go(page, "Build")
    network = NetworkSpec()
    if journey.preset:
        choose(page, "build_preset_choice", re.compile(rf"^{journey.preset}:"))
        click_button(page, "build_preset_apply")
        expect(page.get_by_text(f"Preset {journey.preset} applied")).to_be_visible()
        network = PRESETS[journey.preset].experiment.network
    units = " → ".join(str(layer.units) for layer in network.hidden)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"hidden layer(s), {units}")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Target: {journey.target}")
    expect(page.locator(".st-key-build_diagram .js-plotly-plot").first).to_be_visible()


def train(page, journey: Journey, table: Path) -> None:
    """One run watched to its end; both its curves keep every epoch."""
    go(page, "Train")
    if journey.preset:
        proposed = PRESETS[journey.preset].experiment.train
    else:  # the defaults the app proposes for this table
        frame = pd.read_csv(table, sep=None, engine="python")
        upload = DataSpec(source="upload", title=table.name, files=[table.name])
        proposed = proposed_experiment(frame, upload, journey.target).train
    # The first box: a rerun can hold the page's old Epochs box beside the new one.
    expect(page.locator(".st-key-train_epochs input").first).to_have_value(str(proposed.epochs))
    if proposed.early_stopping:  # the run is to last every epoch, to watch the curve grow
        turn_off_early_stopping(page)
    set_epochs(page, EPOCHS)
    under_way = train_and_watch(page)
    # The curve grew while the run went on, and ends with one point per epoch.
    assert 0 < under_way < EPOCHS, f"no epoch was drawn before the finish ({under_way})"
    expect(page.get_by_text(f"Finished {EPOCHS} epochs")).to_be_visible()
    page.wait_for_function(f"() => ({LOSS_POINTS})() === {EPOCHS}", timeout=TRAINING_TIMEOUT)
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text(journey.run_name(1))


def train_again_and_stop(page, journey: Journey) -> None:
    """A second run, stopped at once, keeps what it trained and says so.

    The worker holds the run before its first epoch until Stop has been taken: a small
    table's 1000 epochs last a few seconds, and may otherwise end before Stop comes."""
    go(page, "Train")
    with jobs_held():
        click_button(page, "train_start")
        click_button(page, "train_stop")
        wait_for_stop_taken(page)
    stopped = page.get_by_text(STOPPED).first
    expect(stopped).to_be_visible(timeout=TRAINING_TIMEOUT)
    assert int(STOPPED.search(stopped.inner_text())[1]) < EPOCHS
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text(journey.run_name(2))


def headline(page, journey: Journey) -> None:
    """The finished run's headline score, beside its baseline, and the preset's promise kept.

    Its only run so far: the page shows it without a choice (a choice's rerun would leave
    the old run's scores on the page for a moment, with nothing to tell them apart)."""
    go(page, "Evaluate")
    runs = page.locator(".st-key-evaluate_run").get_by_role("combobox")
    expect(runs).to_have_value(re.compile(rf"^{re.escape(journey.run_name(1))} · "))
    label, form, baseline = HEADLINE["regression" if journey.regression else "classification"]
    metric = page.get_by_test_id("stMetric").filter(has_text=re.compile(rf"^{label}"))
    expect(metric.get_by_test_id("stMetricValue")).to_have_text(form)
    expect(metric.get_by_test_id("stMetricDelta")).to_contain_text(baseline)
    expected = PRESETS[journey.preset].expected if journey.preset else None
    if expected is not None:
        shown = page.get_by_test_id("stMetric").filter(
            has_text=re.compile(rf"^{LABELS[expected.metric]}")
        )
        text = shown.get_by_test_id("stMetricValue").inner_text()
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        assert expected.met_by(value), (expected, text)


def predicted_by_the_app(page, rows: Path, tmp_path: Path) -> pd.DataFrame:
    """The Evaluate page's predictions for an uploaded file, downloaded as CSV."""
    page.get_by_role("tab", name="Predict").click()
    page.locator(".st-key-evaluate_batch input[type=file]").set_input_files(str(rows))
    button = page.locator(".st-key-evaluate_batch_download button").first
    expect(button).to_be_visible(timeout=TRAINING_TIMEOUT)
    with page.expect_download(timeout=TRAINING_TIMEOUT) as download:
        button.click()
    saved = tmp_path / "predictions.csv"
    download.value.save_as(saved)
    return pd.read_csv(saved)


def download_bundle(page, tmp_path: Path) -> Path:
    """The finished run's bundle from the Export page, converted on request, unzipped."""
    go(page, "Export")
    # The finished run, not the stopped one. The click's message carries every widget's
    # value, the choice too, so the conversion is of run 1 even during the choice's rerun.
    choose(page, "export_run", re.compile(r" · run 1 · "))
    click_button(page, "export_convert")
    button = page.locator(".st-key-export_download_bundle button").first
    expect(button).to_be_visible(timeout=TRAINING_TIMEOUT)  # a worker converts it
    with page.expect_download(timeout=TRAINING_TIMEOUT) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    zipfile.ZipFile(saved).extractall(tmp_path / "unzipped")
    (folder,) = (tmp_path / "unzipped").iterdir()
    assert saved.name == f"{folder.name}.zip" and "-run-1" in folder.name
    assert list((folder / "data").iterdir()), "the bundle came without its data"
    return folder


def predicted_by_the_bundle(folder: Path, rows: Path) -> np.ndarray:
    """The network's outputs for raw rows, as the bundle's predict.py writes them: run as its
    README says, in a Python that knows nothing of the app, with the default runtime."""
    done = subprocess.run(
        [sys.executable, "-I", "predict.py", str(rows)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,  # a Python importing TensorFlow on a loaded machine
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = pd.read_csv(rows.with_name(f"{rows.stem}_predictions.csv"))
    prep = json.loads((folder / "preprocessing.json").read_text())
    if prep["output"] == "value":
        return written[["prediction"]].to_numpy()
    classes = prep["classes"][1:] if prep["output"] == "sigmoid" else prep["classes"]
    return written[[f"P({c})" for c in classes]].to_numpy()


def some_rows(table: Path, folder: Path) -> tuple[Path, pd.DataFrame]:
    """The first, middle and last rows of the table, and the row missing the most values."""
    frame = pd.read_csv(table, sep=None, engine="python")
    picked = {0, len(frame) // 2, len(frame) - 1, frame.isna().sum(axis=1).idxmax()}
    rows = frame.loc[sorted(picked)]
    rows.to_csv(folder / "rows.csv", index=False)
    return folder / "rows.csv", frame


def check_outputs(journey: Journey, outputs: np.ndarray, app: pd.DataFrame, frame) -> None:
    """The model loaded elsewhere gives sensible numbers, and the same ones as the app."""
    assert outputs.shape == (len(app), journey.outputs)
    assert np.isfinite(outputs).all()
    if journey.regression:
        low, high = frame[journey.target].min(), frame[journey.target].max()
        span = high - low
        assert ((outputs >= low - span) & (outputs <= high + span)).all(), outputs
        assert np.allclose(outputs[:, 0], app["prediction"], rtol=1e-4, atol=1e-5)
        return
    assert ((outputs >= 0) & (outputs <= 1)).all(), outputs
    probabilities = outputs if journey.outputs > 1 else np.hstack([1 - outputs, outputs])
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    classes = [column for column in app.columns if column.startswith("P(")]
    assert len(classes) == probabilities.shape[1], app.columns
    assert np.allclose(probabilities, app[classes], rtol=1e-4, atol=1e-5)
    # The app names the class of the model's highest output: the order a user decodes by.
    named = [classes[i].removeprefix("P(").removesuffix(")") for i in probabilities.argmax(1)]
    assert app["prediction"].astype(str).tolist() == named


@pytest.mark.parametrize("journey", list(JOURNEYS.values()), ids=list(JOURNEYS))
def test_a_new_user_goes_from_data_to_a_model_used_elsewhere(journey, app_url, page, tmp_path):
    table = journey.table(tmp_path)
    with step("load the data"):
        load(page, app_url, journey, table)
    with step("explore"):
        explore(page, journey)
    with step("build"):
        build(page, journey)
    with step("train and watch the curve grow"):
        train(page, journey, table)
    with step("evaluate"):
        headline(page, journey)
        rows, frame = some_rows(table, tmp_path)
        app = predicted_by_the_app(page, rows, tmp_path)
    with step("train again and stop"):
        train_again_and_stop(page, journey)
    with step("export the bundle and predict with it elsewhere"):
        folder = download_bundle(page, tmp_path)
        check_outputs(journey, predicted_by_the_bundle(folder, rows), app, frame)
