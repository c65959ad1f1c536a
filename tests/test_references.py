"""Reference models beside real (tiny) trainings, and the verdicts they lead to.

Each table is generated here so that one kind of model is known to suit it: a noisy
linear regression a wide network overfits, a target set by integer codes (a step per
code, which trees take in one split), a rare class that no input tells apart, and a
circle a small network draws better than trees or a line.
"""

import copy

import numpy as np
import pandas as pd
import pytest

from builder.experiment.spec import (
    DataSpec,
    Experiment,
    LayerSpec,
    NetworkSpec,
    PrepSpec,
    TrainSpec,
)
from builder.judging.evaluation import judge
from builder.judging.references import LINEAR, TREES, from_result
from builder.tables import prep
from builder.worker import tasks
from builder.worker.references import fit_references


def experiment(hidden: list[LayerSpec], **train) -> Experiment:
    return Experiment(
        data=DataSpec(source="upload", target="y"),
        prep=PrepSpec(test_size=0.5),
        network=NetworkSpec(hidden=hidden),
        train=TrainSpec(batch_size=32, **train),
    )


def trained(frame: pd.DataFrame, spec: Experiment) -> tuple[dict, dict]:
    result = tasks.train(frame, spec)
    return result, judge(result, frame, spec)


def linear_table(rows: int = 200, columns: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, columns))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(columns)])
    frame["y"] = x.sum(axis=1) + rng.normal(scale=1.0, size=rows)
    return frame


def codes_table(rows: int = 1200, codes: int = 16) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    code = rng.integers(0, codes, rows)
    up = np.tile([0, 1], codes)[:codes]
    rng.shuffle(up)
    frame = pd.DataFrame({"code": code, "a": rng.normal(size=rows)})
    frame["y"] = np.where(up[code] == 1, "up", "down")
    return frame


def rare_table(rows: int = 900) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    frame = pd.DataFrame(x, columns=["a", "b", "c"])
    target = np.where(x[:, 0] > 0, "left", "right").astype(object)
    target[rng.random(rows) < 0.08] = "rare"  # nothing in the inputs tells it apart
    frame["y"] = target
    return frame


def circle_table(rows: int = 800) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(rows, 2))
    frame = pd.DataFrame(x, columns=["u", "v"])
    frame["y"] = np.where((x**2).sum(axis=1) < 0.5, "in", "out")
    return frame


@pytest.fixture(scope="module")
def overfit_linear():
    frame = linear_table()
    spec = experiment(
        [LayerSpec(units=128), LayerSpec(units=128)],
        epochs=200,
        learning_rate=0.01,
        early_stopping=False,
    )
    spec.train.batch_size = 16
    return frame, spec, *trained(frame, spec)


def test_a_linear_model_that_beats_an_overfitted_network_is_the_verdict(overfit_linear):
    _, _, _, judged = overfit_linear
    verdict = judged["verdict"]
    (linear,) = [ref for ref in judged["references"] if ref.name == LINEAR]
    assert linear.scores["r2"] > judged["report"]["r2"] + 0.1
    assert verdict.kind == "linear_better" and verdict.level == "warning"
    assert "overfitting" in verdict.also
    reasons = " ".join(verdict.reasons)
    assert "within noise" in reasons and "100 test rows" in reasons
    assert "beats the network by" in reasons
    steps = " ".join(verdict.next_steps)
    assert "Remove this layer" in steps and "L2" in steps and "Learning rate" in steps


def test_the_references_use_the_networks_training_rows_and_inputs(overfit_linear):
    frame, spec, result, _ = overfit_linear
    data = prep.prepare(frame, spec)
    assert data.x_train.shape == (result["rows"]["train"], len(result["feature_names"]))
    assert [i for i in data.test_rows] == result["test_rows"]
    for ref in result["references"]:
        assert ref["rows"] == result["rows"]["train"] and not ref["sampled"]
    # Fitted again on the matrices prepare() makes, they score what the run recorded:
    # the worker fitted them on exactly those rows and columns.
    again = fit_references(data.x_train, data.y_train, data.x_test, data.y_test, "regression", [])
    recorded = {ref["name"]: ref["scores"] for ref in result["references"]}
    for ref in again:
        assert ref["scores"] == pytest.approx(recorded[ref["name"]], rel=1e-9)
    assert np.allclose(data.y_test, result["y_test"])


def test_boosted_trees_that_read_integer_codes_lead_the_verdict():
    frame = codes_table()
    _, judged = trained(frame, experiment([LayerSpec(units=16)], epochs=300, learning_rate=0.01))
    verdict = judged["verdict"]
    (trees,) = [ref for ref in judged["references"] if ref.name == TREES]
    assert trees.scores["accuracy"] > 0.95 > judged["report"]["accuracy"] + 0.2
    assert verdict.kind == "trees_better" and verdict.level == "warning"
    steps = " ".join(verdict.next_steps)
    assert "codes" in steps and "date" in steps and "logarithm" in steps


def test_a_class_never_predicted_is_named_with_its_recall():
    frame = rare_table()
    spec = experiment([LayerSpec(units=8)], epochs=200, learning_rate=0.01, patience=10)
    _, judged = trained(frame, spec)
    verdict = judged["verdict"]
    rare = next(row for row in judged["report"]["per_class"] if row["class"] == "rare")
    assert rare["recall"] <= 0.1 and rare["support"] >= 5
    assert "unpredicted" in [verdict.kind, *verdict.also] and verdict.level != "success"
    named = [reason for reason in verdict.reasons if "never predicts 'rare'" in reason]
    assert named and f"recall {rare['recall']:.0%}" in named[0] and "Macro F1" in named[0]
    assert any("'Balance the classes'" in step for step in verdict.next_steps)


def test_a_network_that_beats_both_references_is_fine():
    frame = circle_table()
    spec = experiment([LayerSpec(units=16)], epochs=300, learning_rate=0.03)
    _, judged = trained(frame, spec)
    verdict = judged["verdict"]
    assert verdict.kind == "fine" and verdict.level == "success", verdict
    scores = {ref.name: ref.scores["accuracy"] for ref in judged["references"]}
    assert judged["report"]["accuracy"] > scores[LINEAR] + 0.2
    assert any("within noise" in reason for reason in verdict.reasons)


def test_a_run_saved_before_references_is_judged_without_them(overfit_linear):
    frame, spec, result, _ = overfit_linear
    old = copy.deepcopy(result)
    del old["references"]
    assert from_result(old) is None
    judged = judge(old, frame, spec)
    assert judged["references"] is None
    assert not any("linear model" in reason for reason in judged["verdict"].reasons)
    assert judged["verdict"].kind == "overfitting"  # what the baseline alone shows


def test_over_the_row_cap_the_references_fit_a_sample_and_say_so():
    frame = circle_table(120)
    spec = experiment([LayerSpec(units=4)])
    data = prep.prepare(frame, spec)
    found = fit_references(
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        "binary",
        ["in", "out"],
        max_rows=40,
    )
    assert [ref["name"] for ref in found] == [LINEAR, TREES]
    assert all(ref["sampled"] and ref["rows"] == 40 for ref in found)
    assert all(0.0 <= ref["scores"]["accuracy"] <= 1.0 for ref in found)


def test_a_reference_that_cannot_be_fitted_says_why_and_the_run_goes_on():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    found = fit_references(x, np.zeros(6, int), x[:2], np.array([0, 1]), "binary", ["a", "b"])
    linear, trees = found
    assert linear["error"] == "the training rows hold one class only" and linear["scores"] == {}
    assert trees["error"] is None and trees["scores"]["accuracy"] == 0.5  # always class 0
