"""Evaluate page: judge a trained run, use it on new rows, and look inside it."""

import streamlit as st

from builder.errors import BuilderError
from builder.judging.evaluation import TrainedNetwork
from ui import (
    evaluate_inside,
    evaluate_mistakes,
    evaluate_predict,
    evaluate_scores,
    next_step,
    state,
)
from ui.entry import run_through_app
from ui.text import literal

run_through_app()

st.title("Evaluate")
state.require_table()
if not state.finished_runs():
    st.info("No trained model yet. Train one on the **Train** page, then judge it here.")
    st.page_link("pages/train.py", label="Go to Train", icon=":material/show_chart:")
    st.stop()

run = state.choose_run("evaluate_run", "Every run of this browser that produced a model.")
frame = state.run_table(run)
if frame is None:
    st.warning(
        literal(
            f"{run.name} was trained on '{run.experiment.data.title}', which is no longer "
            "loaded. Upload that file again on the Data page to evaluate it."
        ),
        icon=":material/warning:",
    )
    st.stop()

try:
    network = TrainedNetwork.from_result(run.result, run.experiment)
    scores, predict, inside = st.tabs(["Scores", "Predict", "Inside the network"])
    with scores:
        threshold = evaluate_scores.render(run, frame)
        evaluate_mistakes.render(run, frame, threshold)
    with predict:
        evaluate_predict.render(network, frame)
    with inside:
        evaluate_inside.render(run, network, frame, threshold)
except BuilderError as error:
    st.error(literal(error), icon=":material/error:")

next_step.render("evaluate")
