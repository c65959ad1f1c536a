"""The NumPy forward pass against a real Keras model's own output."""

import keras
import numpy as np
import pytest

from builder.errors import SpecError
from builder.judging.forward import ACTIVATIONS, DenseWeights, forward, trace_row


def keras_model(activations, units, inputs, use_bias=True):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((inputs,))])
    for activation, count in zip(activations, units, strict=True):
        model.add(keras.layers.Dense(count, activation=activation, use_bias=use_bias))
    return model


def weights_of(model):
    layers = []
    for layer in model.layers:
        params = layer.get_weights()
        bias = params[1].tolist() if len(params) > 1 else None
        layers.append(DenseWeights.from_lists(params[0].tolist(), bias, layer.activation.__name__))
    return layers


@pytest.mark.parametrize("activation", [a for a in ACTIVATIONS if a != "softmax"])
def test_every_hidden_activation_matches_keras(activation):
    model = keras_model([activation, "softmax"], [6, 3], inputs=4)
    rows = np.random.default_rng(1).normal(size=(16, 4)).astype("float32")
    expected = model.predict(rows, verbose=0)
    assert np.allclose(forward(rows, weights_of(model)), expected, atol=1e-5)


def test_trace_of_a_row_ends_in_the_models_output_and_shows_each_neuron():
    model = keras_model(["relu", "relu", "sigmoid"], [5, 3, 1], inputs=2, use_bias=False)
    row = np.array([0.7, -1.2], dtype="float32")
    traces = trace_row(row, weights_of(model))
    assert [len(t.weighted_sums) for t in traces] == [5, 3, 1]
    first_kernel = model.layers[0].get_weights()[0]
    assert np.allclose(traces[0].weighted_sums, row @ first_kernel, atol=1e-6)
    assert np.allclose(traces[0].activations, np.maximum(traces[0].weighted_sums, 0))
    assert traces[-1].activations[0] == pytest.approx(
        float(model.predict(row[None], verbose=0)[0, 0]), abs=1e-6
    )


def test_a_row_of_the_wrong_width_is_refused():
    layer = DenseWeights.from_lists([[1.0], [2.0]], [0.0], "linear")
    with pytest.raises(SpecError, match=r"expects 2 inputs\. Received: 3"):
        forward(np.ones((1, 3)), [layer])
    with pytest.raises(SpecError, match="Received: 'swish'"):
        DenseWeights.from_lists([[1.0]], None, "swish")
