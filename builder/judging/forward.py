"""Forward propagation in NumPy from a trained network's weights, neuron by neuron.

The worker returns weights as plain numbers; this module recomputes what the
network does with them, so a page can show each neuron's weighted sum and
activation for a row (the classic forward-propagation exercise) and draw a
decision boundary without TensorFlow in the server. Dropout is inactive at
prediction time, and regularisers only act in training, so neither appears here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import erf

from builder.errors import SpecError

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "selu": lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
    # Keras' gelu defaults to the exact form (approximate=False).
    "gelu": lambda z: 0.5 * z * (1.0 + erf(z / np.sqrt(2.0))),
    "softmax": _softmax,
    "linear": lambda z: z,
}


@dataclass(frozen=True)
class DenseWeights:
    """One Dense layer as plain numbers: kernel (inputs × units), bias (units) or None."""

    kernel: np.ndarray
    bias: np.ndarray | None
    activation: str

    @classmethod
    def from_lists(cls, kernel: list, bias: list | None, activation: str) -> DenseWeights:
        """Build from the nested lists a worker sends."""
        if activation not in ACTIVATIONS:
            raise SpecError(
                f"Activation must be one of {', '.join(ACTIVATIONS)}. Received: {activation!r}"
            )
        return cls(
            kernel=np.asarray(kernel, dtype=np.float64),
            bias=None if bias is None else np.asarray(bias, dtype=np.float64),
            activation=activation,
        )


@dataclass(frozen=True)
class LayerTrace:
    """What one layer did with one row: each neuron's weighted sum and its activation."""

    weighted_sums: np.ndarray
    activations: np.ndarray


def forward(inputs: np.ndarray, layers: list[DenseWeights]) -> np.ndarray:
    """The network's outputs for a batch of already-prepared inputs, shape (rows, features)."""
    values = np.asarray(inputs, dtype=np.float64)
    for layer in layers:
        values = ACTIVATIONS[layer.activation](_weighted_sums(values, layer))
    return values


def trace_row(row: np.ndarray, layers: list[DenseWeights]) -> list[LayerTrace]:
    """Follow one prepared input row through every layer, keeping each neuron's numbers."""
    values = np.asarray(row, dtype=np.float64).reshape(1, -1)
    traces = []
    for layer in layers:
        sums = _weighted_sums(values, layer)
        values = ACTIVATIONS[layer.activation](sums)
        traces.append(LayerTrace(weighted_sums=sums[0], activations=values[0]))
    return traces


def _weighted_sums(values: np.ndarray, layer: DenseWeights) -> np.ndarray:
    if values.shape[1] != layer.kernel.shape[0]:
        raise SpecError(
            f"A layer expects {layer.kernel.shape[0]} inputs. Received: {values.shape[1]}"
        )
    sums = values @ layer.kernel
    return sums if layer.bias is None else sums + layer.bias
