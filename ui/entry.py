"""Every page runs through app.py, even on the first visit to a fresh server.

Streamlit keeps its first multipage design for apps with a ``pages/`` folder: until the
entry script has called ``st.navigation`` once in this process, a visit to ``/explore``
runs ``pages/explore.py`` alone, without app.py's navigation, sidebar and address-bar
experiment. Each page file therefore starts with :func:`run_through_app`: when the page
was started that way, it runs app.py instead, whose navigation then runs the page.
"""

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_through_app() -> None:
    """Hand this script run to app.py if Streamlit started the page on its own."""
    if PagesManager.uses_pages_directory:
        # app.py's st.navigation turns the old design off for the whole process.
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
