"""The fast training loop: whole epochs inside one compiled TensorFlow function.

``fit_fast`` keeps the meaning of ``keras.Model.fit`` — shuffle every epoch,
mini-batches of ``batch_size`` with a smaller last batch, validation data or a
validation split, class weights, logs named ``loss``/``accuracy``/``val_loss``,
and the standard callback hooks (so ``History``, ``EarlyStopping`` and
``CSVLogger`` work) — but runs each epoch as one call of a ``tf.function``
looping over pre-batched index tensors. On small tables ``fit()`` spends nearly
all its time in per-step Python and dispatch overhead (about 250 ms per Pima
epoch at batch 5); one compiled epoch takes a few milliseconds. The epoch
function exists twice: as a plain TensorFlow graph, ready in about half a
second, and compiled by XLA (``jit_compile=True``), several times faster a step
but needing one to two seconds more before its first epoch; ``graph_epochs``
decides how many leading epochs run as the plain graph. Batch hooks are called
once per epoch, as ``fit()`` does when ``steps_per_execution`` covers the epoch.
The model stays an ordinary Keras model: its own optimizer, loss and weights are
used and updated.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from builder.workspace import checkpoints

EVAL_CHUNK = 4096
# When the fast loop switches from a plain graph to XLA, in gradient steps: see graph_epochs.
XLA_MIN_STEPS = 4000
XLA_FIRST_EPOCH_STEPS = 2000


def model_targets(y: np.ndarray, units: int) -> np.ndarray:
    """Shape encoded targets the way the output layer and loss expect them.

    Args:
        y: class indices (classification) or values (regression), one per row.
        units: size of the output layer.

    Returns:
        float32 ``(n, 1)`` for one output unit, else a one-hot ``(n, units)`` matrix.
    """
    if units == 1:
        return np.asarray(y, dtype=np.float32).reshape(-1, 1)
    return np.eye(units, dtype=np.float32)[np.asarray(y, dtype=np.int64)]


def balanced_class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Weights ``n / (k * count)`` per class, so rare classes count as much as common ones."""
    counts = np.bincount(np.asarray(y, dtype=np.int64), minlength=n_classes)
    present = counts > 0
    weights = np.where(present, len(y) / (present.sum() * np.maximum(counts, 1)), 0.0)
    return {k: float(w) for k, w in enumerate(weights)}


class StopWhen(keras.callbacks.Callback):
    """Stop training at the end of the epoch once ``should_stop()`` turns true."""

    def __init__(self, should_stop: Callable[[], bool]):
        super().__init__()
        self.should_stop = should_stop
        self.stopped = False

    def on_epoch_end(self, epoch, logs=None):
        if self.should_stop():
            self.stopped = True
            self.model.stop_training = True


class ForwardLogs(keras.callbacks.Callback):
    """Hand each epoch's logs, with the seconds since training began, to ``send``."""

    def __init__(self, send: Callable[[int, dict[str, float], float], None]):
        super().__init__()
        self.send = send
        self.started = 0.0

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.send(epoch, dict(logs or {}), time.perf_counter() - self.started)


class NanGuard(keras.callbacks.Callback):
    """Stop when the loss is no longer a finite number, and say what to try instead."""

    def __init__(self, learning_rate: float | None = None):
        super().__init__()
        self.learning_rate = learning_rate
        self.message: str | None = None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        rate = f" ({self.learning_rate:g})" if self.learning_rate else ""
        what = "infinite" if math.isinf(loss) else "not a number (NaN)"
        self.message = (
            f"Training stopped at epoch {epoch + 1}: the loss became {what}, so the weights "
            f"blew up. The learning rate{rate} is probably too high: try one ten times lower, "
            "or standardise the inputs (Scaling, under Preprocessing on the Build page)."
        )
        self.model.stop_training = True


class SaveWeights(keras.callbacks.Callback):
    """Save the weights into ``folder`` after the first epoch, then at most every
    ``seconds``, so a run the server lost can continue from them.

    A time budget rather than an epoch count: a run of 5 ms epochs would otherwise spend
    its time writing files, and one of minute-long epochs would lose minutes. Each file is
    written under a temporary name and renamed into place (``builder.workspace.checkpoints``).
    """

    def __init__(self, folder: str, first_epoch: int = 0, seconds: float = 2.0):
        super().__init__()
        self.folder, self.first_epoch, self.seconds = folder, first_epoch, seconds
        self.saved_at: float | None = None

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        if self.saved_at is not None and now - self.saved_at < self.seconds:
            return
        if not os.path.isdir(self.folder):  # the student deleted their data meanwhile
            return
        number = self.first_epoch + epoch + 1
        partial = checkpoints.partial_path(self.folder, number)
        self.model.save_weights(str(partial))
        os.replace(partial, checkpoints.saved_path(self.folder, number))
        checkpoints.prune(self.folder)
        self.saved_at = now


