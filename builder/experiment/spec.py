"""One serialisable description of an experiment: data, preparation, network, training.

Everything a run depends on lives in one ``Experiment``. Pages edit it, the
worker trains from it, and it round-trips through JSON (``to_dict``/``from_dict``)
so it can be downloaded, shared in a link and used as a preset.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from builder.config import HostLimits
from builder.errors import SpecError
from builder.tables.data import DELIMITERS
from builder.tables.samples import SAMPLES

# Links (builder.experiment.share) store only what differs from the defaults below, so changing a
# default, or a field's meaning, changes what old links say: bump the version when you do, and
# record the old defaults in OLD_DEFAULTS so links and files of that version still read the same.
SPEC_VERSION = 2

TASKS = ("binary", "multiclass", "regression")
SCALINGS = ("standard", "minmax", "none")
IMPUTERS = ("mean", "median", "most_frequent")
SPLITS = ("random", "ordered")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "elu", "selu", "gelu", "softmax", "linear")
INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "random_uniform",
    "random_normal",
    "zeros",
)
OPTIMIZERS = ("adam", "sgd", "rmsprop", "adagrad")
LOSSES = ("binary_crossentropy", "categorical_crossentropy", "mse", "mae")
VALIDATIONS = ("test", "split", "none")
DECIMALS = (".", ",")
# Hard ceilings that hold whatever the host allows; they keep a forged link or
# JSON file from describing something absurd. Host caps (builder.config) are lower.
MAX_HIDDEN = 64
MAX_TEXT = 1000
MAX_COLUMNS_NAMED = 10_000


@dataclass
class DataSpec:
    """Which table, how it was read, and what to predict.

    ``source`` is a sample key (see ``builder.tables.samples``) or ``"upload"``.
    Read options left as ``None`` are detected from the file.
    """

    source: str = ""
    title: str = ""
    files: list[str] = field(default_factory=list)
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None
    target: str | None = None
    task: str | None = None
    excluded: list[str] = field(default_factory=list)


@dataclass
class PrepSpec:
    """How features are prepared; every statistic is fitted on the training split only.

    The features are the table's columns other than the target and ``data.excluded``.
    Rows without a target value are dropped. Then, in this order:

    - ``split``: ``"random"`` draws ``test_size`` of the rows as the test split with
      ``seed``, as ``sklearn.model_selection.train_test_split(test_size=test_size,
      random_state=seed)`` does (stratified by class when ``stratify`` and the task is a
      class task), so a tutorial's split is reproduced exactly;
      ``"ordered"`` keeps the last ``test_size`` of the rows, in file order, as the test split.
    - ``impute``: missing numbers are filled with the training split's mean, median or
      most frequent value; missing text always gets the most frequent value.
    - ``missing_indicator``: adds a 0/1 column ``<column>_was_missing`` for every feature
      column that has a missing value anywhere in the table.
    - ``one_hot``: text columns become one 0/1 column per category (``<column>=<value>``);
      when off, each becomes one column of category codes (0, 1, 2, ... in sorted order).
    - ``scaling``: ``"standard"`` (mean 0, sd 1) or ``"minmax"`` (0 to 1) applies to the
      numeric columns, with the training split's statistics; ``"none"`` leaves them raw.
    - ``scale_target``: a regression target is standardised with the training split's mean
      and standard deviation while the network trains (see ``scales_target``); the trained
      network's output layer then takes the scaling back, so every prediction, metric and
      exported model is in the target's own units.
    """

    scaling: str = "standard"
    scale_target: bool = True
    impute: str = "mean"
    missing_indicator: bool = False
    one_hot: bool = True
    test_size: float = 0.33
    split: str = "random"
    stratify: bool = True
    seed: int = 42


@dataclass
class LayerSpec:
    """One hidden Dense layer; a Dropout layer follows it when ``dropout`` is above 0.

    ``l1``/``l2`` are kernel regularisation factors (``keras.regularizers.L1L2``).
    """

    units: int = 8
    activation: str = "relu"
    initializer: str = "glorot_uniform"
    use_bias: bool = True
    dropout: float = 0.0
    l1: float = 0.0
    l2: float = 0.0


@dataclass
class NetworkSpec:
    """Hidden layers in order; the output layer and loss follow the task unless overridden.

    The default, 64 then 32 tanh units, measured at least as good as a linear model on
    small noisy tables (benchmarks/defaults.py), where relu layers of the same size
    varied more from seed to seed; early stopping keeps its size from overfitting.
    """

    hidden: list[LayerSpec] = field(
        default_factory=lambda: [
            LayerSpec(units=64, activation="tanh"),
            LayerSpec(units=32, activation="tanh"),
        ]
    )
    output_activation: str | None = None
    output_initializer: str = "glorot_uniform"
    loss: str | None = None


@dataclass
class TrainSpec:
    """Optimizer and fit settings, as Keras ``compile()`` and ``fit()`` take them.

    The defaults suit a table the app has never seen: a generous epoch budget that early
    stopping cuts short once the validation loss (on a share of the training rows, never
    the test rows) stops improving, keeping the best epoch's weights.
    """

    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.0
    batch_size: int = 32
    epochs: int = 300
    validation: str = "split"
    validation_split: float = 0.2
    early_stopping: bool = True
    patience: int = 20
    restore_best_weights: bool = True
    class_weights: bool = False
    seed: int = 42


@dataclass
class Experiment:
    """The whole description of one run."""

    name: str = "untitled"
    data: DataSpec = field(default_factory=DataSpec)
    prep: PrepSpec = field(default_factory=PrepSpec)
    network: NetworkSpec = field(default_factory=NetworkSpec)
    train: TrainSpec = field(default_factory=TrainSpec)
    version: int = SPEC_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Experiment:
        """Build an experiment from ``to_dict()`` output, rejecting unknown or bad values.

        Raises:
            SpecError: naming the key or value that is not allowed.
        """
        if not isinstance(raw, dict):
            raise SpecError(f"An experiment must be a JSON object. Received: {type(raw).__name__}")
        version = check_version(raw.get("version", SPEC_VERSION))
        if version != SPEC_VERSION:
            raw = {**merge_settings(default_settings(version), raw), "version": SPEC_VERSION}
        experiment = _build(cls, raw, "experiment")
        validate(experiment)
        return experiment


# Each older version's defaults where a later version changed them. Version 1 never scaled
# the target, and trained 20 epochs of one 8-unit layer, validated on the test split.
OLD_DEFAULTS: dict[int, dict[str, Any]] = {
    1: {
        "prep": {"scale_target": False},
        "network": {"hidden": [dataclasses.asdict(LayerSpec(units=8))]},
        "train": {
            "epochs": 20,
            "validation": "test",
            "early_stopping": False,
            "patience": 5,
        },
    },
}


def check_version(version: Any) -> int:
    """The version of a stored experiment, if this app reads it.

    Raises:
        SpecError: the version is not one this app reads.
    """
    readable = (*OLD_DEFAULTS, SPEC_VERSION)
    if type(version) is not int or version not in readable:
        raise SpecError(
            f"This app reads experiment versions {', '.join(map(str, readable))}. "
            f"Received: version {version!r}"
        )
    return version


def default_settings(version: int = SPEC_VERSION) -> dict[str, Any]:
    """``Experiment().to_dict()`` as it was in ``version``: what its links and files left out."""
    return merge_settings(Experiment().to_dict(), OLD_DEFAULTS.get(version, {}))


def merge_settings(default: dict[str, Any], changes: Any, where: str = "experiment") -> dict:
    """Lay ``changes`` over ``default``, one level of nesting per spec section.

    Raises:
        SpecError: a section that must be an object is something else.
    """
    if not isinstance(changes, dict):
        raise SpecError(f"'{where}' must be an object. Received: {changes!r:.80}")
    merged = dict(default)
    for key, value in changes.items():
        if isinstance(default.get(key), dict):
            merged[key] = merge_settings(default[key], value, f"{where}.{key}")
        else:
            merged[key] = value
    return merged


_NESTED = {
    (Experiment, "data"): DataSpec,
    (Experiment, "prep"): PrepSpec,
    (Experiment, "network"): NetworkSpec,
    (Experiment, "train"): TrainSpec,
}


def _build(kind: type, raw: Any, where: str) -> Any:
    """Instantiate dataclass ``kind`` from a dict, recursing into the nested specs."""
    if not isinstance(raw, dict):
        raise SpecError(f"'{where}' must be an object. Received: {raw!r}")
    known = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SpecError(f"Unknown setting(s) in '{where}': {', '.join(unknown)}")
    values = {}
    for name, value in raw.items():
        nested = _NESTED.get((kind, name))
        if nested is not None:
            value = _build(nested, value, f"{where}.{name}")
        elif kind is NetworkSpec and name == "hidden":
            if not isinstance(value, list):
                raise SpecError(f"'{where}.hidden' must be a list of layers. Received: {value!r}")
            value = [
                _build(LayerSpec, item, f"{where}.hidden[{i}]") for i, item in enumerate(value)
            ]
        values[name] = value
    return kind(**values)


def _check_choice(value: Any, allowed: tuple, where: str, optional: bool = False) -> None:
    if optional and value is None:
        return
    if value not in allowed:
        raise SpecError(f"'{where}' must be one of {', '.join(allowed)}. Received: {value!r}")


def _check_number(value: Any, low: float, high: float, where: str, integer: bool = False) -> None:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise SpecError(f"'{where}' must be {kind} from {low} to {high}. Received: {value!r}")


def _check_bool(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise SpecError(f"'{where}' must be true or false. Received: {value!r}")


def _check_text(value: Any, where: str, optional: bool = False) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str) or len(value) > MAX_TEXT or not _encodable(value):
        raise SpecError(
            f"'{where}' must be a text of at most {MAX_TEXT} characters. Received: {value!r}"
        )


def _encodable(text: str) -> bool:
    """False for text holding half of a surrogate pair, which no link or file can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_texts(value: Any, where: str) -> None:
    if not isinstance(value, list) or len(value) > MAX_COLUMNS_NAMED:
        raise SpecError(f"'{where}' must be a list of names. Received: {value!r}")
    for i, item in enumerate(value):
        _check_text(item, f"{where}[{i}]")


