"""The Train page while a run is live: drawn at a watchable pace, steered, and seen inside.

``drawn_epochs`` keeps each session's replay of its job (``builder.training.playback``);
``render`` draws one redraw of the live fragment: the steering buttons, the progress, the
curves and the runs table with the run's live row, all from one ``Progress``;
``render_inside`` the network as it learns, on a slower timer of its own.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from builder.training import jobs
from builder.training.playback import Playback, calm
from builder.training.progress import PAUSED, REPLAYING, Progress, progress
from builder.training.runs import Run, from_job
from ui import boundary, sidebar, train_inside, train_panel

PLAYBACK = "train_playback"
INSTANT = "train_instant"
AWAITED = "train_first_epoch_awaited"
STEPPED = "train_stepped"  # (job id, monotonic time) of the last Step taken
CALM = "train_calm"  # the live redraw's timer is the calm one (``playback.calm``)
# Streamlit 1.67 sometimes delivers one click to its callback two or three times within
# 0.7 s (seen in the steering test while the live redraw's timer ran). Pause and Resume
# are therefore two buttons, each idempotent, and a Step this soon after the last one is
# taken as the same click.
STEP_REPEAT_SECONDS = 1.0
# The page run that follows the Train click waits this long for the run's first epoch,
# so a quick one is drawn in that run: the browser starts the live redraw's timer only
# once it has drawn that run, and the first timed redraw came 0.7–1.5 s after the click.
# Measured with benchmarks/first_point.py: median first point 0.99 s with 1.2 s against
# 1.39 s with 0.6 s, every preset faster.
FIRST_EPOCH_WAIT = 1.2


def start_playback(job: jobs.Job) -> None:
    """Replay ``job`` from its start (the student just pressed Train)."""
    st.session_state[PLAYBACK] = Playback(job.id, position=float(job.epochs_before))
    st.session_state[AWAITED] = job.id
    st.session_state[CALM] = False


def _playback(job: jobs.Job) -> Playback:
    """The session's replay of ``job``; one for a run followed later (after a reload, or
    from another tab) starts at the epochs that have arrived."""
    playback = st.session_state.get(PLAYBACK)
    if playback is None or playback.job_id != job.id:
        playback = Playback(job.id, position=float(len(job.history)))
        st.session_state[PLAYBACK] = playback
    return playback


def drawn_epochs(job: jobs.Job) -> int:
    """How many of the job's epochs to draw at this redraw."""
    arrived = len(job.history)
    playback = _playback(job)
    # Paused or stopping, the student looks at where the run stands now.
    if st.session_state.get(INSTANT, False) or job.paused or job.stop_requested:
        playback.catch_up(arrived)
    return playback.advance(
        arrived, job.epochs_before, job.epochs, time.monotonic(), job.may_end_early
    )


def replaying(job: jobs.Job | None) -> bool:
    """The job has ended, and its epochs are still being drawn."""
    playback = st.session_state.get(PLAYBACK)
    return (
        job is not None
        and playback is not None
        and playback.job_id == job.id
        and not st.session_state.get(INSTANT, False)
        and int(playback.position) < len(job.history)
    )


def calm_timer() -> bool:
    """Whether the page has the live redraw on its calm timer."""
    return st.session_state.get(CALM, False)


def timer_changed(job: jobs.Job) -> bool:
    """Choose the live redraw's timer from the run's pace; True when it changed, so the
    page must run again to give the browser the new timer."""
    playback = _playback(job)
    elapsed = [epoch["seconds"] for epoch in job.history]
    wanted = calm(elapsed, playback.caught_up, job.paused, calm_timer())
    changed = wanted != calm_timer()
    st.session_state[CALM] = wanted
    return changed


def _show_now() -> None:
    job = st.session_state.job
    if job is not None:
        _playback(job).catch_up(len(job.history))


def _pause() -> None:
    job = st.session_state.job
    if job is not None and not job.done:
        job.pause()


def _resume() -> None:
    job = st.session_state.job
    if job is not None and not job.done:
        job.resume()


