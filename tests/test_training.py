"""The compiled training loop against plain Keras, its callbacks, stop, early stopping, NaN guard."""

import csv
import io
import json
import math
import warnings

import h5py
import keras
import numpy as np
import pandas as pd
import pytest

from builder.errors import TrainingError
from builder.experiment.presets import preset_experiment
from builder.experiment.spec import DataSpec, Experiment, LayerSpec
from builder.judging.evaluation import TrainedNetwork
from builder.tables import prep
from builder.worker import tasks
from builder.worker.network import build_model, compiled_model, metric_names
from builder.worker.training import (
    XLA_FIRST_EPOCH_STEPS,
    XLA_MIN_STEPS,
    balanced_class_weights,
    fit_fast,
    graph_epochs,
    model_targets,
)
from builder.workspace import checkpoints


def _twin_models(experiment, frame):
    """Two compiled models of the experiment with identical starting weights, and the data."""
    data = prep.prepare(frame, experiment)
    task, classes = data.prep.task, len(data.prep.classes)
    keras.utils.set_random_seed(3)
    first = compiled_model(experiment, data.x_train.shape[1], task, classes)
    second = compiled_model(experiment, data.x_train.shape[1], task, classes)
    second.set_weights(first.get_weights())
    return first, second, data


@pytest.mark.parametrize(
    ("preset", "optimizer", "rate", "class_weights"),
    [
        ("iris", "adam", 0.01, False),
        ("titanic", "rmsprop", 0.01, True),
        ("wages", "sgd", 1e-4, False),
    ],
)
def test_each_epoch_matches_plain_fit_step_for_step(preset, optimizer, rate, class_weights):
    """Without shuffling both loops see the same batches (with a short last batch): same numbers."""
    experiment = preset_experiment(preset)
    experiment.train.optimizer, experiment.train.learning_rate = optimizer, rate
    experiment.network.hidden[0].l2 = 0.01  # regularisation enters loss and val_loss alike
    plain, fast, data = _twin_models(experiment, tasks.sample_frame(experiment.data.source))
    units = plain.output_shape[-1]
    y, y_test = model_targets(data.y_train, units), model_targets(data.y_test, units)
    weights = balanced_class_weights(data.y_train, 2) if class_weights else None
    settings = dict(batch_size=32, epochs=3, shuffle=False, class_weight=weights)
    expected = plain.fit(
        data.x_train, y, validation_data=(data.x_test, y_test), verbose=0, **settings
    ).history
    got = fit_fast(
        fast,
        data.x_train,
        y,
        validation_data=(data.x_test, y_test),
        metrics=metric_names(data.prep.task),
        **settings,
    ).history
    assert set(got) == set(expected)
    for name, values in expected.items():
        assert got[name] == pytest.approx(values, rel=1e-4), name
    for a, b in zip(plain.get_weights(), fast.get_weights(), strict=True):
        assert np.allclose(a, b, atol=1e-5)


