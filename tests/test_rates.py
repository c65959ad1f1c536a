"""Warnings for learning rates far outside what an optimizer usually works with."""

import pytest

from builder.experiment.rates import learning_rate_warning


@pytest.mark.parametrize(
    ("optimizer", "rate", "words"),
    [
        ("adam", 0.3, "very high for adam"),
        ("rmsprop", 10.0, "NaN"),
        ("sgd", 3.0, "very high for sgd"),
        ("adam", 3e-6, "very low for adam"),
        ("sgd", 1e-5, "hardly fall"),
    ],
)
def test_an_extreme_rate_says_what_is_likely_to_happen(optimizer, rate, words):
    warning = learning_rate_warning(optimizer, rate)
    assert warning is not None and words in warning and "Try" in warning


@pytest.mark.parametrize(
    ("optimizer", "rate"), [("adam", 0.001), ("adam", 0.1), ("adam", 1e-5), ("sgd", 1.0)]
)
def test_a_usual_rate_raises_no_warning(optimizer, rate):
    assert learning_rate_warning(optimizer, rate) is None
