"""Reference models beside the network: what they scored, and when a difference is noise.

A worker fits two scikit-learn models on the network's own prepared training rows
(``builder.worker.references``) and scores them on its test rows: a linear model
(logistic or ridge regression, its L2 strength chosen by cross-validation) and
histogram gradient-boosted trees with default settings. The run's result keeps them
as plain data under ``"references"``; this module reads them back (a run saved before
they existed has none) and decides how far apart two scores on the same test rows
must be before the difference is more than chance.

The noise margin is two standard errors of one model's score on ``n`` test rows:
for accuracy the binomial ``sqrt(p (1 - p) / n)`` (``p`` the two models' mean
accuracy), never under one row's worth (``1 / n``); for R² ``(1 - R²) sqrt(2 / n)``,
the standard error of a mean squared error of roughly normal errors
(``MSE sqrt(2 / n)``) divided by the test rows' variance, which both models share.
Two models scored on the same rows disagree less than two independent samples would,
so two single-model standard errors is on the cautious side of a paired test.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

LINEAR, TREES = "linear", "boosted_trees"
MAX_ROWS = 100_000  # training rows beyond this: the references fit a random sample
CLASS_COLUMNS = {"accuracy": "Accuracy", "f1_macro": "Macro F1", "kappa": "Cohen's kappa"}
REGRESSION_COLUMNS = {"mse": "MSE", "rmse": "RMSE", "mae": "MAE", "r2": "R²"}
NOT_COMPUTED = (
    "Reference models: not computed for this run (it was trained before the app fitted "
    "them). Train it again to see a linear model and boosted trees beside it."
)


@dataclass(frozen=True)
class Reference:
    """One reference model's result on the run's test rows.

    Attributes:
        name: ``linear`` or ``boosted_trees``.
        label: how pages name it, e.g. "Linear model (logistic regression)".
        scores: the same test metrics as the network's (accuracy, f1_macro, kappa; or
            mse, rmse, mae, r2); empty when it could not be fitted.
        fit_seconds: seconds its fit took (cross-validation included).
        rows: training rows it was fitted on.
        sampled: True when ``rows`` is a random sample of the training rows.
        settings: what was chosen, e.g. "C = 0.1, by 5-fold cross-validation".
        error: why it could not be fitted, or None.
    """

    name: str
    label: str
    scores: dict[str, float]
    fit_seconds: float
    rows: int
    sampled: bool = False
    settings: str = ""
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Reference:
        """Rebuild from ``to_dict()`` output."""
        return cls(**raw)


def from_result(result: dict) -> list[Reference] | None:
    """The run's reference models; None for a run saved before they were computed."""
    raw = result.get("references")
    if raw is None:
        return None
    return [Reference.from_dict(item) for item in raw]


def main_score(task: str) -> tuple[str, str]:
    """(metric key, how it is named) that references and the network are compared on."""
    return ("r2", "R²") if task == "regression" else ("accuracy", "accuracy")


def noise_margin(task: str, a: float, b: float, rows: int | None) -> float:
    """How far apart two models' main scores on the same ``rows`` test rows may be by chance.

    Args:
        task: binary, multiclass or regression.
        a, b: the two models' accuracy (or R²).
        rows: test rows; None or 0 gives an infinite margin (nothing can be told apart).

    Returns:
        Two standard errors, as the module docstring explains.
    """
    if not rows or not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    if task == "regression":
        unexplained = max(0.0, 1.0 - (a + b) / 2)
        return 2.0 * unexplained * math.sqrt(2.0 / rows)
    p = min(1.0, max(0.0, (a + b) / 2))
    return max(2.0 * math.sqrt(p * (1.0 - p) / rows), 1.0 / rows)


def margin_words(task: str, margin: float, rows: int) -> str:
    """The margin as a reason states it."""
    if task == "regression":
        return (
            f"differences in R² under {margin:.2g} are within noise (about two standard "
            f"errors of R² on {rows} test rows, for roughly normal errors)"
        )
    return (
        f"differences under {margin * 100:.1f} points are within noise (two standard errors "
        f"of an accuracy on {rows} test rows)"
    )


def score_words(task: str, scores: dict[str, float]) -> str:
    """A model's main score in words: "71.2% right" or "R² 0.512"."""
    key, _ = main_score(task)
    value = scores.get(key)
    if value is None:
        return "no score"
    return f"R² {value:.3f}" if task == "regression" else f"{value:.1%} right"


def comparison_rows(
    task: str, report: dict, baseline: dict, references: list[Reference] | None
) -> list[dict[str, Any]]:
    """One row per model on the test rows, the network first, the naive guess last.

    Args:
        task: binary, multiclass or regression.
        report: the network's test report (``builder.judging.metrics``).
        baseline: the majority-class or mean guess's test scores.
        references: the run's reference models, or None when not computed.

    Returns:
        Rows with "model", the task's metrics as pages name them, "training rows" and
        "fit seconds" (the references'; the network's are on the Train page).
    """
    names = REGRESSION_COLUMNS if task == "regression" else CLASS_COLUMNS
    guess = "Mean guess" if task == "regression" else "Most frequent class"

    def row(model: str, scores: dict, rows=None, seconds=None) -> dict[str, Any]:
        out: dict[str, Any] = {"model": model}
        out.update({name: scores.get(key) for key, name in names.items()})
        out["training rows"], out["fit seconds"] = rows, seconds
        return out

    rows = [row("Network", report)]
    for ref in references or []:
        label = ref.label if not ref.error else f"{ref.label}: not fitted ({ref.error})"
        rows.append(row(label, ref.scores, ref.rows, round(ref.fit_seconds, 2)))
    rows.append(row(guess, baseline))
    return rows


def sample_note(references: list[Reference], train_rows: int | None = None) -> str:
    """A sentence when the references were fitted on a sample of the training rows, else ""."""
    sampled = [ref for ref in references if ref.sampled]
    if not sampled:
        return ""
    of = f" of the {train_rows:,} training rows" if train_rows else " of the training rows"
    return (
        f"The reference models were fitted on a random {sampled[0].rows:,}{of} "
        f"(more than {MAX_ROWS:,} would make them slow); the network used them all."
    )
