"""Keras code generated from an Experiment, one block per function.

Each ``*_block`` function returns one self-contained piece of Python source
(imports, the model, the compile call) so a whole training script can be
assembled from the same blocks plus data loading and fitting.
"""

from __future__ import annotations

import json

from builder.spec import (
    Experiment,
    LayerSpec,
    NetworkSpec,
    TrainSpec,
    loss_name,
    output_activation,
    output_units,
)

OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
INDENT = " " * 8
LINE_LENGTH = 100  # the generated code passes `ruff format` at this line length


def imports_block() -> str:
    """The imports the model code needs."""
    return "import keras\nfrom keras import layers, regularizers\n"


def metrics(network: NetworkSpec, task: str) -> list[str]:
    """The metrics reported while training: accuracy for classes, the other error for numbers."""
    if task != "regression":
        return ["accuracy"]
    return ["mse"] if loss_name(network, task) == "mae" else ["mae"]


def dense_code(units: int, activation: str, initializer: str, layer: LayerSpec | None) -> str:
    """One ``layers.Dense(...)`` call; ``layer`` adds bias and regularisation settings."""
    args = [str(units), f'activation="{activation}"', f'kernel_initializer="{initializer}"']
    if layer is not None and not layer.use_bias:
        args.append("use_bias=False")
    if layer is not None and (layer.l1 or layer.l2):
        args.append(f"kernel_regularizer=regularizers.L1L2(l1={layer.l1!r}, l2={layer.l2!r})")
    return _call("layers.Dense", args)


def _call(function: str, args: list[str]) -> str:
    """A call on one line inside the layer list, or one argument per line when too long."""
    line = f"{function}({', '.join(args)})"
    if len(INDENT) + len(line) + 1 <= LINE_LENGTH:
        return line
    inner = "".join(f"{INDENT}    {arg},\n" for arg in args)
    return f"{function}(\n{inner}{INDENT})"


def layer_lines(network: NetworkSpec, task: str, n_classes: int) -> list[str]:
    """The model's layers after the input, each as one line of source."""
    lines = []
    for layer in network.hidden:
        lines.append(dense_code(layer.units, layer.activation, layer.initializer, layer))
        if layer.dropout > 0:
            lines.append(_call("layers.Dropout", [repr(layer.dropout)]))
    units = output_units(network, task, n_classes)
    activation = output_activation(network, task)
    lines.append(dense_code(units, activation, network.output_initializer, None))
    return lines


def model_block(experiment: Experiment, inputs: int, task: str, n_classes: int) -> str:
    """Source that seeds Keras and builds the ``keras.Sequential`` model.

    Args:
        experiment: the experiment (its network and training seed).
        inputs: the number of inputs after preprocessing.
        task: "binary", "multiclass" or "regression".
        n_classes: the number of classes (ignored for regression).

    Returns:
        Python source defining ``model``.
    """
    body = [f"keras.Input(shape=({inputs},))"]
    body += layer_lines(experiment.network, task, n_classes)
    rows = "".join(f"{INDENT}{line},\n" for line in body)
    return (
        f"keras.utils.set_random_seed({experiment.train.seed})\n"
        "model = keras.Sequential(\n"
        "    [\n"
        f"{rows}"
        "    ]\n"
        ")\n"
    )


def optimizer_code(train: TrainSpec) -> str:
    """The optimizer constructor call with its learning rate (and SGD's momentum)."""
    args = f"learning_rate={train.learning_rate!r}"
    if train.optimizer == "sgd" and train.momentum:
        args += f", momentum={train.momentum!r}"
    return f"keras.optimizers.{OPTIMIZER_CLASSES[train.optimizer]}({args})"


def compile_block(experiment: Experiment, task: str) -> str:
    """Source of the ``model.compile(...)`` call: optimizer, loss and metrics."""
    network = experiment.network
    return (
        "model.compile(\n"
        f"    optimizer={optimizer_code(experiment.train)},\n"
        f'    loss="{loss_name(network, task)}",\n'
        f"    metrics={json.dumps(metrics(network, task))},\n"
        ")\n"
    )


def network_code(experiment: Experiment, inputs: int, task: str, n_classes: int) -> str:
    """Keras code that builds and compiles exactly this network, then prints its summary.

    Args:
        experiment: the experiment.
        inputs: the number of inputs after preprocessing.
        task: "binary", "multiclass" or "regression".
        n_classes: the number of classes (ignored for regression).

    Returns:
        A runnable Python script.
    """
    return "\n".join(
        [
            imports_block(),
            model_block(experiment, inputs, task, n_classes),
            compile_block(experiment, task),
            "model.summary()\n",
        ]
    )
