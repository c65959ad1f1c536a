"""Hostile text in the real app in headless Chromium: a file whose name and columns are
Markdown, HTML and template injections, crafted preset, share and lesson links. The page
must show them as characters: no link or image made from them, no request to another host,
and the predictions CSV must hold no live formula."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote, urlencode, urlparse

import pandas as pd
import pytest
from playwright.sync_api import expect

from builder.experiment import lesson as lessons
from builder.experiment import share
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec
from tests.test_browser import click_button
from tests.test_browser_train import WAIT_MS
from tests.test_journey import go, set_epochs
from tests.test_page_hostile_text import ANCHOR, FIELD, IMAGE, IMG_TAG, LINK, hostile_table

pytestmark = pytest.mark.browser

# A file name cannot hold '/', so its links point at the host without one.
FILE_NAME = "[Log in again here](http:127.0.0.9) ![x](http:127.0.0.9) www.127.0.0.9.example.csv"
FORMULAS = ['=HYPERLINK("http://127.0.0.9","x")', "+SUM(1,2)", "@cmd", " -2+3"]
# Every element that could link to or load something, with the address it names.
ADDRESSES = """() => [...document.querySelectorAll(
    'a, img, image, iframe, embed, object, source, video, audio, link, [onerror], [style*=url]'
  )].map(e => ({
    tag: e.tagName,
    url: e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src')
         || e.getAttribute('data') || e.getAttribute('srcset') || '',
    onerror: e.hasAttribute('onerror'),
    style: e.getAttribute('style') || '',
  }))"""


def shown_text(page) -> str:
    """The page's text as a reader sees it (the invisible word joiners left out)."""
    return page.inner_text("body").replace("\u2060", "")


def wait_for_text(page, text: str) -> None:
    page.wait_for_function(
        "text => document.body.innerText.replaceAll('\\u2060', '').includes(text)", arg=text
    )


def assert_nothing_from_users(page, requests: list[str]) -> None:
    """No element links to or loads an address from users' text; no request left 127.0.0.1."""
    for element in page.evaluate(ADDRESSES):
        url = element["url"]
        if url.startswith("#"):
            continue  # a heading's own anchor on this page (a slug of its text)
        assert "127.0.0.9" not in url and "example" not in url, element
        assert not element["onerror"], element
        # Plotly fills with gradients of its own page (url("#id")); nothing else may load.
        styled = re.findall(r"url\(\s*[\"']?([^\"')]*)", element["style"])
        assert all(u.startswith(("#", "data:")) for u in styled), element
        if element["tag"].lower() in ("img", "image", "iframe", "embed", "object", "source"):
            host = urlparse(url).hostname
            assert url.startswith(("data:", "blob:")) or host in (None, "127.0.0.1"), element
    assert [u for u in requests if urlparse(u).hostname != "127.0.0.1"] == []
    expect(page.get_by_test_id("stException")).to_have_count(0)


def predict_rows() -> bytes:
    """Rows for the Predict tab whose text column holds spreadsheet formulas."""
    frame = pd.read_csv(io.BytesIO(hostile_table(8))).drop(columns=[IMG_TAG])
    frame[LINK] = FORMULAS * 2
    return frame.to_csv(index=False).encode()


def test_an_upload_with_hostile_names_shows_as_text_on_every_page(app_url, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_default_timeout(120_000)  # a long walk through the app on a shared machine
    page.goto(f"{app_url}/data")
    # The first page of a fresh server on a busy machine can take longer than 30 s.
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible(timeout=120_000)
    page.get_by_text("My own file(s)").click()
    page.locator(".st-key-data_upload input[type=file]").set_input_files(
        {"name": FILE_NAME, "mimeType": "text/csv", "buffer": hostile_table()}
    )
    wait_for_text(page, FILE_NAME)
    expect(page.locator(".st-key-data_target").get_by_role("combobox")).to_have_value(IMG_TAG)
    text = shown_text(page)
    assert FILE_NAME in text and f"Target: {IMG_TAG}" in text
    assert_nothing_from_users(page, requests)

    go(page, "Explore")
    for tab in ("Summary", "Distributions", "Relationships", "Checks"):
        if tab != "Summary":  # open at first
            page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        if tab != "Checks":
            expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=120_000)
        assert_nothing_from_users(page, requests)
    # Plotly draws the class values in the legend as their characters.
    page.get_by_role("tab", name="Relationships").click()
    legend = page.locator(".js-plotly-plot .legendtext")
    expect(legend.filter(has_text=IMAGE).first).to_be_attached()
    expect(legend.filter(has_text=LINK).first).to_be_attached()

    go(page, "Build")
    expect(page.locator(".js-plotly-plot").last).to_be_visible(timeout=120_000)
    expect(page.locator(".js-plotly-plot").last).to_contain_text(ANCHOR)
    assert_nothing_from_users(page, requests)

    go(page, "Train")
    set_epochs(page, 3)
    click_button(page, "train_start")
    expect(page.get_by_text("Finished 3 epochs")).to_be_visible(timeout=WAIT_MS)
    assert_nothing_from_users(page, requests)

    go(page, "Evaluate")
    expect(page.locator(".st-key-evaluate_confusion .js-plotly-plot")).to_be_visible(
        timeout=120_000
    )
    expect(page.locator(".st-key-evaluate_confusion .js-plotly-plot")).to_contain_text(LINK)
    assert_nothing_from_users(page, requests)
    page.get_by_role("tab", name="Predict").click()
    wait_for_text(page, FIELD)  # the form's label for that column, as typed
    page.locator(".st-key-evaluate_batch input[type=file]").set_input_files(
        {"name": "new rows.csv", "mimeType": "text/csv", "buffer": predict_rows()}
    )
    with page.expect_download() as download:
        click_button(page, "evaluate_batch_download")
    written = download.value.path().read_bytes().decode()
    rows = list(csv.reader(io.StringIO(written, newline="")))
    column = rows[0].index(LINK)
    # The upload's read drops the space before a value (aligned columns); the rest is kept.
    assert [row[column] for row in rows[1:]] == ["'" + cell.lstrip() for cell in FORMULAS * 2]
    assert "prediction" in rows[0]
    assert_nothing_from_users(page, requests)


def test_a_crafted_preset_link_shows_its_value_as_text(app_url, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    hostile = f"{LINK}{IMAGE}"
    page.goto(f"{app_url}/?preset={quote(hostile)}")
    alert = page.get_by_test_id("stAlertContentError").first
    expect(alert).to_contain_text("could not be opened")
    assert hostile[:40] in alert.inner_text().replace("\u2060", "")
    assert_nothing_from_users(page, requests)


def test_a_crafted_share_link_and_lesson_note_show_as_text(app_url, page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    experiment = preset_experiment("iris")
    experiment.data = DataSpec(
        source="upload", title=FILE_NAME, files=[f"{LINK}.csv", f"{IMAGE}.csv"], target=IMG_TAG
    )
    note = f"{LINK} {IMAGE} {ANCHOR} {IMG_TAG} {FIELD} www.127.0.0.9.example :smile:"
    query = {**share.to_query(experiment), **lessons.to_query(experiment, lessons.Lesson(note))}
    page.goto(f"{app_url}/?{urlencode(query)}")
    wait_for_text(page, f"uploaded file ({LINK}.csv, {IMAGE}.csv)")
    wait_for_text(page, note)
    assert_nothing_from_users(page, requests)
    go(page, "Data")
    wait_for_text(page, note)
    assert_nothing_from_users(page, requests)
