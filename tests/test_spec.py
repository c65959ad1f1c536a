"""The experiment description: JSON round trips, validation messages, limits, output/loss rules."""

import copy
import json

import pytest

from builder.config import HostLimits
from builder.errors import SpecError
from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import (
    Experiment,
    LayerSpec,
    NetworkSpec,
    check_columns,
    check_limits,
    loss_name,
    output_activation,
    output_units,
    output_warnings,
    validate,
)


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_round_trips_through_json(key):
    experiment = PRESETS[key].experiment
    text = json.dumps(experiment.to_dict())
    assert Experiment.from_dict(json.loads(text)) == experiment


# (setting path, bad value, words the message must contain)
BAD_VALUES = [
    ("network.hidden.0.units", 0, ["network.hidden[0].units", "Received: 0"]),
    ("network.hidden.0.units", 8.5, ["network.hidden[0].units", "8.5"]),
    ("network.hidden.0.activation", "swish", ["network.hidden[0].activation", "'swish'"]),
    ("network.hidden.0.initializer", "ones", ["initializer", "'ones'"]),
    ("network.hidden.0.use_bias", "yes", ["use_bias", "'yes'"]),
    ("network.hidden.0.dropout", 1.5, ["dropout", "1.5"]),
    ("network.hidden.0.l2", -0.1, ["l2", "-0.1"]),
    ("network.output_activation", "relu6", ["network.output_activation", "'relu6'"]),
    ("network.loss", "hinge", ["network.loss", "'hinge'"]),
    ("prep.scaling", "robust", ["prep.scaling", "'robust'"]),
    ("prep.impute", "zero", ["prep.impute", "'zero'"]),
    ("prep.test_size", 0.95, ["prep.test_size", "0.95"]),
    ("prep.stratify", 1, ["prep.stratify", "1"]),
    ("prep.seed", -1, ["prep.seed", "-1"]),
    ("data.source", "../etc/passwd", ["data.source", "'../etc/passwd'"]),
    ("data.task", "ranking", ["data.task", "'ranking'"]),
    ("data.excluded", "Name", ["data.excluded", "'Name'"]),
    ("data.excluded", [3], ["data.excluded[0]", "3"]),
    ("data.delimiter", "x", ["data.delimiter", "'x'"]),
    ("train.optimizer", "lbfgs", ["train.optimizer", "'lbfgs'"]),
    ("train.learning_rate", float("nan"), ["train.learning_rate", "nan"]),
    ("train.batch_size", 0, ["train.batch_size", "0"]),
    ("train.epochs", True, ["train.epochs", "True"]),
    ("train.early_stopping", "no", ["train.early_stopping", "'no'"]),
    ("name", 7, ["name", "7"]),
]


def _set(raw, path, value):
    *parents, last = path.split(".")
    for part in parents:
        raw = raw[int(part)] if part.isdigit() else raw[part]
    raw[last] = value


@pytest.mark.parametrize(("path", "value", "words"), BAD_VALUES)
def test_validation_names_the_setting_and_the_value_received(path, value, words):
    raw = PRESETS["titanic"].experiment.to_dict()
    _set(raw, path, value)
    with pytest.raises(SpecError) as caught:
        Experiment.from_dict(raw)
    for word in words:
        assert word in str(caught.value)


def test_unknown_settings_and_wrong_shapes_are_named():
    raw = Experiment().to_dict()
    raw["network"]["depth"] = 3
    with pytest.raises(SpecError, match=r"Unknown setting.*network.*depth"):
        Experiment.from_dict(raw)
    raw = Experiment().to_dict()
    raw["network"]["hidden"] = {"units": 8}
    with pytest.raises(SpecError, match="must be a list of layers"):
        Experiment.from_dict(raw)
    with pytest.raises(SpecError, match="Received: list"):
        Experiment.from_dict([1, 2])