def _step() -> None:
    job = st.session_state.job
    if job is None or job.done:
        return
    last = st.session_state.get(STEPPED)
    if last is not None and last[0] == job.id and time.monotonic() - last[1] < STEP_REPEAT_SECONDS:
        return  # the same click, delivered again
    st.session_state[STEPPED] = (job.id, time.monotonic())
    job.step()


def _stop() -> None:
    job = st.session_state.job
    if job is not None and not job.done:
        job.stop()


def controls(job: jobs.Job | None, view: Progress | None) -> None:
    """Pause or resume, step one epoch, stop, and show the epochs drawn later now; all
    disabled without a live run."""
    live = job is not None and not job.done
    pausing = live and job.pause_requested
    stopping = live and job.stop_requested
    pause, step, stop, now = st.columns([1, 1, 1, 3])
    if pausing:
        pause.button(
            "Resume",
            key="train_resume",
            icon=":material/play_arrow:",
            on_click=boundary.callback(_resume),
            disabled=stopping,
            help="Go on training from where the run paused.",
        )
    else:
        pause.button(
            "Pause",
            key="train_pause",
            icon=":material/pause:",
            on_click=boundary.callback(_pause),
            disabled=not live or stopping,
            help="Pause after the epoch in progress, look at the curves and the network, "
            "then resume; a paused run keeps its worker.",
        )
    step.button(
        "Step one epoch",
        key="train_step",
        icon=":material/skip_next:",
        on_click=boundary.callback(_step),
        disabled=not live or view.state != PAUSED,
        help="While paused: train one more epoch, then pause again.",
    )
    stop.button(
        "Stopping…" if stopping else "Stop",
        key="train_stop",
        icon=":material/stop:",
        on_click=boundary.callback(_stop),
        disabled=not live or stopping,
        help="Stop after the current epoch and keep the model trained so far.",
    )
    if view is not None and view.ahead and view.state != PAUSED:
        now.button(
            "Show all epochs now",
            key="train_show_now",
            on_click=boundary.callback(_show_now),
            help="The epochs arrived faster than you could follow; they are drawn over a few "
            "seconds. Every point is a real epoch. Show the ones that arrived at once.",
        )


def _live_run(view: Progress) -> Run | None:
    """The run in training as the runs table's live row shows it: its state, epochs and
    elapsed time as drawn."""
    training = st.session_state.job_run
    if training is None or training.job is not st.session_state.job:
        return None
    run = from_job(training.job, training.experiment, training.number)
    return dataclasses.replace(
        run,
        state=view.state,
        history=run.history[: view.epoch],
        result=None if view.state == REPLAYING else run.result,
        seconds=view.elapsed,
    )


def render_ended(job: jobs.Job | None) -> None:
    """The page without a live run: the last run's end, the runs, and its network."""
    controls(job, None)
    train_panel.show_progress(job)
    train_panel.show_runs_table(st.session_state.runs)
    training = st.session_state.job_run
    if job is not None and training is not None and training.job is job:
        train_inside.render(job, progress(job), training.experiment)


def render(job: jobs.Job) -> Progress:
    """One redraw of the live run; returns what it showed."""
    if st.session_state.pop(AWAITED, None) == job.id:
        job.wait_for_epochs(job.epochs_before + 1, FIRST_EPOCH_WAIT)
    view = progress(job, drawn_epochs(job))
    # The sidebar first: the browser shows each element as it arrives, and the sidebar's
    # line is short, so it never trails the caption for the length of a redraw.
    sidebar.show_runs_line(view)
    controls(job, view)
    train_panel.show_progress(job, view)
    train_panel.show_runs_table(st.session_state.runs, _live_run(view))
    return view


def render_inside(job: jobs.Job) -> None:
    """The network as it learns, at the epoch the live redraw has drawn; nothing before
    the first epoch is drawn, so the first point reaches the browser with nothing else."""
    playback = _playback(job)
    view = progress(job, int(playback.position))
    training = st.session_state.job_run
    if training is not None and training.job is job and view.epoch > job.epochs_before:
        train_inside.render(job, view, training.experiment)
