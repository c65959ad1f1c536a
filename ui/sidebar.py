"""The sidebar status: where the user stands, visible on every page."""

import streamlit as st

from ui import state


def render_status() -> None:
    """Show dataset, target, task, model and run state in the sidebar."""
    frame = state.table()
    data = state.experiment().data
    network = state.experiment().network
    with st.sidebar:
        st.subheader("Where you are")
        if frame is None:
            st.caption("Dataset: none loaded yet")
            return
        st.caption(f"Dataset: **{data.title}** ({frame.shape[0]:,} rows × {frame.shape[1]} cols)")
        st.caption(f"Target: **{data.target}** · task: **{state.task()}**")
        units = " → ".join(str(layer.units) for layer in network.hidden) or "no hidden layer"
        st.caption(f"Model: {len(network.hidden)} hidden layer(s), {units}")
        st.caption(f"Runs: {len(st.session_state.get('runs', []))}")
