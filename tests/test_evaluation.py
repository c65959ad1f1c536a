"""Judging and using a really trained run in NumPy, checked against the worker's Keras outputs."""

import numpy as np
import pytest
from sklearn import metrics as skm

from builder.errors import DataError
from builder.experiment.presets import preset_experiment
from builder.judging.evaluation import (
    TrainedNetwork,
    cell_rows,
    check_columns,
    confusion_cells,
    decision_boundary,
    judge,
    predictions_table,
    typical_row,
)
from builder.tables.samples import load_sample
from builder.worker import tasks


def trained(preset: str, epochs: int):
    experiment = preset_experiment(preset)
    experiment.train.epochs = epochs
    frame, _ = load_sample(experiment.data.source)
    return frame, experiment, tasks.train(frame, experiment)


@pytest.fixture(scope="module")
def titanic_run():
    """Text columns, missing ages with indicators, a 2-unit softmax: every preprocessing path."""
    return trained("titanic", epochs=3)


@pytest.fixture(scope="module")
def iris_run():
    return trained("iris", epochs=20)


def test_numpy_outputs_equal_the_keras_model_on_the_test_rows(titanic_run):
    frame, experiment, result = titanic_run
    network = TrainedNetwork.from_result(result, experiment)
    test_rows = frame.loc[result["test_rows"]]
    assert np.allclose(network.outputs(test_rows), result["predictions"], atol=1e-5)


def test_trace_of_a_row_ends_in_its_prediction(titanic_run):
    frame, experiment, result = titanic_run
    network = TrainedNetwork.from_result(result, experiment)
    row = frame.loc[[result["test_rows"][0]]]
    inputs, layers = network.trace(row)
    assert len(inputs) == len(result["feature_names"])
    assert [len(layer.activations) for layer in layers] == [32, 2]
    assert np.allclose(layers[-1].activations, result["predictions"][0], atol=1e-5)


def test_judge_matches_scikit_learn_and_shows_the_majority_baseline(titanic_run):
    frame, experiment, result = titanic_run
    judged = judge(result, frame, experiment)
    predicted = np.asarray(result["predictions"]).argmax(axis=1)
    assert judged["report"]["accuracy"] == pytest.approx(
        skm.accuracy_score(result["y_test"], predicted)
    )
    assert judged["baseline"]["class"] == "0"
    assert 0.55 < judged["baseline"]["accuracy"] < 0.7
    assert judged["verdict"]


def test_regression_is_judged_against_the_mean_guess():
    frame, experiment, result = trained("wages", epochs=2)
    judged = judge(result, frame, experiment)
    assert judged["report"]["mse"] == pytest.approx(result["metrics"]["test"]["mse"], rel=1e-4)
    assert judged["baseline"]["prediction"] == pytest.approx(
        frame.loc[~frame.index.isin(result["test_rows"]), "wage_per_hour"].mean()
    )


def test_batch_predictions_need_the_feature_columns(iris_run):
    frame, experiment, result = iris_run
    network = TrainedNetwork.from_result(result, experiment)
    upload = frame.drop(columns=["species"]).head(5).assign(note="extra")
    assert check_columns(upload, network) == ["note"]
    table = predictions_table(upload, network)
    assert list(table.columns[-4:]) == ["prediction", "P(setosa)", "P(versicolor)", "P(virginica)"]
    assert np.allclose(table.filter(like="P(").sum(axis=1), 1.0)
    with pytest.raises(DataError, match="lacks column\\(s\\) the model needs: 'petal_width'"):
        check_columns(upload.drop(columns=["petal_width"]), network)


def test_decision_boundary_over_two_features(iris_run):
    frame, experiment, result = iris_run
    network = TrainedNetwork.from_result(result, experiment)
    assert typical_row(frame, network)["petal_length"] == frame["petal_length"].median()
    boundary = decision_boundary(frame, network, "petal_length", "petal_width")
    assert boundary.classes.shape == (60, 60)
    assert set(np.unique(boundary.classes)) <= {0, 1, 2}
    assert ((boundary.confidence > 0) & (boundary.confidence <= 1)).all()
    assert len(boundary.points) == 150
    with pytest.raises(DataError, match="not a numeric input"):
        decision_boundary(frame, network, "species", "petal_width")


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_each_confusion_cell_lists_its_test_rows(titanic_run, threshold):
    frame, experiment, result = titanic_run
    matrix = judge(result, frame, experiment, threshold)["report"]["confusion"]
    cells = confusion_cells(result, threshold)
    assert cells == {(t, p): n for t, row in enumerate(matrix) for p, n in enumerate(row) if n}
    mistakes = [cell for cell in cells if cell[0] != cell[1]]
    assert list(cells)[: len(mistakes)] == mistakes  # mistakes first
    for (t, p), count in cells.items():
        rows = cell_rows(result, frame, (t, p), threshold)
        assert len(rows) == count
        assert (rows["Survived"] == int(result["classes"][t])).all()
        assert (rows["predicted"] == result["classes"][p]).all()
        assert rows.index.isin(result["test_rows"]).all()
        assert rows["test row"].map(lambda i: result["test_rows"][i - 1]).tolist() == list(
            rows.index
        )
        assert np.allclose(rows[["P(0)", "P(1)"]].sum(axis=1), 1.0, atol=1e-5)
        assert ((rows["P(1)"] >= threshold) == (p == 1)).all()
    assert {"Sex", "Age", "Fare"} <= set(rows.columns)
