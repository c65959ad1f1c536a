"""The sidebar status: where the user stands, visible on every page."""

import streamlit as st

from builder.training.progress import Progress, progress
from ui import boundary, state
from ui.text import literal

# The runs line redraws on this timer while the session's job is queued or trains.
JOB_REFRESH_SECONDS = 1.0
SLOT = "sidebar_runs_slot"


def status_lines() -> list[str]:
    """Dataset, target, task, model and runs of this session, as short Markdown lines."""
    frame = state.table()
    if frame is None:
        return ["Dataset: none loaded yet"]
    data = state.experiment().data
    network = state.experiment().network
    units = " → ".join(str(layer.units) for layer in network.hidden) or "no hidden layer"
    return [
        f"Dataset: **{literal(data.title)}** ({frame.shape[0]:,} rows × {frame.shape[1]} cols)",
        f"Target: **{literal(data.target)}** · task: **{state.task()}**",
        f"Model: {len(network.hidden)} hidden layer(s), {units}",
        runs_line(),
    ]


def runs_line(shown: Progress | None = None) -> str:
    """``Runs: 2 · training, epoch 3 of 20 · 1.2 s``: the runs kept, and the job's
    progress as ``shown`` (by default, as it stands) while it is active."""
    line = f"Runs: {len(st.session_state.get('runs', []))}"
    job = _active_job()
    if shown is None and job is not None:
        shown = progress(job)
    if shown is None or not shown.active:
        return line
    line += f" · {shown.phrase()}"
    return line if shown.state == "queued" else f"{line} · {shown.elapsed:.1f} s"


def _active_job():
    """The session's job while it is queued or trains; None otherwise."""
    job = st.session_state.get("job")
    return job if job is not None and not job.done else None


def show_runs_line(shown: Progress) -> None:
    """Write the runs line for ``shown`` into the sidebar (the Train page's live redraw,
    so the sidebar shows the epoch the page draws)."""
    slot = st.session_state.get(SLOT)
    if slot is not None:
        slot.caption(runs_line(shown))


@st.fragment(run_every=JOB_REFRESH_SECONDS)
def _live_runs_line() -> None:
    """The runs line, redrawn while the job is queued or trains; the page reruns when
    it ends, so the new run is counted and offered on every page."""
    with boundary.guard(notices=False):
        st.caption(runs_line())
        if _active_job() is None:
            st.rerun()


def render_status(page_follows_job: bool = False) -> None:
    """Show the status lines in the sidebar.

    Args:
        page_follows_job: the page redraws the runs line itself while a job is active
            (``show_runs_line``), as the Train page does.
    """
    lines = status_lines()
    with st.sidebar:
        st.subheader("Where you are")
        for line in lines[:-1]:
            st.caption(line)
        # Timed only while a job is active, as on the Train page: a fragment the page
        # no longer registers is never rerun. With no table loaded there is no runs line.
        if len(lines) > 1 and _active_job() is not None and not page_follows_job:
            _live_runs_line()
            return
        st.session_state[SLOT] = st.empty()
        st.session_state[SLOT].caption(lines[-1])
