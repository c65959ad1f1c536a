"""Build page: presets, preprocessing, the layer stack, output and loss, summary, diagram, code."""

import pandas as pd
import streamlit as st

from builder.config import load_limits
from builder.experiment.summary import class_labels, diagram_geometry, feature_notes, summarize
from builder.plots.diagram import network_figure
from ui import (
    boundary,
    code_view,
    layer_editor,
    lesson,
    next_step,
    output_editor,
    prep_editor,
    preset_picker,
    state,
)
from ui.entry import run_through_app
from ui.text import literal

run_through_app()

LIMITS = load_limits()


def apply_defaults() -> None:
    """Set the defaults the app proposes for the loaded table (a button callback)."""
    state.use_defaults(state.table())
    st.session_state.build_message = (
        "The defaults for this table are set: preprocessing, network and training."
    )


st.title("Build")
st.subheader("Presets")
st.button(
    "Use the defaults for this table",
    key="build_use_defaults",
    on_click=boundary.callback(apply_defaults),
    **lesson.controls(
        *(group for group in lesson.EVERYTHING if group != "data"),
        disabled=state.table() is None,
        help_text="Replaces the preprocessing, network and training settings by what the app "
        "proposes for a new table: scaled inputs and target, two hidden layers, and a generous "
        "epoch budget with early stopping. The data choices (target, columns left out) stay.",
    ),
)
preset_picker.render(LIMITS)

frame = state.require_table()
experiment = state.experiment()
data, prep, network = experiment.data, experiment.prep, experiment.network
task = state.task()
if task is None:
    st.warning("Choose the column to predict on the **Data** page first.")
    st.stop()

if lesson.shown("preprocessing") or lesson.shown("data"):
    st.subheader("Preprocessing")
    prep_editor.render(frame, data, prep, task)

if lesson.shown("network"):
    st.subheader("Layers")
    layer_editor.render(network, LIMITS.max_layers, LIMITS.max_units)
    st.subheader("Output & loss")
    output_editor.render(network, task)

st.subheader("Summary")
features, summary = summarize(frame, experiment, task)
classes = class_labels(frame, data.target, task)
left, middle, right = st.columns(3)
left.metric("Inputs after preprocessing", summary.inputs)
middle.metric("Parameters", f"{summary.total:,}")
right.metric("Weights size", summary.memory)
rows = [(r.label, r.output_shape, r.params) for r in summary.rows]
st.dataframe(
    pd.DataFrame(rows, columns=["Layer (type)", "Output Shape", "Param #"]),
    hide_index=True,
    key="build_summary",
)
for note in feature_notes(features):
    st.warning(literal(note), icon=":material/warning:")

st.subheader("Diagram")
geometry = diagram_geometry([f.name for f in features], network, task, classes, data.target)
st.plotly_chart(network_figure(geometry), key="build_diagram")

code_view.render("build", key="build_code_expander")

next_step.render("build")
