"""Go on from a run: continue it for more epochs, or restart from its initial weights.

Both make a new run that records its parent (``builder.training.lineage``), so the runs
table and the comparison chart set the two side by side.
"""

from __future__ import annotations

import streamlit as st

from builder.config import HostLimits
from builder.errors import SpecError
from builder.training import jobs
from builder.training.runs import Run
from ui import boundary, lesson, state, train_live, workspace
from ui.text import literal


def _started(before: jobs.Job | None) -> None:
    """Replay the run a button just started from its first new epoch."""
    job = st.session_state.job
    if job is not None and job is not before and not job.done:
        train_live.start_playback(job)


def _allowed() -> bool:
    """False, with the reason for the page, when the settings break the lesson (a forged edit)."""
    try:
        lesson.check(state.experiment())
    except SpecError as error:
        st.session_state.train_error = str(error)
        return False
    return True


def _continue(number: int) -> None:
    if not _allowed():
        return
    before = st.session_state.job
    workspace.continue_from(number, int(st.session_state.train_more_epochs))
    _started(before)


def _restart(number: int) -> None:
    if not _allowed():
        return
    before = st.session_state.job
    workspace.restart_from(number)
    _started(before)


def render(runs: list[Run], training: bool, limits: HostLimits) -> None:
    """The run to go on from, how many more epochs, and the two buttons."""
    kept = {run.number: run for run in runs if run.result and "weights" in run.result}
    if not kept:
        return
    st.subheader("Go on from a run")
    choice, more, _ = st.columns([2, 1, 2])
    number = choice.selectbox(
        "Run",
        list(kept)[::-1],
        format_func=lambda n: kept[n].name,
        key="train_go_on_run",
        help="A finished or stopped run whose model was kept.",
    )
    run = kept[number]
    epoch = run.result["kept_epoch"]
    more.number_input(
        "More epochs",
        min_value=1,
        max_value=max(1, limits.max_epochs - epoch),
        value=min(20, max(1, limits.max_epochs - epoch)),
        key="train_more_epochs",
        **lesson.controls(
            "epochs",
            help_text="How many epochs to train on; the host allows "
            f"{limits.max_epochs} epochs a run in all.",
        ),
    )
    left, right, _ = st.columns([2, 2, 3])
    left.button(
        "Continue training",
        key="train_continue_from",
        icon=":material/fast_forward:",
        on_click=boundary.callback(_continue),
        args=(number,),
        **lesson.controls(
            "epochs",
            disabled=training,
            help_text=f"Train {literal(run.name)} on from the weights it kept (epoch {epoch}), "
            "with the learning rate, batch size and other training settings chosen above, as "
            "a new run.",
        ),
    )
    right.button(
        "Restart from its initial weights",
        key="train_restart_from",
        icon=":material/replay:",
        on_click=boundary.callback(_restart),
        args=(number,),
        disabled=training,
        help=f"Train the network as it is set now from the very weights {literal(run.name)} started "
        "from, so two settings are compared from one start. The data, preprocessing and "
        "layers must be the same as that run's.",
    )
    st.caption(
        f"{literal(run.name)} kept the weights of epoch {epoch}. Continuing trains epochs {epoch + 1} "
        f"to {epoch + int(st.session_state.get('train_more_epochs', 20))} with the settings above."
    )
