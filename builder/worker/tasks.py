"""What a worker does on request, returning plain numbers the server can use without Keras.

``train`` prepares the table, builds and trains the experiment's network with the
fast loop, and returns its history, final metrics, weights, test predictions and
the model as ``.keras`` bytes (for the Evaluate and Export steps); ``convert`` turns
those bytes into ONNX, TensorFlow Lite and a SavedModel (``builder.worker.formats``).
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pandas as pd
from sklearn.metrics import r2_score

from builder.errors import TrainingError
from builder.experiment.spec import DataSpec, Experiment, TrainSpec, loss_name, validate
from builder.tables import prep
from builder.tables.samples import load_sample
from builder.worker import formats
from builder.worker.export import export_files
from builder.worker.live import Hold, layer_weights, set_layer_weights, steering_callbacks
from builder.worker.network import (
    compiled_model,
    error_factors,
    fold_target_scale,
    metric_names,
)
from builder.worker.references import fit_references
from builder.worker.training import (
    ForwardLogs,
    NanGuard,
    SaveWeights,
    StopWhen,
    balanced_class_weights,
    fit_fast,
    model_targets,
)
from builder.workspace.checkpoints import save_initial

PREDICT_CHUNK = 8192


@functools.lru_cache(maxsize=4)
def sample_frame(key: str) -> pd.DataFrame:
    """A bundled sample, read once per worker process."""
    return load_sample(key)[0]


def _outputs(model: keras.Model, x: np.ndarray):
    """(first row, output tensor) of rows ``x``, chunk by chunk, at inference (no dropout)."""
    for start in range(0, len(x), PREDICT_CHUNK):
        yield start, model(x[start : start + PREDICT_CHUNK], training=False)


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The model's outputs for rows ``x``, in chunks, as float32 numpy."""
    parts = [keras.ops.convert_to_numpy(out) for _, out in _outputs(model, x)]
    if not parts:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(parts).astype(np.float32)


