"""builder/judging/metrics.py checked against scikit-learn called directly, on real Pima labels."""

import numpy as np
import pytest
from sklearn import metrics as skm

from builder.judging.metrics import (
    class_probabilities,
    classification_report,
    majority_baseline,
    mean_baseline,
    regression_report,
    threshold_table,
)
from builder.tables.samples import load_sample


@pytest.fixture(scope="module")
def pima_scores():
    """Real labels with imperfect scores: a glucose-based probability."""
    frame, _ = load_sample("pima")
    y = frame["Outcome"].to_numpy()
    score = 1 / (1 + np.exp(-(frame["Glucose"].to_numpy() - 125) / 15))
    return y, score


def test_binary_report_matches_scikit_learn(pima_scores):
    y, score = pima_scores
    probabilities = class_probabilities(score.reshape(-1, 1))
    report = classification_report(y, probabilities, ["healthy", "diabetic"], threshold=0.5)
    y_pred = (score >= 0.5).astype(int)
    assert report["accuracy"] == pytest.approx(skm.accuracy_score(y, y_pred))
    assert report["kappa"] == pytest.approx(skm.cohen_kappa_score(y, y_pred))
    assert report["f1_macro"] == pytest.approx(skm.f1_score(y, y_pred, average="macro"))
    assert report["per_class"][1]["recall"] == pytest.approx(skm.recall_score(y, y_pred))
    assert report["confusion"] == skm.confusion_matrix(y, y_pred).tolist()
    assert [sum(row) for row in report["confusion"]] == [500, 268]
    (roc,) = report["roc"]
    assert roc.label == "diabetic"
    assert roc.auc == pytest.approx(skm.roc_auc_score(y, score))
    assert 0.5 < roc.auc < 1.0


def test_threshold_changes_precision_and_recall(pima_scores):
    y, score = pima_scores
    table = threshold_table(y, class_probabilities(score))
    recalls = [row["recall"] for row in table]
    assert recalls == sorted(recalls, reverse=True)
    assert recalls[0] > recalls[-1]


def test_multiclass_report_has_one_roc_curve_per_class():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 20)
    logits = rng.normal(size=(60, 3)) + np.eye(3)[y] * 2
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    report = classification_report(y, probabilities, ["a", "b", "c"])
    assert report["accuracy"] == pytest.approx(skm.accuracy_score(y, probabilities.argmax(1)))
    assert [curve.label for curve in report["roc"]] == ["a", "b", "c"]
    for index, curve in enumerate(report["roc"]):
        assert curve.auc == pytest.approx(skm.roc_auc_score(y == index, probabilities[:, index]))
    assert np.allclose(np.sum(report["confusion_normalised"], axis=1), 1.0)


def test_majority_baseline_shows_what_accuracy_means(pima_scores):
    y, _ = pima_scores
    baseline = majority_baseline(y[:500], y[500:], ["healthy", "diabetic"])
    assert baseline["class"] == "healthy"
    assert baseline["accuracy"] == pytest.approx(np.mean(y[500:] == 0))


def test_regression_report_and_mean_baseline_match_scikit_learn():
    frame, _ = load_sample("wages")
    y = frame["wage_per_hour"].to_numpy()
    guess = 0.5 * frame["education_yrs"].to_numpy()
    report = regression_report(y, guess)
    assert report["mse"] == pytest.approx(skm.mean_squared_error(y, guess))
    assert report["rmse"] == pytest.approx(np.sqrt(report["mse"]))
    assert report["mae"] == pytest.approx(skm.mean_absolute_error(y, guess))
    assert report["r2"] == pytest.approx(skm.r2_score(y, guess))
    baseline = mean_baseline(y[:400], y[400:])
    assert baseline["prediction"] == pytest.approx(y[:400].mean())
    assert baseline["r2"] <= 0.01
