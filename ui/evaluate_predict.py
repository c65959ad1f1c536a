"""The Evaluate page's Predict tab: one row typed into a form, or a whole uploaded file."""

import numpy as np
import pandas as pd
import streamlit as st

from builder.errors import BuilderError
from builder.export.cells import csv_bytes
from builder.judging import metrics
from builder.judging.evaluation import (
    TrainedNetwork,
    check_columns,
    predictions_table,
    typical_row,
)
from builder.tables.bounded import load_files_bounded
from ui.text import literal


def render(network: TrainedNetwork, frame: pd.DataFrame) -> None:
    """A form with one input per feature, and batch predictions on an uploaded file."""
    _form(network, frame)
    _batch(network)


def _form(network: TrainedNetwork, frame: pd.DataFrame) -> None:
    defaults = typical_row(frame, network)
    with st.form("evaluate_predict_form"):
        st.caption("Defaults are each column's median (numbers) or most frequent value (text).")
        row = {}
        columns = st.columns(3)
        for index, name in enumerate(network.features):
            column = columns[index % 3]
            if name in network.prep.numeric:
                row[name] = column.number_input(
                    literal(name),
                    value=defaults[name],
                    key=f"evaluate_in_{index}",
                    help=literal(f"Value of {name}"),
                )
            else:
                vocab = network.prep.vocab[name]
                row[name] = column.selectbox(
                    literal(name),  # a label is Markdown; the options are shown as they are
                    vocab,
                    index=vocab.index(defaults[name]),
                    key=f"evaluate_in_{index}",
                    help=literal(f"Category of {name}"),
                )
        submitted = st.form_submit_button("Predict", type="primary")
    if submitted:
        _show_prediction(network, network.outputs(pd.DataFrame([row])))


def _show_prediction(network: TrainedNetwork, outputs: np.ndarray) -> None:
    if network.prep.task == "regression":
        st.metric(literal(f"Predicted {network.prep.target}"), f"{outputs[0, 0]:.4g}")
        return
    probabilities = metrics.class_probabilities(outputs)[0]
    names = network.prep.class_names
    best = int(metrics.predicted_classes(probabilities[None])[0])
    st.metric(
        literal(f"Predicted {network.prep.target}"),
        literal(names[best]),
        f"p = {probabilities[best]:.1%}",
    )
    st.bar_chart(pd.Series(probabilities, index=names, name="probability"), horizontal=True)


def _batch(network: TrainedNetwork) -> None:
    upload = st.file_uploader(
        "Predict a whole file",
        type=["csv", "tsv", "txt", "xlsx"],
        key="evaluate_batch",
        help="A table with the same columns as the training data (the target may be absent).",
    )
    if upload is None:
        return
    try:
        table, _ = load_files_bounded([(upload.name, upload.getvalue())])
        extra = check_columns(table, network)
        result = predictions_table(table, network)
    except BuilderError as error:
        st.error(literal(error), icon=":material/error:")
        return
    if extra:
        st.info(literal("Ignored column(s) the model does not use: " + ", ".join(extra)))
    st.dataframe(result.head(200), key="evaluate_batch_preview")
    st.download_button(
        "Download predictions (CSV)",
        csv_bytes(result),
        file_name="predictions.csv",
        mime="text/csv",
        key="evaluate_batch_download",
    )
