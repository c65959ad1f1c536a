"""A workspace's training runs: the record kept of each, the runs table, and what differs.

Every finished, stopped, failed or interrupted job becomes a ``Run`` holding the experiment
it trained, its epoch history and the worker's result (metrics, weights,
predictions, the ``.keras`` bytes), so runs can be compared on one chart the way
the classic course compares learning rates, narrow vs wide and shallow vs deep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from builder.experiment.naming import run_name
from builder.experiment.spec import Experiment, LayerSpec
from builder.judging.references import LINEAR, TREES, from_result, main_score
from builder.numbers import rounded

# How a run started from another (``Run.origin``), and how the runs table says it.
CONTINUED, RESTARTED = "continued", "restarted"
ORIGIN_WORDS = {CONTINUED: "continued", RESTARTED: "same start"}


@dataclass
class Run:
    """One training run as the session keeps it."""

    number: int
    experiment: Experiment
    state: str
    history: list[dict[str, float]]
    result: dict[str, Any] | None = None
    error: str | None = None
    note: str | None = None
    # Elapsed time: from a worker taking the run until it ended (see ``jobs.Job.elapsed``).
    seconds: float = 0.0
    job_id: str = ""
    # Bumped by the workspace store whenever the stored run changes.
    version: int = 0
    # For an interrupted run: the epoch of its newest saved weights, to continue from.
    checkpoint_epoch: int | None = None
    # The run this one started from, and how (CONTINUED from its kept weights, or
    # RESTARTED from its initial weights): None for a run trained from fresh weights.
    parent: int | None = None
    origin: str | None = None

    @property
    def name(self) -> str:
        """``iris · run 3`` (``builder.experiment.naming``)."""
        return run_name(self.experiment, self.number)

    @property
    def test_metrics(self) -> dict[str, float]:
        """Loss and accuracy (or MSE and MAE) on the test split; empty without a model."""
        return dict(self.result["metrics"]["test"]) if self.result else {}


def layers_text(hidden: list[LayerSpec]) -> str:
    """The hidden layers in a few characters: ``12 relu → 8 relu``."""
    return " → ".join(f"{layer.units} {layer.activation}" for layer in hidden) or "none"


def from_job(
    job, experiment: Experiment, number: int, parent: int | None = None, origin: str | None = None
) -> Run:
    """Record an ended job (a ``builder.training.jobs.Job``) as run ``number``."""
    return Run(
        number=number,
        experiment=experiment,
        state=job.state,
        history=job.history,
        result=job.result,
        error=job.error,
        note=job.note,
        seconds=job.elapsed(),
        job_id=job.id,
        parent=parent,
        origin=origin,
    )


def started_from(run: Run) -> str:
    """``run 3, continued`` or ``run 3, same start``; empty for a run from fresh weights."""
    if run.parent is None:
        return ""
    return f"run {run.parent}, {ORIGIN_WORDS.get(run.origin, run.origin)}"


def runs_table(runs: list[Run]) -> pd.DataFrame:
    """One row per run: state, the settings that are usually varied, and the results."""
    rows = []
    for run in runs:
        spec = run.experiment.train
        best_val = [
            r["val_loss"] for r in run.history if math.isfinite(r.get("val_loss", math.nan))
        ]
        row = {
            "run": run.name,
            "state": run.state,
            "from": started_from(run),
            "layers": layers_text(run.experiment.network.hidden),
            "optimizer": spec.optimizer,
            "learning rate": spec.learning_rate,
            "batch": spec.batch_size,
            "epochs": f"{len(run.history)}/{spec.epochs}",
            "best val loss": rounded(min(best_val)) if best_val else None,
            "kept epoch": (run.result or {}).get("kept_epoch"),
        }
        row.update({f"test {name}": rounded(value) for name, value in run.test_metrics.items()})
        row.update(reference_columns(run))
        row["seconds"] = round(run.seconds, 1)
        rows.append(row)
    return pd.DataFrame(rows)


REFERENCE_NAMES = {LINEAR: "linear model", TREES: "boosted trees"}


def reference_columns(run: Run) -> dict[str, float | None]:
    """The reference models' main test score (``linear model accuracy``, ``boosted trees R²``);
    empty for a run without a model, None for one saved before references were computed."""
    if not run.result or "task" not in run.result:
        return {}
    key, label = main_score(run.result["task"])
    found = {ref.name: ref.scores.get(key) for ref in from_result(run.result) or []}
    return {
        f"{words} {label}": None if found.get(name) is None else rounded(found[name])
        for name, words in REFERENCE_NAMES.items()
    }


def _flatten(experiment: Experiment) -> dict[str, Any]:
    """Settings as dotted names; the hidden layers as one readable value."""
    flat: dict[str, Any] = {}
    for part in ("data", "prep", "network", "train"):
        for name, value in experiment.to_dict()[part].items():
            flat[f"{part}.{name}"] = value
    flat["network.hidden"] = layers_text(experiment.network.hidden)
    return flat


def changed_settings(base: Experiment, experiment: Experiment) -> list[str]:
    """The settings of ``experiment`` that differ from ``base``'s, one ``name = value`` each
    (``train.learning_rate = 0.1``): what a student changed from the lesson."""
    before, after = _flatten(base), _flatten(experiment)
    return [f"{key} = {value}" for key, value in after.items() if before.get(key) != value]


def differences(runs: list[Run]) -> list[str]:
    """What differs between the runs' experiments, one line per setting.

    Returns:
        Lines like ``train.learning_rate: pima · run 1 = 1e-06, pima · run 2 = 0.01``; empty
        when the runs share every setting (then only chance, e.g. the seed, separates them).
    """
    if len(runs) < 2:
        return []
    flats = [_flatten(run.experiment) for run in runs]
    lines = []
    for key in flats[0]:
        values = [flat.get(key) for flat in flats]
        if any(value != values[0] for value in values[1:]):
            shown = ", ".join(
                f"{run.name} = {value}" for run, value in zip(runs, values, strict=True)
            )
            lines.append(f"{key}: {shown}")
    return lines


def curve_keys(runs: list[Run]) -> list[str]:
    """The history keys every chosen run logged (``val_loss``, ``loss``, ``accuracy`` …)."""
    keys: list[str] | None = None
    for run in runs:
        logged = [
            k for k in (run.history[0] if run.history else {}) if k not in ("epoch", "seconds")
        ]
        keys = logged if keys is None else [k for k in keys if k in logged]
    keys = keys or []
    return sorted(keys, key=lambda k: (not k.startswith("val_"), k != "val_loss", k))
