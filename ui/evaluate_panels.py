"""The Evaluate page's tabs: scores beside a baseline, predictions, and a look inside the network."""

import numpy as np
import pandas as pd
import streamlit as st

from builder.errors import BuilderError
from builder.experiment.summary import diagram_geometry
from builder.judging import metrics
from builder.judging.evaluation import (
    TrainedNetwork,
    cell_rows,
    check_columns,
    confusion_cells,
    decision_boundary,
    judge,
    predictions_table,
    typical_row,
)
from builder.judging.trace import trace_for_diagram
from builder.judging.verdict import Verdict
from builder.plots import charts
from builder.plots.diagram import network_figure
from builder.tables.data import read_table


def show_verdict(verdict: Verdict) -> None:
    """The verdict as a coloured box (green only when fine), with its reasons and next steps."""
    box = {"error": st.error, "warning": st.warning, "success": st.success}[verdict.level]
    lines = [f"**{verdict.headline}**", *(f"- {reason}" for reason in verdict.reasons)]
    if verdict.next_steps:
        lines += ["", "**Next steps**", *(f"- {step}" for step in verdict.next_steps)]
    box("\n".join(lines))


def scores(run, frame: pd.DataFrame) -> float:
    """Test-split metrics beside a naive baseline, the verdict, and the charts.

    Returns:
        The decision threshold chosen (0.5 unless a binary task's slider moved).
    """
    task = run.result["task"]
    threshold = 0.5
    if task == "binary":
        threshold = st.slider(
            "Decision threshold",
            0.05,
            0.95,
            0.5,
            0.05,
            key="evaluate_threshold",
            help="A row counts as the positive class when its probability reaches this value.",
        )
    judged = judge(run.result, frame, run.experiment, threshold)
    report, baseline = judged["report"], judged["baseline"]
    train = run.result["metrics"]["train"]
    show_verdict(judged["verdict"])
    if task == "regression":
        _regression(run, report, baseline, train)
    else:
        _classification(run, report, baseline, train, threshold)
        _cell_rows(run, frame, threshold)
    return threshold


def _regression(run, report: dict, baseline: dict, train: dict) -> None:
    columns = st.columns(4)
    for column, name in zip(columns, ("mse", "rmse", "mae", "r2"), strict=True):
        column.metric(
            name.upper().replace("R2", "R²"),
            f"{report[name]:.4g}",
            delta=f"{report[name] - baseline[name]:+.3g} vs mean guess",
            delta_color="normal" if name == "r2" else "inverse",
        )
    st.caption(
        f"Baseline: always predicting the training mean ({baseline['prediction']:.4g}) gives "
        f"MSE {baseline['mse']:.4g}, MAE {baseline['mae']:.4g}. Training split: MSE "
        f"{train['mse']:.4g}, MAE {train['mae']:.4g}."
    )
    actual = np.asarray(run.result["y_test"], dtype=float)
    predicted = np.asarray(run.result["predictions"])[:, 0]
    left, right = st.columns(2)
    target = run.experiment.data.target
    left.plotly_chart(charts.predicted_vs_actual(actual, predicted, target), key="evaluate_pva")
    right.plotly_chart(charts.residuals_figure(actual, predicted), key="evaluate_residuals")


def _classification(run, report: dict, baseline: dict, train: dict, threshold: float) -> None:
    columns = st.columns(4)
    columns[0].metric(
        "Accuracy",
        f"{report['accuracy']:.1%}",
        delta=f"{report['accuracy'] - baseline['accuracy']:+.1%} vs baseline",
    )
    columns[1].metric("Macro F1", f"{report['f1_macro']:.3f}")
    columns[2].metric("Cohen's kappa", f"{report['kappa']:.3f}")
    columns[3].metric("Training accuracy", f"{train['accuracy']:.1%}")
    st.caption(
        f"Baseline: always predicting the most frequent class ('{baseline['class']}') is right "
        f"{baseline['accuracy']:.1%} of the time. A model is only useful above that."
    )
    st.dataframe(pd.DataFrame(report["per_class"]), hide_index=True, key="evaluate_per_class")
    left, right = st.columns(2)
    normalised = left.toggle(
        "Show shares", key="evaluate_normalised", help="Each true class's row sums to 100%."
    )
    matrix = report["confusion_normalised" if normalised else "confusion"]
    names = run.result["classes"]
    left.plotly_chart(charts.confusion_figure(matrix, names, normalised), key="evaluate_confusion")
    if report["roc"]:
        right.plotly_chart(charts.roc_figure(report["roc"]), key="evaluate_roc")
    if len(names) == 2:
        y_test = np.asarray(run.result["y_test"])
        probabilities = metrics.class_probabilities(np.asarray(run.result["predictions"]))
        rows = metrics.threshold_table(y_test, probabilities)
        st.plotly_chart(charts.threshold_figure(rows, threshold), key="evaluate_thresholds")


