"""Inputs after preprocessing, Keras-like summaries checked against Keras, and diagram geometry."""

import copy
import json
import random
import subprocess
import sys

import pandas as pd
import pytest

from builder.experiment.presets import preset_experiment
from builder.experiment.spec import ACTIVATIONS, LayerSpec, NetworkSpec, PrepSpec, validate
from builder.experiment.summary import (
    class_labels,
    diagram_geometry,
    feature_notes,
    input_features,
    model_summary,
    summarize,
)
from builder.plots.diagram import network_figure
from builder.tables.samples import load_sample

TITANIC_INPUTS = [
    "Pclass",
    "Sex=female",
    "Sex=male",
    "Age",
    "SibSp",
    "Parch",
    "Fare",
    "Embarked=C",
    "Embarked=Q",
    "Embarked=S",
    "Age_was_missing",
    "Embarked_was_missing",
]


@pytest.fixture(scope="module")
def titanic():
    return load_sample("titanic")[0]


def test_titanic_inputs_one_hot_and_missing_flags(titanic):
    experiment = preset_experiment("titanic")
    features = input_features(titanic, experiment.data, experiment.prep)
    assert [f.name for f in features] == TITANIC_INPUTS
    assert {f.kind for f in features} == {"number", "category", "missing"}


def test_each_preprocessing_option_changes_the_input_count(titanic):
    data = preset_experiment("titanic").data
    no_flags = PrepSpec(missing_indicator=False)
    codes = PrepSpec(missing_indicator=False, one_hot=False)
    assert len(input_features(titanic, data, no_flags)) == 10
    assert len(input_features(titanic, data, codes)) == 7
    kept = copy.deepcopy(data)
    kept.excluded.remove("PassengerId")
    assert len(input_features(titanic, kept, no_flags)) == 11


def test_many_categories_are_flagged(titanic):
    data = preset_experiment("titanic").data
    data.excluded.remove("Name")
    features = input_features(titanic, data, PrepSpec())
    notes = feature_notes(features)
    assert len(notes) == 1 and "'Name' becomes 891 one-hot inputs" in notes[0]


def test_rows_without_a_target_do_not_add_categories():
    frame = pd.DataFrame({"colour": ["red", "blue", "green", None], "y": [1, 0, None, 1]})
    data = preset_experiment("titanic").data
    data.target, data.excluded = "y", []
    names = [f.name for f in input_features(frame, data, PrepSpec(missing_indicator=True))]
    assert names == ["colour=blue", "colour=red", "colour_was_missing"]


@pytest.mark.parametrize(
    ("key", "task", "inputs", "params"),
    [
        ("wine-type", "binary", 11, [144, 104, 9]),
        ("pima-small", "binary", 8, [72, 54, 7]),
        ("iris", "multiclass", 4, [40, 27]),
        ("wages", "regression", 9, [500, 1632, 33]),
        ("titanic", "binary", 12, [416, 66]),
        ("digits", "multiclass", 64, [3250, 2550, 510]),
    ],
)
def test_preset_summaries(key, task, inputs, params):
    experiment = preset_experiment(key)
    frame = load_sample(experiment.data.source)[0]
    features, summary = summarize(frame, experiment, task)
    assert summary.inputs == len(features) == inputs
    assert [row.params for row in summary.rows] == params
    assert summary.total == sum(params)


def test_summary_rows_look_like_keras():
    network = NetworkSpec(
        hidden=[LayerSpec(units=50, dropout=0.2), LayerSpec(units=32, use_bias=False)]
    )
    summary = model_summary(9, network, "regression", 0)
    assert [(r.label, r.output_shape, r.params) for r in summary.rows] == [
        ("dense (Dense)", "(None, 50)", 500),
        ("dropout (Dropout)", "(None, 50)", 0),
        ("dense_1 (Dense)", "(None, 32)", 1600),
        ("dense_2 (Dense)", "(None, 1)", 33),
    ]
    assert summary.memory == "8.33 KB"
    assert "Total params: 2,133 (8.33 KB)" in summary.text()


