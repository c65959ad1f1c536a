"""Tables a new user might bring, and scikit-learn's models on the app's own split of them.

Shared by the defaults' quality tests (tests/test_defaults_quality.py) and the
benchmark (benchmarks/defaults.py): each table is trained with the settings the app
proposes (``builder.experiment.defaults``), and a linear and a gradient-boosting model
are fitted on exactly the same training rows, prepared the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from threadpoolctl import threadpool_limits

from builder.experiment.defaults import proposed_experiment
from builder.experiment.spec import DataSpec, Experiment
from builder.tables import prep
from builder.tables.data import ReadOptions, load_files
from builder.tables.samples import SAMPLE_DIR


@dataclass(frozen=True)
class Table:
    """A table and the column to predict."""

    name: str
    load: Callable[[], pd.DataFrame]
    target: str


def _sklearn(loader) -> Callable[[], pd.DataFrame]:
    return lambda: loader(as_frame=True).frame


def _sample_file(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        return load_files([(name, (SAMPLE_DIR / name).read_bytes())], ReadOptions())[0]

    return load


def generated_prices(rows: int = 50_000, seed: int = 0) -> pd.DataFrame:
    """A housing-like table: prices around 250,000 from size, rooms, age, distance and city."""
    rng = np.random.default_rng(seed)
    area = rng.uniform(30, 250, rows)
    rooms = np.clip(np.round(area / 35 + rng.normal(0, 1, rows)), 1, 9)
    age = rng.uniform(0, 100, rows)
    distance = rng.exponential(8, rows)
    city = rng.choice(["north", "south", "east", "west", "centre"], rows)
    uplift = pd.Series(city).map({"north": 1.0, "south": 0.9, "east": 0.8, "west": 1.1})
    uplift = uplift.fillna(1.4).to_numpy()
    price = (
        uplift * (1800 * area + 9000 * rooms) * np.exp(-distance / 25)
        - 600 * np.abs(age - 40)
        + rng.normal(0, 20_000, rows)
        + 60_000
    )
    return pd.DataFrame(
        {
            "area_m2": area.round(1),
            "rooms": rooms,
            "age_years": age.round(),
            "distance_km": distance.round(2),
            "city": city,
            "price": price.round(-2),
        }
    )


TABLES = {
    t.name: t
    for t in (
        Table("diabetes", _sklearn(datasets.load_diabetes), "target"),
        Table("wine", _sklearn(datasets.load_wine), "target"),
        Table("winequality-red", _sample_file("winequality-red.csv"), "quality"),
        Table("hourly_wages", _sample_file("hourly_wages.csv"), "wage_per_hour"),
        Table("prices-50k", generated_prices, "price"),
    )
}


def default_experiment(frame: pd.DataFrame, table: Table) -> Experiment:
    """What the app proposes for the table as an upload, with its target chosen."""
    data = DataSpec(source="upload", title=table.name, files=[f"{table.name}.csv"])
    return proposed_experiment(frame, data, table.target)


def score(task: str, y_true: np.ndarray, predicted: np.ndarray) -> float:
    """R² for a regression, accuracy for classes."""
    if task == "regression":
        return float(r2_score(y_true, predicted))
    return float(accuracy_score(y_true, predicted))


def network_score(result: dict) -> float:
    """The test-split score of a trained run (``builder.worker.tasks.train``'s result)."""
    outputs = np.asarray(result["predictions"])
    y_test = np.asarray(result["y_test"])
    if result["task"] == "regression":
        return score("regression", y_test, outputs[:, 0])
    classes = (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(1)
    return score(result["task"], y_test, classes)


def reference_scores(frame: pd.DataFrame, experiment: Experiment, seed: int = 0) -> dict:
    """Linear and gradient-boosting test scores on the experiment's split and prepared inputs."""
    data = prep.prepare(frame, experiment)
    task = data.prep.task
    if task == "regression":
        models = {
            "linear": LinearRegression(),
            "boosting": HistGradientBoostingRegressor(random_state=seed),
        }
    else:
        models = {
            "linear": LogisticRegression(max_iter=5000),
            "boosting": HistGradientBoostingClassifier(random_state=seed),
        }
    scores = {}
    # One thread: OpenMP's spinning threads took 100 times longer on a busy 2-core machine.
    with threadpool_limits(1):
        for name, model in models.items():
            model.fit(data.x_train, data.y_train)
            scores[name] = score(task, data.y_test, model.predict(data.x_test))
    return scores
