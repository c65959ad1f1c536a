"""The verdict on a trained run: worse than the baseline, no better, overfitting, underfitting, fine.

``verdict`` is a pure function of the run's history, its scores and the naive
baseline's (always the training mean, or always the most frequent class), so the
Evaluate page and ``python -m builder train`` say the same thing. Every verdict
carries its reasons, with the numbers behind them, and next steps named as the
app names its controls.

Scores are compared as *skill*: the share of the baseline's error the model
removes (1 - error / baseline error, with the MSE for a regression and the error
rate for classes). 0 is no better than the baseline, 1 is perfect, below 0 worse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from builder.experiment.spec import Experiment, scales_target
from builder.judging import findings
from builder.judging.references import Reference
from builder.numbers import shown

MIN_SKILL = 0.05  # a model that removes less of the baseline's error is no better than it
OVERFIT_GAP = 0.15  # skill on the training rows this far above the test rows' is overfitting
VAL_RISE = 1.2  # a final validation loss this far above its minimum, weights not restored
STILL_FALLING = 0.01  # the loss improved by more than this share in the run's last tenth
LEARNED = 0.98  # skill on the training rows at which a still-falling loss is only polishing
MIN_EPOCHS = 5
LOW_RATE = 0.01
HIGH_RATE = 0.1
FEW_UNITS = 16
# Below this many test rows one row more or less right moves accuracy by over 2 points,
# and R² on a handful of rows says little: the verdict says how thin its evidence is.
FEW_TEST_ROWS = 50
LEVELS = {
    "worse": "error",
    "no_better": "error",
    "overfitting": "warning",
    "underfitting": "warning",
    "linear_better": "warning",
    "trees_better": "warning",
    "unpredicted": "warning",
    "fine": "success",
}
HEADLINES = {
    "linear_better": "A linear model does better: on this table the network's hidden layers "
    "do not pay.",
    "trees_better": "Boosted trees do much better: they see something in the inputs that this "
    "network misses.",
    "overfitting": "Overfitting: much better on the training rows than on rows it never saw.",
    "underfitting": "Underfitting: it beats the baseline, but it had not finished learning.",
    "unpredicted": "It beats the baseline, but (almost) never predicts some classes.",
    "fine": "Beats the baseline, with no sign of overfitting or underfitting.",
}


@dataclass(frozen=True)
class Verdict:
    """What to think of a run, why, and what to try next.

    Attributes:
        kind: worse, no_better, linear_better, trees_better, overfitting, underfitting,
            unpredicted or fine (the first that holds, in that order).
        headline: one sentence.
        reasons: the observations behind it, with their numbers.
        next_steps: what to change, named as the app names its controls.
        also: the other kinds that hold too (their reasons and steps are included).
    """

    kind: str
    headline: str
    reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        """How to show it: error, warning or success (green only when fine)."""
        return LEVELS[self.kind]

    def to_dict(self) -> dict:
        """Plain JSON-ready data."""
        return {**asdict(self), "level": self.level}


@dataclass(frozen=True)
class Scores:
    """A model's and the baseline's result on one split: accuracy, or MSE (and R²), and
    the split's number of rows (None when unknown)."""

    model: dict
    baseline: dict
    rows: int | None = None


def skill(task: str, model: dict, baseline: dict) -> float:
    """The share of the baseline's error the model removes (see the module docstring)."""
    if task == "regression":
        error, base = model["mse"], baseline["mse"]
    else:
        error, base = 1.0 - model["accuracy"], 1.0 - baseline["accuracy"]
    if base <= 0:
        return 1.0 if error <= 0 else -error
    return 1.0 - error / base


def _describe(task: str, scores: Scores, where: str) -> str:
    model, base = scores.model, scores.baseline
    if task == "regression":
        r2 = f" (R² {model['r2']:.3f})" if "r2" in model else ""
        return (
            f"On the {where} rows the MSE is {shown(model['mse'])}{r2}; always guessing the "
            f"training mean gives {shown(base['mse'])}."
        )
    return (
        f"On the {where} rows {model['accuracy']:.1%} are right; always guessing the most "
        f"frequent class is right {base['accuracy']:.1%} of the time."
    )