def _cell_rows(run, frame: pd.DataFrame, threshold: float) -> None:
    """The test rows behind a cell of the confusion matrix, chosen from a list of its cells."""
    cells = confusion_cells(run.result, threshold)
    names = run.result["classes"]
    cell = st.selectbox(
        "Show the test rows that are",
        list(cells),
        format_func=lambda c: (
            f"true {names[c[0]]}, predicted {names[c[1]]}: "
            f"{cells[c]} row{'s' if cells[c] != 1 else ''}"
        ),
        key="evaluate_cell",
        help="A cell of the confusion matrix; mistakes come first, the most frequent first.",
    )
    st.dataframe(
        cell_rows(run.result, frame, cell, threshold),
        key="evaluate_cell_rows",
        column_config={
            "test row": st.column_config.NumberColumn(
                help="Its number on the Inside the network tab, to trace it through the network."
            )
        },
    )


def _show_prediction(network: TrainedNetwork, outputs: np.ndarray) -> None:
    if network.prep.task == "regression":
        st.metric(f"Predicted {network.prep.target}", f"{outputs[0, 0]:.4g}")
        return
    probabilities = metrics.class_probabilities(outputs)[0]
    names = network.prep.class_names
    best = int(metrics.predicted_classes(probabilities[None])[0])
    st.metric(f"Predicted {network.prep.target}", names[best], f"p = {probabilities[best]:.1%}")
    st.bar_chart(pd.Series(probabilities, index=names, name="probability"), horizontal=True)


def predict(network: TrainedNetwork, frame: pd.DataFrame) -> None:
    """A form with one input per feature, and batch predictions on an uploaded file."""
    defaults = typical_row(frame, network)
    with st.form("evaluate_predict_form"):
        st.caption("Defaults are each column's median (numbers) or most frequent value (text).")
        row = {}
        columns = st.columns(3)
        for index, name in enumerate(network.features):
            column = columns[index % 3]
            if name in network.prep.numeric:
                row[name] = column.number_input(
                    name, value=defaults[name], key=f"evaluate_in_{index}", help=f"Value of {name}"
                )
            else:
                vocab = network.prep.vocab[name]
                row[name] = column.selectbox(
                    name,
                    vocab,
                    index=vocab.index(defaults[name]),
                    key=f"evaluate_in_{index}",
                    help=f"Category of {name}",
                )
        submitted = st.form_submit_button("Predict", type="primary")
    if submitted:
        _show_prediction(network, network.outputs(pd.DataFrame([row])))

    upload = st.file_uploader(
        "Predict a whole file",
        type=["csv", "tsv", "txt", "xlsx"],
        key="evaluate_batch",
        help="A table with the same columns as the training data (the target may be absent).",
    )
    if upload is None:
        return
    try:
        table, _ = read_table(upload.getvalue(), upload.name)
        extra = check_columns(table, network)
        result = predictions_table(table, network)
    except BuilderError as error:
        st.error(str(error), icon=":material/error:")
        return
    if extra:
        st.info("Ignored column(s) the model does not use: " + ", ".join(extra))
    st.dataframe(result.head(200), key="evaluate_batch_preview")
    st.download_button(
        "Download predictions (CSV)",
        result.to_csv(index=False).encode(),
        file_name="predictions.csv",
        mime="text/csv",
        key="evaluate_batch_download",
    )


def inside(run, network: TrainedNetwork, frame: pd.DataFrame, threshold: float) -> None:
    """Trace one test row through the network, and the decision boundary over two features."""
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
    {True: st.success, False: st.warning, None: st.info}[traced.correct](traced.sentence)
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
