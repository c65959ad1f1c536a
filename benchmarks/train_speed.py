"""Training speed: the project's compiled loop against plain Keras ``fit()`` and scikit-learn.

Each seed preset is trained the project's way (``builder.worker.tasks.train``) and
with plain ``model.fit()`` of the identical network (same optimizer, batch size,
epochs, validation data, starting weights), timed from the start of training to
its end, twice:

- cold: each run in a fresh Python process that has imported TensorFlow and done
  nothing else, so it pays every one-time cost (a run right after a worker starts
  without its warm-up, or a script run once);
- warm: all runs in this one process after both ways have trained a tiny network
  (``tasks.warm_up`` and a ``fit()``), as in a worker that has trained before,
  beside scikit-learn's MLPClassifier/MLPRegressor where the network can be
  expressed there.

Then, through a warm worker pool, the time from submitting a run (clicking Train)
to its first epoch arriving in the server.

    python benchmarks/train_speed.py [--only iris pima-small] [--skip-cold] [--skip-pool | --skip-speed]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SEED_PRESETS = (
    "wine-type",
    "wine-quality",
    "pima-small",
    "pima-deep",
    "iris",
    "wages",
    "titanic",
    "digits",
)


def steady_ms(ends: list[float]) -> float:
    """Median epoch duration in ms, leaving out the first epoch (it includes compiling)."""
    steps = [b - a for a, b in itertools.pairwise(ends)]
    return 1000 * statistics.median(steps) if steps else float("nan")


def project_run(key: str) -> dict:
    from builder.experiment.presets import PRESETS, preset_experiment
    from builder.worker import tasks

    experiment = preset_experiment(key)
    ends: list[float] = []
    result = tasks.train(
        tasks.sample_frame(experiment.data.source),
        experiment,
        on_epoch=lambda epoch, logs, seconds: ends.append(seconds),
    )
    metric = PRESETS[key].expected.metric
    return {
        "total": result["train_seconds"],
        "first": ends[0],
        "epoch_ms": steady_ms(ends),
        "metric": result["metrics"]["test"][metric],
    }


def keras_run(key: str) -> dict:
    import keras

    from builder.experiment.presets import PRESETS, preset_experiment
    from builder.tables import prep
    from builder.worker import tasks
    from builder.worker.network import compiled_model
    from builder.worker.training import model_targets

    experiment = preset_experiment(key)
    spec = experiment.train
    data = prep.prepare(tasks.sample_frame(experiment.data.source), experiment)
    keras.utils.set_random_seed(spec.seed)
    model = compiled_model(
        experiment, data.x_train.shape[1], data.prep.task, len(data.prep.classes)
    )
    units = model.output_shape[-1]
    ends: list[float] = []
    started = time.perf_counter()

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter() - started)

    settings = {}
    if spec.validation == "test":
        settings["validation_data"] = (data.x_test, model_targets(data.y_test, units))
    elif spec.validation == "split":
        settings["validation_split"] = spec.validation_split
    model.fit(
        data.x_train,
        model_targets(data.y_train, units),
        batch_size=spec.batch_size,
        epochs=spec.epochs,
        verbose=0,
        callbacks=[Clock()],
        **settings,
    )
    total = time.perf_counter() - started
    metric = PRESETS[key].expected.metric
    scores = tasks.scores(model, data.prep.task, data.x_test, data.y_test)
    return {"total": total, "first": ends[0], "epoch_ms": steady_ms(ends), "metric": scores[metric]}


def warm_fit() -> None:
    """One tiny ``fit()``, so plain Keras' one-time start-up is paid before it is timed."""
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.linspace(0.0, 1.0, 16, dtype=np.float32).reshape(-1, 1)
    model.fit(x, (x > 0.5).astype(np.float32), validation_data=(x, x > 0.5), epochs=2, verbose=0)


RUNS = {"project": project_run, "fit": keras_run}