@pytest.mark.parametrize("version", [3, 0, "1", True])
def test_other_versions_are_refused(version):
    raw = Experiment().to_dict()
    raw["version"] = version
    with pytest.raises(SpecError, match="version"):
        Experiment.from_dict(raw)


def test_the_target_cannot_be_excluded():
    experiment = preset_experiment("titanic")
    experiment.data.excluded.append("Survived")
    with pytest.raises(SpecError, match="'Survived'"):
        validate(experiment)


def test_host_limits_name_the_cap_and_the_value():
    experiment = preset_experiment("wide-overfit")
    with pytest.raises(SpecError, match=r"at most 256 units.*Received: 512"):
        check_limits(experiment, HostLimits(max_units=256))
    with pytest.raises(SpecError, match=r"at most 1 hidden layers.*Received: 2"):
        check_limits(experiment, HostLimits(max_layers=1))
    with pytest.raises(SpecError, match=r"at most 100 epochs.*Received: 150"):
        check_limits(experiment, HostLimits(max_epochs=100))
    check_limits(experiment, HostLimits())


def test_columns_must_exist_in_the_table():
    experiment = preset_experiment("titanic")
    columns = ["Survived", "Pclass", "PassengerId", "Name", "Ticket", "Cabin"]
    check_columns(experiment, columns)
    with pytest.raises(SpecError, match="'Cabin'"):
        check_columns(experiment, columns[:-1])


def test_output_follows_the_task_unless_overridden():
    plain = NetworkSpec()
    assert (output_activation(plain, "binary"), loss_name(plain, "binary")) == (
        "sigmoid",
        "binary_crossentropy",
    )
    assert output_units(plain, "binary", 2) == 1
    assert output_units(plain, "multiclass", 5) == 5
    assert (output_activation(plain, "regression"), output_units(plain, "regression", 0)) == (
        "linear",
        1,
    )
    titanic = PRESETS["titanic"].experiment.network
    assert output_units(titanic, "binary", 2) == 2


@pytest.mark.parametrize(
    ("task", "activation", "loss", "words"),
    [
        ("regression", "softmax", None, "Softmax on one output unit"),
        ("regression", "sigmoid", None, "Use a linear output"),
        ("regression", None, "binary_crossentropy", "Use mse or mae"),
        ("multiclass", "sigmoid", None, "do not add up to one"),
        ("binary", "linear", None, "does not give probabilities"),
        ("binary", "relu", None, "does not give probabilities"),
        ("binary", None, "mse", "treats the classes as numbers"),
        ("multiclass", None, "binary_crossentropy", "categorical cross-entropy for several"),
        ("binary", "sigmoid", "categorical_crossentropy", "two sigmoid units"),
    ],
)
def test_wrong_output_combinations_are_explained(task, activation, loss, words):
    network = NetworkSpec(output_activation=activation, loss=loss)
    assert any(words in warning for warning in output_warnings(network, task))


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_the_task_defaults_raise_no_warning(task):
    assert output_warnings(NetworkSpec(), task) == []


def test_titanic_softmax_pair_raises_no_warning():
    assert output_warnings(PRESETS["titanic"].experiment.network, "binary") == []


def test_validate_accepts_an_edited_copy_without_touching_the_preset():
    experiment = preset_experiment("iris")
    experiment.network.hidden.append(copy.deepcopy(LayerSpec(units=4, activation="tanh")))
    validate(experiment)
    assert len(PRESETS["iris"].experiment.network.hidden) == 1


