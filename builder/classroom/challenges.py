"""Challenges a teacher sets a class, and the automatic mark of each run against one.

A challenge is a goal on the test split (a metric and the threshold to reach, optionally
within a budget of parameters and epochs), or, for the lesson on learning rates, a run
that diverges. Marking is a pure function of the run as the store keeps it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from builder.errors import SpecError
from builder.experiment.spec import Experiment
from builder.experiment.summary import model_summary
from builder.training.runs import Run

# The metrics a goal may name, as the Evaluate page names them, and which way is better.
METRICS = {"accuracy": "accuracy", "r2": "R²", "mae": "MAE"}
LOWER_IS_BETTER = ("mae",)
REACH, DIVERGE = "reach", "diverge"


@dataclass(frozen=True)
class Challenge:
    """A goal for the class's runs.

    ``kind`` REACH: ``metric`` on the test split at ``threshold`` or better, with at most
    ``max_params`` parameters and ``max_epochs`` epochs when given. ``kind`` DIVERGE: the
    run's loss blows up (see :func:`diverged`). ``sample`` restricts runs to one dataset.
    """

    title: str
    kind: str = REACH
    metric: str = "accuracy"
    threshold: float = 0.0
    max_params: int | None = None
    max_epochs: int | None = None
    sample: str | None = None

    def __post_init__(self):
        if self.kind not in (REACH, DIVERGE):
            raise SpecError(
                f"A challenge is to reach a score or to diverge. Received: {self.kind!r}"
            )
        if self.metric not in METRICS:
            raise SpecError(
                f"A challenge's metric is one of {', '.join(METRICS)}. Received: {self.metric!r}"
            )
        for name in ("max_params", "max_epochs"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise SpecError(
                    f"A challenge's {name} is a positive whole number. Received: {value!r}"
                )
        if not isinstance(self.threshold, int | float) or not math.isfinite(self.threshold):
            raise SpecError(f"A challenge's threshold is a number. Received: {self.threshold!r}")

    @property
    def goal(self) -> str:
        """The goal in a sentence a student reads."""
        if self.kind == DIVERGE:
            return "Find a learning rate at which the network diverges (its loss blows up)."
        way = "at most" if self.metric in LOWER_IS_BETTER else "at least"
        parts = [f"Reach a test {METRICS[self.metric]} of {way} {self.threshold:g}"]
        if self.max_params:
            parts.append(f"with at most {self.max_params} parameters")
        if self.max_epochs:
            parts.append(f"in at most {self.max_epochs} epochs")
        return " ".join(parts) + "."

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> Challenge:
        """Raises SpecError when ``raw`` does not describe a challenge."""
        try:
            return cls(**raw)
        except TypeError as error:
            raise SpecError(f"This is not a challenge: {error}") from None


@dataclass(frozen=True)
class Mark:
    """A run's mark against a challenge: passed or not, and why in a sentence."""

    passed: bool
    reason: str

    @property
    def label(self) -> str:
        return "passed" if self.passed else "not yet"


READY = {
    "titanic-80": Challenge(
        "Titanic: 0.80 or better", metric="accuracy", threshold=0.80, sample="titanic"
    ),
    "iris-30": Challenge(
        "Iris with at most 30 parameters",
        metric="accuracy",
        threshold=0.9,
        max_params=30,
        sample="iris",
    ),
    "wine-diverge": Challenge("Make the wine network diverge", kind=DIVERGE, sample="wine"),
}


def parameter_count(run: Run) -> int | None:
    """The run's trainable parameters, counted from its network and the inputs and classes its
    preprocessing produced (no TensorFlow); None for a run that kept no result."""
    if not run.result:
        return None
    result = run.result
    classes = result.get("classes") or []
    summary = model_summary(
        len(result["feature_names"]), run.experiment.network, result["task"], len(classes)
    )
    return summary.total


def diverged(run: Run) -> bool:
    """True when the run's loss blew up: it became NaN or infinite (the worker's NaN guard
    then fails the run, see ``builder.worker.training.NanGuard``), or it ended above where
    it started."""
    losses = [row.get("loss", math.nan) for row in run.history]
    if any(not math.isfinite(loss) for loss in losses):
        return True
    if run.state == "failed" and "loss became" in (run.error or ""):
        return True
    return len(losses) >= 2 and losses[-1] > losses[0]


def test_score(run: Run, metric: str) -> float | None:
    """The run's ``metric`` on the test split, or None when it has none."""
    value = run.test_metrics.get(metric)
    return float(value) if value is not None and math.isfinite(value) else None


def mark(challenge: Challenge, run: Run, params: int | None = None) -> Mark:
    """Mark an ended run against a challenge.

    Args:
        challenge: the goal.
        run: the run, as the store keeps it.
        params: its parameter count, when already known (see :func:`parameter_count`).

    Returns:
        Whether it passed, and the reason in a sentence.
    """
    source = run.experiment.data.source
    if challenge.sample and source != challenge.sample:
        return Mark(False, f"It trained on {source}; this challenge is on {challenge.sample}.")
    if challenge.kind == DIVERGE:
        if diverged(run):
            rate = run.experiment.train.learning_rate
            return Mark(True, f"Its loss blew up at learning rate {rate:g}.")
        return Mark(False, "Its loss stayed under control: try a higher learning rate.")
    score = test_score(run, challenge.metric)
    name = METRICS[challenge.metric]
    if score is None:
        return Mark(False, f"It has no test {name}: it ended without a model.")
    params = parameter_count(run) if params is None else params
    if challenge.max_params and (params is None or params > challenge.max_params):
        return Mark(False, f"It has {params} parameters; the budget is {challenge.max_params}.")
    epochs = len(run.history)
    if challenge.max_epochs and epochs > challenge.max_epochs:
        return Mark(False, f"It trained {epochs} epochs; the budget is {challenge.max_epochs}.")
    lower = challenge.metric in LOWER_IS_BETTER
    if (score <= challenge.threshold) if lower else (score >= challenge.threshold):
        return Mark(True, f"Test {name} {score:.3f} reaches the goal of {challenge.threshold:g}.")
    return Mark(
        False, f"Test {name} {score:.3f} falls short of the goal of {challenge.threshold:g}."
    )


def lesson_challenge(experiment: Experiment, metric: str, threshold: float, **budget) -> Challenge:
    """A teacher's own goal on the lesson's dataset."""
    title = f"{experiment.data.title}: test {METRICS.get(metric, metric)} {threshold:g}"
    return Challenge(
        title, metric=metric, threshold=threshold, sample=experiment.data.source, **budget
    )