def cold_run(way: str, key: str) -> dict:
    """One run in a fresh process (this script with ``--one``), timed there."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", way, key], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratios_line(label: str, keys: list[str], ratios: list[float]) -> str:
    """``label: iris 5.3x, …; median 4.0x, lowest 2.1x (wages)``."""
    lowest = min(range(len(ratios)), key=ratios.__getitem__)
    return (
        f"{label}: "
        + ", ".join(f"{k} {r:.1f}x" for k, r in zip(keys, ratios, strict=True))
        + f"; median {statistics.median(ratios):.1f}x, lowest {ratios[lowest]:.1f}x"
        + f" ({keys[lowest]})"
    )


def cold_table(keys: list[str]) -> list[float]:
    """Each preset both ways in fresh processes, a table row each; the end-to-end speedups."""
    header = (
        f"{'cold':<13} {'project s':>9} {'fit s':>8} {'speedup':>7} | "
        f"{'project 1st s':>13} {'fit 1st s':>9}"
    )
    print(header)
    print("-" * len(header))
    speedups = []
    for key in keys:
        ours, plain = cold_run("project", key), cold_run("fit", key)
        speedups.append(plain["total"] / ours["total"])
        print(
            f"{key:<13} {ours['total']:9.2f} {plain['total']:8.2f} {speedups[-1]:6.1f}x | "
            f"{ours['first']:13.2f} {plain['first']:9.2f}",
            flush=True,
        )
    return speedups


def sklearn_run(key: str) -> dict | None:
    """The same network in scikit-learn, or None when it cannot be expressed there."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, mean_absolute_error, mean_squared_error
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    from builder.experiment.presets import PRESETS, preset_experiment
    from builder.experiment.spec import DEFAULT_OUTPUT, loss_name, output_activation
    from builder.tables import prep
    from builder.worker import tasks

    experiment = preset_experiment(key)
    net, spec = experiment.network, experiment.train
    data = prep.prepare(tasks.sample_frame(experiment.data.source), experiment)
    task = data.prep.task
    activations = {layer.activation for layer in net.hidden}
    expressible = (
        spec.optimizer in ("adam", "sgd")
        and len(activations) == 1
        and activations <= {"relu", "tanh", "sigmoid", "linear"}
        and all(
            layer.initializer == "glorot_uniform" and not layer.dropout and layer.use_bias
            for layer in net.hidden
        )
        and (output_activation(net, task), loss_name(net, task)) == DEFAULT_OUTPUT[task]
    )
    if not expressible:
        return None
    (only,) = activations
    activation = {"sigmoid": "logistic", "linear": "identity"}.get(only, only)
    kind = MLPRegressor if task == "regression" else MLPClassifier
    model = kind(
        hidden_layer_sizes=[layer.units for layer in net.hidden],
        activation=activation,
        solver=spec.optimizer,
        learning_rate_init=spec.learning_rate,
        momentum=spec.momentum,
        nesterovs_momentum=False,
        batch_size=spec.batch_size,
        max_iter=spec.epochs,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=spec.epochs + 1,
        random_state=spec.seed,
        shuffle=True,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(data.x_train, data.y_train)
    total = time.perf_counter() - started
    predicted = model.predict(data.x_test)
    metric = PRESETS[key].expected.metric
    value = {
        "accuracy": lambda: accuracy_score(data.y_test, predicted),
        "mae": lambda: mean_absolute_error(data.y_test, predicted),
        "mse": lambda: mean_squared_error(data.y_test, predicted),
    }[metric]()
    return {"total": total, "epoch_ms": 1000 * total / model.n_iter_, "metric": value}


def first_epoch_latency(keys: list[str]) -> list[float]:
    """Seconds from submitting each preset to a warm pool until its first epoch arrives."""
    from builder.experiment.presets import preset_experiment
    from builder.training import jobs

    pool = jobs.WorkerPool(max_workers=1, warm_workers=1)
    try:
        warmup = jobs.submit_training(preset_experiment("iris"), pool=pool)
        warmup.wait(600)  # the worker is up and warm
        latencies = []
        for key in keys:
            started = time.perf_counter()
            job = jobs.submit_training(preset_experiment(key), pool=pool)
            while not job.history and not job.done:
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
            job.stop()
            job.wait(600)
        return latencies
    finally:
        pool.shutdown()


def speed_table(keys: list[str]) -> tuple[list[float], list[float]]:
    """Each preset three ways in this warm process, a table row each; the per-epoch and
    end-to-end speedups."""
    from builder.worker.serve import quiet_tensorflow

    quiet_tensorflow()
    from builder.experiment.presets import PRESETS
    from builder.worker import tasks

    tasks.warm_up()  # TensorFlow's and each way's one-time start-up is paid by neither side
    warm_fit()
    header = (
        f"{'warm':<13} {'project s':>9} {'fit s':>8} {'sklearn s':>9} | "
        f"{'project ms/ep':>13} {'fit ms/ep':>9} {'sklearn ms/ep':>13} | "
        f"{'metric':<8} {'project':>8} {'fit':>8} {'sklearn':>8}"
    )
    print(header)
    print("-" * len(header))
    epoch_speedups, total_speedups = [], []
    for key in keys:
        ours, plain, sk = project_run(key), keras_run(key), sklearn_run(key)
        epoch_speedups.append(plain["epoch_ms"] / ours["epoch_ms"])
        total_speedups.append(plain["total"] / ours["total"])
        sk_cols = (
            (f"{sk['total']:9.2f}", f"{sk['epoch_ms']:13.2f}", f"{sk['metric']:8.4f}")
            if sk
            else (f"{'n/a':>9}", f"{'n/a':>13}", f"{'n/a':>8}")
        )
        print(
            f"{key:<13} {ours['total']:9.2f} {plain['total']:8.2f} {sk_cols[0]} | "
            f"{ours['epoch_ms']:13.2f} {plain['epoch_ms']:9.2f} {sk_cols[1]} | "
            f"{PRESETS[key].expected.metric:<8} {ours['metric']:8.4f} {plain['metric']:8.4f} "
            f"{sk_cols[2]}",
            flush=True,
        )
    return epoch_speedups, total_speedups


def latency_lines(keys: list[str]) -> None:
    """Submit (a Train click) to the first epoch in the server, per preset, through a pool."""
    latencies = first_epoch_latency(keys)
    print(
        "submit (Train click, warm pool) to first epoch in the server: "
        + ", ".join(f"{k} {s:.2f} s" for k, s in zip(keys, latencies, strict=True))
    )
    print(
        f"first epoch latency: median {statistics.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=SEED_PRESETS, help="presets to run")
    parser.add_argument("--skip-cold", action="store_true", help="skip the fresh-process runs")
    parser.add_argument("--skip-pool", action="store_true", help="skip the first-epoch latency")
    parser.add_argument("--skip-speed", action="store_true", help="only the first-epoch latency")
    parser.add_argument("--one", nargs=2, metavar=("WAY", "PRESET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a cold run's own process: print its figures as JSON
        from builder.worker.serve import quiet_tensorflow

        quiet_tensorflow()
        way, key = args.one
        print(json.dumps(RUNS[way](key)))
        return
    keys = list(args.only or SEED_PRESETS)
    cold = None if args.skip_speed or args.skip_cold else cold_table(keys)
    warm = None if args.skip_speed else speed_table(keys)
    if not args.skip_pool:
        latency_lines(keys)
    if cold:
        print(ratios_line("cold end-to-end speedup vs fit", keys, cold))
    if warm:  # the last lines, as the issue asks
        epoch_speedups, total_speedups = warm
        print(ratios_line("warm end-to-end speedup vs fit", keys, total_speedups))
        print(f"median per-epoch speedup vs fit: {statistics.median(epoch_speedups):.0f}x")
        print(f"median end-to-end speedup vs fit: {statistics.median(total_speedups):.1f}x")


if __name__ == "__main__":
    main()
