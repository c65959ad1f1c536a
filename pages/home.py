"""Start page: what the app does, and a sample loaded in one click."""

import streamlit as st

from builder.config import load_limits
from builder.experiment.presets import PRESETS, sample_preset
from builder.tables.samples import SAMPLES
from ui import boundary, lesson, preset_picker, state, workspace
from ui.entry import run_through_app
from ui.text import literal

run_through_app()

st.title("Neural Network Builder")
st.markdown(
    "Build a neural network without writing code: **load** a table, **explore** it, "
    "**stack** Dense layers, **watch** the loss fall while Keras trains, **judge** the "
    "model and **download** it. Start from a classic dataset below, or upload your own "
    "on the **Data** page."
)

st.subheader("Start with a sample")
columns = st.columns(3)
for position, sample in enumerate(SAMPLES.values()):
    with columns[position % 3].container(border=True):
        st.markdown(f"**{sample.title}**")
        st.caption(sample.blurb)
        buttons = st.container(horizontal=True)
        if buttons.button(
            "Use this data",
            key=f"home_sample_{sample.key}",
            **lesson.controls("data", help_text=f"Load {sample.title}"),
        ):
            state.use_sample(sample.key)
            st.switch_page("pages/data.py")
        preset = sample_preset(sample.key)
        if preset and buttons.button(
            "Train the tutorial's network",
            key=f"home_preset_{sample.key}",
            **lesson.controls(
                *lesson.EVERYTHING,
                help_text=f"Load {sample.title} with the classic experiment "
                f"'{PRESETS[preset].title}' (its network and training settings) and go to "
                "Train, ready to press Train.",
            ),
        ):
            if error := preset_picker.apply(preset, load_limits()):
                st.error(literal(error), icon=":material/error:")
            else:
                st.session_state.train_message = preset_picker.ready_message(preset)
                st.switch_page("pages/train.py")

st.page_link("pages/data.py", label="Upload your own file", icon=":material/table:")

st.subheader("Your work")
st.caption(workspace.kept_line())
fresh, delete, _ = st.columns([1, 1, 3])
with fresh.popover("Start fresh", help="Forget your table, runs and models, keep nothing."):
    st.caption("Your table, runs, models and settings are forgotten; a run in training stops.")
    st.button(
        "Forget everything",
        key="home_start_fresh",
        on_click=boundary.callback(workspace.start_fresh),
        help="Start again with an empty workspace in this browser.",
    )
with delete.popover("Delete my data", help="Remove everything this server keeps for you."):
    st.caption("Your uploaded table, runs and models are deleted from the server now.")
    st.button(
        "Delete from the server",
        key="home_delete_data",
        type="primary",
        on_click=boundary.callback(workspace.delete_data),
        help="Deletes this browser's workspace; the next visit starts empty.",
    )
