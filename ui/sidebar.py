"""The sidebar status: where the user stands, visible on every page."""

import streamlit as st

from ui import state

# The runs line redraws on this timer while the session's job is queued or trains.
JOB_REFRESH_SECONDS = 1.0


def status_lines() -> list[str]:
    """Dataset, target, task, model and runs of this session, as short Markdown lines."""
    frame = state.table()
    if frame is None:
        return ["Dataset: none loaded yet"]
    data = state.experiment().data
    network = state.experiment().network
    units = " → ".join(str(layer.units) for layer in network.hidden) or "no hidden layer"
    return [
        f"Dataset: **{data.title}** ({frame.shape[0]:,} rows × {frame.shape[1]} cols)",
        f"Target: **{data.target}** · task: **{state.task()}**",
        f"Model: {len(network.hidden)} hidden layer(s), {units}",
        _runs_line(),
    ]


def _runs_line() -> str:
    return f"Runs: {len(st.session_state.get('runs', []))}" + _job_status()


def _active_job():
    """The session's job while it is queued or trains; None otherwise."""
    job = st.session_state.get("job")
    return job if job is not None and not job.done else None


def _job_status() -> str:
    """' · training, epoch 3 of 20' while this session's job runs, or its queue position."""
    job = _active_job()
    if job is None:
        return ""
    if job.position:
        return f" · queued, position {job.position}"
    return f" · training, epoch {len(job.history)} of {job.epochs}"


@st.fragment(run_every=JOB_REFRESH_SECONDS)
def _live_runs_line() -> None:
    """The runs line, redrawn while the job is queued or trains; the page reruns when
    it ends, so the new run is counted and offered on every page."""
    st.caption(_runs_line())
    if _active_job() is None:
        st.rerun()


def render_status() -> None:
    """Show the status lines in the sidebar."""
    lines = status_lines()
    with st.sidebar:
        st.subheader("Where you are")
        for line in lines[:-1]:
            st.caption(line)
        # Timed only while a job is active, as on the Train page: a fragment the page
        # no longer registers is never rerun. With no table loaded there is no runs line.
        if len(lines) > 1 and _active_job() is not None:
            _live_runs_line()
        else:
            st.caption(lines[-1])