# The table of SEED_EXPERIMENTS.md: sample, target, scaling, hidden units, output activation,
# loss, optimizer, epochs, batch size (None: the Keras default of 32).
SEED_TABLE = {
    "wine-type": ("wine", "type", "standard", [12, 8], "sigmoid", "binary_crossentropy",
                  "adam", 20, 1),
    "wine-quality": ("wine", "quality", "standard", [64], "linear", "mse", "rmsprop", 20, None),
    "pima-small": ("pima", "Outcome", "none", [8, 6], "sigmoid", "binary_crossentropy",
                   "adam", 200, 5),
    # The table names no scaling for pima-deep; raw values leave it at chance (see its preset).
    "pima-deep": ("pima", "Outcome", "standard", [10, 8, 8], "sigmoid", "binary_crossentropy",
                  "adam", 20, 10),
    "iris": ("iris", "species", "none", [8], "softmax", "categorical_crossentropy",
             "adam", 150, 15),
    "wages": ("wages", "wage_per_hour", "none", [50, 32], "linear", "mse", "adam", 10, None),
    "titanic": ("titanic", "Survived", "none", [32], "softmax", "categorical_crossentropy",
                "sgd", 10, None),
    "digits": ("digits", "target", "none", [50, 50], "softmax", "categorical_crossentropy",
               "adam", 10, None),
}  # fmt: skip
SEED_TASKS = {"wine-quality": "regression", "wages": "regression", "iris": "multiclass"}
SEED_TASKS |= {"digits": "multiclass"}


@pytest.mark.parametrize("key", list(SEED_TABLE))
def test_presets_follow_the_seed_experiments_table(key):
    source, target, scaling, units, activation, loss, optimizer, epochs, batch = SEED_TABLE[key]
    experiment = PRESETS[key].experiment
    task = SEED_TASKS.get(key, "binary")
    assert (experiment.data.source, experiment.data.target) == (source, target)
    assert experiment.prep.scaling == scaling
    assert [layer.units for layer in experiment.network.hidden] == units
    assert all(layer.activation == "relu" for layer in experiment.network.hidden)
    assert output_activation(experiment.network, task) == activation
    assert loss_name(experiment.network, task) == loss
    assert experiment.train.optimizer == optimizer
    assert experiment.train.epochs == epochs
    assert experiment.train.batch_size == (batch or 32)


def test_preset_details_the_table_spells_out():
    wine = PRESETS["wine-type"].experiment
    assert wine.data.excluded == ["quality"]
    assert (wine.prep.test_size, wine.prep.seed, wine.prep.stratify) == (0.33, 42, False)
    pima = PRESETS["pima-small"].experiment
    assert (pima.prep.test_size, pima.prep.seed, pima.train.validation) == (0.33, 9, "test")
    assert {layer.initializer for layer in pima.network.hidden} == {"random_uniform"}
    assert pima.network.output_initializer == "random_uniform"
    deep = PRESETS["pima-deep"].experiment.prep
    assert deep.split == "ordered" and round(768 * deep.test_size) == 200
    titanic = PRESETS["titanic"].experiment
    assert set(titanic.data.excluded) == {"PassengerId", "Name", "Ticket", "Cabin"}
    assert (titanic.prep.impute, titanic.prep.missing_indicator, titanic.prep.one_hot) == (
        "mean",
        True,
        True,
    )
    digits = PRESETS["digits"].experiment
    assert (digits.prep.split, digits.prep.test_size, digits.train.validation) == (
        "ordered",
        0.3,
        "test",
    )


def test_a_half_character_is_refused_so_a_link_can_always_be_written():
    raw = Experiment().to_dict()
    raw["name"] = "bad \ud800 name"
    with pytest.raises(SpecError, match="'name' must be a text"):
        Experiment.from_dict(raw)


def test_a_version_1_file_reads_with_the_defaults_of_its_day():
    raw = PRESETS["wages"].experiment.to_dict()
    raw["version"] = 1
    del raw["prep"]["scale_target"]  # version 1 had no such setting: the target was never scaled
    del raw["train"]["epochs"]
    experiment = Experiment.from_dict(raw)
    assert experiment.version == Experiment().version
    assert experiment.prep.scale_target is False and experiment.train.epochs == 20
    assert Experiment.from_dict({"version": 1}).network.hidden[0].units == 8
