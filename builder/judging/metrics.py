"""Judging a model from the predictions a worker returns: scikit-learn metrics and baselines.

Every function takes plain arrays, so the server never needs TensorFlow to
score a model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm


@dataclass(frozen=True)
class RocCurve:
    """One ROC curve: false and true positive rates at each threshold, and its area."""

    label: str
    fpr: list[float]
    tpr: list[float]
    auc: float


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Turn network outputs into an (n, classes) probability matrix.

    A single sigmoid column becomes two columns (P(0), P(1)).
    """
    outputs = np.asarray(outputs, dtype=float)
    if outputs.ndim == 1 or outputs.shape[1] == 1:
        positive = outputs.reshape(-1)
        return np.column_stack([1.0 - positive, positive])
    return outputs


def predicted_classes(probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Class indices: for two classes, class 1 when P(1) reaches the threshold; else the argmax."""
    if probabilities.shape[1] == 2:
        return (probabilities[:, 1] >= threshold).astype(int)
    return probabilities.argmax(axis=1)


def classification_report(
    y_true: np.ndarray,
    probabilities: np.ndarray,
    class_names: list[str],
    threshold: float = 0.5,
) -> dict:
    """Accuracy, per-class and macro precision/recall/F1, Cohen's kappa, confusion matrices, ROC.

    Args:
        y_true: class indices, shape (n,).
        probabilities: (n, classes) probabilities, see ``class_probabilities``.
        class_names: a name per class index.
        threshold: the decision threshold for two classes.

    Returns:
        A dict of plain numbers and lists, ready for tables and charts.
    """
    y_true = np.asarray(y_true, dtype=int)
    labels = list(range(len(class_names)))
    y_pred = predicted_classes(probabilities, threshold)
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    counts = skm.confusion_matrix(y_true, y_pred, labels=labels)
    row_totals = counts.sum(axis=1, keepdims=True)
    normalised = np.divide(counts, row_totals, out=np.zeros(counts.shape), where=row_totals > 0)
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
        "kappa": float(skm.cohen_kappa_score(y_true, y_pred, labels=labels)),
        "per_class": [
            {
                "class": name,
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for name, p, r, f, s in zip(class_names, precision, recall, f1, support, strict=True)
        ],
        "confusion": counts.tolist(),
        "confusion_normalised": normalised.tolist(),
        "roc": roc_curves(y_true, probabilities, class_names),
    }


def roc_curves(
    y_true: np.ndarray, probabilities: np.ndarray, class_names: list[str]
) -> list[RocCurve]:
    """ROC curves: one for the positive class of a binary task, one-vs-rest for more classes.

    A class absent from ``y_true`` has no curve (its rate of true positives is undefined).
    """
    targets = [1] if probabilities.shape[1] == 2 else range(probabilities.shape[1])
    curves = []
    for index in targets:
        positives = (np.asarray(y_true) == index).astype(int)
        if positives.min() == positives.max():
            continue
        fpr, tpr, _ = skm.roc_curve(positives, probabilities[:, index])
        curves.append(
            RocCurve(
                label=str(class_names[index]),
                fpr=fpr.tolist(),
                tpr=tpr.tolist(),
                auc=float(skm.auc(fpr, tpr)),
            )
        )
    return curves


def threshold_table(
    y_true: np.ndarray, probabilities: np.ndarray, thresholds: np.ndarray | None = None
) -> list[dict]:
    """Accuracy, precision and recall of the positive class at each decision threshold (binary)."""
    thresholds = np.linspace(0.05, 0.95, 19) if thresholds is None else thresholds
    rows = []
    for threshold in thresholds:
        y_pred = predicted_classes(probabilities, float(threshold))
        rows.append(
            {
                "threshold": round(float(threshold), 3),
                "accuracy": float(skm.accuracy_score(y_true, y_pred)),
                "precision": float(skm.precision_score(y_true, y_pred, zero_division=0)),
                "recall": float(skm.recall_score(y_true, y_pred, zero_division=0)),
            }
        )
    return rows


def majority_baseline(y_train: np.ndarray, y_test: np.ndarray, class_names: list[str]) -> dict:
    """What always predicting the training split's most frequent class scores on the test split."""
    values, counts = np.unique(np.asarray(y_train, dtype=int), return_counts=True)
    majority = int(values[counts.argmax()])
    y_pred = np.full(len(y_test), majority)
    return {
        "class": str(class_names[majority]),
        "accuracy": float(skm.accuracy_score(y_test, y_pred)),
        "f1_macro": float(
            skm.f1_score(
                y_test, y_pred, average="macro", labels=range(len(class_names)), zero_division=0
            )
        ),
    }


def regression_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """MSE, RMSE, MAE and R² of numeric predictions."""
    y_true = np.asarray(y_true, dtype=float).reshape(-1)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    mse = float(skm.mean_squared_error(y_true, y_pred))
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "r2": float(skm.r2_score(y_true, y_pred)),
    }


def mean_baseline(y_train: np.ndarray, y_test: np.ndarray) -> dict:
    """The regression report of always predicting the training split's mean."""
    guess = float(np.mean(y_train))
    report = regression_report(y_test, np.full(len(y_test), guess))
    return {"prediction": guess, **report}
