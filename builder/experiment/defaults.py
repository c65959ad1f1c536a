"""What the app proposes for a table it has not seen before: target, columns, settings.

The Data page (a table just loaded), the Build page ("Use the defaults for this
table") and ``python -m builder train --data FILE`` all call ``proposed_experiment``,
so a user who uploads a table, picks the target and presses Train trains exactly
what the command line trains for that file.

The settings themselves are the spec's defaults (``Experiment()``): inputs and a
regression target standardised on the training rows, two hidden relu layers, adam,
and a generous epoch budget that early stopping ends once the loss on a share of the
training rows stops falling, keeping the best epoch's weights. The batch size and
the epoch budget depend on the table: the batch grows with the rows, so an epoch of
a big table stays a few hundred steps and its curves still arrive epoch by epoch,
and a small table gets more epochs, so every table is offered about the same number
of weight updates before early stopping has its say.
"""

from __future__ import annotations

import math

import pandas as pd

from builder.config import HostLimits, load_limits
from builder.errors import DataError
from builder.experiment.spec import DataSpec, Experiment, PrepSpec, TrainSpec
from builder.tables.columns import default_excluded, propose_target

BASE_BATCH = 32
MAX_STEPS_PER_EPOCH = 250
MAX_BATCH = 1024
BUDGET_STEPS = 20_000  # weight updates offered; early stopping usually ends far sooner
MIN_EPOCHS = 200


def proposed_target(frame: pd.DataFrame, target: str | None = None) -> str:
    """The column to predict: ``target`` when the table has it, else the last column that
    can be predicted (``columns.propose_target``), else the last column (whose problem
    the Data page and the command line then name)."""
    if target in frame.columns:
        return target
    try:
        return propose_target(frame)[0]
    except DataError:
        return str(frame.columns[-1])


def proposed_data(frame: pd.DataFrame, data: DataSpec, target: str | None = None) -> DataSpec:
    """``data`` with the target chosen, the task left to be inferred, and the columns left out.

    Identifier-like and empty columns are left out (``columns.default_excluded``).
    """
    target = proposed_target(frame, target)
    data.target, data.task = target, None
    data.excluded = default_excluded(frame, target)
    return data


def batch_size(training_rows: int) -> int:
    """32 rows a step, doubled until an epoch is at most ``MAX_STEPS_PER_EPOCH`` steps."""
    size = BASE_BATCH
    while training_rows > size * MAX_STEPS_PER_EPOCH and size < MAX_BATCH:
        size *= 2
    return size


def epoch_budget(training_rows: int, batch: int, max_epochs: int) -> int:
    """Epochs enough for ``BUDGET_STEPS`` updates, at least ``MIN_EPOCHS``, within the cap."""
    steps = max(1, math.ceil(training_rows / batch))
    return min(max_epochs, max(MIN_EPOCHS, math.ceil(BUDGET_STEPS / steps)))


def proposed_settings(
    frame: pd.DataFrame, experiment: Experiment, limits: HostLimits | None = None
) -> Experiment:
    """``experiment`` with the default preprocessing, network and training for its table.

    Args:
        frame: the whole table; its labelled rows decide the batch size and epochs.
        experiment: whose data choice (target, task, columns left out) is kept.
        limits: the host's caps (``builder.config.load_limits()`` when omitted).

    Returns:
        A new experiment: the same name and data, every other setting the default.
    """
    limits = limits or load_limits()
    prep, train = PrepSpec(), TrainSpec()
    target = experiment.data.target
    rows = int(frame[target].notna().sum()) if target in frame.columns else len(frame)
    fitted_rows = int(rows * (1 - prep.test_size) * (1 - train.validation_split))
    train.batch_size = batch_size(fitted_rows)
    train.epochs = epoch_budget(fitted_rows, train.batch_size, limits.max_epochs)
    return Experiment(name=experiment.name, data=experiment.data, prep=prep, train=train)


def proposed_experiment(
    frame: pd.DataFrame,
    data: DataSpec,
    target: str | None = None,
    limits: HostLimits | None = None,
) -> Experiment:
    """Everything the app proposes for a freshly loaded table.

    Args:
        frame: the table.
        data: where it came from (source, title, files, read options); edited in place.
        target: the column to predict; the last column when None or not in the table.
        limits: the host's caps (``builder.config.load_limits()`` when omitted).

    Returns:
        The experiment a user gets by pressing Train without changing anything.
    """
    experiment = Experiment(data=proposed_data(frame, data, target))
    return proposed_settings(frame, experiment, limits)
