"""A trained run, judged and used in the server, from the plain numbers a worker returned.

The worker's result holds the fitted preprocessing statistics and every Dense
layer's weights, so the server can predict new rows, trace one through the
network and draw a decision boundary with NumPy alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from builder.errors import DataError
from builder.experiment.spec import Experiment, output_activation
from builder.judging import metrics
from builder.judging.forward import DenseWeights, LayerTrace, forward, trace_row
from builder.judging.references import from_result
from builder.judging.verdict import Scores, verdict
from builder.tables import prep
from builder.tables.prep import FittedPrep

BOUNDARY_STEPS = 60
BOUNDARY_POINTS = 1500


@dataclass(frozen=True)
class TrainedNetwork:
    """The fitted preprocessing and the Dense layers of one run."""

    prep: FittedPrep
    layers: list[DenseWeights]

    @classmethod
    def from_result(cls, result: dict, experiment: Experiment) -> TrainedNetwork:
        """Rebuild from a worker's training result and the run's experiment."""
        fitted = FittedPrep.from_dict(result["prep"])
        activations = [layer.activation for layer in experiment.network.hidden]
        activations.append(output_activation(experiment.network, fitted.task))
        weights = list(result["weights"].values())
        if len(weights) != len(activations):
            raise DataError(
                f"The run holds {len(weights)} weighted layers but its experiment describes "
                f"{len(activations)}. Train again."
            )
        layers = [
            DenseWeights.from_lists(w[0], w[1] if len(w) > 1 else None, activation)
            for w, activation in zip(weights, activations, strict=True)
        ]
        return cls(prep=fitted, layers=layers)

    @property
    def features(self) -> list[str]:
        """The raw columns the network reads."""
        return self.prep.numeric + self.prep.categorical

    def outputs(self, frame: pd.DataFrame) -> np.ndarray:
        """Network outputs for raw rows (the table's own columns).

        Raises:
            DataError: a feature column is missing.
        """
        return forward(self.prep.transform(frame), self.layers)

    def trace(self, row: pd.DataFrame) -> tuple[np.ndarray, list[LayerTrace]]:
        """One raw row's prepared inputs and each layer's weighted sums and activations."""
        inputs = self.prep.transform(row)[0]
        return inputs, trace_row(inputs, self.layers)


def judge(result: dict, frame: pd.DataFrame, experiment: Experiment, threshold: float = 0.5):
    """Test-split report, a naive baseline and the reference models beside it, and the verdict.

    Returns:
        dict with ``report`` (classification or regression metrics), ``baseline``
        (majority class or mean guess, trained on the same training rows), ``references``
        (``builder.judging.references.Reference`` list, None for a run saved before they
        were computed) and ``verdict`` (a ``builder.judging.verdict.Verdict``).
    """
    task = result["task"]
    fitted = FittedPrep.from_dict(result["prep"])
    train_rows, _ = prep.split(frame, experiment)
    y_train = fitted.encode_target(train_rows[fitted.target])
    y_test = np.asarray(result["y_test"])
    outputs = np.asarray(result["predictions"])
    if task == "regression":
        report = metrics.regression_report(y_test, outputs[:, 0])
        baseline = metrics.mean_baseline(y_train, y_test)
        train_baseline = metrics.mean_baseline(y_train, y_train)
    else:
        probabilities = metrics.class_probabilities(outputs)
        report = metrics.classification_report(y_test, probabilities, fitted.class_names, threshold)
        baseline = metrics.majority_baseline(y_train, y_test, fitted.class_names)
        train_baseline = metrics.majority_baseline(y_train, y_train, fitted.class_names)
    references = from_result(result)
    judged = verdict(
        task,
        result["history"],
        result["ended"],
        train=Scores(result["metrics"]["train"], train_baseline),
        test=Scores(report, baseline, rows=len(y_test)),
        experiment=experiment,
        references=references,
    )
    return {"report": report, "baseline": baseline, "references": references, "verdict": judged}


def typical_row(frame: pd.DataFrame, network: TrainedNetwork) -> dict:
    """Defaults for the prediction form: each numeric feature's median, each text one's mode."""
    row = {}
    for name in network.prep.numeric:
        values = pd.to_numeric(frame[name], errors="coerce").dropna()
        row[name] = float(values.median()) if len(values) else 0.0
    for name in network.prep.categorical:
        row[name] = network.prep.most_frequent[name]
    return row


def check_columns(upload: pd.DataFrame, network: TrainedNetwork) -> list[str]:
    """Columns an uploaded table has beyond the features (ignored); missing ones raise.

    Raises:
        DataError: naming the feature columns the table lacks.
    """
    missing = [name for name in network.features if name not in upload.columns]
    if missing:
        raise DataError(
            "The file lacks column(s) the model needs: "
            + ", ".join(f"'{name}'" for name in missing)
            + ". Upload a table with the same columns as the training data."
        )
    return [name for name in upload.columns if name not in network.features]


def predictions_table(upload: pd.DataFrame, network: TrainedNetwork) -> pd.DataFrame:
    """The uploaded rows with the model's prediction (and class probabilities) appended."""
    outputs = network.outputs(upload)
    table = upload.copy()
    if network.prep.task == "regression":
        table["prediction"] = outputs[:, 0]
        return table
    probabilities = metrics.class_probabilities(outputs)
    names = network.prep.class_names
    table["prediction"] = [names[i] for i in metrics.predicted_classes(probabilities)]
    for index, name in enumerate(names):
        table[f"P({name})"] = probabilities[:, index]
    return table


@dataclass(frozen=True)
class Boundary:
    """Predicted class over a grid of two features, with real rows to draw on top."""

    x_name: str
    y_name: str
    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray
    confidence: np.ndarray
    points: pd.DataFrame
    class_names: list[str]


def decision_boundary(
    frame: pd.DataFrame, network: TrainedNetwork, x_name: str, y_name: str
) -> Boundary:
    """The class the network predicts over a grid of two numeric features.

    The other features are held at their typical value (median or most frequent).

    Raises:
        DataError: a chosen feature is not a numeric input of the network.
    """
    for name in (x_name, y_name):
        if name not in network.prep.numeric:
            raise DataError(f"'{name}' is not a numeric input of this network.")
    axes = []
    for name in (x_name, y_name):
        values = pd.to_numeric(frame[name], errors="coerce").dropna()
        low, high = float(values.min()), float(values.max())
        pad = (high - low) * 0.05 or 1.0
        axes.append(np.linspace(low - pad, high + pad, BOUNDARY_STEPS))
    grid_x, grid_y = np.meshgrid(*axes)
    grid = pd.DataFrame([typical_row(frame, network)] * grid_x.size)
    grid[x_name], grid[y_name] = grid_x.ravel(), grid_y.ravel()
    probabilities = metrics.class_probabilities(network.outputs(grid))
    classes = metrics.predicted_classes(probabilities)
    confidence = probabilities[np.arange(len(classes)), classes]
    shown = frame[[x_name, y_name, network.prep.target]].dropna()
    if len(shown) > BOUNDARY_POINTS:
        shown = shown.sample(BOUNDARY_POINTS, random_state=0)
    return Boundary(
        x_name=x_name,
        y_name=y_name,
        xs=axes[0],
        ys=axes[1],
        classes=classes.reshape(grid_x.shape),
        confidence=confidence.reshape(grid_x.shape),
        points=shown,
        class_names=network.prep.class_names,
    )


def _test_classes(result: dict, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test rows' true and predicted class indices and probabilities, as the report counts them."""
    probabilities = metrics.class_probabilities(np.asarray(result["predictions"]))
    predicted = metrics.predicted_classes(probabilities, threshold)
    return np.asarray(result["y_test"], dtype=int), predicted, probabilities


def confusion_cells(result: dict, threshold: float = 0.5) -> dict[tuple[int, int], int]:
    """The confusion matrix's non-empty cells, mistakes first, the largest first.

    Returns:
        ``{(true class index, predicted class index): test rows}``.
    """
    truth, predicted, _ = _test_classes(result, threshold)
    pairs, counts = np.unique(np.column_stack([truth, predicted]), axis=0, return_counts=True)
    cells = {(int(t), int(p)): int(n) for (t, p), n in zip(pairs, counts, strict=True)}
    return dict(sorted(cells.items(), key=lambda cell: (cell[0][0] == cell[0][1], -cell[1])))


def cell_rows(
    result: dict, frame: pd.DataFrame, cell: tuple[int, int], threshold: float = 0.5
) -> pd.DataFrame:
    """The test rows behind one cell of the confusion matrix, with each class's probability.

    Args:
        result: a classification run's result (its test rows, targets and predictions).
        frame: the table the run was trained on (``result["test_rows"]`` label its rows).
        cell: (true class index, predicted class index).
        threshold: the decision threshold for two classes, as the matrix was counted.

    Returns:
        One row per test row in the cell, indexed as in ``frame``: "test row" (its
        1-based position among the test rows), the features and target, "predicted",
        and a "P(class)" column per class.
    """
    fitted = FittedPrep.from_dict(result["prep"])
    truth, predicted, probabilities = _test_classes(result, threshold)
    chosen = np.flatnonzero((truth == cell[0]) & (predicted == cell[1]))
    table = frame.loc[[result["test_rows"][i] for i in chosen], [*fitted.columns, fitted.target]]
    table.insert(0, "test row", chosen + 1)
    table["predicted"] = fitted.class_names[cell[1]]
    for index, name in enumerate(fitted.class_names):
        table[f"P({name})"] = probabilities[chosen, index]
    return table
