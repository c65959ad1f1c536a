"""A lesson link in headless Chromium: the note, a locked control disabled with its tooltip,
an editable one that edits and survives a reload, a hidden one absent, and a damaged
lesson link refused with a message while the app stays usable."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from builder.experiment import lesson, share
from builder.experiment.lesson import HIDDEN, LOCKED, Lesson
from builder.experiment.presets import preset_experiment
from tests.test_browser_train import set_number
from tests.test_journey import go
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

NOTE = "Try three learning rates; which one diverges?"
RULES = Lesson(
    note=NOTE,
    groups={"data": LOCKED, "network": LOCKED, "optimizer": LOCKED, "seed": HIDDEN},
)


def _link(app_url: str, query: dict[str, str]) -> str:
    return f"{app_url}/?{urlencode(query)}"


def _query_of(page) -> dict[str, str]:
    # Asked of the page each time: page.url is only refreshed while Playwright handles
    # events, which a wait_until loop between two looks does not do.
    address = page.evaluate("location.href")
    return {key: values[0] for key, values in parse_qs(urlsplit(address).query).items()}


def _tooltip_of(page, target) -> str:
    """The text of the tooltip a hover on ``target`` opens. A rerun that redraws the target
    under a resting pointer leaves it closed, so the pointer leaves and comes back until the
    tooltip shows."""
    tooltip = page.get_by_test_id("stTooltipContent")

    def shown() -> str:
        page.mouse.move(0, 0)
        target.hover()
        try:
            tooltip.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeout:
            return ""
        return tooltip.inner_text()

    return wait_until(shown, "the tooltip of a locked control", seconds=120)


def _edited_epochs(page) -> int | None:
    query = _query_of(page)
    return share.decode(query[share.PARAM]).train.epochs if share.PARAM in query else None


def test_a_lesson_link_opens_exactly_the_lesson_s_app(app_url, page):
    page.goto(_link(app_url, lesson.to_query(preset_experiment("wine-type"), RULES)))
    note = page.get_by_test_id("stAlertContentInfo").filter(has_text="Try three learning rates")
    expect(note).to_be_visible()

    go(page, "Data")
    expect(note).to_be_visible()
    target = page.locator(".st-key-data_target").get_by_role("combobox")
    expect(target).to_be_disabled()
    hover_target = page.locator(".st-key-data_target").get_by_test_id("stTooltipHoverTarget")
    assert "Fixed by the lesson: data" in _tooltip_of(page, hover_target)

    go(page, "Train")
    expect(note).to_be_visible()
    expect(page.locator(".st-key-train_optimizer").get_by_role("combobox")).to_be_disabled()
    expect(page.locator(".st-key-train_seed")).to_have_count(0)
    rate = page.locator(".st-key-train_learning_rate").get_by_role("slider")
    expect(rate).to_be_enabled()
    expect(rate).to_have_attribute("aria-valuetext", "0.001")
    rate.focus()
    rate.press("ArrowRight")
    expect(rate).to_have_attribute("aria-valuetext", "0.003")
    set_number(page, "train_epochs", 7)

    # The address bar keeps the lesson beside the edited experiment, so a reload keeps both.
    # It is written a moment after the edit: reload once it holds the edit.
    wait_until(lambda: _edited_epochs(page) == 7, "the edited epochs in the address bar")
    page.reload()
    expect(note).to_be_visible()
    expect(page.locator(".st-key-train_learning_rate").get_by_role("slider")).to_have_attribute(
        "aria-valuetext", "0.003"
    )
    expect(page.locator(".st-key-train_optimizer").get_by_role("combobox")).to_be_disabled()
    query = _query_of(page)
    assert lesson.decode(query[lesson.PARAM]) == RULES
    edited = share.decode(query[share.PARAM])
    assert (edited.train.learning_rate, edited.train.epochs) == (0.003, 7)
    assert edited.network == preset_experiment("wine-type").network


def test_a_damaged_lesson_link_gives_a_message_and_a_usable_app(app_url, page):
    query = lesson.to_query(preset_experiment("wine-type"), RULES)
    query[lesson.PARAM] = query[lesson.PARAM][:-9]
    page.goto(_link(app_url, query))
    expect(page.get_by_text("The lesson in this link could not be opened")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)
    go(page, "Train")
    optimizer = page.locator(".st-key-train_optimizer").get_by_role("combobox")
    expect(optimizer).to_be_enabled()
    expect(page.locator(".st-key-train_seed input")).to_be_enabled()
    set_number(page, "train_seed", 7)