def _validate_data(data: DataSpec) -> None:
    sources = ("", "upload", *SAMPLES)
    _check_choice(data.source, sources, "data.source")
    _check_text(data.title, "data.title")
    _check_texts(data.files, "data.files")
    _check_choice(data.delimiter, tuple(DELIMITERS), "data.delimiter", optional=True)
    _check_text(data.encoding, "data.encoding", optional=True)
    _check_choice(data.decimal, DECIMALS, "data.decimal", optional=True)
    _check_text(data.target, "data.target", optional=True)
    _check_choice(data.task, TASKS, "data.task", optional=True)
    _check_texts(data.excluded, "data.excluded")
    if data.target is not None and data.target in data.excluded:
        raise SpecError(
            f"The target '{data.target}' cannot also be left out of the features ('data.excluded')."
        )


def validate(experiment: Experiment) -> None:
    """Check every setting against what the app supports.

    Raises:
        SpecError: naming the first bad setting and the value received.
    """
    data, prep, net, train = experiment.data, experiment.prep, experiment.network, experiment.train
    _check_text(experiment.name, "name")
    _validate_data(data)
    for flag in ("missing_indicator", "one_hot", "stratify", "scale_target"):
        _check_bool(getattr(prep, flag), f"prep.{flag}")
    _check_choice(prep.scaling, SCALINGS, "prep.scaling")
    _check_choice(prep.impute, IMPUTERS, "prep.impute")
    _check_choice(prep.split, SPLITS, "prep.split")
    _check_number(prep.test_size, 0.05, 0.9, "prep.test_size")
    _check_number(prep.seed, 0, 2**31 - 1, "prep.seed", integer=True)
    if not isinstance(net.hidden, list) or len(net.hidden) > MAX_HIDDEN:
        raise SpecError(
            f"'network.hidden' must be a list of at most {MAX_HIDDEN} layers. "
            f"Received: {len(net.hidden)} layers"
        )
    for i, layer in enumerate(net.hidden):
        where = f"network.hidden[{i}]"
        _check_number(layer.units, 1, 4096, f"{where}.units", integer=True)
        _check_choice(layer.activation, ACTIVATIONS, f"{where}.activation")
        _check_choice(layer.initializer, INITIALIZERS, f"{where}.initializer")
        _check_bool(layer.use_bias, f"{where}.use_bias")
        _check_number(layer.dropout, 0.0, 0.95, f"{where}.dropout")
        _check_number(layer.l1, 0.0, 1.0, f"{where}.l1")
        _check_number(layer.l2, 0.0, 1.0, f"{where}.l2")
    _check_choice(net.output_activation, ACTIVATIONS, "network.output_activation", optional=True)
    _check_choice(net.output_initializer, INITIALIZERS, "network.output_initializer")
    _check_choice(net.loss, LOSSES, "network.loss", optional=True)
    _check_choice(train.optimizer, OPTIMIZERS, "train.optimizer")
    _check_number(train.learning_rate, 1e-7, 10.0, "train.learning_rate")
    _check_number(train.momentum, 0.0, 0.999, "train.momentum")
    _check_number(train.batch_size, 1, 65536, "train.batch_size", integer=True)
    _check_number(train.epochs, 1, 100_000, "train.epochs", integer=True)
    _check_choice(train.validation, VALIDATIONS, "train.validation")
    _check_number(train.validation_split, 0.05, 0.9, "train.validation_split")
    _check_number(train.patience, 1, 10_000, "train.patience", integer=True)
    _check_number(train.seed, 0, 2**31 - 1, "train.seed", integer=True)
    for flag in ("early_stopping", "restore_best_weights", "class_weights"):
        _check_bool(getattr(train, flag), f"train.{flag}")


