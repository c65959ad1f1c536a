"""A new run started from an ended one: continued from its weights, or restarted from its start.

As in TensorFlow Playground, a student can train a run on for more epochs from where it
got to, perhaps with another learning rate or batch size, or start again from the very
weights it started from, so that two settings are compared from one starting point. Each
is a new run that records its parent (``Run.parent``, ``Run.origin``). ``plan`` checks that
the experiment fits the parent and says what the worker starts from (the ``resume`` of
``builder.worker.tasks.train``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from builder.errors import SpecError, TrainingError
from builder.experiment.spec import Experiment
from builder.training.jobs import INTERRUPTED
from builder.training.runs import CONTINUED, RESTARTED, Run

# The parts of an experiment that must be the parent's, what a parent with another one
# "did", and what the new run needs the same of.
SAME_PARTS = {
    "data": ("used other data", "data"),
    "prep": ("prepared its data another way", "preprocessing"),
    "network": ("had another network", "layers"),
}
DOING = {CONTINUED: "continuing from its weights", RESTARTED: "restarting from its initial weights"}


@dataclass(frozen=True)
class StartFrom:
    """Where a new run starts.

    Attributes:
        parent: the ended run it starts from.
        how: ``CONTINUED`` (from the weights ``parent`` kept, for ``extra_epochs`` more
            epochs) or ``RESTARTED`` (from the weights ``parent`` started from).
        extra_epochs: for ``CONTINUED``, how many epochs to train past the kept one.
    """

    parent: Run
    how: str
    extra_epochs: int = 0


def plan(start: StartFrom, experiment: Experiment) -> tuple[Experiment, dict[str, Any]]:
    """The experiment the new run trains and the worker's ``resume`` for it.

    Args:
        start: the parent and how the run starts from it.
        experiment: the settings to train with; its data, preprocessing and network must
            be the parent's (its training settings may differ).

    Returns:
        A copy of ``experiment`` (continuing: with ``train.epochs`` set to the parent's kept
        epoch plus ``extra_epochs``), and ``{"weights", "history", "seconds",
        "initial_weights"}``. A continued run's history starts with the parent's epochs
        up to the one it kept, so its own epochs are numbered on from there.

    Raises:
        TrainingError: the parent kept no model, or the experiment does not fit it.
        SpecError: fewer than one more epoch asked for.
    """
    if start.how not in DOING:
        raise ValueError(f"how is {CONTINUED!r} or {RESTARTED!r}. Received: {start.how!r}")
    parent, doing = start.parent, DOING[start.how]
    differing = [
        part for part in SAME_PARTS if getattr(experiment, part) != getattr(parent.experiment, part)
    ]
    if differing:
        did = " and ".join(SAME_PARTS[part][0] for part in differing)
        same = " and ".join(SAME_PARTS[part][1] for part in differing)
        raise TrainingError(
            f"{parent.name} {did}; {doing} needs the same {same}. Set them back as they were, "
            "or press Train to start from fresh weights."
        )
    result = parent.result or {}
    key = "weights" if start.how == CONTINUED else "initial_weights"
    if not result.get(key):
        raise TrainingError(_no_weights(parent, start.how, bool(result.get("weights"))))
    experiment = copy.deepcopy(experiment)
    if start.how == RESTARTED:
        weights = result["initial_weights"]
        return experiment, {
            "weights": weights,
            "history": [],
            "seconds": 0.0,
            "initial_weights": weights,
        }
    if start.extra_epochs < 1:
        raise SpecError(f"Continue for at least 1 more epoch. Received: {start.extra_epochs}")
    kept = int(result.get("kept_epoch") or len(parent.history))
    experiment.train.epochs = kept + start.extra_epochs
    return experiment, {
        "weights": result["weights"],
        "history": [dict(record) for record in parent.history[:kept]],
        "seconds": parent.seconds,
        # None for a run kept before results held them: the worker then reports the
        # weights this run starts from.
        "initial_weights": result.get("initial_weights"),
    }


def _no_weights(parent: Run, how: str, has_model: bool) -> str:
    """Why ``parent`` cannot be continued or restarted, and what to do instead."""
    verb = "continued" if how == CONTINUED else "restarted"
    if has_model:  # a restart from a run kept before results held their initial weights
        return (
            f"{parent.name} was kept before runs remembered the weights they started from, so "
            "it cannot be restarted from them. Train it again, then restart from the new run."
        )
    if parent.state == INTERRUPTED:
        return (
            f"{parent.name} was cut off before it kept a model, so it cannot be {verb} yet. "
            "Continue it from its saved weights first."
        )
    return (
        f"{parent.name} kept no trained model, so it cannot be {verb}. Press Train to run it again."
    )
