"""Regenerate the README screenshots from the real running app.

Usage: python docs/screenshot.py  (starts the app on a free port, drives Debian's Chromium).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

SHOTS = ROOT / "docs"


def main() -> None:
    with serve_app() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.locator(".st-key-home_sample_titanic button").first.click()
        page.get_by_text("First rows").wait_for()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "data-page.png"))
        browser.close()


if __name__ == "__main__":
    main()
