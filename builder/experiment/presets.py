"""The classic first-network experiments as one-click presets.

Settings follow the tutorials listed in SEED_EXPERIMENTS.md (see the README);
``expected`` records the result each tutorial reports and the bound a run of
the preset must reach.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from builder.errors import SpecError
from builder.experiment.spec import (
    DataSpec,
    Experiment,
    LayerSpec,
    NetworkSpec,
    PrepSpec,
    TrainSpec,
)
from builder.tables.samples import SAMPLES


@dataclass(frozen=True)
class Expectation:
    """A test-split metric a preset must reach, and what the tutorial reported."""

    metric: str
    bound: float
    reported: str

    def met_by(self, value: float) -> bool:
        """True when ``value`` reaches the bound (errors must fall below it)."""
        lower_is_better = self.metric in ("mse", "mae", "loss")
        return value <= self.bound if lower_is_better else value >= self.bound


@dataclass(frozen=True)
class Preset:
    """A named experiment with the lesson it teaches."""

    key: str
    title: str
    lesson: str
    experiment: Experiment
    expected: Expectation | None


def _prep(**settings) -> PrepSpec:
    """The tutorials' preprocessing: the target is never scaled."""
    return PrepSpec(scale_target=False, **settings)


def _train(**settings) -> TrainSpec:
    """The tutorials' training: a fixed number of epochs, validated on the test split.

    Spelled out rather than left to ``TrainSpec``'s defaults, which suit a new table instead.
    """
    classic = {"validation": "test", "early_stopping": False, "patience": 5}
    return TrainSpec(**{**classic, **settings})


def _layers(*units: int, initializer: str = "glorot_uniform") -> list[LayerSpec]:
    return [LayerSpec(units=u, activation="relu", initializer=initializer) for u in units]


def _data(sample: str, title: str, target: str, excluded=(), task=None) -> DataSpec:
    files = list(SAMPLES[sample].files)
    return DataSpec(
        source=sample, title=title, files=files, target=target, task=task, excluded=list(excluded)
    )


def _pima_lesson(
    key: str, title: str, lesson: str, hidden: list[LayerSpec], train: TrainSpec
) -> Preset:
    """A lesson on standardised Pima data: one network or training setting taken to an extreme."""
    experiment = Experiment(
        name=key,
        data=_data("pima", "Pima Indians diabetes", "Outcome"),
        prep=_prep(scaling="standard", seed=42),
        network=NetworkSpec(hidden=hidden),
        train=train,
    )
    return Preset(key, title, lesson, experiment, None)