def check_limits(experiment: Experiment, limits: HostLimits) -> None:
    """Check the experiment against the caps of this server.

    Args:
        experiment: a validated experiment.
        limits: the host's caps (``builder.config.load_limits()``).

    Raises:
        SpecError: naming the setting over its cap, the cap and the value received.
    """
    hidden = experiment.network.hidden
    if len(hidden) > limits.max_layers:
        raise SpecError(
            f"This server allows at most {limits.max_layers} hidden layers. "
            f"Received: {len(hidden)} layers"
        )
    for i, layer in enumerate(hidden):
        if layer.units > limits.max_units:
            raise SpecError(
                f"This server allows at most {limits.max_units} units in a layer. "
                f"Received: {layer.units} units in hidden layer {i + 1}"
            )
    if experiment.train.epochs > limits.max_epochs:
        raise SpecError(
            f"This server allows at most {limits.max_epochs} epochs. "
            f"Received: {experiment.train.epochs} epochs"
        )


def check_columns(experiment: Experiment, columns: list[str]) -> None:
    """Check that the columns the experiment names exist in the loaded table.

    Args:
        experiment: the experiment, e.g. restored from a link.
        columns: the column names of the table it will run on.

    Raises:
        SpecError: naming the first column the table does not have.
    """
    data = experiment.data
    named = ([data.target] if data.target is not None else []) + list(data.excluded)
    for name in named:
        if name not in columns:
            raise SpecError(
                f"The experiment names a column '{name}' that this table does not have. "
                f"Columns: {', '.join(repr(c) for c in list(columns)[:12])}"
            )