def _random_network(rng: random.Random) -> tuple[int, NetworkSpec, str, int]:
    hidden = [
        LayerSpec(
            units=rng.randint(1, 70),
            activation=rng.choice(ACTIVATIONS),
            use_bias=rng.random() < 0.7,
            dropout=rng.choice([0.0, 0.0, 0.3]),
            l2=rng.choice([0.0, 0.01]),
        )
        for _ in range(rng.randint(0, 4))
    ]
    task = rng.choice(["binary", "multiclass", "regression"])
    override = rng.choice([None, None, "softmax", "sigmoid"])
    network = NetworkSpec(hidden=hidden, output_activation=override)
    return rng.randint(1, 40), network, task, rng.randint(3, 7)


# Builds each network with Keras directly from the spec's numbers, in a separate process so
# the test process never imports TensorFlow (the server-side rule other tests check).
KERAS_SCRIPT = """
import json, sys
import keras
from keras import layers
result = []
for spec in json.load(sys.stdin):
    keras.backend.clear_session()  # layer names restart at "dense", as in a fresh session
    stack = [keras.Input(shape=(spec["inputs"],))]
    for units, bias, dropout in spec["hidden"]:
        stack.append(layers.Dense(units, use_bias=bias))
        if dropout > 0:
            stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(spec["outputs"]))
    model = keras.Sequential(stack)
    result.append([
        model.count_params(),
        [[layer.name, str(layer.output.shape), layer.count_params()] for layer in model.layers],
    ])
json.dump(result, sys.stdout)
"""


def test_parameter_counts_match_keras_for_random_networks():
    rng = random.Random(11)
    cases = [_random_network(rng) for _ in range(30)]
    summaries = [model_summary(*case) for case in cases]
    specs = [
        {
            "inputs": inputs,
            "hidden": [[h.units, h.use_bias, h.dropout] for h in network.hidden],
            "outputs": summary.rows[-1].units,
        }
        for (inputs, network, _, _), summary in zip(cases, summaries, strict=True)
    ]
    done = subprocess.run(
        [sys.executable, "-c", KERAS_SCRIPT],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    keras_counts = json.loads(done.stdout)
    for summary, (total, layers) in zip(summaries, keras_counts, strict=True):
        assert summary.total == total
        ours = [[r.name, r.output_shape, r.params] for r in summary.rows]
        assert ours == layers


def test_wide_layers_are_drawn_compressed_with_a_count():
    network = preset_experiment("wide-overfit").network
    features = [f"x{i}" for i in range(8)]
    geometry = diagram_geometry(features, network, "binary", ["0", "1"], "Outcome")
    inputs, first, _, output = geometry.columns
    assert (len(inputs.nodes), inputs.gap_y) == (8, None)
    assert (first.size, len(first.nodes), first.hidden_units) == (512, 12, 500)
    assert first.gap_y is not None
    assert output.nodes[0].label == "P(Outcome = 1)"
    assert len(geometry.edges) == 8 * 12 + 12 * 12 + 12 * 1
    ys = [n.y for n in first.nodes]
    assert ys == sorted(ys, reverse=True) and first.gap_y not in ys
    figure = network_figure(geometry)
    assert len(figure.data) == 1 + 4
    assert any("⋮ +500" in a.text for a in figure.layout.annotations)


def test_class_outputs_are_labelled_with_the_classes():
    iris = load_sample("iris")[0]
    experiment = preset_experiment("iris")
    classes = class_labels(iris, "species", "multiclass")
    assert classes == ["setosa", "versicolor", "virginica"]
    geometry = diagram_geometry(["a"], experiment.network, "multiclass", classes, "species")
    assert [n.label for n in geometry.columns[-1].nodes] == [
        "P(species = setosa)",
        "P(species = versicolor)",
        "P(species = virginica)",
    ]
    assert class_labels(iris, "sepal_length", "regression") == []


def test_random_networks_are_valid_specs():
    rng = random.Random(11)
    for _ in range(30):
        _, network, _, _ = _random_network(rng)
        experiment = preset_experiment("iris")
        experiment.network = network
        validate(experiment)
