"""The sidebar status: where the user stands, visible on every page."""

import streamlit as st

from ui import state


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
        f"Runs: {len(st.session_state.get('runs', []))}" + _job_status(),
    ]


def _job_status() -> str:
    """' · training, epoch 3 of 20' while this session's job runs, or its queue position."""
    job = st.session_state.get("job")
    if job is None or job.done:
        return ""
    if job.position:
        return f" · queued, position {job.position}"
    return f" · training, epoch {len(job.history)} of {job.epochs}"


def render_status() -> None:
    """Show the status lines in the sidebar."""
    with st.sidebar:
        st.subheader("Where you are")
        for line in status_lines():
            st.caption(line)
