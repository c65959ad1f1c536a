"""Inside the network while it learns: the diagram's weights and the decision boundary.

Both are drawn from the weight snapshots the worker sends every few epochs
(``builder.training.jobs.Job.snapshots``), with the preprocessing it fitted, so the
server computes them in NumPy without TensorFlow. Each is computed once a snapshot and
kept for the redraws in between.
"""

from __future__ import annotations

import streamlit as st

from builder.errors import BuilderError
from builder.experiment.spec import Experiment
from builder.experiment.summary import diagram_geometry
from builder.judging.evaluation import TrainedNetwork, decision_boundary
from builder.plots import charts
from builder.plots.diagram import network_figure
from builder.training import jobs
from builder.training.progress import Progress
from ui import state

CACHE = "train_inside_figures"


def _snapshot(job: jobs.Job, epoch: int) -> tuple[int, dict] | None:
    """The newest snapshot taken at or before the epoch drawn."""
    taken = [snapshot for snapshot in job.snapshots if snapshot[0] <= epoch]
    return taken[-1] if taken else None


def _cached(key: tuple, make):
    """``make()``, computed once for ``key`` (the job, the snapshot, the chosen axes)."""
    cache = st.session_state.setdefault(CACHE, {})
    if key not in cache:
        if len(cache) > 8:
            cache.clear()
        cache[key] = make()
    return cache[key]


def render(job: jobs.Job, view: Progress, experiment: Experiment) -> None:
    """The network with the weights of the snapshot nearest the epoch drawn, and the
    decision boundary over two chosen inputs for a classification table."""
    snapshot = _snapshot(job, view.epoch)
    if snapshot is None or job.prep is None:
        return
    taken, weights = snapshot
    network = _network(job, weights, experiment)
    if network is None:
        return
    with st.expander(f"Inside the network, after epoch {taken}", expanded=True):
        geometry = diagram_geometry(
            network.prep.feature_names,
            experiment.network,
            network.prep.task,
            network.prep.class_names,
            network.prep.target,
        )
        figure = _cached(
            (job.id, taken, "diagram"), lambda: network_figure(geometry, weights=weights)
        )
        st.plotly_chart(figure, key="train_inside_diagram")
        st.caption(
            "Red connections push a unit up, blue ones down; thicker ones weigh more. "
            "A unit's colour is its bias. Hover for the numbers."
        )
        _boundary(job, network, taken)


def _network(job: jobs.Job, weights: dict, experiment: Experiment) -> TrainedNetwork | None:
    try:
        return TrainedNetwork.from_result({"prep": job.prep, "weights": weights}, experiment)
    except BuilderError:
        return None


def _boundary(job: jobs.Job, network: TrainedNetwork, taken: int) -> None:
    numeric = network.prep.numeric
    frame = state.table()
    # Only classes have a boundary, over two numeric inputs of the table on screen.
    if network.prep.task == "regression" or len(numeric) < 2 or frame is None:
        st.caption(
            "A decision boundary is drawn for a classification table with two numeric inputs."
        )
        return
    if not set(network.features) <= set(frame.columns):
        return
    left, right = st.columns(2)
    right.caption(
        "The decision boundary: the class the network predicts over two inputs, redrawn "
        "every few epochs as the weights change. The points are the table's rows."
    )
    with left:
        _boundary_chart(job, network, taken, frame)


def _boundary_chart(job: jobs.Job, network: TrainedNetwork, taken: int, frame) -> None:
    numeric = network.prep.numeric
    across, up = st.columns(2)
    x_name = across.selectbox(
        "Across", numeric, key="train_boundary_x", help="The boundary's horizontal axis."
    )
    y_name = up.selectbox(
        "Up",
        [name for name in numeric if name != x_name],
        key="train_boundary_y",
        help="The vertical axis; the other inputs are held at their median or most frequent value.",
    )
    figure = _cached(
        (job.id, taken, x_name, y_name),
        lambda: charts.boundary_figure(decision_boundary(frame, network, x_name, y_name)),
    )
    st.plotly_chart(figure, key="train_inside_boundary")
