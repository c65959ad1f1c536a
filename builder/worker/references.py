"""Fit the reference models on the network's prepared rows, in the worker (see
``builder.judging.references`` for what they are and how they are compared).

Both fit on exactly the matrices the network trained on — the same training rows,
inputs and preprocessing — and predict the same test rows. scikit-learn's OpenMP
threads are limited to one: on a 2-core machine shared with TensorFlow and other
workers, histogram gradient boosting with every core spin-waiting took 80 s on 800
rows where one thread takes 0.4 s.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn import metrics as skm
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV, RidgeCV
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from builder.judging import metrics
from builder.judging.references import LINEAR, MAX_ROWS, TREES, Reference

SEED = 0  # fixed: runs that differ only in the network's seed face the same references
FOLDS = 5
C_GRID = np.logspace(-3, 3, 7)
NEWTON_MAX_WEIGHTS = 200
CV_ROWS = 20_000
ALPHA_GRID = np.logspace(-3, 5, 17)


def fit_references(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    task: str,
    class_names: list[str],
    balanced: bool = False,
    max_rows: int = MAX_ROWS,
) -> list[dict]:
    """Fit and score the linear model and the boosted trees.

    Args:
        x_train, y_train: the network's prepared training rows and encoded targets
            (class indices, or values in the target's own units).
        x_test, y_test: its prepared test rows and targets.
        task: binary, multiclass or regression.
        class_names: a name per class index (classification).
        balanced: weigh classes as 'Balance the classes' weighs them for the network.
        max_rows: fit on a random sample of this many training rows when there are more.

    Returns:
        ``Reference.to_dict()`` per model: linear first, then boosted trees. A model that
        cannot be fitted (one class only, say) carries its reason instead of scores.
    """
    rows = len(x_train)
    sampled = rows > max_rows
    if sampled:
        keep = np.sort(np.random.default_rng(SEED).choice(rows, max_rows, replace=False))
        x_train, y_train = x_train[keep], y_train[keep]
    found = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # Convergence and deprecation notes would only reach the worker's log.
        warnings.simplefilter("ignore")
        for make in (_linear, _trees):
            name, label, model, describe = make(task, y_train, balanced, x_train.shape[1])
            started = time.perf_counter()
            try:
                model.fit(x_train, y_train)
                scores = _scores(task, y_test, model.predict(x_test), class_names)
                error = None
            # A reference is extra information: whatever fails in it must not cost the
            # student the network they trained.
            except Exception as failure:
                scores, error = {}, _plain_error(failure, y_train, task)
            seconds = time.perf_counter() - started
            found.append(
                Reference(
                    name=name,
                    label=label,
                    scores=scores,
                    fit_seconds=seconds,
                    rows=len(x_train),
                    sampled=sampled,
                    settings="" if error else describe(model),
                    error=error,
                ).to_dict()
            )
    return found


def _linear(task: str, y: np.ndarray, balanced: bool, x_width: int):
    """(name, label, unfitted model, model -> what cross-validation chose)."""
    if task == "regression":

        def alpha(model):
            return f"alpha = {model.alpha_:.3g}, by leave-one-out cross-validation"

        return LINEAR, "Linear model (ridge regression)", RidgeCV(alphas=ALPHA_GRID), alpha
    label = "Linear model (logistic regression)"
    model = CrossValidatedLogistic("balanced" if balanced else None, x_width)
    return LINEAR, label, model, lambda fitted: fitted.chosen


class CrossValidatedLogistic:
    """Logistic regression whose C is chosen by stratified k-fold cross-validation (log loss)
    on the training rows, or on a random ``CV_ROWS`` of them when there are more, then
    refitted on every training row with that C.

    Cross-validating every fold of 100,000 rows took tens of seconds; on that many rows
    the choice of C barely moves, so a sample decides it.
    """

    def __init__(self, class_weight: str | None, x_width: int):
        self.class_weight, self.x_width = class_weight, x_width
        self.chosen = ""

    def _model(self, C: float, classes: int) -> LogisticRegression:
        # Newton-Cholesky converges in a few steps but solves a (weights x weights)
        # system each: measured 4x faster than lbfgs on iris and titanic, 2x slower
        # on digits (64 inputs, 10 classes).
        weights = self.x_width * max(1, classes - 1)
        solver = "newton-cholesky" if weights <= NEWTON_MAX_WEIGHTS else "lbfgs"
        return LogisticRegression(C=C, solver=solver, max_iter=1000, class_weight=self.class_weight)

    def fit(self, x: np.ndarray, y: np.ndarray) -> CrossValidatedLogistic:
        classes = len(np.unique(y))
        part = np.arange(len(x))
        if len(x) > CV_ROWS:
            part = np.random.default_rng(SEED).choice(len(x), CV_ROWS, replace=False)
        _, counts = np.unique(y[part], return_counts=True)
        folds = min(FOLDS, int(counts.min()))
        self.chosen = "C = 1 (too few rows per class to cross-validate)"
        if folds < 2 or len(counts) < 2:
            self.model = self._model(1.0, classes).fit(x, y)
            return self
        # LogisticRegressionCV warm-starts each C from the last: several times faster
        # than fitting every C afresh.
        search = LogisticRegressionCV(
            Cs=C_GRID,
            cv=StratifiedKFold(folds, shuffle=True, random_state=SEED),
            scoring="neg_log_loss",
            solver=self._model(1.0, classes).solver,
            max_iter=1000,
            class_weight=self.class_weight,
        ).fit(x[part], y[part])
        C = float(np.ravel(search.C_)[0])
        where = f" on {len(part):,} of the training rows" if len(part) < len(x) else ""
        self.chosen = f"C = {C:.3g}, by {folds}-fold cross-validation{where}"
        # The search refits on its rows; a sample's choice is refitted on every row.
        self.model = self._model(C, classes).fit(x, y) if where else search
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model.predict(x)


def _trees(task: str, y: np.ndarray, balanced: bool, x_width: int):
    """(name, label, unfitted model, model -> its settings): scikit-learn's defaults."""
    label = "Boosted trees (histogram gradient boosting)"
    if task == "regression":
        return TREES, label, HistGradientBoostingRegressor(random_state=SEED), _defaults
    weight = "balanced" if balanced else None
    model = HistGradientBoostingClassifier(random_state=SEED, class_weight=weight)
    return TREES, label, model, _defaults


def _defaults(model) -> str:
    return f"default settings, {model.n_iter_} boosting rounds"


def _scores(task: str, y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str]) -> dict:
    """The network's test metrics for these predictions (``builder.judging.metrics``)."""
    if task == "regression":
        if len(y_true) < 2:  # R² needs two rows, as the network's scores do
            error = np.asarray(y_pred, float) - np.asarray(y_true, float)
            return {"mse": float(np.mean(error**2)), "mae": float(np.mean(np.abs(error)))}
        return metrics.regression_report(y_true, y_pred)
    y_true, y_pred = np.asarray(y_true, int), np.asarray(y_pred, int)
    labels = list(range(len(class_names)))
    return {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "f1_macro": float(
            skm.f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "kappa": float(skm.cohen_kappa_score(y_true, y_pred, labels=labels)),
    }


def _plain_error(failure: Exception, y: np.ndarray, task: str) -> str:
    if task != "regression" and len(np.unique(y)) < 2:
        return "the training rows hold one class only"
    return f"{type(failure).__name__}: {str(failure)[:200]}"