DEFAULT_OUTPUT = {
    "binary": ("sigmoid", "binary_crossentropy"),
    "multiclass": ("softmax", "categorical_crossentropy"),
    "regression": ("linear", "mse"),
}


def output_activation(network: NetworkSpec, task: str) -> str:
    """The output layer's activation: the user's override, else the one the task calls for."""
    return network.output_activation or DEFAULT_OUTPUT[task][0]


def loss_name(network: NetworkSpec, task: str) -> str:
    """The loss: the user's override, else the one the task calls for."""
    return network.loss or DEFAULT_OUTPUT[task][1]


def scales_target(experiment: Experiment, task: str) -> bool:
    """True when the target is standardised for training.

    Only a regression with a linear output and a squared or absolute error loss is
    scaled: there the output layer can take the scaling back exactly, and the error
    in the target's units is the scaled error times the target's standard deviation.
    """
    network = experiment.network
    return (
        experiment.prep.scale_target
        and task == "regression"
        and output_activation(network, task) == "linear"
        and loss_name(network, task) in ("mse", "mae")
    )


def output_units(network: NetworkSpec, task: str, n_classes: int) -> int:
    """Units of the output layer.

    A binary task has one sigmoid unit, unless softmax or categorical
    cross-entropy is chosen, which need one unit per class (the Titanic course
    uses a 2-unit softmax); a multiclass task has one unit per class.
    """
    if task == "regression":
        return 1
    if task == "binary":
        two_units = output_activation(network, task) == "softmax" or (
            loss_name(network, task) == "categorical_crossentropy"
        )
        return 2 if two_units else 1
    return n_classes