def test_short_runs_stay_a_plain_graph_long_ones_switch_to_xla_after_the_first_epoch():
    assert graph_epochs(7, 150) == 150  # iris: 1050 steps in all
    assert graph_epochs(10, XLA_MIN_STEPS // 10 - 1) == XLA_MIN_STEPS // 10 - 1
    assert graph_epochs(10, XLA_MIN_STEPS // 10) == 1
    assert graph_epochs(103, 200) == 1  # pima at batch 5: 20,600 steps
    assert graph_epochs(XLA_FIRST_EPOCH_STEPS, 1) == 1  # one long epoch: the first point soon
    assert graph_epochs(XLA_FIRST_EPOCH_STEPS + 1, 1) == 0
    assert graph_epochs(4352, 20) == 0  # wine at batch 1: compiling first is as quick


@pytest.mark.parametrize("plain_epochs", [0, 2])
def test_xla_and_the_plain_graph_train_the_same_run(plain_epochs):
    """All-XLA, or a switch to XLA midway, against all plain graph: shuffled batches,
    class weights, validation and callbacks alike, up to floating-point rounding."""
    experiment = preset_experiment("titanic")
    experiment.network.hidden[0].l2 = 0.01
    frame = tasks.sample_frame("titanic").head(48)
    plain, other, data = _twin_models(experiment, frame)
    units = plain.output_shape[-1]
    y, y_test = model_targets(data.y_train, units), model_targets(data.y_test, units)
    runs = []
    for model, leading in ((plain, 5), (other, plain_epochs)):
        epochs = []
        seen = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, _, seen=epochs: seen.append(e))
        history = fit_fast(
            model,
            data.x_train,
            y,
            batch_size=8,
            epochs=5,
            validation_data=(data.x_test, y_test),
            class_weight=balanced_class_weights(data.y_train, 2),
            callbacks=[seen],
            seed=4,
            plain_epochs=leading,
        )
        runs.append((history.history, epochs))
    (expected, expected_epochs), (got, got_epochs) = runs
    assert got_epochs == expected_epochs == [0, 1, 2, 3, 4]
    assert set(got) == {"loss", "accuracy", "val_loss", "val_accuracy"} == set(expected)
    for name, values in expected.items():
        assert got[name] == pytest.approx(values, rel=1e-4, abs=1e-6), name
    for a, b in zip(plain.get_weights(), other.get_weights(), strict=True):
        assert np.allclose(a, b, atol=1e-5)


def test_shuffled_training_reaches_the_accuracy_of_plain_fit():
    experiment = preset_experiment("iris")
    experiment.train.epochs, experiment.train.learning_rate = 60, 0.01
    plain, fast, data = _twin_models(experiment, tasks.sample_frame("iris"))
    y = model_targets(data.y_train, 3)
    plain.fit(data.x_train, y, batch_size=15, epochs=60, verbose=0)
    fit_fast(fast, data.x_train, y, batch_size=15, epochs=60, seed=1)
    plain_score = tasks.scores(plain, "multiclass", data.x_test, data.y_test)["accuracy"]
    fast_score = tasks.scores(fast, "multiclass", data.x_test, data.y_test)["accuracy"]
    assert plain_score >= 0.85 and fast_score >= 0.85
    assert abs(plain_score - fast_score) <= 0.08


def test_keras_callbacks_see_every_epoch(tmp_path):
    experiment = preset_experiment("iris")
    _, model, data = _twin_models(experiment, tasks.sample_frame("iris"))
    log = tmp_path / "log.csv"
    history = fit_fast(
        model,
        data.x_train,
        model_targets(data.y_train, 3),
        epochs=4,
        validation_split=0.2,
        callbacks=[keras.callbacks.CSVLogger(str(log))],
    )
    rows = list(csv.DictReader(io.StringIO(log.read_text())))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    assert model.history is history and len(history.history["val_loss"]) == 4
    assert float(rows[-1]["loss"]) == pytest.approx(history.history["loss"][-1], rel=1e-5)


@pytest.fixture(scope="module")
def pima():
    return tasks.sample_frame("pima")


def _small_pima(epochs=8, **train):
    experiment = preset_experiment("pima-deep")
    experiment.prep.scaling = "standard"
    experiment.train.epochs = epochs
    for name, value in train.items():
        setattr(experiment.train, name, value)
    return experiment


def test_train_returns_plain_numbers_and_a_loadable_model(pima, tmp_path):
    epochs = []
    result = tasks.train(pima, _small_pima(epochs=3), on_epoch=lambda e, logs, s: epochs.append(e))
    assert epochs == [0, 1, 2] and result["epochs_run"] == 3 and result["ended"] == "finished"
    assert set(result["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result["weights"]["hidden_1"][0] and len(result["weights"]["hidden_1"][0]) == 8
    assert len(result["predictions"]) == len(result["y_test"]) == 200
    plain = {k: v for k, v in result.items() if k not in ("model_bytes", "export")}
    assert json.loads(json.dumps(plain)) == plain
    path = tmp_path / "model.keras"
    path.write_bytes(result["model_bytes"])
    model = keras.models.load_model(path)
    fitted = prep.FittedPrep.from_dict(result["prep"])
    x_test = fitted.transform(pima.loc[result["test_rows"]])
    assert np.allclose(model.predict(x_test, verbose=0), result["predictions"], atol=1e-5)
    accuracy = np.mean(tasks.predicted_classes(np.array(result["predictions"])) == result["y_test"])
    assert result["metrics"]["test"]["accuracy"] == pytest.approx(accuracy)


def test_same_seed_same_run_other_seed_other_run(pima):
    first = tasks.train(pima, _small_pima(epochs=3))["history"]
    again = tasks.train(pima, _small_pima(epochs=3))["history"]
    other = tasks.train(pima, _small_pima(epochs=3, seed=7))["history"]
    assert first == again
    assert first["loss"] != other["loss"]


def test_stop_keeps_the_model_trained_so_far(pima):
    seen = []
    result = tasks.train(
        pima,
        _small_pima(epochs=50),
        on_epoch=lambda e, logs, s: seen.append(e),
        should_stop=lambda: len(seen) >= 2,
    )
    assert result["ended"] == "stopped" and result["epochs_run"] == 2
    assert result["metrics"]["test"]["accuracy"] > 0.5 and result["model_bytes"]


def test_early_stopping_restores_the_best_weights(pima):
    experiment = _small_pima(epochs=200, early_stopping=True, patience=3, learning_rate=0.05)
    experiment.network.hidden = [LayerSpec(units=128), LayerSpec(units=128)]
    result = tasks.train(pima, experiment)
    history = result["history"]
    assert result["ended"] == "early_stopped" and result["epochs_run"] < 200
    best = int(np.argmin(history["val_loss"]))
    assert result["best_epoch"] == result["kept_epoch"] == best + 1
    assert result["epochs_run"] == best + 1 + 3  # patience epochs without improvement
    # validation is the test split here, so the restored model scores the best val_loss
    assert result["metrics"]["test"]["loss"] == pytest.approx(history["val_loss"][best], rel=1e-4)


def test_test_loss_is_the_validation_loss_of_the_same_rows_when_the_run_diverges():
    experiment = preset_experiment("iris")
    experiment.network.hidden = [LayerSpec(units=16, activation="tanh")]
    experiment.train.learning_rate, experiment.train.epochs = 10.0, 10
    experiment.train.validation, experiment.train.early_stopping = "test", False
    result = tasks.train(tasks.sample_frame("iris"), experiment)
    last = result["history"]["val_loss"][-1]
    # Confidently wrong softmax outputs: beyond the -log(1e-7) ≈ 16.1 a row that clipped
    # probabilities allow, which the test loss used to be capped at.
    assert last > 16.2
    assert result["metrics"]["test"]["loss"] == pytest.approx(last, rel=1e-4)
    assert result["kept_epoch"] == result["epochs_run"] == 10


def test_nan_guard_stops_and_says_what_to_try():
    experiment = preset_experiment("wages")
    experiment.train.optimizer, experiment.train.learning_rate = "sgd", 1.0
    seen = []
    with pytest.raises(TrainingError, match=r"learning rate.*lower"):
        tasks.train(
            tasks.sample_frame("wages"), experiment, on_epoch=lambda e, logs, s: seen.append(logs)
        )
    assert len(seen) == 1 and not np.isfinite(seen[0]["loss"])


def test_validation_choices(pima):
    split = tasks.train(pima, _small_pima(epochs=2, validation="split", validation_split=0.25))
    none = tasks.train(pima, _small_pima(epochs=2, validation="none"))
    assert "val_loss" in split["history"]
    assert set(none["history"]) == {"loss", "accuracy"}


def test_class_weights_balance_an_unbalanced_target():
    y = np.array([0] * 90 + [1] * 10)
    weights = balanced_class_weights(y, 2)
    assert weights == {0: pytest.approx(100 / 180), 1: pytest.approx(5.0)}
    assert weights[0] * 90 == pytest.approx(weights[1] * 10)


def test_network_layers_follow_the_spec():
    experiment = preset_experiment("titanic")
    experiment.network.hidden = [
        LayerSpec(units=50, dropout=0.2, l1=0.01, initializer="random_uniform", use_bias=False),
        LayerSpec(units=4, activation="tanh"),
    ]
    model = build_model(experiment.network, 9, "binary", 2)
    assert [layer.name for layer in model.layers] == [
        "features",
        "hidden_1",
        "dropout_1",
        "hidden_2",
        "output",
    ]
    assert model.get_layer("hidden_1").count_params() == 450  # no bias
    assert model.get_layer("output").units == 2  # the course's 2-unit softmax
    assert model.get_layer("output").activation.__name__ == "softmax"
    regression = build_model(preset_experiment("wages").network, 9, "regression", 0)
    assert regression.get_layer("hidden_1").count_params() == 500  # Dense(50) on 9 inputs
    assert regression.get_layer("output").activation.__name__ == "linear"


def test_fast_compile_flag_is_set_only_where_tensorflow_knows_it():
    from builder.worker.serve import FAST_COMPILE_FLAG, _tensorflow_version, faster_xla_compile

    known = _tensorflow_version().startswith("2.21.")
    environ = {"XLA_FLAGS": "--xla_dump_to=/tmp/x"}
    assert faster_xla_compile(environ) is known
    expected = f"--xla_dump_to=/tmp/x {FAST_COMPILE_FLAG}" if known else "--xla_dump_to=/tmp/x"
    assert environ["XLA_FLAGS"] == expected
    faster_xla_compile(environ)  # a second call adds nothing
    assert environ["XLA_FLAGS"] == expected
    chosen = {"XLA_FLAGS": "--xla_cpu_use_fusion_emitters=true"}
    faster_xla_compile(chosen)  # the host's own choice wins
    assert chosen["XLA_FLAGS"] == "--xla_cpu_use_fusion_emitters=true"


def test_a_large_regression_target_trains_scaled_and_reports_in_its_own_units(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 150)
    frame = pd.DataFrame(
        {"x": x, "other": rng.normal(size=150), "price": 2e5 + 1.5e4 * x + rng.normal(0, 2e3, 150)}
    )
    experiment = Experiment(data=DataSpec(source="upload", target="price"))
    experiment.train.epochs = 150
    result = tasks.train(frame, experiment)
    fitted = prep.FittedPrep.from_dict(result["prep"])
    training_prices = frame.drop(index=result["test_rows"])["price"]
    assert fitted.target_offset == pytest.approx(training_prices.mean(), rel=1e-6)
    assert fitted.target_scale == pytest.approx(training_prices.std(ddof=0), rel=1e-5)
    test = result["metrics"]["test"]
    assert test["r2"] > 0.9 and test["mae"] < 0.2 * fitted.target_scale
    predictions = np.asarray(result["predictions"])
    assert predictions[:, 0].mean() == pytest.approx(frame["price"].mean(), rel=0.05)
    # the curves are in the target's units too: the validation error is of the test's size
    assert 0.3 < min(result["history"]["val_mae"]) / test["mae"] < 3
    # the weights the server traces, and the downloaded model, give the same numbers
    rows = frame.loc[result["test_rows"]]
    traced = TrainedNetwork.from_result(result, experiment).outputs(rows)
    assert np.allclose(traced, predictions, rtol=1e-4)
    path = tmp_path / "model.keras"
    path.write_bytes(result["export"]["model.keras"])
    exported = keras.models.load_model(path)
    inputs = {name: rows[name].to_numpy("float32") for name in ("x", "other")}
    assert np.allclose(exported.predict(inputs, verbose=0), predictions, rtol=1e-4)


def test_a_target_left_unscaled_trains_as_it_is():
    frame = pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40.0) * 3 + 1})
    experiment = Experiment(data=DataSpec(source="upload", target="y"))
    experiment.prep.scale_target, experiment.train.epochs = False, 2
    fitted = prep.FittedPrep.from_dict(tasks.train(frame, experiment)["prep"])
    assert (fitted.target_offset, fitted.target_scale) == (0.0, 1.0)


def _optimizer_steps(weights) -> int:
    """The step count the optimizer had when a checkpoint was written."""
    with h5py.File(weights) as saved:
        return int(saved["optimizer/vars/0"][()])


def test_a_continued_run_takes_up_the_optimizers_state_from_its_saved_weights(tmp_path):
    experiment = preset_experiment("iris")  # adam: its moments are part of the state
    experiment.train.epochs = 2
    frame = tasks.sample_frame("iris")
    first, again = tmp_path / "first", tmp_path / "again"
    first.mkdir(), again.mkdir()
    result = tasks.train(frame, experiment, checkpoints=str(first))
    saved, weights = checkpoints.latest(first)
    steps = math.ceil(result["rows"]["train"] / experiment.train.batch_size)
    assert _optimizer_steps(weights) == saved * steps
    experiment.train.epochs = saved + 1
    history = [{"epoch": n, "seconds": 0.0} for n in range(1, saved + 1)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resume = {"weights": str(weights), "history": history}
        tasks.train(frame, experiment, checkpoints=str(again), resume=resume)
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]
    # The step count goes on from the saved epochs: Adam did not start again from zero.
    assert _optimizer_steps(checkpoints.latest(again)[1]) == (saved + 1) * steps
