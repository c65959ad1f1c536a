"""What the app proposes for a new table: target, columns left out, batch size and epochs."""

import numpy as np
import pandas as pd

from builder.config import HostLimits
from builder.experiment import defaults
from builder.experiment.spec import DataSpec, Experiment, PrepSpec, TrainSpec


def _table(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "empty": np.nan,
            "x": rng.normal(size=rows),
            "y": rng.normal(size=rows),
        }
    )


def test_the_last_column_is_the_target_and_identifiers_and_empty_columns_are_left_out():
    experiment = defaults.proposed_experiment(_table(100), DataSpec(source="upload"))
    assert experiment.data.target == "y" and experiment.data.task is None
    assert experiment.data.excluded == ["id", "empty"]
    chosen = defaults.proposed_experiment(_table(100), DataSpec(source="upload"), target="x")
    assert chosen.data.target == "x"


def test_the_settings_are_the_spec_defaults_with_batch_and_epochs_fitted_to_the_rows():
    small = defaults.proposed_experiment(_table(300), DataSpec(source="upload"))
    assert small.prep == PrepSpec() and small.network == Experiment().network
    assert small.train.early_stopping and small.train.validation == "split"
    assert small.train.batch_size == 32 and small.train.epochs == 1000
    big = defaults.proposed_experiment(_table(50_000), DataSpec(source="upload"))
    steps = big.train.epochs * np.ceil(50_000 * 0.67 * 0.8 / big.train.batch_size)
    assert big.train.batch_size > 32 and steps >= defaults.BUDGET_STEPS
    assert 50_000 * 0.67 * 0.8 / big.train.batch_size <= defaults.MAX_STEPS_PER_EPOCH
    assert {k: v for k, v in vars(big.train).items() if k not in ("batch_size", "epochs")} == {
        k: v for k, v in vars(TrainSpec()).items() if k not in ("batch_size", "epochs")
    }


def test_the_epoch_budget_stays_within_the_hosts_cap():
    capped = defaults.proposed_experiment(
        _table(300), DataSpec(source="upload"), limits=HostLimits(max_epochs=50)
    )
    assert capped.train.epochs == 50


def test_rows_without_a_target_value_do_not_count():
    frame = _table(20_000)
    frame.loc[:15_000, "y"] = np.nan
    assert defaults.proposed_experiment(frame, DataSpec(source="upload")).train.batch_size == 32
