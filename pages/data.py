"""Data page: pick a sample or upload files, see how they were read, choose the target."""

import pandas as pd
import streamlit as st

from builder.experiment.spec import TASKS
from builder.tables.columns import (
    default_exclusions,
    describe_columns,
    feature_problem,
    infer_task,
    target_problem,
)
from builder.tables.samples import SAMPLES
from ui import boundary, code_view, lesson, next_step, state, upload_form
from ui.entry import run_through_app
from ui.text import literal

run_through_app()

st.title("Data")
if lesson.shown("data"):
    lesson.keep_data_source()
    kind = st.radio(
        "Where does the data come from?",
        ["sample", "upload"],
        format_func={"sample": "A bundled sample", "upload": "My own file(s)"}.get,
        key="data_source_kind",
        horizontal=True,
        **lesson.controls("data", help_text="A sample bundled with the app, or your own table."),
    )
    if kind == "sample":
        key = st.selectbox(
            "Sample dataset",
            list(SAMPLES),
            format_func=lambda k: SAMPLES[k].title,
            key="data_sample",
            **lesson.controls(
                "data",
                help_text="Classic datasets of first-network tutorials; sources in "
                "sample_data/SOURCES.md.",
            ),
        )
        st.caption(SAMPLES[key].blurb)
        st.button(
            "Load sample",
            key="data_load_sample",
            type="primary",
            # The box's value as the click finds it: arguments bound when the button was last
            # drawn are stale when the click comes before the new choice's rerun has ended.
            on_click=boundary.callback(lambda: state.use_sample(st.session_state.data_sample)),
            **lesson.controls("data", help_text="Replaces the current table with this sample."),
        )
    else:
        upload_form.render()

frame = state.table()
if frame is None:
    st.info("Load a sample or upload a file to begin.")
    st.stop()

data = state.experiment().data
st.subheader(literal(data.title))
for report in st.session_state.reports:
    st.caption(f"**{literal(report.name)}**: {literal(report.describe())}")
    for warning in report.warnings:
        st.warning(literal(warning), icon=":material/warning:")

rows, cols = frame.shape
metric_columns = st.columns(3)
metric_columns[0].metric("Rows", f"{rows:,}")
metric_columns[1].metric("Columns", cols)
metric_columns[2].metric("Missing cells", f"{int(frame.isna().sum().sum()):,}")

target = data.target
if lesson.shown("data"):
    state.seed_widgets(
        data_target=data.target, data_task=data.task or "inferred", data_excluded=data.excluded
    )
    left, right = st.columns(2)
    target = left.selectbox(
        "Target: the column to predict",
        list(frame.columns),
        key="data_target",
        on_change=boundary.callback(state.sync_data_choices),
        **lesson.controls(
            "data", help_text="The network learns to predict this column from the others."
        ),
    )
    guess, reason = infer_task(frame[target])
    right.selectbox(
        "Task",
        ["inferred", *TASKS],
        format_func=lambda t: f"{guess} (inferred: {reason})" if t == "inferred" else t,
        key="data_task",
        on_change=boundary.callback(state.sync_data_choices),
        **lesson.controls(
            "data",
            help_text="Binary: two classes. Multiclass: several classes. Regression: a number.",
        ),
    )
    st.multiselect(
        "Columns left out of the features",
        [c for c in frame.columns if c != target],
        key="data_excluded",
        on_change=boundary.callback(state.sync_data_choices),
        **lesson.controls(
            "data",
            help_text="Identifier-like columns (a distinct value per row, e.g. PassengerId, "
            "Name), free text (a distinct text on most rows, e.g. a car's name), numbers "
            "written another way than the file's (e.g. '1,5' among decimal points: save them "
            "as plain numbers to use them) and empty columns are left out by default: a network would memorise "
            "them instead of learning. Remove one here to put it back.",
        ),
    )
left_out = default_exclusions(frame, target)
if left_out:
    written = any(why.role == "numbers as text" for why in left_out.values())
    st.caption(
        literal(
            "Left out by default: "
            + "; ".join(f"'{name}' is {why.reason}" for name, why in left_out.items())
            + (". Save numbers written as text as plain numbers to use them." if written else "")
        )
    )
problem = target_problem(frame[target], state.task()) or feature_problem(
    frame, target, data.excluded
)
if problem:
    st.error(literal(problem), icon=":material/target:")
code_view.render("data", key="data_code_expander")

infos = describe_columns(frame, target, data.excluded, left_out)
st.dataframe(pd.DataFrame([vars(info) for info in infos]), hide_index=True, key="data_columns")
st.markdown("**First rows**")
st.dataframe(frame.head(100), key="data_preview")

next_step.render("data")
