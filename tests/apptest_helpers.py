"""Shared set-up for page tests driven by Streamlit's AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.text import unescaped

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["home", "data", "explore", "build", "train", "evaluate", "export"]


def start_app() -> AppTest:
    """The app at its first page, after one run."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def with_sample(key: str) -> AppTest:
    """The app after a click on a sample's button on the start page."""
    return start_app().button(key=f"home_sample_{key}").click().run()


def texts(elements) -> list[str]:
    """The text of rendered elements (errors, warnings, infos, captions, markdown) as the
    page shows it: without the escapes that keep users' text literal (``ui.text.literal``)."""
    return [unescaped(str(element.value)) for element in elements]
