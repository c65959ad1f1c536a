"""A really trained row traced for the diagram: labels in the row's terms, the prediction in words."""

import numpy as np
import pytest

from builder.judging.evaluation import TrainedNetwork
from builder.judging.trace import percent, trace_for_diagram
from builder.tables.samples import load_sample
from tests.trained import trained_run


@pytest.fixture(scope="module")
def titanic():
    """Text columns, missing ages with indicators, a 2-unit softmax: every kind of input."""
    run = trained_run("titanic", epochs=1)
    frame, _ = load_sample(run.experiment.data.source)
    return frame, run.result, TrainedNetwork.from_result(run.result, run.experiment)


def test_each_unit_has_a_value_and_a_note_on_how_it_was_computed(titanic):
    frame, result, network = titanic
    row = frame.loc[[result["test_rows"][0]]]
    traced = trace_for_diagram(row, network)
    inputs, layers = network.trace(row)
    assert [len(v) for v in traced.values] == [len(inputs), 32, 2]
    first = layers[0]
    assert traced.notes[1][0].endswith(
        f"relu({first.weighted_sums[0]:.4g}) = {first.activations[0]:.4g}"
    )
    assert traced.notes[0][0].startswith(f"{result['feature_names'][0]} = ")


def test_inputs_are_labelled_with_the_rows_own_values(titanic):
    frame, result, network = titanic
    missing_age = next(i for i in result["test_rows"] if np.isnan(frame.loc[i, "Age"]))
    row = frame.loc[[missing_age]]
    labels = trace_for_diagram(row, network).labels
    assert len(labels[0]) == len(result["feature_names"]) and labels[1] is None
    by_name = dict(zip(result["feature_names"], labels[0], strict=True))
    assert by_name["Pclass"] == f"Pclass = {row['Pclass'].iloc[0]}"
    sex = row["Sex"].iloc[0]
    assert by_name[f"Sex={sex}"] == f"Sex is {sex}: yes"
    assert by_name["Age"].startswith("Age missing, taken as ")
    assert by_name["Age_was_missing"] == "Age missing: yes"


def test_the_prediction_is_stated_with_the_true_class(titanic):
    frame, result, network = titanic
    for position in range(5):
        row = frame.loc[[result["test_rows"][position]]]
        died, survives = result["predictions"][position]
        predicted = int(survives >= 0.5)
        truth = str(row["Survived"].iloc[0])
        traced = trace_for_diagram(row, network)
        p = result["predictions"][position][predicted]
        assert traced.sentence == (
            f"The network predicts {predicted} ({percent(p)}); the true class is {truth}."
        )
        assert traced.correct == (str(predicted) == truth)
        assert traced.labels[-1] == [
            f"Survived = 0: {percent(died)}",
            f"Survived = 1: {percent(survives)}",
        ]
    strict = trace_for_diagram(row, network, threshold=0.9).sentence
    assert "at the decision threshold 0.9 for 1" in strict


def test_percentages_never_round_to_a_false_certainty():
    assert [percent(p) for p in (0.0, 0.001, 0.874, 0.999, 1.0)] == [
        "0%",
        "<1%",
        "87%",
        ">99%",
        "100%",
    ]
