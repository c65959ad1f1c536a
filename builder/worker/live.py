"""Callbacks that let the server watch a run's weights and steer it between epochs.

``HoldWhenPaused`` blocks at the end of an epoch while the user has the run paused
(Pause, then Step one epoch or Resume); ``SendWeights`` sends the layers' weights now
and then, so the Train page can draw the network changing as it learns without
TensorFlow in the server. Both act through plain callables the worker's main loop
gives them (``builder.worker.serve``), so ``builder.worker.tasks.train`` runs without
any of them in tests and in the command line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

import keras
import numpy as np

# A run sends at most this many weight snapshots besides the first (the initial
# weights), evenly spaced over its epochs: the page needs a few per second of replay,
# and the server keeps a finished run's snapshots until the replay has shown them.
SNAPSHOTS_PER_RUN = 50
# Networks with more weights than this send none: the diagram draws at most a dozen
# units a layer, and 10,000 float32 values are 40 kB a snapshot.
MAX_LIVE_WEIGHTS = 10_000


def layer_weights(model: keras.Model) -> dict[str, list]:
    """Weights of every layer that has some, in order, as nested lists: {name: [kernel, bias]}."""
    return {
        layer.name: [w.tolist() for w in layer.get_weights()]
        for layer in model.layers
        if layer.weights
    }


def layer_arrays(model: keras.Model) -> dict[str, list[np.ndarray]]:
    """``layer_weights`` as float32 arrays, for the snapshots the server holds: 4 bytes a
    weight, where a list of Python floats takes about 32."""
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def set_layer_weights(model: keras.Model, weights: dict[str, list]) -> None:
    """Load ``layer_weights`` output into a model of the same shape, layer by layer in order
    (the names may differ: Keras numbers layers per process).

    Raises:
        ValueError: the model's weighted layers differ from the weights' (count or shape).
    """
    layers = [layer for layer in model.layers if layer.weights]
    if len(layers) != len(weights):
        raise ValueError(f"{len(weights)} weighted layers given, the network has {len(layers)}")
    for layer, values in zip(layers, weights.values(), strict=True):
        layer.set_weights([np.asarray(v, dtype=np.float32) for v in values])


def snapshot_every(epochs: int) -> int:
    """Epochs between snapshots, so a run sends at most ``SNAPSHOTS_PER_RUN``."""
    return max(1, math.ceil(epochs / SNAPSHOTS_PER_RUN))


class Hold(Protocol):
    """The worker's pause control: ``wanted()`` is true while the user asks for a pause;
    calling it blocks until the run may go on."""

    def wanted(self) -> bool: ...

    def __call__(self) -> None: ...


class HoldWhenPaused(keras.callbacks.Callback):
    """Call ``hold()`` after every epoch; it returns once the run may go on."""

    def __init__(self, hold: Hold):
        super().__init__()
        self.hold = hold

    def on_epoch_end(self, epoch, logs=None):
        self.hold()


class SendWeights(keras.callbacks.Callback):
    """Send ``(epochs done, layer weights, prep)`` before the first epoch, every ``every``
    epochs after, and after each epoch ``also_when()`` is true (a paused run shows the
    weights it stopped at), when the network is small enough (``MAX_LIVE_WEIGHTS``).
    ``prep`` (the fitted preprocessing, which a decision boundary needs) goes with the
    first only."""

    def __init__(
        self,
        send: Callable[[int, dict, dict | None], None],
        every: int,
        first_epoch: int,
        prep: dict,
        also_when: Callable[[], bool] = lambda: False,
    ):
        super().__init__()
        self.send, self.every, self.first_epoch, self.prep = send, every, first_epoch, prep
        self.also_when = also_when
        self.small = True

    def on_train_begin(self, logs=None):
        self.small = self.model.count_params() <= MAX_LIVE_WEIGHTS
        if self.small:
            self.send(self.first_epoch, layer_arrays(self.model), self.prep)

    def on_epoch_end(self, epoch, logs=None):
        if self.small and ((epoch + 1) % self.every == 0 or self.also_when()):
            self.send(self.first_epoch + epoch + 1, layer_arrays(self.model), None)


def steering_callbacks(
    send_weights: Callable[[int, dict, dict | None], None] | None,
    hold: Hold | None,
    epochs: int,
    first_epoch: int,
    prep: dict,
) -> list[keras.callbacks.Callback]:
    """The callbacks for a run the server watches and steers, in order: the weights
    leave before the run waits, so a paused run's diagram shows where it stands."""
    callbacks: list[keras.callbacks.Callback] = []
    if send_weights is not None:
        also_when = hold.wanted if hold is not None else (lambda: False)
        callbacks.append(
            SendWeights(send_weights, snapshot_every(epochs), first_epoch, prep, also_when)
        )
    if hold is not None:
        callbacks.append(HoldWhenPaused(hold))
    return callbacks
