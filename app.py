"""Entry point: `streamlit run app.py`. Navigation, session state, the sidebar, the link."""

from pathlib import Path

import streamlit as st

from builder.training import jobs
from ui import boundary, lesson, share, sidebar, state, workspace

# The tab icon is a file of ours: a Material icon there is fetched from Google's servers,
# which a classroom network or an offline laptop may not reach.
st.set_page_config(
    page_title="Neural Network Builder",
    page_icon=str(Path(__file__).parent / "ui" / "favicon.svg"),
    layout="wide",
)
# Every part runs inside the error boundary (ui.boundary): an unexpected exception is logged
# with a reference and shown as a plain sentence, and the navigation stays usable.
with boundary.guard(notices=False):
    state.init_state()
    # On every page: the browser's workspace (table, runs, a run in training) comes back
    # after a reload, in a new tab, or from a restarted server; a run that ended while the
    # user looked elsewhere is in the runs, the sidebar count, and the Evaluate and Export choices.
    workspace.sync()
    # Start the shared worker pool with the first page view, so TensorFlow is imported
    # in the workers (in the background) before anyone presses Train.
    jobs.get_pool()
    share.restore_from_url()
    # Before the page: a lesson's fixed settings are back in place and its note heads every page.
    state.keep_lesson()
    lesson.show_note()

# Each page file starts with ui.entry.run_through_app(): on a fresh server Streamlit
# would otherwise run a page in pages/ on its own, without this entry script.
pages = [
    st.Page("pages/home.py", title="Start", icon=":material/home:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table:"),
    st.Page("pages/explore.py", title="Explore", icon=":material/query_stats:"),
    st.Page("pages/build.py", title="Build", icon=":material/stacks:"),
    st.Page("pages/train.py", title="Train", icon=":material/show_chart:"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/target:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
    st.Page("pages/class_room.py", title="Class", icon=":material/groups:"),
]
current = st.navigation(pages)
with boundary.guard(notices=False):
    # The Train page draws the sidebar's runs line itself while it shows a run's progress.
    sidebar.render_status(page_follows_job=current.url_path == "train")
    workspace.keep_cookie()
with boundary.guard():
    try:
        current.run()
    finally:
        # In finally: a page may end early with st.stop().
        with boundary.guard(notices=False):
            share.write_to_url()
            workspace.save_experiment()
