"""Generated Keras code: readable blocks that build exactly the network the spec describes."""

import ast
import json
import subprocess
import sys

import pytest

from builder.experiment.presets import PRESETS, preset_experiment
from builder.experiment.spec import LayerSpec, TrainSpec
from builder.experiment.summary import class_labels, summarize
from builder.export.codegen import (
    compile_block,
    dense_code,
    model_block,
    network_code,
    optimizer_code,
)
from builder.tables.samples import load_sample

TASKS = {"wine-quality": "regression", "wages": "regression", "iris": "multiclass"}
TASKS |= {"digits": "multiclass"}
# What the tutorials compile with when the loss is not overridden.
TUTORIAL_LOSS = {"binary": "binary_crossentropy", "multiclass": "categorical_crossentropy"}
TUTORIAL_LOSS |= {"regression": "mse"}


def _preset_code(key):
    """The preset's code, with the summary computed from its sample table."""
    experiment = preset_experiment(key)
    task = TASKS.get(key, "binary")
    frame = load_sample(experiment.data.source)[0]
    _, summary = summarize(frame, experiment, task)
    classes = class_labels(frame, experiment.data.target, task)
    return experiment, task, summary, network_code(experiment, summary.inputs, task, len(classes))


@pytest.mark.parametrize("key", list(PRESETS))
def test_code_parses_and_fits_the_line_length(key):
    _, _, _, code = _preset_code(key)
    ast.parse(code)
    assert max(len(line) for line in code.splitlines()) <= 100


def test_blocks_spell_out_the_settings():
    experiment = preset_experiment("pima-small")
    model = model_block(experiment, 8, "binary", 2)
    assert "keras.utils.set_random_seed(9)" in model
    assert "keras.Input(shape=(8,))" in model
    assert 'layers.Dense(6, activation="relu", kernel_initializer="random_uniform")' in model
    assert 'layers.Dense(1, activation="sigmoid", kernel_initializer="random_uniform")' in model
    assert 'loss="binary_crossentropy"' in compile_block(experiment, "binary")
    assert 'metrics=["mae"]' in compile_block(preset_experiment("wages"), "regression")


def test_layer_options_and_optimizers():
    layer = LayerSpec(units=4, activation="tanh", use_bias=False, l1=0.001, l2=0.01)
    code = dense_code(4, "tanh", "he_normal", layer)
    assert "use_bias=False" in code
    assert "regularizers.L1L2(l1=0.001, l2=0.01)" in code
    sgd = TrainSpec(optimizer="sgd", learning_rate=0.1, momentum=0.9)
    assert optimizer_code(sgd) == "keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)"
    assert optimizer_code(TrainSpec(optimizer="rmsprop", learning_rate=0.001)) == (
        "keras.optimizers.RMSprop(learning_rate=0.001)"
    )
    dropout = preset_experiment("iris")
    dropout.network.hidden[0].dropout = 0.5
    assert "layers.Dropout(0.5)," in model_block(dropout, 4, "multiclass", 3)


# Runs each generated script (without its summary print) in a separate process, so the test
# process never imports TensorFlow, and reports what Keras built.
RUN_SCRIPT = """
import json, sys
result = []
for code in json.load(sys.stdin):
    scope = {}
    exec(code.replace("model.summary()", ""), scope)
    model = scope["model"]
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    result.append({
        "params": model.count_params(),
        "shapes": [str(layer.output.shape) for layer in model.layers],
        "activations": [layer.get_config()["activation"] for layer in dense],
        "initializers": [layer.get_config()["kernel_initializer"]["class_name"] for layer in dense],
        "loss": model.loss,
        "optimizer": type(model.optimizer).__name__,
        "learning_rate": float(model.optimizer.learning_rate.numpy()),
    })
json.dump(result, sys.stdout)
"""


def test_generated_code_builds_the_network_the_summary_describes():
    cases = [_preset_code(key) for key in PRESETS]
    done = subprocess.run(
        [sys.executable, "-c", RUN_SCRIPT],
        input=json.dumps([code for *_, code in cases]),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    built = json.loads(done.stdout)
    for (experiment, task, summary, _), keras_model in zip(cases, built, strict=True):
        network, train = experiment.network, experiment.train
        assert keras_model["params"] == summary.total, experiment.name
        assert keras_model["shapes"] == [row.output_shape for row in summary.rows]
        hidden = [layer.activation for layer in network.hidden]
        assert keras_model["activations"][:-1] == hidden
        expected_init = {"random_uniform": "RandomUniform", "glorot_uniform": "GlorotUniform"}
        assert keras_model["initializers"][-1] == expected_init[network.output_initializer]
        assert keras_model["optimizer"].lower() == train.optimizer
        assert keras_model["learning_rate"] == pytest.approx(train.learning_rate)
        assert keras_model["loss"] == (network.loss or TUTORIAL_LOSS[task])
