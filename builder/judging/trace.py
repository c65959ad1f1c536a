"""One row followed through a trained network, in the words and numbers the diagram shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from builder.judging import metrics
from builder.judging.evaluation import TrainedNetwork


@dataclass(frozen=True)
class TracedRow:
    """What the trace diagram draws for one row, and its prediction in a sentence.

    ``values`` and ``notes`` hold, per diagram column (inputs, then each layer), a
    number and a hover text per unit; ``labels`` holds the text written beside the
    input and output units (None for hidden layers). ``correct`` is None for a regression.
    All are plain text (a note's lines are split by "\n"), column and class names as
    the table holds them: the page shows them literally.
    """

    values: list[list[float]]
    notes: list[list[str]]
    labels: list[list[str] | None]
    sentence: str
    correct: bool | None


def percent(p: float) -> str:
    """A probability as a whole percentage that never rounds to a false 0% or 100%."""
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 < p < 1:
        return ">99%"
    return f"{p:.0%}"


def trace_for_diagram(row: pd.DataFrame, network: TrainedNetwork, threshold: float = 0.5):
    """Trace one raw row (a one-row frame holding the target) for the diagram.

    Args:
        row: the row with the table's own columns, the target among them.
        network: the trained run.
        threshold: the decision threshold for two classes, as on the Scores tab.

    Returns:
        A ``TracedRow``.
    """
    inputs, layers = network.trace(row)
    values = [list(inputs)] + [list(layer.activations) for layer in layers]
    notes = [
        [
            f"{name} = {value:.4g} (prepared)"
            for name, value in zip(network.prep.feature_names, inputs, strict=True)
        ]
    ]
    for weights, layer in zip(network.layers, layers, strict=True):
        notes.append(
            [
                f"Σ inputs × weights{' + bias' if weights.bias is not None else ''} = {s:.4g}"
                f"\n{weights.activation}({s:.4g}) = {a:.4g}"
                for s, a in zip(layer.weighted_sums, layer.activations, strict=True)
            ]
        )
    outputs = layers[-1].activations
    truth = row[network.prep.target].iloc[0]
    if network.prep.task == "regression":
        target = network.prep.target
        labels = [f"{target} = {outputs[0]:.4g}"]
        sentence = (
            f"The network predicts {target} = {outputs[0]:.4g}; "
            f"the true value is {float(truth):.4g}."
        )
        correct = None
    else:
        labels, sentence, correct = _classification(network, outputs, str(truth), threshold)
    hidden: list[list[str] | None] = [None] * (len(layers) - 1)
    return TracedRow(
        values, notes, [input_labels(row, network), *hidden, labels], sentence, correct
    )


def _classification(network: TrainedNetwork, outputs: np.ndarray, truth: str, threshold: float):
    names = network.prep.class_names
    # A single sigmoid unit gives P(second class); softmax units give one class each.
    shown = names[-1:] if len(outputs) == 1 else names
    target = network.prep.target
    labels = [f"{target} = {name}: {percent(p)}" for name, p in zip(shown, outputs, strict=True)]
    probabilities = metrics.class_probabilities(outputs[None])
    best = int(metrics.predicted_classes(probabilities, threshold)[0])
    sentence = f"The network predicts {names[best]} ({percent(probabilities[0, best])})"
    if len(names) == 2 and threshold != 0.5:
        sentence += f" at the decision threshold {threshold:g} for {names[1]}"
    sentence += f"; the true class is {truth}."
    return labels, sentence, names[best] == truth


def input_labels(row: pd.DataFrame, network: TrainedNetwork) -> list[str]:
    """A label per network input in the row's own terms: a column's value, a category's yes/no."""
    fitted, raw = network.prep, row.iloc[0]
    labels = []
    for name in fitted.columns:
        value = raw[name]
        if name in fitted.numeric:
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            filled = f"{name} missing, taken as {fitted.fill[name]:.4g}"
            labels.append(f"{name} = {number:.4g}" if pd.notna(number) else filled)
        elif fitted.one_hot:
            text = fitted.most_frequent[name] if pd.isna(value) else str(value)
            labels += [f"{name} is {v}: {'yes' if v == text else 'no'}" for v in fitted.vocab[name]]
        else:
            labels.append(f"{name} = {'missing' if pd.isna(value) else value}")
    labels += [
        f"{name} missing: {'yes' if pd.isna(raw[name]) else 'no'}" for name in fitted.indicators
    ]
    return labels