def _few_rows(task: str, test: Scores) -> list[str]:
    """A caveat when the test split is too small for its scores to mean much."""
    if test.rows is None or test.rows >= FEW_TEST_ROWS:
        return []
    if task == "regression":
        effect = "its MSE and R² could be quite different on other rows"
    else:
        effect = f"one row more or less right moves the accuracy by {1 / test.rows:.0%}"
    return [
        f"The test split holds only {test.rows} row(s), so {effect}: this verdict rests on "
        "little evidence. More rows, or a larger Test share on the Build page, make it firmer."
    ]


def _falling(history: dict[str, list[float]]) -> tuple[str, list[float]]:
    """The curve early stopping watches: validation loss when logged, else training loss."""
    name = "val_loss" if history.get("val_loss") else "loss"
    return name, list(history.get(name, []))


def still_falling(history: dict[str, list[float]]) -> bool:
    """True when the watched loss was still improving in the last tenth of the epochs."""
    _, curve = _falling(history)
    window = max(2, len(curve) // 10)
    if len(curve) <= window:
        return len(curve) > 1 and curve[-1] < curve[0]
    before, last = min(curve[:-window]), min(curve[-window:])
    return last < before - STILL_FALLING * abs(before)


def _val_rise(history: dict[str, list[float]]) -> tuple[int, float, float] | None:
    """(best epoch, best, last) validation loss when the last is well above the best."""
    curve = history.get("val_loss") or []
    if len(curve) < MIN_EPOCHS:
        return None
    best = min(range(len(curve)), key=curve.__getitem__)
    if curve[-1] > VAL_RISE * curve[best] and best < len(curve) - 1:
        return best + 1, curve[best], curve[-1]
    return None


def _underfit_steps(experiment: Experiment, task: str, ended: str) -> list[str]:
    train, prep = experiment.train, experiment.prep
    steps = []
    if ended != "early_stopped":
        more = (
            "; with Early stopping on, a generous budget costs nothing"
            if train.early_stopping
            else ", or turn on Early stopping and give it a generous budget"
        )
        steps.append(
            f"Train for more epochs: raise Epochs on the Train page (now {train.epochs}){more}."
        )
    if train.learning_rate < LOW_RATE:
        steps.append(
            f"Try a higher learning rate on the Train page (now {train.learning_rate:g}, "
            f"try {train.learning_rate * 3:g})."
        )
    if task == "regression" and not scales_target(experiment, task):
        steps.append(
            "Scale the target: turn on 'Standardise the target' on the Build page (with a "
            "linear output and mse or mae), so the network does not have to learn its size."
        )
    if prep.scaling == "none":
        steps.append("Standardise the inputs: choose Scaling 'standardise' on the Build page.")
    if sum(layer.units for layer in experiment.network.hidden) < FEW_UNITS:
        steps.append("Give the network more room: more units, or another layer, on the Build page.")
    return steps


def _overfit_steps(experiment: Experiment) -> list[str]:
    train, hidden = experiment.train, experiment.network.hidden
    steps = []
    if not (train.early_stopping and train.restore_best_weights):
        steps.append(
            "Turn on Early stopping and 'Keep the best epoch's weights' on the Train page."
        )
    if sum(layer.units for layer in hidden) > FEW_UNITS:
        steps.append("Use fewer units or layers on the Build page.")
    if not any(layer.dropout or layer.l2 for layer in hidden):
        steps.append("Add dropout or L2 to the hidden layers on the Build page.")
    steps.append(
        "Drop a column the network can memorise, such as an identifier or a text column with "
        "many values: 'Columns left out of the features' on the Data page."
    )
    return steps


def verdict(
    task: str,
    history: dict[str, list[float]],
    ended: str,
    train: Scores,
    test: Scores,
    experiment: Experiment,
    references: list[Reference] | None = None,
) -> Verdict:
    """Judge a run from its history and scores.

    Args:
        task: binary, multiclass or regression.
        history: the epoch logs, ``{"loss": [...], "val_loss": [...], ...}``.
        ended: how training ended: finished, early_stopped or stopped.
        train: the model's and the baseline's scores on the training rows.
        test: the model's and the baseline's scores on the test rows (for classes, the
            full report with ``per_class``, so classes never predicted can be named).
        experiment: the run's settings, which decide the next steps offered.
        references: the reference models scored on the same test rows (None: a run from
            before they were computed, judged against the baseline alone).

    Returns:
        The verdict, green (``fine``) only when the model beats the baseline, no reference
        model beats it beyond noise, every class with a few test rows is predicted, and it
        shows neither overfitting nor underfitting.
    """
    test_skill = skill(task, test.model, test.baseline)
    train_skill = skill(task, train.model, train.baseline)
    epochs = len(history.get("loss", []))
    reasons = [_describe(task, test, "test"), _describe(task, train, "training")]
    reasons += _few_rows(task, test)
    restored = ended == "early_stopped" and experiment.train.restore_best_weights
    rise = None if restored else _val_rise(history)
    falling = (
        ended != "early_stopped"
        and train_skill < LEARNED
        and (epochs < MIN_EPOCHS or still_falling(history))
    )
    curve_name, curve = _falling(history)
    if falling and curve:
        which = "validation" if curve_name == "val_loss" else "training"
        reasons.append(
            f"After {epochs} epoch(s) the {which} loss was still falling "
            f"(from {shown(curve[0])} to {shown(curve[-1])})."
        )
    if rise is not None:
        reasons.append(
            f"The validation loss was lowest at epoch {rise[0]} ({shown(rise[1])}) and rose to "
            f"{shown(rise[2])}: the network learned the training rows by heart."
        )
    compared = findings.compare(task, test.model, test.rows, references)
    reasons += compared.reasons if compared else []
    missed = findings.unpredicted(task, test.model)
    if missed:
        reasons.append(findings.unpredicted_reason(missed, test.model))
    balance = findings.balance_steps(experiment) if missed else []
    if experiment.train.learning_rate >= HIGH_RATE:
        lower = [
            f"Lower the learning rate on the Train page (now {experiment.train.learning_rate:g})."
        ]
    else:
        lower = []
    if test_skill < MIN_SKILL:
        learned = train_skill >= MIN_SKILL + OVERFIT_GAP
        if learned:
            reasons.append(
                "It did learn the training rows, so what it learned does not carry over to new "
                "rows: it is overfitting."
            )
            steps = _overfit_steps(experiment)
        else:
            reasons.append(
                "It did no better on the training rows: it has not learned (underfitting)."
            )
            steps = _underfit_steps(experiment, task, ended)
        kind = "worse" if test_skill < 0 else "no_better"
        headline = (
            "Worse than always guessing the baseline: do not use this model."
            if kind == "worse"
            else "No better than always guessing the baseline."
        )
        return Verdict(kind, headline, reasons, _unique(lower + steps + balance))
    gap = train_skill - test_skill > OVERFIT_GAP
    if gap:
        reasons.append(
            f"It removes {train_skill:.0%} of the baseline's error on the training rows but "
            f"only {test_skill:.0%} on the test rows: it is overfitting."
        )
    overfit = gap or rise is not None
    held = [
        kind
        for kind, holds in (
            ("trees_better", compared is not None and compared.trees_win),
            ("linear_better", compared is not None and compared.linear_wins),
            ("overfitting", overfit),
            ("underfitting", falling),
            ("unpredicted", bool(missed)),
        )
        if holds
    ]
    if "trees_better" in held and "linear_better" in held:
        held.remove("linear_better")  # the trees' lead over the linear model is the lesson
    kind = held[0] if held else "fine"
    steps = _steps(kind, held, experiment, task, ended, lower)
    return Verdict(kind, HEADLINES[kind], reasons, _unique(steps + balance), held[1:])


def _steps(
    kind: str, held: list[str], experiment: Experiment, task: str, ended: str, lower: list[str]
) -> list[str]:
    """The next steps of the leading kind, then of the others that hold (balance apart)."""
    # A run cut short first needs to finish learning: only then do the other steps tell.
    steps = lower + _underfit_steps(experiment, task, ended) if "underfitting" in held else []
    if kind == "linear_better":
        steps += findings.linear_steps(experiment, task)
    elif kind == "trees_better":
        steps += findings.trees_steps()
    # Fewer layers and L2 already answer overfitting when the linear model leads.
    if "overfitting" in held and kind != "linear_better":
        steps += _overfit_steps(experiment)
    return steps


def _unique(steps: list[str]) -> list[str]:
    return list(dict.fromkeys(steps))