def _accuracy(y, p):
    if p.shape[-1] == 1:
        return tf.cast(tf.equal(tf.cast(p[:, 0] > 0.5, p.dtype), y[:, 0]), p.dtype)
    return tf.cast(tf.equal(tf.argmax(p, axis=-1), tf.argmax(y, axis=-1)), p.dtype)


_METRICS = {
    "accuracy": _accuracy,
    "mae": lambda y, p: tf.reduce_mean(tf.abs(y - p), axis=-1),
    "mse": lambda y, p: tf.reduce_mean(tf.square(y - p), axis=-1),
}


def _index_batches(order: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices as a ``(steps, batch_size)`` matrix; the padded tail has mask 0."""
    steps = -(-len(order) // batch_size)
    pad = steps * batch_size - len(order)
    index = np.concatenate([order, np.zeros(pad, np.int64)]).astype(np.int32)
    mask = np.concatenate([np.ones(len(order)), np.zeros(pad)]).astype(np.float32)
    return index.reshape(steps, batch_size), mask.reshape(steps, batch_size)


def graph_epochs(steps_per_epoch: int, epochs: int) -> int:
    """How many leading epochs run as a plain TensorFlow graph before XLA takes over.

    Measured on a 2-core machine with a warm worker: tracing the epoch function takes
    about 0.3 s and a plain graph's first call 0.25 s more; XLA's first call takes 0.7
    to 1.8 s more than that, then saves about 0.2 to 0.5 ms a step (a plain graph step
    costs 0.2 to 0.6 ms, an XLA one a few tens of µs). So XLA pays for itself after
    roughly 4000 steps (``XLA_MIN_STEPS``): a shorter run stays a plain graph from start
    to end. A longer run does its first epoch as a plain graph, so the first point
    reaches the chart without waiting for the compile, and switches to XLA for the
    rest. The detour costs the run the plain graph's trace and one slow epoch, while
    the first point's head start shrinks as the epoch grows, to none at 4352 steps
    (the batch-1 wine run: 1.26 s plain against 1.30 s compiled, and 0.9 s more in
    all). Past ``XLA_FIRST_EPOCH_STEPS`` (2000, about 0.5 s still gained) it compiles
    from the start.

    Args:
        steps_per_epoch: gradient steps in one epoch.
        epochs: epochs the run may last.

    Returns:
        0 (XLA from the start) to ``epochs`` (never XLA).
    """
    if steps_per_epoch > XLA_FIRST_EPOCH_STEPS:
        return 0
    if steps_per_epoch * epochs < XLA_MIN_STEPS:
        return epochs
    return 1


class CompiledLoop:
    """One model's epoch function, as a plain graph (``graph``) and compiled by XLA (``xla``).

    Both trace the same Python function over the same model, optimizer and data, so
    they compute the same numbers (up to floating-point rounding) and either can take
    over from the other between epochs.
    """

    def __init__(self, model: keras.Model, metrics: list[str]):
        self.model = model
        self.metrics = list(metrics)
        self.loss_fn = keras.losses.get(model.loss)
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        self.graph = tf.function(self._epoch, autograph=False)
        self.xla = tf.function(self._epoch, jit_compile=True, autograph=False)

    def _batch(self, x, y, w, index, mask, training):
        """Loss (mean over real rows, plus regularisation) and metric sums of a batch.

        As in ``fit()``, class weights weigh the loss only; metrics count every row once.
        """
        xb, yb = tf.gather(x, index), tf.gather(y, index)
        wb = tf.gather(w, index) * mask
        pred = self.model(xb, training=training)
        rows = tf.reduce_sum(mask)
        loss = tf.reduce_sum(self.loss_fn(yb, pred) * wb) / rows
        if self.model.losses:
            loss += tf.add_n(self.model.losses)
        sums = [tf.reduce_sum(_METRICS[name](yb, pred) * mask) for name in self.metrics]
        return loss, rows, sums

    def _loop(self, x, y, w, index, mask, training):
        """Run every batch in order; return (mean loss, mean of each metric)."""
        model = self.model

        def step(i, loss_sum, rows_sum, sums):
            if training:
                with tf.GradientTape() as tape:
                    loss, rows, batch_sums = self._batch(x, y, w, index[i], mask[i], True)
                grads = tape.gradient(loss, model.trainable_variables)
                model.optimizer.apply(grads, model.trainable_variables)
            else:
                loss, rows, batch_sums = self._batch(x, y, w, index[i], mask[i], False)
            # Like fit(): the epoch loss is the batch losses' mean weighted by batch size.
            sums = [a + b for a, b in zip(sums, batch_sums, strict=True)]
            return i + 1, loss_sum + loss * rows, rows_sum + rows, sums

        zero = tf.constant(0.0)
        _, loss_sum, rows_sum, sums = tf.while_loop(
            lambda i, *_: i < tf.shape(index)[0],
            step,
            (tf.constant(0), zero, zero, [zero for _ in self.metrics]),
            # Each step reads the weights the one before wrote: say so to the plain
            # graph's executor rather than rely on its ordering of stateful ops (it
            # costs nothing measurable; XLA runs the steps in order either way).
            parallel_iterations=1,
        )
        return loss_sum / rows_sum, [s / rows_sum for s in sums]

    def _epoch(self, train, validation):
        """One training epoch, then (when given) the validation pass, in one compiled call.

        Fusing both keeps to a single trace (and XLA compilation), which dominates the
        time to the first epoch on small tables.
        """
        result = self._loop(*train, training=True)
        if validation is None:
            return result, None
        return result, self._loop(*validation, training=False)

    def logs(self, result, prefix: str = "") -> dict[str, float]:
        """Turn a loop result into Keras-style logs."""
        loss, metrics = result
        logs = {f"{prefix}loss": float(loss)}
        logs.update({f"{prefix}{n}": float(v) for n, v in zip(self.metrics, metrics, strict=True)})
        return logs


def _scaled(logs: dict[str, float], factors: dict[str, float] | None) -> dict[str, float]:
    """Logs with each named value multiplied by its factor (all others unchanged)."""
    if not factors:
        return logs
    return {name: value * factors.get(name, 1.0) for name, value in logs.items()}


def fit_fast(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int = 32,
    epochs: int = 1,
    metrics: tuple[str, ...] | list[str] = ("accuracy",),
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    validation_split: float = 0.0,
    class_weight: dict[int, float] | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    log_factors: dict[str, float] | None = None,
    plain_epochs: int | None = None,
) -> keras.callbacks.History:
    """Train a compiled model like ``model.fit`` does, one compiled call per epoch.

    Args:
        model: a compiled Keras model (its optimizer and loss are used).
        x: float32 features, one row per example.
        y: targets shaped like the model's output (see ``model_targets``).
        batch_size: rows per gradient step; the last batch of an epoch may be smaller.
        epochs: how many passes over the training rows.
        metrics: tracked besides the loss: any of ``accuracy``, ``mae``, ``mse``.
        validation_data: (x, y) evaluated after every epoch, logged as ``val_*``.
        validation_split: used when no validation data is given: the last fraction of
            the rows (before shuffling), as ``fit()`` takes it.
        class_weight: weight per class index for the training loss, as in ``fit()``.
        callbacks: Keras callbacks; their hooks are called as ``fit()`` calls them.
        shuffle: reshuffle the training rows before every epoch.
        seed: seed of the shuffling order.
        log_factors: multiply these logs (and their ``val_`` twins) by these factors before
            callbacks see them, e.g. ``{"mae": sd, "mse": sd**2, "loss": sd**2}`` to report the
            errors of a target standardised for training in the target's own units.
        plain_epochs: leading epochs run as a plain graph before switching to XLA;
            None lets ``graph_epochs`` choose, 0 compiles from the start.

    Returns:
        The ``History`` callback (also ``model.history``).
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    if validation_data is None and validation_split:
        cut = int(len(x) * (1.0 - validation_split))
        x, validation_data = x[:cut], (x[cut:], y[cut:])
        y = y[:cut]
    weights = np.ones(len(x), dtype=np.float32)
    if class_weight:
        classes = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
        weights = np.array([class_weight[int(c)] for c in classes], dtype=np.float32)
    loop = CompiledLoop(model, list(metrics))
    data = (tf.constant(x), tf.constant(y), tf.constant(weights))
    validation = None
    if validation_data is not None:
        val_x = np.asarray(validation_data[0], dtype=np.float32)
        val_y = np.asarray(validation_data[1], dtype=np.float32)
        chunks = _index_batches(np.arange(len(val_x)), max(1, min(EVAL_CHUNK, len(val_x))))
        validation = (tf.constant(val_x), tf.constant(val_y), tf.ones(len(val_x)), *chunks)
    rng = np.random.default_rng(seed)
    steps = -(-len(x) // batch_size)
    if plain_epochs is None:
        plain_epochs = graph_epochs(steps, epochs)
    callback_list = keras.callbacks.CallbackList(
        callbacks, add_history=True, model=model, verbose=0, epochs=epochs, steps=steps
    )
    model.stop_training = False
    callback_list.on_train_begin()
    logs = None
    for epoch in range(epochs):
        callback_list.on_epoch_begin(epoch)
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        callback_list.on_train_batch_begin(0)
        run_epoch = loop.graph if epoch < plain_epochs else loop.xla
        result, val_result = run_epoch((*data, *_index_batches(order, batch_size)), validation)
        logs = _scaled(loop.logs(result), log_factors)
        callback_list.on_train_batch_end(steps - 1, logs)
        if val_result is not None:
            val_logs = _scaled(loop.logs(val_result), log_factors)
            callback_list.on_test_begin()
            callback_list.on_test_end(val_logs)
            logs.update({f"val_{name}": value for name, value in val_logs.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    model.optimizer.finalize_variable_values(model.trainable_weights)
    callback_list.on_train_end(logs=logs)
    return model.history
