"""Evaluate page: judge a trained run, use it on new rows, and look inside it."""

import streamlit as st

from builder.errors import BuilderError
from builder.evaluation import TrainedNetwork
from builder.samples import SAMPLES, load_sample
from ui import evaluate_panels, state

st.title("Evaluate")
state.require_table()
runs = [run for run in st.session_state.get("runs", []) if run.result is not None]
if not runs:
    st.info("No trained model yet. Train one on the **Train** page, then judge it here.")
    st.page_link("views/train.py", label="Go to Train", icon=":material/show_chart:")
    st.stop()

by_number = {run.number: run for run in runs}
number = st.selectbox(
    "Run",
    list(by_number)[::-1],
    format_func=lambda n: (
        f"{by_number[n].name} · {by_number[n].experiment.name} · {by_number[n].state}"
    ),
    key="evaluate_run",
    help="Every run of this session that produced a model, newest first.",
)
run = by_number[number]
source = run.experiment.data.source
if source in SAMPLES:
    frame = load_sample(source)[0]
elif run.experiment.data.title == state.experiment().data.title:
    frame = state.table()
else:
    st.warning(
        f"{run.name} was trained on '{run.experiment.data.title}', which is no longer loaded. "
        "Upload that file again on the Data page to evaluate it.",
        icon=":material/warning:",
    )
    st.stop()

try:
    network = TrainedNetwork.from_result(run.result, run.experiment)
    scores, predict, inside = st.tabs(["Scores", "Predict", "Inside the network"])
    with scores:
        evaluate_panels.scores(run, frame)
    with predict:
        evaluate_panels.predict(network, frame)
    with inside:
        evaluate_panels.inside(run, network, frame)
except BuilderError as error:
    st.error(str(error), icon=":material/error:")
