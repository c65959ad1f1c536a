"""NetworkSpec -> an ordinary, compiled ``keras.Model`` (worker processes only).

The output layer, its size and the loss follow the task through
``builder.experiment.spec`` (``output_activation``, ``output_units``, ``loss_name``), so the
parameter counts the Build page shows from the spec alone match this model.
"""

from __future__ import annotations

import keras

from builder.experiment.spec import (
    Experiment,
    NetworkSpec,
    TrainSpec,
    loss_name,
    output_activation,
    output_units,
)


def build_model(network: NetworkSpec, n_features: int, task: str, n_classes: int) -> keras.Model:
    """Stack the hidden Dense layers (with dropout and L1/L2 when set) and the output layer.

    Args:
        network: the layers to build.
        n_features: width of the input (columns after preprocessing).
        task: binary, multiclass or regression.
        n_classes: number of classes (ignored for regression).

    Returns:
        An uncompiled functional model with named layers ``hidden_1`` … ``output``.
    """
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for number, layer in enumerate(network.hidden, start=1):
        regularizer = None
        if layer.l1 or layer.l2:
            regularizer = keras.regularizers.L1L2(l1=layer.l1, l2=layer.l2)
        x = keras.layers.Dense(
            layer.units,
            activation=layer.activation,
            use_bias=layer.use_bias,
            kernel_initializer=layer.initializer,
            kernel_regularizer=regularizer,
            name=f"hidden_{number}",
        )(x)
        if layer.dropout:
            x = keras.layers.Dropout(layer.dropout, name=f"dropout_{number}")(x)
    outputs = keras.layers.Dense(
        output_units(network, task, n_classes),
        activation=output_activation(network, task),
        kernel_initializer=network.output_initializer,
        name="output",
    )(x)
    return keras.Model(inputs, outputs, name="network")


def make_optimizer(train: TrainSpec) -> keras.optimizers.Optimizer:
    """The optimizer the spec names, with its learning rate (and momentum for sgd)."""
    rate = train.learning_rate
    if train.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=rate, momentum=train.momentum)
    if train.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=rate)
    if train.optimizer == "adagrad":
        return keras.optimizers.Adagrad(learning_rate=rate)
    return keras.optimizers.Adam(learning_rate=rate)


def metric_names(task: str) -> list[str]:
    """What is tracked besides the loss: accuracy for classes, MAE for numbers."""
    return ["mae"] if task == "regression" else ["accuracy"]


def fold_target_scale(model: keras.Model, offset: float, scale: float) -> None:
    """Make a model trained on a standardised target predict in the target's own units.

    The output layer is linear (``spec.scales_target``), so ``(x @ W + b) * scale + offset``
    is the same layer with kernel ``W * scale`` and bias ``b * scale + offset``.
    """
    layer = model.get_layer("output")
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel * scale, bias * scale + offset])


def error_factors(loss: str, scale: float) -> dict[str, float]:
    """How much the errors on a target divided by ``scale`` grow in the target's own units."""
    factors = {"mae": scale, "mse": scale**2}
    return {**factors, "loss": factors[loss]} if loss in factors else factors


def compiled_model(experiment: Experiment, n_features: int, task: str, n_classes: int):
    """Build the experiment's network and compile it with its optimizer, loss and metric.

    Call ``keras.utils.set_random_seed`` first for reproducible initial weights.

    Returns:
        A compiled ``keras.Model``.
    """
    model = build_model(experiment.network, n_features, task, n_classes)
    model.compile(
        optimizer=make_optimizer(experiment.train),
        loss=loss_name(experiment.network, task),
        metrics=metric_names(task),
    )
    return model