def scores(model: keras.Model, task: str, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Loss and the task's metrics on one split: accuracy, or MSE, MAE and R² (two rows or more).

    The loss is the one training logs as ``val_loss`` for the same rows: computed on the
    output tensor, from which Keras takes a softmax's or sigmoid's logits. On numpy
    probabilities it would be clipped at -log(1e-7) ≈ 16 a row, so a diverged run's test
    loss read far lower than its validation loss on the very same rows.

    Args:
        y: encoded targets (class index or value), as ``builder.tables.prep`` makes them.
    """
    units = model.output_shape[-1]
    targets = model_targets(y, units)
    loss_fn = keras.losses.get(model.loss)
    losses, parts = [], []
    for start, out in _outputs(model, x):
        rows = targets[start : start + PREDICT_CHUNK]
        losses.append(keras.ops.convert_to_numpy(loss_fn(rows, out)).reshape(-1))
        parts.append(keras.ops.convert_to_numpy(out))
    out = np.concatenate(parts) if parts else np.zeros((0, units), dtype=np.float32)
    result = {"loss": float(np.mean(np.concatenate(losses))) if losses else float("nan")}
    if model.losses:
        result["loss"] += float(sum(keras.ops.convert_to_numpy(v) for v in model.losses))
    if task == "regression":
        error = out[:, 0] - np.asarray(y, dtype=np.float32)
        result.update(mse=float(np.mean(error**2)), mae=float(np.mean(np.abs(error))))
        if len(y) > 1:
            result["r2"] = float(r2_score(y, out[:, 0]))
    else:
        result["accuracy"] = float(np.mean(predicted_classes(out) == y))
    return result


def predicted_classes(out: np.ndarray) -> np.ndarray:
    """Class index per row: threshold 0.5 for one output unit, else the largest output."""
    return (out[:, 0] > 0.5).astype(np.int32) if out.shape[-1] == 1 else out.argmax(axis=1)


def model_bytes(model: keras.Model) -> bytes:
    """The model as the bytes of a ``.keras`` file."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as handle:
            return handle.read()


def train(
    frame: pd.DataFrame,
    experiment: Experiment,
    on_epoch: Callable[[int, dict[str, float], float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep_model: bool = False,
    checkpoints: str | None = None,
    resume: dict[str, Any] | None = None,
    on_weights: Callable[[int, dict, dict | None], None] | None = None,
    hold: Hold | None = None,
) -> dict[str, Any]:
    """Train an experiment on a table.

    Args:
        frame: the whole table; it is split as ``experiment.prep`` says.
        experiment: data choice, preprocessing, network and training settings.
        on_epoch: called after every epoch with (epoch, logs, seconds since start).
        should_stop: polled after every epoch; True stops and keeps the model so far.
        keep_model: also return the live ``keras.Model`` under ``"model"`` (in-process use).
        checkpoints: a folder to save the weights in now and then (``SaveWeights``), and
            the initial weights once.
        resume: ``{"weights": …, "history": [epoch records]}``: start from the weights
            reached after the last epoch of ``history`` and train the epochs left. The
            weights are a checkpoint's path (its optimizer state included: an interrupted
            run goes on) or ``layer_weights`` output (a run continued with other settings,
            or restarted from another's initial weights: the optimizer starts afresh).
            The preprocessing is fitted again on the same split. ``"initial_weights"``,
            when given, is what the result reports as the run's initial weights.
        on_weights: called with (epochs done, ``live.layer_arrays``, fitted preprocessing or
            None) before the first epoch and now and then after (``live.SendWeights``).
        hold: a ``builder.worker.live.Hold``: called after every epoch, it blocks while the
            user has the run paused.

    Returns:
        Plain data: task, classes, feature names, fitted preprocessing, history,
        epochs run, why it ended, the epoch whose weights it kept, seconds, train/test
        metrics, weights, test rows with their targets and predictions, and the
        ``.keras`` bytes.

    Raises:
        SpecError, DataError: the experiment or table cannot be used.
        TrainingError: the loss stopped being a number (with what to try).
    """
    validate(experiment)
    started = time.perf_counter()
    data = prep.prepare(frame, experiment)
    task, spec = data.prep.task, experiment.train
    keras.utils.set_random_seed(spec.seed)
    model = compiled_model(experiment, data.x_train.shape[1], task, len(data.prep.classes))
    before = list((resume or {}).get("history", []))
    done = len(before)
    if resume is not None:
        _start_from(model, resume["weights"])
        if on_epoch is not None:
            send, offset = on_epoch, before[-1]["seconds"] if before else 0.0

            def on_epoch(epoch, logs, seconds):
                send(epoch + done, logs, seconds + offset)

    units = model.output_shape[-1]
    fitted, loss = data.prep, loss_name(experiment.network, task)
    # A scaled regression target trains as (y - mean) / sd; the logs stay in its own units.
    y_train, y_test = data.y_train, data.y_test
    factors = None
    if task == "regression":
        y_train, y_test = fitted.scale_target(y_train), fitted.scale_target(y_test)
        factors = error_factors(loss, fitted.target_scale)
    y_train, y_test = model_targets(y_train, units), model_targets(y_test, units)
    guard = NanGuard(spec.learning_rate)
    stopper = StopWhen(should_stop or (lambda: False))
    callbacks: list[keras.callbacks.Callback] = [guard]
    if on_epoch is not None:
        callbacks.append(ForwardLogs(on_epoch))
    # Before Stop is looked at: a paused run that is then stopped ends where it paused.
    callbacks += steering_callbacks(on_weights, hold, spec.epochs - done, done, fitted.to_dict())
    callbacks.append(stopper)
    if checkpoints is not None:
        callbacks.append(SaveWeights(checkpoints, first_epoch=done))
    early = None
    if spec.early_stopping:
        monitor = "loss" if spec.validation == "none" else "val_loss"
        early = keras.callbacks.EarlyStopping(
            monitor=monitor, patience=spec.patience, restore_best_weights=spec.restore_best_weights
        )
        callbacks.append(early)
    class_weight = None
    if spec.class_weights and task != "regression":
        class_weight = balanced_class_weights(data.y_train, len(data.prep.classes))
    # A continued run keeps the weights its first ancestor started from.
    initial_weights = (resume or {}).get("initial_weights") or layer_weights(model)
    if checkpoints is not None:
        save_initial(checkpoints, initial_weights)
    fit_started = time.perf_counter()
    history = fit_fast(
        model,
        data.x_train,
        y_train,
        batch_size=spec.batch_size,
        epochs=max(1, spec.epochs - done),
        metrics=metric_names(task),
        validation_data=(data.x_test, y_test) if spec.validation == "test" else None,
        validation_split=spec.validation_split if spec.validation == "split" else 0.0,
        class_weight=class_weight,
        callbacks=callbacks,
        seed=spec.seed,
        log_factors=factors,
    )
    train_seconds = time.perf_counter() - fit_started
    if guard.message:
        raise TrainingError(guard.message)
    if task == "regression":
        fold_target_scale(model, fitted.target_offset, fitted.target_scale)
    ended = "stopped" if stopper.stopped else "finished"
    if early is not None and early.stopped_epoch > 0:
        ended = "early_stopped"
    epochs_run = done + len(history.history.get("loss", []))
    restored = early is not None and early.restore_best_weights and early.best_weights is not None
    out = predict(model, data.x_test)
    result = {
        "name": experiment.name,
        "task": task,
        "loss_name": loss,
        "classes": data.prep.class_names,
        "feature_names": data.prep.feature_names,
        "prep": data.prep.to_dict(),
        "history": {
            k: [float(r[k]) for r in before if k in r] + [float(v) for v in vs]
            for k, vs in history.history.items()
        },
        "epochs_run": epochs_run,
        "ended": ended,
        "best_epoch": (done + early.best_epoch + 1) if early is not None else None,
        # The epoch whose weights the model ends with: EarlyStopping restores the best
        # epoch's at the end of training, however it ended; without it, the last epoch's.
        "kept_epoch": (done + early.best_epoch + 1) if restored else epochs_run,
        "train_seconds": train_seconds,
        "total_seconds": time.perf_counter() - started,
        "metrics": {
            "train": scores(model, task, data.x_train, data.y_train),
            "test": scores(model, task, data.x_test, data.y_test),
        },
        "weights": layer_weights(model),
        # What "Restart from the same initial weights" starts another run from.
        "initial_weights": initial_weights,
        "test_rows": data.test_rows,
        "y_test": data.y_test.tolist(),
        "predictions": out.tolist(),
        "rows": {"train": len(data.x_train), "test": len(data.x_test), "dropped": data.dropped},
        # A linear model and boosted trees on the very matrices the network saw, so the
        # verdict can say whether a simpler or another kind of model does better.
        "references": fit_references(
            data.x_train,
            data.y_train,
            data.x_test,
            data.y_test,
            task,
            data.prep.class_names,
            balanced=class_weight is not None,
        ),
        "model_bytes": model_bytes(model),
        "export": export_files(model, data.prep),
    }
    if keep_model:
        result["model"] = model
    return result


def _start_from(model: keras.Model, weights: str | dict[str, list]) -> None:
    """Load a resumed run's starting weights: a checkpoint file or ``layer_weights`` output."""
    if isinstance(weights, dict):
        try:
            set_layer_weights(model, weights)
        except ValueError as error:
            raise TrainingError(
                f"The weights to start from do not fit this network ({error}). "
                "Continue or restart only with the same layers and inputs."
            ) from error
        return
    # The file holds the optimizer's variables too (Adam's moments, its step count);
    # they load only into an optimizer already built for the model's weights.
    model.optimizer.build(model.trainable_variables)
    model.load_weights(weights)


def run(
    kind: str,
    payload: dict[str, Any],
    on_epoch: Callable[[int, dict[str, float], float], None],
    should_stop: Callable[[], bool],
    on_weights: Callable[[int, dict, dict | None], None] | None = None,
    hold: Hold | None = None,
) -> dict[str, Any]:
    """Do one job a worker received.

    Args:
        kind: ``"train"`` or ``"convert"``.
        payload: for ``train``, ``{"experiment": Experiment.to_dict(), "table": DataFrame
            or None, "checkpoints": folder or None, "resume": see ``train``}``; without a
            table the experiment's sample is read here, in the worker. For ``convert``, a
            train result's ``{"model_bytes": …, "prep": …}``.
        on_epoch: forwards each epoch's logs to the server.
        should_stop: true once the user pressed Stop (or the time limit passed).
        on_weights, hold: see ``train``.

    Returns:
        The task's plain-data result; for ``convert``, ``{"files": {path: bytes}}``
        (see ``formats.convert``).

    Raises:
        BuilderError: the job cannot be done, with the reason in words.
    """
    if kind == "convert":
        return {"files": formats.convert(payload["model_bytes"], payload["prep"])}
    if kind != "train":
        raise TrainingError(f"A worker cannot do '{kind}'. Jobs it can do: train, convert.")
    experiment = Experiment.from_dict(payload["experiment"])
    frame = payload.get("table")
    if frame is None:
        frame = sample_frame(experiment.data.source)
    return train(
        frame,
        experiment,
        on_epoch=on_epoch,
        should_stop=should_stop,
        checkpoints=payload.get("checkpoints"),
        resume=payload.get("resume"),
        on_weights=on_weights,
        hold=hold,
    )


def warm_up() -> None:
    """Train and save a tiny network once, so TensorFlow's one-time start-up is paid early.

    A run this short trains as a plain graph; one more epoch compiled by XLA pays XLA's
    own start-up too, for the first long run.
    """
    frame = pd.DataFrame({"x": np.linspace(0.0, 1.0, 16), "y": [0, 1] * 8})
    experiment = Experiment(
        data=DataSpec(source="upload", target="y"), train=TrainSpec(epochs=2, batch_size=4)
    )
    train(frame, experiment)
    model = compiled_model(experiment, 1, "binary", 2)
    y = model_targets(frame["y"].to_numpy(), model.output_shape[-1])
    fit_fast(model, frame[["x"]].to_numpy(np.float32), y, batch_size=4, plain_epochs=0)