_WINE = "Wine (red + white)"

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "wine-type",
            "Red or white wine?",
            "Standardised inputs let a small network separate two wine types almost perfectly.",
            Experiment(
                name="wine-type",
                data=_data("wine", _WINE, "type", excluded=["quality"]),
                prep=_prep(scaling="standard", test_size=0.33, stratify=False, seed=42),
                network=NetworkSpec(hidden=_layers(12, 8)),
                train=_train(optimizer="adam", epochs=20, batch_size=1, seed=42),
            ),
            Expectation("accuracy", 0.98, "test accuracy ≈ 0.99+"),
        ),
        Preset(
            "wine-quality",
            "Wine quality score (regression)",
            "Predicting a score as a number: judge the error (MAE) against always guessing the mean.",
            Experiment(
                name="wine-quality",
                data=_data("wine", _WINE, "quality", task="regression"),
                prep=_prep(scaling="standard", stratify=False, seed=42),
                network=NetworkSpec(hidden=_layers(64)),
                train=_train(optimizer="rmsprop", epochs=20, batch_size=32, seed=42),
            ),
            Expectation("mae", 0.65, "no fixed number; a mean guess has MAE ≈ 0.68"),
        ),
        Preset(
            "pima-small",
            "Diabetes, the first network",
            "The classic first Keras network: 8-6-1 on raw, unscaled measurements.",
            Experiment(
                name="pima-small",
                data=_data("pima", "Pima Indians diabetes", "Outcome"),
                prep=_prep(scaling="none", test_size=0.33, stratify=False, seed=9),
                network=NetworkSpec(
                    hidden=_layers(8, 6, initializer="random_uniform"),
                    output_initializer="random_uniform",
                ),
                train=_train(optimizer="adam", epochs=200, batch_size=5, seed=9),
            ),
            Expectation("accuracy", 0.70, "test accuracy ≈ 0.73"),
        ),
        Preset(
            "pima-deep",
            "Diabetes, a deeper network",
            "Three hidden layers trained on the first 568 rows, tested on the last 200. "
            "The inputs are standardised: on the raw values this network scores 0.59-0.67 "
            "depending on the seed, near the 0.65 of always guessing 'no diabetes'.",
            Experiment(
                name="pima-deep",
                data=_data("pima", "Pima Indians diabetes", "Outcome"),
                prep=_prep(
                    scaling="standard",
                    split="ordered",
                    test_size=200 / 768,
                    stratify=False,
                    seed=42,
                ),
                network=NetworkSpec(hidden=_layers(10, 8, 8)),
                train=_train(optimizer="adam", epochs=20, batch_size=10, seed=42),
            ),
            Expectation("accuracy", 0.72, "accuracy ≈ 0.71"),
        ),
        Preset(
            "iris",
            "Iris species",
            "Three classes: a softmax output with one unit per species.",
            Experiment(
                name="iris",
                data=_data("iris", "Iris flowers", "species"),
                prep=_prep(scaling="none", seed=42),
                network=NetworkSpec(hidden=_layers(8)),
                train=_train(optimizer="adam", epochs=150, batch_size=15, seed=42),
            ),
            Expectation("accuracy", 0.93, "accuracy ≈ 0.97-0.98"),
        ),
        Preset(
            "wages",
            "Hourly wages (regression)",
            "A regression network: one linear output, mean squared error falling epoch by epoch.",
            Experiment(
                name="wages",
                data=_data("wages", "Hourly wages (CPS 1985)", "wage_per_hour"),
                prep=_prep(scaling="none", stratify=False, seed=42),
                network=NetworkSpec(hidden=_layers(50, 32)),
                train=_train(optimizer="adam", epochs=10, batch_size=32, seed=42),
            ),
            Expectation("mse", 35.0, "training MSE falls from ~78 to ~21.5"),
        ),
        Preset(
            "titanic",
            "Titanic survival",
            "Real, messy data: text columns one-hot encoded, missing ages filled and flagged.",
            Experiment(
                name="titanic",
                data=_data(
                    "titanic",
                    "Titanic passengers",
                    "Survived",
                    excluded=["PassengerId", "Name", "Ticket", "Cabin"],
                ),
                prep=_prep(scaling="none", impute="mean", missing_indicator=True, seed=42),
                network=NetworkSpec(
                    hidden=_layers(32), output_activation="softmax", loss="categorical_crossentropy"
                ),
                train=_train(optimizer="sgd", learning_rate=0.01, epochs=10, seed=42),
            ),
            Expectation("accuracy", 0.62, "accuracy ≈ 0.68"),
        ),
        Preset(
            "digits",
            "Handwritten digits",
            "Ten classes from 64 pixels: two hidden layers recognise digits they never saw.",
            Experiment(
                name="digits",
                data=_data("digits", "Handwritten digits (8×8)", "target"),
                # Keras' validation_split=0.3 holds out the last 30% of rows, unshuffled:
                # an ordered 30% test split, used for validation, is the same rows.
                prep=_prep(scaling="none", split="ordered", test_size=0.3, stratify=False),
                network=NetworkSpec(hidden=_layers(50, 50)),
                train=_train(optimizer="adam", epochs=10, batch_size=32, seed=42),
            ),
            Expectation("accuracy", 0.88, "validation accuracy ≈ 0.90"),
        ),
        Preset(
            "titanic-scaled",
            "Titanic, scaled and tuned",
            "The same data, standardised and trained with adam: the course's ≈ 0.80.",
            Experiment(
                name="titanic-scaled",
                data=_data(
                    "titanic",
                    "Titanic passengers",
                    "Survived",
                    excluded=["PassengerId", "Name", "Ticket", "Cabin"],
                ),
                prep=_prep(scaling="standard", impute="mean", missing_indicator=True, seed=42),
                network=NetworkSpec(hidden=_layers(32, 16)),
                train=_train(optimizer="adam", epochs=40, batch_size=16, seed=42),
            ),
            Expectation("accuracy", 0.76, "a scaled, better-tuned network should reach ≈ 0.80"),
        ),
        _pima_lesson(
            "lr-too-high",
            "Lesson: a learning rate that is too high",
            "Learning rate 3.0: the loss jumps around instead of falling, and the network ends "
            "up worse than always guessing the common class.",
            _layers(12, 8),
            _train(optimizer="sgd", learning_rate=3.0, epochs=30, batch_size=16, seed=42),
        ),
        _pima_lesson(
            "lr-too-low",
            "Lesson: a learning rate that is too low",
            "Learning rate 0.000001: after 30 epochs the loss has hardly moved from where it began.",
            _layers(12, 8),
            _train(optimizer="sgd", learning_rate=0.000001, epochs=30, batch_size=16, seed=42),
        ),
        _pima_lesson(
            "sigmoid-deep",
            "Lesson: deep sigmoid layers stall",
            "Six sigmoid layers pass back ever smaller gradients: the loss stalls where relu learns.",
            [LayerSpec(units=8, activation="sigmoid") for _ in range(6)],
            _train(optimizer="sgd", learning_rate=0.01, epochs=30, batch_size=16, seed=42),
        ),
        _pima_lesson(
            "wide-overfit",
            "Lesson: a wide network that overfits",
            "512-unit layers on 500 rows: training loss keeps falling while validation loss rises.",
            _layers(512, 512),
            _train(optimizer="adam", epochs=150, batch_size=16, seed=42),
        ),
    )
}


def preset_experiment(key: str) -> Experiment:
    """A fresh copy of a preset's experiment, safe to edit.

    Raises:
        SpecError: no preset has that key.
    """
    if key not in PRESETS:
        raise SpecError(f"There is no preset named '{key}'. Presets: {', '.join(PRESETS)}")
    return copy.deepcopy(PRESETS[key].experiment)


def sample_preset(sample: str) -> str | None:
    """The first preset that trains on bundled sample ``sample`` (its classic), or None."""
    return next((k for k, p in PRESETS.items() if p.experiment.data.source == sample), None)
