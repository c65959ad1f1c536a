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
from ui import (
    boundary,
    classroom_board,
    code_view,
    lesson,
    next_step,
    state,
    train_go_on,
    train_live,
    train_panel,
    train_settings,
    workspace,
)
from ui.entry import run_through_app
from ui.text import literal

run_through_app()

LIMITS = load_limits()
# Brisk: fast enough that a replayed 20-epoch run shows a dozen steps and that the first
# epoch is drawn within a quarter of a second of reaching the server. Calm, for a run of
# an epoch a second or slower, or paused (``builder.training.playback.calm``): each
# redraw costs the browser as much as one with a new point.
REFRESH_SECONDS = {False: 0.25, True: 1.0}
INSIDE_REFRESH_SECONDS = {False: 1.0, True: 2.0}


def start_training() -> None:
    """Submit a copy of the experiment (a button callback, so the buttons redraw at once)."""
    running = st.session_state.job
    if running is not None and not running.done:
        return  # a second click that arrived before Train was drawn disabled
    experiment = copy.deepcopy(state.experiment())
    try:
        check_limits(experiment, LIMITS)
        lesson.check(experiment)  # a forged widget message may have changed a locked setting
        table = state.table() if experiment.data.source == "upload" else None
        workspace.start_training(experiment, table)
        train_live.start_playback(st.session_state.job)
    except BuilderError as error:
        st.session_state.train_error = literal(error)


def keep_pace_choice() -> None:
    st.session_state[train_live.INSTANT] = st.session_state.train_instant_widget


st.title("Train")
state.require_table()
if message := st.session_state.pop("train_message", None):
    st.info(message, icon=":material/school:")
train_settings.render(state.experiment(), state.task(), LIMITS)

job = st.session_state.job
running = job is not None and not job.done
live = running or train_live.replaying(job)
left, right = st.columns([1, 5])
left.button(
    "Train",
    key="train_start",
    type="primary",
    on_click=boundary.callback(start_training),
    disabled=running,
    help="Train the network you built with these settings, in the background.",
)
right.toggle(
    "Show each epoch the moment it arrives",
    value=st.session_state.get(train_live.INSTANT, False),
    key="train_instant_widget",
    on_change=boundary.callback(keep_pace_choice),
    help="Off: epochs that arrive faster than you could follow are drawn over a few "
    "seconds, so you can watch the curves grow; every point is a real epoch. On: each "
    "epoch is drawn as soon as it arrives.",
)
if error := st.session_state.pop("train_error", None):
    st.error(error, icon=":material/error:")


@boundary.guarded
def live_progress() -> None:
    """Redraw the live run on a timer; once it has ended and been drawn, or when its
    pace wants the other timer, rerun the page (which keeps the run, or gives the
    browser the new timer)."""
    job = st.session_state.job
    train_live.render(job)
    if (job.done and not train_live.replaying(job)) or train_live.timer_changed(job):
        st.rerun()


@boundary.guarded
def live_inside() -> None:
    """Redraw the network as it learns, on its own slower timer: its figures are the
    page's largest, and they change only with a new weight snapshot."""
    train_live.render_inside(st.session_state.job)


# The timed fragments exist only while a job is live. Registered again without a timer,
# a fragment went on redrawing finished runs twice a second in some tabs of a loaded
# server (the browser kept the old timer); a fragment the page no longer has is never
# rerun. Registered again with another interval, the browser replaces its timer.
if live:
    calm = train_live.calm_timer()
    st.fragment(live_progress, run_every=REFRESH_SECONDS[calm])()
    st.fragment(live_inside, run_every=INSIDE_REFRESH_SECONDS[calm])()
else:
    train_live.render_ended(job)
classroom_board.render_train_mark(st.session_state.runs)
train_go_on.render(st.session_state.runs, live, LIMITS)
train_panel.show_comparison(st.session_state.runs, live)
code_view.render("train", key="train_code_expander")
next_step.render("train")