def output_warnings(network: NetworkSpec, task: str) -> list[str]:
    """Say in words what is wrong with the output activation and loss chosen for a task.

    Args:
        network: the network, whose output activation and loss may be overridden.
        task: "binary", "multiclass" or "regression".

    Returns:
        One sentence per problem; empty when the combination suits the task.
    """
    activation, loss = output_activation(network, task), loss_name(network, task)
    units = output_units(network, task, n_classes=3)
    found = []
    if activation == "softmax" and units == 1:
        found.append(
            "Softmax on one output unit always outputs 1.0, so the network cannot learn. "
            "Use a linear output for regression."
        )
    if task == "regression":
        if activation in ("sigmoid", "tanh", "softmax"):
            found.append(
                f"A {activation} output squeezes predictions into a small range, but the target "
                "is a number on its own scale. Use a linear output for regression."
            )
        if loss in ("binary_crossentropy", "categorical_crossentropy"):
            found.append(
                f"{loss} compares class probabilities, but the target is a number. "
                "Use mse or mae for regression."
            )
        return found
    if activation not in ("sigmoid", "softmax"):
        found.append(
            f"A {activation} output does not give probabilities, which cross-entropy and "
            "accuracy expect. Use sigmoid (one unit) or softmax (one unit per class)."
        )
    elif task == "multiclass" and activation == "sigmoid":
        found.append(
            "Sigmoid outputs for several classes do not add up to one. Use softmax, "
            "which gives one probability per class."
        )
    elif task == "binary" and activation == "sigmoid" and units == 2:
        found.append(
            "Categorical cross-entropy with two sigmoid units treats the classes separately. "
            "Use softmax with categorical cross-entropy, or one sigmoid unit with binary "
            "cross-entropy."
        )
    if loss in ("mse", "mae"):
        found.append(
            f"{loss} treats the classes as numbers; cross-entropy is the loss that matches "
            "a class task and usually learns faster."
        )
    elif task == "multiclass" and loss == "binary_crossentropy":
        found.append(
            "Binary cross-entropy scores each class on its own and makes accuracy look too "
            "good. Use categorical cross-entropy for several classes."
        )
    return found
