"""Train page: settings, Train and Stop, live curves that grow, and the runs compared.

Training runs in a worker process (``builder.training.jobs``); this page only submits the
experiment and redraws the job's history on a timer, so training goes on while
the user visits other pages, and the curves are here when they come back.
"""

import copy

import streamlit as st

from builder.config import load_limits
from builder.errors import BuilderError
from builder.experiment.spec import check_limits
from ui import code_view, next_step, state, train_panel, train_settings, workspace
from ui.entry import run_through_app

run_through_app()

LIMITS = load_limits()
REFRESH_SECONDS = 0.5


def start_training() -> None:
    """Submit a copy of the experiment (a button callback, so the buttons redraw at once)."""
    running = st.session_state.job
    if running is not None and not running.done:
        return  # a second click that arrived before Train was drawn disabled
    experiment = copy.deepcopy(state.experiment())
    try:
        check_limits(experiment, LIMITS)
        table = state.table() if experiment.data.source == "upload" else None
        workspace.start_training(experiment, table)
    except BuilderError as error:
        st.session_state.train_error = str(error)


def stop_training() -> None:
    """Ask the running job to stop at the end of its epoch."""
    if st.session_state.job is not None:
        st.session_state.job.stop()


st.title("Train")
state.require_table()
if message := st.session_state.pop("train_message", None):
    st.info(message, icon=":material/school:")
train_settings.render(state.experiment(), state.task(), LIMITS)

job = st.session_state.job
running = job is not None and not job.done
stopping = running and job.stop_requested  # Stop was taken: the run ends after its epoch
left, right, _ = st.columns([1, 1, 4])
left.button(
    "Train",
    key="train_start",
    type="primary",
    on_click=start_training,
    disabled=running,
    help="Train the network you built with these settings, in the background.",
)
right.button(
    "Stop",
    key="train_stop",
    on_click=stop_training,
    disabled=not running or stopping,
    help="Stop after the current epoch and keep the model trained so far.",
)
if error := st.session_state.pop("train_error", None):
    st.error(error, icon=":material/error:")


@st.fragment(run_every=REFRESH_SECONDS)
def live_progress() -> None:
    """Redraw the running job's curves on a timer; once it ends, rerun the page to keep the run."""
    job = st.session_state.job
    train_panel.show_progress(job)
    if job.done:
        st.rerun()


# The timed fragment exists only while a job runs. Registered again without a timer,
# it went on redrawing finished runs twice a second in some tabs of a loaded server
# (the browser kept the old timer); a fragment the page no longer has is never rerun.
if running:
    live_progress()
else:
    train_panel.show_progress(job)
code_view.render("train", key="train_code_expander")
train_panel.show_runs(st.session_state.runs, running)

next_step.render("train")
