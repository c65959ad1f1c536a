"""The Evaluate page's Inside the network tab: one test row traced, and the decision boundary."""

import pandas as pd
import streamlit as st

from builder.experiment.summary import diagram_geometry
from builder.judging.evaluation import TrainedNetwork, decision_boundary
from builder.judging.trace import trace_for_diagram
from builder.plots import charts
from builder.plots.diagram import network_figure
from ui.text import literal


def render(run, network: TrainedNetwork, frame: pd.DataFrame, threshold: float) -> None:
    """Trace one test row through the network, and the decision boundary over two features."""
    _trace(run, network, frame, threshold)
    _boundary(network, frame)


def _trace(run, network: TrainedNetwork, frame: pd.DataFrame, threshold: float) -> None:
    test_rows = run.result["test_rows"]
    position = st.number_input(
        f"Test row to trace (1 to {len(test_rows)})",
        1,
        len(test_rows),
        1,
        key="evaluate_trace_row",
        help="Follow this row from its inputs to the prediction.",
    )
    row = frame.loc[[test_rows[position - 1]]]
    st.dataframe(row, key="evaluate_trace_raw")
    traced = trace_for_diagram(row, network, threshold)
    # Green when right, amber when wrong, neutral for a regression's number.
    {True: st.success, False: st.warning, None: st.info}[traced.correct](literal(traced.sentence))
    geometry = diagram_geometry(
        network.prep.feature_names,
        run.experiment.network,
        network.prep.task,
        network.prep.class_names,
        network.prep.target,
    )
    st.plotly_chart(
        network_figure(geometry, traced.values, traced.notes, traced.labels),
        key="evaluate_trace_figure",
    )
    st.caption(
        "Each unit multiplies its inputs by its weights, adds them up with its bias, and passes "
        "the sum through its activation. Hover over a unit to see its numbers."
    )


def _boundary(network: TrainedNetwork, frame: pd.DataFrame) -> None:
    # Two numeric features make the axes, and only classes have a boundary to draw.
    if network.prep.task == "regression" or len(network.prep.numeric) < 2:
        return
    st.subheader("Decision boundary")
    left, right = st.columns(2)
    numeric = network.prep.numeric
    x_name = left.selectbox("Across", numeric, key="evaluate_boundary_x", help="Horizontal axis")
    others = [n for n in numeric if n != x_name]
    y_name = right.selectbox("Up", others, key="evaluate_boundary_y", help="Vertical axis")
    boundary = decision_boundary(frame, network, x_name, y_name)
    st.plotly_chart(charts.boundary_figure(boundary), key="evaluate_boundary")
