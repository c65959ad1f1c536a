"""The Evaluate page's Scores tab: test-split metrics beside a naive baseline, the verdict, charts."""

import numpy as np
import pandas as pd
import streamlit as st

from builder.judging import metrics
from builder.judging.evaluation import judge
from builder.judging.references import NOT_COMPUTED, comparison_rows, sample_note
from builder.judging.verdict import Verdict
from builder.numbers import shown, signed
from builder.plots import charts
from ui import evaluate_mistakes
from ui.text import literal


def show_verdict(verdict: Verdict) -> None:
    """The verdict as a coloured box (green only when fine), with its reasons and next steps."""
    box = {"error": st.error, "warning": st.warning, "success": st.success}[verdict.level]
    lines = [
        f"**{literal(verdict.headline)}**",
        *(f"- {literal(reason)}" for reason in verdict.reasons),
    ]
    if verdict.next_steps:
        lines += ["", "**Next steps**", *(f"- {literal(step)}" for step in verdict.next_steps)]
    box("\n".join(lines))


def render(run, frame: pd.DataFrame) -> float:
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
    # A gain the verdict calls no gain is shown grey, not as a green arrow beside a red verdict.
    neutral = judged["verdict"].kind == "no_better"
    if task == "regression":
        _regression(run, report, baseline, train, neutral)
    else:
        _classification(run, report, baseline, train, threshold, neutral)
    _references(run, judged, threshold)
    return threshold


def _references(run, judged: dict, threshold: float) -> None:
    """The network beside a linear model, boosted trees and the naive guess, same test rows."""
    st.markdown("**Beside other models, on the same test rows**")
    references = judged["references"]
    if references is None:
        st.caption(NOT_COMPUTED)
        return
    task = run.result["task"]
    rows = comparison_rows(task, judged["report"], judged["baseline"], references)
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="evaluate_references")
    notes = [
        "Each reference was fitted on exactly the network's training rows and inputs, "
        "prepared the same way: "
        + "; ".join(f"{ref.label}, {ref.settings}" for ref in references if not ref.error)
        + "."
    ]
    if threshold != 0.5:
        notes.append(f"The network's row uses the threshold {threshold:g}; the references 0.5.")
    notes.append(sample_note(references, run.result["rows"]["train"]))
    st.caption(" ".join(note for note in notes if note))


def _regression(run, report: dict, baseline: dict, train: dict, neutral: bool) -> None:
    columns = st.columns(4)
    for column, name in zip(columns, ("mse", "rmse", "mae", "r2"), strict=True):
        column.metric(
            name.upper().replace("R2", "R²"),
            shown(report[name]),
            delta=f"{signed(report[name] - baseline[name])} vs mean guess",
            delta_color="off" if neutral else "normal" if name == "r2" else "inverse",
        )
    st.caption(
        f"Baseline: always predicting the training mean ({shown(baseline['prediction'])}) "
        f"gives MSE {shown(baseline['mse'])}, MAE {shown(baseline['mae'])}. Training split: "
        f"MSE {shown(train['mse'])}, MAE {shown(train['mae'])}."
    )
    actual = np.asarray(run.result["y_test"], dtype=float)
    predicted = np.asarray(run.result["predictions"])[:, 0]
    left, right = st.columns(2)
    target = run.experiment.data.target
    left.plotly_chart(charts.predicted_vs_actual(actual, predicted, target), key="evaluate_pva")
    right.plotly_chart(charts.residuals_figure(actual, predicted), key="evaluate_residuals")


def _classification(
    run, report: dict, baseline: dict, train: dict, threshold: float, neutral: bool
) -> None:
    columns = st.columns(4)
    columns[0].metric(
        "Accuracy",
        f"{report['accuracy']:.1%}",
        # A difference of two percentages is in points: 70% against 60% is +10 points, not
        # "+10%" (which reads as 66%).
        delta=f"{100 * (report['accuracy'] - baseline['accuracy']):+.1f} points vs baseline",
        delta_color="off" if neutral else "normal",
    )
    columns[1].metric("Macro F1", f"{report['f1_macro']:.3f}")
    columns[2].metric("Cohen's kappa", f"{report['kappa']:.3f}")
    columns[3].metric("Training accuracy", f"{train['accuracy']:.1%}")
    st.caption(
        f"Baseline: always predicting the most frequent class ('{literal(baseline['class'])}') "
        f"is right {baseline['accuracy']:.1%} of the time. A model is only useful above that."
    )
    st.dataframe(pd.DataFrame(report["per_class"]), hide_index=True, key="evaluate_per_class")
    left, right = st.columns(2)
    normalised = left.toggle(
        "Show shares", key="evaluate_normalised", help="Each true class's row sums to 100%."
    )
    matrix = report["confusion_normalised" if normalised else "confusion"]
    names = run.result["classes"]
    left.plotly_chart(
        charts.confusion_figure(matrix, names, normalised),
        key="evaluate_confusion",
        on_select=evaluate_mistakes.show_clicked_cell,
        selection_mode="points",
    )
    if report["roc"]:
        right.plotly_chart(charts.roc_figure(report["roc"]), key="evaluate_roc")
    if len(names) == 2:
        y_test = np.asarray(run.result["y_test"])
        probabilities = metrics.class_probabilities(np.asarray(run.result["predictions"]))
        rows = metrics.threshold_table(y_test, probabilities)
        st.plotly_chart(charts.threshold_figure(rows, threshold), key="evaluate_thresholds")
